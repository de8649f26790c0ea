/**
 * Opens the database behind knex: a PostgreSQL server through `pg` when a URL is given,
 * otherwise an embedded PGlite stored in the data directory. One SQL dialect everywhere.
 * PGlite serves one connection: knex-pglite pins the pool to a single connection, so
 * transactions queue up instead of interleaving.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
// knex's own PostgreSQL client, extended below (knex has no typings for its dialect classes).
// @ts-expect-error untyped internal module
import ClientPg from 'knex/lib/dialects/postgres/index.js';
import { seedDataDir } from './pglite-cluster.ts';
import { statementName } from './statements.ts';
import { ChannelListener } from './listener.ts';

// Keep numeric ids and counts as numbers, timestamps as naive UTC strings (as stored).
pg.types.setTypeParser(20, (v) => Number(v)); // int8
pg.types.setTypeParser(1700, (v) => Number(v)); // numeric
pg.types.setTypeParser(1114, (v) => v); // timestamp without time zone
pg.types.setTypeParser(1082, (v) => v); // date

/**
 * PGlite parsers matching the pg ones above: timestamps and dates stay the naive UTC strings
 * that are stored (PGlite would otherwise read them as local-time Dates).
 */
export const PGLITE_PARSERS = { 1114: (v: string) => v, 1082: (v: string) => v, 20: (v: string) => Number(v), 1700: (v: string) => Number(v) };

export interface Database {
  knex: Knex;
  kind: 'pglite' | 'postgres';
  /** The PGlite instance when embedded (for dumps/clones in tests). */
  pglite?: PGlite;
  /**
   * Servers only: a second pool whose sessions are read-only (`default_transaction_read_only`),
   * for calls declared read-only — they run without BEGIN/COMMIT, and a write by mistake is
   * refused by PostgreSQL instead of half-applied.
   */
  readonly?: Knex;
  /** Servers only: the process's LISTEN connection, shared by the channels subscribed to (core/db/listener.ts). */
  listener?: ChannelListener;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… ; empty for embedded PGlite. */
  url?: string;
  /** Directory of the PGlite files (ignored for a server); undefined = in memory. */
  dataDir?: string;
  /** An existing PGlite instance (tests clone one from a template). */
  pglite?: PGlite;
  /** Connections of the read-write pool (servers). Default 8. */
  poolMax?: number;
  /** Connections of the read-only pool (servers). Default: readonlyPoolSize(1). */
  readonlyPoolMax?: number;
}

/**
 * The automatic size of each process's read-only pool: twice the CPU cores shared among the
 * worker processes, at least 2 (Odoo's rule of thumb of 2 x cores busy workers, in pool form).
 */
export function readonlyPoolSize(workers: number): number {
  return Math.max(2, Math.ceil((2 * availableParallelism()) / Math.max(1, workers)));
}

/**
 * knex's PostgreSQL client, able to run the statements its query builder generates as named
 * (prepared) statements once their text repeats (see statements.ts): each connection then
 * parses and plans such a text once instead of at every call — two thirds of the server's
 * CPU for the short lookups and inserts of the ORM. Only in transactions marked with
 * `nameBuilderStatements` (hot paths with a small, fixed set of statement shapes, such as
 * the mail gateway's batches): elsewhere (module installs run thousands of shapes) the
 * process's bounded supply of names is left to the searches. `knex.raw` statements are left
 * as their callers wrote them (rawStatement names them on purpose).
 */
class ClientPgNamed extends (ClientPg as any) {
  nameBuilderStatements?: boolean;
  /** A PostgreSQL server, where named statements pay (statements.ts asks; on the prototype, so transactions' clients answer too). */
  get serverStatements(): boolean {
    return true;
  }
  _query(connection: unknown, obj: { sql?: string; method?: string; bindings?: unknown[]; options?: Record<string, unknown> }) {
    if (this.nameBuilderStatements && obj.sql && obj.method !== 'raw' && obj.bindings?.length && !obj.options?.name) {
      const name = statementName(obj.sql);
      if (name) obj.options = { ...(obj.options ?? {}), name };
    }
    return super._query(connection, obj);
  }
}

/**
 * The query-builder statements of this transaction run as named statements once their text
 * repeats (a PostgreSQL server only; nothing changes on embedded PGlite).
 */
export function nameBuilderStatements(trx: Knex.Transaction): void {
  const client = (trx as any).client;
  if (client instanceof ClientPgNamed) client.nameBuilderStatements = true;
}

/**
 * Session options of the read-write pool: lz4 for the values PostgreSQL compresses (TOAST)
 * when the server offers it (PostgreSQL 14 and later, built with lz4) — attachments and long
 * bodies compress several times cheaper than with the default pglz, and read back faster.
 * Asked once, on a connection of its own; '' when the server has no lz4.
 */
async function writeSessionOptions(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)`);
    return rows.length ? '-c default_toast_compression=lz4' : '';
  } finally {
    await client.end();
  }
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    const options = await writeSessionOptions(opts.url);
    const knex = knexFactory({ client: ClientPgNamed as any, connection: options ? { connectionString: opts.url, options } : opts.url, pool: { min: 0, max: opts.poolMax ?? 8 } });
    await knex.raw('SELECT 1');
    const readonly = knexFactory({ client: ClientPgNamed as any, connection: { connectionString: opts.url, options: '-c default_transaction_read_only=on' }, pool: { min: 0, max: opts.readonlyPoolMax ?? readonlyPoolSize(1) } });
    const listener = new ChannelListener(opts.url);
    return { knex, readonly, listener, kind: 'postgres', close: async () => { await listener.close(); await readonly.destroy(); await knex.destroy(); } };
  }
  let pglite = opts.pglite;
  if (!pglite) {
    if (opts.dataDir) {
      mkdirSync(opts.dataDir, { recursive: true });
      await seedDataDir(opts.dataDir);
    }
    pglite = await PGlite.create({ ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), parsers: PGLITE_PARSERS });
  }
  const instance = pglite;
  const knex = knexFactory({ client: ClientPgLite as any, dialect: 'postgres', connection: () => ({ pglite: instance }) as any });
  await knex.raw('SELECT 1');
  return {
    knex, kind: 'pglite', pglite: instance,
    close: async () => { await knex.destroy(); if (!instance.closed) await instance.close(); },
  };
}

/** Runs `fn` in a transaction (rolled back if it throws). */
export function transaction<T>(knex: Knex, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return knex.transaction(fn);
}
