import { fields, formatDatetime, model, rowsOf, UserError, type Model } from '../../../core/orm/index.ts';
import { getMailTransport, type MailTransport, type OutgoingMail } from '../transport.ts';
import { _t } from '../../../core/i18n/index.ts';

/** Failed sends are retried by the queue cron this many times before the mail is an exception. */
export const MAX_SEND_ATTEMPTS = 5;
/** Minutes to wait before the next attempt after the 1st, 2nd, 3rd… failure (a relay that is down gets time to come back). */
export const RETRY_BACKOFF_MINUTES = [1, 5, 15, 60];

/** The relay's own words when it has any (`550 5.1.1 <x>: no such user`), else the error message. */
function relayError(err: unknown): string {
  const e = err as { response?: unknown; message?: unknown };
  return String(typeof e?.response === 'string' && e.response ? e.response : e?.message ?? err).slice(0, 2000);
}

/** A permanent refusal by the relay (5xx): retrying the same mail cannot succeed. */
function isPermanent(err: unknown): boolean {
  const code = Number((err as { responseCode?: unknown })?.responseCode);
  return code >= 500 && code < 600;
}

/** Mails handed to the transport at once (the relay transport keeps a pool of 4 connections). */
export const SEND_CONCURRENCY = 4;
/** Mails handed to the transport per queue run. */
export const QUEUE_BATCH = 100;

export const MAIL_STATES = [
  ['outgoing', 'Outgoing'],
  ['sent', 'Sent'],
  ['exception', 'Delivery Failed'],
  ['cancel', 'Cancelled'],
] as const;

/**
 * The outgoing e-mail queue. Notifications are queued here (state `outgoing`); the
 * "Mail: Email Queue Manager" cron calls `process_email_queue()`, which hands them to the
 * registered transport (see transport.ts). Without a transport (no relay configured) mails
 * simply stay queued — nothing is lost.
 */
export const MailMail = model((Base) => class extends Base {
  static _name = 'mail.mail';
  static _description = 'Outgoing Mails';
  static _order = 'id desc';
  static _rec_name = 'subject';
  static fields = {
    mail_message_id: fields.many2one('mail.message', { string: 'Message', index: true, ondelete: 'cascade' }),
    model: fields.related('mail_message_id.model', { string: 'Related Document Model' }),
    res_id: fields.related('mail_message_id.res_id', { string: 'Related Document ID' }),
    message_id: fields.related('mail_message_id.message_id', { string: 'Message-Id' }),
    subject: fields.char({ string: 'Subject' }),
    email_from: fields.char({ string: 'From' }),
    email_to: fields.text({ string: 'To', help: 'Message recipients (emails)' }),
    email_cc: fields.char({ string: 'Cc', help: 'Carbon copy message recipients' }),
    reply_to: fields.char({ string: 'Reply-To' }),
    recipient_ids: fields.many2many('res.partner', { string: 'To (Partners)', relation: 'mail_mail_res_partner_rel', column1: 'mail_mail_id', column2: 'partner_id' }),
    body_html: fields.text({ string: 'Rich-text Contents' }),
    references: fields.text({ string: 'References', help: 'Message references, such as identifiers of previous messages', readonly: true }),
    headers: fields.text({ string: 'Headers', copy: false, help: 'Extra headers as a JSON object' }),
    state: fields.selection(MAIL_STATES, { string: 'Status', default: 'outgoing', readonly: true, copy: false, index: true }),
    failure_reason: fields.text({ string: 'Failure Reason', readonly: true, copy: false }),
    retry_count: fields.integer({ string: 'Send Attempts', default: 0, readonly: true, copy: false }),
    sent_date: fields.datetime({ string: 'Sent On', readonly: true, copy: false }),
    scheduled_date: fields.datetime({ string: 'Scheduled Send Date', copy: false, index: true, help: 'Not sent before this time (set after a failed attempt); empty = as soon as possible' }),
  };
  static _rpc = {
    process_email_queue: { kind: 'model' as const, params: [] },
    send: { kind: 'records' as const, params: [] },
    mark_outgoing: { kind: 'records' as const, params: [] },
    cancel: { kind: 'records' as const, params: [] },
  };
  /** Methods the scheduler may call. */
  static _cron = ['process_email_queue'];

  /**
   * Sends the queued mails (oldest first, in batches, rows claimed with SKIP LOCKED so that
   * several workers never send the same mail). Returns how many were sent; 0 when no relay
   * (transport) is configured.
   */
  async process_email_queue(): Promise<number> {
    await this.check_access_rights('write');
    const transport = getMailTransport(this.env.registry);
    if (!transport) return 0;
    const rows = rowsOf(await this.env.cr.raw(
      `SELECT id FROM mail_mail WHERE state = 'outgoing' AND (scheduled_date IS NULL OR scheduled_date <= ?)
        ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`, [formatDatetime(new Date()), QUEUE_BATCH]));
    if (!rows.length) return 0;
    return this.browse(rows.map((r: any) => Number(r.id)))._sendWith(transport);
  }

  /** "Send Now": sends these mails through the configured relay. */
  async send(): Promise<boolean> {
    await this.check_access_rights('write');
    await this.checkAccessRule('write');
    const transport = getMailTransport(this.env.registry);
    if (!transport) throw new UserError(_t(this.env, 'No outgoing mail relay is configured: the mails stay in the queue.'));
    await this._sendWith(transport);
    return true;
  }

  /** "Retry": puts failed or cancelled mails back in the queue. */
  async mark_outgoing(): Promise<boolean> {
    await this.write({ state: 'outgoing', failure_reason: false, retry_count: 0, scheduled_date: false });
    return true;
  }

  /** "Cancel": the mails will not be sent. */
  async cancel(): Promise<boolean> {
    await this.write({ state: 'cancel' });
    return true;
  }

  /**
   * Hands the mails to `transport`, SEND_CONCURRENCY at a time (the relay connections of a
   * pooled transport work in parallel), then marks each sent, or counts its failure.
   * Returns the number sent.
   */
  async _sendWith(transport: MailTransport): Promise<number> {
    const su = this.sudo();
    const pending: Array<{ mail: Record<string, any>; out: OutgoingMail }> = [];
    for (const mail of await su.read(['email_from', 'email_to', 'email_cc', 'reply_to', 'subject', 'body_html', 'references', 'headers', 'mail_message_id', 'retry_count', 'state'])) {
      if (mail.state === 'sent' || mail.state === 'cancel') continue;
      pending.push({ mail, out: await this._outgoing(mail) });
    }
    const errors: unknown[] = new Array(pending.length).fill(null);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, pending.length) }, async () => {
      while (next < pending.length) {
        const i = next++;
        try {
          await transport.send(pending[i].out);
        } catch (err) {
          errors[i] = err ?? new Error('send failed');
        }
      }
    }));
    let sent = 0;
    for (const [i, { mail }] of pending.entries()) {
      const one = su.browse([mail.id]);
      const err = errors[i];
      if (!err) {
        await one.write({ state: 'sent', failure_reason: false, sent_date: formatDatetime(new Date()) });
        sent++;
        continue;
      }
      // Temporary failures (relay down, 4xx) wait and retry; a 5xx refusal or the last attempt is an exception.
      const attempts = Number(mail.retry_count ?? 0) + 1;
      const final = attempts >= MAX_SEND_ATTEMPTS || isPermanent(err);
      const wait = RETRY_BACKOFF_MINUTES[Math.min(attempts, RETRY_BACKOFF_MINUTES.length) - 1];
      await one.write({
        retry_count: attempts,
        state: final ? 'exception' : 'outgoing',
        failure_reason: relayError(err),
        scheduled_date: final ? false : formatDatetime(new Date(Date.now() + wait * 60_000)),
      });
    }
    return sent;
  }

  async _outgoing(mail: Record<string, unknown>): Promise<OutgoingMail> {
    const env = this.env.sudo();
    let headers: Record<string, string> = {};
    if (typeof mail.headers === 'string' && mail.headers.trim()) {
      try {
        const parsed = JSON.parse(mail.headers);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) headers = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
      } catch { /* malformed headers are not sent */ }
    }
    const out: OutgoingMail = {
      from: String(mail.email_from || ''),
      to: String(mail.email_to || ''),
      cc: mail.email_cc ? String(mail.email_cc) : undefined,
      replyTo: mail.reply_to ? String(mail.reply_to) : undefined,
      subject: String(mail.subject || ''),
      html: String(mail.body_html || ''),
      references: mail.references ? String(mail.references) : undefined,
      headers,
      attachments: [],
    };
    const messageId = Array.isArray(mail.mail_message_id) ? Number(mail.mail_message_id[0]) : 0;
    if (messageId) {
      const [msg] = await (env.model('mail.message').browse([messageId]) as Model).read(['message_id', 'parent_id', 'attachment_ids']);
      if (msg) {
        out.messageId = msg.message_id ? String(msg.message_id) : undefined;
        if (Array.isArray(msg.parent_id)) {
          const parent = await env.cr('mail_message').where({ id: msg.parent_id[0] }).first('message_id');
          if (parent?.message_id) out.inReplyTo = parent.message_id;
        }
        const attIds = msg.attachment_ids as number[];
        if (attIds.length) {
          const atts = await env.cr('ir_attachment').whereIn('id', attIds).select('name', 'datas', 'mimetype');
          out.attachments = atts.filter((a: any) => a.datas).map((a: any) => ({ filename: a.name, content: Buffer.from(a.datas), contentType: a.mimetype || 'application/octet-stream' }));
        }
      }
    }
    return out;
  }
});
