/**
 * References of a batch (import/references.ts): looked up ahead of the batch in one statement,
 * then only the missing ones created — without duplicating a partner made in between.
 */
import test from 'ava';
import type { App } from '../../../core/app.ts';
import { SUPERUSER_ID } from '../../../core/orm/index.ts';
import { References, type Wanted } from '../../../addons/base_external_import_zammad/import/references.ts';
import { makeImportApp, rows } from './helpers.ts';

let app: App;
test.before(async () => {
  app = await makeImportApp();
});
test.after.always(async () => {
  await app?.close();
});

const person = (email: string | null, name: string, organization: string | null = null) => ({ email, name, phone: null, organization });

test.serial('the look-ahead finds existing partners, technicians and categories in one go and creates nothing', async (t) => {
  await rows(app, `INSERT INTO res_partner (name, email, active, is_company) VALUES ('Ann Known', ' Ann.Known@Example.com ', true, false), ('No Mail Known', NULL, true, false)`);
  const before = Number((await rows(app, 'SELECT count(*) AS n FROM res_partner'))[0].n);
  const refs = new References();
  const wanted: Wanted = {
    owners: [person('admin', 'Administrator')],
    people: [person('ann.known@example.com', 'Ann Known'), person(null, 'No Mail Known'), person('nobody.yet@example.com', 'Nobody Yet', 'Org Not Yet')],
    groups: [],
  };
  await app.withEnv(SUPERUSER_ID, (env) => refs.lookup(env, wanted));
  t.true(refs.partners.has('ann.known@example.com'), 'found by trimmed, case-insensitive email');
  t.true(refs.partnersByName.has('No Mail Known'), 'a customer without email found by name');
  t.false(refs.partners.has('nobody.yet@example.com'));
  t.true(refs.users.has('admin'), 'a technician found by login');
  t.true(refs.priorities.size > 0, 'the priorities come with the first look-up');
  t.true(refs.missing(wanted));
  t.false(refs.needsOrm(wanted), 'only a reporter is missing: no ORM, no transaction needed');
  t.is(Number((await rows(app, 'SELECT count(*) AS n FROM res_partner'))[0].n), before);
});

test.serial('a partner created by another transaction after the look-ahead is found, not duplicated', async (t) => {
  const refs = new References();
  const wanted: Wanted = { owners: [], people: [person('late.comer@example.com', 'Late Comer'), person('brand.new@example.com', 'Brand New', 'Brand Org')], groups: [] };
  await app.withEnv(SUPERUSER_ID, (env) => refs.lookup(env, wanted));
  t.false(refs.partners.has('late.comer@example.com'));
  // Made elsewhere (the mail gateway, say) between the look-ahead and the batch's turn.
  const [made] = await rows(app, `INSERT INTO res_partner (name, email, active, is_company) VALUES ('Late Comer', 'Late.Comer@example.com', true, false) RETURNING id`);
  await app.withEnv(SUPERUSER_ID, (env) => refs.ensure(env, wanted));
  t.is(refs.partners.get('late.comer@example.com'), Number(made.id));
  const late = await rows(app, `SELECT id FROM res_partner WHERE lower(btrim(email)) = 'late.comer@example.com'`);
  t.is(late.length, 1, 'no second partner with that email');
  const [fresh] = await rows(app, `SELECT p.id, c.name AS company FROM res_partner p LEFT JOIN res_partner c ON c.id = p.parent_id WHERE p.email = 'brand.new@example.com'`);
  t.is(refs.partners.get('brand.new@example.com'), Number(fresh.id), 'the missing one is created');
  t.is(fresh.company, 'Brand Org');
  t.false(refs.missing(wanted));
});
