import { fields, model, UserError } from '../../../core/orm/index.ts';
import { reprocessRaw } from '../gateway/route.ts';
import { gatewaySettings } from '../gateway/settings.ts';
import { _t } from '../../../core/i18n/index.ts';

export const GATEWAY_STATES = [
  ['routed', 'Routed'],
  ['ignored', 'Ignored'],
  ['failed', 'Failed'],
] as const;

/** Why the mail gateway did what it did with a message (see gateway/route.ts). */
export const GATEWAY_REASONS = [
  ['header', 'Reply: In-Reply-To / References header'],
  ['subject_tag', 'Reply: reference in the subject'],
  ['forced_thread', 'Alias of one record'],
  ['alias', 'New record from an alias'],
  ['sender_not_allowed', 'Sender not allowed on that thread: new record'],
  ['closed_followup', 'Reply to a closed record: new record'],
  ['redirected', 'Filed on another record by the document'],
  ['duplicate', 'Already received (same Message-ID)'],
  ['loop', 'Sent by this server (mail loop)'],
  ['auto_reply', 'Automatic reply'],
  ['bounce', 'Bounce or delivery report'],
  ['sender_refused', 'Sender not accepted by the alias'],
  ['unroutable', 'No alias or thread for it'],
  ['unparseable', 'Not a readable e-mail'],
  ['error', 'Error while processing'],
] as const;

/**
 * One row per message the SMTP listener accepted (Settings > Technical > Email > Incoming
 * Emails): where it went and why. Messages that were not routed keep their raw bytes here
 * (`raw`), so nothing accepted is ever lost; "Process Again" re-runs the routing on them.
 */
export const MailGatewayMessage = model((Base) => class extends Base {
  static _name = 'mail.gateway.message';
  static _description = 'Incoming Email';
  static _order = 'id desc';
  static _rec_name = 'subject';
  static fields = {
    email_from: fields.char({ string: 'From', readonly: true }),
    email_to: fields.char({ string: 'Envelope Recipients', readonly: true }),
    subject: fields.char({ string: 'Subject', readonly: true }),
    message_id: fields.char({ string: 'Message-Id', readonly: true, index: true }),
    state: fields.selection(GATEWAY_STATES, { string: 'Status', required: true, readonly: true, index: true }),
    reason: fields.selection(GATEWAY_REASONS, { string: 'Reason', required: true, readonly: true, index: true }),
    detail: fields.text({ string: 'Details', readonly: true, help: 'The header, subject or alias that decided the route, or the error' }),
    model: fields.char({ string: 'Document Model', readonly: true }),
    res_id: fields.integer({ string: 'Document ID', readonly: true }),
    mail_message_id: fields.many2one('mail.message', { string: 'Message', readonly: true, ondelete: 'set null' }),
    size: fields.integer({ string: 'Size (bytes)', readonly: true }),
    raw: fields.binary({ string: 'Raw Message', readonly: true, help: 'The message as received, kept when it was not routed' }),
  };
  static _rpc = { action_process_again: { kind: 'records' as const, params: [] } };

  /** "Process Again": routes the kept raw messages anew (after fixing an alias, a bug…). */
  async action_process_again(): Promise<boolean> {
    await this.check_access_rights('write');
    const rows = await this.env.cr('mail_gateway_message').whereIn('id', this.ids).select('id', 'raw', 'email_to', 'email_from');
    const settings = await gatewaySettings(this.env);
    for (const r of rows) {
      if (!r.raw) throw new UserError(_t(this.env, 'This message was routed: its raw text was not kept.'));
      await reprocessRaw(this.env, Buffer.from(r.raw), String(r.email_to || '').split(/,\s*/).filter(Boolean), settings);
      await this.env.cr('mail_gateway_message').where({ id: r.id }).delete();
    }
    return true;
  }
});
