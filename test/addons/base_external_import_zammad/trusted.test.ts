/**
 * Trusted bulk inserts (import/sql.ts): the foreign keys of a batch checked and locked in one
 * statement per table instead of one trigger call per row — same errors, same locks.
 */
import test from 'ava';
import pg from 'pg';
import type { App } from '../../../core/app.ts';
import { onPostgresServer } from '../../../core/db/index.ts';
import { rowsOf } from '../../../core/orm/index.ts';
import { insertMany, TriggerMode, trustPlan } from '../../../addons/base_external_import_zammad/import/sql.ts';
import { makeImportApp, rows } from './helpers.ts';

let app: App;
test.before(async () => {
  app = await makeImportApp();
});
test.after.always(async () => {
  await app?.close();
});

const newPartner = async (name: string) => Number((await rows(app, `INSERT INTO res_partner (name, active, is_company) VALUES (?, true, false) RETURNING id`, [name]))[0].id);
const replicationRole = async (trx: any) => (await trx.raw('SHOW session_replication_role')).rows?.[0]?.session_replication_role ?? (await trx.raw('SHOW session_replication_role'))[0].session_replication_role;

test.serial('a table is trusted only when its triggers are foreign keys or known no-ops', async (t) => {
  const followers = await trustPlan(app.db.knex, 'mail_followers');
  if (!followers) {
    t.pass('not a superuser connection: plain inserts');
    return;
  }
  t.deepEqual(followers.keys.find((k) => k.column === 'partner_id'), { name: 'mail_followers_partner_id_fkey', column: 'partner_id', ref: 'res_partner', refColumn: 'id' });
  t.is(await trustPlan(app.db.knex, 'mail_message'), null, 'its search vector trigger is not a no-op unless the caller says so');
  t.truthy(await trustPlan(app.db.knex, 'mail_message', ['helpdesk_message_search_vector']));
  t.is(await trustPlan(app.db.knex, 'helpdesk_ticket'), null, 'statement triggers (group counts) must fire');
});

test.serial('a trusted insert refuses a missing reference like PostgreSQL, inserts the others and restores the triggers', async (t) => {
  const plan = await trustPlan(app.db.knex, 'mail_followers');
  if (!plan) {
    t.pass('not a superuser connection');
    return;
  }
  const partner = await newPartner('Trusted follower');
  const err: any = await t.throwsAsync(app.db.knex.transaction(async (trx) => {
    await insertMany(trx, 'mail_followers', [{ res_id: 1, partner_id: partner }, { res_id: 1, partner_id: 2_000_000_000 }], { trusted: plan, constants: { res_model: 'trusted.test' } });
  }));
  t.is(err.code, '23503');
  t.regex(err.message, /violates foreign key constraint "mail_followers_partner_id_fkey"/);
  t.is((await rows(app, `SELECT count(*) AS n FROM mail_followers WHERE res_model = 'trusted.test'`))[0].n * 1, 0);
  await app.db.knex.transaction(async (trx) => {
    await insertMany(trx, 'mail_followers', [{ res_id: 1, partner_id: partner }, { res_id: 2, partner_id: partner }], { trusted: plan, constants: { res_model: 'trusted.test' } });
    t.is(await replicationRole(trx), 'origin');
  });
  t.is((await rows(app, `SELECT count(*) AS n FROM mail_followers WHERE res_model = 'trusted.test'`))[0].n * 1, 2);
});

test.serial('server: the referenced rows stay locked until the transaction ends, as the foreign-key triggers keep them', async (t) => {
  if (!onPostgresServer(app.db.knex)) {
    t.pass('one connection on PGlite');
    return;
  }
  const plan = await trustPlan(app.db.knex, 'mail_followers');
  if (!plan) {
    t.pass('not a superuser connection');
    return;
  }
  const partner = await newPartner('Locked follower');
  const conn = (app.db.knex as any).client.config.connection;
  const other = new pg.Client(typeof conn === 'string' ? { connectionString: conn } : conn);
  await other.connect();
  try {
    await app.db.knex.transaction(async (trx) => {
      await insertMany(trx, 'mail_followers', [{ res_id: 3, partner_id: partner }], { trusted: plan, constants: { res_model: 'trusted.lock' } });
      await other.query(`SET lock_timeout = '300ms'`);
      const err: any = await t.throwsAsync(other.query('DELETE FROM res_partner WHERE id = $1', [partner]));
      t.is(err.code, '55P03', 'the delete waits for the inserting transaction');
      await trx.raw(`DELETE FROM mail_followers WHERE res_model = 'trusted.lock'`);
    });
  } finally {
    await other.end();
  }
});

const TICKET_DIMS = `state, category_id, priority_id, priority_level, user_id`;
/** The tickets' group counts as the counts table says, and as the rows say (core/schema/group-counts.ts). */
const countsOf = async (trx: any) => {
  const fromCounts = rowsOf(await trx.raw(`SELECT ${TICKET_DIMS}, sum(n)::int AS n FROM helpdesk_ticket__counts GROUP BY ${TICKET_DIMS} HAVING sum(n) <> 0 ORDER BY ${TICKET_DIMS}`));
  const fromRows = rowsOf(await trx.raw(`SELECT ${TICKET_DIMS}, count(*)::int AS n FROM helpdesk_ticket GROUP BY ${TICKET_DIMS} ORDER BY ${TICKET_DIMS}`));
  return { fromCounts, fromRows };
};

test.serial('tickets: a trusted insert writes the group counts its statement trigger would, and checks its references', async (t) => {
  const plan = await trustPlan(app.db.knex, 'helpdesk_ticket', ['helpdesk_ticket_search_vector'], { insertOnly: true, groupCounts: true });
  if (!plan) {
    t.pass('not a superuser connection');
    return;
  }
  t.deepEqual(plan.counts, { table: 'helpdesk_ticket__counts', dims: TICKET_DIMS.split(', ') });
  t.is(await trustPlan(app.db.knex, 'helpdesk_ticket', ['helpdesk_ticket_search_vector'], { groupCounts: true }), null, 'the UPDATE trigger counts too unless the insert is a plain one');
  const partner = await newPartner('Trusted reporter');
  const [prio] = await rows(app, `SELECT id, level FROM helpdesk_ticket_priority ORDER BY id LIMIT 1`);
  const ticket = (subject: string, state: string, extra: Record<string, unknown> = {}) => ({ subject, state, partner_id: partner, priority_id: Number(prio.id), priority_level: Number(prio.level), ...extra });
  await app.db.knex.transaction(async (trx) => {
    const mode = new TriggerMode(trx);
    const out = await insertMany(trx, 'helpdesk_ticket', [ticket('Trusted A', 'new'), ticket('Trusted B', 'new'), ticket('Trusted C', 'open', { user_id: 1 })], { trusted: plan, mode, returning: 'id, subject', constants: { create_uid: 1, write_uid: 1 } });
    t.deepEqual(out.map((r: any) => r.subject), ['Trusted A', 'Trusted B', 'Trusted C']);
    t.is(await replicationRole(trx), 'replica', 'a mode leaves the triggers off for the next trusted insert');
    await mode.origin();
    t.is(await replicationRole(trx), 'origin');
    const { fromCounts, fromRows } = await countsOf(trx);
    t.deepEqual(fromCounts, fromRows, 'the counts table agrees with the rows');
    // An update fires the statement trigger as before: the counts follow.
    await trx.raw(`UPDATE helpdesk_ticket SET state = 'closed' WHERE subject = 'Trusted A'`);
    const after = await countsOf(trx);
    t.deepEqual(after.fromCounts, after.fromRows);
    await trx.raw(`DELETE FROM helpdesk_ticket WHERE subject LIKE 'Trusted _'`);
  });
  const err: any = await t.throwsAsync(app.db.knex.transaction(async (trx) => {
    await insertMany(trx, 'helpdesk_ticket', [ticket('Trusted D', 'new', { partner_id: 2_000_000_000 })], { trusted: plan, mode: new TriggerMode(trx) });
  }));
  t.is(err.code, '23503');
  t.regex(err.message, /violates foreign key constraint "helpdesk_ticket_partner_id_fkey"/);
  const { fromCounts, fromRows } = await app.db.knex.transaction((trx) => countsOf(trx));
  t.deepEqual(fromCounts, fromRows);
});

test.serial('a refused reference turns the triggers back on before the error reaches the caller', async (t) => {
  const plan = await trustPlan(app.db.knex, 'mail_followers');
  if (!plan) {
    t.pass('not a superuser connection');
    return;
  }
  await app.db.knex.transaction(async (trx) => {
    const mode = new TriggerMode(trx);
    await t.throwsAsync(insertMany(trx, 'mail_followers', [{ res_id: 1, partner_id: 2_000_000_000 }], { trusted: plan, mode, constants: { res_model: 'trusted.mode' } }));
    t.is(await replicationRole(trx), 'origin');
    t.false(mode.replica);
  });
});

test.serial('trusted inserts of one mode check and lock each referenced row once, and still refuse a new missing one', async (t) => {
  const plan = await trustPlan(app.db.knex, 'mail_followers');
  if (!plan) {
    t.pass('not a superuser connection');
    return;
  }
  const [p1, p2] = [await newPartner('Once A'), await newPartner('Once B')];
  await app.db.knex.transaction(async (trx) => {
    const mode = new TriggerMode(trx);
    const locks: string[] = [];
    const onQuery = (q: any) => { if (/FOR KEY SHARE/.test(q.sql)) locks.push(q.sql); };
    app.db.knex.on('query', onQuery);
    try {
      await insertMany(trx, 'mail_followers', [{ res_id: 1, partner_id: p1 }], { trusted: plan, mode, constants: { res_model: 'trusted.once', create_uid: 1, write_uid: 1 } });
      t.is(locks.length, 1, 'the first insert locks its partner and user');
      t.true(locks[0].includes('res_users') && locks[0].includes('res_partner'));
      await insertMany(trx, 'mail_followers', [{ res_id: 2, partner_id: p1 }], { trusted: plan, mode, constants: { res_model: 'trusted.once', create_uid: 1, write_uid: 1 } });
      t.is(locks.length, 1, 'the same partner and user again: nothing to look up');
      await insertMany(trx, 'mail_followers', [{ res_id: 3, partner_id: p1 }, { res_id: 3, partner_id: p2 }], { trusted: plan, mode, constants: { res_model: 'trusted.once', create_uid: 1, write_uid: 1 } });
      t.is(locks.length, 2, 'a new partner is locked');
      t.false(locks[1].includes('res_users'), 'only the new one');
      t.deepEqual(mode.locked.get('res_partner.id'), new Set([String(p1), String(p2)]));
      const err: any = await t.throwsAsync(insertMany(trx, 'mail_followers', [{ res_id: 4, partner_id: p1 }, { res_id: 4, partner_id: 2_000_000_000 }], { trusted: plan, mode, constants: { res_model: 'trusted.once' } }));
      t.is(err.code, '23503');
      t.false(mode.locked.get('res_partner.id')!.has('2000000000'), 'a refused reference is not taken for locked');
    } finally {
      app.db.knex.off('query', onQuery);
    }
    await trx.raw(`DELETE FROM mail_followers WHERE res_model = 'trusted.once'`).catch(() => undefined);
  }).catch(() => undefined);
  t.is((await rows(app, `SELECT count(*) AS n FROM mail_followers WHERE res_model = 'trusted.once'`))[0].n * 1, 0);
});
