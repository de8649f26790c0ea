/**
 * PostgreSQL through `pg` (one pool per source) and `pg-cursor` (streaming from a portal,
 * `batchSize` rows per round trip). Every query runs inside `BEGIN READ ONLY` with a
 * `SET LOCAL statement_timeout`, and sessions start with default_transaction_read_only on.
 *
 * Values: timestamp without time zone is read as UTC (a Date of that UTC instant, whatever
 * the process's TZ); date stays 'YYYY-MM-DD'; smallint/integer/bigint are numbers (a bigint
 * beyond 2^53 stays a string); numeric stays a string (exact); bytea → Buffer; arrays → arrays;
 * json → parsed values.
 */
import pg from 'pg';
import Cursor from 'pg-cursor';
import { err, UserError } from '../../../core/errors.ts';
import { intParam, parseConnString, pickParams } from '../conn-string.ts';
import { withBatchTimeout, type Connector, type ConnectorPool, type QueryResult, type SourceSettings, type StreamOptions, type TlsMode } from './connector.ts';

const KEYS: Record<string, string> = {
  host: 'host', hostaddr: 'host', server: 'host', port: 'port', dbname: 'database', database: 'database', db: 'database',
  user: 'user', username: 'user', password: 'password', connect_timeout: 'connect_timeout',
  application_name: 'application_name', sslmode: 'sslmode',
};

const OID = { int8: 20, numeric: 1700, timestamp: 1114, date: 1082, int8Array: 1016, numericArray: 1231, timestampArray: 1115, dateArray: 1182, textArray: 1009 } as const;

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' (no zone) → the Date of that wall time in UTC. */
const PLAIN_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,3})?$/;
export function parseUtcTimestamp(text: string): Date | string {
  // The common case: ISO text the engine parses quickly; other years, BC and µs go the long way.
  if (PLAIN_TIMESTAMP.test(text) && text[0] !== '0') return new Date(`${text.slice(0, 10)}T${text.slice(11)}Z`);
  if (text === 'infinity' || text === '-infinity') return text;
  const bc = text.endsWith(' BC');
  const m = /^(\d{4,})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?/.exec(text);
  if (!m) return text;
  const year = bc ? 1 - Number(m[1]) : Number(m[1]);
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const d = new Date(Date.UTC(2000, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
  d.setUTCFullYear(year);
  return d;
}

function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

const textArray = pg.types.getTypeParser(OID.textArray as any, 'text') as (s: string) => unknown;
function arrayOf(parse: (s: string) => unknown) {
  const walk = (v: unknown): unknown => (Array.isArray(v) ? v.map(walk) : v === null ? null : parse(v as string));
  return (s: string) => walk(textArray(s));
}

/**
 * Type parsers of these pools only: pg's global table stays as the ERP's own database uses it
 * (which turns numeric into numbers, for instance — not wanted here).
 */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    switch (oid) {
      case OID.int8: return parseInt8;
      case OID.timestamp: return parseUtcTimestamp;
      case OID.date: case OID.numeric: return (s: string) => s;
      case OID.int8Array: return arrayOf(parseInt8);
      case OID.timestampArray: return arrayOf(parseUtcTimestamp);
      case OID.dateArray: case OID.numericArray: return arrayOf((s) => s);
      default: return pg.types.getTypeParser(oid as any, format ?? 'text');
    }
  },
} as pg.CustomTypesConfig;

function sslOptions(mode: TlsMode, ca: string): pg.ClientConfig['ssl'] {
  if (mode === 'disable') return false;
  if (mode === 'require') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ...(ca.trim() ? { ca } : {}) };
}

function tlsModeFrom(sslmode: string | undefined, field: TlsMode): TlsMode {
  if (field !== 'disable' || sslmode === undefined) return field;
  const table: Record<string, TlsMode> = { disable: 'disable', allow: 'disable', prefer: 'disable', require: 'require', 'verify-ca': 'verify', 'verify-full': 'verify' };
  const mode = table[sslmode];
  if (!mode) throw err(UserError, "Unknown sslmode '%s' in the PostgreSQL connection string: expected disable, require, verify-ca or verify-full.", sslmode);
  return mode;
}

/** pg's client configuration from the source's settings (exported for the benchmark's bare-driver ceiling). */
export function clientConfig(settings: SourceSettings): pg.PoolConfig {
  const p = pickParams(parseConnString(settings.connString, settings.password), KEYS, 'PostgreSQL');
  const connectTimeout = intParam(p.get('connect_timeout'), 'connect_timeout');
  return {
    host: p.get('host') || '127.0.0.1',
    port: intParam(p.get('port'), 'port') ?? 5432,
    database: p.get('database'),
    user: p.get('user'),
    password: p.get('password') ?? settings.password,
    application_name: p.get('application_name') ?? 'erp_external_dbsource',
    ssl: sslOptions(tlsModeFrom(p.get('sslmode'), settings.tlsMode), settings.tlsCa),
    connectionTimeoutMillis: connectTimeout ? connectTimeout * 1000 : settings.timeoutMs,
    options: '-c default_transaction_read_only=on',
    types: TYPES,
  };
}

const fieldNames = (fields: Array<{ name: string }> | undefined) => (fields ?? []).map((f) => f.name);

class PostgresPool implements ConnectorPool {
  private pool: pg.Pool;
  constructor(private settings: SourceSettings) {
    this.pool = new pg.Pool({ ...clientConfig(settings), max: 4, idleTimeoutMillis: 30_000 });
    // An idle client losing its server must not crash the process: the next query reports it.
    this.pool.on('error', () => undefined);
  }

  /** A read-only transaction; whole queries get the statement timeout, streams a timeout per batch. */
  private async begin(client: pg.PoolClient, statementTimeoutMs: number): Promise<void> {
    await client.query(`BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = ${Math.max(0, Math.floor(statementTimeoutMs))}`);
  }

  async query(sql: string, params: unknown[]): Promise<QueryResult> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await this.begin(client, this.settings.timeoutMs);
      const res = await client.query({ text: sql, values: params, rowMode: 'array', queryMode: 'extended' } as pg.QueryArrayConfig);
      await client.query('ROLLBACK'); // nothing to keep: a read-only transaction
      return { cols: fieldNames(res.fields), rows: res.rows };
    } catch (e) {
      broken = await rollback(client, e);
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async *stream(sql: string, params: unknown[], opts: StreamOptions): AsyncGenerator<QueryResult> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    let cursor: Cursor | undefined;
    let inFlight: Promise<unknown> | undefined;
    let prefetchFailed = false;
    try {
      await this.begin(client, 0);
      cursor = client.query(new Cursor(sql, params, { rowMode: 'array', types: TYPES }));
      const pid = (client as unknown as { processID: number }).processID;
      const cancel = () => this.pool.query('SELECT pg_cancel_backend($1)', [pid]);
      let cols: string[] | undefined;
      const fetch = (c: Cursor) => withBatchTimeout(readBatch(c, opts.batchSize), this.settings.timeoutMs, cancel, 'PostgreSQL');
      let next: ReturnType<typeof fetch> | undefined = fetch(cursor);
      for (;;) {
        const { rows, fields } = await next;
        next = undefined;
        cols ??= fieldNames(fields);
        if (!rows.length) break;
        // Ask for the next batch before handing this one over: the server and the network
        // work while the consumer does (at most two batches in memory).
        if (rows.length === opts.batchSize) {
          next = fetch(cursor);
          next.catch(() => { prefetchFailed = true; }); // awaited in the loop, or abandoned by an early stop
        }
        inFlight = next;
        yield { cols, rows };
        if (!next) break;
      }
      await cursor.close();
      cursor = undefined;
      await client.query('ROLLBACK');
    } catch (e) {
      cursor = undefined; // the error ended the portal: closing it would wait forever
      broken = await rollback(client, e);
      throw e;
    } finally {
      // Reached by break/return of the consumer as well: close the portal, end the transaction.
      if (cursor && !broken) {
        try {
          await inFlight?.catch(() => undefined); // a prefetch still running: let it land first
          // A failed prefetch ended the portal (closing it would wait forever): drop the connection.
          if (prefetchFailed) broken = new Error('the stream stopped after a failed fetch');
          else {
            await cursor.close();
            await client.query('ROLLBACK');
          }
        } catch (e) {
          broken = e as Error;
        }
      }
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function readBatch(cursor: Cursor, n: number): Promise<{ rows: unknown[][]; fields: Array<{ name: string }> }> {
  return new Promise((resolve, reject) => {
    cursor.read(n, (e, rows, result) => (e ? reject(e) : resolve({ rows: rows as unknown[][], fields: result?.fields ?? [] })));
  });
}

/** Rolls back after a failed statement; a connection that cannot even do that is discarded. */
async function rollback(client: pg.PoolClient, cause: unknown): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch {
    return cause instanceof Error ? cause : new Error(String(cause));
  }
}

export const postgresql: Connector = {
  label: 'PostgreSQL',
  placeholder: (n) => `$${n}`,
  backslashEscapes: false,
  validate: (settings) => void clientConfig(settings),
  open: (settings) => new PostgresPool(settings),
};
