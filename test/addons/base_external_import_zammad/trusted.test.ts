/**
 * Trusted bulk inserts (import/sql.ts): the foreign keys of a batch checked and locked in one
 * statement per table instead of one trigger call per row — same errors, same locks.
 */
import test from 'ava';
import pg from 'pg';
import type { App } from '../../../core/app.ts';
import { onPostgresServer } from '../../../core/db/index.ts';
import { insertMany, trustPlan } from '../../../addons/base_external_import_zammad/import/sql.ts';
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
