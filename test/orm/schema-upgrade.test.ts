import test from 'ava';
import type { App } from '../../core/app.ts';
import { loadRegistry } from '../../core/modules/loader.ts';
import { Environment } from '../../core/orm/environment.ts';
import { makeTestApp, testConfig } from '../helpers/app.ts';

let app: App;
test.before(async () => {
  app = await makeTestApp({ addons: ['test_orm'], fixtures: true });
});
test.after.always(async () => app?.close());

const columns = async (table: string) => (await app.db.knex.raw(`SELECT column_name FROM information_schema.columns WHERE table_name = ?`, [table])).rows.map((r: any) => r.column_name);

test.serial('installing an addon that extends a model adds its column and keeps existing rows', async (t) => {
  await app.withEnv(2, (env) => env.model('test.orm.item').create({ name: 'before upgrade', price: 3 }));
  t.false((await columns('test_orm_item')).includes('extra'));
  const loaded = await loadRegistry(app.db.knex, { addonsPaths: testConfig({ addons: [], fixtures: true }).addons_path, install: ['test_orm_ext'] });
  t.deepEqual(loaded.newlyInstalled, ['test_orm_ext']);
  t.true((await columns('test_orm_item')).includes('extra'));
  await app.db.knex.transaction(async (trx) => {
    const env = new Environment({ cr: trx, uid: 2, registry: loaded.registry });
    const [r] = await env.model('test.orm.item').search_read([['name', '=', 'before upgrade']], ['price', 'extra']);
    t.like(r, { price: 3, extra: false });
    const created = await env.model('test.orm.item').create({ name: 'after' });
    t.is((await created.read(['extra']))[0].extra, 'ext:after');
  });
});

test.serial('a column that is no longer declared is kept with its data', async (t) => {
  await app.db.knex.raw(`ALTER TABLE test_orm_tag ADD COLUMN legacy_note varchar`);
  await app.db.knex.raw(`UPDATE test_orm_tag SET legacy_note = 'keep me'`);
  await loadRegistry(app.db.knex, { addonsPaths: testConfig({ addons: [], fixtures: true }).addons_path, upgrade: ['test_orm'] });
  const rows = (await app.db.knex.raw(`SELECT count(*) AS n FROM test_orm_tag WHERE legacy_note = 'keep me'`)).rows;
  t.true(Number(rows[0].n) >= 3);
});

test.serial('a second load of an installed database installs nothing again', async (t) => {
  const before = (await app.db.knex.raw('SELECT count(*) AS n FROM test_orm_tag')).rows[0].n;
  const loaded = await loadRegistry(app.db.knex, { addonsPaths: testConfig({ addons: [], fixtures: true }).addons_path, install: ['test_orm'] });
  t.deepEqual(loaded.newlyInstalled, []);
  t.is((await app.db.knex.raw('SELECT count(*) AS n FROM test_orm_tag')).rows[0].n, before);
});

test.serial('foreign keys follow ondelete and many2many tables exist', async (t) => {
  const fks = (await app.db.knex.raw(`SELECT conname, confdeltype FROM pg_constraint WHERE conrelid = 'test_orm_item'::regclass AND contype = 'f'`)).rows;
  const byName = Object.fromEntries(fks.map((r: any) => [r.conname, r.confdeltype]));
  t.is(byName.test_orm_item_tag_id_fkey, 'r', 'restrict');
  t.is(byName.test_orm_item_partner_id_fkey, 'n', 'set null');
  t.true((await columns('test_orm_item_test_orm_tag_rel')).includes('test_orm_tag_id'));
  const idx = (await app.db.knex.raw(`SELECT indexname FROM pg_indexes WHERE tablename = 'test_orm_item'`)).rows.map((r: any) => r.indexname);
  t.true(idx.includes('test_orm_item_code_uniq'));
});

test.serial('a many2one gets its own index unless an index already starts with its column', async (t) => {
  const indexes = async () => (await app.db.knex.raw(`SELECT indexname FROM pg_indexes WHERE tablename = 'test_orm_item'`)).rows.map((r: any) => r.indexname as string);
  t.true((await indexes()).includes('test_orm_item_partner_id_index'));
  // An addon's wider index, then the narrower one dropped: an upgrade does not add it back.
  await app.db.knex.raw('CREATE INDEX test_orm_item_partner_id_id_idx ON test_orm_item (partner_id, id)');
  await app.db.knex.raw('DROP INDEX test_orm_item_partner_id_index');
  await loadRegistry(app.db.knex, { addonsPaths: testConfig({ addons: [], fixtures: true }).addons_path, upgrade: ['test_orm'] });
  t.false((await indexes()).includes('test_orm_item_partner_id_index'));
  // Without the wider index, the field's own comes back.
  await app.db.knex.raw('DROP INDEX test_orm_item_partner_id_id_idx');
  await loadRegistry(app.db.knex, { addonsPaths: testConfig({ addons: [], fixtures: true }).addons_path, upgrade: ['test_orm'] });
  t.true((await indexes()).includes('test_orm_item_partner_id_index'));
});
