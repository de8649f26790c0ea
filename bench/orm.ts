/**
 * ORM benchmark (issue 2): on a PostgreSQL server with N rows of a ticket-like model,
 *  - search_read of 80 rows with three filters, an order and a many2one display name,
 *    p50/p99, beside the same query hand-written in knex (the floor);
 *  - batch create of 10,000 records beside a raw multi-row insert (the ceiling).
 */
import { join } from 'node:path';
import type { App } from '../core/app.ts';
import { bootApp } from '../core/app.ts';
import { loadConfig, PROJECT_ROOT } from '../core/config.ts';
import { percentile, round, timeMany, type Row } from './stats.ts';

export async function seedTickets(app: App, rows: number): Promise<void> {
  const knex = app.db.knex;
  const have = Number((await knex.raw('SELECT count(*) AS n FROM bench_ticket')).rows[0].n);
  if (have >= rows) return;
  const partners = Number((await knex.raw('SELECT count(*) AS n FROM res_partner')).rows[0].n);
  if (partners < 1000) {
    await knex.raw(`INSERT INTO res_partner (name, email, active, create_date, write_date) SELECT 'Reporter ' || g, 'r' || g || '@example.com', TRUE, now(), now() FROM generate_series(1, 1000) g`);
  }
  await knex.raw(`INSERT INTO bench_ticket (name, state, priority, partner_id, user_id, description, create_uid, write_uid, create_date, write_date)
    SELECT 'Ticket ' || g, (ARRAY['new','open','pending','closed'])[1 + g % 4], 1 + g % 4,
           (SELECT min(id) FROM res_partner) + g % 1000, 2, 'Generated ticket ' || g, 2, 2,
           now() - (g || ' seconds')::interval, now()
      FROM generate_series(${have + 1}, ${rows}) g`);
  await knex.raw('ANALYZE bench_ticket');
}

export async function benchOrm(opts: { dbUrl: string; rows: number; samples?: number }): Promise<Row[]> {
  const { config } = loadConfig([], { ERP_LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv);
  const app = await bootApp({ ...config, db_url: opts.dbUrl, demo: false, addons: ['bench_orm'], addons_path: [...config.addons_path, join(PROJECT_ROOT, 'bench', 'addons')] });
  try {
    await seedTickets(app, opts.rows);
    const samples = opts.samples ?? 300;
    const domain = [['state', 'in', ['new', 'open']], ['priority', '>=', 2], ['partner_id', '!=', false]];
    const fields = ['name', 'state', 'priority', 'partner_id'];
    const orm = await timeMany(samples, () => app.withEnv(2, (env) => env.model('bench.ticket').search_read(domain, fields, 0, 80, 'id desc')));
    const knex = app.db.knex;
    const hand = await timeMany(samples, () => knex.transaction(async (trx) => {
      await trx('bench_ticket as t').leftJoin('res_partner as p', 'p.id', 't.partner_id')
        .whereIn('t.state', ['new', 'open']).where('t.priority', '>=', 2).whereNotNull('t.partner_id')
        .orderBy('t.id', 'desc').limit(80).select('t.id', 't.name', 't.state', 't.priority', 't.partner_id', 'p.name as partner_name');
    }));
    const vals = Array.from({ length: 10_000 }, (_, i) => ({ name: `Batch ${i}`, state: 'open', priority: 3, partner_id: null }));
    const t0 = performance.now();
    await app.withEnv(2, (env) => env.model('bench.ticket').create(vals.map((v) => ({ ...v, partner_id: false }))));
    const ormCreate = performance.now() - t0;
    const t1 = performance.now();
    await knex.transaction(async (trx) => {
      for (let i = 0; i < vals.length; i += 1000) await trx('bench_ticket').insert(vals.slice(i, i + 1000).map((v) => ({ ...v, create_uid: 2, write_uid: 2, create_date: trx.fn.now(), write_date: trx.fn.now() })));
    });
    const rawCreate = performance.now() - t1;
    await knex.raw(`DELETE FROM bench_ticket WHERE name LIKE 'Batch %'`);
    const p50 = percentile(orm, 50), p99 = percentile(orm, 99), h50 = percentile(hand, 50), h99 = percentile(hand, 99);
    return [
      { name: `ORM search_read 80 of ${opts.rows} (3 filters, order, m2o name) p50`, value: round(p50), unit: 'ms', reference: `hand-written knex p50 ${round(h50)} ms (ratio ${round(p50 / h50)}x, goal ≤1.5x)` },
      { name: `ORM search_read 80 of ${opts.rows} p99`, value: round(p99), unit: 'ms', reference: `hand-written knex p99 ${round(h99)} ms` },
      { name: 'ORM create 10,000 records (one call)', value: round(10_000 / (ormCreate / 1000), 0), unit: 'rec/s', reference: `raw multi-row insert ${round(10_000 / (rawCreate / 1000), 0)} rec/s (ratio ${round(rawCreate / ormCreate)}, goal ≥0.5)` },
    ];
  } finally {
    await app.close();
  }
}
