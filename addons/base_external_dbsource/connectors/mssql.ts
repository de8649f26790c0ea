/**
 * Microsoft SQL Server through `mssql` (tedious). SQL Server has no read-only transaction:
 * each query runs inside a transaction that is always rolled back, so a statement that
 * writes is undone — give the source a login that may only read. The statement timeout is
 * the driver's request timeout (the request is cancelled on the server). Streaming uses the
 * driver's row events with pause/resume; stopping early cancels the request.
 *
 * Connection strings: ODBC style (`Server=host,1433;Database=db;UID=user;PWD=%s;Encrypt=yes`,
 * `Driver=…` is accepted and ignored) or a URL (`mssql://user:%s@host:1433/db`).
 *
 * Values: as tedious reads them — datetime/datetime2 as UTC Dates (useUTC), decimal and money
 * as numbers, bigint as a string, varbinary as Buffer.
 */
import { createRequire } from 'node:module';
import type sql from 'mssql';

/** mssql (with tedious and Azure's libraries: a third of a second to load): the driver is loaded on first use, not at every start of a server that may never open such a source. */
let driver: typeof sql | undefined;
const mssqlDriver = (): typeof sql => (driver ??= createRequire(import.meta.url)('mssql') as typeof sql);
import { err, UserError } from '../../../core/errors.ts';
import { intParam, parseConnString, pickParams } from '../conn-string.ts';
import type { Connector, ConnectorPool, QueryResult, SourceSettings, StreamOptions } from './connector.ts';
import { RowBatches } from './row-batches.ts';

const KEYS: Record<string, string> = {
  server: 'host', host: 'host', 'data source': 'host', address: 'host', addr: 'host', 'network address': 'host',
  port: 'port', database: 'database', 'initial catalog': 'database', dbname: 'database',
  uid: 'user', 'user id': 'user', user: 'user', username: 'user', pwd: 'password', password: 'password',
  encrypt: 'encrypt', trustservercertificate: 'trust', driver: 'driver', app: 'app', 'application name': 'app',
  'connect timeout': 'connect_timeout', 'connection timeout': 'connect_timeout', connect_timeout: 'connect_timeout',
};

function yesNo(value: string | undefined, key: string): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (['yes', 'true', '1', 'mandatory', 'strict'].includes(v)) return true;
  if (['no', 'false', '0', 'optional'].includes(v)) return false;
  throw err(UserError, "The connection string's %s must be yes or no, not '%s'.", key, value);
}

/** The driver's configuration from the source's settings. */
export function mssqlConfig(settings: SourceSettings): sql.config {
  const p = pickParams(parseConnString(settings.connString, settings.password), KEYS, 'SQL Server');
  let host = p.get('host') || '127.0.0.1';
  let port = intParam(p.get('port'), 'port');
  let instanceName: string | undefined;
  const comma = /^(.*),(\d+)$/.exec(host); // ODBC's "host,port"
  if (comma) { host = comma[1]; port = Number(comma[2]); }
  const slash = /^(.*)\\(.+)$/.exec(host); // "host\instance"
  if (slash) { host = slash[1]; instanceName = slash[2]; }
  host = host.replace(/^tcp:/i, '');
  let encrypt = settings.tlsMode !== 'disable';
  let trust = settings.tlsMode === 'require';
  if (settings.tlsMode === 'disable') {
    encrypt = yesNo(p.get('encrypt'), 'Encrypt') ?? false;
    trust = yesNo(p.get('trust'), 'TrustServerCertificate') ?? false;
  }
  const connectTimeout = intParam(p.get('connect_timeout'), 'connect timeout');
  return {
    server: host,
    port: instanceName ? undefined : (port ?? 1433),
    database: p.get('database'),
    user: p.get('user'),
    password: p.get('password') ?? settings.password,
    connectionTimeout: connectTimeout ? connectTimeout * 1000 : settings.timeoutMs,
    requestTimeout: settings.timeoutMs,
    pool: { max: 4, min: 0, idleTimeoutMillis: 30_000 },
    arrayRowMode: true,
    options: {
      encrypt,
      trustServerCertificate: trust,
      instanceName,
      appName: p.get('app') ?? 'erp_external_dbsource',
      useUTC: true,
      ...(settings.tlsMode === 'verify' && settings.tlsCa.trim() ? { cryptoCredentialsDetails: { ca: settings.tlsCa } } : {}),
    },
  } as sql.config;
}

function bind(request: sql.Request, values: unknown[]): void {
  values.forEach((v, i) => {
    if (Array.isArray(v)) throw err(UserError, 'A list as a query parameter is only supported on PostgreSQL; on SQL Server write IN (…) with one placeholder per value.');
    request.input(`p${i + 1}`, v === undefined ? null : v);
  });
}

const columnNames = (cols: unknown) => (Array.isArray(cols) ? cols : Object.values((cols ?? {}) as object)).map((c: any) => c.name as string);

class MssqlPool implements ConnectorPool {
  private pool: sql.ConnectionPool;
  private connecting?: Promise<sql.ConnectionPool>;
  constructor(settings: SourceSettings) {
    this.pool = new (mssqlDriver().ConnectionPool)(mssqlConfig(settings));
    this.pool.on('error', () => undefined);
  }

  private connected(): Promise<sql.ConnectionPool> {
    this.connecting ??= this.pool.connect().catch((e) => {
      this.connecting = undefined;
      throw e;
    });
    return this.connecting;
  }

  async query(text: string, params: unknown[]): Promise<QueryResult> {
    const tx = new (mssqlDriver().Transaction)(await this.connected());
    await tx.begin();
    try {
      const request = new (mssqlDriver().Request)(tx);
      request.arrayRowMode = true;
      bind(request, params);
      const result: any = await request.query(text);
      const rows = (result.recordset ?? []) as unknown[][];
      return { cols: columnNames(result.columns?.[0] ?? []), rows: [...rows] };
    } finally {
      await tx.rollback().catch(() => undefined);
    }
  }

  async *stream(text: string, params: unknown[], opts: StreamOptions): AsyncGenerator<QueryResult> {
    const tx = new (mssqlDriver().Transaction)(await this.connected());
    await tx.begin();
    const request = new (mssqlDriver().Request)(tx);
    request.arrayRowMode = true;
    request.stream = true;
    bind(request, params);
    // The driver pauses at a full batch; the next one fills while the consumer works.
    const rows = new RowBatches({ batchSize: opts.batchSize, highWater: opts.batchSize, pause: () => request.pause(), resume: () => request.resume() });
    request.on('recordset', (columns: unknown) => { rows.cols = columnNames(columns); });
    request.on('row', (row: unknown[]) => rows.row(row));
    request.on('error', (e: unknown) => rows.fail(e));
    request.on('done', () => rows.end());
    // Rows and errors arrive as events; the promise would only repeat the error.
    Promise.resolve(request.query(text) as unknown).catch(() => undefined);
    try {
      yield* rows.batches();
    } finally {
      if (!rows.ended) request.cancel();
      await tx.rollback().catch(() => undefined);
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

export const mssql: Connector = {
  label: 'SQL Server',
  placeholder: (n) => `@p${n}`,
  backslashEscapes: false,
  validate: (settings) => void mssqlConfig(settings),
  open: (settings) => new MssqlPool(settings),
};
