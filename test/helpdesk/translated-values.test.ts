/**
 * Translatable field values (Odoo's translate=True): stored per language in jsonb, read,
 * written and searched in the user's language, translated from the addons' .po files.
 */
import test from 'ava';
import type { App } from '../../core/app.ts';
import { SUPERUSER_ID } from '../../core/orm/index.ts';
import { syncSchema } from '../../core/schema/index.ts';
import { makeTestApp } from '../helpers/app.ts';

let app: App;
test.before(async () => { app = await makeTestApp({ addons: ['helpdesk_bytacora'], demo: true }); });
test.after.always(async () => app?.close());

const inLang = <T>(lang: string, fn: (env: any) => Promise<T>) => app.withEnv(SUPERUSER_ID, fn, { lang });
/** Runs `fn` and rolls its writes back. */
async function rollback(fn: (env: any) => Promise<void>): Promise<void> {
  await app.withEnv(SUPERUSER_ID, async (env) => {
    await fn(env);
    throw Object.assign(new Error('rollback'), { rollback: true });
  }).catch((e) => { if (!e.rollback) throw e; });
}

test('priorities, categories and SLA policies read "High" in English and "Alta" in Spanish', async (t) => {
  const read = (lang: string) => inLang(lang, async (env) => {
    const priority = (await (await env.ref('helpdesk_bytacora.priority_high')).read(['name']))[0].name;
    const category = (await (await env.ref('helpdesk_bytacora.category_network')).read(['name']))[0].name;
    const sla = (await (await env.ref('helpdesk_bytacora.sla_high')).read(['name']))[0].name;
    return { priority, category, sla };
  });
  t.deepEqual(await read('en_US'), { priority: 'High', category: 'Networks and Communications', sla: 'High: response in 4 h, resolution in 16 h' });
  t.deepEqual(await read('es_ES'), { priority: 'Alta', category: 'Redes y comunicaciones', sla: 'Alta: respuesta en 4 h, solución en 16 h' });
});

test('they are stored per language in jsonb, as Odoo 16+', async (t) => {
  const id = await inLang('en_US', (env) => env.refId('helpdesk_bytacora.priority_urgent'));
  const row = await app.db.knex('helpdesk_ticket_priority').where({ id }).first('name');
  t.deepEqual(row.name, { en_US: 'Urgent', es_ES: 'Urgente' });
  const type = (await app.db.knex.raw(`SELECT data_type FROM information_schema.columns WHERE table_name = 'helpdesk_ticket_priority' AND column_name = 'name'`)).rows[0].data_type;
  t.is(type, 'jsonb');
});

test('many2one names, menus, crons and models come in the user\'s language', async (t) => {
  const ticketPriority = (lang: string) => inLang(lang, async (env) => {
    const [ticket] = await env.model('helpdesk.ticket').search_read([['priority_id', '=', await env.refId('helpdesk_bytacora.priority_high')]], ['priority_id'], 0, 1);
    const [read] = await env.model('helpdesk.ticket').browse([ticket.id]).read(['priority_id']);
    return [ticket.priority_id[1], read.priority_id[1]];
  });
  t.deepEqual(await ticketPriority('en_US'), ['High', 'High']);
  t.deepEqual(await ticketPriority('es_ES'), ['Alta', 'Alta']);
  const menuName = (lang: string) => inLang(lang, async (env) => {
    const menus = await env.model('ir.ui.menu').load_web_menus();
    return Object.values(menus).map((m: any) => m.name);
  });
  t.true((await menuName('en_US')).includes('Priorities'));
  t.true((await menuName('es_ES')).includes('Prioridades'));
  const cron = (lang: string) => inLang(lang, async (env) => (await (await env.ref('helpdesk_bytacora.ir_cron_sla_update')).read(['name']))[0].name);
  t.is(await cron('en_US'), 'Helpdesk: update SLA status');
  t.not(await cron('es_ES'), 'Helpdesk: update SLA status');
  const model = (lang: string) => inLang(lang, async (env) => (await env.model('ir.model').search_read([['model', '=', 'helpdesk.ticket']], ['name']))[0].name);
  t.is(await model('en_US'), 'Helpdesk Ticket');
  t.not(await model('es_ES'), 'Helpdesk Ticket');
});

test('domains, name_search and order use the user\'s language', async (t) => {
  const search = (lang: string, name: string) => inLang(lang, async (env) => (await env.model('helpdesk.ticket.priority').search([['name', '=', name]])).ids);
  const high = await inLang('en_US', (env) => env.refId('helpdesk_bytacora.priority_high'));
  t.deepEqual(await search('en_US', 'High'), [high]);
  t.deepEqual(await search('es_ES', 'Alta'), [high]);
  t.deepEqual(await search('es_ES', 'High'), []);
  const names = await inLang('es_ES', (env) => env.model('helpdesk.ticket.priority').name_search('alt'));
  t.deepEqual(names, [[high, 'Alta']]);
  const ordered = (lang: string) => inLang(lang, async (env) => (await env.model('helpdesk.ticket.priority').search_read([], ['name'], 0, null, 'name')).map((r: any) => r.name));
  t.deepEqual(await ordered('en_US'), ['High', 'Low', 'Normal', 'Urgent']);
  t.deepEqual(await ordered('es_ES'), ['Alta', 'Baja', 'Normal', 'Urgente']);
  // Tickets searched through the many2one's name, in Spanish.
  const viaPath = await inLang('es_ES', async (env) => env.model('helpdesk.ticket').search_count([['priority_id.name', '=', 'Alta']]));
  const direct = await inLang('es_ES', async (env) => env.model('helpdesk.ticket').search_count([['priority_id', '=', high]]));
  t.is(viaPath, direct);
});

test('a write in Spanish changes the Spanish text only; a new record exists in both languages', async (t) => {
  await rollback(async (env) => {
    const high = await env.refId('helpdesk_bytacora.priority_high');
    await env.model('helpdesk.ticket.priority').withContext({ lang: 'es_ES' }).browse([high]).write({ name: 'Elevada' });
    const row = await env.cr('helpdesk_ticket_priority').where({ id: high }).first('name');
    t.deepEqual(row.name, { en_US: 'High', es_ES: 'Elevada' });
    const created = await env.model('helpdesk.ticket.priority').withContext({ lang: 'es_ES' }).create({ name: 'Crítica', level: 5 });
    t.is((await created.withContext({ lang: 'en_US' }).read(['name']))[0].name, 'Crítica');
    await created.withContext({ lang: 'en_US' }).write({ name: 'Critical' });
    t.is((await created.withContext({ lang: 'es_ES' }).read(['name']))[0].name, 'Crítica');
    t.is((await created.withContext({ lang: 'en_US' }).read(['name']))[0].name, 'Critical');
    // A language without a translation falls back to English.
    t.is((await created.withContext({ lang: 'fr_FR' }).read(['name']))[0].name, 'Critical');
  });
});

test('schema sync turns an existing text column into jsonb without losing its values', async (t) => {
  await rollback(async (env) => {
    const cr = env.cr;
    await cr.raw(`ALTER TABLE helpdesk_ticket_category ALTER COLUMN name TYPE varchar USING name->>'es_ES'`);
    const before = await cr('helpdesk_ticket_category').orderBy('id').select('id', 'name');
    t.true(before.every((r: any) => typeof r.name === 'string'));
    const migrated = await syncSchema(cr, app.registry, [app.registry.get('helpdesk.ticket.category')!]);
    t.deepEqual(migrated, ['helpdesk_ticket_category.name']);
    const after = await cr('helpdesk_ticket_category').orderBy('id').select('id', 'name');
    t.deepEqual(after, before.map((r: any) => ({ id: r.id, name: r.name === null ? null : { en_US: r.name } })));
    // Readable through the ORM at once, in any language (English is the fallback).
    const [first] = await env.model('helpdesk.ticket.category').withContext({ lang: 'es_ES' }).browse([before[0].id]).read(['name']);
    t.is(first.name, before[0].name);
  });
});

test('read_group on a translated field groups by its text in the user\'s language', async (t) => {
  await rollback(async (env) => {
    // Two priorities that differ in English and read the same in Spanish: one group in Spanish.
    const Priority = env.model('helpdesk.ticket.priority');
    const a = await Priority.create({ name: 'Probe A', level: 1 });
    const b = await Priority.create({ name: 'Probe B', level: 1 });
    await a.withContext({ lang: 'es_ES' }).write({ name: 'Sonda' });
    await b.withContext({ lang: 'es_ES' }).write({ name: 'Sonda' });
    const domain = [['id', 'in', [...a.ids, ...b.ids]]];
    const groups = async (lang: string) => (await Priority.withContext({ lang }).read_group(domain, ['level:sum'], ['name'], 0, null, null, false))
      .map((g: any) => [g.name, g.__count, g.level]);
    t.deepEqual(await groups('en_US'), [['Probe A', 1, 1], ['Probe B', 1, 1]]);
    t.deepEqual(await groups('es_ES'), [['Sonda', 2, 2]]);
    // The group's domain opens exactly its records in that language.
    const [sonda] = await Priority.withContext({ lang: 'es_ES' }).read_group(domain, [], ['name'], 0, null, null, false);
    t.is(await Priority.withContext({ lang: 'es_ES' }).search_count(sonda.__domain), 2);
  });
});

test('an action\'s help (the empty list\'s text) is loaded in the user\'s language', async (t) => {
  const help = (lang: string) => inLang(lang, async (env) => (await (await env.ref('helpdesk_bytacora.action_helpdesk_ticket_my'))._forClient()).help as string);
  const [en, es] = [await help('en_US'), await help('es_ES')];
  t.regex(en, /^<p class="o_view_nocontent_create">No tickets reported yet<\/p>/);
  t.regex(es, /^<p class="o_view_nocontent_create">Aún no ha comunicado ninguna incidencia<\/p>/);
  t.regex(es, /<b>Nuevo<\/b>/);
});
