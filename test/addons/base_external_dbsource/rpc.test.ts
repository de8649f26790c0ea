/**
 * base_external_dbsource over the wire, on a real HTTP server: OCA's positional
 * `execute_kw(…, 'execute', [[id], query, params, True])` from Python's own xmlrpc.client,
 * JSON-RPC and the web client's call_kw for administrators; refusals for an internal user
 * through every route; the password absent from every answer, export included.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closeAllPools, configureSecret } from '../../../addons/base_external_dbsource/index.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { callKwHttp, createInternalUser, jsonRpc, webLogin, xmlRpc } from '../../http/helpers.ts';
import { createPgDatabase, tempDir, type ExternalPg } from './helpers.ts';

const run = promisify(execFile);
const PASSWORD = 'Rpc-Secret-Password-31';
let srv: TestServer;
let ext: ExternalPg;
let dir: ReturnType<typeof tempDir>;
let sourceId: number;

test.before(async () => {
  srv = await startTestServer({ addons: ['base_external_dbsource'], webClient: false });
  dir = tempDir('dbsource-rpc');
  configureSecret(srv.app.registry, { secretKey: '', dataDir: dir.dir });
  ext = await createPgDatabase(["CREATE TABLE t (id int, name text)", "INSERT INTO t VALUES (1, 'Ana'), (2, 'Bea''s')"]);
  await createInternalUser(srv.app, 'employee');
  sourceId = await srv.app.withEnv(2, async (env) => (await env.model('base.external.dbsource').create({
    name: 'Remote', connector: 'postgresql', conn_string: `host=${ext.host} port=${ext.port} dbname=${ext.name} user=postgres password=%s`, password: PASSWORD,
  })).ids[0]);
});

test.after.always(async () => {
  await closeAllPools();
  await srv?.close();
  await ext?.drop();
  dir?.remove();
});

const PYTHON = `
import json, sys, xmlrpc.client
url, db, sid = sys.argv[1], sys.argv[2], int(sys.argv[3])
common = xmlrpc.client.ServerProxy(url + '/xmlrpc/2/common')
models = xmlrpc.client.ServerProxy(url + '/xmlrpc/2/object', allow_none=True)
out = {}
def call(login, method, args, kw=None):
    uid = common.authenticate(db, login, login, {})
    try:
        return {'result': models.execute_kw(db, uid, login, 'base.external.dbsource', method, args, kw or {})}
    except xmlrpc.client.Fault as e:
        return {'fault': e.faultString}
out['meta'] = call('admin', 'execute', [[sid], 'SELECT id, name FROM t WHERE id > %s ORDER BY id', [0], True])
out['rows'] = call('admin', 'execute', [[sid], 'SELECT name FROM t WHERE name = %(n)s', {'n': "Bea's"}])
out['test'] = call('admin', 'connection_test', [[sid]])
out['read'] = call('admin', 'read', [[sid]])
out['user_execute'] = call('employee', 'execute', [[sid], 'SELECT 1'])
out['user_read'] = call('employee', 'search_read', [[]], {'fields': ['name']})
print(json.dumps(out))
`;

test('Python xmlrpc.client: execute positional as in OCA, connection_test, read without the password; an internal user is refused', async (t) => {
  const script = join(dir.dir, 'dbsource_api.py');
  writeFileSync(script, PYTHON);
  const { stdout } = await run('python3', [script, srv.url, 'helpdesk', String(sourceId)], { timeout: 60_000 });
  const out = JSON.parse(stdout);
  t.deepEqual(out.meta, { result: { cols: ['id', 'name'], rows: [[1, 'Ana'], [2, "Bea's"]] } });
  t.deepEqual(out.rows, { result: [["Bea's"]] });
  t.like(out.test.result, { type: 'ir.actions.client', tag: 'display_notification', params: { type: 'success' } });
  t.is(out.read.result[0].password, false);
  t.true(out.read.result[0].password_set);
  t.regex(out.user_execute.fault, /AccessError|not allowed/);
  t.regex(out.user_read.fault, /not allowed to access/);
  t.false(stdout.includes(PASSWORD));
});

test('JSON-RPC and the web client: administrators query, internal users are refused on every route', async (t) => {
  const adminUid = await jsonRpc(srv.url, 'common', 'authenticate', ['helpdesk', 'admin', 'admin', {}]);
  const rows = await jsonRpc(srv.url, 'object', 'execute_kw', ['helpdesk', adminUid, 'admin', 'base.external.dbsource', 'execute', [[sourceId], 'SELECT count(*)::int FROM t'], {}]);
  t.deepEqual(rows, [[2]]);
  const userUid = await jsonRpc(srv.url, 'common', 'authenticate', ['helpdesk', 'employee', 'employee', {}]);
  const refused = await t.throwsAsync(jsonRpc(srv.url, 'object', 'execute_kw', ['helpdesk', userUid, 'employee', 'base.external.dbsource', 'execute', [[sourceId], 'SELECT 1'], {}]));
  t.regex((refused as any).rpc.data.name, /AccessError/);

  const cookie = await webLogin(srv.url, 'employee', 'employee');
  for (const [method, args] of [['execute', [[sourceId], 'SELECT 1']], ['connection_test', [[sourceId]]], ['read', [[sourceId], ['name']]], ['search_read', [[], ['name']]], ['write', [[sourceId], { name: 'x' }]], ['unlink', [[sourceId]]]] as const) {
    const r = await callKwHttp(srv.url, cookie, 'base.external.dbsource', method, [...args]);
    t.is(r.error?.data.name, 'odoo.exceptions.AccessError', `${method} is refused`);
  }
  const menusOf = async (c: string) => JSON.stringify(await (await fetch(`${srv.url}/web/webclient/load_menus`, { headers: { cookie: c } })).json());
  t.false((await menusOf(cookie)).includes('Database Sources'), 'the menu is hidden from internal users');
  const admin = await webLogin(srv.url, 'admin', 'admin');
  t.true((await menusOf(admin)).includes('Database Sources'));
  const ok = await callKwHttp(srv.url, admin, 'base.external.dbsource', 'execute', [[sourceId], 'SELECT name FROM t ORDER BY id'], { metadata: true });
  t.deepEqual(ok.result, { cols: ['name'], rows: [['Ana'], ["Bea's"]] });
  const fail = await callKwHttp(srv.url, admin, 'base.external.dbsource', 'execute', [[sourceId], 'SELECT nope FROM t']);
  t.is(fail.error?.data.name, 'odoo.exceptions.UserError');
  t.is(fail.error?.data.message, 'PostgreSQL: column "nope" does not exist');
  t.false(JSON.stringify(fail).includes('    at '), 'no stack trace');
});

// The list view's CSV export is built in the browser from search_read (erp-list-view.ts), checked here.
test('the password is in no answer: read, search_read (the export\'s source), fields_get, read_group', async (t) => {
  const admin = await webLogin(srv.url, 'admin', 'admin');
  const answers = [
    await callKwHttp(srv.url, admin, 'base.external.dbsource', 'read', [[sourceId]]),
    await callKwHttp(srv.url, admin, 'base.external.dbsource', 'search_read', [[], []]),
    await callKwHttp(srv.url, admin, 'base.external.dbsource', 'search_read', [[], ['password', 'password_set']]),
    await callKwHttp(srv.url, admin, 'base.external.dbsource', 'fields_get', []),
    await callKwHttp(srv.url, admin, 'base.external.dbsource', 'read_group', [[], ['connector'], ['connector']]),
  ];
  for (const a of answers) {
    t.falsy(a.error);
    const text = JSON.stringify(a.result);
    t.false(text.includes(PASSWORD));
    t.false(text.includes('password_encrypted'));
    t.false(/"v1:[A-Za-z0-9+/=]+:/.test(text), 'not even the ciphertext');
  }
  const xml = await xmlRpc(srv.url, '/xmlrpc/2/object', 'execute_kw', ['helpdesk', 2, 'admin', 'base.external.dbsource', 'search_read', [[]], { fields: ['password'] }]);
  t.is(xml.value[0].password, false);
});
