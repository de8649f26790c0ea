import test from 'ava';
import type { App } from '../../core/app.ts';
import { model, Registry, rowsOf } from '../../core/orm/index.ts';
import { fields } from '../../core/orm/index.ts';
import { syncSchema } from '../../core/schema/index.ts';
import { makeTestApp } from '../helpers/app.ts';

/**
 * test.orm.item declares `_group_counts = ['state', 'partner_id']` (plus `active`):
 * count-only read_group and search_count over those fields read `test_orm_item__counts`.
 */
let app: App;
let reader: number, manager: number, p1: number, p2: number;
const ADMIN = 2;

/** The truth: the same grouping computed on the table itself. */
async function tableCounts(where = 'active'): Promise<Record<string, number>> {
  const rows = rowsOf(await app.db.knex.raw(`SELECT state, count(*) AS n FROM test_orm_item WHERE ${where} GROUP BY state`));
  return Object.fromEntries(rows.map((r: any) => [r.state, Number(r.n)]));
}
async function groupedByState(uid: number, domain: unknown[] = []): Promise<Record<string, number>> {
  const groups = await app.withEnv(uid, (env) => env.model('test.orm.item').read_group(domain, ['state'], ['state']));
  return Object.fromEntries(groups.map((g: any) => [g.state, g.state_count]));
}
async function countsRows(): Promise<number> {
  return Number(rowsOf(await app.db.knex.raw('SELECT count(*) AS n FROM test_orm_item__counts'))[0].n);
}

test.before(async () => {
  app = await makeTestApp({ addons: ['test_orm'], fixtures: true });
  await app.withEnv(1, async (env) => {
    const mk = async (login: string, group: string) => (await env.model('res.users').create({ name: login, login, groups_id: [[6, 0, [await env.refId(group)]]] })).ids[0];
    reader = await mk('gc_reader', 'test_orm.group_reader');
    manager = await mk('gc_manager', 'test_orm.group_manager');
    [p1, p2] = (await env.model('res.partner').create([{ name: 'GC One' }, { name: 'GC Two' }])).ids;
  });
  await app.withEnv(ADMIN, (env) => env.model('test.orm.item').create([
    { name: 'c1', state: 'draft', partner_id: p1 }, { name: 'c2', state: 'draft', partner_id: p2 },
    { name: 'c3', state: 'done', partner_id: p1 }, { name: 'c4', state: 'confirmed' },
  ]));
  await app.withEnv(reader, (env) => env.model('test.orm.item').create({ name: 'readers own', state: 'done', partner_id: p2 }));
});
test.after.always(async () => app?.close());

test.serial('the counts table has the declared fields plus active, and one row per combination once compacted', async (t) => {
  const cols = rowsOf(await app.db.knex.raw(`SELECT column_name FROM information_schema.columns WHERE table_name = 'test_orm_item__counts' ORDER BY ordinal_position`)).map((r: any) => r.column_name);
  t.deepEqual(cols, ['state', 'partner_id', 'active', 'n']);
  await app.withEnv(1, (env: any) => env.model('ir.model').cron_compact_group_counts());
  const cells = Number(rowsOf(await app.db.knex.raw('SELECT count(*) AS n FROM (SELECT DISTINCT state, partner_id, active FROM test_orm_item) x'))[0].n);
  t.is(await countsRows(), cells);
});

test.serial('read_group and search_count over counted fields equal the table after creates, writes and deletes', async (t) => {
  const ids = await app.withEnv(ADMIN, async (env) => (await env.model('test.orm.item').create([{ name: 'm1' }, { name: 'm2', state: 'done' }, { name: 'm3' }])).ids);
  await app.withEnv(ADMIN, (env) => env.model('test.orm.item').browse([ids[0]]).write({ state: 'confirmed', partner_id: p2 }));
  await app.withEnv(ADMIN, (env) => env.model('test.orm.item').browse([ids[1]]).write({ active: false }));
  await app.withEnv(ADMIN, (env) => env.model('test.orm.item').browse([ids[2]]).unlink());
  t.deepEqual(await groupedByState(manager), await tableCounts());
  const count = await app.withEnv(manager, (env) => env.model('test.orm.item').search_count([['state', '!=', 'done']]));
  t.is(count, Object.entries(await tableCounts()).filter(([s]) => s !== 'done').reduce((a, [, n]) => a + n, 0));
  const archived = await app.withEnv(manager, (env) => env.model('test.orm.item').search_count([['active', '=', false]]));
  t.is(archived, Number(rowsOf(await app.db.knex.raw('SELECT count(*) AS n FROM test_orm_item WHERE NOT active'))[0].n));
});

test.serial('a rolled-back transaction leaves the counts as they were', async (t) => {
  const before = await groupedByState(manager);
  await t.throwsAsync(app.withEnv(ADMIN, async (env) => {
    await env.model('test.orm.item').create([{ name: 'gone1', state: 'done' }, { name: 'gone2', state: 'done' }]);
    throw new Error('abort');
  }), { message: 'abort' });
  t.deepEqual(await groupedByState(manager), before);
});

test.serial('the counts table answers when only counted fields are tested (a planted delta shows through)', async (t) => {
  // A delta row written by hand is visible only if the query read the counts table.
  await app.db.knex.raw(`INSERT INTO test_orm_item__counts (state, partner_id, active, n) VALUES ('done', ?, TRUE, 1000)`, [p1]);
  try {
    const viaCounts = await groupedByState(manager, [['partner_id.name', '=', 'GC One']]);
    t.is(viaCounts.done, (await tableCounts(`active AND partner_id = ${p1}`)).done + 1000);
    const grouped = await app.withEnv(manager, (env) => env.model('test.orm.item').read_group([], ['partner_id'], ['partner_id']));
    t.true(Number(grouped.find((g: any) => Array.isArray(g.partner_id) && g.partner_id[0] === p1)?.partner_id_count) >= 1000);
    // A field that is not counted (name), an aggregate (quantity) or a date grouping: the table itself.
    const byName = await groupedByState(manager, [['name', 'like', 'c%']]);
    t.deepEqual(byName, await tableCounts(`active AND name LIKE 'c%'`));
    const summed = await app.withEnv(manager, (env) => env.model('test.orm.item').read_group([], ['state', 'quantity'], ['state']));
    t.is(summed.find((g: any) => g.state === 'done')?.state_count, (await tableCounts()).done);
  } finally {
    await app.db.knex.raw(`INSERT INTO test_orm_item__counts (state, partner_id, active, n) VALUES ('done', ?, TRUE, -1000)`, [p1]);
  }
});

test.serial('a record rule on a field that is not counted is still applied (the table is read instead)', async (t) => {
  // Readers see their own items only (rule on owner_id): counts cannot answer for them.
  t.deepEqual(await groupedByState(reader), { done: 1 });
  t.is(await app.withEnv(reader, (env) => env.model('test.orm.item').search_count([])), 1);
});

test.serial('cells whose rows are all gone are not groups, before and after compaction', async (t) => {
  const id = await app.withEnv(ADMIN, async (env) => (await env.model('test.orm.item').create({ name: 'lonely', state: 'confirmed', partner_id: p2 })).ids[0]);
  await app.withEnv(ADMIN, (env) => env.model('test.orm.item').browse([id]).unlink());
  const groups = await app.withEnv(manager, (env) => env.model('test.orm.item').read_group([['partner_id', '=', p2], ['state', '=', 'confirmed']], ['state'], ['state']));
  t.deepEqual(groups.map((g: any) => g.state), (await tableCounts(`active AND partner_id = ${p2} AND state = 'confirmed'`)).confirmed ? ['confirmed'] : []);
  await app.withEnv(1, (env: any) => env.model('ir.model').cron_compact_group_counts());
  t.deepEqual(await groupedByState(manager), await tableCounts());
});

test.serial('concurrent writers in the same cell neither wait for each other nor lose counts', async (t) => {
  const before = (await tableCounts()).draft ?? 0;
  await Promise.all(Array.from({ length: 12 }, (_, i) => app.withEnv(ADMIN, (env) => env.model('test.orm.item').create({ name: `par${i}`, state: 'draft' }))));
  t.is((await groupedByState(manager)).draft, before + 12);
  t.is((await tableCounts()).draft, before + 12);
});

test.serial('changing the counted fields rebuilds the table from the rows on the next schema sync', async (t) => {
  const item = app.registry.get('test.orm.item')!;
  const declared = item._meta.groupCounts;
  try {
    item._meta.groupCounts = ['state', 'active'];
    await syncSchema(app.db.knex, app.registry, [item]);
    const cols = rowsOf(await app.db.knex.raw(`SELECT column_name FROM information_schema.columns WHERE table_name = 'test_orm_item__counts' ORDER BY ordinal_position`)).map((r: any) => r.column_name);
    t.deepEqual(cols, ['state', 'active', 'n']);
    t.deepEqual(await groupedByState(manager), await tableCounts());
  } finally {
    item._meta.groupCounts = declared;
    await syncSchema(app.db.knex, app.registry, [item]);
  }
  t.deepEqual(await groupedByState(manager), await tableCounts());
});

test('a _group_counts naming an unknown or unsuitable field is an error naming it', (t) => {
  const build = (counted: string[]) => {
    const registry = new Registry();
    registry.addDefinitions('x', [model((Base) => class extends Base {
      static _name = 'x.thing';
      static _group_counts = counted;
      static fields = { name: fields.char({ string: 'Name' }), notes: fields.text({ string: 'Notes' }) };
    })]);
    registry.build();
  };
  t.throws(() => build(['nope']), { message: /x\.thing: _group_counts names unknown field 'nope'/ });
  t.throws(() => build(['notes']), { message: /_group_counts field 'notes' \(text\)/ });
});
