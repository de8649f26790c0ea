/**
 * Attachment upload (multipart, CSRF) and download (/web/content) as the logged-in user:
 * who cannot read the attachment's document never gets its bytes.
 */
import test from 'ava';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createInternalUser, jsonCall, webLogin } from './helpers.ts';

let srv: TestServer;
let partnerId: number;
let cronId: number;
test.before(async () => {
  srv = await startTestServer({ addons: ['base'], webClient: false, config: { limit_request_mb: 1 } });
  await createInternalUser(srv.app, 'employee');
  partnerId = await srv.app.withEnv(1, async (env) => (await env.model('res.partner').create({ name: 'Attach Here' })).ids[0]);
  cronId = await srv.app.withEnv(1, async (env) => {
    const modelId = await env.refId('base.model_res_partner');
    return (await env.model('ir.cron').create({ name: 'Attachment test job', model_id: modelId, method: 'search', nextcall: '2099-01-01 00:00:00' })).ids[0];
  });
});
test.after.always(async () => { await srv?.close(); });

async function loginWithCsrf(login: string): Promise<{ cookie: string; csrf: string }> {
  const cookie = await webLogin(srv.url, login, login);
  const info = await jsonCall(srv.url, '/web/session/get_session_info', {}, cookie);
  return { cookie, csrf: info.result.csrf_token };
}

async function upload(auth: { cookie?: string; csrf?: string }, model: string, id: number, files: Array<[string, string | Uint8Array, string?]>): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('model', model);
  form.append('id', String(id));
  if (auth.csrf !== undefined) form.append('csrf_token', auth.csrf);
  for (const [name, content, type] of files) form.append('ufile', new Blob([content as BlobPart], type ? { type } : {}), name);
  const res = await fetch(`${srv.url}/web/binary/upload_attachment`, { method: 'POST', body: form, headers: auth.cookie ? { cookie: auth.cookie } : {} });
  return { status: res.status, body: await res.json() };
}

test('uploading several files creates attachments and answers their id, name, mimetype and size', async (t) => {
  const admin = await loginWithCsrf('admin');
  const r = await upload(admin, 'res.partner', partnerId, [['notes.txt', 'hello world', 'text/plain'], ['data.csv', 'a,b\n1,2\n']]);
  t.is(r.status, 200);
  t.is(r.body.length, 2);
  t.like(r.body[0], { name: 'notes.txt', mimetype: 'text/plain', file_size: 11 });
  t.like(r.body[1], { name: 'data.csv', mimetype: 'text/csv', file_size: 8 });
  const rows = await srv.app.db.knex('ir_attachment').whereIn('id', r.body.map((a: any) => a.id)).select('res_model', 'res_id', 'create_uid');
  t.deepEqual(rows.map((x: any) => [x.res_model, x.res_id, x.create_uid]), [['res.partner', partnerId, 2], ['res.partner', partnerId, 2]]);
});

test('downloading serves the bytes inline, or as a file with ?download=true', async (t) => {
  const admin = await loginWithCsrf('admin');
  const [att] = (await upload(admin, 'res.partner', partnerId, [['réport 1.txt', 'content here', 'text/plain']])).body;
  const inline = await fetch(`${srv.url}/web/content/${att.id}`, { headers: { cookie: admin.cookie } });
  t.is(inline.status, 200);
  t.is(await inline.text(), 'content here');
  t.regex(inline.headers.get('content-type') ?? '', /^text\/plain/);
  t.regex(inline.headers.get('content-disposition') ?? '', /^inline;/);
  const dl = await fetch(`${srv.url}/web/content/${att.id}?download=true`, { headers: { cookie: admin.cookie } });
  t.regex(dl.headers.get('content-disposition') ?? '', /^attachment; filename="report 1.txt"; filename\*=UTF-8''r%C3%A9port%201.txt$/);
});

test('HTML uploads are always downloaded, never rendered from our origin', async (t) => {
  const admin = await loginWithCsrf('admin');
  const [att] = (await upload(admin, 'res.partner', partnerId, [['page.html', '<script>alert(1)</script>', 'text/html']])).body;
  const res = await fetch(`${srv.url}/web/content/${att.id}`, { headers: { cookie: admin.cookie } });
  t.regex(res.headers.get('content-disposition') ?? '', /^attachment;/);
  t.is(res.headers.get('content-type'), 'application/octet-stream');
  t.is(res.headers.get('x-content-type-options'), 'nosniff');
});

test('a user who cannot read the document gets 403, never the bytes', async (t) => {
  t.true(cronId > 0);
  const admin = await loginWithCsrf('admin');
  const [att] = (await upload(admin, 'ir.cron', cronId, [['secret.txt', 'top secret', 'text/plain']])).body;
  const employee = await loginWithCsrf('employee');
  const res = await fetch(`${srv.url}/web/content/${att.id}?download=true`, { headers: { cookie: employee.cookie } });
  t.true(res.status === 403 || res.status === 404);
  t.notRegex(await res.text(), /top secret/);
});

test('a user cannot attach files to a document they may not write', async (t) => {
  const employee = await loginWithCsrf('employee');
  const r = await upload(employee, 'ir.cron', cronId, [['x.txt', 'x']]);
  t.is(r.status, 403);
  t.regex(r.body.error, /not allowed|security restrictions/);
});

test('files uploaded before their record exists (id 0) belong to their uploader', async (t) => {
  const employee = await loginWithCsrf('employee');
  const [att] = (await upload(employee, 'res.partner', 0, [['draft.txt', 'draft']])).body;
  t.is((await fetch(`${srv.url}/web/content/${att.id}`, { headers: { cookie: employee.cookie } })).status, 200);
  const admin = await loginWithCsrf('admin');
  const other = await createInternalUser(srv.app, 'other');
  t.true(other > 0);
  const otherAuth = await loginWithCsrf('other');
  const res = await fetch(`${srv.url}/web/content/${att.id}`, { headers: { cookie: otherAuth.cookie } });
  t.true(res.status === 403 || res.status === 404);
  t.is((await fetch(`${srv.url}/web/content/${att.id}`, { headers: { cookie: admin.cookie } })).status, 403);
});

test('an upload without the CSRF token or without a session is refused', async (t) => {
  const admin = await loginWithCsrf('admin');
  const noCsrf = await upload({ cookie: admin.cookie }, 'res.partner', partnerId, [['x.txt', 'x']]);
  t.is(noCsrf.status, 400);
  t.regex(noCsrf.body.error, /CSRF/);
  const noSession = await upload({ csrf: admin.csrf }, 'res.partner', partnerId, [['x.txt', 'x']]);
  t.is(noSession.status, 401);
  t.regex(noSession.body.error, /Session expired/);
});

test('an upload over the size limit is refused with a clear message', async (t) => {
  const admin = await loginWithCsrf('admin');
  const r = await upload(admin, 'res.partner', partnerId, [['big.bin', new Uint8Array(1024 * 1024 + 1)]]);
  t.is(r.status, 413);
  t.regex(r.body.error, /too large: the limit is 1 MB/);
  const after = await upload(admin, 'res.partner', partnerId, [['small.txt', 'ok']]);
  t.is(after.status, 200, 'the server goes on');
});

test('an upload to an unknown model is a clear error', async (t) => {
  const admin = await loginWithCsrf('admin');
  const r = await upload(admin, 'no.model', 1, [['x.txt', 'x']]);
  t.is(r.status, 400);
  t.regex(r.body.error, /Unknown model "no.model"/);
});

test('downloading without a session goes to the login page; an unknown id is 404', async (t) => {
  const anon = await fetch(`${srv.url}/web/content/1`, { redirect: 'manual' });
  t.is(anon.status, 302);
  t.regex(anon.headers.get('location') ?? '', /^\/web\/login\?redirect=/);
  const admin = await loginWithCsrf('admin');
  t.is((await fetch(`${srv.url}/web/content/999999`, { headers: { cookie: admin.cookie } })).status, 404);
});
