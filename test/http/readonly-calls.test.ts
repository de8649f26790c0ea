import test from 'ava';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { callKwHttp, webLogin, xmlRpc } from './helpers.ts';

/**
 * Methods declared `readonly: true` in `_rpc` run on a read-only connection (PostgreSQL
 * server) or in a read-only transaction (PGlite): reading works, a write is refused by the
 * database and changes nothing.
 */
let srv: TestServer;
let cookie: string;
test.before(async () => {
  srv = await startTestServer({ addons: ['test_orm'], fixtures: true, webClient: false });
  await srv.app.withEnv(2, (env) => env.model('test.orm.item').create([{ name: 'ro1' }, { name: 'ro2', state: 'done' }]));
  cookie = await webLogin(srv.url, 'admin', 'admin');
});
test.after.always(async () => { await srv?.close(); });

test.serial('a read-only method answers through call_kw and XML-RPC', async (t) => {
  const drafts = await srv.app.withEnv(2, (env) => env.model('test.orm.item').search_count([['state', '=', 'draft']]));
  t.true(drafts >= 1);
  const viaWeb = await callKwHttp(srv.url, cookie, 'test.orm.item', 'count_drafts');
  t.is(viaWeb.error, undefined);
  t.is(viaWeb.result, drafts);
  const viaXml = await xmlRpc(srv.url, '/xmlrpc/2/object', 'execute_kw', ['helpdesk', 2, 'admin', 'test.orm.item', 'count_drafts', []]);
  t.is(viaXml.value, drafts);
});

test.serial('a write inside a method declared read-only is refused and nothing changes', async (t) => {
  const answer = await callKwHttp(srv.url, cookie, 'test.orm.item', 'rename_all_readonly', ['renamed']);
  // A programming error (the declaration is wrong): logged on the server, generic to the client.
  t.is(answer.error?.data.name, 'werkzeug.exceptions.InternalServerError');
  t.notRegex(JSON.stringify(answer.error), /UPDATE|test_orm_item|at .*\.ts/, 'no SQL or stack trace reaches the client');
  const names = await srv.app.withEnv(2, async (env) => (await env.model('test.orm.item').search_read([], ['name'])).map((r) => r.name));
  t.true(names.includes('ro1') && names.includes('ro2'));
  t.false(names.includes('renamed'));
  // The server goes on serving, and ordinary writes still work.
  const created = await callKwHttp(srv.url, cookie, 'test.orm.item', 'create', [{ name: 'after' }]);
  t.is(typeof created.result, 'number');
});

test.serial('search_read, read_group and name_search run read-only and still see fresh writes', async (t) => {
  const id = (await callKwHttp(srv.url, cookie, 'test.orm.item', 'create', [{ name: 'fresh', state: 'confirmed' }])).result as number;
  const rows = await callKwHttp(srv.url, cookie, 'test.orm.item', 'search_read', [[['id', '=', id]]], { fields: ['name', 'state'] });
  t.deepEqual(rows.result, [{ id, name: 'fresh', state: 'confirmed' }]);
  const groups = await callKwHttp(srv.url, cookie, 'test.orm.item', 'read_group', [[['name', '=', 'fresh']], ['state'], ['state']]);
  t.is(groups.result[0].state_count, 1);
  const found = await callKwHttp(srv.url, cookie, 'test.orm.item', 'name_search', ['fresh']);
  t.deepEqual(found.result, [[id, 'fresh']]);
});
