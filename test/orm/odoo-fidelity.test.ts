/**
 * Where Odoo clients notice a difference: audit columns of installed records, `copy` over
 * every RPC path, related fields written through, `res.partner.company_name` a plain char,
 * document-linked records removed with their document.
 */
import test from 'ava';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { callKwHttp, jsonRpc, webLogin, xmlRpc } from '../http/helpers.ts';

let srv: TestServer;
test.before(async () => { srv = await startTestServer({ addons: ['test_orm_ext', 'mail'], fixtures: true, demo: true, webClient: false }); });
test.after.always(async () => srv?.close());

test('records created while installing carry the superuser in create_uid and write_uid, never NULL', async (t) => {
  const knex = srv.app.db.knex;
  const tables = (await knex.raw(`SELECT table_name FROM information_schema.columns WHERE column_name = 'create_uid' AND table_schema = current_schema()`)).rows.map((r: any) => r.table_name);
  t.true(tables.includes('ir_model_data') && tables.includes('res_partner'));
  const withNulls: string[] = [];
  for (const table of tables) {
    const { n } = (await knex.raw(`SELECT count(*)::int AS n FROM "${table}" WHERE create_uid IS NULL OR write_uid IS NULL`)).rows[0];
    if (n) withNulls.push(`${table}: ${n}`);
  }
  t.deepEqual(withNulls, []);
  const root = await knex('res_users').where({ id: 1 }).first('create_uid', 'write_uid');
  t.deepEqual(root, { create_uid: 1, write_uid: 1 });
  const xmlid = await knex('ir_model_data').where({ module: 'base', name: 'group_user' }).first('create_uid');
  t.is(xmlid.create_uid, 1);
});

test('copy returns an integer id over call_kw, JSON-RPC and XML-RPC', async (t) => {
  const partner = await srv.app.withEnv(2, async (env) => (await env.model('res.partner').create({ name: 'Original' })).ids[0]);
  const cookie = await webLogin(srv.url, 'admin', 'admin');
  const web = await callKwHttp(srv.url, cookie, 'res.partner', 'copy', [partner]);
  t.is(typeof web.result, 'number', JSON.stringify(web.error));
  const json = await jsonRpc(srv.url, 'object', 'execute_kw', ['helpdesk', 2, 'admin', 'res.partner', 'copy', [[partner]], { default: { name: 'Other' } }]);
  t.is(typeof json, 'number');
  const xml = await xmlRpc(srv.url, '/xmlrpc/2/object', 'execute_kw', ['helpdesk', 2, 'admin', 'res.partner', 'copy', [partner]]);
  t.is(typeof xml.value, 'number');
  // The copy can be read back at once, as the web client's Duplicate does.
  const read = await callKwHttp(srv.url, cookie, 'res.partner', 'read', [[web.result], ['name']]);
  t.is(read.result[0].name, 'Original (copy)');
  const other = await callKwHttp(srv.url, cookie, 'res.partner', 'read', [[json], ['name']]);
  t.is(other.result[0].name, 'Other');
});

test('writing a related field writes its target, with the caller\'s rights on it', async (t) => {
  await srv.app.withEnv(2, async (env) => {
    const partner = await env.model('res.partner').create({ name: 'Ana', city: 'Sevilla' });
    const item = await env.model('test.orm.item').create({ name: 'W', partner_id: partner.ids[0] });
    await item.write({ partner_city: 'Lyon' });
    t.is((await partner.read(['city']))[0].city, 'Lyon');
    t.is((await item.read(['partner_city']))[0].partner_city, 'Lyon');
    const other = await env.model('res.partner').create({ name: 'Bea' });
    const created = await env.model('test.orm.item').create({ name: 'X', partner_id: other.ids[0], partner_city: 'Faro' });
    t.is((await created.read(['partner_city']))[0].partner_city, 'Faro');
    // No partner: nothing to write, nothing fails.
    const lone = await env.model('test.orm.item').create({ name: 'Y' });
    await lone.write({ partner_city: 'Nowhere' });
    t.is((await lone.read(['partner_city']))[0].partner_city, false);
  });
});

test('res.partner.company_name is a plain char that clients may send when creating a contact', async (t) => {
  await srv.app.withEnv(2, async (env) => {
    const fields = await env.model('res.partner').fields_get(['company_name']);
    t.is(fields.company_name.type, 'char');
    t.is(fields.company_name.related, undefined);
    t.is(fields.company_name.store, true);
    const p = await env.model('res.partner').create({ name: 'Eve', company_name: 'Initech' });
    t.is((await p.read(['company_name']))[0].company_name, 'Initech');
  });
});

test('deleting a document removes the messages and followers linked to it', async (t) => {
  await srv.app.withEnv(2, async (env) => {
    const partner = await env.model('res.partner').create({ name: 'Doc' });
    const id = partner.ids[0];
    await env.sudo().model('mail.message').create({ model: 'res.partner', res_id: id, body: '<p>hi</p>', message_type: 'comment' });
    await env.sudo().model('mail.followers').create({ res_model: 'res.partner', res_id: id, partner_id: 2 });
    await partner.unlink();
    t.is(Number((await env.cr('mail_message').where({ model: 'res.partner', res_id: id }).count('* as n'))[0].n), 0);
    t.is(Number((await env.cr('mail_followers').where({ res_model: 'res.partner', res_id: id }).count('* as n'))[0].n), 0);
  });
});

test('the ORM core names no mail table', async (t) => {
  const { readFileSync } = await import('node:fs');
  const source = readFileSync(new URL('../../core/orm/model.ts', import.meta.url), 'utf8');
  t.false(/mail_message|mail_followers|mail\.message|mail\.followers/.test(source));
});
