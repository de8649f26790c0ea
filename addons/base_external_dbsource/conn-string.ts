/**
 * Connection strings as Odoo's base_external_dbsource users write them:
 *   - key=value pairs, libpq style separated by spaces (`host=db port=5432 dbname=x
 *     user=u password=%s`, values may be 'single quoted') or ODBC style separated by `;`
 *     (`Server=db,1433;Database=x;UID=u;PWD=%s`, values may be {braced});
 *   - a URL (`postgres://u:%s@db:5432/x?application_name=erp`).
 * `%s` stands for the source's password. It is put in after parsing (pairs) or URL-encoded
 * (URLs), so no password can change the meaning of the string. Keys come out lower-cased;
 * each connector maps the keys it knows and refuses the others.
 */
import { err, UserError } from '../../core/errors.ts';

export type ConnParams = Map<string, string>;

/** Parses `text` and puts `password` where `%s` is. URLs become host/port/dbname/user/password pairs. */
export function parseConnString(text: string, password: string): ConnParams {
  const source = String(text ?? '').trim();
  if (!source) throw err(UserError, 'The connection string is empty.');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return parseUrl(source, password);
  const pairs = parsePairs(source);
  for (const [k, v] of pairs) pairs.set(k, v.split('%s').join(password));
  return pairs;
}

function parseUrl(source: string, password: string): ConnParams {
  let url: URL;
  try {
    url = new URL(source.split('%s').join(encodeURIComponent(password)));
  } catch {
    // The message must not carry the password: name the shape that is wrong, not the text.
    throw err(UserError, 'The connection string is not a valid URL (expected %s).', 'scheme://user:%s@host:port/database');
  }
  const out: ConnParams = new Map();
  const decode = (s: string) => {
    try { return decodeURIComponent(s); } catch { return s; }
  };
  if (url.hostname) out.set('host', decode(url.hostname).replace(/^\[(.*)\]$/, '$1'));
  if (url.port) out.set('port', url.port);
  const db = decode(url.pathname.replace(/^\//, ''));
  if (db) out.set('dbname', db);
  if (url.username) out.set('user', decode(url.username));
  if (url.password) out.set('password', decode(url.password));
  for (const [k, v] of url.searchParams) out.set(k.toLowerCase(), v);
  return out;
}

function parsePairs(source: string): ConnParams {
  const odbc = source.includes(';');
  const out: ConnParams = new Map();
  let i = 0;
  const n = source.length;
  const isSep = (c: string) => (odbc ? c === ';' : /\s/.test(c));
  while (i < n) {
    while (i < n && (isSep(source[i]) || /\s/.test(source[i]))) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && source[i] !== '=' && !isSep(source[i])) i++;
    const key = source.slice(keyStart, i).trim().toLowerCase();
    if (source[i] !== '=' || !key) throw err(UserError, "The connection string has '%s' without a value: expected key=value pairs (or a URL).", key || source.slice(keyStart, i));
    i++; // '='
    while (i < n && source[i] === ' ') i++;
    let value = '';
    if (source[i] === "'" && !odbc) {
      i++;
      for (;;) {
        if (i >= n) throw err(UserError, "The value of '%s' in the connection string has no closing quote.", key);
        if (source[i] === '\\' && i + 1 < n) { value += source[i + 1]; i += 2; continue; }
        if (source[i] === "'") { i++; break; }
        value += source[i++];
      }
    } else if (source[i] === '{' && odbc) {
      i++;
      for (;;) {
        if (i >= n) throw err(UserError, "The value of '%s' in the connection string has no closing brace.", key);
        if (source[i] === '}' && source[i + 1] === '}') { value += '}'; i += 2; continue; }
        if (source[i] === '}') { i++; break; }
        value += source[i++];
      }
    } else {
      const start = i;
      while (i < n && !isSep(source[i])) i++;
      value = source.slice(start, i).trim();
    }
    if (out.has(key)) throw err(UserError, "The connection string gives '%s' twice.", key);
    out.set(key, value);
  }
  if (!out.size) throw err(UserError, 'The connection string is empty.');
  return out;
}

/**
 * Takes the keys a connector understands out of `params`: `aliases` maps each accepted
 * spelling to the connector's own name. A key left over is an error listing what is accepted.
 */
export function pickParams(params: ConnParams, aliases: Record<string, string>, connector: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of params) {
    const name = aliases[key];
    if (!name) {
      throw err(UserError, "Unknown key '%s' in the %s connection string; accepted keys: %s.", key, connector, Object.keys(aliases).join(', '));
    }
    out.set(name, value);
  }
  return out;
}

/** A whole number in a connection string (port, timeout), or a clear error. */
export function intParam(value: string | undefined, key: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw err(UserError, "The connection string's %s must be a whole number, not '%s'.", key, value);
  return Number(value);
}
