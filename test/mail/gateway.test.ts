/**
 * The mail gateway over real SMTP on loopback: the listener of addons/mail started on a
 * free port, mail sent by independent clients (nodemailer, Python's smtplib), MIME built by
 * Python's email package, and a second smtp-server as the relay capturing what we send.
 * Every message is committed before its 250, so each test reads the database right after.
 */
import { createHash } from 'node:crypto';
import test from 'ava';
import { SUPERUSER_ID } from '../../core/orm/index.ts';
import { startMailGateway, type MailGateway } from '../../addons/mail/index.ts';
import { InboundBatcher } from '../../addons/mail/gateway/batch.ts';
import { settingsFromConfig } from '../../addons/mail/gateway/settings.ts';
import { setupHelpdesk, type HelpdeskFixture } from '../helpdesk/helpers.ts';
import { compose, mimeShapes, sendRaw, smtpSession, startRelay, type Relay, type Shape } from './smtp-helpers.ts';

const DOMAIN = 'helpdesk.test';
const ALIAS = `helpdesk@${DOMAIN}`;
const MAX_SIZE = 400_000;
let fx: HelpdeskFixture;
let gw: MailGateway;
let relay: Relay;
let shapes: Shape[];

test.before(async () => {
  [fx, relay, shapes] = await Promise.all([setupHelpdesk(), startRelay(), mimeShapes(DOMAIN)]);
  Object.assign(fx.app.config, { mail_domain: `${DOMAIN}, other.test`, smtp_relay: relay.url, mail_from: `notifications@${DOMAIN}` });
  gw = await startMailGateway(fx.app, { port: 0, host: '127.0.0.1', maxSize: MAX_SIZE });
});
test.after.always(async () => {
  await gw?.stop();
  await relay?.close();
  await fx?.app.close();
});

const knex = () => fx.app.db.knex;
let seq = 0;
const uid = () => `${process.pid}-${Date.now()}-${++seq}`;

/** A mail as a client writes it (nodemailer's composer), sent with nodemailer's SMTP client. */
async function mail(opts: { from: string; to?: string; cc?: string; subject: string; text?: string; html?: string; headers?: Record<string, string>; inReplyTo?: string; references?: string; messageId?: string; envelopeFrom?: string; attachments?: any[] }): Promise<{ messageId: string; response: string }> {
  const messageId = opts.messageId ?? `<${uid()}@client.example>`;
  const raw = await compose({ from: opts.from, to: opts.to ?? ALIAS, cc: opts.cc, subject: opts.subject, text: opts.text ?? 'hello', html: opts.html, headers: opts.headers, inReplyTo: opts.inReplyTo, references: opts.references, messageId, attachments: opts.attachments });
  const to = [opts.to ?? ALIAS].map((a) => a.replace(/^.*</, '').replace(/>.*$/, ''));
  const response = await sendRaw(gw.port, raw, { from: opts.envelopeFrom ?? opts.from.replace(/^.*</, '').replace(/>.*$/, ''), to });
  return { messageId, response };
}

const logOf = (messageId: string) => knex()('mail_gateway_message').where({ message_id: messageId }).orderBy('id', 'desc').first();
const ticketBySubject = (subject: string) => knex()('helpdesk_ticket').where({ subject }).select('*');
const messagesOf = (id: number) => knex()('mail_message').where({ model: 'helpdesk.ticket', res_id: id }).orderBy('id').select('*');
const su = <T>(fn: (env: any) => Promise<T>) => fx.app.withEnv(SUPERUSER_ID, fn);
const runQueue = () => su((env) => env.model('mail.mail').process_email_queue());
const captured = (to: string, subjectPart: string) => relay.mails.filter((m) => m.envelope.to.includes(to) && String(m.parsed.subject ?? '').includes(subjectPart));

/** A ticket filed by mail by `from`; returns it with the acknowledgement's Message-ID. */
async function newTicket(from = 'HD User <hd.user@example.com>', extra: Partial<Parameters<typeof mail>[0]> = {}) {
  const subject = `Problem ${uid()}`;
  const sent = await mail({ from, subject, ...extra });
  const [ticket] = await ticketBySubject(subject);
  const ack = await knex()('mail_message').where({ model: 'helpdesk.ticket', res_id: ticket.id, message_type: 'notification' }).whereNotNull('subject').orderBy('id').first();
  return { ticket, subject, sent, ack };
}

// ── MIME shapes ─────────────────────────────────────────────────────────────────────
const shapeTest = test.macro({
  async exec(t, index: number) {
    const shape = shapes[index];
    const raw = Buffer.from(shape.raw, 'base64');
    const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(raw.toString('latin1'))![1];
    const response = await sendRaw(gw.port, raw, { from: shape.from_email, to: [ALIAS] });
    t.regex(response, /^250/);
    const log = await logOf(messageId);
    t.like(log, { state: 'routed', reason: 'alias', model: 'helpdesk.ticket' }, shape.name);
    const ticket = await knex()('helpdesk_ticket').where({ id: log.res_id }).first();
    t.is(ticket.subject, shape.subject);
    t.is(ticket.origin, 'email');
    const plain = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/\s+/g, ' ');
    t.true(plain(ticket.description).includes(shape.text), `description ${ticket.description.slice(0, 300)} lacks ${shape.text}`);
    const partner = await knex()('res_partner').where({ id: ticket.partner_id }).first();
    t.is(partner.email, shape.from_email);
    if (shape.from_name) t.is(partner.name, shape.from_name);
    const files = await knex()('ir_attachment').where({ res_model: 'helpdesk.ticket', res_id: ticket.id }).select('name', 'mimetype', 'checksum', 'datas');
    t.is(files.length, shape.attachments.length, `attachments: ${files.map((f: any) => f.name).join(', ')}`);
    for (const want of shape.attachments) {
      const got = files.find((f: any) => f.checksum === want.sha1);
      t.truthy(got, `${want.filename}: no stored file has the same bytes`);
      t.is(createHash('sha1').update(got.datas).digest('hex'), want.sha1);
      if (want.filename) t.is(got.name, want.filename);
      t.is(got.mimetype, want.mimetype);
    }
    if (shape.name === 'inline image by Content-ID') {
      // the inline image is shown from the stored file, not from a cid: link
      const file = files.find((f: any) => f.name === 'screen.png');
      const stored = await knex()('ir_attachment').where({ res_model: 'helpdesk.ticket', res_id: ticket.id, name: 'screen.png' }).first('id');
      t.truthy(file);
      t.regex(ticket.description, new RegExp(`<img src="/web/content/${stored.id}"`));
      t.notRegex(ticket.description, /cid:/);
    }
  },
  title: (_t, index: number) => `MIME shape ${index + 1}: stored as sent`,
});
for (let i = 0; i < 25; i++) test(shapeTest, i);

// ── routing ─────────────────────────────────────────────────────────────────────────
test.serial('a new mail to the alias files a ticket and records why', async (t) => {
  const { ticket, sent } = await newTicket();
  t.is(ticket.partner_id, fx.partner.user);
  t.like(await logOf(sent.messageId), { state: 'routed', reason: 'alias', detail: 'helpdesk', res_id: ticket.id, raw: null });
});

test.serial('threading by In-Reply-To alone', async (t) => {
  const { ticket, ack } = await newTicket();
  const reply = await mail({ from: 'hd.user@example.com', subject: 'no tag here', inReplyTo: ack.message_id, text: 'more info by in-reply-to' });
  t.like(await logOf(reply.messageId), { state: 'routed', reason: 'header', res_id: ticket.id, detail: `In-Reply-To: ${ack.message_id}` });
  t.true((await messagesOf(ticket.id)).some((m: any) => m.message_id === reply.messageId && m.parent_id === ack.id));
});

test.serial('threading by References alone (the known id among unknown ones)', async (t) => {
  const { ticket, ack } = await newTicket();
  const reply = await mail({ from: 'hd.user@example.com', subject: 'still no tag', references: `<unknown-1@x> ${ack.message_id} <unknown-2@x>`, text: 'by references' });
  t.like(await logOf(reply.messageId), { state: 'routed', reason: 'header', res_id: ticket.id });
});

test.serial('threading by the [T-xxxxx] tag of the subject alone', async (t) => {
  const { ticket } = await newTicket();
  const reply = await mail({ from: 'hd.user@example.com', subject: `Re: [${ticket.number}] what about it?`, text: 'by tag' });
  t.like(await logOf(reply.messageId), { state: 'routed', reason: 'subject_tag', res_id: ticket.id });
  t.is((await ticketBySubject(`Re: [${ticket.number}] what about it?`)).length, 0);
});

test.serial('a reply to a mail we sent (captured at the relay) threads back through Reply-To and Message-ID', async (t) => {
  const { ticket } = await newTicket();
  await runQueue();
  const [ack] = captured('hd.user@example.com', ticket.number);
  t.truthy(ack);
  const replyTo = ack.parsed.replyTo!.value[0].address!;
  t.is(replyTo, ALIAS);
  const reply = await mail({ from: 'hd.user@example.com', to: replyTo, subject: `Re: ${ack.parsed.subject}`, inReplyTo: ack.parsed.messageId, references: ack.parsed.messageId });
  t.like(await logOf(reply.messageId), { state: 'routed', reason: 'header', res_id: ticket.id });
});

// ── safety ──────────────────────────────────────────────────────────────────────────
test.serial('a reply from a stranger becomes a new ticket; the thread stays private', async (t) => {
  const { ticket, ack } = await newTicket();
  const reply = await mail({ from: 'Eve <eve@evil.example>', subject: `Re: [${ticket.number}] let me in`, inReplyTo: ack.message_id });
  const log = await logOf(reply.messageId);
  t.is(log.reason, 'sender_not_allowed');
  t.not(log.res_id, ticket.id);
  t.false((await messagesOf(ticket.id)).some((m: any) => m.message_id === reply.messageId));
  const fresh = await knex()('helpdesk_ticket').where({ id: log.res_id }).first();
  const eve = await knex()('res_partner').where({ email: 'eve@evil.example' }).first('id');
  t.is(fresh.partner_id, eve.id);
  t.falsy(await knex()('mail_followers').where({ res_model: 'helpdesk.ticket', res_id: ticket.id, partner_id: eve.id }).first());
});

test.serial('the technician and a follower (CC of the new ticket) may reply by mail', async (t) => {
  const { ticket, ack } = await newTicket('HD User <hd.user@example.com>', { cc: 'Carol <carol.cc@example.com>, Helpdesk <helpdesk@helpdesk.test>' });
  const carol = await knex()('res_partner').where({ email: 'carol.cc@example.com' }).first('id');
  t.truthy(await knex()('mail_followers').where({ res_model: 'helpdesk.ticket', res_id: ticket.id, partner_id: carol.id }).first());
  // the alias in CC never becomes a partner nor a follower
  t.falsy(await knex()('res_partner').where({ email: ALIAS }).first());
  const a = await mail({ from: 'carol.cc@example.com', subject: 'cc reply', inReplyTo: ack.message_id });
  t.like(await logOf(a.messageId), { reason: 'header', res_id: ticket.id });
  await su((env) => env.model('helpdesk.ticket').browse([ticket.id]).message_subscribe([fx.partner.technician]));
  const b = await mail({ from: 'hd.technician@example.com', subject: 'tech reply', inReplyTo: ack.message_id });
  t.like(await logOf(b.messageId), { reason: 'header', res_id: ticket.id });
});

test.serial('a reporter\'s reply by mail moves a pending ticket to open', async (t) => {
  const { ticket, ack } = await newTicket();
  await knex()('helpdesk_ticket').where({ id: ticket.id }).update({ state: 'pending' });
  await mail({ from: 'hd.user@example.com', subject: 'here is the log', inReplyTo: ack.message_id });
  t.is((await knex()('helpdesk_ticket').where({ id: ticket.id }).first('state')).state, 'open');
});

test.serial('reply to a closed ticket: reopened by default, a linked new ticket with the "new" policy', async (t) => {
  const { ticket, ack } = await newTicket();
  await knex()('helpdesk_ticket').where({ id: ticket.id }).update({ state: 'closed', close_date: new Date() });
  await mail({ from: 'hd.user@example.com', subject: 'broken again', inReplyTo: ack.message_id });
  t.is((await knex()('helpdesk_ticket').where({ id: ticket.id }).first('state')).state, 'open');

  const other = await newTicket();
  const category = await su(async (env) => (await env.model('helpdesk.ticket.category').create({ name: `Strict ${uid()}`, reopen_policy: 'new', reopen_days: 0 })).ids[0]);
  await knex()('helpdesk_ticket').where({ id: other.ticket.id }).update({ state: 'closed', close_date: new Date(), category_id: category });
  const reply = await mail({ from: 'hd.user@example.com', subject: 'new problem', inReplyTo: other.ack.message_id });
  const log = await logOf(reply.messageId);
  t.is(log.reason, 'closed_followup');
  t.is((await knex()('helpdesk_ticket').where({ id: log.res_id }).first('parent_id')).parent_id, other.ticket.id);
});

const automatic: Array<[string, Record<string, string>, string?]> = [
  ['Auto-Submitted: auto-replied', { 'Auto-Submitted': 'auto-replied' }],
  ['Auto-Submitted: auto-generated', { 'Auto-Submitted': 'auto-generated' }],
  ['X-Autoreply', { 'X-Autoreply': 'yes' }],
  ['X-Autorespond', { 'X-Autorespond': 'Out of office' }],
  ['Precedence: bulk', { Precedence: 'bulk' }],
  ['Precedence: junk', { Precedence: 'junk' }],
  ['Precedence: auto_reply', { Precedence: 'auto_reply' }],
];
for (const [name, headers] of automatic) {
  test.serial(`an auto-reply (${name}) creates nothing and is never answered`, async (t) => {
    const subject = `Out of office ${uid()}`;
    const sent = await mail({ from: 'Someone <ooo@example.com>', subject, headers });
    t.regex(sent.response, /^250/);
    t.like(await logOf(sent.messageId), { state: 'ignored', reason: 'auto_reply' });
    t.truthy((await logOf(sent.messageId)).raw, 'kept raw for the admins');
    t.is((await ticketBySubject(subject)).length, 0);
    t.is((await knex()('mail_mail').where('email_to', 'like', '%ooo@example.com%').select('id')).length, 0, 'never answered');
  });
}

test.serial('an auto-reply on a thread is not appended either', async (t) => {
  const { ticket, ack } = await newTicket();
  const before = (await messagesOf(ticket.id)).length;
  const sent = await mail({ from: 'hd.user@example.com', subject: 'Automatic reply: away', inReplyTo: ack.message_id, headers: { 'Auto-Submitted': 'auto-replied' } });
  t.is((await logOf(sent.messageId)).reason, 'auto_reply');
  t.is((await messagesOf(ticket.id)).length, before);
});

test.serial('Auto-Submitted: no is a person writing: a ticket', async (t) => {
  const subject = `Manual ${uid()}`;
  await mail({ from: 'hd.user@example.com', subject, headers: { 'Auto-Submitted': 'no' } });
  t.is((await ticketBySubject(subject)).length, 1);
});

for (const [name, from, envelopeFrom] of [['MAILER-DAEMON', 'MAILER-DAEMON@mx.example.com', undefined], ['postmaster', 'postmaster@mx.example.com', undefined]] as const) {
  test.serial(`a bounce from ${name} creates nothing`, async (t) => {
    const subject = `Undelivered Mail ${uid()}`;
    const sent = await mail({ from, subject, envelopeFrom });
    t.like(await logOf(sent.messageId), { state: 'ignored', reason: 'bounce' });
    t.is((await ticketBySubject(subject)).length, 0);
  });
}

test.serial('a delivery report (multipart/report, null sender) creates nothing', async (t) => {
  const subject = `Delivery Status Notification ${uid()}`;
  const id = `<${uid()}@mx.example.com>`;
  const raw = `From: Mail Delivery System <mailer@mx.example.com>\r\nTo: ${ALIAS}\r\nSubject: ${subject}\r\nMessage-ID: ${id}\r\nMIME-Version: 1.0\r\n`
    + 'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n'
    + '--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; x@y\r\nAction: failed\r\nStatus: 5.1.1\r\n--B--\r\n';
  const result = await smtpSession({ port: gw.port, mail_from: '', rcpt: [ALIAS], data: Buffer.from(raw) });
  t.is(result.data![0], 250);
  t.like(await logOf(id), { state: 'ignored', reason: 'bounce' });
  t.is((await ticketBySubject(subject)).length, 0);
});

test.serial('no loops: mail from our notification address or from an alias is ignored', async (t) => {
  for (const from of [`notifications@${DOMAIN}`, ALIAS, `Helpdesk <HELPDESK@${DOMAIN.toUpperCase()}>`]) {
    const subject = `Loop ${uid()}`;
    const sent = await mail({ from, subject, envelopeFrom: 'bounce@elsewhere.example' });
    t.like(await logOf(sent.messageId), { state: 'ignored', reason: 'loop' }, from);
    t.is((await ticketBySubject(subject)).length, 0);
  }
});

test.serial('the same Message-ID twice (a client resending) makes one ticket', async (t) => {
  const subject = `Resent ${uid()}`;
  const messageId = `<${uid()}@client.example>`;
  await mail({ from: 'hd.user@example.com', subject, messageId });
  const again = await mail({ from: 'hd.user@example.com', subject, messageId });
  t.regex(again.response, /^250/);
  t.is((await ticketBySubject(subject)).length, 1);
  t.is((await logOf(messageId)).reason, 'duplicate');
});

test.serial('mails from 12 clients at once are each filed: distinct ticket numbers, one acknowledgement each', async (t) => {
  const subjects = Array.from({ length: 12 }, (_, i) => `Together ${i} ${uid()}`);
  const sent = await Promise.all(subjects.map((subject, i) => mail({ from: `Crowd ${i} <crowd.${i}.${uid()}@example.com>`, subject })));
  for (const s of sent) t.regex(s.response, /^250/);
  const tickets = await knex()('helpdesk_ticket').whereIn('subject', subjects).select('id', 'number');
  t.is(tickets.length, 12);
  t.is(new Set(tickets.map((r: any) => r.number)).size, 12);
  const acks = await knex()('mail_mail as m').join('mail_message as msg', 'msg.id', 'm.mail_message_id')
    .where('msg.model', 'helpdesk.ticket').whereIn('msg.res_id', tickets.map((r: any) => r.id)).where('msg.message_type', 'notification').select('msg.res_id', 'm.subject');
  t.deepEqual(new Set(acks.map((a: any) => a.res_id)).size, 12);
  for (const r of tickets) t.true(acks.some((a: any) => a.res_id === r.id && a.subject.startsWith(`[${r.number}]`)), `acknowledgement of ${r.number}`);
});

test.serial('the second domain of mail_domain is accepted too', async (t) => {
  const subject = `Other domain ${uid()}`;
  await mail({ from: 'hd.user@example.com', to: 'helpdesk@other.test', subject });
  t.is((await ticketBySubject(subject)).length, 1);
});

// ── refusals ────────────────────────────────────────────────────────────────────────
test.serial('RCPT TO an unknown local part: 550, nothing stored', async (t) => {
  const r = await smtpSession({ port: gw.port, mail_from: 'a@example.com', rcpt: [`nobody@${DOMAIN}`] });
  t.is(r.rcpt[0][0], 550);
  t.regex(r.rcpt[0][1], /no such mailbox/);
});

test.serial('RCPT TO a foreign domain: 550, we never relay', async (t) => {
  const r = await smtpSession({ port: gw.port, mail_from: 'a@example.com', rcpt: ['helpdesk@gmail.com'] });
  t.is(r.rcpt[0][0], 550);
  t.regex(r.rcpt[0][1], /relay/);
});

test.serial('MAIL FROM with SIZE= over the limit: 552', async (t) => {
  const r = await smtpSession({ port: gw.port, mail_from: 'a@example.com', size: MAX_SIZE + 1, rcpt: [ALIAS] });
  t.is(r.mail[0], 552);
  t.regex(r.ehlo[1], new RegExp(`SIZE ${MAX_SIZE}`));
});

test.serial('a message over the limit after DATA: 552, nothing stored', async (t) => {
  const subject = `Too big ${uid()}`;
  const raw = `From: a@example.com\r\nTo: ${ALIAS}\r\nSubject: ${subject}\r\n\r\n${'x'.repeat(76).concat('\r\n').repeat(Math.ceil(MAX_SIZE / 78) + 10)}`;
  const r = await smtpSession({ port: gw.port, mail_from: 'a@example.com', rcpt: [ALIAS], data: Buffer.from(raw) });
  t.is(r.data![0], 552);
  t.is((await ticketBySubject(subject)).length, 0);
  t.falsy(await knex()('mail_gateway_message').where({ subject }).first());
});

// ── kept raw ────────────────────────────────────────────────────────────────────────
test.serial('an unparseable message is kept raw, answered 250, visible under Incoming Emails', async (t) => {
  const garbage = Buffer.concat([Buffer.from('\r\n\r\n'), Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256).filter((b) => b !== 13 && b !== 10 && b !== 46))]);
  const r = await smtpSession({ port: gw.port, mail_from: 'a@example.com', rcpt: [ALIAS], data: garbage });
  t.is(r.data![0], 250);
  const row = await knex()('mail_gateway_message').where({ reason: 'unparseable' }).orderBy('id', 'desc').first();
  t.is(row.state, 'failed');
  t.true(Buffer.from(row.raw).length > 100);
  const visible = await fx.app.withEnv(SUPERUSER_ID, (env) => env.model('mail.gateway.message').search_read([['state', '=', 'failed']], ['reason']));
  t.true(visible.some((v: any) => v.reason === 'unparseable'));
  const menu = await fx.app.withEnv(SUPERUSER_ID, (env) => env.ref('mail.menu_mail_gateway_message'));
  t.truthy(menu);
  // admins only: a technician or a user cannot read incoming mail of others
  for (const who of [fx.uid.technician, fx.uid.user]) {
    await t.throwsAsync(fx.app.withEnv(who, (env) => env.model('mail.gateway.message').search_read([], ['subject'])));
  }
});

test.serial('an unroutable message (alias of a deleted record) and a failing one are kept raw', async (t) => {
  const modelId = (await knex()('ir_model').where({ model: 'helpdesk.ticket' }).first('id')).id;
  await su((env) => env.model('mail.alias').create([
    { alias_name: 'gone', alias_model_id: modelId, alias_force_thread_id: 99_999_999 },
    { alias_name: 'broken', alias_model_id: modelId, alias_defaults: "{'no_such_field': 1}" },
  ]));
  const a = await mail({ from: 'hd.user@example.com', to: `gone@${DOMAIN}`, subject: `Unroutable ${uid()}` });
  t.regex(a.response, /^250/);
  t.like(await logOf(a.messageId), { state: 'failed', reason: 'unroutable' });
  const b = await mail({ from: 'hd.user@example.com', to: `broken@${DOMAIN}`, subject: `Failing ${uid()}` });
  t.regex(b.response, /^250/);
  const row = await logOf(b.messageId);
  t.like(row, { state: 'failed', reason: 'error' });
  t.regex(row.detail, /no_such_field/);
  t.truthy(row.raw);
  // fixed by an admin, "Process Again" files it
  await su((env) => env.model('mail.alias').search([['alias_name', '=', 'broken']]).then((r: any) => r.write({ alias_defaults: "{'origin': 'email'}" })));
  await su((env) => env.model('mail.gateway.message').browse([row.id]).action_process_again());
  t.like(await logOf(b.messageId), { state: 'routed', reason: 'alias' });
});

/**
 * A batcher whose one runner waits long enough for all `count` mails to queue (one batch), and
 * the mails: the one at `brokenAt` to a new alias `alias` whose defaults name no field (its
 * filing fails), the others to the helpdesk alias.
 */
async function batchWithBrokenMail(alias: string, label: string, count: number, brokenAt: number) {
  const modelId = (await knex()('ir_model').where({ model: 'helpdesk.ticket' }).first('id')).id;
  await su((env) => env.model('mail.alias').create({ alias_name: alias, alias_model_id: modelId, alias_defaults: "{'no_such_field': 1}" }));
  const batcher = new InboundBatcher(fx.app, settingsFromConfig(fx.app.config), { parallel: 1, waitMs: 300, maxBatch: 16 });
  const tag = uid();
  const key = label.toLowerCase();
  const mails = await Promise.all(Array.from({ length: count }, async (_, i) => {
    const messageId = `<${key}-${i}-${tag}@client.example>`;
    const to = i === brokenAt ? `${alias}@${DOMAIN}` : ALIAS;
    const raw = await compose({ from: `${label} ${i} <${key}.${i}.${tag}@example.com>`, to, subject: `${label} ${i} ${tag}`, text: `mail ${i}`, messageId });
    return { messageId, raw, to, subject: `${label} ${i} ${tag}` };
  }));
  return { batcher, mails, tag };
}

test.serial('group commit: mails arriving together share one transaction, a failing one fails alone and is kept raw', async (t) => {
  const { batcher, mails, tag } = await batchWithBrokenMail('broken2', 'Batch', 5, 2);
  const begins: string[] = [];
  const onQuery = (q: { sql: string }) => { if (/^BEGIN/i.test(q.sql)) begins.push(q.sql); };
  knex().on('query', onQuery);
  try {
    const outcomes = await Promise.all(mails.map((m) => batcher.process(m.raw, { from: 'sender@example.com', to: [m.to] })));
    t.deepEqual(outcomes.map((o) => o.state), ['routed', 'routed', 'failed', 'routed', 'routed']);
  } finally {
    knex().off('query', onQuery);
  }
  // The batch, the failing mail alone, then its raw copy: three transactions for five mails.
  t.is(begins.length, 3);
  for (const [i, m] of mails.entries()) {
    const log = await logOf(m.messageId);
    if (i === 2) {
      t.like(log, { state: 'failed', reason: 'error' });
      t.regex(log.detail, /no_such_field/);
      t.truthy(log.raw);
      t.is((await ticketBySubject(m.subject)).length, 0);
    } else {
      t.like(log, { state: 'routed', reason: 'alias' });
      const [ticket] = await ticketBySubject(m.subject);
      t.is(log.res_id, ticket.id);
      // Its inbound message and acknowledgement are there: nothing of it was rolled back with the failing one.
      t.deepEqual((await messagesOf(ticket.id)).map((r: any) => r.message_type).sort(), ['email', 'notification']);
    }
  }
  t.is(new Set((await knex()('helpdesk_ticket').where('subject', 'like', `Batch % ${tag}`).select('number')).map((r: any) => r.number)).size, 4);
});

test.serial('group commit: one lock and one lookup for the batch\'s Message-IDs — a resent mail in the same batch and one already filed are duplicates; the log rows are written together', async (t) => {
  const batcher = new InboundBatcher(fx.app, settingsFromConfig(fx.app.config), { parallel: 1, waitMs: 300, maxBatch: 16 });
  const tag = uid();
  const earlier = await mail({ from: `Earlier <earlier.${tag}@example.com>`, to: ALIAS, subject: `Earlier ${tag}` });
  const fresh = `<fresh-${tag}@client.example>`;
  const raws = await Promise.all([
    compose({ from: `Fresh <fresh.${tag}@example.com>`, to: ALIAS, subject: `Fresh ${tag}`, text: 'first copy', messageId: fresh }),
    compose({ from: `Fresh <fresh.${tag}@example.com>`, to: ALIAS, subject: `Fresh ${tag}`, text: 'second copy', messageId: fresh }),
    compose({ from: `Earlier <earlier.${tag}@example.com>`, to: ALIAS, subject: `Earlier ${tag}`, text: 'resent', messageId: earlier.messageId }),
  ]);
  const sqls: string[] = [];
  const onQuery = (q: { sql: string }) => sqls.push(q.sql);
  knex().on('query', onQuery);
  let outcomes;
  try {
    outcomes = await Promise.all(raws.map((raw) => batcher.process(raw, { from: 'sender@example.com', to: [ALIAS] })));
  } finally {
    knex().off('query', onQuery);
  }
  t.deepEqual(outcomes.map((o) => [o.state, o.reason]), [['routed', 'alias'], ['ignored', 'duplicate'], ['ignored', 'duplicate']]);
  t.is(sqls.filter((q) => /^BEGIN/i.test(q)).length, 1, 'one transaction');
  t.is(sqls.filter((q) => /insert into "mail_gateway_message"/i.test(q)).length, 1, 'one INSERT of the three log rows');
  t.is((await ticketBySubject(`Fresh ${tag}`)).length, 1);
  t.is((await ticketBySubject(`Earlier ${tag}`)).length, 1);
  // Each outcome names its own log row, which says what happened.
  const rows = await knex()('mail_gateway_message').whereIn('id', outcomes.map((o) => o.logId)).select('id', 'message_id', 'state', 'reason', 'res_id');
  t.is(rows.length, 3);
  const byId = new Map(rows.map((r: any) => [Number(r.id), r]));
  t.like(byId.get(outcomes[0].logId), { message_id: fresh, state: 'routed', res_id: outcomes[0].resId });
  t.like(byId.get(outcomes[1].logId), { message_id: fresh, state: 'ignored', reason: 'duplicate', res_id: outcomes[0].resId });
  t.like(byId.get(outcomes[2].logId), { message_id: earlier.messageId, state: 'ignored', reason: 'duplicate' });
});

test.serial('group commit: when the first mail of a batch fails, every mail of the batch is filed alone', async (t) => {
  const { batcher, mails } = await batchWithBrokenMail('broken3', 'First', 3, 0);
  const outcomes = await Promise.all(mails.map((m) => batcher.process(m.raw, { from: 'sender@example.com', to: [m.to] })));
  t.deepEqual(outcomes.map((o) => o.state), ['failed', 'routed', 'routed']);
  t.like(await logOf(mails[0].messageId), { state: 'failed', reason: 'error' });
  t.is((await ticketBySubject(mails[0].subject)).length, 0);
  for (const m of mails.slice(1)) {
    t.like(await logOf(m.messageId), { state: 'routed', reason: 'alias' });
    t.is((await ticketBySubject(m.subject)).length, 1);
    t.is(Number((await knex()('mail_gateway_message').where({ message_id: m.messageId }).count({ n: '*' }))[0].n), 1, 'filed once');
  }
});

// ── outbound ────────────────────────────────────────────────────────────────────────
test.serial('acknowledgement: the ticket number, from our address, Reply-To the alias, threading headers', async (t) => {
  const { ticket, ack } = await newTicket('HD User <hd.user@example.com>');
  t.truthy(await knex()('mail_mail').where({ mail_message_id: ack.id, state: 'outgoing' }).first(), 'queued in the same transaction');
  await runQueue();
  const [m] = captured('hd.user@example.com', ticket.number);
  t.regex(m.parsed.subject!, new RegExp(`\\[${ticket.number}\\]`));
  t.regex(m.parsed.html as string, new RegExp(ticket.number));
  t.is(m.parsed.from!.value[0].address, `notifications@${DOMAIN}`);
  t.is(m.parsed.replyTo!.value[0].address, ALIAS);
  t.is(m.parsed.messageId, ack.message_id);
  t.truthy(m.parsed.references);
  t.is((await knex()('mail_mail').where({ mail_message_id: ack.id }).first('state')).state, 'sent');
});

test.serial('technician\'s public message → reporter and followers; reporter\'s message → technician; internal notes never mailed', async (t) => {
  const { ticket } = await newTicket('HD User <hd.user@example.com>', { cc: 'Fran Follower <fran.follower@example.com>' });
  const tag = uid();
  await fx.app.withEnv(fx.uid.technician2, (env) => (env.model('helpdesk.ticket') as any).browse([ticket.id]).action_reassign(fx.uid.technician));
  await fx.app.withEnv(fx.uid.technician, (env) => (env.model('helpdesk.ticket') as any).browse([ticket.id]).message_post(`<p>Public answer ${tag}</p>`, `Answer ${tag}`));
  await fx.app.withEnv(fx.uid.technician, (env) => (env.model('helpdesk.ticket') as any).browse([ticket.id]).message_post(`<p>Secret note ${tag}</p>`, `Note ${tag}`, 'comment', 'mail.mt_note'));
  await fx.app.withEnv(fx.uid.user, (env) => (env.model('helpdesk.ticket') as any).browse([ticket.id]).message_post(`<p>Thanks ${tag}</p>`, `Thanks ${tag}`));
  await runQueue();
  t.is(captured('hd.user@example.com', `Answer ${tag}`).length, 1);
  t.is(captured('fran.follower@example.com', `Answer ${tag}`).length, 1, 'the follower (CC of the new ticket) gets public messages');
  t.is(captured('fran.follower@example.com', `Note ${tag}`).length, 0);
  t.is(captured('hd.technician@example.com', `Thanks ${tag}`).length, 1);
  t.is(relay.mails.filter((m) => String(m.parsed.subject).includes(`Note ${tag}`) || String(m.parsed.html).includes(`Secret note ${tag}`)).length, 0);
  const answer = captured('hd.user@example.com', `Answer ${tag}`)[0];
  t.is(answer.parsed.from!.value[0].name, 'HD technician');
  t.is(answer.parsed.from!.value[0].address, `notifications@${DOMAIN}`);
});

test.serial('solved → the reporter gets the solution; reassigned → the new technician is told', async (t) => {
  const { ticket } = await newTicket();
  await fx.app.withEnv(fx.uid.technician, (env) => (env.model('helpdesk.ticket') as any).browse([ticket.id]).action_reassign(fx.uid.technician2));
  await fx.app.withEnv(fx.uid.technician2, (env) => (env.model('helpdesk.ticket') as any).browse([ticket.id]).action_solve('<p>Replaced the cable</p>'));
  await runQueue();
  const solved = captured('hd.user@example.com', `[${ticket.number}] Solved`);
  t.is(solved.length, 1);
  t.regex(solved[0].parsed.html as string, /Replaced the cable/);
  t.is(captured('hd.technician2@example.com', `[${ticket.number}] Assigned to you`).length, 1);
});

test.serial('relay failures: 4xx retried later with backoff, 5xx an exception with the relay\'s words', async (t) => {
  const { ticket, ack } = await newTicket();
  relay.mode = 451;
  try {
    await runQueue();
  } finally {
    relay.mode = 'ok';
  }
  const m1 = await knex()('mail_mail').where({ mail_message_id: ack.id }).first();
  t.like(m1, { state: 'outgoing', retry_count: 1 });
  t.regex(m1.failure_reason, /451/);
  t.true(new Date(`${String(m1.scheduled_date).replace(' ', 'T')}Z`).getTime() > Date.now() + 30_000 || new Date(m1.scheduled_date).getTime() > Date.now() + 30_000);
  await runQueue();
  t.is((await knex()('mail_mail').where({ id: m1.id }).first('state')).state, 'outgoing', 'not retried before its time');
  await knex()('mail_mail').where({ id: m1.id }).update({ scheduled_date: new Date(Date.now() - 1000) });
  relay.mode = 550;
  try {
    await runQueue();
  } finally {
    relay.mode = 'ok';
  }
  const m2 = await knex()('mail_mail').where({ id: m1.id }).first();
  t.is(m2.state, 'exception');
  t.regex(m2.failure_reason, /550 5\.1\.1 Mailbox unavailable/);
  t.is(captured('hd.user@example.com', ticket.number).length, 0);
});

test.serial('with no relay configured, mails stay queued', async (t) => {
  await gw.stop();
  const relayUrl = fx.app.config.smtp_relay;
  fx.app.config.smtp_relay = '';
  gw = await startMailGateway(fx.app, { port: 0, host: '127.0.0.1', maxSize: MAX_SIZE });
  try {
    const { ack } = await newTicket();
    t.is(await runQueue(), 0);
    t.is((await knex()('mail_mail').where({ mail_message_id: ack.id }).first('state')).state, 'outgoing');
  } finally {
    await gw.stop();
    fx.app.config.smtp_relay = relayUrl;
    gw = await startMailGateway(fx.app, { port: 0, host: '127.0.0.1', maxSize: MAX_SIZE });
  }
});
