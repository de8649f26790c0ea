/**
 * Test databases made from templates, so a test file gets a freshly installed database in
 * well under a second:
 *  - embedded PGlite: the first process to need a template installs the addons and saves
 *    `dumpDataDir()` under test-output/templates/; every test clones it with `loadDataDir`;
 *  - PostgreSQL server (ERP_DB_URL set): a template database is installed once, and each
 *    test gets `CREATE DATABASE … TEMPLATE …`, dropped again on close.
 * The template key hashes the addon list and the source of core/ and the addons, so a code
 * change never reuses a stale template.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import knexFactory from 'knex';
import { bootApp, type App } from '../../core/app.ts';
import { loadConfig, PROJECT_ROOT, type Config } from '../../core/config.ts';
import { openDatabase, PGLITE_PARSERS } from '../../core/db/index.ts';

export const FIXTURE_ADDONS = join(PROJECT_ROOT, 'test', 'fixtures', 'addons');
const TEMPLATE_DIR = join(PROJECT_ROOT, 'test-output', 'templates');

export interface TestAppOptions {
  addons: string[];
  demo?: boolean;
  /** Include test/fixtures/addons in the addons path. */
  fixtures?: boolean;
  config?: Partial<Config>;
}

/**
 * One test process builds a template while the others wait: `mkdir` is atomic. A lock
 * older than 5 minutes is from a crashed process and is taken over.
 */
async function withFileLock(lock: string, fn: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch { /* released meanwhile */ }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function sourceHash(dirs: string[]): string {
  const h = createHash('sha1');
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name === 'dist' || name === 'static') continue;
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.(ts|xml|csv|po)$/.test(name)) h.update(p).update(readFileSync(p));
    }
  };
  for (const d of dirs) walk(d);
  return h.digest('hex').slice(0, 12);
}

export function testConfig(opts: TestAppOptions): Config {
  const { config } = loadConfig([], { ERP_LOG_LEVEL: process.env.ERP_LOG_LEVEL ?? 'warn' } as NodeJS.ProcessEnv);
  return {
    ...config,
    db_url: '',
    addons: opts.addons,
    demo: opts.demo ?? false,
    admin_password: 'admin',
    smtp_port: 0, // services that listen (the mail gateway) take a free port in tests
    addons_path: opts.fixtures ? [...config.addons_path, FIXTURE_ADDONS] : config.addons_path,
    ...(opts.config ?? {}),
  };
}

function templateKey(opts: TestAppOptions): string {
  const dirs = [join(PROJECT_ROOT, 'core'), join(PROJECT_ROOT, 'addons'), ...(opts.fixtures ? [FIXTURE_ADDONS] : [])];
  return `${[...opts.addons].sort().join('+')}-${opts.demo ? 'demo' : 'nodemo'}-${opts.fixtures ? 'fx' : ''}${sourceHash(dirs)}`;
}

/** A booted app on a fresh database with `opts.addons` installed. Call `app.close()` at the end. */
export async function makeTestApp(opts: TestAppOptions): Promise<App> {
  const config = testConfig(opts);
  const key = templateKey(opts);
  return process.env.ERP_DB_URL ? serverApp(config, key, process.env.ERP_DB_URL) : pgliteApp(config, key);
}

async function pgliteApp(config: Config, key: string): Promise<App> {
  mkdirSync(TEMPLATE_DIR, { recursive: true });
  const file = join(TEMPLATE_DIR, `${key}.tar.gz`);
  if (!existsSync(file)) await withFileLock(`${file}.lock`, async () => {
    if (existsSync(file)) return; // built by another test process meanwhile
    const db = await openDatabase({});
    const app = await bootApp(config, { database: db });
    const dump = await db.pglite!.dumpDataDir('gzip');
    await app.close();
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file); // atomic: concurrent test processes never read half a file
  });
  const pglite = await PGlite.create({ loadDataDir: new Blob([readFileSync(file)]), parsers: PGLITE_PARSERS });
  const db = await openDatabase({ pglite });
  return bootApp(config, { database: db });
}

async function serverApp(config: Config, key: string, baseUrl: string): Promise<App> {
  const admin = knexFactory({ client: 'pg', connection: withDb(baseUrl, 'postgres'), pool: { min: 0, max: 3 } });
  const template = `erp_tpl_${key.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`.slice(0, 63);
  try {
    await admin.transaction(async (trx) => {
      await trx.raw('SELECT pg_advisory_xact_lock(874512)');
      const exists = (await trx.raw('SELECT 1 FROM pg_database WHERE datname = ?', [template])).rows.length > 0;
      if (exists) return;
      const building = `${template}_b${process.pid}`.slice(0, 63);
      await admin.raw(`DROP DATABASE IF EXISTS "${building}"`);
      await admin.raw(`CREATE DATABASE "${building}"`);
      const app = await bootApp({ ...config, db_url: withDb(baseUrl, building) });
      await app.close();
      await admin.raw(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    });
    const name = `erp_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await admin.raw(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    const app = await bootApp({ ...config, db_url: withDb(baseUrl, name) });
    const close = app.close;
    app.close = async () => {
      await close();
      await admin.raw(`DROP DATABASE IF EXISTS "${name}"`);
      await admin.destroy();
    };
    return app;
  } catch (err) {
    await admin.destroy();
    throw err;
  }
}

export function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}
