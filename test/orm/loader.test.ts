import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../../core/app.ts';
import { loadCsvFile, loadXmlFile } from '../../core/data/index.ts';
import { makeTestApp } from '../helpers/app.ts';

let app: App;
const dir = mkdtempSync(join(tmpdir(), 'erp-loader-'));
test.before(async () => {
  app = await makeTestApp({ addons: ['test_orm_ext'], fixtures: true });
});
test.after.always(async () => app?.close());

let fileCounter = 0;
/** Each call writes into its own folder: tests of this file run concurrently. */
const file = (name: string, content: string) => {
  const sub = join(dir, String(++fileCounter));
  mkdirSync(sub);
  const p = join(sub, name);
  writeFileSync(p, content);
  return p;
};
const mode = { module: 'test_orm', isUpdate: false, noupdate: false };

test('XML data: records, ref(), eval lists, x2many commands and XML ids were loaded', async (t) => {
  await app.withEnv(2, async (env) => {
    const item = await env.ref('test_orm.item_demo');
    const [r] = await item.read(['name', 'price', 'quantity', 'tag_ids', 'day']);
    t.like(r, { name: 'Loaded from XML', price: 2.5, quantity: 4, day: '2026-01-15' });
    t.deepEqual((r.tag_ids as number[]).sort(), [await env.refId('test_orm.tag_root'), await env.refId('test_orm.tag_child')].sort());
    const [child] = await (await env.ref('test_orm.tag_child')).read(['parent_id', 'color']);
    t.deepEqual(child.parent_id, [await env.refId('test_orm.tag_root'), 'Root']);
    t.is(child.color, 3);
  });
});

test('CSV access file: lines were created with their groups and permissions', async (t) => {
  await app.withEnv(1, async (env) => {
    const rows = await env.model('ir.model.access').search_read([['name', '=', 'item reader']], ['model_id', 'group_id', 'perm_read', 'perm_unlink']);
    t.is(rows.length, 1);
    t.like(rows[0], { perm_read: true, perm_unlink: false });
    t.deepEqual((rows[0].group_id as [number, string])[1], 'Test Reader');
  });
});

test('menuitems build a tree with actions and groups', async (t) => {
  await app.withEnv(1, async (env) => {
    const [menu] = await (await env.ref('test_orm.menu_test_items')).read(['parent_id', 'action', 'name']);
    t.deepEqual((menu.parent_id as [number, string])[1], 'Test App');
    t.regex(String(menu.action), /^ir\.actions\.act_window,\d+$/);
  });
});

test('reloading a file updates records but respects noupdate blocks', async (t) => {
  await app.withEnv(1, async (env) => {
    await (await env.ref('test_orm.item_demo')).write({ name: 'edited by user' });
    await (await env.ref('test_orm.tag_root')).write({ name: 'edited root' });
    const f = file('reload.xml', `<odoo>
      <record id="tag_root" model="test.orm.tag"><field name="name">Root</field></record>
      <data noupdate="1"><record id="item_demo" model="test.orm.item"><field name="name">Loaded from XML</field></record></data>
    </odoo>`);
    await loadXmlFile(env, f, { ...mode, isUpdate: true });
    t.is((await (await env.ref('test_orm.tag_root')).read(['name']))[0].name, 'Root');
    t.is((await (await env.ref('test_orm.item_demo')).read(['name']))[0].name, 'edited by user');
  });
});

const xmlErrors: Array<[string, string, RegExp]> = [
  ['malformed XML', '<odoo><record id="x" model="test.orm.tag"></odoo>', /bad\.xml:1: malformed XML: Opening and ending tag mismatch/],
  ['unknown model', '<odoo>\n<record id="x" model="no.such"/>\n</odoo>', /bad\.xml:2: <record id="x">: unknown model 'no.such'/],
  ['unknown field', '<odoo>\n<record id="x" model="test.orm.tag">\n<field name="nope">1</field>\n</record></odoo>', /bad\.xml:2: <record id="x">: field 'nope' \(line 3\): model 'test.orm.tag' has no field 'nope'/],
  ['missing ref', '<odoo>\n<record id="x" model="test.orm.tag"><field name="parent_id" ref="ghost"/></record></odoo>', /bad\.xml:2: <record id="x">: .*External ID not found: test_orm\.ghost/],
  ['bad eval', '<odoo>\n\n<record id="x" model="test.orm.tag"><field name="color" eval="[1,"/></record></odoo>', /bad\.xml:3: <record id="x">: .*Syntax error/],
  ['missing required value', '<odoo>\n<record id="x" model="test.orm.tag"><field name="color" eval="1"/></record></odoo>', /bad\.xml:2: <record id="x">: Missing required value for field 'Name'/],
  ['unknown element', '<odoo>\n<template id="x"/></odoo>', /bad\.xml:2: unknown element <template>/],
  ['wrong root', '<data/>', /root element must be <odoo>/],
];
for (const [title, xml, message] of xmlErrors) {
  test(`XML data error names file, line and record: ${title}`, async (t) => {
    const f = file('bad.xml', xml);
    const err = await t.throwsAsync(app.withEnv(1, (env) => loadXmlFile(env, f, mode)));
    t.regex(err!.message, message);
  });
}

test('a failing data file loads nothing (its transaction rolls back)', async (t) => {
  const f = file('half.xml', '<odoo><record id="half_ok" model="test.orm.tag"><field name="name">ok</field></record><record id="half_bad" model="test.orm.tag"/></odoo>');
  await t.throwsAsync(app.withEnv(1, (env) => loadXmlFile(env, f, mode)));
  t.is(await app.withEnv(1, (env) => env.model('test.orm.tag').search_count([['name', '=', 'ok']])), 0);
});

test('CSV errors name the file, the line and the record', async (t) => {
  const f = file('test.orm.tag.csv', 'id,name,parent_id:id\ntag_a,A,\ntag_b,B,ghost\n');
  const err = await t.throwsAsync(app.withEnv(1, (env) => loadCsvFile(env, f, mode)));
  t.regex(err!.message, /test\.orm\.tag\.csv:3: record 'tag_b': External ID not found: test_orm\.ghost/);
  const bad = file('test.orm.tag.csv', 'id,colour\nx,1\n');
  const err2 = await t.throwsAsync(app.withEnv(1, (env) => loadCsvFile(env, bad, mode)));
  t.regex(err2!.message, /test\.orm\.tag\.csv:1: model 'test.orm.tag' has no field 'colour'/);
});

test('CSV rows create records with XML ids', async (t) => {
  const f = file('test.orm.tag.csv', 'id,name,color\ncsv_tag,From CSV,7\n');
  await app.withEnv(1, async (env) => {
    await loadCsvFile(env, f, mode);
    const [r] = await (await env.ref('test_orm.csv_tag')).read(['name', 'color']);
    t.like(r, { name: 'From CSV', color: 7 });
  });
});

test('inheritance across addons: fields, overridden methods calling super, inherited views', async (t) => {
  await app.withEnv(2, async (env) => {
    const item = await env.model('test.orm.item').create({ name: 'ext' });
    const [r] = await item.read(['extra', 'notes']);
    t.is(r.extra, 'ext:ext', 'test_orm_ext.create ran');
    t.is(r.notes, 'created by test_orm', 'test_orm.create ran below it (super)');
    await (item as any).action_confirm();
    t.like((await item.read(['state', 'done']))[0], { state: 'confirmed', done: true });
    const views: any = await env.model('test.orm.item').get_views([[false, 'form'], [false, 'list']]);
    t.regex(views.views.form.arch, /<field name="state"\/><field name="extra"\/>/);
    t.regex(views.views.form.arch, /<group name="main" string="Main">/);
    t.regex(views.views.list.arch, /^<list /, 'tree is served as list');
    t.like(views.models['test.orm.item'].extra, { type: 'char' });
    t.truthy(views.models['test.orm.line'], 'comodels of x2many fields are described');
  });
});
