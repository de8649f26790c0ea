/**
 * Sessions and the web routes: login page with CSRF, cookies, session info, logout, the
 * client shell, menus, actions and translations as the logged-in user.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createInternalUser, jsonCall, webLogin } from './helpers.ts';

let srv: TestServer;
test.before(async () => {
  srv = await startTestServer({ addons: ['base'], webClient: true });
  await createInternalUser(srv.app, 'maria');
  await srv.app.withEnv(1, (env) => env.cr('res_users').where({ login: 'maria' }).update({ lang: 'es_ES' }));
});
test.after.always(async () => { await srv?.close(); });

const cookiePair = (setCookie: string | null) => (setCookie ?? '').split(';')[0];
const csrfOf = (html: string) => /name="csrf_token" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function loginPage(cookie?: string): Promise<{ res: Response; html: string; cookie: string }> {
  const res = await fetch(`${srv.url}/web/login`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  const html = await res.text();
  return { res, html, cookie: cookiePair(res.headers.get('set-cookie')) || cookie || '' };
}

async function postLogin(cookie: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${srv.url}/web/login`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
}

test('GET /web/login renders the login form with a CSRF token and an HttpOnly SameSite=Lax cookie', async (t) => {
  const { res, html } = await loginPage();
  t.is(res.status, 200);
  t.regex(html, /<form method="post" action="\/web\/login">/);
  t.true(csrfOf(html).length > 20);
  const set = res.headers.get('set-cookie') ?? '';
  t.regex(set, /^session_id=[\w-]{43};/);
  t.regex(set, /httponly/i);
  t.regex(set, /samesite=lax/i);
});

test('POST /web/login with the right password redirects to /web with a new session', async (t) => {
  const page = await loginPage();
  const res = await postLogin(page.cookie, { login: 'admin', password: 'admin', csrf_token: csrfOf(page.html), redirect: '/web#menu_id=1' });
  t.is(res.status, 303);
  t.is(res.headers.get('location'), '/web#menu_id=1');
  const cookie = cookiePair(res.headers.get('set-cookie'));
  t.not(cookie, page.cookie, 'the session id is rotated at login');
  const web = await fetch(`${srv.url}/web`, { headers: { cookie } });
  const html = await web.text();
  t.is(web.status, 200);
  t.regex(html, /<erp-app><\/erp-app>/);
  t.regex(html, /<meta name="csrf-token" content="[\w-]+">/);
  t.regex(html, /\/web\/static\/dist\/main\.js\?v=\w+/);
});

test('POST /web/login with a wrong password re-renders the page with the error', async (t) => {
  const page = await loginPage();
  const res = await postLogin(page.cookie, { login: 'admin', password: 'nope', csrf_token: csrfOf(page.html) });
  const html = await res.text();
  t.is(res.status, 200);
  t.regex(html, /class="error" role="alert">Wrong login\/password</);
  t.regex(html, /name="login" value="admin"/);
});

test('POST /web/login without the CSRF token is refused', async (t) => {
  const page = await loginPage();
  const res = await postLogin(page.cookie, { login: 'admin', password: 'admin', csrf_token: 'forged' });
  t.is(res.status, 400);
  t.regex(await res.text(), /CSRF/);
  t.falsy(res.headers.get('location'));
});

test('the login redirect only follows same-site paths', async (t) => {
  const page = await loginPage();
  const res = await postLogin(page.cookie, { login: 'admin', password: 'admin', csrf_token: csrfOf(page.html), redirect: '//evil.example/steal' });
  t.is(res.headers.get('location'), '/web');
});

test('/web without a session redirects to the login page; / redirects to /web', async (t) => {
  const web = await fetch(`${srv.url}/web`, { redirect: 'manual' });
  t.is(web.status, 302);
  t.is(web.headers.get('location'), '/web/login?redirect=%2Fweb');
  const root = await fetch(`${srv.url}/`, { redirect: 'manual' });
  t.is(root.headers.get('location'), '/web');
});

test('get_session_info returns Odoo 17 session info for the cookie user', async (t) => {
  const cookie = await webLogin(srv.url, 'maria', 'maria');
  const r = await jsonCall(srv.url, '/web/session/get_session_info', {}, cookie);
  t.like(r.result, { name: 'User maria', username: 'maria', db: 'helpdesk', is_system: false, server_version: '17.0' });
  t.deepEqual(r.result.user_context, { lang: 'es_ES', tz: 'UTC', uid: r.result.uid });
  t.is(typeof r.result.partner_id, 'number');
  t.true(r.result.csrf_token.length > 20);
});

test('sessions live in the database, stored only as a hash of the cookie value', async (t) => {
  const cookie = await webLogin(srv.url, 'admin', 'admin');
  const sid = cookie.split('=')[1];
  const rows = await srv.app.db.knex('ir_session').where({ sid_hash: createHash('sha256').update(sid).digest('hex') }).select('user_id');
  t.deepEqual(rows.map((r: any) => r.user_id), [2]);
  t.is(await srv.app.db.knex('ir_session').where({ sid_hash: sid }).first(), undefined);
});

test('/web/session/destroy ends the session', async (t) => {
  const cookie = await webLogin(srv.url, 'admin', 'admin');
  const d = await jsonCall(srv.url, '/web/session/destroy', {}, cookie);
  t.is(d.result, null);
  t.regex(d.setCookie ?? '', /session_id=;/);
  const after = await jsonCall(srv.url, '/web/session/get_session_info', {}, cookie);
  t.is(after.error!.data.name, 'odoo.http.SessionExpiredException');
});

test('/web/session/logout ends the session and goes back to the login page', async (t) => {
  const cookie = await webLogin(srv.url, 'admin', 'admin');
  const res = await fetch(`${srv.url}/web/session/logout`, { headers: { cookie }, redirect: 'manual' });
  t.is(res.headers.get('location'), '/web/login');
  t.is((await fetch(`${srv.url}/web`, { headers: { cookie }, redirect: 'manual' })).status, 302);
});

test('a logged-in user visiting /web/login is sent to /web', async (t) => {
  const cookie = await webLogin(srv.url, 'admin', 'admin');
  const res = await fetch(`${srv.url}/web/login`, { headers: { cookie }, redirect: 'manual' });
  t.is(res.headers.get('location'), '/web');
});

test('/web/session/authenticate with a wrong password is an AccessDenied error', async (t) => {
  const r = await jsonCall(srv.url, '/web/session/authenticate', { db: 'helpdesk', login: 'maria', password: 'bad' });
  t.is(r.error!.code, 200);
  t.is(r.error!.data.name, 'odoo.exceptions.AccessDenied');
  t.is(r.setCookie, null);
});

test('errors come back in the browser\'s language when nobody is logged in', async (t) => {
  const res = await fetch(`${srv.url}/web/session/authenticate`, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': 'es-ES,es;q=0.9' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { db: 'helpdesk', login: 'maria', password: 'bad' }, id: 1 }) });
  t.is((await res.json()).error.data.message, 'Usuario o contraseña incorrectos');
  const expired = await fetch(`${srv.url}/web/session/get_session_info`, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': 'es' }, body: '{"jsonrpc":"2.0","method":"call","params":{},"id":2}' });
  t.is((await expired.json()).error.data.message, 'La sesión ha caducado');
});

test('load_menus shows Settings to the administrator only', async (t) => {
  const admin = await jsonCall(srv.url, '/web/webclient/load_menus', {}, await webLogin(srv.url, 'admin', 'admin'));
  const user = await jsonCall(srv.url, '/web/webclient/load_menus', {}, await webLogin(srv.url, 'maria', 'maria'));
  const names = (menus: any) => Object.values(menus).map((m: any) => m.xmlid);
  t.true(names(admin.result).includes('base.menu_administration'));
  t.true(names(admin.result).includes('base.menu_ir_cron_act'));
  t.false(names(user.result).includes('base.menu_administration'));
  t.true(Array.isArray(user.result.root.children));
});

test('/web/action/load returns a window action by XML id or id, as the user', async (t) => {
  const cookie = await webLogin(srv.url, 'admin', 'admin');
  const byXmlid = await jsonCall(srv.url, '/web/action/load', { action_id: 'base.ir_cron_act' }, cookie);
  t.like(byXmlid.result, { type: 'ir.actions.act_window', res_model: 'ir.cron', name: 'Scheduled Actions' });
  t.deepEqual(byXmlid.result.views.map((v: any) => v[1]), ['list', 'form']);
  const byId = await jsonCall(srv.url, '/web/action/load', { action_id: byXmlid.result.id }, cookie);
  t.deepEqual(byId.result, byXmlid.result);
  const missing = await jsonCall(srv.url, '/web/action/load', { action_id: 'base.no_such_action' }, cookie);
  t.is(missing.error!.data.name, 'odoo.exceptions.MissingError');
});

test('/web/webclient/translations returns the catalogue of the asked language', async (t) => {
  srv.app.registry.addTranslations('es_ES', [['Scheduled Actions', 'Acciones planificadas']]);
  const r = await jsonCall(srv.url, '/web/webclient/translations', { lang: 'es_ES' });
  t.is(r.result.lang, 'es_ES');
  t.is(r.result.messages['Scheduled Actions'], 'Acciones planificadas');
  t.is(r.result.messages['Access Error'], 'Error de acceso', "the web client's own catalogue (addons/web/i18n) is included");
  const en = await jsonCall(srv.url, '/web/webclient/translations', { lang: 'en_US' });
  t.is(en.result.messages['Scheduled Actions'], undefined);
});

test('/web/static/dist serves the built bundle, gzipped when accepted', async (t) => {
  const res = await fetch(`${srv.url}/web/static/dist/main.js`, { headers: { 'accept-encoding': 'gzip' } });
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /javascript/);
  t.is(res.headers.get('content-encoding'), 'gzip');
  t.true((await res.arrayBuffer()).byteLength > 1000);
  t.is((await fetch(`${srv.url}/web/static/dist/main.css`)).status, 200);
  t.is((await fetch(`${srv.url}/web/static/dist/..%2F..%2Fbuild.ts`)).status, 404);
});

test('/web/health answers pass', async (t) => {
  const res = await fetch(`${srv.url}/web/health`);
  t.is(res.status, 200);
  t.deepEqual(await res.json(), { status: 'pass' });
});
