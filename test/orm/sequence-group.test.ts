import test from 'ava';
import type { App } from '../../core/app.ts';
import { makeTestApp } from '../helpers/app.ts';

let app: App;
test.before(async () => {
  app = await makeTestApp({ addons: ['test_orm'], fixtures: true });
  await app.withEnv(2, async (env) => {
    const [p1, p2] = (await env.model('res.partner').create([{ name: 'P1' }, { name: 'P2' }])).ids;
    await env.model('test.orm.item').create([
      { name: 'g1', state: 'draft', quantity: 1, price: 1, partner_id: p1, day: '2026-01-05', moment: '2026-01-05 10:00:00' },
      { name: 'g2', state: 'draft', quantity: 2, price: 2, partner_id: p2, day: '2026-01-20', moment: '2026-01-20 10:00:00' },
      { name: 'g3', state: 'done', quantity: 3, price: 3, partner_id: p1, day: '2026-02-03', moment: '2026-02-03 10:00:00' },
    ]);
  });
});
test.after.always(async () => app?.close());

test('sequence numbers are formatted with prefix and padding', async (t) => {
  const n = await app.withEnv(1, (env: any) => env.model('ir.sequence').next_by_code('test.orm.item')) as string;
  t.regex(n, /^IT-\d{4}$/);
});

test('concurrent transactions never get the same sequence number', async (t) => {
  const numbers = await Promise.all(Array.from({ length: 25 }, () => app.withEnv(1, (env: any) => env.model('ir.sequence').next_by_code('test.orm.item'))));
  t.is(new Set(numbers).size, 25);
});

const scope = [['name', 'in', ['g1', 'g2', 'g3']]];

test('read_group by selection counts and sums', async (t) => {
  const groups = await app.withEnv(2, (env) => env.model('test.orm.item').read_group(scope, ['quantity:sum', 'price'], ['state']));
  t.deepEqual(groups.map((g) => [g.state, g.state_count, g.quantity, g.price]), [['draft', 2, 3, 3], ['done', 1, 3, 3]], 'in the selection order, as Odoo');
});

test('read_group by selection follows the selection order unless an orderby is given', async (t) => {
  await app.withEnv(2, (env) => env.model('test.orm.item').create({ name: 'g4', state: 'confirmed' }));
  const wide = [['name', 'in', ['g1', 'g2', 'g3', 'g4']]];
  const ordered = await app.withEnv(2, (env) => env.model('test.orm.item').read_group(wide, ['state'], ['state']));
  t.deepEqual(ordered.map((g) => g.state), ['draft', 'confirmed', 'done']);
  const byName = await app.withEnv(2, (env) => env.model('test.orm.item').read_group(wide, ['state'], ['state'], 0, null, 'state desc'));
  t.deepEqual(byName.map((g) => g.state), ['draft', 'done', 'confirmed']);
});

test('read_group by many2one gives [id, name] and a domain that finds the group', async (t) => {
  await app.withEnv(2, async (env) => {
    const groups = await env.model('test.orm.item').read_group(scope, [], ['partner_id']);
    t.deepEqual(groups.map((g) => [(g.partner_id as any)[1], g.partner_id_count]), [['P1', 2], ['P2', 1]]);
    t.is(await env.model('test.orm.item').search_count(groups[0].__domain as unknown[]), 2);
  });
});

test('read_group with date granularity labels the periods', async (t) => {
  await app.withEnv(2, async (env) => {
    const byMonth = await env.model('test.orm.item').read_group(scope, [], ['day:month']);
    t.deepEqual(byMonth.map((g) => [g['day:month'], g.day_count]), [['January 2026', 2], ['February 2026', 1]]);
    t.is(await env.model('test.orm.item').search_count(byMonth[0].__domain as unknown[]), 2);
    const byYear = await env.model('test.orm.item').read_group(scope, [], ['moment:year']);
    t.deepEqual(byYear.map((g) => g['moment:year']), ['2026']);
    const byWeek = await env.model('test.orm.item').read_group(scope, [], ['moment:week']);
    t.deepEqual(byWeek.map((g) => g['moment:week']), ['W2 2026', 'W4 2026', 'W6 2026']);
    const byDay = await env.model('test.orm.item').read_group(scope, [], ['day:day']);
    t.is(byDay.length, 3);
  });
});

test('read_group non-lazy groups by several fields with __count', async (t) => {
  const groups = await app.withEnv(2, (env) => env.model('test.orm.item').read_group(scope, [], ['state', 'partner_id'], 0, null, null, false));
  t.deepEqual(groups.map((g) => [g.state, (g.partner_id as any)[1], g.__count]), [['draft', 'P1', 1], ['draft', 'P2', 1], ['done', 'P1', 1]]);
});

test('read_group refuses unknown fields and bad granularities', async (t) => {
  const e1 = await t.throwsAsync(app.withEnv(2, (env) => env.model('test.orm.item').read_group([], [], ['nope'])));
  t.regex(e1!.message, /unknown field 'nope'/);
  const e2 = await t.throwsAsync(app.withEnv(2, (env) => env.model('test.orm.item').read_group([], [], ['day:century'])));
  t.regex(e2!.message, /granularity must be one of/);
  const e3 = await t.throwsAsync(app.withEnv(2, (env) => env.model('test.orm.item').read_group([], ['price:drop'], ['state'])));
  t.regex(e3!.message, /Invalid aggregate function 'drop'/);
});
