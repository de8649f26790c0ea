/**
 * SQLite through `better-sqlite3` (synchronous, in this process). The connection string is
 * the database file's path; the file is opened read-only (so writes are refused by SQLite)
 * and must exist. One connection serves whole queries; each stream opens its own, because a
 * connection cannot run other statements while an iterator is open. Streams give the event
 * loop back between batches.
 *
 * The timeout is SQLite's busy timeout (waiting for a lock held by a writer): SQLite runs in
 * this process and a running statement cannot be interrupted from outside.
 *
 * Values: INTEGER → number (precision beyond 2^53 is lost, as better-sqlite3 reads them),
 * REAL → number, TEXT → string, BLOB → Buffer. Parameters: booleans become 1/0, dates
 * ISO-8601 text.
 */
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

/** better-sqlite3 (a native addon): the driver is loaded on first use, not at every start of a server that may never open such a source. */
let driver: typeof Database | undefined;
const sqliteDriver = (): typeof Database => (driver ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database);
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { err, UserError } from '../../../core/errors.ts';
import type { Connector, ConnectorPool, QueryResult, SourceSettings, StreamOptions } from './connector.ts';

export function sqlitePath(settings: SourceSettings): string {
  let path = settings.connString.trim();
  if (path.startsWith('file://')) path = decodeURIComponent(new URL(path).pathname);
  else if (path.startsWith('sqlite://')) path = decodeURIComponent(path.slice('sqlite://'.length));
  if (!path) throw err(UserError, 'The connection string is empty.');
  if (path === ':memory:' || !isAbsolute(path)) throw err(UserError, "SQLite needs the absolute path of an existing database file, not '%s'.", path);
  return path;
}

function bindable(values: unknown[]): unknown[] {
  return values.map((v) => {
    if (v === undefined) return null;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) throw err(UserError, 'A list as a query parameter is only supported on PostgreSQL; on SQLite write IN (…) with one placeholder per value.');
    return v;
  });
}

class SqlitePool implements ConnectorPool {
  private db?: Database.Database;
  constructor(private settings: SourceSettings) {}

  private open(): Database.Database {
    const path = sqlitePath(this.settings);
    if (!existsSync(path) || !statSync(path).isFile()) throw err(UserError, "The SQLite database file '%s' does not exist.", path);
    return new (sqliteDriver())(path, { readonly: true, fileMustExist: true, timeout: this.settings.timeoutMs });
  }

  private statement(db: Database.Database, sql: string): Database.Statement {
    const stmt = db.prepare(sql);
    if (stmt.reader) stmt.raw(true);
    return stmt;
  }

  async query(sql: string, params: unknown[]): Promise<QueryResult> {
    this.db ??= this.open();
    const stmt = this.statement(this.db, sql);
    const values = bindable(params);
    if (!stmt.reader) {
      stmt.run(...values); // refused by the read-only connection unless it writes nothing
      return { cols: [], rows: [] };
    }
    return { cols: stmt.columns().map((c) => c.name), rows: stmt.all(...values) as unknown[][] };
  }

  async *stream(sql: string, params: unknown[], opts: StreamOptions): AsyncGenerator<QueryResult> {
    const db = this.open();
    try {
      const stmt = this.statement(db, sql);
      if (!stmt.reader) {
        stmt.run(...bindable(params));
        return;
      }
      const cols = stmt.columns().map((c) => c.name);
      const it = stmt.iterate(...bindable(params)) as IterableIterator<unknown[]>;
      try {
        for (;;) {
          const rows: unknown[][] = [];
          let step = it.next();
          while (!step.done) {
            rows.push(step.value);
            if (rows.length >= opts.batchSize) break;
            step = it.next();
          }
          if (rows.length) yield { cols, rows };
          if (step.done) break;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } finally {
        it.return?.();
      }
    } finally {
      db.close();
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1', []);
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }
}

export const sqlite: Connector = {
  label: 'SQLite',
  placeholder: () => '?',
  backslashEscapes: false,
  validate: (settings) => void sqlitePath(settings),
  open: (settings) => new SqlitePool(settings),
};
