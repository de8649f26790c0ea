/**
 * ir.filters (favorites) over the web client's RPC route, as two internal users (alice,
 * bob) and the Settings administrator: everyone reads the shared filters and their own,
 * changes only their own (a shared one belongs to whoever created it), cannot create one for
 * someone else nor hand theirs over; `get_filters` lists shared and own ones only; one
 * default per user, model and action; bad domains and models are refused by name.
 */
import test from 'ava';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { callKwHttp, createInternalUser, webLogin } from '../../http/helpers.ts';

let srv: TestServer;
const uid: Record<string, number> = {};
const cookie: Record<string, string> = {};

test.before(async () => {
  srv = await startTestServer({ addons: ['base'], webClient: false });
  for (const login of ['alice', 'bob']) {
    uid[login] = await createInternalUser(srv.app, login);
    cookie[login] = await webLogin(srv.url, login, login);
  }
  cookie.admin = await webLogin(srv.url, 'admin', 'admin');
});
test.after.always(async () => { await srv?.close(); });

async function call(who: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<any> {
  const r = await callKwHttp(srv.url, cookie[who], 'ir.filters', method, args, kwargs);
  if (r.error) throw Object.assign(new Error(r.error.data.message), { name: r.error.data.name });
  return r.result;
}

let n = 0;
/** A filter of res.partner created by `who`; `shared` leaves user_id empty. */
async function makeFilter(who: string, opts: { shared?: boolean; extra?: Record<string, unknown> } = {}): Promise<{ id: number; name: string }> {
  const name = `${who} filter ${++n}`;
  const vals: Record<string, unknown> = { name, model_id: 'res.partner', domain: "[('name', 'ilike', 'a')]", context: "{'group_by': ['city']}", ...opts.extra };
  if (opts.shared) vals.user_id = false;
  return { id: await call(who, 'create', [vals]), name };
}

const isAccessError = { name: 'odoo.exceptions.AccessError' };
const isValidationError = { name: 'odoo.exceptions.ValidationError' };

test('a personal filter belongs to its creator by default and is invisible to others', async (t) => {
  const f = await makeFilter('alice');
  const [mine] = await call('alice', 'read', [[f.id], ['user_id', 'name']]);
  t.is(mine.user_id[0], uid.alice);
  t.deepEqual(await call('bob', 'search_read', [[['id', '=', f.id]], ['name']]), []);
  await t.throwsAsync(call('bob', 'read', [[f.id], ['name']]), isAccessError);
});

test('a shared filter is read by everyone, changed and deleted only by its creator', async (t) => {
  const f = await makeFilter('alice', { shared: true });
  const [seen] = await call('bob', 'read', [[f.id], ['name', 'user_id']]);
  t.is(seen.name, f.name);
  t.is(seen.user_id, false);
  await t.throwsAsync(call('bob', 'write', [[f.id], { name: 'Hijacked' }]), isAccessError);
  await t.throwsAsync(call('bob', 'unlink', [[f.id]]), isAccessError);
  t.true(await call('alice', 'write', [[f.id], { name: `${f.name} (renamed)` }]));
  t.true(await call('alice', 'unlink', [[f.id]]));
  t.deepEqual(await call('alice', 'search', [[['id', '=', f.id]]]), []);
});

test('nobody creates a filter for someone else nor hands theirs over', async (t) => {
  await t.throwsAsync(call('bob', 'create', [{ name: 'For alice', model_id: 'res.partner', user_id: uid.alice }]), isAccessError);
  const f = await makeFilter('bob');
  await t.throwsAsync(call('bob', 'write', [[f.id], { user_id: uid.alice }]), isAccessError);
  const [still] = await call('bob', 'read', [[f.id], ['user_id']]);
  t.is(still.user_id[0], uid.bob, 'the refused write changed nothing');
});

test('the Settings administrator manages every filter', async (t) => {
  const f = await makeFilter('bob');
  t.true(await call('admin', 'write', [[f.id], { name: 'Tidied by admin' }]));
  t.true(await call('admin', 'unlink', [[f.id]]));
});

test('get_filters lists the shared filters and the caller\'s own for the model, defaults first', async (t) => {
  const shared = await makeFilter('alice', { shared: true });
  const alices = await makeFilter('alice', { extra: { is_default: true } });
  const bobs = await makeFilter('bob');
  await call('alice', 'create', [{ name: 'Other model', model_id: 'res.users' }]);
  const forAlice = await call('alice', 'get_filters', ['res.partner']);
  const names = forAlice.map((f: any) => f.name);
  t.true(names.includes(shared.name) && names.includes(alices.name));
  t.false(names.includes(bobs.name), 'not bob\'s');
  t.false(names.includes('Other model'));
  t.is(forAlice[0].name, alices.name, 'the default first');
  t.deepEqual(Object.keys(forAlice[0]).sort(), ['action_id', 'context', 'create_uid', 'domain', 'id', 'is_default', 'name', 'sort', 'user_id']);
  const forAdmin = (await call('admin', 'get_filters', ['res.partner'])).map((f: any) => f.name);
  t.false(forAdmin.includes(bobs.name), 'the administrator gets shared and own ones too, not everybody\'s');
  await t.throwsAsync(call('alice', 'get_filters', [false]), isValidationError);
});

test('one default per user, model and action: a new personal default replaces the old, a second shared default is refused', async (t) => {
  const first = await makeFilter('bob', { extra: { model_id: 'res.groups', is_default: true } });
  const second = await makeFilter('bob', { extra: { model_id: 'res.groups', is_default: true } });
  const rows = await call('bob', 'read', [[first.id, second.id], ['is_default']]);
  t.deepEqual(rows.map((r: any) => r.is_default), [false, true]);
  await makeFilter('alice', { shared: true, extra: { model_id: 'res.groups', is_default: true } });
  const refused = await t.throwsAsync(makeFilter('bob', { shared: true, extra: { model_id: 'res.groups', is_default: true } }), isValidationError);
  t.regex(refused!.message, /shared default filter/);
});

test('a domain or context that is not a Python literal of the right kind, or an unknown model, is refused by name', async (t) => {
  const bad = await t.throwsAsync(call('alice', 'create', [{ name: 'Bad', model_id: 'res.partner', domain: "[('name', '=', __import__('os'))]" }]), isValidationError);
  t.regex(bad!.message, /domain/);
  const notList = await t.throwsAsync(call('alice', 'create', [{ name: 'Bad', model_id: 'res.partner', domain: "{'a': 1}" }]), isValidationError);
  t.regex(notList!.message, /domain must be a list/);
  const ctx = await t.throwsAsync(call('alice', 'create', [{ name: 'Bad', model_id: 'res.partner', context: '[1]' }]), isValidationError);
  t.regex(ctx!.message, /context must be a dictionary/);
  const model = await t.throwsAsync(call('alice', 'create', [{ name: 'Bad', model_id: 'no.such.model' }]), isValidationError);
  t.regex(model!.message, /no\.such\.model/);
});

test('Settings > Technical > User Interface > User-defined Filters lists ir.filters', async (t) => {
  const [menu] = await srv.app.withEnv(1, async (env) => env.model('ir.ui.menu').browse([await env.refId('base.menu_ir_filters')]).read(['name', 'parent_id', 'action']));
  t.is(menu.name, 'User-defined Filters');
  t.is((menu.parent_id as [number, string])[0], await srv.app.withEnv(1, (env) => env.refId('base.menu_custom_ui')));
  t.regex(String(menu.action), /ir\.actions\.act_window,\d+/);
  const action = await srv.app.withEnv(1, async (env) => (await env.model('ir.actions.act_window').browse([await env.refId('base.action_ir_filters')]).read(['res_model']))[0]);
  t.is(action.res_model, 'ir.filters');
});
