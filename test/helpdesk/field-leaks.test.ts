/**
 * Regressions of the leaks reported against the demo database (issue "field-level access
 * through every route"): through the External API the demo user `usuario` could read every
 * password hash with read_group, probe them with a search_count domain and sort by them;
 * refusing a write on someone else's attachment quoted the file's name. Each route is tried
 * here as `usuario` and, for the password, as `admin` too: a hash never leaves the server.
 */
import test from 'ava';
import { SUPERUSER_ID } from '../../core/orm/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { callKwHttp, jsonCall, webLogin, xmlRpc } from '../http/helpers.ts';

let srv: TestServer;
const uid: Record<string, number> = {};
let adminCookie: string;
let secretTicket: number, secretAttachment: number;

test.before(async () => {
  srv = await startTestServer({ addons: ['helpdesk_bytacora'], demo: true, webClient: false });
  for (const login of ['usuario', 'tecnico', 'admin']) {
    const r = await xmlRpc(srv.url, '/xmlrpc/2/common', 'authenticate', ['helpdesk', login, login, {}]);
    uid[login] = r.value;
  }
  adminCookie = await webLogin(srv.url, 'admin', 'admin');
  // A ticket of another reporter, with a file whose name must not reach `usuario`.
  await srv.app.withEnv(SUPERUSER_ID, async (env) => {
    const partner = await env.model('res.partner').create({ name: 'Payroll Office', email: 'payroll@example.com' });
    const ticket = await env.model('helpdesk.ticket').create({
      subject: 'Confidential payroll question', description: '<p>salaries attached</p>', partner_id: partner.ids[0],
      attachment_ids: [[0, 0, { name: 'nominas-confidencial.xlsx', datas: Buffer.from('money').toString('base64') }]],
    });
    secretTicket = ticket.ids[0];
    const [t] = await ticket.read(['attachment_ids']);
    secretAttachment = (t.attachment_ids as number[])[0];
  });
});
test.after.always(async () => srv?.close());

async function exec(login: string, model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) {
  const r = await xmlRpc(srv.url, '/xmlrpc/2/object', 'execute_kw', ['helpdesk', uid[login], login, model, method, args, kwargs]);
  return { ...r, raw: JSON.stringify(r) };
}

const PASSWORD_ROUTES: Array<[string, string, string, unknown[], Record<string, unknown>?]> = [
  ['read_group with password among the fields', 'res.users', 'read_group', [[], ['password'], ['login']]],
  ['read_group grouped by password', 'res.users', 'read_group', [[], ['login'], ['password']]],
  ['read_group aggregating password', 'res.users', 'read_group', [[], ['password:max'], ['login']]],
  ['search_count with a domain on password', 'res.users', 'search_count', [[['password', '=like', 'scrypt%']]]],
  ['search with order=password', 'res.users', 'search', [[]], { order: 'password' }],
  ['search_read ordered by password', 'res.users', 'search_read', [[]], { fields: ['login'], order: 'password desc' }],
  ['a dotted path ending on password', 'helpdesk.ticket', 'search_count', [[['user_id.password', '=like', 'scrypt%']]]],
  ['a dotted path from partners', 'res.partner', 'search', [[['user_ids.password', '!=', false]]]],
  ['export_data of password', 'res.users', 'export_data', [[2], ['login', 'password']]],
];

for (const login of ['usuario', 'admin']) {
  for (const [what, model, method, args, kwargs] of PASSWORD_ROUTES) {
    test(`${login}: ${what} is an access error naming the field, with no hash`, async (t) => {
      const r = await exec(login, model, method, args, kwargs);
      t.truthy(r.fault, r.raw);
      t.is(r.fault!.faultCode, 4);
      t.regex(r.fault!.faultString, /odoo\.exceptions\.AccessError: .*field 'password'/);
      t.notRegex(r.raw, /scrypt/);
    });
  }
}

test('usuario: reading the password of any user is refused, naming the field', async (t) => {
  for (const [method, args] of [['read', [[uid.admin], ['password']]], ['search_read', [[], ['login', 'password']]]] as const) {
    const r = await exec('usuario', 'res.users', method, [...args]);
    t.regex(r.fault?.faultString ?? '', /AccessError: .*field 'password'/, method);
    t.notRegex(r.raw, /scrypt/);
  }
});

test('admin: password reads back empty through read, search_read (with and without a field list) and call_kw', async (t) => {
  const read = await exec('admin', 'res.users', 'read', [[uid.admin, uid.usuario], ['login', 'password']]);
  t.deepEqual(read.value.map((u: any) => u.password), ['', '']);
  const listed = await exec('admin', 'res.users', 'search_read', [[]], { fields: ['login', 'password'] });
  t.true(listed.value.length >= 3);
  t.true(listed.value.every((u: any) => u.password === ''));
  const all = await exec('admin', 'res.users', 'search_read', [[['login', '=', 'usuario']]]);
  t.is(all.value[0].password, '');
  const web = await callKwHttp(srv.url, adminCookie, 'res.users', 'search_read', [[]], { fields: ['password'] });
  t.true(web.result.every((u: any) => u.password === ''));
  for (const r of [read, listed, all]) t.notRegex(r.raw, /scrypt/);
  t.notRegex(JSON.stringify(web), /scrypt/);
});

test('admin: the hash is still stored, and logins and password changes keep working', async (t) => {
  const row = await srv.app.withEnv(SUPERUSER_ID, (env) => env.cr('res_users').where({ login: 'usuario' }).first('password'));
  t.regex(row.password, /^scrypt\$/);
  const w = await exec('admin', 'res.users', 'write', [[uid.tecnico], { password: 'tecnico2' }]);
  t.true(w.value, w.raw);
  const ok = await xmlRpc(srv.url, '/xmlrpc/2/common', 'authenticate', ['helpdesk', 'tecnico', 'tecnico2', {}]);
  t.is(ok.value, uid.tecnico);
  await exec('admin', 'res.users', 'write', [[uid.tecnico], { password: 'tecnico' }]);
});

test('usuario: refusing a write on someone else\'s attachment does not quote its name', async (t) => {
  for (const [method, args] of [
    ['write', [[secretAttachment], { name: 'renamed.xlsx' }]],
    ['write', [[secretAttachment], { description: 'x' }]],
    ['unlink', [[secretAttachment]]],
    ['read', [[secretAttachment], ['name']]],
  ] as const) {
    const r = await exec('usuario', 'ir.attachment', method, [...args]);
    t.is(r.fault?.faultCode, 4, `${method}: ${r.raw}`);
    t.notRegex(r.raw, /nominas|confidencial/i, method);
    t.regex(r.fault!.faultString, new RegExp(String(secretAttachment)));
  }
  const [att] = await srv.app.withEnv(SUPERUSER_ID, (env) => env.model('ir.attachment').browse([secretAttachment]).read(['name']));
  t.is(att.name, 'nominas-confidencial.xlsx');
});

test('usuario: errors about someone else\'s ticket and its messages quote neither subject nor body', async (t) => {
  const ticketCalls: Array<[string, unknown[]]> = [
    ['read', [[secretTicket], ['subject']]],
    ['write', [[secretTicket], { subject: 'x' }]],
    ['action_reopen', [[secretTicket]]],
    ['action_rate', [[secretTicket], 5]],
    ['message_post', [[secretTicket]]],
    ['unlink', [[secretTicket]]],
  ];
  for (const [method, args] of ticketCalls) {
    const r = await exec('usuario', 'helpdesk.ticket', method, args);
    t.truthy(r.fault, `${method}: ${r.raw}`);
    t.notRegex(r.raw, /payroll|salar/i, method);
  }
  const messages = await srv.app.withEnv(SUPERUSER_ID, async (env) => (await env.model('mail.message').search([['model', '=', 'helpdesk.ticket'], ['res_id', '=', secretTicket]])).ids);
  t.true(messages.length > 0);
  for (const [method, args] of [['read', [messages, ['body']]], ['write', [messages, { body: 'x' }]], ['unlink', [messages]]] as const) {
    const r = await exec('usuario', 'mail.message', method, [...args]);
    t.truthy(r.fault, `${method}: ${r.raw}`);
    t.notRegex(r.raw, /payroll|salar|nominas/i, method);
  }
});

test('JSON-RPC as usuario: read_group over res.users by password is refused too', async (t) => {
  const r = await jsonCall(srv.url, '/jsonrpc', { service: 'object', method: 'execute_kw', args: ['helpdesk', uid.usuario, 'usuario', 'res.users', 'read_group', [[], ['password'], ['password']]] });
  t.is(r.error?.data.name, 'odoo.exceptions.AccessError');
  t.notRegex(JSON.stringify(r), /scrypt/);
});
