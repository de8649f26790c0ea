/**
 * Views, actions, menus and search filters of SPEC 4.4 as each role gets them: separate
 * forms for users and technicians, list/kanban/graph archs, the menu tree per role, and every
 * search filter evaluated the way the web client evaluates it (the shared literal evaluator
 * with the client's date helpers) and run against the database.
 */
import test from 'ava';
import { DOMParser } from '@xmldom/xmldom';
import { evaluate } from '../../core/data/literal-eval.ts';
import { dateScope } from '../../addons/web/static/src/py-dates.ts';
import { as, rollback, setupHelpdesk, ticketOf, type HelpdeskFixture, type Role } from './helpers.ts';

let fx: HelpdeskFixture;
test.before(async () => { fx = await setupHelpdesk(); });
test.after.always(async () => { await fx?.app.close(); });

const parse = (arch: string) => new DOMParser().parseFromString(arch, 'text/xml');
const names = (doc: any, tag: string) => Array.from(doc.getElementsByTagName(tag) as ArrayLike<any>).map((e: any) => e.getAttribute('name')).filter(Boolean);
async function arch(env: any, role: Role, type: string, lang = 'en_US'): Promise<any> {
  const model = env.withUser(fx.uid[role]).withContext({ lang }).model('helpdesk.ticket');
  const res = await model.get_views([[false, type]]);
  return parse((res.views as any)[type].arch);
}

// ── forms ────────────────────────────────────────────────────────────────────────────
test('form for users: subject, description, attachments, status, solution, rating, Reopen — no workflow buttons', async (t) => {
  await rollback(fx.app, async (env) => {
    const doc = await arch(env, 'user', 'form');
    const fields = names(doc, 'field');
    for (const f of ['subject', 'description', 'attachment_ids', 'state', 'solution', 'rating', 'rating_comment']) t.true(fields.includes(f), f);
    for (const f of ['partner_name', 'partner_company', 'category_id', 'priority_id', 'user_id']) t.false(fields.includes(f), f);
    const buttons = names(doc, 'button');
    t.true(buttons.includes('action_reopen'));
    t.true(buttons.includes('action_close_wizard'));
    for (const b of ['action_open', 'action_wait', 'action_solve_wizard', 'action_reassign_wizard']) t.false(buttons.includes(b), b);
  });
});

test('form for users: attachments use the attachments widget, the rating the stars widget, the state a statusbar', async (t) => {
  await rollback(fx.app, async (env) => {
    const doc = await arch(env, 'user', 'form');
    const widget = (name: string) => Array.from(doc.getElementsByTagName('field') as ArrayLike<any>).find((e: any) => e.getAttribute('name') === name)?.getAttribute('widget');
    t.is(widget('attachment_ids'), 'attachments');
    t.is(widget('rating'), 'priority');
    t.is(widget('state'), 'statusbar');
  });
});

test('form for users: the chatter is marked without internal notes', async (t) => {
  await rollback(fx.app, async (env) => {
    const chatter = (await arch(env, 'user', 'form')).getElementsByTagName('chatter')[0];
    t.is(chatter.getAttribute('internal_notes'), '0');
  });
});

for (const role of ['technician', 'admin'] as Role[]) {
  test(`form for ${role}s: reporter block, classification fields, Open/Wait/Solve/Reassign/Reopen, full chatter`, async (t) => {
    await rollback(fx.app, async (env) => {
      const doc = await arch(env, role, 'form');
      const fields = names(doc, 'field');
      for (const f of ['partner_id', 'partner_name', 'partner_company', 'partner_city', 'partner_email', 'partner_phone', 'category_id', 'project_id', 'priority_id', 'department_id', 'user_id']) t.true(fields.includes(f), f);
      const buttons = names(doc, 'button');
      for (const b of ['action_open', 'action_wait', 'action_solve_wizard', 'action_reassign_wizard', 'action_reopen']) t.true(buttons.includes(b), b);
      t.false(buttons.includes('action_close_wizard'));
      t.false(doc.getElementsByTagName('chatter')[0].hasAttribute('internal_notes'));
    });
  });
}

test('form: the workflow buttons are shown by state (invisible expressions)', async (t) => {
  await rollback(fx.app, async (env) => {
    const doc = await arch(env, 'technician', 'form');
    const invisible = (name: string) => Array.from(doc.getElementsByTagName('button') as ArrayLike<any>).find((e: any) => e.getAttribute('name') === name)?.getAttribute('invisible');
    const visibleIn = (name: string) => ['new', 'open', 'pending', 'closed'].filter((state) => !evaluate(invisible(name), { state, id: 1 }));
    t.deepEqual(visibleIn('action_open'), ['new', 'pending']);
    t.deepEqual(visibleIn('action_wait'), ['open']);
    t.deepEqual(visibleIn('action_solve_wizard'), ['new', 'open', 'pending']);
    t.deepEqual(visibleIn('action_reopen'), ['closed']);
  });
});

test('form: labels are translated for a Spanish user', async (t) => {
  await rollback(fx.app, async (env) => {
    const doc = await arch(env, 'technician', 'form', 'es_ES');
    const strings = Array.from(doc.getElementsByTagName('button') as ArrayLike<any>).map((e: any) => e.getAttribute('string'));
    for (const s of ['Abrir ticket', 'Esperar', 'Resolver', 'Reasignar', 'Reabrir']) t.true(strings.includes(s), s);
    const fields = await env.withUser(fx.uid.technician).withContext({ lang: 'es_ES' }).model('helpdesk.ticket').fields_get(['state', 'subject', 'attachment_ids']);
    t.deepEqual(fields.state.selection, [['new', 'Sin mirar'], ['open', 'Abierto'], ['pending', 'Esperando respuesta'], ['closed', 'Cerrado']]);
    t.is(fields.subject.string, 'Asunto');
    t.is(fields.attachment_ids.string, 'Archivos adjuntos');
  });
});

// ── list, kanban, graph ──────────────────────────────────────────────────────────────
test('list: number, subject, category, state with decorations by state and priority', async (t) => {
  await rollback(fx.app, async (env) => {
    const doc = await arch(env, 'technician', 'list');
    const root = doc.documentElement;
    for (const f of ['number', 'subject', 'category_id', 'state', 'create_date']) t.true(names(doc, 'field').includes(f), f);
    t.is(root.getAttribute('decoration-muted'), "state == 'closed'");
    t.true(evaluate(root.getAttribute('decoration-danger'), { priority_level: 4, state: 'open' }) as boolean);
    t.false(evaluate(root.getAttribute('decoration-danger'), { priority_level: 2, state: 'open' }) as boolean);
  });
});

test('kanban: columns by state; cards show number, subject, tags, priority stars, SLA and technician', async (t) => {
  await rollback(fx.app, async (env) => {
    const doc = await arch(env, 'technician', 'kanban');
    t.is(doc.documentElement.getAttribute('default_group_by'), 'state');
    for (const f of ['number', 'subject', 'tag_ids', 'priority_level', 'sla_status', 'user_id']) t.true(names(doc, 'field').includes(f), f);
  });
});

test('kanban: a drop runs the workflow action of the target column, none leads to Unseen', async (t) => {
  await rollback(fx.app, async (env) => {
    const doc = await arch(env, 'technician', 'kanban');
    const onDrop = evaluate(doc.documentElement.getAttribute('on_drop')!, {}) as Record<string, Record<string, string>>;
    t.deepEqual(onDrop.open, { new: 'action_open', pending: 'action_open', closed: 'action_reopen' });
    t.deepEqual(onDrop.pending, { open: 'action_wait' });
    t.is(onDrop.closed.open, 'action_solve_wizard');
    t.false('new' in onDrop);
  });
});

test('dashboard: one graph per axis — state, category, priority, technician, time', async (t) => {
  await rollback(fx.app, async (env) => {
    const rows: string[] = [];
    for (const xmlid of ['view_helpdesk_ticket_graph', 'view_helpdesk_ticket_graph_category', 'view_helpdesk_ticket_graph_priority', 'view_helpdesk_ticket_graph_technician', 'view_helpdesk_ticket_graph_time']) {
      const id = await env.refId(`helpdesk_bytacora.${xmlid}`);
      const res = await as(env, fx.uid.technician).get_views([[id, 'graph']]);
      const doc = parse(res.views.graph.arch);
      rows.push(Array.from(doc.getElementsByTagName('field') as ArrayLike<any>).find((e: any) => e.getAttribute('type') === 'row').getAttribute('name'));
    }
    t.deepEqual(rows, ['state', 'category_id', 'priority_id', 'user_id', 'create_date']);
  });
});

test('dashboard: the graph data (read_group by month of creation) works for technicians', async (t) => {
  await rollback(fx.app, async (env) => {
    await ticketOf(fx, env, 'user');
    const groups = await as(env, fx.uid.technician).read_group([], ['__count'], ['create_date:month']);
    t.is(groups.reduce((n: number, g: any) => n + g.__count, 0), 1);
  });
});

// ── menus and actions ────────────────────────────────────────────────────────────────
async function helpdeskMenus(env: any, role: Role): Promise<string[]> {
  const menus = await as(env, fx.uid[role], 'ir.ui.menu').load_web_menus();
  const root = Object.values(menus).find((m: any) => m.xmlid === 'helpdesk_bytacora.menu_helpdesk_root') as any;
  if (!root) return [];
  const out: string[] = [];
  const walk = (id: number, prefix: string) => {
    const m = menus[id];
    out.push(`${prefix}${m.name}`);
    for (const c of m.children) walk(c, `${prefix}${m.name} > `);
  };
  for (const c of root.children) walk(c, '');
  return out;
}

test('menus: a user sees Helpdesk > My Tickets only', async (t) => {
  await rollback(fx.app, async (env) => t.deepEqual(await helpdeskMenus(env, 'user'), ['My Tickets']));
});

test('menus: a technician also sees Assigned to me, All Tickets and the Dashboard', async (t) => {
  await rollback(fx.app, async (env) => {
    t.deepEqual(await helpdeskMenus(env, 'technician'), [
      'Assigned to me', 'My Tickets', 'All Tickets', 'Dashboard', 'Dashboard > Tickets by status', 'Dashboard > Tickets by category',
      'Dashboard > Tickets by priority', 'Dashboard > Tickets by technician', 'Dashboard > Tickets over time',
    ]);
  });
});

test('menus: an admin also sees Configuration > Categories, Priorities, Projects, Departments', async (t) => {
  await rollback(fx.app, async (env) => {
    const menus = await helpdeskMenus(env, 'admin');
    for (const m of ['Configuration > Categories', 'Configuration > Priorities', 'Configuration > Projects', 'Configuration > Departments', 'Configuration > Tags', 'Configuration > Canned Responses']) t.true(menus.includes(m), m);
  });
});

test('menus: an internal user without helpdesk group sees no Helpdesk app', async (t) => {
  await rollback(fx.app, async (env) => t.deepEqual(await helpdeskMenus(env, 'employee'), []));
});

test('menus: menu names are translated for Spanish users', async (t) => {
  await rollback(fx.app, async (env) => {
    await env.model('res.users').browse([fx.uid.admin]).write({ lang: 'es_ES' });
    const menus = await (env.withUser(fx.uid.admin).withContext({ lang: 'es_ES' }).model('ir.ui.menu') as any).load_web_menus();
    const labels = Object.values(menus).map((m: any) => m.name);
    for (const s of ['Mis tickets', 'Asignados a mí', 'Todos los tickets', 'Panel', 'Configuración', 'Categorías', 'Prioridades']) t.true(labels.includes(s), s);
  });
});

async function actionDomain(env: any, xmlid: string, uid: number): Promise<unknown[]> {
  const action = await env.withUser(uid).model('ir.actions.act_window').browse([await env.refId(`helpdesk_bytacora.${xmlid}`)])._forClient();
  return action.domain as unknown[];
}

test('action My Tickets: a technician sees only the tickets they reported there', async (t) => {
  await rollback(fx.app, async (env) => {
    const mine = await ticketOf(fx, env, 'technician');
    await ticketOf(fx, env, 'user');
    const domain = await actionDomain(env, 'action_helpdesk_ticket_my', fx.uid.technician);
    t.deepEqual((await as(env, fx.uid.technician).search(domain)).ids, [mine]);
  });
});

test('action My Tickets: includes tickets reported by mail under the user\'s address', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await (env.model('helpdesk.ticket') as any).message_new({ subject: 'By mail', body: '<p>x</p>', email_from: 'hd.user@example.com' });
    const domain = await actionDomain(env, 'action_helpdesk_ticket_my', fx.uid.user);
    t.deepEqual((await as(env, fx.uid.user).search(domain)).ids, rec.ids);
  });
});

test('action Assigned to me: the tickets whose technician is the current user', async (t) => {
  await rollback(fx.app, async (env) => {
    const a = await ticketOf(fx, env, 'user', {}, 'open');
    await ticketOf(fx, env, 'other');
    await env.model('helpdesk.ticket').browse([a]).sudo().write({ user_id: fx.uid.technician2 });
    const domain = await actionDomain(env, 'action_helpdesk_ticket_assigned', fx.uid.technician2);
    t.deepEqual((await as(env, fx.uid.technician2).search(domain)).ids, [a]);
  });
});

// ── search view: every filter, evaluated like the web client does ───────────────────
async function searchArch(env: any): Promise<any> {
  return arch(env, 'technician', 'search');
}
async function runFilter(env: any, name: string, uid = fx.uid.technician): Promise<number[]> {
  const doc = await searchArch(env);
  const filter = Array.from(doc.getElementsByTagName('filter') as ArrayLike<any>).find((e: any) => e.getAttribute('name') === name);
  if (!filter) throw new Error(`no filter ${name}`);
  const domain = evaluate(filter.getAttribute('domain'), { ...dateScope(), uid, context: {} });
  return (await as(env, uid).search(JSON.parse(JSON.stringify(domain)))).ids;
}
const FILTERS = ['my_tickets', 'assigned_to_me', 'unassigned', 'state_new', 'state_open', 'state_pending', 'state_closed', 'high_priority', 'sla_on_time', 'sla_at_risk', 'sla_failed',
  'created_today', 'created_this_week', 'created_this_month', 'created_last_30_days', 'from_email', 'from_zammad', 'with_attachments'];

test('search view: has every filter of the spec and the group-bys', async (t) => {
  await rollback(fx.app, async (env) => {
    const doc = await searchArch(env);
    const filters = names(doc, 'filter');
    for (const f of FILTERS) t.true(filters.includes(f), f);
    const groupBys = Array.from(doc.getElementsByTagName('filter') as ArrayLike<any>).map((e: any) => e.getAttribute('context')).filter(Boolean)
      .map((c: string) => (evaluate(c) as any).group_by);
    t.deepEqual(groupBys, ['state', 'category_id', 'priority_id', 'project_id', 'department_id', 'user_id', 'partner_id', 'sla_status', 'create_date:day', 'create_date:week', 'create_date:month']);
    const fields = names(doc, 'field');
    for (const f of ['number', 'subject', 'description', 'partner_id', 'category_id', 'project_id', 'department_id', 'user_id']) t.true(fields.includes(f), f);
  });
});

test('filters: My tickets / Assigned to me / Unassigned', async (t) => {
  await rollback(fx.app, async (env) => {
    const mine = await ticketOf(fx, env, 'technician');
    const assigned = await ticketOf(fx, env, 'user');
    const unassigned = await ticketOf(fx, env, 'other');
    await env.model('helpdesk.ticket').browse([assigned]).sudo().write({ user_id: fx.uid.technician });
    await env.model('helpdesk.ticket').browse([mine]).sudo().write({ user_id: fx.uid.technician2 });
    t.deepEqual(await runFilter(env, 'my_tickets'), [mine]);
    t.deepEqual(await runFilter(env, 'assigned_to_me'), [assigned]);
    t.deepEqual(await runFilter(env, 'unassigned'), [unassigned]);
  });
});

test('filters: one per state', async (t) => {
  await rollback(fx.app, async (env) => {
    const ids: Record<string, number> = {};
    for (const state of ['new', 'open', 'pending', 'closed']) ids[state] = await ticketOf(fx, env, 'user', {}, state);
    for (const state of ['new', 'open', 'pending', 'closed']) t.deepEqual(await runFilter(env, `state_${state}`), [ids[state]], state);
  });
});

test('filters: High priority means level 3 or more', async (t) => {
  await rollback(fx.app, async (env) => {
    const ids: number[] = [];
    for (const p of ['low', 'normal', 'high', 'urgent']) {
      const id = await ticketOf(fx, env, 'user');
      await env.model('helpdesk.ticket').browse([id]).sudo().write({ priority_id: await env.refId(`helpdesk_bytacora.priority_${p}`) });
      ids.push(id);
    }
    t.deepEqual((await runFilter(env, 'high_priority')).sort((a, b) => a - b), [ids[2], ids[3]]);
  });
});

test('filters: created today / this week / this month / last 30 days', async (t) => {
  await rollback(fx.app, async (env) => {
    const now = await ticketOf(fx, env, 'user');
    const twentyDays = await ticketOf(fx, env, 'user');
    const fortyDays = await ticketOf(fx, env, 'user');
    const tenDays = await ticketOf(fx, env, 'user');
    const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
    for (const [id, days] of [[twentyDays, 20], [fortyDays, 40], [tenDays, 10]]) await env.cr('helpdesk_ticket').where({ id }).update({ create_date: ago(days) });
    const today = await runFilter(env, 'created_today');
    t.true(today.includes(now));
    t.false(today.includes(tenDays));
    const week = await runFilter(env, 'created_this_week');
    t.true(week.includes(now));
    t.false(week.includes(tenDays));
    const month = await runFilter(env, 'created_this_month');
    t.true(month.includes(now));
    t.false(month.includes(fortyDays));
    const last30 = await runFilter(env, 'created_last_30_days');
    t.deepEqual(last30.sort((a, b) => a - b), [now, twentyDays, tenDays].sort((a, b) => a - b));
  });
});

test('filters: from email, from Zammad, with attachments', async (t) => {
  await rollback(fx.app, async (env) => {
    const email = (await (env.model('helpdesk.ticket') as any).message_new({ subject: 'Mail', body: '<p>x</p>', email_from: 'x@example.com' })).ids[0];
    const zammad = (await env.model('helpdesk.ticket').sudo().create({ subject: 'Z', description: '<p>z</p>', origin: 'zammad' })).ids[0];
    const withFile = await ticketOf(fx, env, 'user', { attachment_ids: [[0, 0, { name: 'a.txt', datas: 'eA==' }]] });
    await ticketOf(fx, env, 'user');
    t.deepEqual(await runFilter(env, 'from_email'), [email]);
    t.deepEqual(await runFilter(env, 'from_zammad'), [zammad]);
    t.deepEqual(await runFilter(env, 'with_attachments'), [withFile]);
  });
});

test('search fields: the reporter field matches name, email and company', async (t) => {
  await rollback(fx.app, async (env) => {
    const company = await env.model('res.partner').create({ name: 'Talleres Norte S.A.', is_company: true });
    await env.model('res.partner').browse([fx.partner.other]).write({ parent_id: company.ids[0] });
    const id = await ticketOf(fx, env, 'other');
    await ticketOf(fx, env, 'user');
    const doc = await searchArch(env);
    const field = Array.from(doc.getElementsByTagName('field') as ArrayLike<any>).find((e: any) => e.getAttribute('name') === 'partner_id');
    for (const text of ['HD other', 'hd.other@', 'Talleres']) {
      const domain = evaluate(field.getAttribute('filter_domain'), { self: text });
      t.deepEqual((await as(env, fx.uid.technician).search(domain)).ids, [id], text);
    }
  });
});

test('group by: state, technician, reporter and creation day/week/month all work', async (t) => {
  await rollback(fx.app, async (env) => {
    await ticketOf(fx, env, 'user', {}, 'open');
    await ticketOf(fx, env, 'other');
    for (const g of ['state', 'category_id', 'priority_id', 'project_id', 'department_id', 'user_id', 'partner_id', 'create_date:day', 'create_date:week', 'create_date:month']) {
      const groups = await as(env, fx.uid.technician).read_group([], ['__count'], [g]);
      t.is(groups.reduce((n: number, x: any) => n + x.__count, 0), 2, g);
    }
  });
});
