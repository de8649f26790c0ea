import test from 'ava';
import type { App } from '../../core/app.ts';
import { makeTestApp } from '../helpers/app.ts';

let app: App;
test.before(async () => {
  app = await makeTestApp({ addons: ['test_orm'], fixtures: true });
});
test.after.always(async () => app?.close());

const run = <T>(fn: (env: any) => Promise<T>) => app.withEnv(2, fn);
const lines = async (env: any, item: any) => {
  const [r] = await item.read(['line_ids']);
  const rows = await env.model('test.orm.line').browse(r.line_ids).read(['name', 'amount']);
  return rows.map((l: any) => `${l.name}:${l.amount}`).sort();
};
const tags = async (item: any) => ((await item.read(['tag_ids']))[0].tag_ids as number[]).slice().sort((a, b) => a - b);

test('one2many (0,0,vals) creates lines linked to the record', async (t) => {
  await run(async (env) => {
    const item = await env.model('test.orm.item').create({ name: 'i', line_ids: [[0, 0, { name: 'a', amount: 1 }], [0, 0, { name: 'b', amount: 2 }]] });
    t.deepEqual(await lines(env, item), ['a:1', 'b:2']);
  });
});

test('one2many (1,id,vals) updates a line and (2,id) deletes it', async (t) => {
  await run(async (env) => {
    const item = await env.model('test.orm.item').create({ name: 'i', line_ids: [[0, 0, { name: 'a' }], [0, 0, { name: 'b' }]] });
    const [l1, l2] = (await item.read(['line_ids']))[0].line_ids as number[];
    await item.write({ line_ids: [[1, l1, { amount: 9 }], [2, l2]] });
    t.deepEqual(await lines(env, item), ['a:9']);
    t.is((await env.model('test.orm.line').browse([l2]).exists()).length, 0);
  });
});

test('one2many (3,id) on a required inverse removes the line, (5) removes all', async (t) => {
  await run(async (env) => {
    const item = await env.model('test.orm.item').create({ name: 'i', line_ids: [[0, 0, { name: 'a' }], [0, 0, { name: 'b' }], [0, 0, { name: 'c' }]] });
    const [l1] = (await item.read(['line_ids']))[0].line_ids as number[];
    await item.write({ line_ids: [[3, l1]] });
    t.deepEqual(await lines(env, item), ['b:0', 'c:0']);
    await item.write({ line_ids: [[5]] });
    t.deepEqual(await lines(env, item), []);
  });
});

test('one2many (4,id) moves an existing line and (6,0,ids) replaces the set', async (t) => {
  await run(async (env) => {
    const a = await env.model('test.orm.item').create({ name: 'a', line_ids: [[0, 0, { name: 'x' }], [0, 0, { name: 'y' }]] });
    const b = await env.model('test.orm.item').create({ name: 'b' });
    const [x, y] = (await a.read(['line_ids']))[0].line_ids as number[];
    await b.write({ line_ids: [[4, x]] });
    t.deepEqual(await lines(env, b), ['x:0']);
    t.deepEqual(await lines(env, a), ['y:0']);
    await b.write({ line_ids: [[6, 0, [y]]] });
    t.deepEqual(await lines(env, b), ['y:0']);
  });
});

test('many2many (4,id) links, (3,id) unlinks, (5) clears, (6,0,ids) replaces', async (t) => {
  await run(async (env) => {
    const [t1, t2, t3] = (await env.model('test.orm.tag').create([{ name: 't1' }, { name: 't2' }, { name: 't3' }])).ids;
    const item = await env.model('test.orm.item').create({ name: 'm' });
    await item.write({ tag_ids: [[4, t1], [4, t2], [4, t2]] });
    t.deepEqual(await tags(item), [t1, t2]);
    await item.write({ tag_ids: [[3, t1]] });
    t.deepEqual(await tags(item), [t2]);
    t.is((await env.model('test.orm.tag').browse([t1]).exists()).length, 1, '(3) keeps the record itself');
    await item.write({ tag_ids: [[6, 0, [t1, t3]]] });
    t.deepEqual(await tags(item), [t1, t3]);
    await item.write({ tag_ids: [[5]] });
    t.deepEqual(await tags(item), []);
  });
});

test('many2many (0,0,vals) creates and links, (1,id,vals) updates, (2,id) deletes the record', async (t) => {
  await run(async (env) => {
    const item = await env.model('test.orm.item').create({ name: 'm', tag_ids: [[0, 0, { name: 'new-tag' }]] });
    const [tagId] = await tags(item);
    t.is((await env.model('test.orm.tag').browse([tagId]).read(['name']))[0].name, 'new-tag');
    await item.write({ tag_ids: [[1, tagId, { name: 'renamed' }]] });
    t.is((await env.model('test.orm.tag').browse([tagId]).read(['name']))[0].name, 'renamed');
    await item.write({ tag_ids: [[2, tagId]] });
    t.deepEqual(await tags(item), []);
    t.is((await env.model('test.orm.tag').browse([tagId]).exists()).length, 0);
  });
});

test('a plain list of ids on a many2many means (6,0,ids)', async (t) => {
  await run(async (env) => {
    const [t1, t2] = (await env.model('test.orm.tag').create([{ name: 'p1' }, { name: 'p2' }])).ids;
    const item = await env.model('test.orm.item').create({ name: 'm', tag_ids: [t2, t1] });
    t.deepEqual(await tags(item), [t1, t2].sort((a, b) => a - b));
  });
});

test('a malformed command is refused with a clear error and nothing is written', async (t) => {
  await run(async (env) => {
    const item = await env.model('test.orm.item').create({ name: 'keep' });
    const err = await t.throwsAsync(item.write({ name: 'changed', tag_ids: [[9, 1]] }));
    t.regex(err!.message, /Wrong command #0 for test.orm.item.tag_ids/);
  });
  t.is(await run((env) => env.model('test.orm.item').search_count([['name', '=', 'changed']])), 0);
});

// Serial: the statements of concurrent tests must not be counted.
test.serial('create with (6,0,ids) on a many2many writes the row and its links in one statement', async (t) => {
  const sql: string[] = [];
  const listen = (q: { sql: string }) => sql.push(q.sql);
  await run(async (env) => {
    const tagIds = (await Promise.all(['x', 'y'].map((name) => env.model('test.orm.tag').create({ name })))).map((r: any) => r.ids[0]);
    app.db.knex.on('query', listen);
    let item;
    try {
      item = await env.model('test.orm.item').create({ name: 'one statement', tag_ids: [[6, 0, [...tagIds, tagIds[0]]]] });
    } finally {
      app.db.knex.off('query', listen);
    }
    t.deepEqual(await tags(item), [...tagIds].sort((a, b) => a - b));
    t.is(sql.filter((s) => /insert into/i.test(s)).length, 1, sql.join('\n'));
    // Several rows at once: links as before, each its own.
    const two = await env.model('test.orm.item').create([{ name: 'a', tag_ids: [[6, 0, [tagIds[0]]]] }, { name: 'b', tag_ids: [[6, 0, [tagIds[1]]]] }]);
    t.deepEqual(await tags(two.browse([two.ids[0]])), [tagIds[0]]);
    t.deepEqual(await tags(two.browse([two.ids[1]])), [tagIds[1]]);
  });
});

test('create with (6,0,ids) naming a missing record fails and writes nothing', async (t) => {
  await run(async (env) => {
    await t.throwsAsync(env.cr.transaction(async (trx: any) => {
      await env.withCr(trx).model('test.orm.item').create({ name: 'dangling', tag_ids: [[6, 0, [987654321]]] });
    }));
    t.is(await env.model('test.orm.item').search_count([['name', '=', 'dangling']]), 0);
  });
});
