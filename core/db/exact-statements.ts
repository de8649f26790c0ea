/**
 * Statements planned once for their exact values, on a PostgreSQL server.
 *
 * A named statement with parameters is planned anew at each execution whenever PostgreSQL
 * judges its generic plan dearer than the custom ones — which it does for the ORM's
 * searches with a LIMIT (a generic plan assumes average selectivities). On the list view's
 * request that planning is about a quarter of the database's CPU. Forcing generic plans
 * would be wrong for rare values (a search for a rare state must not walk the whole table
 * by id), so instead:
 *
 *   named text + values ──seen before?──no──▶ run as today (parameters, custom plans)
 *                              │yes
 *                              ▼
 *   the same text with the values written as quoted literals, in one of MAX_SLOTS names
 *   (`erp_x_1…`): a statement without parameters is planned once per connection, for
 *   exactly those values — PostgreSQL's custom plan, kept. (Its cached plan is dropped by
 *   PostgreSQL itself after DDL or ANALYZE of the tables it reads.)
 *
 * The slots are a least-recently-used set: a pair that stops repeating loses its slot to a
 * new one, and a connection that had the slot's old text closes it before parsing the new
 * one (pg-statement.ts), so each connection holds at most MAX_SLOTS such plans.
 *
 * Values are written the way the parameter would have been sent: pg's own text conversion,
 * as an untyped literal (`E'…'` when it holds a backslash), which PostgreSQL resolves to the
 * same type as an untyped parameter. Long values and binary ones keep the parameter path.
 */

/** Names (and so plans per connection) for exact-value statements. */
let maxSlots = 100;
/** A value longer than this keeps the parameter path (free text, JSON, big IN lists). */
const MAX_LITERAL = 200;
/** Pairs seen once; cleared when it grows past this, so one-off values cost nothing lasting. */
const MAX_SEEN = 5_000;

export interface ExactStatement {
  /** The slot's statement name. */
  name: string;
  /** The text with the values as literals. */
  text: string;
}

/** Hot pairs by key (template name + values), in least-recently-used order. */
const slots = new Map<string, ExactStatement>();
const seenOnce = new Set<string>();

/** A quoted literal for one value as pg would send it (text format), or undefined when not eligible. */
function literal(value: unknown): string | undefined {
  if (value === null) return 'NULL';
  if (typeof value !== 'string') return undefined;
  if (value.length > MAX_LITERAL || value.includes('\0')) return undefined;
  const quoted = `'${value.replace(/'/g, "''")}'`;
  return value.includes('\\') ? `E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

/**
 * The exact-value statement for `template` (a named statement's name) run with `values`
 * (already converted by pg's prepareValue) on `sql` (knex text: every `?` a placeholder),
 * or undefined while the pair is new or a value is not eligible.
 */
export function exactStatement(template: string, sql: string, values: readonly unknown[]): ExactStatement | undefined {
  if (!values.length) return undefined;
  const literals: string[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const lit = literal(values[i]);
    if (lit === undefined) return undefined;
    literals[i] = lit;
  }
  const key = `${template}\u0001${literals.join('\u0001')}`;
  const found = slots.get(key);
  if (found) {
    // Most recently used last.
    slots.delete(key);
    slots.set(key, found);
    return found;
  }
  if (!seenOnce.has(key)) {
    if (seenOnce.size >= MAX_SEEN) seenOnce.clear();
    seenOnce.add(key);
    return undefined;
  }
  seenOnce.delete(key);
  const text = inlineValues(sql, literals);
  if (text === undefined) return undefined;
  let name = `erp_x_${slots.size + 1}`;
  if (slots.size >= maxSlots) {
    // The least recently used pair gives its name up.
    const [oldest, entry] = slots.entries().next().value as [string, ExactStatement];
    slots.delete(oldest);
    name = entry.name;
  }
  const statement = { name, text };
  slots.set(key, statement);
  return statement;
}

/** `sql` with its `?` placeholders replaced by `literals`, or undefined if their counts differ. */
function inlineValues(sql: string, literals: string[]): string | undefined {
  let out = '';
  let from = 0;
  let n = 0;
  for (let at = sql.indexOf('?'); at >= 0; at = sql.indexOf('?', at + 1)) {
    if (n >= literals.length) return undefined;
    out += sql.slice(from, at) + literals[n++];
    from = at + 1;
  }
  return n === literals.length ? out + sql.slice(from) : undefined;
}

/** Tests: a smaller slot count (and a clean state), to exercise reuse of slot names. */
export function resetExactStatements(slotCount = 100): void {
  maxSlots = slotCount;
  slots.clear();
  seenOnce.clear();
}
