/**
 * The schema sync's indexes: the kinds a field asks for (`index: true`, `'btree_not_null'`,
 * `false`, the many2one default), the model's `_indexes` leaving out the field indexes they
 * lead with, and the upgrade of an existing database (the ORM's own redundant or changed
 * one-column indexes dropped or replaced, anybody else's left alone).
 */
import test from 'ava';
import type { App } from '../../core/app.ts';
import { loadRegistry } from '../../core/modules/loader.ts';
import { SUPERUSER_ID } from '../../core/orm/index.ts';
import { makeTestApp, testConfig } from '../helpers/app.ts';

let app: App;
test.before(async () => {
  app = await makeTestApp({ addons: ['test_orm_index'], fixtures: true });
});
test.after.always(async () => app?.close());

const TABLE = 'test_orm_indexed';
/** name → definition after USING, e.g. `btree (ref) WHERE (ref IS NOT NULL)`. */
async function indexes(table = TABLE): Promise<Map<string, string>> {
  const rows = (await app.db.knex.raw(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ? AND schemaname = current_schema()`, [table])).rows;
  return new Map(rows.map((r: any) => [r.indexname as string, String(r.indexdef).replace(/^.* USING /, '')]));
}
const upgrade = () => loadRegistry(app.db.knex, { addonsPaths: testConfig({ addons: [], fixtures: true }).addons_path, upgrade: ['test_orm_index'] });

test.serial('a fresh install: plain, partial and no field indexes, declared composites first', async (t) => {
  const idx = await indexes();
  t.is(idx.get(`${TABLE}_code_index`), 'btree (code)', "index: true is a plain btree");
  t.is(idx.get(`${TABLE}_ref_index`), 'btree (ref) WHERE (ref IS NOT NULL)', "'btree_not_null' is partial");
  t.is(idx.get(`${TABLE}_parent_id_index`), 'btree (parent_id) WHERE (parent_id IS NOT NULL)');
  t.is(idx.get(`${TABLE}_partner_id_index`), 'btree (partner_id) WHERE (partner_id IS NOT NULL)', 'a many2one is partial by default');
  t.is(idx.get(`${TABLE}_owner_state_idx`), 'btree (owner_id, state)');
  t.false(idx.has(`${TABLE}_owner_id_index`), 'no field index beside a declared one leading with its column');
  for (const none of ['other_id', 'state', 'create_uid', 'write_uid', 'create_date', 'write_date']) t.false(idx.has(`${TABLE}_${none}_index`), none);
  // No two indexes of the table start with the same column.
  const leads = [...idx.values()].filter((d) => !d.includes(' WHERE ')).map((d) => /\((\w+)/.exec(d)![1]);
  t.is(new Set(leads).size, leads.length);
  const dated = await indexes('test_orm_dated');
  t.is(dated.get('test_orm_dated_create_date_index'), 'btree (create_date)', 'a model ordered by create_date indexes it');
  t.false(dated.has('test_orm_dated_create_uid_index'));
});

test.serial('the planner uses a btree_not_null index for = and in', async (t) => {
  await app.withEnv(SUPERUSER_ID, async (env) => {
    const parent = await env.model('test.orm.indexed').create({ name: 'parent' });
    await env.cr.raw(`INSERT INTO ${TABLE} (name, ref, parent_id) SELECT 'row ' || g, CASE WHEN g % 500 = 0 THEN g END, CASE WHEN g % 500 = 1 THEN ?::int END FROM generate_series(1, 5000) g`, [parent.ids[0]]);
    await env.cr.raw(`ANALYZE ${TABLE}`);
    const plan = async (sql: string, bindings: any[]) => (await env.cr.raw(`EXPLAIN ${sql}`, bindings)).rows.map((r: any) => r['QUERY PLAN']).join('\n');
    t.regex(await plan(`SELECT id FROM ${TABLE} WHERE ref = ?`, [1000]), new RegExp(`${TABLE}_ref_index`));
    t.regex(await plan(`SELECT id FROM ${TABLE} WHERE ref = ANY(?::int[])`, [[1000, 1500]]), new RegExp(`${TABLE}_ref_index`));
    t.regex(await plan(`SELECT id FROM ${TABLE} WHERE parent_id = ?`, [parent.ids[0]]), new RegExp(`${TABLE}_parent_id_index`));
    // The ORM's search finds the same rows through it.
    t.is((await env.model('test.orm.indexed').search([['ref', 'in', [1000, 1500]]])).ids.length, 2);
    t.is(await env.model('test.orm.indexed').search_count([['parent_id', '=', parent.ids[0]]]), 10);
  });
});

test.serial('an upgrade drops the ORM-made indexes no longer wanted and replaces changed ones, never another', async (t) => {
  const knex = app.db.knex;
  // What an older ORM made: plain one-column indexes on every many2one and the audit columns.
  await knex.raw(`CREATE INDEX ${TABLE}_owner_id_index ON ${TABLE} (owner_id)`);
  await knex.raw(`CREATE INDEX ${TABLE}_create_uid_index ON ${TABLE} (create_uid)`);
  await knex.raw(`CREATE INDEX ${TABLE}_other_id_index ON ${TABLE} (other_id)`);
  await knex.raw(`DROP INDEX ${TABLE}_parent_id_index`);
  await knex.raw(`CREATE INDEX ${TABLE}_parent_id_index ON ${TABLE} (parent_id)`);
  await knex.raw(`DROP INDEX ${TABLE}_partner_id_index`);
  await knex.raw(`CREATE INDEX ${TABLE}_partner_id_index ON ${TABLE} (partner_id)`);
  await knex.raw(`DROP INDEX ${TABLE}_code_index`);
  await knex.raw(`CREATE INDEX ${TABLE}_code_index ON ${TABLE} (code) WHERE code IS NOT NULL`);
  // Somebody else's: another name, or the ORM's name with another shape.
  await knex.raw(`CREATE INDEX ${TABLE}_owner_custom ON ${TABLE} (owner_id)`);
  await knex.raw(`CREATE INDEX ${TABLE}_write_uid_index ON ${TABLE} (write_uid, id)`);
  await knex.raw(`CREATE INDEX ${TABLE}_name_index ON ${TABLE} (name) WHERE name LIKE 'row%'`);
  await upgrade();
  const idx = await indexes();
  t.false(idx.has(`${TABLE}_owner_id_index`), 'redundant beside the declared (owner_id, state)');
  t.false(idx.has(`${TABLE}_create_uid_index`), 'the audit columns are no longer indexed');
  t.false(idx.has(`${TABLE}_other_id_index`), 'index: false');
  t.is(idx.get(`${TABLE}_parent_id_index`), 'btree (parent_id) WHERE (parent_id IS NOT NULL)', 'plain → partial');
  t.is(idx.get(`${TABLE}_code_index`), 'btree (code)', 'partial → plain');
  t.is(idx.get(`${TABLE}_partner_id_index`), 'btree (partner_id)', "a many2one's implicit kind keeps the plain index it had");
  t.is(idx.get(`${TABLE}_owner_custom`), 'btree (owner_id)', 'not the ORM name: kept');
  t.is(idx.get(`${TABLE}_write_uid_index`), 'btree (write_uid, id)', 'the ORM name with another shape: kept');
  t.is(idx.get(`${TABLE}_name_index`), "btree (name) WHERE ((name)::text ~~ 'row%'::text)");
  // A second run changes nothing.
  await upgrade();
  t.deepEqual(await indexes(), idx);
});
