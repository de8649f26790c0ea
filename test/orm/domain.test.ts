import test from 'ava';
import type { App } from '../../core/app.ts';
import { makeTestApp } from '../helpers/app.ts';

/**
 * A table of domains run against known data. Items (name → properties):
 *   a: qty 1, price 10, state draft,     partner Ana (Madrid, company ACME), tags [red]
 *   b: qty 2, price 20, state confirmed, partner Bob (Sevilla),             tags [red, blue]
 *   c: qty 3, price 0,  state done,      no partner,                         no tags, day 2026-01-10
 *   d: qty 4, price 5,  state draft,     partner Ana,                        tags [blue], lines: x(7)
 */
let app: App;
test.before(async () => {
  app = await makeTestApp({ addons: ['test_orm'], fixtures: true });
  await app.withEnv(2, async (env) => {
    const acme = await env.model('res.partner').create({ name: 'ACME', is_company: true });
    const [ana, bob] = (await env.model('res.partner').create([{ name: 'Ana', city: 'Madrid', parent_id: acme.ids[0] }, { name: 'Bob', city: 'Sevilla' }])).ids;
    const [red, blue] = (await env.model('test.orm.tag').create([{ name: 'red' }, { name: 'blue' }])).ids;
    await env.model('test.orm.item').create([
      { name: 'a', quantity: 1, price: 10, state: 'draft', partner_id: ana, tag_ids: [[6, 0, [red]]], day: '2026-02-01' },
      { name: 'b', quantity: 2, price: 20, state: 'confirmed', partner_id: bob, tag_ids: [[6, 0, [red, blue]]], moment: '2026-03-01 12:00:00' },
      { name: 'c', quantity: 3, price: 0, state: 'done', day: '2026-01-10', notes: 'special' },
      { name: 'd', quantity: 4, price: 5, state: 'draft', partner_id: ana, tag_ids: [[6, 0, [blue]]], line_ids: [[0, 0, { name: 'x', amount: 7 }]] },
    ]);
  });
});
test.after.always(async () => app?.close());

const names = (domain: unknown[]) => app.withEnv(2, async (env) => {
  const rows = await env.model('test.orm.item').search_read([['name', 'in', ['a', 'b', 'c', 'd']], ...domain], ['name'], 0, null, 'name');
  return rows.map((r) => r.name).join('');
});

const cases: Array<[string, unknown[], string]> = [
  ['= on integer', [['quantity', '=', 2]], 'b'],
  ['!= on selection', [['state', '!=', 'draft']], 'bc'],
  ['> and <=', [['quantity', '>', 1], ['quantity', '<=', 3]], 'bc'],
  ['>= on float', [['price', '>=', 10]], 'ab'],
  ['< on float', [['price', '<', 10]], 'cd'],
  ['in list', [['state', 'in', ['done', 'confirmed']]], 'bc'],
  ['not in list', [['state', 'not in', ['draft']]], 'bc'],
  ['in with false includes empty', [['partner_id', 'in', [false]]], 'c'],
  ['like is case-sensitive', [['name', 'like', 'A']], ''],
  ['ilike is case-insensitive', [['notes', 'ilike', 'SPEC']], 'c'],
  ['not ilike keeps empty values', [['notes', 'not ilike', 'spec']], 'abd'],
  ['=like uses the pattern as given', [['name', '=like', '_']], 'abcd'],
  ['=ilike pattern', [['name', '=ilike', 'B']], 'b'],
  ['= false on many2one', [['partner_id', '=', false]], 'c'],
  ['!= false on many2one', [['partner_id', '!=', false]], 'abd'],
  ['= false on date', [['day', '=', false]], 'bd'],
  ['date comparison', [['day', '<', '2026-02-01']], 'c'],
  ['datetime comparison', [['moment', '>=', '2026-03-01 00:00:00']], 'b'],
  ['many2one by id', [['partner_id', '=', 0], '|', ['quantity', '=', 1], ['quantity', '=', 4]], ''],
  ['many2one by name (ilike)', [['partner_id', 'ilike', 'an']], 'ad'],
  ['many2one by name (=)', [['partner_id', '=', 'Bob']], 'b'],
  ['dotted path through many2one', [['partner_id.city', '=', 'Madrid']], 'ad'],
  ['two-level dotted path', [['partner_id.parent_id.name', '=', 'ACME']], 'ad'],
  ['dotted path through many2many', [['tag_ids.name', '=', 'blue']], 'bd'],
  ['dotted path through one2many', [['line_ids.amount', '>', 5]], 'd'],
  ['many2many = false (no tags)', [['tag_ids', '=', false]], 'c'],
  ['many2many ilike on names', [['tag_ids', 'ilike', 'RE']], 'ab'],
  ['one2many != false (has lines)', [['line_ids', '!=', false]], 'd'],
  ['related field is searchable', [['partner_city', '=', 'Sevilla']], 'b'],
  ['boolean = false matches NULL too', [['done', '=', false]], 'abcd'],
  ['| prefix operator', ['|', ['name', '=', 'a'], ['name', '=', 'c']], 'ac'],
  ['! prefix operator', ['!', ['state', '=', 'draft']], 'bc'],
  ['nested & inside |', ['|', '&', ['state', '=', 'draft'], ['quantity', '>', 2], ['name', '=', 'b']], 'bd'],
  ['! over | (de Morgan)', ['!', '|', ['name', '=', 'a'], ['name', '=', 'b']], 'cd'],
  ['any operator', [['tag_ids', 'any', [['name', '=', 'red']]]], 'ab'],
  ['not any operator', [['tag_ids', 'not any', [['name', '=', 'red']]]], 'cd'],
  ['TRUE_LEAF', [[1, '=', 1]], 'abcd'],
  ['FALSE_LEAF', [[0, '=', 1]], ''],
  ['empty in list', [['state', 'in', []]], ''],
  ['id in', [['name', '=', 'zzz']], ''],
];

for (const [title, domain, expected] of cases) {
  test(`domain: ${title}`, async (t) => {
    t.is(await names(domain), expected);
  });
}

test('child_of follows the parent hierarchy', async (t) => {
  await app.withEnv(2, async (env) => {
    const root = await env.ref('test_orm.tag_root');
    const rows = await env.model('test.orm.tag').search_read([['id', 'child_of', root.ids[0]]], ['name'], 0, null, 'name');
    t.deepEqual(rows.map((r) => r.name), ['Child', 'Grandchild', 'Root']);
    const parents = await env.model('test.orm.tag').search_read([['id', 'parent_of', (await env.ref('test_orm.tag_grandchild')).ids[0]]], ['name'], 0, null, 'name');
    t.deepEqual(parents.map((r) => r.name), ['Child', 'Grandchild', 'Root']);
  });
});

const badDomains: Array<[string, unknown, RegExp]> = [
  ['unknown field', [['nope', '=', 1]], /Invalid field 'nope' on model 'test.orm.item'/],
  ['unknown operator', [['name', 'lik', 'x']], /unknown operator 'lik'/],
  ['SQL in a field name', [['name; drop table test_orm_item', '=', 'x']], /Invalid field name/],
  ['not a list', 'name = 1', /expected a list/],
  ['dangling |', ['|', ['name', '=', 'a']], /'\|'.*expects 2 operands/],
  ['wrong value type for integer', [['quantity', '=', 'abc']], /Invalid value "abc" for integer field 'quantity'/],
  ['path through a non-relational field', [['name.foo', '=', 1]], /is not relational/],
  ['non-stored computed field', [['line_count', '=', 1]], /not stored and cannot be searched/],
];
for (const [title, domain, message] of badDomains) {
  test(`bad domain: ${title} gets a clear error`, async (t) => {
    const err = await t.throwsAsync(app.withEnv(2, (env) => env.model('test.orm.item').search(domain as unknown[])));
    t.regex(err!.message, message);
    t.is(err!.name, 'ValidationError');
  });
}

test('values are bound, never spliced: a quote in a value is just data', async (t) => {
  t.is(await names([['name', '=', "a' OR '1'='1"]]), '');
});
