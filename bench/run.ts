/**
 * `npm run bench`: runs the benchmarks on the PostgreSQL server (ERP_BENCH_DB_URL, default
 * a database `erp_bench` on postgres://postgres@127.0.0.1:5432) and prints one table with
 * the floor or ceiling measured beside each number in the same run.
 *   npm run bench -- --rows 1000000 --only orm,http
 *   npm run bench -- --only zammad --rows 100000 --json
 *   npm run bench -- --only helpdesk,http,start --json   (one JSON line per figure)
 *   npm run bench -- --only helpdesk --seed 2            (another generated data set)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import knexFactory from 'knex';
import { PROJECT_ROOT } from '../core/config.ts';
import type { Row } from './stats.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const rows = Number(arg('rows', '1000000'));
const only = arg('only', '').split(',').filter(Boolean);
const seed = Number(arg('seed', '1'));
const json = args.includes('--json');
const baseUrl = process.env.ERP_BENCH_DB_URL ?? 'postgres://postgres@127.0.0.1:5432/erp_bench';

async function ensureDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = knexFactory({ client: 'pg', connection: u.toString() });
  const found = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [name]);
  if (!found.rows.length) await admin.raw(`CREATE DATABASE "${name}"`);
  await admin.destroy();
}

/** Each benchmark: a module under bench/ exporting one function returning rows. */
const BENCHES: Array<{ key: string; file: string; fn: string; opts: Record<string, unknown>; embedded?: boolean }> = [
  { key: 'orm', file: 'orm.ts', fn: 'benchOrm', opts: { rows } },
  { key: 'helpdesk', file: 'helpdesk.ts', fn: 'benchHelpdesk', opts: { rows, seed } },
  { key: 'http', file: 'http.ts', fn: 'benchHttp', opts: { rows } },
  { key: 'web', file: 'web.ts', fn: 'benchWeb', opts: {} },
  { key: 'dbsource', file: 'dbsource.ts', fn: 'benchDbsource', opts: { rows } },
  { key: 'mail', file: 'mail.ts', fn: 'benchMail', opts: { messages: Number(arg('messages', '1000')) } },
  { key: 'zammad', file: 'zammad.ts', fn: 'benchZammad', opts: { rows } },
  // Embedded PGlite in temporary data directories: no server database.
  { key: 'start', file: 'start.ts', fn: 'benchStart', opts: {}, embedded: true },
];

const results: Row[] = [];
for (const b of BENCHES) {
  if (only.length && !only.includes(b.key)) continue;
  const file = join(PROJECT_ROOT, 'bench', b.file);
  if (!existsSync(file)) continue;
  // Each data set (seed) of the helpdesk benchmark has its own database.
  const suffix = b.key === 'helpdesk' && seed !== 1 ? `${b.key}_seed${seed}` : b.key;
  const dbUrl = baseUrl.replace(/\/([^/]*)$/, `/$1_${suffix}`);
  if (!b.embedded) await ensureDatabase(dbUrl);
  process.stderr.write(`Running ${b.key} benchmark (${rows} rows)…\n`);
  const mod = await import(pathToFileURL(file).href);
  const t0 = Date.now();
  results.push(...(await mod[b.fn]({ dbUrl, ...b.opts })));
  process.stderr.write(`  ${b.key} done in ${Math.round((Date.now() - t0) / 1000)} s\n`);
}
if (json) {
  for (const r of results) console.log(JSON.stringify({ name: r.key ?? r.name, value: r.value, unit: r.unit, reference: r.reference ?? null }));
  process.exit(0);
}
const width = Math.max(...results.map((r) => r.name.length), 10);
console.log(`${'benchmark'.padEnd(width)} | ${'value'.padStart(12)} | unit   | floor / ceiling in the same run`);
console.log(`${'-'.repeat(width)}-|-${'-'.repeat(12)}-|--------|--------------------------------`);
for (const r of results) console.log(`${r.name.padEnd(width)} | ${String(r.value).padStart(12)} | ${r.unit.padEnd(6)} | ${r.reference ?? ''}`);
process.exit(0);
