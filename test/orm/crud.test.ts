import test from 'ava';
import type { App } from '../../core/app.ts';
import { makeTestApp } from '../helpers/app.ts';

let app: App;
test.before(async () => {
  app = await makeTestApp({ addons: ['test_orm_ext'], fixtures: true });
});
test.after.always(async () => app?.close());

const asAdmin = <T>(fn: (env: any) => Promise<T>) => app.withEnv(2, fn);

test('create then read returns every field type in Odoo wire format', async (t) => {
  await asAdmin(async (env) => {
    const company = await env.model('res.partner').create({ name: 'ACME', is_company: true });
    const partner = await env.model('res.partner').create({ name: 'Ana', city: 'Sevilla', parent_id: company.ids[0] });
    const tag = await env.model('test.orm.tag').create({ name: 'T1' });
    const item = await env.model('test.orm.item').create({
      name: 'Widget', notes: 'n', body: '<p>Hi<script>alert(1)</script></p>', quantity: 3, price: 2.345, done: true,
      day: '2026-03-04', moment: '2026-03-04 10:11:12', state: 'confirmed', partner_id: partner.ids[0], tag_id: tag.ids[0],
      tag_ids: [[6, 0, tag.ids]], line_ids: [[0, 0, { name: 'L1', amount: 5 }]], data: Buffer.from('hello').toString('base64'),
    });
    const [r] = await item.read();
    t.is(r.name, 'Widget');
    t.is(r.body, '<p>Hi</p>');
    t.is(r.quantity, 3);
    t.is(r.price, 2.35);
    t.is(r.done, true);
    t.is(r.day, '2026-03-04');
    t.is(r.moment, '2026-03-04 10:11:12');
    t.is(r.state, 'confirmed');
    t.deepEqual(r.partner_id, [partner.ids[0], 'Ana']);
    t.deepEqual(r.tag_id, [tag.ids[0], 'T1']);
    t.deepEqual(r.tag_ids, tag.ids);
    t.is((r.line_ids as number[]).length, 1);
    t.is(r.data, Buffer.from('hello').toString('base64'));
    t.is(r.partner_city, 'Sevilla');
    t.is(r.partner_company, 'ACME');
    t.is(r.total, 3 * 2.35);
    t.is(r.line_count, 1);
    t.is(r.display_name, 'Widget');
    t.deepEqual(r.create_uid, [2, 'Administrator']);
    t.regex(String(r.create_date), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });
});

test('empty values read as false, 0 or [] like Odoo', async (t) => {
  await asAdmin(async (env) => {
    const item = await env.model('test.orm.item').create({ name: 'Empty' });
    const [r] = await item.read(['partner_id', 'tag_ids', 'day', 'price', 'body', 'partner_city', 'data']);
    t.deepEqual(r, { id: item.ids[0], partner_id: false, tag_ids: [], day: false, price: 0, body: false, partner_city: false, data: false });
  });
});

test('defaults apply, and context default_<field> overrides them', async (t) => {
  await asAdmin(async (env) => {
    const a = await env.model('test.orm.item').create({ name: 'A' });
    t.like((await a.read(['state', 'sequence', 'owner_id']))[0], { state: 'draft', sequence: 10 });
    t.deepEqual((await a.read(['owner_id']))[0].owner_id, [2, 'Administrator']);
    const b = await env.model('test.orm.item').withContext({ default_state: 'done' }).create({ name: 'B' });
    t.is((await b.read(['state']))[0].state, 'done');
    t.like(await env.model('test.orm.item').default_get(['state', 'quantity']), { state: 'draft', quantity: 1 });
  });
});

test('write updates values and recomputes stored computed fields', async (t) => {
  await asAdmin(async (env) => {
    const item = await env.model('test.orm.item').create({ name: 'W', quantity: 2, price: 10 });
    t.is((await item.read(['total']))[0].total, 20);
    await item.write({ quantity: 5, name: 'W2' });
    t.like((await item.read(['total', 'name', 'write_uid']))[0], { total: 50, name: 'W2' });
  });
});

test('unlink removes records and cascades to one2many lines', async (t) => {
  await asAdmin(async (env) => {
    const item = await env.model('test.orm.item').create({ name: 'U', line_ids: [[0, 0, { name: 'x' }]] });
    const lineIds = (await item.read(['line_ids']))[0].line_ids as number[];
    await item.unlink();
    t.is((await item.exists()).length, 0);
    t.is((await env.model('test.orm.line').browse(lineIds).exists()).length, 0);
  });
});

test('ondelete restrict refuses deleting a referenced record with a clear error', async (t) => {
  await asAdmin(async (env) => {
    const tag = await env.model('test.orm.tag').create({ name: 'Used' });
    await env.model('test.orm.item').create({ name: 'Ref', tag_id: tag.ids[0] });
    const err = await t.throwsAsync(tag.unlink());
    t.regex(err!.message, /Cannot delete .*other records still refer to them/);
    t.is((await tag.exists()).length, 1);
  });
});

test('copy duplicates copyable fields and marks the name', async (t) => {
  await asAdmin(async (env) => {
    const tag = await env.model('test.orm.tag').create({ name: 'C' });
    const item = await env.model('test.orm.item').create({ name: 'Orig', code: 'X1', tag_ids: [[6, 0, tag.ids]], line_ids: [[0, 0, { name: 'l' }]] });
    const copy = await item.copy();
    const [r] = await copy.read(['name', 'code', 'tag_ids', 'line_ids']);
    t.is(r.name, 'Orig (copy)');
    t.is(r.code, false);
    t.deepEqual(r.tag_ids, tag.ids);
    t.deepEqual(r.line_ids, []);
  });
});

test('name_search, name_create and display names', async (t) => {
  await asAdmin(async (env) => {
    await env.model('test.orm.tag').create([{ name: 'Alpha' }, { name: 'Alphabet' }, { name: 'Beta' }]);
    const found = await env.model('test.orm.tag').name_search('alph');
    t.deepEqual(found.map((f: any) => f[1]), ['Alpha', 'Alphabet']);
    const [id, name] = await env.model('test.orm.tag').name_create('Gamma');
    t.true(id > 0);
    t.is(name, 'Gamma');
  });
});

test('fields_get describes fields with types, relations and selections', async (t) => {
  await asAdmin(async (env) => {
    const f = await env.model('test.orm.item').fields_get();
    t.like(f.tag_ids, { type: 'many2many', relation: 'test.orm.tag' });
    t.like(f.line_ids, { type: 'one2many', relation: 'test.orm.line', relation_field: 'item_id' });
    t.deepEqual(f.state.selection, [['draft', 'Draft'], ['confirmed', 'Confirmed'], ['done', 'Done']]);
    t.like(f.partner_city, { type: 'char', readonly: true, related: 'partner_id.city' });
    t.like(f.name, { required: true, string: 'Title' });
  });
});

test('search with offset, limit and order', async (t) => {
  await asAdmin(async (env) => {
    await env.model('test.orm.item').create([{ name: 'o3', sequence: 3 }, { name: 'o1', sequence: 1 }, { name: 'o2', sequence: 2 }]);
    const rs = await env.model('test.orm.item').search([['name', '=like', 'o_']], 1, 2, 'sequence desc');
    const names = (await rs.read(['name'])).map((r: any) => r.name);
    t.deepEqual(names, ['o2', 'o1']);
    t.is(await env.model('test.orm.item').search_count([['name', '=like', 'o_']]), 3);
  });
});

test('archived records are hidden unless active_test is false or the domain names active', async (t) => {
  await asAdmin(async (env) => {
    const item = await env.model('test.orm.item').create({ name: 'arch-me', active: false });
    t.is(await env.model('test.orm.item').search_count([['name', '=', 'arch-me']]), 0);
    t.is(await env.model('test.orm.item').withContext({ active_test: false }).search_count([['name', '=', 'arch-me']]), 1);
    t.deepEqual((await env.model('test.orm.item').search([['active', '=', false], ['name', '=', 'arch-me']])).ids, item.ids);
  });
});

test('a failing call rolls the whole transaction back', async (t) => {
  await t.throwsAsync(asAdmin(async (env) => {
    await env.model('test.orm.tag').create({ name: 'rolled-back' });
    throw new Error('boom');
  }));
  const n = await asAdmin((env) => env.model('test.orm.tag').search_count([['name', '=', 'rolled-back']]));
  t.is(n, 0);
});

test('long id lists (over PostgreSQL\'s 65,535 parameters) are searched in one array parameter', async (t) => {
  const ids = await app.withEnv(2, async (env) => (await env.model('test.orm.item').create([{ name: 'long-list a' }, { name: 'long-list b' }])).ids);
  const many = [...Array.from({ length: 70_000 }, (_, i) => 10_000_000 + i), ...ids];
  await app.withEnv(2, async (env) => {
    t.deepEqual((await env.model('test.orm.item').search([['id', 'in', many]], 0, null, 'id')).ids, ids);
    const others = await env.model('test.orm.item').search([['id', 'not in', many], ['name', 'like', 'long-list%']]);
    t.deepEqual(others.ids, []);
    t.is(await env.model('test.orm.item').search_count([['id', 'not in', many.slice(0, 69_999)], ['name', 'like', 'long-list%']]), 2);
  });
});

test('memoized: what memo holds under a key, forgotten when its model is written; it computes nothing', async (t) => {
  await asAdmin(async (env) => {
    t.is(env.memoized('test.memoized'), undefined);
    let calls = 0;
    const value = await env.memo('res.partner', 'test.memoized', async () => ++calls);
    t.is(value, 1);
    t.is(await env.sudo().memoized('test.memoized'), 1);
    t.is(calls, 1);
    await env.model('res.partner').create({ name: 'Forgets the memo' });
    t.is(env.memoized('test.memoized'), undefined);
    t.is(calls, 1);
  });
});

test('binary values given as bytes store exactly those bytes (a Buffer, or a view into a larger array)', async (t) => {
  await asAdmin(async (env) => {
    const whole = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const view = new Uint8Array(whole.buffer, 2, 3);
    const a = await env.model('test.orm.item').create({ name: 'bytes', data: view });
    const b = await env.model('test.orm.item').create({ name: 'buffer', data: Buffer.from('buffer bytes') });
    const [ra, rb] = await env.model('test.orm.item').browse([...a.ids, ...b.ids]).read(['data']);
    t.deepEqual([...Buffer.from(String(ra.data), 'base64')], [3, 4, 5]);
    t.is(Buffer.from(String(rb.data), 'base64').toString(), 'buffer bytes');
  });
});
