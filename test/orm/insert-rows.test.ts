import test from 'ava';
import knexFactory from 'knex';
import type { App } from '../../core/app.ts';
import { insertSql } from '../../core/orm/insert-rows.ts';
import { makeTestApp } from '../helpers/app.ts';

// A knex without a connection: raw expressions and builders, as the ORM hands them over.
const sqlOnly = knexFactory({ client: 'pg' });

const cases: Array<{ title: string; rows: Array<Record<string, unknown>>; returning: Array<string | ReturnType<typeof sqlOnly.raw>>; sql: string | null; bindings?: unknown[] }> = [
  {
    title: 'columns sorted as knex sorts them, one placeholder per value',
    rows: [{ name: 'a', code: 'x', amount: 3 }], returning: ['id'],
    sql: 'INSERT INTO "t" ("amount", "code", "name") VALUES (?, ?, ?) RETURNING "id"', bindings: [3, 'x', 'a'],
  },
  {
    title: 'a column a row lacks, or holds undefined, is DEFAULT for that row; null is a value',
    rows: [{ name: 'a', code: undefined }, { name: 'b', code: 'y', notes: null }], returning: ['id', 'name'],
    sql: 'INSERT INTO "t" ("code", "name", "notes") VALUES (DEFAULT, ?, DEFAULT), (?, ?, ?) RETURNING "id", "name"', bindings: ['a', 'y', 'b', null],
  },
  {
    title: 'a returned expression without bindings is written as it is',
    rows: [{ name: 'a' }], returning: ['id', sqlOnly.raw('(SELECT 1) AS one')],
    sql: 'INSERT INTO "t" ("name") VALUES (?) RETURNING "id", (SELECT 1) AS one', bindings: ['a'],
  },
  { title: 'identifiers are quoted, their quotes doubled', rows: [{ 'we"ird': 1 }], returning: [], sql: 'INSERT INTO "t" ("we""ird") VALUES (?)', bindings: [1] },
  { title: 'a raw value is left to knex', rows: [{ name: sqlOnly.raw('upper(?)', ['a']) }], returning: ['id'], sql: null },
  { title: 'a query builder value is left to knex', rows: [{ n: sqlOnly('x').count() }], returning: ['id'], sql: null },
  { title: 'a returned expression with bindings is left to knex', rows: [{ name: 'a' }], returning: [sqlOnly.raw('? AS v', [1])], sql: null },
  { title: 'a row without columns is left to knex', rows: [{}], returning: ['id'], sql: null },
];

for (const c of cases) {
  test(`insertSql: ${c.title}`, (t) => {
    const statement = insertSql('t', c.rows, c.returning as any);
    if (c.sql === null) t.is(statement, null);
    else t.deepEqual(statement, { sql: c.sql, bindings: c.bindings });
  });
}

let app: App;
test.before(async () => {
  app = await makeTestApp({ addons: ['test_orm'], fixtures: true });
});
test.after.always(async () => app?.close());

test.serial('create writes its own INSERT (not knex\'s builder) and the rows read back as given, lacking values as defaults', async (t) => {
  const sqls: string[] = [];
  const onQuery = (q: { sql: string }) => sqls.push(q.sql);
  app.db.knex.on('query', onQuery);
  let ids: number[];
  try {
    ids = await app.withEnv(2, async (env) => (await env.model('test.orm.item').create([
      { name: 'Insert rows A', notes: 'with notes', price: 2.5, data: Buffer.from([0, 1, 2, 255]).toString('base64'), moment: '2026-03-04 05:06:07' },
      { name: 'Insert rows B', quantity: 4 },
    ])).ids);
  } finally {
    app.db.knex.off('query', onQuery);
  }
  const inserts = sqls.filter((s) => /insert into "test_orm_item"/i.test(s));
  t.is(inserts.length, 1, inserts.join('\n'));
  t.true(inserts[0].startsWith('INSERT INTO "test_orm_item" ('), inserts[0]);
  const rows = await app.withEnv(2, (env) => env.model('test.orm.item').browse(ids).read(['name', 'notes', 'price', 'quantity', 'sequence', 'data', 'moment', 'done']));
  t.like(rows[0], { name: 'Insert rows A', notes: 'with notes', price: 2.5, quantity: 1, sequence: 10, data: Buffer.from([0, 1, 2, 255]).toString('base64'), moment: '2026-03-04 05:06:07', done: false });
  t.like(rows[1], { name: 'Insert rows B', price: 0, quantity: 4, sequence: 10, data: false, moment: false, done: false });
});

test.serial('create: a database refusal through the new INSERT is still the ORM\'s clear error', async (t) => {
  await app.withEnv(2, (env) => env.model('test.orm.item').create({ name: 'Unique code holder', code: 'INSERT-ROWS-UNIQUE' }));
  const error = await t.throwsAsync(app.withEnv(2, (env) => env.model('test.orm.item').create({ name: 'Second holder', code: 'INSERT-ROWS-UNIQUE' })));
  t.regex(error!.message, /INSERT-ROWS-UNIQUE/);
  t.regex(error!.message, /unique/i);
});
