/**
 * The DB-API placeholders of OCA queries, on every engine: `%s` (params a list) and
 * `%(name)s` (params a dict), `%%` for a literal percent sign. They are rewritten into the
 * engine's own numbered parameters (`$1`, `?`, `@p1`) with the values in a list: values
 * never enter the SQL text.
 *
 *   SELECT * FROM t WHERE a = %(x)s AND b = %s     ← refused: one style per query
 *   SELECT * FROM t WHERE a = %(x)s OR b = %(x)s   → pg: a = $1 OR b = $2, [x, x]
 *
 * Quoted strings, quoted identifiers, comments and PostgreSQL dollar quotes are skipped, so
 * `LIKE 'a%'` needs no doubling (`'a%%'` still means `'a%'`, as with psycopg2). Without
 * params (null / undefined) the query is sent as written, as DB-API drivers do.
 */
import { err, UserError } from '../../core/errors.ts';
import type { PlaceholderStyle } from './connectors/connector.ts';

export type QueryParams = unknown[] | Record<string, unknown> | null | undefined;

export interface BoundQuery {
  sql: string;
  values: unknown[];
}

/** What the rewriting needs to know of an engine. */
export interface Dialect {
  placeholder: PlaceholderStyle;
  /** Backslash escapes a quote inside '…' (MySQL's default; not PostgreSQL's standard strings). */
  backslashEscapes: boolean;
}

export function bindPlaceholders(query: string, params: QueryParams, dialect: Dialect): BoundQuery {
  const style = dialect.placeholder;
  if (typeof query !== 'string' || !query.trim()) throw err(UserError, 'The query is empty.');
  if (params === null || params === undefined) return { sql: query, values: [] };
  const positional = Array.isArray(params);
  if (!positional && (typeof params !== 'object' || params instanceof Date || Buffer.isBuffer(params))) {
    throw err(UserError, 'Query parameters must be a list (for %s) or a dictionary (for %s).', '%s', '%(name)s');
  }
  const values: unknown[] = [];
  let out = '';
  let i = 0;
  let next = 0;
  const n = query.length;
  while (i < n) {
    const c = query[i];
    if (c === "'" || c === '"' || c === '`') {
      const end = closingQuote(query, i, c, dialect.backslashEscapes);
      out += query.slice(i, end).split('%%').join('%');
      i = end;
    } else if (c === '-' && query[i + 1] === '-') {
      const end = query.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      out += query.slice(i, stop);
      i = stop;
    } else if (c === '/' && query[i + 1] === '*') {
      const end = query.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      out += query.slice(i, stop);
      i = stop;
    } else if (c === '$' && /[A-Za-z_$]/.test(query[i + 1] ?? '') && !/[\w]/.test(query[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_]\w*)?\$/.exec(query.slice(i));
      if (tag) {
        const end = query.indexOf(tag[0], i + tag[0].length);
        const stop = end < 0 ? n : end + tag[0].length;
        out += query.slice(i, stop);
        i = stop;
      } else {
        out += c;
        i++;
      }
    } else if (c === '%') {
      const rest = query.slice(i);
      if (rest.startsWith('%%')) { out += '%'; i += 2; continue; }
      if (rest.startsWith('%s')) {
        if (!positional) throw err(UserError, 'The query uses %s but the parameters are a dictionary: use %s, or pass a list.', '%s', '%(name)s');
        if (next >= params.length) throw err(UserError, 'The query has more %s placeholders than the %s parameter(s) given.', '%s', params.length);
        values.push(params[next++]);
        out += style(values.length);
        i += 2;
        continue;
      }
      const named = /^%\(([^)]+)\)s/.exec(rest);
      if (named) {
        if (positional) throw err(UserError, 'The query uses %s but the parameters are a list: pass a dictionary.', named[0]);
        if (!Object.prototype.hasOwnProperty.call(params, named[1])) throw err(UserError, "The query uses %s but no parameter '%s' was given.", named[0], named[1]);
        values.push((params as Record<string, unknown>)[named[1]]);
        out += style(values.length);
        i += named[0].length;
        continue;
      }
      throw err(UserError, "Unsupported placeholder '%s' in the query: use %s, %s, or %s for a percent sign.", rest.slice(0, 2), '%s', '%(name)s', '%%');
    } else {
      out += c;
      i++;
    }
  }
  if (positional && next < params.length) throw err(UserError, 'The query has %s placeholder(s) %s but %s parameters were given.', next, '%s', params.length);
  return { sql: out, values };
}

/** Index just past the quote closing the one at `start` (doubled quotes stay inside). */
function closingQuote(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    if (backslashEscapes && text[i] === '\\' && quote !== '"') { i += 2; continue; }
    if (text[i] === quote) {
      if (text[i + 1] === quote) { i += 2; continue; }
      return i + 1;
    }
    i++;
  }
  return text.length;
}
