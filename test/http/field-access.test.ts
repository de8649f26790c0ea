/**
 * Field groups through every entry point, over the wire: a table of calls that each touch a
 * restricted field of the test_field_access fixture, sent as a user outside the field's groups
 * through call_kw (/web/dataset/call_kw), JSON-RPC (/jsonrpc) and XML-RPC (/xmlrpc/2/object).
 * Each must be an access error naming the field; the same call from a user in the group
 * succeeds, so the refusal is the field's groups and nothing else.
 */
import test from 'ava';
import { SUPERUSER_ID } from '../../core/orm/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { callKwHttp, jsonCall, webLogin, xmlRpc } from './helpers.ts';

let srv: TestServer;
const uid: Record<'basic' | 'trusted' | 'blocked', number> = { basic: 0, trusted: 0, blocked: 0 };
const cookie: Record<string, string> = {};
let docId: number, lineId: number, vaultId: number;

test.before(async () => {
  srv = await startTestServer({ addons: ['test_field_access'], fixtures: true, webClient: false });
  await srv.app.withEnv(SUPERUSER_ID, async (env) => {
    for (const role of ['basic', 'trusted', 'blocked'] as const) {
      const group = await env.refId(`test_field_access.group_${role}`);
      uid[role] = (await env.model('res.users').create({ name: `FA ${role}`, login: `fa_${role}`, password: `fa_${role}_pw`, groups_id: [[6, 0, [group]]] })).ids[0];
    }
    vaultId = (await env.model('test.fa.vault').create({ name: 'Vault', code: 'V-CODE' })).ids[0];
    const doc = await env.model('test.fa.doc').create({
      name: 'Doc of basic', owner_id: uid.basic, public_note: 'hello', secret: 'the-secret', amount: 7,
      secret_day: '2026-01-15', vault_id: vaultId, memo: 'a memo', line_ids: [[0, 0, { name: 'Line', hidden: 'hidden-value' }]],
    });
    docId = doc.ids[0];
    lineId = (await env.model('test.fa.line').search([['doc_id', '=', docId]])).ids[0];
  });
  for (const role of ['basic', 'trusted', 'blocked'] as const) cookie[role] = await webLogin(srv.url, `fa_${role}`, `fa_${role}_pw`);
});
test.after.always(async () => srv?.close());

type Transport = 'call_kw' | 'jsonrpc' | 'xmlrpc';
interface Outcome { ok: boolean; result?: unknown; errorName?: string; message?: string }

async function call(transport: Transport, role: keyof typeof uid, model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<Outcome> {
  if (transport === 'call_kw') {
    const r = await callKwHttp(srv.url, cookie[role], model, method, args, kwargs);
    return r.error ? { ok: false, errorName: r.error.data.name, message: r.error.data.message } : { ok: true, result: r.result };
  }
  const params = ['helpdesk', uid[role], `fa_${role}_pw`, model, method, args, kwargs];
  if (transport === 'jsonrpc') {
    const r = await jsonCall(srv.url, '/jsonrpc', { service: 'object', method: 'execute_kw', args: params });
    return r.error ? { ok: false, errorName: r.error.data.name, message: r.error.data.message } : { ok: true, result: r.result };
  }
  const r = await xmlRpc(srv.url, '/xmlrpc/2/object', 'execute_kw', params);
  if (!r.fault) return { ok: true, result: r.value };
  const [name, ...rest] = r.fault.faultString.split(': ');
  return { ok: false, errorName: name, message: rest.join(': ') };
}

interface Row {
  entry: string;
  model?: string;
  method: string;
  args: () => unknown[];
  kwargs?: Record<string, unknown>;
  /** The restricted field the error must name. */
  field: string;
}

const D = 'test.fa.doc';
const ROWS: Row[] = [
  { entry: 'read', method: 'read', args: () => [[docId], ['name', 'secret']], field: 'secret' },
  { entry: 'read of a related field whose path passes through a restricted field', method: 'read', args: () => [[docId], ['vault_code']], field: 'vault_id' },
  { entry: 'read on the comodel', model: 'test.fa.line', method: 'read', args: () => [[lineId], ['hidden']], field: 'hidden' },
  { entry: 'search_read fields', method: 'search_read', args: () => [[], ['name', 'amount']], field: 'amount' },
  { entry: 'search_read domain', method: 'search_read', args: () => [[['secret', '=', 'the-secret']]], kwargs: { fields: ['name'] }, field: 'secret' },
  { entry: 'search_read order', method: 'search_read', args: () => [[]], kwargs: { fields: ['name'], order: 'amount desc' }, field: 'amount' },
  { entry: 'search domain', method: 'search', args: () => [[['secret', 'ilike', 'sec']]], field: 'secret' },
  { entry: 'search domain under a negation', method: 'search', args: () => [['!', ['secret', '=', false]]], field: 'secret' },
  { entry: 'search domain in an or', method: 'search', args: () => [['|', ['name', '=', 'x'], ['amount', '>', 5]]], field: 'amount' },
  { entry: 'search domain: dotted path ending on a restricted field', method: 'search', args: () => [[['line_ids.hidden', '=', 'hidden-value']]], field: 'hidden' },
  { entry: 'search domain: dotted path passing through a restricted field', method: 'search', args: () => [[['vault_id.code', '=', 'V-CODE']]], field: 'vault_id' },
  { entry: 'search domain: related field through a restricted field', method: 'search', args: () => [[['vault_code', '=', 'V-CODE']]], field: 'vault_id' },
  { entry: 'search domain: any on a restricted many2one', method: 'search', args: () => [[['vault_id', 'any', [['code', '=', 'V-CODE']]]]], field: 'vault_id' },
  { entry: 'search domain: from the comodel back through a path', model: 'test.fa.line', method: 'search', args: () => [[['doc_id.secret', '=', 'the-secret']]], field: 'secret' },
  { entry: 'search order', method: 'search', args: () => [[]], kwargs: { order: 'secret desc, id' }, field: 'secret' },
  { entry: 'search_count domain', method: 'search_count', args: () => [[['amount', '>', 0]]], field: 'amount' },
  { entry: 'name_search extra domain', method: 'name_search', args: () => ['Doc', [['secret', '=', 'the-secret']]], field: 'secret' },
  { entry: 'read_group aggregate', method: 'read_group', args: () => [[], ['amount:sum'], ['name']], field: 'amount' },
  { entry: 'read_group aggregate with an alias', method: 'read_group', args: () => [[], ['total:max(amount)'], ['name']], field: 'amount' },
  { entry: 'read_group plain field in the list', method: 'read_group', args: () => [[], ['name', 'secret'], ['name']], field: 'secret' },
  { entry: 'read_group group-by', method: 'read_group', args: () => [[], ['name'], ['secret']], field: 'secret' },
  { entry: 'read_group group-by with granularity', method: 'read_group', args: () => [[], ['name'], ['secret_day:month']], field: 'secret_day' },
  { entry: 'read_group lazy second group-by', method: 'read_group', args: () => [[], ['name'], ['name', 'vault_id']], field: 'vault_id' },
  { entry: 'read_group domain (a __domain sent back)', method: 'read_group', args: () => [['&', ['name', '=', 'Doc of basic'], ['secret', '=', 'the-secret']], ['name'], ['name']], field: 'secret' },
  { entry: 'export_data', method: 'export_data', args: () => [[docId], ['name', 'secret']], field: 'secret' },
  { entry: 'export_data path through a restricted field', method: 'export_data', args: () => [[docId], ['vault_id/code']], field: 'vault_id' },
  { entry: 'export_data path ending on a restricted field', method: 'export_data', args: () => [[docId], ['line_ids/hidden']], field: 'hidden' },
  { entry: 'write', method: 'write', args: () => [[docId], { secret: 'changed' }], field: 'secret' },
  { entry: 'write through a one2many command', method: 'write', args: () => [[docId], { line_ids: [[1, lineId, { hidden: 'changed' }]] }], field: 'hidden' },
  { entry: 'create', method: 'create', args: () => [{ name: 'New', amount: 3 }], field: 'amount' },
  { entry: 'create with a one2many line', method: 'create', args: () => [{ name: 'New', line_ids: [[0, 0, { name: 'L', hidden: 'x' }]] }], field: 'hidden' },
  { entry: 'default_get', method: 'default_get', args: () => [['name', 'secret']], field: 'secret' },
];

for (const transport of ['call_kw', 'jsonrpc', 'xmlrpc'] as const) {
  for (const row of ROWS) {
    test(`${transport}: ${row.entry} of a restricted field is an access error naming it, allowed to its group`, async (t) => {
      const model = row.model ?? D;
      const refused = await call(transport, 'basic', model, row.method, row.args(), row.kwargs);
      t.false(refused.ok, `refused: ${JSON.stringify(refused.result)}`);
      t.is(refused.errorName, 'odoo.exceptions.AccessError', refused.message);
      t.regex(refused.message!, new RegExp(`field '${row.field}'`));
      t.notRegex(refused.message!, /the-secret|hidden-value|V-CODE/);
      const allowed = await call(transport, 'trusted', model, row.method, row.args(), row.kwargs);
      t.true(allowed.ok, allowed.message);
    });
  }
}

test('fields_get and get_views leave restricted fields out (also in inline subviews) for users outside their groups', async (t) => {
  const fields = await callKwHttp(srv.url, cookie.basic, D, 'fields_get', [], {});
  for (const name of ['secret', 'amount', 'secret_day', 'vault_id', 'vault_code']) t.false(name in fields.result, name);
  t.true('name' in fields.result && 'memo' in fields.result);
  const views = (await callKwHttp(srv.url, cookie.basic, D, 'get_views', [[[false, 'form'], [false, 'search']]], {})).result;
  const form: string = views.views.form.arch;
  for (const name of ['secret', 'amount', 'vault_id', 'vault_code', 'hidden']) t.notRegex(form, new RegExp(`name="${name}"`), name);
  t.regex(form, /name="public_note"/);
  t.notRegex(views.views.search.arch, /name="secret"/);
  t.false('hidden' in views.models['test.fa.line']);
  const trusted = (await callKwHttp(srv.url, cookie.trusted, D, 'get_views', [[[false, 'form']]], {})).result;
  for (const name of ['secret', 'amount', 'vault_id', 'vault_code', 'hidden']) t.regex(trusted.views.form.arch, new RegExp(`name="${name}"`), name);
});

test('read without a field list returns only the fields the user may see (Odoo), never an error', async (t) => {
  const r = await callKwHttp(srv.url, cookie.basic, D, 'read', [[docId]], {});
  t.is(r.result[0].name, 'Doc of basic');
  for (const name of ['secret', 'amount', 'vault_id', 'vault_code']) t.false(name in r.result[0], name);
  const sr = await callKwHttp(srv.url, cookie.basic, D, 'search_read', [[]], {});
  t.deepEqual(sr.result.map((x: any) => x.id), [docId]);
  t.false('secret' in sr.result[0]);
});

test('groups="a,!b": a member of the negated group is refused even though the first group admits them', async (t) => {
  await srv.app.withEnv(SUPERUSER_ID, (env) => env.model('test.fa.doc').create({ name: 'Doc of blocked', owner_id: uid.blocked, memo: 'blocked memo' }));
  const basic = await call('xmlrpc', 'basic', D, 'search_read', [[['memo', '!=', false]]], { fields: ['memo'] });
  t.true(basic.ok, basic.message);
  t.deepEqual((basic.result as any[]).map((r) => r.memo), ['a memo']);
  for (const [method, args, kwargs] of [
    ['search_read', [[]], { fields: ['memo'] }],
    ['search_count', [[['memo', '=', 'blocked memo']]], {}],
    ['read_group', [[], ['name'], ['memo']], {}],
  ] as const) {
    const blocked = await call('xmlrpc', 'blocked', D, method, [...args], { ...kwargs });
    t.is(blocked.errorName, 'odoo.exceptions.AccessError', method);
    t.regex(blocked.message!, /field 'memo'/);
  }
  const fields = await callKwHttp(srv.url, cookie.blocked, D, 'fields_get', [], {});
  t.false('memo' in fields.result);
});

test('export_data follows Odoo\'s paths: names of many2ones, .id, external ids', async (t) => {
  const r = await call('xmlrpc', 'trusted', D, 'export_data', [[docId], ['name', 'vault_id', 'vault_id/code', 'vault_id/.id', 'line_ids/name', '.id']]);
  t.true(r.ok, r.message);
  t.deepEqual(r.result, { datas: [['Doc of basic', 'Vault', 'V-CODE', vaultId, 'Line', docId]] });
  const bad = await call('xmlrpc', 'trusted', D, 'export_data', [[docId], ['name/code']]);
  t.is(bad.errorName, 'odoo.exceptions.ValidationError');
});

test('refused writes and creates change nothing', async (t) => {
  await call('call_kw', 'basic', D, 'write', [[docId], { name: 'Renamed', secret: 'x' }]);
  await call('call_kw', 'basic', D, 'create', [{ name: 'Nope', secret: 'x' }]);
  await srv.app.withEnv(SUPERUSER_ID, async (env) => {
    const [doc] = await env.model('test.fa.doc').browse([docId]).read(['name']);
    t.is(doc.name, 'Doc of basic');
    t.is(await env.model('test.fa.doc').search_count([['name', '=', 'Nope']]), 0);
  });
});
