/**
 * Repeated failed logins are slowed down per login and per client address, with the state
 * in the database (every worker refuses the same way). Serial: the blocks are shared state.
 */
import test from 'ava';
import { LoginThrottle } from '../../core/http/throttle.ts';
import { formatDatetime } from '../../core/orm/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createInternalUser, jsonCall, xmlRpc } from './helpers.ts';

let srv: TestServer;
test.before(async () => {
  srv = await startTestServer({ addons: ['base'], webClient: false, server: { throttle: { maxPerLogin: 5, maxPerAddress: 15, windowSeconds: 60, baseDelaySeconds: 15 } } });
  await createInternalUser(srv.app, 'victim');
  await createInternalUser(srv.app, 'bystander');
});
test.after.always(async () => { await srv?.close(); });

const authenticate = (login: string, password: string) => xmlRpc(srv.url, '/xmlrpc/2/common', 'authenticate', ['helpdesk', login, password, {}]);

test.serial('after 5 failures within a minute the login is refused, even with the right password', async (t) => {
  for (let i = 0; i < 5; i++) t.is((await authenticate('victim', `wrong${i}`)).value, false);
  const blocked = await authenticate('victim', 'victim');
  t.is(blocked.fault?.faultCode, 3);
  t.regex(blocked.fault!.faultString, /Too many failed logins, retry in (\d+) s/);
  const seconds = Number(/retry in (\d+) s/.exec(blocked.fault!.faultString)![1]);
  t.true(seconds > 0 && seconds <= 15);
});

test.serial('the block applies to every login route: JSON-RPC, session/authenticate and the login page', async (t) => {
  const json = await jsonCall(srv.url, '/jsonrpc', { service: 'common', method: 'login', args: ['helpdesk', 'victim', 'victim'] });
  t.regex(json.error!.data.message, /Too many failed logins/);
  const web = await jsonCall(srv.url, '/web/session/authenticate', { db: 'helpdesk', login: 'victim', password: 'victim' });
  t.is(web.error!.data.name, 'odoo.exceptions.AccessDenied');
  t.regex(web.error!.data.message, /retry in \d+ s/);
  const page = await fetch(`${srv.url}/web/login`);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())![1];
  const form = await fetch(`${srv.url}/web/login`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login: 'victim', password: 'victim', csrf_token: csrf }).toString() });
  t.regex(await form.text(), /Too many failed logins, retry in \d+ s/);
});

test.serial('other users still log in while one login is blocked', async (t) => {
  t.true(((await authenticate('bystander', 'bystander')).value as number) > 2);
});

test.serial('the counters live in the database: another worker refuses too', async (t) => {
  const row = await srv.app.db.knex('ir_login_throttle').where({ key: 'login:victim' }).first('blocked_until', 'block_count');
  t.truthy(row.blocked_until);
  t.is(row.block_count, 1);
  const otherWorker = new LoginThrottle(srv.app.db.knex);
  await t.throwsAsync(otherWorker.check(['login:victim']), { message: /Too many failed logins/ });
});

test.serial('the next block after it expires lasts longer; then the right password gets in again', async (t) => {
  // The block ends now (a second ago): not long enough ago to be forgotten.
  const expire = () => srv.app.db.knex('ir_login_throttle').where({ key: 'login:victim' }).update({ blocked_until: formatDatetime(new Date(Date.now() - 1000)) });
  await expire();
  for (let i = 0; i < 5; i++) await authenticate('victim', `wrong${i}`);
  const blocked = await authenticate('victim', 'victim');
  const seconds = Number(/retry in (\d+) s/.exec(blocked.fault!.faultString)![1]);
  t.true(seconds > 15 && seconds <= 30, `second block: ${seconds} s`);
  await expire();
  t.true(((await authenticate('victim', 'victim')).value as number) > 2, 'an expired block lets the right password in');
  t.is(await srv.app.db.knex('ir_login_throttle').where({ key: 'login:victim' }).first(), undefined, 'a success clears the login counters');
});

test.serial('many failures from one address block that address for every login', async (t) => {
  for (let i = 0; i < 15; i++) await authenticate(`nobody${i}`, 'x');
  const r = await authenticate('bystander', 'bystander');
  t.regex(r.fault!.faultString, /Too many failed logins/);
  const exec = await xmlRpc(srv.url, '/xmlrpc/2/object', 'execute_kw', ['helpdesk', 2, 'admin', 'res.partner', 'search_count', [[]]]);
  t.regex(exec.fault!.faultString, /Too many failed logins/, 'uid/password calls from the address are refused as well');
  const health = await fetch(`${srv.url}/web/health`);
  t.is(health.status, 200, 'the server goes on');
});
