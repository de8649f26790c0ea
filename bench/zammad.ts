/**
 * Zammad import benchmark (SPEC 8, issue 15): a Zammad database of N tickets with 5 articles
 * each (the addon's schema.sql + generate.mjs) on the PostgreSQL server, imported into a fresh
 * ERP database by one run of an import task:
 *  - tickets/s and articles/s of the full import, peak RSS of this process (which runs it);
 *  - the time until everything imported is found by the full-text search through its stored
 *    vectors (the tickets' and messages' vectors are computed right after the run; until then
 *    the search computes those of the ones not indexed yet on the fly);
 *  - the re-run with nothing changed in Zammad;
 *  - the floor: the same ticket and article rows read from Zammad and written into plain
 *    tables (no indexes, no mapping) with multi-row INSERTs of the same batch size.
 */
import Cursor from 'pg-cursor';
import pg from 'pg';
import knexFactory from 'knex';
import { bootApp } from '../core/app.ts';
import { loadConfig } from '../core/config.ts';
import { SUPERUSER_ID } from '../core/orm/index.ts';
import { closeImportPools, importIndexed, runImport } from '../addons/base_external_import_zammad/index.ts';
import { pendingMessageCount, pendingTicketCount } from '../addons/helpdesk_bytacora/search_index.ts';
import { ARTICLES_QUERY, DEFAULT_QUERY } from '../addons/base_external_import_zammad/import/mapping.ts';
import { BATCH_SIZE } from '../addons/base_external_import_zammad/import/run.ts';
import { createDatabase, databaseUrl, loadZammad } from '../addons/base_external_import_zammad/zammad/load.ts';
import { closeAllPools } from '../addons/base_external_dbsource/index.ts';
import { round, type Row } from './stats.ts';
import { backendsCpuDelta, backendsCpuMs, treeCpuMs } from './cpu.ts';

interface CpuUse { processS: number; databaseS: number | null }
const cpuText = (c: CpuUse) => `${round(c.processS, 1)} s in this process + ${c.databaseS === null ? '? (database server not on this machine)' : `${round(c.databaseS, 1)} s in the database`}`;

/**
 * CPU seconds of this process and of the database's backends while `fn` runs: on a shared
 * machine the wall time follows the other work, the CPU time much less, so it compares two
 * versions better. The backends still connected at the end are counted (the importer's pool
 * keeps its connections a few seconds).
 */
async function measureCpu<T>(knex: knexFactory.Knex, fn: (done: () => Promise<void>) => Promise<T>): Promise<{ result: T; cpu: CpuUse }> {
  const before = await backendsCpuMs(knex);
  const own0 = treeCpuMs(process.pid);
  let cpu: CpuUse | null = null;
  // Read before the work's own connections close (a backend gone is not counted).
  const done = async () => {
    const processS = (treeCpuMs(process.pid) - own0) / 1000;
    const after = await backendsCpuMs(knex);
    cpu ??= { processS, databaseS: before && after ? backendsCpuDelta(before, after) / 1000 : null };
  };
  const result = await fn(done);
  await done();
  return { result, cpu: cpu! };
}

const ARTICLES_PER_TICKET = 5;

async function count(url: string, sql: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    return Number((await c.query(sql)).rows[0].n);
  } catch {
    return -1; // no such database yet, or not a Zammad one
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** The Zammad source with exactly `tickets` tickets (rebuilt only when it differs). */
async function zammadSource(serverUrl: string, name: string, tickets: number): Promise<string> {
  const url = databaseUrl(serverUrl, name);
  const have = await count(url, 'SELECT (SELECT count(*) FROM tickets) * 1000 + (SELECT count(*) FROM ticket_articles) / GREATEST(1, (SELECT count(*) FROM tickets)) AS n');
  if (have === tickets * 1000 + ARTICLES_PER_TICKET) return url;
  process.stderr.write(`  building the Zammad database (${tickets} tickets)…\n`);
  await createDatabase(serverUrl, name, { replace: true });
  await loadZammad(url, { tickets, articlesPerTicket: ARTICLES_PER_TICKET });
  return url;
}

async function freshDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  const admin = knexFactory({ client: 'pg', connection: databaseUrl(url, 'postgres') });
  await admin.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.raw(`CREATE DATABASE "${name}"`);
  await admin.destroy();
}

/** Peak resident memory of this process while `fn` runs (sampled every 50 ms). */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMb: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

/** The floor: ticket rows and their articles read from Zammad and inserted into plain tables. */
async function plainCopy(sourceUrl: string, targetUrl: string, done: () => Promise<void> = async () => undefined): Promise<number> {
  // The cursor holds its connection: the articles are read on a second one.
  const src = new pg.Client({ connectionString: sourceUrl });
  const src2 = new pg.Client({ connectionString: sourceUrl });
  const dst = new pg.Client({ connectionString: targetUrl });
  await Promise.all([src.connect(), src2.connect(), dst.connect()]);
  const t0 = performance.now();
  try {
    await dst.query('DROP TABLE IF EXISTS floor_tickets, floor_articles');
    await dst.query(`CREATE TABLE floor_tickets (zammad_id int, number text, title text, state text, state_type text, priority text, group_name text, customer_email text,
      firstname text, lastname text, phone text, mobile text, customer_organization text, owner_email text, owner_firstname text, owner_lastname text, created_at timestamp, updated_at timestamp, close_at timestamp)`);
    await dst.query(`CREATE TABLE floor_articles (id int, ticket_id int, subject text, body text, content_type text, internal boolean, email_from text, sender text, article_type text, created_at timestamp,
      author_email text, author_firstname text, author_lastname text, author_phone text)`);
    const cursor = src.query(new Cursor(DEFAULT_QUERY.replace('%(last_sync)s', "'1970-01-01'")));
    for (;;) {
      const rows: any[] = await new Promise((resolve, reject) => cursor.read(BATCH_SIZE, (err, r) => (err ? reject(err) : resolve(r))));
      if (!rows.length) break;
      await dst.query(`INSERT INTO floor_tickets SELECT * FROM json_populate_recordset(NULL::floor_tickets, $1)`, [JSON.stringify(rows)]);
      const articles = (await src2.query(ARTICLES_QUERY.replace('%s', '$1'), [rows.map((r) => r.zammad_id)])).rows;
      await dst.query(`INSERT INTO floor_articles SELECT * FROM json_populate_recordset(NULL::floor_articles, $1)`, [JSON.stringify(articles)]);
    }
    await new Promise<void>((resolve) => cursor.close(() => resolve()));
    const seconds = (performance.now() - t0) / 1000;
    await done();
    return seconds;
  } finally {
    await dst.query('DROP TABLE IF EXISTS floor_tickets, floor_articles').catch(() => undefined);
    await src.end();
    await src2.end();
    await dst.end();
  }
}

export async function benchZammad(opts: { dbUrl: string; rows: number }): Promise<Row[]> {
  const tickets = opts.rows;
  const sourceUrl = await zammadSource(opts.dbUrl, `${new URL(opts.dbUrl).pathname.slice(1)}_src`, tickets);
  await freshDatabase(opts.dbUrl);
  const { config } = loadConfig([], { ERP_LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv);
  process.stderr.write('  installing the ERP database…\n');
  const app = await bootApp({ ...config, db_url: opts.dbUrl, demo: false, addons: ['base_external_import_zammad'] });
  try {
    const taskId = await app.withEnv(SUPERUSER_ID, async (env) => {
      const source = await env.model('base.external.dbsource').create({ name: 'Zammad (bench)', connector: 'postgresql', conn_string: sourceUrl, timeout: 600 });
      return (await env.model('base.external.import.task').create({ name: 'Zammad (bench)', dbsource_id: source.ids[0] })).ids[0];
    });
    process.stderr.write('  full import…\n');
    const rssBefore = process.memoryUsage().rss / 1024 / 1024;
    const t0 = performance.now();
    const { result: { result: full, peakMb }, cpu } = await measureCpu(app.db.knex, () => withPeakRss(() => app.withEnv(SUPERUSER_ID, (env) => runImport(env, taskId))));
    const fullS = (performance.now() - t0) / 1000;
    const { cpu: indexCpu } = await measureCpu(app.db.knex, () => importIndexed());
    const indexedS = (performance.now() - t0) / 1000;
    if (full.status !== 'done' || full.imported !== tickets) throw new Error(`The import did not complete: ${JSON.stringify(full)}`);
    const pending = await pendingMessageCount(app.db.knex);
    if (pending) throw new Error(`${pending} imported messages still wait for their full-text vector`);
    const pendingTickets = await pendingTicketCount(app.db.knex);
    if (pendingTickets) throw new Error(`${pendingTickets} imported tickets still wait for their full-text vector`);
    const t1 = performance.now();
    const rerun = await app.withEnv(SUPERUSER_ID, (env) => runImport(env, taskId));
    const rerunS = (performance.now() - t1) / 1000;
    if (rerun.created || rerun.updated || rerun.messages) throw new Error(`The no-change re-run wrote something: ${JSON.stringify(rerun)}`);
    process.stderr.write('  plain SQL copy (floor)…\n');
    const { result: floorS, cpu: floorCpu } = await measureCpu(app.db.knex, (done) => plainCopy(sourceUrl, opts.dbUrl, done));
    const articles = full.messages;
    return [
      { key: 'zammad.tickets_per_s', name: `Zammad import of ${tickets} tickets with ${ARTICLES_PER_TICKET} articles: tickets/s`, value: round(tickets / fullS, 0), unit: 'tick/s', reference: `full import ${round(fullS, 1)} s; plain SQL copy of the same rows ${round(floorS, 1)} s = ${round(tickets / floorS, 0)} tickets/s (floor); goal ≥ 5,000` },
      { key: 'zammad.articles_per_s', name: 'Zammad import: articles/s (as chatter messages)', value: round(articles / fullS, 0), unit: 'art/s', reference: `${articles} messages, ${full.attachments} attachments; floor ${round(articles / floorS, 0)} articles/s` },
      { key: 'zammad.searchable_s', name: 'Zammad import: time until everything imported is indexed for full-text search', value: round(indexedS, 2), unit: 's', reference: `${round(tickets / indexedS, 0)} tickets/s until indexed (the import itself ${round(fullS, 2)} s, then the tickets' and messages' vectors and a VACUUM ANALYZE of both tables)` },
      { key: 'zammad.cpu_s', name: 'Zammad import: CPU seconds until indexed (this process + the database backends)', value: round(cpu.processS + (cpu.databaseS ?? 0) + indexCpu.processS + (indexCpu.databaseS ?? 0), 1), unit: 's',
        reference: `import ${cpuText(cpu)}; indexing ${cpuText(indexCpu)}; floor ${cpuText(floorCpu)} (CPU time depends less than wall time on the other work of a shared machine)` },
      { key: 'zammad.peak_rss_mb', name: 'Zammad import: peak RSS of the importing process', value: round(peakMb, 0), unit: 'MB', reference: `goal < 400 MB; ${round(rssBefore, 0)} MB before the import` },
      { key: 'zammad.rerun_s', name: 'Zammad import: re-run with nothing changed', value: round(rerunS, 3), unit: 's', reference: `${rerun.imported} rows read again (the last instant), nothing written; goal < 1 s` },
      { key: 'zammad.floor_s', name: 'Zammad import: plain SQL copy of the same rows (floor)', value: round(floorS, 2), unit: 's', reference: `the import took ${round(fullS / floorS, 1)}x the floor` },
    ];
  } finally {
    await closeImportPools();
    await closeAllPools();
    await app.close();
  }
}
