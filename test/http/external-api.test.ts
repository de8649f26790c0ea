/**
 * Odoo's External API examples run by Python's own xmlrpc.client against a live server,
 * then the same calls through /jsonrpc and /web/dataset/call_kw (session cookie), which
 * must answer the same.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../core/config.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { callKwHttp, createInternalUser, jsonRpc, webLogin } from './helpers.ts';

const run = promisify(execFile);
let srv: TestServer;
let py: Record<string, any>;

test.before(async () => {
  srv = await startTestServer({ addons: ['base'], webClient: false });
  await srv.app.withEnv(1, async (env) => {
    const companies = Array.from({ length: 12 }, (_, i) => ({ name: `Company ${String(i + 1).padStart(2, '0')}`, is_company: true, country: 'Spain', comment: `Customer number ${i + 1}` }));
    await env.model('res.partner').create([...companies, { name: 'Ana Person', is_company: false }]);
  });
  await createInternalUser(srv.app, 'employee');
  const script = join(PROJECT_ROOT, 'test', 'http', 'python', 'external_api.py');
  const { stdout } = await run('python3', [script, srv.url, 'helpdesk', 'admin', 'admin', 'employee', 'employee'], { timeout: 60_000 });
  py = JSON.parse(stdout);
});
test.after.always(async () => { await srv?.close(); });

test('common.version answers the Odoo 17 protocol description', (t) => {
  t.is(py.version.server_version, '17.0');
  t.is(py.version.protocol_version, 1);
  t.deepEqual(py.version.server_version_info.slice(0, 2), [17, 0]);
});

test('authenticate and login return the uid, a wrong password returns False', (t) => {
  t.is(py.uid, 2);
  t.is(py.login_uid, 2);
  t.is(py.wrong_password, false);
});

test('check_access_rights with raise_exception=False answers a boolean', (t) => {
  t.is(py.check_access_rights, true);
});

test('search, pagination with order, and search_count agree', (t) => {
  t.is(py.search.length, 12);
  t.is(py.search_count, 12);
  t.is(py.search_page.length, 5);
  t.deepEqual(py.search_page, [...py.search].reverse().slice(2, 7), 'name desc, offset 2, limit 5');
});

test('read returns the asked fields, or all fields when none are given', (t) => {
  t.deepEqual(py.read.map((r: any) => Object.keys(r).sort()), py.read.map(() => ['comment', 'country', 'id', 'name']));
  t.deepEqual(py.read.map((r: any) => r.id), py.read_ids);
  t.is(py.read[0].name, 'Company 01');
  t.true(py.read_all_fields_count > 10);
});

test('fields_get filtered by attributes describes each field', (t) => {
  t.deepEqual(py.fields_get.name, { string: 'Name', help: false, type: 'char' });
  t.is(py.fields_get.is_company.type, 'boolean');
  t.deepEqual(Object.keys(py.fields_get.parent_id).sort(), ['help', 'string', 'type']);
});

test('search_read returns records with the asked fields and limit', (t) => {
  t.is(py.search_read.length, 5);
  t.deepEqual(py.search_read[0], { id: py.search[0], name: 'Company 01', country: 'Spain', comment: 'Customer number 1' });
});

test('create returns one id for a dict and a list of ids for a list', (t) => {
  t.is(typeof py.create, 'number');
  t.is(py.create_many.length, 2);
});

test('write then read shows the new display_name', (t) => {
  t.is(py.write, true);
  t.deepEqual(py.read_after_write, [{ id: py.create, display_name: 'Newer partner' }]);
});

test('an internal user deleting a partner gets an AccessError fault (code 4)', (t) => {
  t.true(py.user_uid > 2);
  t.is(py.user_unlink.faultCode, 4);
  t.regex(py.user_unlink.faultString, /^odoo\.exceptions\.AccessError: .*not allowed to delete/);
});

test('execute_kw with a wrong password is an AccessDenied fault (code 3)', (t) => {
  t.is(py.user_wrong_password.faultCode, 3);
  t.regex(py.user_wrong_password.faultString, /AccessDenied/);
});

test('unlink removes the record: search finds nothing, read is a MissingError fault', (t) => {
  t.is(py.unlink, true);
  t.deepEqual(py.search_deleted, []);
  t.is(py.read_deleted.faultCode, 2);
  t.regex(py.read_deleted.faultString, /MissingError/);
});

test('bad calls are faults naming the problem, and the server goes on', (t) => {
  t.regex(py.bad_domain.faultString, /bogus/);
  t.regex(py.bad_order.faultString, /Invalid order/);
  t.is(py.private_method.faultCode, 4);
  t.regex(py.private_method.faultString, /Private methods \(such as _displayNames\) cannot be called remotely/);
  t.regex(py.unknown_method.faultString, /no_such_method/);
  t.regex(py.unknown_model.faultString, /no\.such\.model/);
  t.regex(py.bad_field.faultString, /no_such_field/);
  for (const k of ['bad_domain', 'bad_order', 'unknown_method', 'unknown_model', 'bad_field']) t.is(py[k].faultCode, 2, k);
  t.is(py.after_errors_count, 12);
});

test('db.list returns the configured database name', (t) => {
  t.deepEqual(py.db_list, ['helpdesk']);
});

test('the same calls through /jsonrpc return the same results', async (t) => {
  const exec = (model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>) =>
    jsonRpc(srv.url, 'object', 'execute_kw', ['helpdesk', 2, 'admin', model, method, args, ...(kwargs ? [kwargs] : [])]);
  t.is(await jsonRpc(srv.url, 'common', 'authenticate', ['helpdesk', 'admin', 'admin', {}]), 2);
  t.deepEqual(await jsonRpc(srv.url, 'common', 'version', []), py.version);
  t.deepEqual(await exec('res.partner', 'search', [[['is_company', '=', true]]]), py.search);
  t.deepEqual(await exec('res.partner', 'search', [[['is_company', '=', true]]], { offset: 2, limit: 5, order: 'name desc' }), py.search_page);
  t.is(await exec('res.partner', 'search_count', [[['is_company', '=', true]]]), py.search_count);
  t.deepEqual(await exec('res.partner', 'read', [py.read_ids], { fields: ['name', 'country', 'comment'] }), py.read);
  t.deepEqual(await exec('res.partner', 'fields_get', [], { attributes: ['string', 'help', 'type'] }), py.fields_get);
  t.deepEqual(await exec('res.partner', 'search_read', [[['is_company', '=', true]]], { fields: ['name', 'country', 'comment'], limit: 5 }), py.search_read);
  const err = await t.throwsAsync(jsonRpc(srv.url, 'object', 'execute_kw', ['helpdesk', py.user_uid, 'employee', 'res.partner', 'unlink', [[py.search[0]]]]));
  t.is((err as any).rpc.data.name, 'odoo.exceptions.AccessError');
  t.is((err as any).rpc.code, 200);
  t.deepEqual(await jsonRpc(srv.url, 'db', 'list', []), ['helpdesk']);
  // The older `execute` form passes the method's arguments positionally.
  t.is(await jsonRpc(srv.url, 'object', 'execute', ['helpdesk', 2, 'admin', 'res.partner', 'search_count', [['is_company', '=', true]]]), py.search_count);
});

test('the same calls through /web/dataset/call_kw with a session cookie return the same results', async (t) => {
  const cookie = await webLogin(srv.url, 'admin', 'admin');
  const call = async (method: string, args: unknown[], kwargs: Record<string, unknown> = {}) => {
    const r = await callKwHttp(srv.url, cookie, 'res.partner', method, args, kwargs);
    if (r.error) throw new Error(r.error.data.message);
    return r.result;
  };
  t.deepEqual(await call('search', [[['is_company', '=', true]]]), py.search);
  t.deepEqual(await call('search', [[['is_company', '=', true]]], { offset: 2, limit: 5, order: 'name desc' }), py.search_page);
  t.is(await call('search_count', [[['is_company', '=', true]]]), py.search_count);
  t.deepEqual(await call('read', [py.read_ids], { fields: ['name', 'country', 'comment'] }), py.read);
  t.deepEqual(await call('fields_get', [], { attributes: ['string', 'help', 'type'] }), py.fields_get);
  t.deepEqual(await call('search_read', [[['is_company', '=', true]]], { fields: ['name', 'country', 'comment'], limit: 5 }), py.search_read);
  const userCookie = await webLogin(srv.url, 'employee', 'employee');
  const denied = await callKwHttp(srv.url, userCookie, 'res.partner', 'unlink', [[py.search[0]]]);
  t.is(denied.error?.data.name, 'odoo.exceptions.AccessError');
});
