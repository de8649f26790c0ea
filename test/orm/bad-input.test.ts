import test from 'ava';
import type { App } from '../../core/app.ts';
import { makeTestApp } from '../helpers/app.ts';

let app: App;
let itemId: number;
test.before(async () => {
  app = await makeTestApp({ addons: ['test_orm'], fixtures: true });
  itemId = await app.withEnv(2, async (env) => (await env.model('test.orm.item').create({ name: 'stable', quantity: 7 })).ids[0]);
});
test.after.always(async () => app?.close());

const unchanged = async (t: any) => {
  const [r] = await app.withEnv(1, (env) => env.model('test.orm.item').browse([itemId]).read(['name', 'quantity']));
  t.like(r, { name: 'stable', quantity: 7 });
};

const badWrites: Array<[string, Record<string, unknown>, RegExp]> = [
  ['unknown field', { nope: 1 }, /Invalid field 'nope' on model 'test.orm.item'/],
  ['string for an integer', { quantity: 'many' }, /Wrong value for test.orm.item.quantity: expected an integer, got "many"/],
  ['float for an integer', { quantity: 1.5 }, /expected an integer/],
  ['bad date', { day: '2026-13-45' }, /expected a date 'YYYY-MM-DD'/],
  ['bad datetime', { moment: 'yesterday' }, /expected a datetime/],
  ['value outside a selection', { state: 'archived' }, /expected one of 'draft', 'confirmed', 'done'/],
  ['bad many2one', { partner_id: 'Ana' }, /expected a record id of res.partner/],
  ['many2one to a missing record', { partner_id: 999999 }, /Invalid reference on test.orm.item/],
  ['text too long for its size', { name: 'x'.repeat(65) }, /at most 64 characters/],
  ['empty required value', { name: '' }, /Missing required value for field 'Name'/],
  ['computed field', { line_count: 3 }, /is computed and cannot be written/],
  ['magic field', { create_uid: 1 }, /cannot be written/],
  ['not a dictionary', ['name', 'x'] as unknown as Record<string, unknown>, /expects a dictionary of values/],
];
for (const [title, vals, message] of badWrites) {
  test(`write with ${title} is refused clearly and changes nothing`, async (t) => {
    const err = await t.throwsAsync(app.withEnv(2, (env) => env.model('test.orm.item').browse([itemId]).write(Array.isArray(vals) ? vals : { name: 'changed', ...vals })));
    t.regex(err!.message, message);
    t.is(err!.name, 'ValidationError');
    await unchanged(t);
  });
}

test('create without a required value is refused', async (t) => {
  const err = await t.throwsAsync(app.withEnv(2, (env) => env.model('test.orm.item').create({ quantity: 1 })));
  t.regex(err!.message, /Missing required value for field 'Name' \(test.orm.item.name\)/);
});

test('a duplicate unique value is refused with the field named', async (t) => {
  await app.withEnv(2, (env) => env.model('test.orm.item').create({ name: 'u1', code: 'DUP' }));
  const err = await t.throwsAsync(app.withEnv(2, (env) => env.model('test.orm.item').create({ name: 'u2', code: 'DUP' })));
  t.regex(err!.message, /^Another \S.* already has the Code "DUP": it must be unique\.$/);
  t.true(err instanceof Error && (err as any).odooName === 'odoo.exceptions.ValidationError');
  // As the client reads it in Spanish (the field label is translated with the message).
  const spanish = (err as any).localized((text: string) => app.registry.translate('es_ES', text));
  t.is(spanish, "Ya existe otro registro de Test Item con Code «DUP»: debe ser único.");
});

const badOrders = ['name; DROP TABLE test_orm_item', 'nope desc', 'name sideways', 'line_count', '(select 1)'];
for (const order of badOrders) {
  test(`order "${order}" is refused`, async (t) => {
    const err = await t.throwsAsync(app.withEnv(2, (env) => env.model('test.orm.item').search([], 0, null, order)));
    t.regex(err!.message, /Invalid order/);
    await unchanged(t);
  });
}

test('read of unknown fields and bad ids are refused clearly', async (t) => {
  const e1 = await t.throwsAsync(app.withEnv(2, (env) => env.model('test.orm.item').browse([itemId]).read(['name', 'ghost'])));
  t.regex(e1!.message, /Invalid field 'ghost'/);
  const e2 = await t.throwsAsync(app.withEnv(2, async (env) => env.model('test.orm.item').browse([-1])));
  t.regex(e2!.message, /Invalid record id -1/);
  const e3 = await t.throwsAsync(app.withEnv(2, (env) => env.model('test.orm.item').browse([987654]).read(['name'])));
  t.is(e3!.name, 'MissingError');
  const e4 = await t.throwsAsync(app.withEnv(2, (env) => env.model('test.orm.item').search([], 0, -5)));
  t.regex(e4!.message, /Invalid limit/);
});

test('HTML is sanitised on write: scripts and handlers are removed', async (t) => {
  const body = await app.withEnv(2, async (env) => {
    const rec = await env.model('test.orm.item').create({ name: 'html', body: '<p onclick="x()">ok<script>alert(1)</script><a href="javascript:alert(1)">l</a><img src="x" onerror="y()"></p>' });
    return (await rec.read(['body']))[0].body as string;
  });
  t.notRegex(body, /script|onclick|onerror|javascript:/);
  t.regex(body, /<p>ok<a>l<\/a><img src="x" \/><\/p>/);
});
