/**
 * Data and demo data of SPEC 4.4: sequence, priorities, default category, alias, and the
 * demo: one login per role, partners with company/city/phone, categories with technicians,
 * projects, departments, tickets in every state with public messages and internal notes.
 */
import test from 'ava';
import { SUPERUSER_ID } from '../../core/orm/index.ts';
import type { App } from '../../core/app.ts';
import { makeTestApp } from '../helpers/app.ts';

let app: App;
test.before(async () => { app = await makeTestApp({ addons: ['helpdesk_bytacora'], demo: true }); });
test.after.always(async () => { await app?.close(); });

const su = (fn: (env: any) => Promise<any>): Promise<any> => app.withEnv(SUPERUSER_ID, fn);
const login = (name: string, password: string): Promise<number> => su((env) => env.model('res.users')._authenticate(name, password));

for (const [name, group] of [['usuario', 'group_helpdesk_user'], ['tecnico', 'group_helpdesk_technician'], ['admin', 'group_helpdesk_admin']]) {
  test(`demo: ${name}/${name} logs in and belongs to ${group}`, async (t) => {
    const uid = await login(name, name);
    t.true(await app.withEnv(uid, (env) => env.hasGroup(`helpdesk_bytacora.${group}`)));
  });
}

test('demo: usuario is not a technician, tecnico is not an admin', async (t) => {
  t.false(await app.withEnv(await login('usuario', 'usuario'), (env) => env.hasGroup('helpdesk_bytacora.group_helpdesk_technician')));
  t.false(await app.withEnv(await login('tecnico', 'tecnico'), (env) => env.hasGroup('helpdesk_bytacora.group_helpdesk_admin')));
});

test('demo: tickets exist in every state', async (t) => {
  const groups = await su((env) => env.model('helpdesk.ticket').read_group([], ['state'], ['state']));
  t.deepEqual(groups.map((g: any) => g.state), ['new', 'open', 'pending', 'closed'], 'every state, in the workflow order (dashboard, grouped lists)');
  t.true(groups.reduce((n: number, g: any) => n + g.state_count, 0) >= 12);
});

test('demo: usuario sees only the tickets they reported, and none of the internal notes', async (t) => {
  const uid = await login('usuario', 'usuario');
  const { visible, all, notes } = await app.withEnv(uid, async (env: any) => ({
    visible: await env.model('helpdesk.ticket').search_read([], ['partner_id']),
    all: await env.sudo().model('helpdesk.ticket').search_count([]),
    notes: await env.model('mail.message').search_count([['model', '=', 'helpdesk.ticket'], ['is_internal', '=', true]]),
  }));
  t.true(visible.length > 0 && visible.length < all);
  t.true(visible.every((r: any) => r.partner_id[1] === 'Laura Gómez'));
  t.is(notes, 0);
  const techNotes = await app.withEnv(await login('tecnico', 'tecnico'), (env) => env.model('mail.message').search_count([['model', '=', 'helpdesk.ticket'], ['is_internal', '=', true]]));
  t.true(techNotes > 0);
});

test('demo: reporters have company, city, phone and email', async (t) => {
  const rows = await su((env) => env.model('helpdesk.ticket').search_read([], ['partner_company', 'partner_city', 'partner_phone', 'partner_email']));
  for (const r of rows) t.true(!!(r.partner_company && r.partner_city && r.partner_phone && r.partner_email), JSON.stringify(r));
});

test('demo: categories have technicians; projects and departments exist', async (t) => {
  const { cats, projects, departments } = await su(async (env) => ({
    cats: await env.model('helpdesk.ticket.category').search_read([], ['name', 'technician_id']),
    projects: await env.model('project.project').search_count([]),
    departments: await env.model('hr.department').search_count([]),
  }));
  t.true(cats.length >= 4);
  t.true(cats.every((c: any) => c.technician_id));
  t.true(projects >= 3 && departments >= 3);
});

test('data: four priorities with levels 1..4 and the general category "Technical Support" ("Soporte técnico")', async (t) => {
  const { levels, general } = await su(async (env) => {
    const found: number[] = [];
    for (const p of ['low', 'normal', 'high', 'urgent']) found.push((await (await env.ref(`helpdesk_bytacora.priority_${p}`)).read(['level']))[0].level);
    return { levels: found, general: (await (await env.ref('helpdesk_bytacora.category_general')).read(['name']))[0].name };
  });
  t.deepEqual(levels, [1, 2, 3, 4]);
  t.is(general, 'Technical Support');
  const spanish = await app.withEnv(SUPERUSER_ID, async (env) => (await (await env.ref('helpdesk_bytacora.category_general')).read(['name']))[0].name, { lang: 'es_ES' });
  t.is(spanish, 'Soporte técnico');
});

test('data: the sequence helpdesk.ticket has prefix T- and padding 5', async (t) => {
  const seq = await su((env) => env.cr('ir_sequence').where({ code: 'helpdesk.ticket' }).first('prefix', 'padding'));
  t.deepEqual([seq.prefix, seq.padding], ['T-', 5]);
});

test('demo: numbers of demo tickets are T-00001 onwards and unique', async (t) => {
  const numbers = (await su((env) => env.model('helpdesk.ticket').search_read([], ['number']))).map((r: any) => r.number);
  t.is(new Set(numbers).size, numbers.length);
  t.true(numbers.includes('T-00001'));
});

test('demo: a ticket\'s messages are dated within its life, in the order they were written', async (t) => {
  const tickets = await su((env) => env.cr('helpdesk_ticket').select('id', 'state', 'create_date', 'close_date', 'first_response_date'));
  const messages = await su((env) => env.cr('mail_message').where({ model: 'helpdesk.ticket' }).orderBy('id').select('id', 'res_id', 'date'));
  const now = Date.now() + 1000;
  const time = (v: any) => new Date(v instanceof Date ? v : `${v}Z`).getTime();
  let checked = 0;
  for (const ticket of tickets) {
    const dates = messages.filter((m: any) => m.res_id === ticket.id).map((m: any) => time(m.date));
    if (!dates.length) continue;
    checked++;
    t.true(dates[0] >= time(ticket.create_date), `ticket ${ticket.id}: no message before it was created`);
    if (ticket.first_response_date) t.is(dates[0], ticket.state === 'closed' && dates.length === 1 ? time(ticket.close_date) : time(ticket.first_response_date), `ticket ${ticket.id}: the first message is its first response`);
    t.deepEqual(dates, [...dates].sort((a, b) => a - b), `ticket ${ticket.id}: in the order written`);
    const last = dates[dates.length - 1];
    if (ticket.state === 'closed') t.is(last, time(ticket.close_date), `ticket ${ticket.id}: the last message when it was closed`);
    else t.true(last <= now, `ticket ${ticket.id}: no message in the future`);
  }
  t.true(checked >= 5);
});
