/**
 * Bad requests of every kind get a clear error in their protocol (XML-RPC fault, JSON-RPC
 * error object, HTTP status) — never an HTML page or a stack trace — and the server still
 * serves the next request.
 */
import test from 'ava';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { jsonCall, jsonRpc, webLogin, xmlRpc } from './helpers.ts';

let srv: TestServer;
test.before(async () => { srv = await startTestServer({ addons: ['base'], webClient: false, config: { limit_request_mb: 1 } }); });
test.after.always(async () => { await srv?.close(); });

/** After every bad request: the server still answers a normal call. */
async function stillServes(t: any): Promise<void> {
  t.is(await jsonRpc(srv.url, 'object', 'execute_kw', ['helpdesk', 2, 'admin', 'res.users', 'search_count', [[['login', '=', 'admin']]]]), 1);
}
const noLeak = (t: any, text: string) => {
  t.notRegex(text, /\bat .+\.ts:\d+/, 'no stack trace');
  t.notRegex(text, /<html/i, 'no HTML page');
};

test('malformed XML is an XML-RPC fault', async (t) => {
  const res = await fetch(`${srv.url}/xmlrpc/2/object`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<methodCall><methodName>execute_kw</methodName><params><param>' });
  const text = await res.text();
  t.is(res.status, 200);
  t.regex(text, /<fault>/);
  t.regex(text, /Invalid XML-RPC request/);
  noLeak(t, text);
  await stillServes(t);
});

test('malformed JSON is a JSON-RPC error with HTTP 400', async (t) => {
  const res = await fetch(`${srv.url}/jsonrpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc": "2.0", "params": {' });
  const body = await res.json();
  t.is(res.status, 400);
  t.is(body.error.data.name, 'werkzeug.exceptions.BadRequest');
  t.regex(body.error.data.message, /Invalid JSON data/);
  await stillServes(t);
});

test('a JSON route posted as a form is refused (Content-Type check against cross-site posts)', async (t) => {
  const cookie = await webLogin(srv.url, 'admin', 'admin');
  const res = await fetch(`${srv.url}/web/dataset/call_kw/res.partner/search`, { method: 'POST', headers: { 'content-type': 'text/plain', cookie }, body: JSON.stringify({ params: { model: 'res.partner', method: 'unlink', args: [[2]] } }) });
  const body = await res.json();
  t.is(res.status, 400);
  t.regex(body.error.data.message, /expects application\/json/);
  await stillServes(t);
});

test('an unknown model, a private or undeclared method are errors naming them', async (t) => {
  const exec = (model: string, method: string) => jsonCall(srv.url, '/jsonrpc', { service: 'object', method: 'execute_kw', args: ['helpdesk', 2, 'admin', model, method, [[]]] });
  const unknownModel = await exec('x.unknown', 'search');
  t.regex(unknownModel.error!.data.message, /Model 'x.unknown' does not exist/);
  const priv = await exec('res.partner', '_displayNames');
  t.is(priv.error!.data.name, 'odoo.exceptions.AccessError');
  t.regex(priv.error!.data.message, /Private methods/);
  const undeclared = await exec('res.partner', 'checkFieldAccess');
  t.regex(undeclared.error!.data.message, /'checkFieldAccess' does not exist on the model 'res.partner'/);
  await stillServes(t);
});

test('a malformed domain and SQL in order are validation errors', async (t) => {
  const exec = (args: unknown[], kwargs: Record<string, unknown>) => jsonCall(srv.url, '/jsonrpc', { service: 'object', method: 'execute_kw', args: ['helpdesk', 2, 'admin', 'res.partner', 'search', args, kwargs] });
  const domain = await exec([[['name', '=']]], {});
  t.is(domain.error!.code, 200);
  t.regex(domain.error!.data.message, /domain|leaf|term/i);
  const order = await exec([[]], { order: 'id; DELETE FROM res_partner' });
  t.is(order.error!.data.name, 'odoo.exceptions.ValidationError');
  t.regex(order.error!.data.message, /Invalid order/);
  const count = await jsonRpc(srv.url, 'object', 'execute_kw', ['helpdesk', 2, 'admin', 'res.partner', 'search_count', [[]]]);
  t.true(count >= 2, 'nothing was deleted');
  await stillServes(t);
});

test('a body over limit_request_mb gets 413 with a clear message', async (t) => {
  const big = 'x'.repeat(1024 * 1024 + 10);
  const json = await fetch(`${srv.url}/jsonrpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ params: { pad: big } }) });
  t.is(json.status, 413);
  t.regex((await json.json()).error.data.message, /too large: the limit is 1 MB/);
  const xml = await fetch(`${srv.url}/xmlrpc/2/common`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: `<methodCall><methodName>version</methodName><params><param><value>${big}</value></param></params></methodCall>` });
  t.is(xml.status, 413);
  t.regex(await xml.text(), /too large/);
  await stillServes(t);
});

test('a call without a session is a SessionExpired error', async (t) => {
  const r = await jsonCall(srv.url, '/web/dataset/call_kw/res.partner/search', { model: 'res.partner', method: 'search', args: [[]], kwargs: {} });
  t.is(r.error!.code, 100);
  t.is(r.error!.data.name, 'odoo.http.SessionExpiredException');
  const forged = await jsonCall(srv.url, '/web/session/get_session_info', {}, 'session_id=abcdefabcdefabcdefabcdefabcdefabcdefabcdefa');
  t.is(forged.error!.data.name, 'odoo.http.SessionExpiredException');
});

test('wrong arguments to the services are faults, not crashes', async (t) => {
  const unknownService = await xmlRpc(srv.url, '/xmlrpc/2/nope', 'version', []);
  t.regex(unknownService.fault!.faultString, /Unknown RPC service 'nope'/);
  const shortExec = await xmlRpc(srv.url, '/xmlrpc/2/object', 'execute_kw', ['helpdesk', 2, 'admin']);
  t.regex(shortExec.fault!.faultString, /execute_kw expects/);
  const badUid = await xmlRpc(srv.url, '/xmlrpc/2/object', 'execute_kw', ['helpdesk', 'abc', 'admin', 'res.partner', 'search', [[]]]);
  t.is(badUid.fault!.faultCode, 3);
  const wrongDb = await xmlRpc(srv.url, '/xmlrpc/2/common', 'authenticate', ['otherdb', 'admin', 'admin', {}]);
  t.regex(wrongDb.fault!.faultString, /Database 'otherdb' does not exist/);
  const dbDrop = await xmlRpc(srv.url, '/xmlrpc/2/db', 'drop', ['admin', 'helpdesk']);
  t.is(dbDrop.fault!.faultCode, 3);
  await stillServes(t);
});

test('the historical /xmlrpc/<service> endpoint uses Odoo string fault codes', async (t) => {
  const r = await xmlRpc(srv.url, '/xmlrpc/object', 'execute_kw', ['helpdesk', 2, 'admin', 'res.partner', 'read', [[999999]]]);
  t.regex(String(r.fault!.faultCode), /^warning -- MissingError\n\n/);
  t.is(r.fault!.faultString, '');
});

test('an unexpected server error is logged, not shown: generic message without stack', async (t) => {
  const cls = srv.app.registry.get('res.partner')! as any;
  cls._meta.rpc.set('test_explode', 'model');
  cls.prototype.test_explode = async () => { throw new TypeError('secret internal detail'); };
  try {
    const r = await jsonCall(srv.url, '/jsonrpc', { service: 'object', method: 'execute_kw', args: ['helpdesk', 2, 'admin', 'res.partner', 'test_explode', []] });
    t.is(r.status, 200);
    t.regex(r.error!.data.message, /Internal server error/);
    t.notRegex(JSON.stringify(r.error), /secret internal detail|\.ts:\d+/);
    const x = await xmlRpc(srv.url, '/xmlrpc/2/object', 'execute_kw', ['helpdesk', 2, 'admin', 'res.partner', 'test_explode', []]);
    t.is(x.fault!.faultCode, 1);
    t.notRegex(x.fault!.faultString, /secret internal detail/);
  } finally {
    cls._meta.rpc.delete('test_explode');
    delete cls.prototype.test_explode;
  }
  await stillServes(t);
});

test('an unknown route is a plain 404', async (t) => {
  const res = await fetch(`${srv.url}/no/such/route`);
  t.is(res.status, 404);
  noLeak(t, await res.text());
});

test('a failed call rolls its transaction back', async (t) => {
  const cls = srv.app.registry.get('res.partner')! as any;
  cls._meta.rpc.set('test_create_then_fail', 'model');
  cls.prototype.test_create_then_fail = async function (this: any) {
    await this.create({ name: 'Rolled Back Partner' });
    throw new Error('fail after create');
  };
  try {
    await jsonCall(srv.url, '/jsonrpc', { service: 'object', method: 'execute_kw', args: ['helpdesk', 2, 'admin', 'res.partner', 'test_create_then_fail', []] });
  } finally {
    cls._meta.rpc.delete('test_create_then_fail');
    delete cls.prototype.test_create_then_fail;
  }
  t.is(await jsonRpc(srv.url, 'object', 'execute_kw', ['helpdesk', 2, 'admin', 'res.partner', 'search_count', [[['name', '=', 'Rolled Back Partner']]]]), 0);
});
