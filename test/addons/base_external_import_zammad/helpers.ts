/**
 * Set-up of the Zammad import tests: an ERP database with the addon (PGlite or the server, as
 * the suite runs) and a real Zammad-shaped PostgreSQL database on the server (schema.sql +
 * generate.mjs of the addon), reached through a base.external.dbsource record.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { App } from '../../../core/app.ts';
import { SUPERUSER_ID } from '../../../core/orm/index.ts';
import { createDatabase, dropDatabase, loadZammad } from '../../../addons/base_external_import_zammad/zammad/load.ts';
import { makeTestApp } from '../../helpers/app.ts';

export const ZAMMAD_SERVER = process.env.ZAMMAD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ZammadSource {
  name: string;
  url: string;
  /** Runs SQL on the Zammad database (to change the source between runs, and to check). */
  sql(text: string, params?: unknown[]): Promise<any[]>;
  drop(): Promise<void>;
}

export async function makeZammad(tickets: number, opts: { articlesPerTicket?: number; seed?: number } = {}): Promise<ZammadSource> {
  const name = `zammad_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = await createDatabase(ZAMMAD_SERVER, name);
  await loadZammad(url, { tickets, ...opts });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // pool.end() resolves before its sockets close: DROP ... WITH (FORCE) can still terminate one,
  // and an unheard pool error would crash the test process.
  pool.on('error', () => undefined);
  return {
    name, url,
    sql: async (text, params) => (await pool.query(text, params as any[])).rows,
    async drop() {
      await pool.end();
      await dropDatabase(ZAMMAD_SERVER, name);
    },
  };
}

export async function makeImportApp(): Promise<App> {
  return makeTestApp({ addons: ['base_external_import_zammad'] });
}

/** A database source on the Zammad database and an import task with the default query. */
export async function createTask(app: App, zammad: ZammadSource, vals: Record<string, unknown> = {}): Promise<{ sourceId: number; taskId: number }> {
  return app.withEnv(SUPERUSER_ID, async (env) => {
    const source = await env.model('base.external.dbsource').create({ name: `Zammad ${zammad.name}`, connector: 'postgresql', conn_string: zammad.url });
    const task = await env.model('base.external.import.task').create({ name: 'Zammad tickets', dbsource_id: source.ids[0], zammad_url: 'https://zammad.example.com', ...vals });
    return { sourceId: source.ids[0], taskId: task.ids[0] };
  });
}

/** Runs the task as the administrator, in the form's way (waiting for the end). */
export async function runTask(app: App, taskId: number): Promise<any> {
  return app.withEnv(SUPERUSER_ID, (env) => (env.model('base.external.import.task').browse([taskId]) as any).withContext({ progress_key: `test-${taskId}-${randomBytes(3).toString('hex')}` }).import_run());
}

export async function rows(app: App, sql: string, params: unknown[] = []): Promise<any[]> {
  const r = await app.db.knex.raw(sql, params as any[]);
  return Array.isArray(r) ? r : r.rows;
}
