/**
 * Stored computed fields that depend on other models' fields are recomputed by the ORM,
 * once per batch, when those fields change — by write, create or unlink of the other model.
 */
import test from 'ava';
import type { App } from '../../core/app.ts';
import { makeTestApp } from '../helpers/app.ts';
import { computeCalls } from '../fixtures/addons/test_orm/models/models.ts';

let app: App;
test.before(async () => { app = await makeTestApp({ addons: ['test_orm'], fixtures: true }); });
test.after.always(async () => app?.close());

const column = async (env: any, ids: number[], name: string) =>
  Object.fromEntries((await env.cr('test_orm_item').whereIn('id', ids).select('id', name)).map((r: any) => [r.id, r[name]]));

test.serial('changing a line\'s amount recomputes its item\'s stored total; adding and deleting lines too', async (t) => {
  await app.withEnv(2, async (env) => {
    const item = await env.model('test.orm.item').create({ name: 'I', line_ids: [[0, 0, { name: 'a', amount: 2 }], [0, 0, { name: 'b', amount: 3 }]] });
    t.is(Number((await column(env, item.ids, 'lines_amount'))[item.ids[0]]), 5);
    const lines = await env.model('test.orm.line').search([['item_id', '=', item.ids[0]]]);
    await lines.browse([lines.ids[0]]).write({ amount: 10 });
    t.is(Number((await column(env, item.ids, 'lines_amount'))[item.ids[0]]), 13);
    await env.model('test.orm.line').create({ name: 'c', item_id: item.ids[0], amount: 7 });
    t.is(Number((await column(env, item.ids, 'lines_amount'))[item.ids[0]]), 20);
    await lines.browse([lines.ids[0]]).unlink();
    t.is(Number((await column(env, item.ids, 'lines_amount'))[item.ids[0]]), 10);
    // Renaming a line changes nothing the total depends on: no recompute.
    const before = computeCalls.linesAmount.length;
    await lines.browse([lines.ids[1]]).write({ name: 'renamed' });
    t.is(computeCalls.linesAmount.length, before);
  });
});

test.serial('a dependency two models away recomputes every dependent record in one batch', async (t) => {
  await app.withEnv(2, async (env) => {
    const parent = await env.model('test.orm.tag').create({ name: 'Hardware' });
    const tag = await env.model('test.orm.tag').create({ name: 'Disk', parent_id: parent.ids[0] });
    const items = await env.model('test.orm.item').create(Array.from({ length: 30 }, (_, i) => ({ name: `I${i}`, tag_id: tag.ids[0] })));
    t.deepEqual(new Set(Object.values(await column(env, items.ids, 'tag_label'))), new Set(['Hardware / Disk']));
    computeCalls.tagLabel.length = 0;
    await parent.write({ name: 'Storage' });
    t.deepEqual(computeCalls.tagLabel, [30], 'one compute for the 30 items');
    t.deepEqual(new Set(Object.values(await column(env, items.ids, 'tag_label'))), new Set(['Storage / Disk']));
    await tag.write({ name: 'SSD' });
    t.deepEqual(new Set(Object.values(await column(env, items.ids, 'tag_label'))), new Set(['Storage / SSD']));
    // Searching and ordering use the stored value.
    const found = await env.model('test.orm.item').search([['tag_label', '=', 'Storage / SSD']]);
    t.is(found.length, 30);
  });
});

test.serial('the helpdesk keeps no SQL of its own to sync priority levels', async (t) => {
  const { readFileSync } = await import('node:fs');
  const source = readFileSync(new URL('../../addons/helpdesk_bytacora/models/helpdesk_ticket_priority.ts', import.meta.url), 'utf8');
  t.false(/UPDATE|cr\.raw|async write/.test(source));
});
