import test from 'ava';
import type { App } from '../../core/app.ts';
import { makeTestApp } from '../helpers/app.ts';
import { ruleDomain } from '../../core/security/index.ts';

/** Two groups from the fixture: reader (own items, no delete) and manager (all items, delete). */
let app: App;
let reader: number, reader2: number, manager: number, plain: number;
let readerItem: number, managerItem: number;

test.before(async () => {
  app = await makeTestApp({ addons: ['test_orm'], fixtures: true });
  await app.withEnv(1, async (env) => {
    const g = async (x: string) => env.refId(x);
    const mk = async (login: string, groups: string[]) => (await env.model('res.users').create({ name: login, login, password: login, groups_id: [[6, 0, await Promise.all(groups.map(g))]] })).ids[0];
    reader = await mk('reader', ['test_orm.group_reader']);
    reader2 = await mk('reader2', ['test_orm.group_reader']);
    manager = await mk('manager', ['test_orm.group_manager']);
    plain = await mk('plain', ['base.group_user']);
  });
  readerItem = await app.withEnv(reader, async (env) => (await env.model('test.orm.item').create({ name: 'mine' })).ids[0]);
  managerItem = await app.withEnv(manager, async (env) => (await env.model('test.orm.item').create({ name: 'managers' })).ids[0]);
});
test.after.always(async () => app?.close());

test('implied groups: a manager is also a reader and an internal user', async (t) => {
  await app.withEnv(manager, async (env) => {
    t.true(await env.hasGroup('test_orm.group_reader'));
    t.true(await env.hasGroup('base.group_user'));
    t.false(await env.hasGroup('base.group_system'));
  });
});

test('model access: a user without any access line cannot read the model', async (t) => {
  const err = await t.throwsAsync(app.withEnv(plain, (env) => env.model('test.orm.item').search([])));
  t.is(err!.name, 'AccessError');
  t.regex(err!.message, /not allowed to access 'Test Item' \(test.orm.item\)/);
});

test('model access: readers may not delete, managers may', async (t) => {
  const err = await t.throwsAsync(app.withEnv(reader, (env) => env.model('test.orm.item').browse([readerItem]).unlink()));
  t.regex(err!.message, /not allowed to delete 'Test Item'/);
  const tmp = await app.withEnv(manager, async (env) => (await env.model('test.orm.item').create({ name: 'tmp' })).ids[0]);
  await app.withEnv(manager, (env) => env.model('test.orm.item').browse([tmp]).unlink());
  t.is(await app.withEnv(1, (env) => env.model('test.orm.item').search_count([['id', '=', tmp]])), 0);
});

test('record rules: a reader sees only their own items', async (t) => {
  const ids = await app.withEnv(reader, async (env) => (await env.model('test.orm.item').search([])).ids);
  t.deepEqual(ids, [readerItem]);
  const ids2 = await app.withEnv(reader2, async (env) => (await env.model('test.orm.item').search([])).ids);
  t.deepEqual(ids2, []);
});

test('record rules come from core/security: ruleDomain gives the user\'s domain, or null when nothing restricts', async (t) => {
  const ownOnly = await app.withEnv(reader, (env) => ruleDomain(env, 'test.orm.item', 'read'));
  t.deepEqual(ownOnly, [['owner_id', '=', reader]]);
  // The manager's [(1, '=', 1)] is OR-ed with the reader rule it implies: no restriction left to apply.
  const managers = await app.withEnv(manager, (env) => ruleDomain(env, 'test.orm.item', 'read'));
  t.truthy(managers && JSON.stringify(managers).includes('[1,"=",1]'));
  t.is(await app.withEnv(1, (env) => ruleDomain(env, 'test.orm.item', 'read')), null);
  t.is(await app.withEnv(reader, (env) => ruleDomain(env.sudo(), 'test.orm.item', 'read')), null);
  t.is(await app.withEnv(reader, (env) => ruleDomain(env, 'res.lang', 'read')), null);
});

test('record rules: a manager sees every item (group rules are OR-ed)', async (t) => {
  const ids = await app.withEnv(manager, async (env) => (await env.model('test.orm.item').search([], 0, null, 'id')).ids);
  t.true(ids.includes(readerItem) && ids.includes(managerItem));
});

test('record rules: reading or writing a forbidden id is an AccessError, and nothing changes', async (t) => {
  const e1 = await t.throwsAsync(app.withEnv(reader2, (env) => env.model('test.orm.item').browse([readerItem]).read(['name'])));
  t.is(e1!.name, 'AccessError');
  const e2 = await t.throwsAsync(app.withEnv(reader2, (env) => env.model('test.orm.item').browse([readerItem]).write({ name: 'hacked' })));
  t.is(e2!.name, 'AccessError');
  const [r] = await app.withEnv(1, (env) => env.model('test.orm.item').browse([readerItem]).read(['name']));
  t.is(r.name, 'mine');
});

test('record rules apply to search_count, read_group and name_search', async (t) => {
  await app.withEnv(reader2, async (env) => {
    t.is(await env.model('test.orm.item').search_count([]), 0);
    const groups = await env.model('test.orm.item').read_group([], ['quantity'], ['state']);
    t.deepEqual(groups, []);
    t.deepEqual(await env.model('test.orm.item').name_search('mine'), []);
  });
});

test('record rules apply through dotted paths from another model', async (t) => {
  // Lines are readable by readers, but a path into items must not reveal other users' items.
  await app.withEnv(manager, (env) => env.model('test.orm.item').browse([managerItem]).write({ line_ids: [[0, 0, { name: 'secret-line' }]] }));
  const found = await app.withEnv(reader, (env) => env.model('test.orm.line').sudo().search_count([['item_id.name', '=', 'managers']]));
  t.is(found, 1, 'sudo sees it');
  const seen = await app.withEnv(reader, (env) => env.model('test.orm.line').search_count([['item_id.name', '=', 'managers']]));
  t.is(seen, 0);
});

test('creating a record outside one\'s rule is refused', async (t) => {
  const err = await t.throwsAsync(app.withEnv(reader, (env) => env.model('test.orm.item').create({ name: 'for someone else', owner_id: reader2 })));
  t.is(err!.name, 'AccessError');
});

test('field groups: restricted fields are hidden from fields_get and refused on read/write', async (t) => {
  await app.withEnv(reader, async (env) => {
    const f = await env.model('test.orm.item').fields_get();
    t.false('secret' in f);
    t.true('name' in f);
    const [all] = await env.model('test.orm.item').browse([readerItem]).read();
    t.false('secret' in all);
    const e = await t.throwsAsync(env.model('test.orm.item').browse([readerItem]).read(['secret']));
    t.is(e!.name, 'AccessError');
    const w = await t.throwsAsync(env.model('test.orm.item').browse([readerItem]).write({ secret: 'x' }));
    t.is(w!.name, 'AccessError');
  });
});

test('sudo() bypasses access rights and rules explicitly', async (t) => {
  const n = await app.withEnv(plain, (env) => env.model('test.orm.item').sudo().search_count([]));
  t.true(n >= 2);
});

test('views: get_views removes nodes of groups the user lacks', async (t) => {
  const readerView = await app.withEnv(reader, (env) => env.model('test.orm.item').get_views([[false, 'form']]));
  const adminView = await app.withEnv(2, (env) => env.model('test.orm.item').get_views([[false, 'form']]));
  t.notRegex((readerView as any).views.form.arch, /name="secret"/);
  t.regex((adminView as any).views.form.arch, /name="secret"/);
});

test('menus: each user sees the menus of their groups only', async (t) => {
  const names = async (uid: number): Promise<string[]> => Object.values(await app.withEnv(uid, (env: any) => env.model('ir.ui.menu').load_web_menus()) as Record<string, { name: string }>).map((m) => m.name);
  const r = await names(reader);
  t.true(r.includes('Test App') && r.includes('Items'));
  t.false(r.includes('Admin Items'));
  t.false(r.includes('Settings'));
  const m = await names(manager);
  t.true(m.includes('Admin Items'));
  t.false((await names(plain)).includes('Test App'));
  t.true((await names(2)).includes('Settings'));
});

test('passwords are hashed with scrypt and never read back', async (t) => {
  await app.withEnv(1, async (env) => {
    const row = await env.cr('res_users').where({ id: reader }).first('password');
    t.regex(row.password, /^scrypt\$16384\$8\$1\$/);
    const [u] = await env.model('res.users').browse([reader]).read(['password']);
    t.is(u.password, '');
    t.is(await (env.model('res.users') as any)._authenticate('reader', 'reader'), reader);
    await t.throwsAsync((env.model('res.users') as any)._authenticate('reader', 'wrong'), { name: 'AccessDenied' });
  });
});
