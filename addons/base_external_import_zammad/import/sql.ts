/**
 * Set-based statements for the importer: many rows in one statement.
 * On a PostgreSQL server the rows go as one binary typed array per column, read back with
 * `unnest` and each column cast to the target table's type (`ColumnRows`: the messages are
 * written into one straight from the articles; insertMany turns row objects into one): the
 * database reads each value's bytes as they are, with no JSON to parse.
 * On PGlite (its parameters are text) the rows go as one JSON parameter read back with
 * `json_to_recordset` typed as the target table's columns, so PostgreSQL's own input functions
 * convert every value (dates, bytea as `\x…` hex, numbers). `json`, not `jsonb`: the text is
 * read once, left to right, where jsonb would first build its binary tree (measured: 2,500
 * messages read in 52 ms instead of 85 ms). The UPDATE of changed rows (`updateChanged`) takes
 * JSON on both, on a server as UTF-8 bytes written row by row (`jsonBytes`), never as one
 * string of the whole batch.
 */
import type { Knex } from 'knex';
import { rowsOf } from '../../../core/orm/index.ts';
import { onPostgresServer } from '../../../core/db/index.ts';
import { countsDeltaSql, countsFunctionName, groupCountsOf } from '../../../core/schema/group-counts.ts';

export type Cr = Knex | Knex.Transaction;
const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

const typeCache = new Map<string, Map<string, string>>();

/** Column → SQL type of `table` (cached per process: the importer's tables do not change shape while running). */
export async function columnTypes(cr: Cr, table: string): Promise<Map<string, string>> {
  const cached = typeCache.get(table);
  if (cached) return cached;
  const rows = rowsOf(await cr.raw(
    `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped AND attgenerated = ''`, [table]));
  const map = new Map(rows.map((r: any) => [r.attname as string, r.type as string]));
  typeCache.set(table, map);
  return map;
}

/**
 * JSON.stringify's replacer for the rows: Buffers as PostgreSQL hex bytea text, Dates as naive
 * UTC text (the raw value is read from the holder, before Buffer/Date `toJSON`). Columns left
 * undefined are omitted, which `json_to_recordset` reads as NULL.
 */
function jsonValue(this: any, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Uint8Array) return `\\x${Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex')}`;
  if (raw instanceof Date) return raw.toISOString().replace('T', ' ').replace('Z', '');
  return value;
}

/** A value that is neither a primitive nor null (a Buffer, a Date…): the replacer converts those. */
function hasObjectValue(row: Record<string, unknown>): boolean {
  for (const key in row) {
    const v = row[key];
    if (v !== null && typeof v === 'object') return true;
  }
  return false;
}

/** Bytes a UTF-16 code unit may take in UTF-8 (a surrogate pair: 4 for 2 units). */
const UTF8_MAX = 3;
const COMMA = 0x2c;
const SCRATCH_START = 1024 * 1024;
const SCRATCH_KEPT = 16 * 1024 * 1024;
/**
 * Where jsonBytes writes (taken while it writes, so two never share it): grown once to a
 * batch's size rather than per statement, then each statement gets an exact copy.
 */
let scratch: Buffer | null = Buffer.allocUnsafe(SCRATCH_START);
function takeScratch(): Buffer {
  const buf = scratch ?? Buffer.allocUnsafe(SCRATCH_START);
  scratch = null;
  return buf;
}
/** Kept for the next statement unless a very large one grew it. */
function giveBackScratch(buf: Buffer): void {
  scratch = buf.length <= SCRATCH_KEPT ? buf : Buffer.allocUnsafe(SCRATCH_START);
}

/** Appends `text` (one row's JSON) to `buf` at `at`, growing it as needed: the buffer and the new end. */
function appendRow(buf: Buffer, at: number, text: string, first: boolean): [Buffer, number] {
  const room = text.length * UTF8_MAX + 2;
  if (at + room > buf.length) {
    const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, at + room));
    buf.copy(bigger, 0, 0, at);
    buf = bigger;
  }
  if (!first) buf[at++] = COMMA;
  at += buf.write(text, at);
  return [buf, at];
}

/**
 * JSON.stringify(rows) as UTF-8 bytes, written row by row. The batch's JSON as one string
 * (megabytes, so allocated straight in V8's old generation, and a rope that the driver then
 * flattens into a second copy to measure and encode it) was the largest garbage of an import
 * after the sanitiser's, and what its memory budget's full collections mostly reclaimed; the
 * rows' own strings are small and die young, the bytes live outside the JavaScript heap.
 * PostgreSQL receives them as a binary parameter, which for `json` is the same text.
 */
export function jsonBytes(rows: ReadonlyArray<Record<string, unknown>>, replacer?: (this: any, key: string, value: unknown) => unknown): Buffer {
  let buf = takeScratch();
  let at = 0;
  buf[at++] = 0x5b; // [
  for (let i = 0; i < rows.length; i++) {
    [buf, at] = appendRow(buf, at, replacer ? JSON.stringify(rows[i], replacer) : JSON.stringify(rows[i]), i === 0);
  }
  buf[at++] = 0x5d; // ]
  giveBackScratch(buf);
  // The statement's own copy, of its exact size (the driver holds it until the statement ends).
  return Buffer.from(buf.subarray(0, at));
}

/** The element type of a ColumnRows column as sent (text columns are cast to the table's type by the statement). */
export type ColumnKind = 'int4' | 'int8' | 'bool' | 'text' | 'bytea';
/** PostgreSQL's type oids of the elements (a binary array names its element type). */
const ELEMENT_OID: Record<ColumnKind, number> = { int4: 23, int8: 20, bool: 16, text: 25, bytea: 17 };

/**
 * A value as the text `json_to_recordset` would give its column (what the rows' JSON made of
 * it, jsonValue's replacer included): Buffers as hex bytea, Dates as naive UTC, numbers that
 * JSON writes as null (NaN, Infinity) as NULL, objects as their JSON.
 */
function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('Z', '');
  return JSON.stringify(value);
}

/** A value as the JSON text of a json/jsonb column (`json_to_recordset` keeps the value's JSON, a string included). */
function jsonTextOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = JSON.stringify(value, jsonValue);
  return text === undefined ? null : text;
}
const ARRAY_HEADER = 20;
const TWO_32 = 2 ** 32;

/**
 * One column's values as a one-dimensional array in PostgreSQL's binary format (array_recv):
 * header (dimensions, has-nulls flag, element type, length, lower bound), then each element as
 * its byte length (-1: NULL) and its bytes. Text goes as its UTF-8 bytes, with no escaping.
 */
class BinaryArray {
  private buf: Buffer;
  private at = ARRAY_HEADER;
  private n = 0;
  private nulls = 0;
  constructor(private kind: ColumnKind, guess: number) {
    this.buf = Buffer.allocUnsafe(ARRAY_HEADER + guess);
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  push(value: unknown, column: string): void {
    this.n++;
    if (value === null || value === undefined) {
      this.room(4);
      this.buf.writeInt32BE(-1, this.at);
      this.at += 4;
      this.nulls = 1;
      return;
    }
    switch (this.kind) {
      case 'int4': {
        const v = Number(value);
        if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new Error(`ColumnRows: "${column}" is not an integer: ${String(value)}`);
        this.room(8);
        this.buf.writeInt32BE(4, this.at);
        this.buf.writeInt32BE(v, this.at + 4);
        this.at += 8;
        return;
      }
      case 'int8': {
        const v = Number(value);
        if (!Number.isSafeInteger(v)) throw new Error(`ColumnRows: "${column}" is not an integer: ${String(value)}`);
        this.room(12);
        this.buf.writeInt32BE(8, this.at);
        // Two's complement in two 32-bit halves (exact for safe integers).
        const high = Math.floor(v / TWO_32);
        this.buf.writeInt32BE(high, this.at + 4);
        this.buf.writeUInt32BE(v - high * TWO_32, this.at + 8);
        this.at += 12;
        return;
      }
      case 'bool':
        this.room(5);
        this.buf.writeInt32BE(1, this.at);
        this.buf[this.at + 4] = value ? 1 : 0;
        this.at += 5;
        return;
      case 'bytea': {
        if (!(value instanceof Uint8Array)) throw new Error(`ColumnRows: "${column}" is not bytes`);
        this.room(4 + value.byteLength);
        this.buf.writeInt32BE(value.byteLength, this.at);
        this.buf.set(value, this.at + 4);
        this.at += 4 + value.byteLength;
        return;
      }
      default: {
        const text = textOf(value);
        if (text === null) {
          this.n--;
          this.push(null, column);
          return;
        }
        this.room(4 + text.length * UTF8_MAX);
        const bytes = this.buf.write(text, this.at + 4);
        this.buf.writeInt32BE(bytes, this.at);
        this.at += 4 + bytes;
      }
    }
  }

  /**
   * The parameter's bytes: a view of the array's own buffer (never reused: no copy of the
   * column's megabytes; the unused end of the buffer lives as long as the statement).
   */
  finish(): Buffer {
    const b = this.buf;
    b.writeInt32BE(1, 0); // dimensions
    b.writeInt32BE(this.nulls, 4);
    b.writeInt32BE(ELEMENT_OID[this.kind], 8);
    b.writeInt32BE(this.n, 12);
    b.writeInt32BE(1, 16); // lower bound
    return b.subarray(0, this.at);
  }
}

const isInt4 = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;

/** Integers as a PostgreSQL server's binary int4[] parameter (`?::int4[]`). */
export function int4Array(values: readonly number[]): Buffer {
  const a = new BinaryArray('int4', values.length * 8);
  for (const v of values) a.push(v, 'value');
  return a.finish();
}

/**
 * Rows given column by column, for the import's messages (half a million per 100,000 tickets).
 * On a PostgreSQL server each column is sent as one typed array in PostgreSQL's binary format
 * and read back with `unnest`: the database reads each value's bytes as they are, where the
 * same rows as one JSON document are parsed, then each row's object hashed by key and each
 * value converted from its text (measured on 2,500 messages: 4.3 ms of the database's CPU
 * instead of 12 ms, and no JSON escaping in this process). On PGlite (its parameters are
 * text) the rows go as JSON, as insertMany's row objects would.
 * The values of the columns that reference other tables are collected as the rows are added
 * (`ref`), for a trusted insert's check (`lockReferences`).
 */
export class ColumnRows {
  count = 0;
  readonly refs = new Map<string, Set<unknown>>();
  readonly cols: string[];
  readonly kinds: ColumnKind[];
  private arrays: BinaryArray[] | null = null;
  private objects: Array<Record<string, unknown>> | null = null;
  private done = false;
  /** `cols`: each column and its kind, in the order of `add`'s values; `refColumns`: those whose values `ref` collects. */
  constructor(cr: Cr, cols: Array<[string, ColumnKind]>, refColumns: string[], expectedRows = 0) {
    this.cols = cols.map(([c]) => c);
    this.kinds = cols.map(([, k]) => k);
    if (onPostgresServer(cr)) this.arrays = this.kinds.map((k) => new BinaryArray(k, Math.max(1024, expectedRows * (k === 'text' ? 64 : 12))));
    else this.objects = [];
    for (const c of refColumns) this.refs.set(c, new Set());
  }

  /**
   * Row objects as ColumnRows, on a PostgreSQL server (insertMany's rows): each column sent as
   * its table type's binary element when every value is one as it is (integers of an integer
   * or bigint column, booleans of a boolean one, bytes of a bytea one), else as text cast to
   * the column's type by the statement, as `json_to_recordset` would convert it (`textOf`;
   * json and jsonb columns: each value's JSON).
   */
  static fromObjects(cr: Cr, types: Map<string, string>, cols: string[], rows: ReadonlyArray<Record<string, unknown>>): ColumnRows {
    const kinds = cols.map((c): [string, ColumnKind] => [c, kindOfValues(types.get(c), rows, c)]);
    const out = new ColumnRows(cr, kinds, [], rows.length);
    const json = cols.map((c) => /^jsonb?$/.test(types.get(c) ?? ''));
    const values: unknown[] = new Array(cols.length);
    for (const row of rows) {
      for (let i = 0; i < cols.length; i++) {
        const v = row[cols[i]];
        values[i] = json[i] ? jsonTextOf(v) : v;
      }
      out.add(values);
    }
    return out;
  }

  /** `value` of the referencing column `column`, kept for the check; returns it. */
  ref<T>(column: string, value: T): T {
    if (value !== null && value !== undefined) this.refs.get(column)!.add(value);
    return value;
  }

  /** One row: its values in the order of the columns. */
  add(values: unknown[]): void {
    if (values.length !== this.cols.length) throw new Error(`ColumnRows: ${values.length} values for ${this.cols.length} columns`);
    if (this.arrays) {
      for (let i = 0; i < values.length; i++) this.arrays[i].push(values[i], this.cols[i]);
    } else {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < values.length; i++) row[this.cols[i]] = values[i] ?? null;
      this.objects!.push(row);
    }
    this.count++;
  }

  /** The parameters: one array per column on a server, the JSON text on PGlite. */
  finish(): { arrays: Buffer[] } | { json: string } {
    if (this.done) throw new Error('ColumnRows: finished twice');
    this.done = true;
    if (this.arrays) {
      const out = this.arrays.map((a) => a.finish());
      this.arrays = null;
      return { arrays: out };
    }
    const objects = this.objects!;
    const json = JSON.stringify(objects, objects.some(hasObjectValue) ? jsonValue : undefined);
    this.objects = null;
    return { json };
  }
}

/** The binary kind of a column of SQL type `type` whose every value in `rows` is one as it is, else text. */
function kindOfValues(type: string | undefined, rows: ReadonlyArray<Record<string, unknown>>, column: string): ColumnKind {
  let test: ((v: unknown) => boolean) | null = null;
  let kind: ColumnKind = 'text';
  if (type === 'integer') {
    kind = 'int4';
    test = (v) => typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
  } else if (type === 'bigint') {
    kind = 'int8';
    test = (v) => typeof v === 'number' && Number.isSafeInteger(v);
  } else if (type === 'boolean') {
    kind = 'bool';
    test = (v) => typeof v === 'boolean';
  } else if (type === 'bytea') {
    kind = 'bytea';
    test = (v) => v instanceof Uint8Array;
  }
  if (!test) return 'text';
  for (const row of rows) {
    const v = row[column];
    if (v !== null && v !== undefined && !test(v)) return 'text';
  }
  return kind;
}

/**
 * The FROM source of ColumnRows' parameters: `unnest` of the typed arrays, each column cast to
 * the table's type (the text ones), or `json_to_recordset` on PGlite.
 */
async function columnRowsSource(cr: Cr, table: string, rows: ColumnRows, params: { arrays: Buffer[] } | { json: string }, extra: Record<string, string>): Promise<{ sql: string; bindings: Array<string | Buffer> }> {
  if ('json' in params) return { sql: await recordsetSql(cr, table, rows.cols, extra), bindings: [params.json] };
  const types = await columnTypes(cr, table);
  const unnest = rows.kinds.map((k) => `?::${k}[]`).join(', ');
  const names = rows.cols.map((c, i) => `c${i}`);
  const cast = rows.cols.map((c, i) => {
    const type = extra[c] ?? types.get(c);
    if (!type) throw new Error(`Column '${c}' does not exist in table '${table}'`);
    return `u.c${i}::${type} AS ${q(c)}`;
  });
  return { sql: `(SELECT ${cast.join(', ')} FROM unnest(${unnest}) AS u(${names.join(', ')})) AS x`, bindings: params.arrays };
}

/** `json_to_recordset(?) AS x(col type, …)` for `cols` of `table`, and its one binding. */
export async function recordset(cr: Cr, table: string, cols: string[], rows: Array<Record<string, unknown>>, extra: Record<string, string> = {}, plain = false): Promise<{ sql: string; binding: string | Buffer }> {
  // Made before the first await: jsonBytes' scratch buffer.
  const binding = bindingOf(cr, rows, plain);
  return { sql: await recordsetSql(cr, table, cols, extra), binding };
}

/** `json_to_recordset(?::json) AS x(col type, …)` for `cols` of `table` (`extra`: types of columns not in it). */
async function recordsetSql(cr: Cr, table: string, cols: string[], extra: Record<string, string> = {}): Promise<string> {
  const types = await columnTypes(cr, table);
  const defs = cols.map((c) => {
    const type = extra[c] ?? types.get(c);
    if (!type) throw new Error(`Column '${c}' does not exist in table '${table}'`);
    return `${q(c)} ${type}`;
  });
  return `json_to_recordset(?::json) AS x(${defs.join(', ')})`;
}

/** The rows as the statement's JSON parameter. */
function bindingOf(cr: Cr, rows: Array<Record<string, unknown>>, plain: boolean): string | Buffer {
  // The rows as they are (no copy per row: a batch is thousands of them); keys that are not
  // in `cols` are ignored by json_to_recordset. The replacer (a call per value) only when a
  // value needs it: JSON.stringify is several times faster without one.
  // `plain`: the caller knows every value is a primitive (not even scanned for one).
  const replacer = !plain && rows.some(hasObjectValue) ? jsonValue : undefined;
  // Embedded PGlite takes the text (it would read bytes as bytea).
  return onPostgresServer(cr) ? jsonBytes(rows, replacer) : JSON.stringify(rows, replacer);
}

export interface InsertOptions {
  returning?: string;
  onConflict?: string;
  constants?: Record<string, unknown>;
  /**
   * Columns computed in SQL from the row (`x.<column>`) and bound values, instead of sent in
   * each row's JSON (a Message-Id made of an article id).
   */
  computed?: Record<string, { sql: string; bindings?: unknown[] }>;
  /** Columns of the rows that only feed `computed` (not columns of the table), with their SQL types. */
  inputs?: Record<string, string>;
  /** The rows' columns, when the caller knows them (else read from the rows). */
  cols?: string[];
  /** Every value of the rows is a string, number, boolean or null (no Buffer, no Date). */
  plain?: boolean;
  trusted?: TrustPlan | null;
  mode?: TriggerMode;
  /**
   * What the statement returns instead of the `returning` rows: a query over them, named `ins`
   * (`WITH ins AS (INSERT … RETURNING …) <select>`), with its own bindings. For the rows the
   * caller needs among many, without sending them all back.
   */
  select?: { sql: string; bindings?: unknown[] };
}

/**
 * INSERT of many rows in one statement; returns the `returning` columns of each row.
 * `constants` are the columns whose value is the same for every row (user, dates, model…):
 * bound once instead of repeated in each row's JSON, which they would make about half of
 * (a batch's messages' JSON is the largest string the importer makes: the less of it, the
 * less garbage the collector has to catch up with).
 */
export async function insertMany(cr: Cr, table: string, rows: Array<Record<string, unknown>> | ColumnRows, opts: InsertOptions = {}): Promise<any[]> {
  const given = rows instanceof ColumnRows ? rows : null;
  // Its arrays taken at once (nothing added after this).
  const givenParams = given ? given.finish() : null;
  const objects = given ? null : rows as Array<Record<string, unknown>>;
  if (!(given ? given.count : objects!.length)) return [];
  const constants = Object.entries(opts.constants ?? {});
  const fixed = new Set(constants.map(([c]) => c));
  const inputs = opts.inputs ?? {};
  const computed = Object.entries(opts.computed ?? {});
  if (given && given.cols.some((c) => fixed.has(c))) throw new Error('insertMany: a column of ColumnRows is also a constant');
  const cols = given ? given.cols : (opts.cols ?? columnsOf(objects!)).filter((c) => !fixed.has(c));
  let src: { sql: string; bindings: Array<string | Buffer> };
  if (given) src = await columnRowsSource(cr, table, given, givenParams!, inputs);
  else if (onPostgresServer(cr)) {
    // On a server the row objects go as typed arrays too (built before the first await).
    const types = new Map(await columnTypes(cr, table));
    for (const [c, t] of Object.entries(inputs)) types.set(c, t);
    const typed = ColumnRows.fromObjects(cr, types, cols, objects!);
    src = await columnRowsSource(cr, table, typed, typed.finish(), inputs);
  } else src = await recordset(cr, table, cols, objects!, inputs, opts.plain).then((r) => ({ sql: r.sql, bindings: [r.binding] }));
  const stored = cols.filter((c) => !(c in inputs));
  const types = await columnTypes(cr, table);
  const constantSql = constants.map(([c]) => {
    const type = types.get(c);
    if (!type) throw new Error(`Column '${c}' does not exist in table '${table}'`);
    return `?::${type}`;
  });
  const list = [...stored, ...computed.map(([c]) => c), ...constants.map(([c]) => c)].map(q).join(', ');
  const select = [...stored.map((c) => `x.${q(c)}`), ...computed.map(([, e]) => e.sql), ...constantSql].join(', ');
  let sql = `INSERT INTO ${q(table)} (${list}) SELECT ${select} FROM ${src.sql} ${opts.onConflict ?? ''} ${opts.returning ? `RETURNING ${opts.returning}` : ''}`;
  const bindings = [...computed.flatMap(([, e]) => e.bindings ?? []), ...constants.map(([, v]) => v), ...src.bindings] as any[];
  if (opts.select) {
    if (!opts.returning) throw new Error('insertMany: select needs returning');
    sql = `WITH ins AS (${sql}) ${opts.select.sql}`;
    bindings.push(...(opts.select.bindings ?? []));
  }
  // A plan made for plain INSERTs knows nothing of the UPDATE triggers an upsert fires.
  const trusted = opts.trusted?.insertOnly && /\bDO\s+UPDATE\b/i.test(opts.onConflict ?? '') ? null : opts.trusted;
  if (!trusted) {
    await opts.mode?.origin();
    return rowsOf(await cr.raw(sql, bindings));
  }
  // One round trip both locks the references and turns the row triggers off.
  try {
    await lockReferences(cr, trusted, rows, opts.constants ?? {}, { replica: !opts.mode?.replica, locked: opts.mode?.locked });
  } catch (err) {
    // A refused reference: the triggers back on before the caller sees the error.
    if ((err as any)?.code === '23503') await opts.mode?.origin();
    throw err;
  }
  // On an error the caller's savepoint (or transaction) is rolled back, and the setting with it.
  if (trusted.counts && opts.select) throw new Error('insertMany: select and the group counts of a trusted insert do not mix');
  const out = rowsOf(await cr.raw(trusted.counts ? withCountDeltas(sql, trusted.counts, opts.returning) : sql, bindings));
  if (opts.mode) opts.mode.replica = true;
  else await cr.raw('SET LOCAL session_replication_role = origin');
  return out;
}

/**
 * The row triggers of one transaction across several trusted inserts (`insertMany`'s `mode`):
 * turned off by the first one and left off for the next ones, turned back on only before a
 * statement that needs them (`origin()`: a plain insert or update, the ORM) and at the end.
 * Without a mode each trusted insert turns them back on itself: two round trips more each.
 * The caller runs the whole in a savepoint or transaction whose rollback restores them too.
 */
export class TriggerMode {
  replica = false;
  /**
   * The referenced rows the trusted inserts of this mode already locked (by table and column),
   * held until the transaction ends: the next inserts' checks skip them. A batch's tickets,
   * followers and messages mostly point to the same partners and users: each is looked up and
   * locked once instead of once per table. The mode lives inside one savepoint (a rollback to
   * it releases the locks, and the mode with them: the writer makes a new one).
   */
  readonly locked = new Map<string, Set<string>>();
  constructor(private cr: Cr) {}
  async origin(): Promise<void> {
    if (!this.replica) return;
    await this.cr.raw('SET LOCAL session_replication_role = origin');
    this.replica = false;
  }
}

/**
 * The INSERT `sql` (ending in its RETURNING clause, if any) with the group-count delta its
 * statement trigger would write (core/schema/group-counts.ts), written by the same statement
 * since the trigger does not fire in replica mode.
 */
function withCountDeltas(sql: string, counts: NonNullable<TrustPlan['counts']>, returning: string | undefined): string {
  const carriedNames = counts.dims.map((_, i) => `__count_${i}`);
  const carried = counts.dims.map((d, i) => `${q(d)} AS ${q(carriedNames[i])}`).join(', ');
  const body = returning ? `${sql}, ${carried}` : `${sql} RETURNING ${carried}`;
  return `WITH ins AS (${body}), deltas AS (${countsDeltaSql(counts, 'ins', carriedNames)}) SELECT * FROM ins`;
}

/** The keys of the rows (all rows of a batch have the same shape: the first ones tell). */
function columnsOf(rows: Array<Record<string, unknown>>): string[] {
  const seen = new Set<string>();
  let last: Record<string, unknown> | null = null;
  for (const r of rows) {
    // Rows made by one object literal share their key list: looked at once per shape change.
    if (last && sameKeys(last, r)) continue;
    for (const k in r) seen.add(k);
    last = r;
  }
  return [...seen];
}

function sameKeys(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  let n = 0;
  for (const k in b) {
    if (!(k in a)) return false;
    n++;
  }
  for (const _ in a) n--;
  return n === 0;
}

// ── trusted bulk inserts: foreign keys checked per statement, not per row ───────────────

/**
 * A table whose rows a bulk insert may write without PostgreSQL's per-row trigger calls:
 * every trigger on it is a foreign-key trigger (replaced by `lockReferences`), one the
 * caller knows to be a no-op for its rows (`noOp`), or one that fires anyway (ENABLE ALWAYS).
 */
export interface TrustPlan {
  table: string;
  keys: Array<{ name: string; column: string; ref: string; refColumn: string }>;
  /** The table's group counts (its INSERT statement trigger), written by the insert itself. */
  counts?: { table: string; dims: string[] };
  /** Only the INSERT triggers were looked at: not for an ON CONFLICT … DO UPDATE. */
  insertOnly?: boolean;
}

/** Trigger types (pg_trigger.tgtype bits). */
const TRIGGER_ROW = 1;
const TRIGGER_INSERT = 4;

/**
 * Whether `table` can take trusted inserts on this connection, and its foreign keys.
 *
 * Each row inserted into a table runs one foreign-key trigger per key, each an SPI query that
 * finds and locks the referenced row (`SELECT 1 … FOR KEY SHARE`): for the import's messages
 * and followers, 20,000 of them per batch, about 40% of their INSERT's time in the database.
 * A trusted insert takes the same locks on the batch's distinct referenced rows in one
 * statement per table (`lockReferences`), checks that all exist, then inserts with
 * `session_replication_role = replica` (the row triggers, foreign-key ones included, do not
 * fire) and sets it back. The guarantee is the same: a referenced row exists and cannot be
 * deleted (or its key changed) before the transaction ends. Setting it needs a superuser
 * connection; otherwise (and on tables with other triggers, multi-column foreign keys or
 * replica-only triggers) null: the plain insert, triggers and all.
 */
export async function trustPlan(cr: Cr, table: string, noOp: string[] = [], opts: { insertOnly?: boolean; groupCounts?: boolean } = {}): Promise<TrustPlan | null> {
  const [su] = rowsOf(await cr.raw(`SELECT current_setting('is_superuser') = 'on' AS ok`));
  if (!su?.ok) return null;
  const triggers = rowsOf(await cr.raw(
    `SELECT t.tgname, t.tgenabled, t.tgisinternal, t.tgtype, p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE t.tgrelid = to_regclass(?) AND t.tgenabled <> 'D'`, [table]));
  let counts: TrustPlan['counts'];
  for (const t of triggers) {
    if (t.tgenabled === 'A') continue; // fires in replica mode too
    if (t.tgenabled !== 'O') return null; // replica-only: would fire where it does not now
    // Plain INSERTs (no ON CONFLICT … DO UPDATE) fire only the INSERT triggers.
    if (opts.insertOnly && !(Number(t.tgtype) & TRIGGER_INSERT)) continue;
    if (t.tgisinternal && String(t.proname).startsWith('RI_FKey_')) continue;
    if (!t.tgisinternal && noOp.includes(t.tgname)) continue;
    if (opts.groupCounts && opts.insertOnly && !t.tgisinternal && !(Number(t.tgtype) & TRIGGER_ROW) && t.proname === countsFunctionName(table)) {
      counts = (await groupCountsOf(cr, table)) ?? undefined;
      if (counts) continue;
    }
    return null;
  }
  const keys = rowsOf(await cr.raw(
    `SELECT c.conname, array_length(c.conkey, 1) AS n, a.attname AS col, c.confrelid::regclass::text AS ref, ra.attname AS ref_col
       FROM pg_constraint c
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
      WHERE c.conrelid = to_regclass(?) AND c.contype = 'f'`, [table]));
  if (keys.some((k: any) => Number(k.n) !== 1)) return null;
  return { table, keys: keys.map((k: any) => ({ name: k.conname, column: k.col, ref: k.ref, refColumn: k.ref_col })), ...(counts ? { counts } : {}), ...(opts.insertOnly ? { insertOnly: true } : {}) };
}

/**
 * What the foreign-key triggers would do for `rows`, once per table: the distinct referenced
 * rows locked FOR KEY SHARE, and an error like PostgreSQL's when one does not exist.
 */
export async function lockReferences(cr: Cr, plan: TrustPlan, rows: Array<Record<string, unknown>> | ColumnRows, constants: Record<string, unknown>,
  opts: { replica?: boolean; locked?: Map<string, Set<string>> } = {}): Promise<void> {
  const checks: Array<{ key: TrustPlan['keys'][number]; values: unknown[] }> = [];
  // The rows this statement locks, by referenced table and column (two keys may share them).
  const locking = new Map<string, Set<string>>();
  for (const key of plan.keys) {
    let values = new Set<unknown>();
    if (key.column in constants) {
      if (constants[key.column] !== null && constants[key.column] !== undefined) values.add(constants[key.column]);
    } else if (rows instanceof ColumnRows) {
      const kept = rows.refs.get(key.column);
      // A referencing column of the rows whose values were not kept: its rows could not be checked.
      if (!kept && rows.cols.includes(key.column)) throw new Error(`The values of "${key.column}" (foreign key ${key.name}) were not kept for the check`);
      if (kept) values = kept;
    } else {
      for (const r of rows) {
        const v = r[key.column];
        if (v !== null && v !== undefined) values.add(v);
      }
    }
    if (opts.locked) {
      // Locked before in this transaction (or by another key of this statement): not again.
      const target = `${key.ref}.${key.refColumn}`;
      const before = opts.locked.get(target);
      let now = locking.get(target);
      if (!now) locking.set(target, now = new Set());
      const fresh: unknown[] = [];
      for (const v of values) {
        const k = String(v);
        if (before?.has(k) || now.has(k)) continue;
        now.add(k);
        fresh.push(v);
      }
      if (fresh.length) checks.push({ key, values: fresh });
    } else if (values.size) checks.push({ key, values: [...values] });
  }
  // `replica`: the same statement turns the row triggers off for the insert that follows.
  const replica = opts.replica ? `set_config('session_replication_role', 'replica', true) AS role, ` : '';
  if (!checks.length) {
    if (replica) await cr.raw(`SELECT ${replica}1 AS n`);
    return;
  }
  // Ids (the usual references) as a binary int4 array: no array literal made of each value here.
  const params = checks.map(({ values }) => (values.every(isInt4) ? int4Array(values as number[]) : values));
  const parts = checks.map(({ key }, i) => `(SELECT count(*) FROM (SELECT 1 FROM ONLY ${key.ref} x WHERE x.${q(key.refColumn)} = ANY(?${Buffer.isBuffer(params[i]) ? '::int4[]' : ''}) FOR KEY SHARE OF x) s)::int`);
  const [found] = rowsOf(await cr.raw(`SELECT ${replica}ARRAY[${parts.join(', ')}] AS n`, params as any[]));
  const missing = checks.findIndex((c, i) => Number(found.n[i]) < c.values.length);
  if (missing < 0) {
    if (opts.locked) {
      for (const [target, values] of locking) {
        const into = opts.locked.get(target);
        if (into) for (const v of values) into.add(v);
        else opts.locked.set(target, values);
      }
    }
    return;
  }
  // Not left off for whatever the caller does after the error.
  if (replica) await cr.raw('SET LOCAL session_replication_role = origin');
  const c = checks[missing];
  const err: any = new Error(`insert or update on table "${plan.table}" violates foreign key constraint "${c.key.name}"`);
  err.detail = `Some of the keys (${c.key.column}) are not present in table "${c.key.ref}".`;
  err.code = '23503';
  throw err;
}

/**
 * UPDATE of many rows by id, only where a value differs (IS DISTINCT FROM compares typed
 * values, NULLs included): unchanged rows are not touched, their write_date stays.
 * `setExtra` adds assignments (SQL expressions without parameters) made only on changed rows
 * (write_date…). Returns the changed ids.
 */
export async function updateChanged(cr: Cr, table: string, rows: Array<Record<string, unknown>>, cols: string[], setExtra: Record<string, string> = {}): Promise<number[]> {
  if (!rows.length || !cols.length) return [];
  const src = await recordset(cr, table, ['id', ...cols], rows);
  const set = [...cols.map((c) => `${q(c)} = x.${q(c)}`), ...Object.entries(setExtra).map(([c, e]) => `${q(c)} = ${e}`)].join(', ');
  const sql = `UPDATE ${q(table)} t SET ${set} FROM ${src.sql}
    WHERE t.id = x.id AND (${cols.map((c) => `t.${q(c)}`).join(', ')}, NULL) IS DISTINCT FROM (${cols.map((c) => `x.${q(c)}`).join(', ')}, NULL)
    RETURNING t.id`;
  return rowsOf(await cr.raw(sql, [src.binding])).map((r: any) => Number(r.id));
}

/** `n` fresh ids of `table`'s sequence, taken in one statement. */
export async function reserveIds(cr: Cr, table: string, n: number): Promise<number[]> {
  if (n <= 0) return [];
  const rows = rowsOf(await cr.raw(`SELECT nextval(pg_get_serial_sequence(?, 'id')) AS id FROM generate_series(1, ?)`, [table, n]));
  return rows.map((r: any) => Number(r.id));
}
