/**
 * SPEC 4.5 features beyond the basics: tags, the reporter closing their own ticket,
 * canned responses with placeholders.
 */
import test from 'ava';
import { as, field, rejects, rollback, setupHelpdesk, ticketOf, type HelpdeskFixture } from './helpers.ts';
import { rowsOf } from '../../core/orm/index.ts';
import { DEFER_SETTING, deferMessageVectors, deferSearchVectors, indexPending, messageVectorOf, pendingMessageCount, pendingTicketCount, ticketVectorOf } from '../../addons/helpdesk_bytacora/search_index.ts';
import { onUpgrade } from '../../addons/helpdesk_bytacora/index.ts';
import { SEARCH_DDL } from '../../addons/helpdesk_bytacora/models/helpdesk_ticket_search.ts';

let fx: HelpdeskFixture;
test.before(async () => { fx = await setupHelpdesk(); });
test.after.always(async () => { await fx?.app.close(); });

// ── tags ─────────────────────────────────────────────────────────────────────────────
test('tags: a technician creates a colored tag and puts it on a ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const tag = await as(env, fx.uid.technician, 'helpdesk.ticket.tag').create({ name: 'Printer', color: 3 });
    await as(env, fx.uid.technician).browse([id]).write({ tag_ids: [[4, tag.ids[0]]] });
    t.deepEqual(await field(env, 'helpdesk.ticket', id, 'tag_ids'), tag.ids);
    t.is(await field(env, 'helpdesk.ticket.tag', tag.ids[0], 'color'), 3);
  });
});

test('tags: users read tags but cannot create them nor tag tickets', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const tag = await env.model('helpdesk.ticket.tag').create({ name: 'VPN' });
    t.is((await as(env, fx.uid.user, 'helpdesk.ticket.tag').browse(tag.ids).read(['name']))[0].name, 'VPN');
    await rejects(t, as(env, fx.uid.user, 'helpdesk.ticket.tag').create({ name: 'Mine' }), 'AccessError');
    await rejects(t, as(env, fx.uid.user).browse([id]).write({ tag_ids: [[4, tag.ids[0]]] }), 'AccessError');
  });
});

test('tags: tag names are unique', async (t) => {
  await rollback(fx.app, async (env) => {
    await env.model('helpdesk.ticket.tag').create({ name: 'Email' });
    await rejects(t, env.model('helpdesk.ticket.tag').create({ name: 'Email' }), 'ValidationError', /^Another Ticket Tag already has the Name "Email": it must be unique\.$/);
  });
});

test('tags: tickets can be searched by tag name', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await ticketOf(fx, env, 'user');
    const tag = await env.model('helpdesk.ticket.tag').create({ name: 'Wifi' });
    await as(env, fx.uid.technician).browse([id]).write({ tag_ids: [[6, 0, tag.ids]] });
    t.deepEqual((await as(env, fx.uid.technician).search([['tag_ids', 'ilike', 'wif']])).ids, [id]);
  });
});

// ── the reporter closes their own ticket ─────────────────────────────────────────────
test('close: the reporter closes their own ticket with a note, kept as the solution', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'pending');
    await as(env, fx.uid.user).browse([id]).action_close('It works after a restart');
    const [r] = await env.model('helpdesk.ticket').browse([id]).read(['state', 'solution', 'close_date']);
    t.is(r.state, 'closed');
    t.is(r.solution, '<p>It works after a restart</p>');
    t.truthy(r.close_date);
  });
});

test('close: without a note the solution says the reporter closed it', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await as(env, fx.uid.user).browse([id]).action_close();
    t.is(await field(env, 'helpdesk.ticket', id, 'solution'), '<p>Closed by the reporter.</p>');
  });
});

test('close: an already closed ticket cannot be closed again', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'closed');
    await rejects(t, as(env, fx.uid.user).browse([id]).action_close(), 'UserError', /already closed/);
  });
});

test('close wizard: the reporter\'s dialog closes the ticket of the context', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const action = await as(env, fx.uid.user).browse([id]).action_close_wizard();
    t.like(action, { res_model: 'helpdesk.ticket.close', target: 'new', context: { active_id: id } });
    const wizard = await env.withUser(fx.uid.user).withContext(action.context).model('helpdesk.ticket.close').create({ note: 'Solved myself' });
    await (wizard as any).action_confirm();
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'closed');
  });
});

test('close wizard: another user cannot use it on a ticket that is not theirs', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'other');
    const wizard = await env.withUser(fx.uid.user).withContext({ active_ids: [id], active_model: 'helpdesk.ticket' }).model('helpdesk.ticket.close').create({});
    await rejects(t, (wizard as any).action_confirm(), 'AccessError');
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'new');
  });
});

// ── canned responses ─────────────────────────────────────────────────────────────────
test('canned responses: placeholders are filled with the ticket and the current user', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', { subject: 'Screen <flickers>' });
    const number = await field<string>(env, 'helpdesk.ticket', id, 'number');
    const canned = await env.model('helpdesk.canned.response').create({ name: 'Ack', body: '<p>Hi {{ticket.partner_name}}, about {{ ticket.number }} ({{ticket.subject}}, {{ticket.state}}) — {{user.name}}</p>' });
    const text = await as(env, fx.uid.technician, 'helpdesk.canned.response').browse(canned.ids).render(id);
    t.is(text, `<p>Hi HD user, about ${number} (Screen &lt;flickers&gt;, Unseen) — HD technician</p>`);
  });
});

test('canned responses: an unknown placeholder is a clear error', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const canned = await env.model('helpdesk.canned.response').create({ name: 'Bad', body: '<p>{{ticket.password}}</p>' });
    await rejects(t, as(env, fx.uid.technician, 'helpdesk.canned.response').browse(canned.ids).render(id), 'UserError', /Unknown placeholder \{\{ticket.password\}\}/);
  });
});

test('canned responses: rendering for a ticket the caller cannot read is refused', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'other');
    const canned = await env.model('helpdesk.canned.response').create({ name: 'Ack', body: '<p>{{ticket.subject}}</p>' });
    await rejects(t, as(env, fx.uid.user, 'helpdesk.canned.response').browse(canned.ids).render(id), 'AccessError');
  });
});

test('canned responses: technicians read them, only admins edit them', async (t) => {
  await rollback(fx.app, async (env) => {
    const canned = await env.model('helpdesk.canned.response').create({ name: 'Ack', body: '<p>x</p>' });
    t.is((await as(env, fx.uid.technician, 'helpdesk.canned.response').browse(canned.ids).read(['name']))[0].name, 'Ack');
    await rejects(t, as(env, fx.uid.technician, 'helpdesk.canned.response').browse(canned.ids).write({ name: 'y' }), 'AccessError');
    await as(env, fx.uid.admin, 'helpdesk.canned.response').browse(canned.ids).write({ name: 'Acknowledge' });
    t.is(await field(env, 'helpdesk.canned.response', canned.ids[0], 'name'), 'Acknowledge');
  });
});

// ── priority level (stored for the lists) ────────────────────────────────────────────
test('priority level: the ticket stores its priority\'s level and follows changes of the priority', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    t.is(await field(env, 'helpdesk.ticket', id, 'priority_level'), 2);
    await as(env, fx.uid.technician).browse([id]).write({ priority_id: await env.refId('helpdesk_bytacora.priority_urgent') });
    t.is(await field(env, 'helpdesk.ticket', id, 'priority_level'), 4);
    await as(env, fx.uid.admin, 'helpdesk.ticket.priority').browse([await env.refId('helpdesk_bytacora.priority_urgent')]).write({ level: 5 });
    t.is(await field(env, 'helpdesk.ticket', id, 'priority_level'), 5);
  });
});

test('priority level: technicians cannot write it directly', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await rejects(t, as(env, fx.uid.technician).browse([id]).write({ priority_level: 4 }), 'AccessError');
  });
});

// ── auto-close of tickets waiting for the reporter ───────────────────────────────────
const setDays = (env: any, days: string) => env.model('ir.config_parameter').set_param('helpdesk_bytacora.auto_close_days', days);
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');

test('auto-close: a ticket waiting longer than the setting is closed with a message to the reporter', async (t) => {
  await rollback(fx.app, async (env) => {
    await setDays(env, '3');
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    await as(env, fx.uid.technician).browse([id]).action_wait();
    await env.cr('helpdesk_ticket').where({ id }).update({ date_pending: daysAgo(4) });
    t.is(await (env.model('helpdesk.ticket') as any).cron_auto_close(), 1);
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'closed');
    const mails = await env.model('mail.mail').search_read([['recipient_ids', 'in', [fx.partner.user]], ['body_html', 'ilike', 'no reply from the reporter in 3 days']], ['id']);
    t.is(mails.length, 1);
  });
});

test('auto-close: a ticket waiting for less time, or open, stays as it is', async (t) => {
  await rollback(fx.app, async (env) => {
    await setDays(env, '3');
    const recent = await ticketOf(fx, env, 'user', {}, 'open');
    await as(env, fx.uid.technician).browse([recent]).action_wait();
    await env.cr('helpdesk_ticket').where({ id: recent }).update({ date_pending: daysAgo(1) });
    const open = await ticketOf(fx, env, 'user', {}, 'open');
    await env.cr('helpdesk_ticket').where({ id: open }).update({ write_date: daysAgo(30) });
    t.is(await (env.model('helpdesk.ticket') as any).cron_auto_close(), 0);
    t.deepEqual([await field(env, 'helpdesk.ticket', recent, 'state'), await field(env, 'helpdesk.ticket', open, 'state')], ['pending', 'open']);
  });
});

test('auto-close: a setting of 0 turns it off', async (t) => {
  await rollback(fx.app, async (env) => {
    await setDays(env, '0');
    const id = await ticketOf(fx, env, 'user', {}, 'pending');
    await env.cr('helpdesk_ticket').where({ id }).update({ date_pending: daysAgo(400) });
    t.is(await (env.model('helpdesk.ticket') as any).cron_auto_close(), 0);
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'pending');
  });
});

test('auto-close: the scheduled action exists and runs the declared method', async (t) => {
  await rollback(fx.app, async (env) => {
    const cron = await env.ref('helpdesk_bytacora.ir_cron_auto_close');
    const [c] = await cron.read(['method', 'active', 'model_name']);
    t.deepEqual([c.method, c.active, c.model_name], ['cron_auto_close', true, 'helpdesk.ticket']);
    await setDays(env, '2');
    const id = await ticketOf(fx, env, 'user', {}, 'pending');
    await env.cr('helpdesk_ticket').where({ id }).update({ date_pending: daysAgo(5) });
    await (cron as any).method_direct_trigger();
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'closed');
  });
});

// ── merge duplicates ─────────────────────────────────────────────────────────────────
test('merge: messages and files move to the target, the source is closed with a link, both reporters follow the target', async (t) => {
  await rollback(fx.app, async (env) => {
    const target = await ticketOf(fx, env, 'user', { subject: 'Printer broken' });
    const source = await ticketOf(fx, env, 'other', { subject: 'Printer does not print', attachment_ids: [[0, 0, { name: 'photo.jpg', datas: 'eA==' }]] });
    const msg = await as(env, fx.uid.other).browse([source]).message_post('<p>Still broken</p>');
    const [fileId] = await field<number[]>(env, 'helpdesk.ticket', source, 'attachment_ids');
    await as(env, fx.uid.technician).browse([source]).action_merge(target);
    t.is(await field(env, 'mail.message', msg, 'res_id'), target);
    t.true((await field<number[]>(env, 'helpdesk.ticket', target, 'attachment_ids')).includes(fileId));
    const [s] = await env.model('helpdesk.ticket').browse([source]).read(['state', 'merged_into_id']);
    t.deepEqual([s.state, (s.merged_into_id as any)[0]], ['closed', target]);
    const followers = await field<number[]>(env, 'helpdesk.ticket', target, 'message_partner_ids');
    t.true(followers.includes(fx.partner.user) && followers.includes(fx.partner.other));
    t.true((await as(env, fx.uid.other).search([])).ids.includes(source));
  });
});

test('merge: the duplicate\'s description is kept in the target\'s chatter', async (t) => {
  await rollback(fx.app, async (env) => {
    const target = await ticketOf(fx, env, 'user');
    const source = await ticketOf(fx, env, 'other', { description: '<p>Unique-duplicate-text</p>' });
    await as(env, fx.uid.technician).browse([source]).action_merge(target);
    const found = await env.model('mail.message').search_read([['model', '=', 'helpdesk.ticket'], ['res_id', '=', target], ['body', 'ilike', 'Unique-duplicate-text']], ['is_internal']);
    t.is(found.length, 1);
    t.false(found[0].is_internal);
  });
});

test('merge: users cannot merge, nor can a ticket be merged into itself', async (t) => {
  await rollback(fx.app, async (env) => {
    const a = await ticketOf(fx, env, 'user');
    const b = await ticketOf(fx, env, 'user');
    await rejects(t, as(env, fx.uid.user).browse([a]).action_merge(b), 'AccessError');
    await rejects(t, as(env, fx.uid.technician).browse([a]).action_merge(a), 'UserError', /itself/);
    t.is(await field(env, 'helpdesk.ticket', a, 'state'), 'new');
  });
});

test('merge wizard: opened from the duplicates, confirmed with the target', async (t) => {
  await rollback(fx.app, async (env) => {
    const target = await ticketOf(fx, env, 'user');
    const dup1 = await ticketOf(fx, env, 'user');
    const dup2 = await ticketOf(fx, env, 'other');
    const action = await as(env, fx.uid.technician).browse([dup1, dup2]).action_merge_wizard();
    t.like(action, { res_model: 'helpdesk.ticket.merge', target: 'new', context: { active_ids: [dup1, dup2] } });
    const wizard = await env.withUser(fx.uid.technician).withContext(action.context).model('helpdesk.ticket.merge').create({ target_id: target });
    await (wizard as any).action_confirm();
    t.deepEqual([await field(env, 'helpdesk.ticket', dup1, 'state'), await field(env, 'helpdesk.ticket', dup2, 'state')], ['closed', 'closed']);
  });
});

// ── full-text search ─────────────────────────────────────────────────────────────────
test('full-text: Spanish and English words match their inflections, subject hits rank first', async (t) => {
  await rollback(fx.app, async (env) => {
    const inDescription = await ticketOf(fx, env, 'user', { subject: 'Problema general', description: '<p>La impresora de la planta no funciona</p>' });
    const inSubject = await ticketOf(fx, env, 'user', { subject: 'Impresoras sin tóner', description: '<p>Nada más</p>' });
    await ticketOf(fx, env, 'user', { subject: 'VPN', description: '<p>No conecta</p>' });
    const hits = await as(env, fx.uid.technician).search_fulltext('impresora');
    t.deepEqual(hits.map((h: any) => h.id), [inSubject, inDescription]);
    t.true(hits[0].rank > hits[1].rank);
    const english = await as(env, fx.uid.technician).search_fulltext('printing');
    t.deepEqual(english, []);
    const en = await ticketOf(fx, env, 'user', { subject: 'Printers are broken', description: '<p>x</p>' });
    t.deepEqual((await as(env, fx.uid.technician).search_fulltext('printer')).map((h: any) => h.id), [en]);
  });
});

test('full-text: messages are searched too, internal notes only for technicians', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', { subject: 'Ordenador lento' });
    await as(env, fx.uid.user).browse([id]).message_post('<p>Ahora también falla el teclado</p>');
    await as(env, fx.uid.technician).browse([id]).message_post('<p>Sospecho del disco duro</p>', false, 'comment', 'mail.mt_note');
    t.deepEqual((await as(env, fx.uid.user).search_fulltext('teclado')).map((h: any) => h.id), [id]);
    t.deepEqual(await as(env, fx.uid.user).search_fulltext('disco'), []);
    t.deepEqual((await as(env, fx.uid.technician).search_fulltext('disco')).map((h: any) => h.id), [id]);
  });
});

test('full-text: a user only finds their own tickets', async (t) => {
  await rollback(fx.app, async (env) => {
    const mine = await ticketOf(fx, env, 'user', { subject: 'Nómina de marzo' });
    await ticketOf(fx, env, 'other', { subject: 'Nómina de abril' });
    t.deepEqual((await as(env, fx.uid.user).search_fulltext('nómina')).map((h: any) => h.id), [mine]);
    t.is((await as(env, fx.uid.technician).search_fulltext('nómina')).length, 2);
  });
});

test('full-text from the search bar: the "Text" field is a domain leaf, combined with filters and record rules', async (t) => {
  await rollback(fx.app, async (env) => {
    const mine = await ticketOf(fx, env, 'user', { subject: 'Pantalla parpadea', description: '<p>La pantalla del portátil parpadea</p>' });
    const other = await ticketOf(fx, env, 'other', { subject: 'Otra pantalla', description: '<p>Pantallas rotas</p>' });
    await as(env, fx.uid.technician).browse([mine]).message_post('<p>Cambiar el cable HDMI</p>', false, 'comment', 'mail.mt_note');
    const ids = async (uid: number, domain: unknown[]) => (await as(env, uid).search(domain, 0, null, 'id')).ids;
    t.deepEqual(await ids(fx.uid.technician, [['fulltext', 'ilike', 'pantalla']]), [mine, other]);
    t.deepEqual(await ids(fx.uid.technician, [['fulltext', 'ilike', 'pantalla'], ['partner_id', '=', (await as(env, 1).browse([other]).read(['partner_id']))[0].partner_id[0]]]), [other]);
    t.deepEqual(await ids(fx.uid.user, [['fulltext', 'ilike', 'pantalla']]), [mine], 'a user finds only their own tickets');
    t.deepEqual(await ids(fx.uid.technician, [['fulltext', 'ilike', 'hdmi']]), [mine], 'technicians find words of internal notes');
    t.deepEqual(await ids(fx.uid.user, [['fulltext', 'ilike', 'hdmi']]), [], 'users do not (the note stays invisible)');
    const notMatching = await ids(fx.uid.technician, [['fulltext', 'not ilike', 'pantalla'], ['id', 'in', [mine, other]]]);
    t.deepEqual(notMatching, []);
    t.is(await as(env, fx.uid.technician).search_count([['fulltext', 'ilike', 'pantalla']]), 2);
    const [row] = await as(env, fx.uid.technician).browse([mine]).read(['fulltext']);
    t.is(row.fulltext, false, 'the field has no value of its own');
    const described = (await as(env, fx.uid.technician).fields_get(['fulltext'], ['searchable', 'store']));
    t.deepEqual(described.fulltext, { searchable: true, store: false });
    await rejects(t, as(env, fx.uid.technician).search([['fulltext', 'ilike', 42]]), 'ValidationError', /string/);
    await rejects(t, as(env, fx.uid.technician).search([['fulltext.name', 'ilike', 'x']]), 'ValidationError', /cannot be followed/);
  });
});

test('full-text: messages written without their vector (bulk import) are found before and after the indexer', async (t) => {
  await rollback(fx.app, async (env) => {
    const vectorOf = async (body: string) => rowsOf(await env.cr.raw(`SELECT helpdesk_search_vector IS NULL AS pending FROM mail_message WHERE body LIKE ?`, [`%${body}%`]))[0].pending;
    const id = await ticketOf(fx, env, 'user', { subject: 'Portátil' });
    await as(env, fx.uid.user).browse([id]).message_post('<p>La batería se hincha</p>');
    t.false(await vectorOf('batería'), 'a message written by the ORM is indexed at once');
    // What the Zammad importer does in its batches: the vectors are left to the indexer.
    await deferMessageVectors(env.cr);
    await as(env, fx.uid.user).browse([id]).message_post('<p>Ahora el ventilador chirría</p>');
    await as(env, fx.uid.technician).browse([id]).message_post('<p>Revisar la placa base</p>', false, 'comment', 'mail.mt_note');
    await env.cr.raw(`SELECT set_config(?, 'off', true)`, [DEFER_SETTING]);
    t.true(await vectorOf('ventilador'));
    t.true(await vectorOf('placa'));
    t.true(await pendingMessageCount(env.cr) >= 2);
    for (const phase of ['before', 'after'] as const) {
      t.deepEqual((await as(env, fx.uid.user).search_fulltext('ventiladores')).map((h: any) => h.id), [id], `${phase} indexing: found by its stem`);
      t.deepEqual(await as(env, fx.uid.user).search_fulltext('placa'), [], `${phase} indexing: a user does not find internal notes`);
      t.deepEqual((await as(env, fx.uid.technician).search_fulltext('placa')).map((h: any) => h.id), [id], `${phase} indexing: a technician does`);
      t.deepEqual((await as(env, fx.uid.technician).search([['fulltext', 'ilike', 'chirría']])).ids, [id], `${phase} indexing: the search bar's Text field too`);
      t.deepEqual((await as(env, fx.uid.user).search([['fulltext', 'ilike', 'placa']])).ids, [], `${phase} indexing: not the user's`);
      if (phase === 'before') t.true(await as(env, 1).cron_index_fulltext() >= 2);
    }
    t.false(await vectorOf('ventilador'));
    t.false(await vectorOf('placa'));
    t.is(await pendingMessageCount(env.cr), 0);
    t.is(await as(env, 1).cron_index_fulltext(), 0, 'nothing left to index');
  });
});

test('full-text: tickets written without their vector (bulk import) are found before and after the indexer, ranked the same', async (t) => {
  await rollback(fx.app, async (env) => {
    const pendingOf = async (id: number) => rowsOf(await env.cr.raw(`SELECT search_vector IS NULL AS pending FROM helpdesk_ticket WHERE id = ?`, [id]))[0].pending;
    const text = { subject: 'Escáner bloqueado', description: '<p>El alimentador de documentos se atasca</p>' };
    const now = await ticketOf(fx, env, 'user', text);
    t.false(await pendingOf(now), 'a ticket created by the ORM is indexed at once');
    // What the Zammad importer does in its batches: the vectors are left to the indexer.
    await deferSearchVectors(env.cr);
    const later = await ticketOf(fx, env, 'user', text);
    await env.cr.raw(`SELECT set_config(?, 'off', true)`, [DEFER_SETTING]);
    t.true(await pendingOf(later));
    t.is(await pendingTicketCount(env.cr), 1);
    for (const phase of ['before', 'after'] as const) {
      const hits = await as(env, fx.uid.user).search_fulltext('alimentadores escáner');
      t.deepEqual(hits.map((h: any) => h.id), [later, now], `${phase} indexing: found by its stems`);
      t.is(hits[0].rank, hits[1].rank, `${phase} indexing: ranked as the ticket indexed at once`);
      t.deepEqual((await as(env, fx.uid.technician).search([['fulltext', 'ilike', 'bloqueados'], ['id', 'in', [now, later]]], 0, null, 'id')).ids, [now, later], `${phase} indexing: the search bar's Text field too`);
      t.deepEqual(await as(env, fx.uid.user).search_fulltext('impresora'), [], `${phase} indexing: no false match`);
      if (phase === 'before') t.true(await as(env, 1).cron_index_fulltext() >= 1);
    }
    t.false(await pendingOf(later));
    t.is(await pendingTicketCount(env.cr), 0);
    // Every other write keeps the vector current at once.
    await env.model('helpdesk.ticket').browse([later]).sudo().write({ subject: 'Monitor parpadea' });
    t.false(await pendingOf(later));
    t.deepEqual((await as(env, fx.uid.user).search_fulltext('monitores')).map((h: any) => h.id), [later]);
    const [vec] = rowsOf(await env.cr.raw(`SELECT search_vector @@ to_tsquery('spanish', 'bloqueado') AS old, search_vector @@ to_tsquery('spanish', 'parpadea') AS new FROM helpdesk_ticket WHERE id = ?`, [later]));
    t.deepEqual(vec, { old: false, new: true }, 'the vector follows the new subject');
  });
});

test('full-text: the vectors stored by the trigger and by the indexer are the ones the search computes on the fly', async (t) => {
  await rollback(fx.app, async (env) => {
    const texts: Array<[string, string | null]> = [
      ['Impresora <b>atascada</b>', '<p>La impresora no imprime: <i>paper jam</i> &amp; more<br>Printing fails</p>'],
      ['Sin descripción', null],
      ['', '<div><span>solo</span> etiquetas</div>'],
    ];
    const ids: number[] = [];
    for (const [subject, description] of texts) ids.push(await ticketOf(fx, env, 'user', { subject: subject || 'x', description: description ?? '<p>x</p>' }));
    // Texts the form does not allow, written by SQL (the trigger follows them).
    await env.cr.raw(`UPDATE helpdesk_ticket SET description = NULL WHERE id = ?`, [ids[1]]);
    await env.cr.raw(`UPDATE helpdesk_ticket SET subject = NULL WHERE id = ?`, [ids[2]]);
    for (const [i, id] of ids.entries()) await as(env, fx.uid.user).browse([id]).message_post(texts[i][1] ?? '<p></p>');
    const same = async () => ({
      tickets: rowsOf(await env.cr.raw(`SELECT bool_and(t.search_vector = ${ticketVectorOf('t')}) AS ok, count(t.search_vector)::int AS n FROM helpdesk_ticket t WHERE t.id = ANY(?)`, [ids]))[0],
      messages: rowsOf(await env.cr.raw(`SELECT bool_and(m.helpdesk_search_vector = ${messageVectorOf('m')}) AS ok, count(m.helpdesk_search_vector)::int AS n FROM mail_message m WHERE m.model = 'helpdesk.ticket' AND m.res_id = ANY(?)`, [ids]))[0],
    });
    const byTrigger = await same();
    t.deepEqual(byTrigger.tickets, { ok: true, n: 3 }, 'tickets, by the trigger');
    t.true(byTrigger.messages.ok && byTrigger.messages.n >= 3, 'messages, by the trigger');
    // The same rows through the indexer.
    await env.cr.raw(`UPDATE helpdesk_ticket SET search_vector = NULL WHERE id = ANY(?)`, [ids]);
    await env.cr.raw(`UPDATE mail_message SET helpdesk_search_vector = NULL WHERE model = 'helpdesk.ticket' AND res_id = ANY(?)`, [ids]);
    while ((await indexPending(env.cr, 'ticket')).count) { /* all of them */ }
    while ((await indexPending(env.cr, 'message')).count) { /* all of them */ }
    t.deepEqual(await same(), byTrigger, 'the indexer stores the same vectors');
  });
});

// Serial: it replaces the vector triggers' functions, which the other tests of the file use.
test.serial('full-text: an upgraded database gets the vector functions its triggers and indexer call', async (t) => {
  await rollback(fx.app, async (env) => {
    // The database as the previous version left it: triggers with the expressions, no functions.
    await env.cr.raw(`CREATE OR REPLACE FUNCTION helpdesk_ticket_search_vector() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN NEW.search_vector := ${ticketVectorOf('NEW')}; RETURN NEW; END $fn$`);
    await env.cr.raw(`CREATE OR REPLACE FUNCTION helpdesk_message_search_vector() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN NEW.helpdesk_search_vector := CASE WHEN NEW.model = 'helpdesk.ticket' THEN ${messageVectorOf('NEW')} END; RETURN NEW; END $fn$`);
    await env.cr.raw(`DROP FUNCTION helpdesk_message_vector(text)`);
    await env.cr.raw(`DROP FUNCTION helpdesk_ticket_vector(text, text)`);
    await onUpgrade(env);
    const fns = rowsOf(await env.cr.raw(`SELECT proname FROM pg_proc WHERE proname IN ('helpdesk_message_vector', 'helpdesk_ticket_vector') ORDER BY proname`)).map((r: any) => r.proname);
    t.deepEqual(fns, ['helpdesk_message_vector', 'helpdesk_ticket_vector']);
    const id = await ticketOf(fx, env, 'user', { subject: 'Escáner averiado' });
    await as(env, fx.uid.user).browse([id]).message_post('<p>El <b>plotter</b> tampoco</p>');
    t.deepEqual((await as(env, fx.uid.user).search_fulltext('escáner')).map((h: any) => h.id), [id]);
    t.deepEqual((await as(env, fx.uid.user).search_fulltext('plotter')).map((h: any) => h.id), [id]);
    t.is(await pendingTicketCount(env.cr), 0);
    t.is(await pendingMessageCount(env.cr), 0);
  });
});

// Serial: it changes helpdesk_ticket's columns, which the other tests of the file write.
test.serial('full-text: a database from before keeps its ticket vectors when the generated column becomes a plain one', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', { subject: 'Proyector sin imagen' });
    const before = (await as(env, fx.uid.user).search_fulltext('proyector'))[0];
    await env.cr.raw(`DROP TRIGGER helpdesk_ticket_search_vector ON helpdesk_ticket`);
    await env.cr.raw(`ALTER TABLE helpdesk_ticket DROP COLUMN search_vector`);
    await env.cr.raw(`ALTER TABLE helpdesk_ticket ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('spanish', coalesce(subject, '')), 'A') || setweight(to_tsvector('english', coalesce(subject, '')), 'A') || setweight(to_tsvector('spanish', regexp_replace(coalesce(description, ''), '<[^>]*>', ' ', 'g')), 'B') || setweight(to_tsvector('english', regexp_replace(coalesce(description, ''), '<[^>]*>', ' ', 'g')), 'B')) STORED`);
    for (const sql of SEARCH_DDL) await env.cr.raw(sql);
    const [col] = rowsOf(await env.cr.raw(`SELECT attgenerated FROM pg_attribute WHERE attrelid = 'helpdesk_ticket'::regclass AND attname = 'search_vector'`));
    t.is(col.attgenerated, '', 'a plain column now');
    t.is(await pendingTicketCount(env.cr), 0, 'the vectors are kept');
    t.deepEqual(await as(env, fx.uid.user).search_fulltext('proyector'), [before], 'found and ranked as before');
    const other = await ticketOf(fx, env, 'user', { subject: 'Proyector sin sonido' });
    t.deepEqual((await as(env, fx.uid.user).search_fulltext('sonido')).map((h: any) => h.id), [other], 'new tickets are indexed by the trigger');
    t.is(await pendingTicketCount(env.cr), 0);
    t.truthy(id);
  });
});

// Serial: it changes mail_message's columns, which the other tests of the file write.
test.serial('full-text: a database from before keeps its message vectors when the generated column becomes a plain one', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await as(env, fx.uid.user).browse([id]).message_post('<p>El escáner no escanea</p>');
    await env.cr.raw(`DROP TRIGGER helpdesk_message_search_vector ON mail_message`);
    await env.cr.raw(`ALTER TABLE mail_message DROP COLUMN helpdesk_search_vector`);
    await env.cr.raw(`ALTER TABLE mail_message ADD COLUMN helpdesk_search_vector tsvector GENERATED ALWAYS AS (CASE WHEN model = 'helpdesk.ticket' THEN to_tsvector('spanish', body) END) STORED`);
    for (const sql of SEARCH_DDL) await env.cr.raw(sql);
    const [col] = rowsOf(await env.cr.raw(`SELECT attgenerated FROM pg_attribute WHERE attrelid = 'mail_message'::regclass AND attname = 'helpdesk_search_vector'`));
    t.is(col.attgenerated, '', 'a plain column now');
    t.is(await pendingMessageCount(env.cr), 0, 'the vectors are kept');
    t.deepEqual((await as(env, fx.uid.user).search_fulltext('escáner')).map((h: any) => h.id), [id]);
    await as(env, fx.uid.user).browse([id]).message_post('<p>Y la fotocopiadora tampoco</p>');
    t.deepEqual((await as(env, fx.uid.user).search_fulltext('fotocopiadora')).map((h: any) => h.id), [id], 'new messages are indexed by the trigger');
    t.is(await pendingMessageCount(env.cr), 0);
  });
});

test('full-text: an empty query finds nothing; a bad limit is a clear error', async (t) => {
  await rollback(fx.app, async (env) => {
    await ticketOf(fx, env, 'user');
    t.deepEqual(await as(env, fx.uid.technician).search_fulltext('   '), []);
    await rejects(t, as(env, fx.uid.technician).search_fulltext('x', 'lots'), 'ValidationError', /limit/);
    await rejects(t, as(env, fx.uid.technician).search_fulltext(42), 'ValidationError', /string/);
  });
});

test('indexes: the record rule\'s columns have their (column, id) index and no narrower one beside it', async (t) => {
  const rows = (await fx.app.db.knex.raw(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'helpdesk_ticket'`)).rows as Array<{ indexname: string; indexdef: string }>;
  const leadingWith = (col: string) => rows.filter((r) => new RegExp(`\\(${col}[,)]`).test(r.indexdef)).map((r) => r.indexdef.replace(/.*USING btree /, ''));
  t.deepEqual(leadingWith('partner_id'), ['(partner_id, id)']);
  t.deepEqual(leadingWith('create_uid'), ['(create_uid, id)']);
});
