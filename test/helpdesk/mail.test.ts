/**
 * Email in and the chatter (SPEC 4.4 "Email", 4.2 replies, 4.5 email safety and replies to
 * closed tickets): `message_new` / `message_update` as the mail gateway calls them (as the
 * superuser), and the files of internal notes.
 */
import test from 'ava';
import { as, field, rejects, rollback, setupHelpdesk, ticketOf, type HelpdeskFixture } from './helpers.ts';

let fx: HelpdeskFixture;
test.before(async () => { fx = await setupHelpdesk(); });
test.after.always(async () => { await fx?.app.close(); });

const tickets = (env: any) => env.model('helpdesk.ticket');
const inbound = (over: Record<string, unknown> = {}) => ({
  subject: 'VPN does not connect', body: '<p>Since this morning the VPN says <b>timeout</b>.</p>',
  email_from: 'Ana Pérez <ana.perez@example.com>', to: 'helpdesk@localhost', message_id: `<m-${Math.random().toString(36).slice(2)}@example.com>`, ...over,
});

test('alias: helpdesk@ is the mail alias of helpdesk.ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const [alias] = await env.model('mail.alias').search_read([['alias_name', '=', 'helpdesk']], ['alias_model_id']);
    t.is((alias.alias_model_id as any)[0], (await env.cr('ir_model').where({ model: 'helpdesk.ticket' }).first('id')).id);
  });
});

test('message_new: a new mail creates a ticket with origin email, its subject and its body as description', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await tickets(env).message_new(inbound());
    const [r] = await rec.read(['subject', 'description', 'origin', 'state', 'number']);
    t.is(r.subject, 'VPN does not connect');
    t.is(r.description, '<p>Since this morning the VPN says <b>timeout</b>.</p>');
    t.is(r.origin, 'email');
    t.is(r.state, 'new');
    t.regex(r.number as string, /^T-\d{5}$/);
  });
});

test('message_new: the body is sanitised before it becomes the description', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await tickets(env).message_new(inbound({ body: '<p>Hi<script>steal()</script><img src="x" onerror="boom()"></p><a href="javascript:alert(1)">link</a>' }));
    const description = await field<string>(env, 'helpdesk.ticket', rec.ids[0], 'description');
    t.notRegex(description, /script|onerror|javascript:/);
    t.regex(description, /Hi/);
  });
});

test('message_new: a plain-text body becomes paragraphs', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await tickets(env).message_new(inbound({ body: 'Line one\nLine 2 & more' }));
    t.is(await field(env, 'helpdesk.ticket', rec.ids[0], 'description'), '<p>Line one<br />Line 2 &amp; more</p>');
  });
});

test('message_new: an empty subject and body still make a valid ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await tickets(env).message_new(inbound({ subject: '', body: '' }));
    const [r] = await rec.read(['subject', 'description']);
    t.is(r.subject, '(no subject)');
    t.is(r.description, '<p>(no subject)</p>');
  });
});

test('message_new: the reporter is the partner with that address, matched case-insensitively', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await tickets(env).message_new(inbound({ email_from: 'HD User <HD.User@Example.COM>' }));
    t.is(((await field(env, 'helpdesk.ticket', rec.ids[0], 'partner_id')) as any)[0], fx.partner.user);
  });
});

test('message_new: an unknown sender becomes a new partner with name and address', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await tickets(env).message_new(inbound({ email_from: '"Pérez, Ana" <Ana.Perez@Example.com>' }));
    const partnerId = ((await field(env, 'helpdesk.ticket', rec.ids[0], 'partner_id')) as any)[0];
    const [p] = await env.model('res.partner').browse([partnerId]).read(['name', 'email']);
    t.deepEqual([p.name, p.email], ['Pérez, Ana', 'ana.perez@example.com']);
  });
});

test('message_new: the sender\'s user then sees the ticket under their own tickets', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await tickets(env).message_new(inbound({ email_from: 'hd.user@example.com' }));
    t.true((await as(env, fx.uid.user).search([])).ids.includes(rec.ids[0]));
  });
});

test('message_new: the mail\'s attachments become attachments of the ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await tickets(env).message_new(inbound({ attachments: [{ filename: 'log.txt', content: Buffer.from('ERROR 42'), mimetype: 'text/plain' }] }));
    const ids = await field<number[]>(env, 'helpdesk.ticket', rec.ids[0], 'attachment_ids');
    t.is(ids.length, 1);
    const [a] = await env.model('ir.attachment').browse(ids).read(['name', 'datas', 'mimetype']);
    t.deepEqual([a.name, Buffer.from(a.datas as string, 'base64').toString(), a.mimetype], ['log.txt', 'ERROR 42', 'text/plain']);
  });
});

test('message_new: the mail itself is in the chatter, the reporter gets the acknowledgement', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await tickets(env).message_new(inbound({ email_from: 'hd.user@example.com' }));
    const msgs = await env.model('mail.message').search_read([['model', '=', 'helpdesk.ticket'], ['res_id', '=', rec.ids[0]], ['message_type', '=', 'email']], ['author_id']);
    t.is(msgs.length, 1);
    t.is((msgs[0].author_id as any)[0], fx.partner.user);
    const number = await field<string>(env, 'helpdesk.ticket', rec.ids[0], 'number');
    const acks = await env.model('mail.mail').search_read([['recipient_ids', 'in', [fx.partner.user]]], ['subject']);
    t.true(acks.some((m: any) => m.subject.includes(number)));
  });
});

// Serial: the statements of the other tests (concurrent ones) must not be counted.
test.serial('message_new: notifying the new ticket\'s messages reads neither them nor the ticket back', async (t) => {
  const sql: string[] = [];
  const listen = (q: { sql: string }) => sql.push(q.sql);
  fx.app.db.knex.on('query', listen);
  try {
    await rollback(fx.app, async (env) => {
      const rec = await tickets(env).message_new(inbound({ email_from: 'Someone New <someone.new.notify@example.com>' }));
      const number = await field<string>(env, 'helpdesk.ticket', rec.ids[0], 'number');
      const [partner] = await env.model('res.partner').search_read([['email', '=', 'someone.new.notify@example.com']], ['id']);
      const acks = await env.model('mail.mail').search_read([['recipient_ids', 'in', [partner.id]]], ['subject', 'email_to']);
      t.is(acks.length, 1);
      t.true(String(acks[0].subject).includes(number));
      t.is(acks[0].email_to, 'Someone New <someone.new.notify@example.com>');
    });
  } finally {
    fx.app.db.knex.off('query', listen);
  }
  t.false(sql.some((s) => s.includes('ARRAY(SELECT r.res_partner_id')), 'no re-read of a posted message');
  t.false(sql.some((s) => /from "mail_message" as "m" inner join "helpdesk_ticket"/.test(s)), 'no re-read for the first-response check');
});

test('message_new: an archived reporter gets no acknowledgement (known in memory or read, the same)', async (t) => {
  await rollback(fx.app, async (env) => {
    const [id] = (await env.model('res.partner').create({ name: 'Archived', email: 'archived.reporter@example.com' })).ids;
    await env.model('res.partner').browse([id]).write({ active: false });
    const rec = await tickets(env).message_new(inbound({ email_from: 'archived.reporter@example.com' }));
    t.is(((await field(env, 'helpdesk.ticket', rec.ids[0], 'partner_id')) as any)[0], id);
    t.is(await env.model('mail.mail').search_count([['recipient_ids', 'in', [id]]]), 0);
  });
});

test('message_new: CC addresses of a new ticket become followers', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await tickets(env).message_new(inbound({ cc: 'HD Other <hd.other@example.com>, new.person@example.com, helpdesk@localhost' }));
    const partners = await field<number[]>(env, 'helpdesk.ticket', rec.ids[0], 'message_partner_ids');
    t.true(partners.includes(fx.partner.other));
    const [newPerson] = await env.model('res.partner').search_read([['email', '=', 'new.person@example.com']], ['id']);
    t.true(partners.includes(newPerson.id));
    t.is((await env.model('res.partner').search_count([['email', '=', 'helpdesk@localhost']])), 0);
  });
});

test('message_update: a reply from the reporter is appended and moves a pending ticket to open', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'pending');
    const mid = await tickets(env).browse([id]).message_update(inbound({ email_from: 'hd.user@example.com', body: '<p>Here is the log</p>' }));
    const [m] = await env.model('mail.message').browse([mid]).read(['res_id', 'body', 'message_type']);
    t.deepEqual([m.res_id, m.body, m.message_type], [id, '<p>Here is the log</p>', 'email']);
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'open');
  });
});

test('message_update: a reply from the technician by mail is appended without reopening anything', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'pending');
    const mid = await tickets(env).browse([id]).message_update(inbound({ email_from: 'hd.technician@example.com' }));
    t.is(await field(env, 'mail.message', mid, 'res_id'), id);
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'pending');
  });
});

test('message_update: a reply from a stranger becomes a new ticket, never part of someone else\'s', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'open');
    const mid = await tickets(env).browse([id]).message_update(inbound({ email_from: 'intruder@evil.example', body: '<p>Let me in</p>' }));
    const resId = await field<number>(env, 'mail.message', mid, 'res_id');
    t.not(resId, id);
    t.is(await field(env, 'helpdesk.ticket', resId, 'origin'), 'email');
    const onOriginal = await as(env, fx.uid.user, 'mail.message').search_read([['model', '=', 'helpdesk.ticket'], ['res_id', '=', id], ['body', 'ilike', 'Let me in']], ['id']);
    t.is(onOriginal.length, 0);
  });
});

test('message_update: a follower (added in CC) may reply to the ticket', async (t) => {
  await rollback(fx.app, async (env) => {
    const rec = await tickets(env).message_new(inbound({ cc: 'hd.other@example.com' }));
    const mid = await rec.message_update(inbound({ email_from: 'hd.other@example.com' }));
    t.is(await field(env, 'mail.message', mid, 'res_id'), rec.ids[0]);
  });
});

test('reply to closed: with the default policy the ticket is reopened and the reply appended', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user', {}, 'closed');
    const mid = await tickets(env).browse([id]).message_update(inbound({ email_from: 'hd.user@example.com', body: '<p>It broke again</p>' }));
    t.is(await field(env, 'mail.message', mid, 'res_id'), id);
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'open');
    const logs = await env.model('mail.message').search_read([['model', '=', 'helpdesk.ticket'], ['res_id', '=', id], ['body', 'ilike', 'reopened by a reply']], ['id']);
    t.is(logs.length, 1);
  });
});

test('reply to closed: with the "new ticket" policy a linked follow-up ticket is created', async (t) => {
  await rollback(fx.app, async (env) => {
    const cat = await env.model('helpdesk.ticket.category').create({ name: 'Accounts', reopen_policy: 'new', reopen_days: 0 });
    const id = await ticketOf(fx, env, 'user', {}, 'closed');
    await env.model('helpdesk.ticket').browse([id]).sudo().write({ category_id: cat.ids[0] });
    const mid = await tickets(env).browse([id]).message_update(inbound({ email_from: 'hd.user@example.com', body: '<p>New problem</p>' }));
    const newId = await field<number>(env, 'mail.message', mid, 'res_id');
    t.not(newId, id);
    t.is(((await field(env, 'helpdesk.ticket', newId, 'parent_id')) as any)[0], id);
    t.deepEqual(await field(env, 'helpdesk.ticket', id, 'child_ids'), [newId]);
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'closed');
    const said = await env.model('mail.message').search_read([['model', '=', 'helpdesk.ticket'], ['res_id', '=', id], ['body', 'ilike', 'filed as the new ticket']], ['id']);
    t.is(said.length, 1);
  });
});

test('reply to closed: within reopen_days of closing, the "new ticket" policy still reopens', async (t) => {
  await rollback(fx.app, async (env) => {
    const cat = await env.model('helpdesk.ticket.category').create({ name: 'Accounts', reopen_policy: 'new', reopen_days: 7 });
    const id = await ticketOf(fx, env, 'user', {}, 'closed');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
    await env.model('helpdesk.ticket').browse([id]).sudo().write({ category_id: cat.ids[0], close_date: yesterday });
    await tickets(env).browse([id]).message_update(inbound({ email_from: 'hd.user@example.com' }));
    t.is(await field(env, 'helpdesk.ticket', id, 'state'), 'open');
  });
});

test('chatter: a user can post a message with a file they uploaded', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const att = await as(env, fx.uid.user, 'ir.attachment').create({ name: 'screen.png', datas: 'eA==' });
    const mid = await as(env, fx.uid.user).browse([id]).message_post('<p>Screenshot</p>', false, 'comment', 'mail.mt_comment', att.ids);
    t.deepEqual(await field(env, 'mail.message', mid, 'attachment_ids'), att.ids);
  });
});

test('chatter: users never see the files attached to internal notes', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const att = await as(env, fx.uid.technician, 'ir.attachment').create({ name: 'internal-diagnosis.txt', datas: 'eA==' });
    await as(env, fx.uid.technician).browse([id]).message_post('<p>Diagnosis</p>', false, 'comment', 'mail.mt_note', att.ids);
    const visible = await as(env, fx.uid.user, 'ir.attachment').search([['res_model', '=', 'helpdesk.ticket'], ['res_id', '=', id]]);
    t.false(visible.ids.includes(att.ids[0]));
    await rejects(t, as(env, fx.uid.user, 'ir.attachment').browse(att.ids).read(['datas']), 'AccessError');
    t.true((await as(env, fx.uid.technician, 'ir.attachment').search([['res_id', '=', id], ['res_model', '=', 'helpdesk.ticket']])).ids.includes(att.ids[0]));
  });
});

test('chatter: files of public messages stay visible to the reporter', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    const att = await as(env, fx.uid.technician, 'ir.attachment').create({ name: 'howto.pdf', datas: 'eA==' });
    await as(env, fx.uid.technician).browse([id]).message_post('<p>See the guide</p>', false, 'comment', 'mail.mt_comment', att.ids);
    const [a] = await as(env, fx.uid.user, 'ir.attachment').browse(att.ids).read(['name']);
    t.is(a.name, 'howto.pdf');
  });
});

test('chatter: a user cannot post on behalf of another contact', async (t) => {
  await rollback(fx.app, async (env) => {
    const id = await ticketOf(fx, env, 'user');
    await rejects(t, as(env, fx.uid.user).browse([id]).message_post('<p>x</p>', false, 'comment', 'mail.mt_comment', [], [], fx.partner.technician), 'AccessError');
  });
});
