/**
 * MySQL and MariaDB through `mysql2`: user queries always go through server-side prepared
 * statements (`execute`, values never spliced), inside `START TRANSACTION READ ONLY`, with
 * the statement timeout set per query (MariaDB's max_statement_time, MySQL's
 * max_execution_time) and a client-side timeout behind it. Streaming reads the result as it
 * arrives, pausing the socket while a batch waits for its consumer; stopping early kills the
 * query on the server (KILL QUERY: the protocol has no cursor to close) and drops the connection.
 *
 * Values: DATETIME and TIMESTAMP are read as UTC (session time_zone +00:00), DATE stays
 * 'YYYY-MM-DD', BIGINT is a number (a string beyond 2^53), DECIMAL a string, BLOB a Buffer.
 */
import { createRequire } from 'node:module';
import type mysql from 'mysql2';

/** mysql2: the driver is loaded on first use, not at every start of a server that may never open such a source. */
let driver: typeof mysql | undefined;
const mysqlDriver = (): typeof mysql => (driver ??= createRequire(import.meta.url)('mysql2') as typeof mysql);
import { err, UserError } from '../../../core/errors.ts';
import { intParam, parseConnString, pickParams } from '../conn-string.ts';
import { RowBatches } from './row-batches.ts';
import { withBatchTimeout, type Connector, type ConnectorPool, type QueryResult, type SourceSettings, type StreamOptions } from './connector.ts';

const KEYS: Record<string, string> = {
  host: 'host', server: 'host', hostaddr: 'host', port: 'port', dbname: 'database', database: 'database', db: 'database',
  user: 'user', username: 'user', uid: 'user', password: 'password', pwd: 'password', passwd: 'password',
  charset: 'charset', connect_timeout: 'connect_timeout',
};

/** mysql2's pool options from the source's settings (exported for the benchmark's bare-driver ceiling). */
export function poolOptions(settings: SourceSettings): mysql.PoolOptions {
  const p = pickParams(parseConnString(settings.connString, settings.password), KEYS, 'MySQL');
  const connectTimeout = intParam(p.get('connect_timeout'), 'connect_timeout');
  const tls = settings.tlsMode;
  return {
    host: p.get('host') || '127.0.0.1',
    port: intParam(p.get('port'), 'port') ?? 3306,
    database: p.get('database'),
    user: p.get('user'),
    password: p.get('password') ?? settings.password,
    charset: p.get('charset') ?? 'utf8mb4',
    connectTimeout: connectTimeout ? connectTimeout * 1000 : settings.timeoutMs,
    timezone: 'Z',
    dateStrings: ['DATE'],
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: false,
    // Only this file's own statements use the text protocol; user SQL goes through execute().
    multipleStatements: true,
    ssl: tls === 'disable' ? undefined : tls === 'require' ? { rejectUnauthorized: false } : { rejectUnauthorized: true, ...(settings.tlsCa.trim() ? { ca: settings.tlsCa } : {}) },
    connectionLimit: 4,
    maxIdle: 4,
    idleTimeout: 30_000,
    waitForConnections: true,
  };
}

/** Values mysql2 binds as they are; a list (PostgreSQL's `= ANY(%s)`) has no MySQL counterpart. */
function bindable(values: unknown[]): unknown[] {
  return values.map((v) => {
    if (v === undefined) return null;
    if (Array.isArray(v)) throw err(UserError, 'A list as a query parameter is only supported on PostgreSQL; on MySQL write IN (…) with one placeholder per value.');
    return v;
  });
}

type Conn = mysql.PoolConnection;

class MysqlPool implements ConnectorPool {
  private pool: mysql.Pool;
  /** MariaDB (max_statement_time, seconds) or MySQL (max_execution_time, ms): found on first use. */
  private mariadb?: boolean;
  constructor(private settings: SourceSettings) {
    this.pool = mysqlDriver().createPool(poolOptions(settings));
    this.pool.on('connection', (c) => c.on('error', () => undefined));
  }

  private connection(): Promise<Conn> {
    return new Promise((resolve, reject) => this.pool.getConnection((e, c) => (e ? reject(e) : resolve(c))));
  }

  private text(conn: Conn, sql: string): Promise<any> {
    return new Promise((resolve, reject) => conn.query(sql, (e, r) => (e ? reject(e) : resolve(r))));
  }

  /** A read-only transaction; whole queries get the statement timeout, streams (0) a timeout per batch. */
  private async begin(conn: Conn, statementTimeoutMs: number): Promise<void> {
    this.mariadb ??= /mariadb/i.test(String((await this.text(conn, 'SELECT VERSION() AS v'))[0].v));
    const timeout = this.mariadb ? `SET SESSION max_statement_time = ${statementTimeoutMs / 1000}` : `SET SESSION max_execution_time = ${Math.ceil(statementTimeoutMs)}`;
    await this.text(conn, `${timeout}; SET SESSION time_zone = '+00:00'; START TRANSACTION READ ONLY`);
  }

  /** A client-side limit behind the server's, for a server that stops answering. */
  private get clientTimeout(): number {
    return this.settings.timeoutMs + 2000;
  }

  async query(sql: string, params: unknown[]): Promise<QueryResult> {
    const values = bindable(params);
    const conn = await this.connection();
    let broken = false;
    try {
      await this.begin(conn, this.settings.timeoutMs);
      const result = await new Promise<QueryResult>((resolve, reject) => {
        conn.execute({ sql, values, rowsAsArray: true, timeout: this.clientTimeout } as any, (e: any, rows: any, fields: any) => {
          if (e) return reject(e);
          resolve({ cols: (fields ?? []).map((f: any) => f.name), rows: Array.isArray(rows) ? rows : [] });
        });
      });
      await this.text(conn, 'ROLLBACK'); // nothing to keep: a read-only transaction
      return result;
    } catch (e) {
      broken = await this.rollback(conn);
      throw e;
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  private async rollback(conn: Conn): Promise<boolean> {
    try {
      await this.text(conn, 'ROLLBACK');
      return false;
    } catch {
      return true;
    }
  }

  async *stream(sql: string, params: unknown[], opts: StreamOptions): AsyncGenerator<QueryResult> {
    const values = bindable(params);
    const conn = await this.connection();
    let finished = false;
    const cancel = () => new Promise((resolve) => this.pool.query(`KILL QUERY ${Number(conn.threadId)}`, resolve));
    try {
      await this.begin(conn, 0);
      const cmd = conn.execute({ sql, values, rowsAsArray: true } as any) as any;
      // Rows keep coming while the consumer works on a batch; the socket pauses only when two
      // batches wait (memory stays bounded, the server rarely stalls).
      const rows = new RowBatches({
        batchSize: opts.batchSize, highWater: opts.batchSize * 2, pause: () => conn.pause(), resume: () => conn.resume(),
        waitFor: (more) => withBatchTimeout(more, this.settings.timeoutMs, cancel, 'MySQL/MariaDB'),
      });
      cmd.on('fields', (fields: any[]) => { rows.cols = fields.map((f) => f.name); });
      cmd.on('result', (row: unknown[]) => rows.row(row));
      cmd.on('error', (e: unknown) => rows.fail(e));
      cmd.on('end', () => rows.end());
      yield* rows.batches();
      await this.text(conn, 'ROLLBACK'); // nothing to keep: a read-only transaction
      finished = true;
    } catch (e) {
      await this.rollback(conn).catch(() => undefined);
      throw e;
    } finally {
      // Stopped early or failed: the protocol has no cursor to close; stop the query on the
      // server, then drop the connection (rows may still be in flight on it).
      if (finished) conn.release();
      else {
        await cancel();
        conn.destroy();
      }
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.pool.end(() => resolve()));
  }
}

export const mysqlConnector: Connector = {
  label: 'MySQL/MariaDB',
  placeholder: () => '?',
  backslashEscapes: true,
  validate: (settings) => void poolOptions(settings),
  open: (settings) => new MysqlPool(settings),
};
