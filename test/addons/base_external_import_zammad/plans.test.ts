/**
 * The importer's lookups by key probe their index whatever the planner knows: during a first
 * import into a new database the tables grow by tens of thousands of rows before any
 * statistics exist (autovacuum's ANALYZE comes later, or never when it is off), and a lookup
 * of a batch's keys as `= ANY(?)` was then planned as a read of the whole table, every batch.
 */
import test from 'ava';
import type { App } from '../../../core/app.ts';
import { SUPERUSER_ID } from '../../../core/orm/index.ts';
import { EXISTING_TICKETS_SQL } from '../../../addons/base_external_import_zammad/import/writer.ts';
import { PARTNERS_BY_EMAIL_SQL, PARTNERS_BY_NAME_SQL } from '../../../addons/base_external_import_zammad/import/references.ts';
import { makeImportApp, rows } from './helpers.ts';

let app: App;
test.before(async () => {
  app = await makeImportApp();
});
test.after.always(async () => {
  await app?.close();
});

/** The plan of `sql` as text, in a transaction where `setup` ran first (rolled back after). */
async function planAfter(setup: string[], sql: string, bindings: unknown[]): Promise<string> {
  let plan = '';
  await app.db.knex.transaction(async (trx) => {
    for (const s of setup) await trx.raw(s);
    const r = await trx.raw(`EXPLAIN ${sql}`, bindings as any[]);
    plan = (Array.isArray(r) ? r : r.rows).map((x: any) => x['QUERY PLAN']).join('\n');
    await trx.rollback();
  }).catch(() => undefined);
  return plan;
}

/** No statistics on `table`, as in a new database that was never analyzed. */
const noStatistics = (table: string) => `DELETE FROM pg_statistic WHERE starelid = '${table}'::regclass`;

test.serial('the tickets already imported are looked up through the unique import key, also without statistics on a large table', async (t) => {
  const sourceId = await app.withEnv(SUPERUSER_ID, async (env) => (await env.model('base.external.dbsource').create({ name: 'Plans', connector: 'postgresql', conn_string: 'postgres://nowhere/none' })).ids[0]);
  const ids = Array.from({ length: 500 }, (_, i) => 900_000 + i);
  const plan = await planAfter([
    `INSERT INTO helpdesk_ticket (subject, zammad_source_id, zammad_id) SELECT 'T', ${Number(sourceId)}, g FROM generate_series(1, 20000) g`,
    noStatistics('helpdesk_ticket'),
  ], EXISTING_TICKETS_SQL, [ids, sourceId]);
  t.regex(plan, /Index (Only )?Scan using helpdesk_ticket_zammad_source_uniq/, plan);
  t.notRegex(plan, /Seq Scan on helpdesk_ticket|Bitmap Heap Scan on helpdesk_ticket/, plan);
});

test.serial('the tickets already imported are found, each once, and only those of the source', async (t) => {
  const [a, b] = await app.withEnv(SUPERUSER_ID, async (env) => Promise.all(['A', 'B'].map(async (n) => (await env.model('base.external.dbsource').create({ name: `Found ${n}`, connector: 'postgresql', conn_string: 'postgres://nowhere/none' })).ids[0])));
  await rows(app, `INSERT INTO helpdesk_ticket (subject, number, state, zammad_source_id, zammad_id) VALUES ('one', 'X1', 'new', ?, 7), ('other source', 'X2', 'new', ?, 8)`, [a, b]);
  const found = await rows(app, EXISTING_TICKETS_SQL, [[7, 8, 9], a]);
  t.deepEqual(found.map((r: any) => [Number(r.zammad_id), r.number, r.state]), [[7, 'X1', 'new']]);
});

test.serial('partners are looked up by email and by name through their indexes, also without statistics on a large table', async (t) => {
  const emails = Array.from({ length: 300 }, (_, i) => `nobody${i}@plans.example.com`);
  const setup = [
    `INSERT INTO res_partner (name, email, active, is_company) SELECT 'P' || g, 'p' || g || '@plans.example.com', true, false FROM generate_series(1, 20000) g`,
    noStatistics('res_partner'),
  ];
  const byEmail = await planAfter(setup, PARTNERS_BY_EMAIL_SQL, [emails]);
  t.regex(byEmail, /res_partner_email_ci_idx/, byEmail);
  t.notRegex(byEmail, /Seq Scan on res_partner/, byEmail);
  const byName = await planAfter(setup, PARTNERS_BY_NAME_SQL, [emails.map((e) => e.split('@')[0])]);
  t.regex(byName, /res_partner_name_index/, byName);
  t.notRegex(byName, /Seq Scan on res_partner/, byName);
});

test.serial('the partner of an email is the active one first, then the oldest; of a name, the oldest without email', async (t) => {
  const [inactive] = await rows(app, `INSERT INTO res_partner (name, email, active, is_company) VALUES ('Old', ' Same@Plans.example.com ', false, false) RETURNING id`);
  const [active] = await rows(app, `INSERT INTO res_partner (name, email, active, is_company) VALUES ('New', 'same@plans.example.com', true, false) RETURNING id`);
  await rows(app, `INSERT INTO res_partner (name, email, active, is_company) VALUES ('New too', 'same@plans.example.com', true, false)`);
  const found = await rows(app, PARTNERS_BY_EMAIL_SQL, [['same@plans.example.com', 'none@plans.example.com']]);
  t.deepEqual(found.map((r: any) => [Number(r.id), r.email]), [[Number(active.id), 'same@plans.example.com']]);
  t.not(Number(active.id), Number(inactive.id));
  const [first] = await rows(app, `INSERT INTO res_partner (name, active, is_company) VALUES ('Plain Name', true, false) RETURNING id`);
  await rows(app, `INSERT INTO res_partner (name, active, is_company) VALUES ('Plain Name', true, false), ('Plain Name', true, true)`);
  await rows(app, `INSERT INTO res_partner (name, email, active, is_company) VALUES ('Plain Name', 'x@plans.example.com', true, false)`);
  const byName = await rows(app, PARTNERS_BY_NAME_SQL, [['Plain Name', 'Nobody']]);
  t.deepEqual(byName.map((r: any) => [Number(r.id), r.name]), [[Number(first.id), 'Plain Name']]);
});
