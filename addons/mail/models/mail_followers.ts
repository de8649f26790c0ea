import { fields, model, ValidationError, type Vals } from '../../../core/orm/index.ts';
import { _t } from '../../../core/i18n/index.ts';

/**
 * Who follows which document: one row per (res_model, res_id, partner_id), unique (a
 * database index created at install, see the addon's onInstall). Visible when the document
 * is; people subscribe through `mail.thread.message_subscribe`.
 */
export const MailFollowers = model((Base) => class extends Base {
  static _name = 'mail.followers';
  static _description = 'Document Followers';
  static _rec_name = 'partner_id';
  static _document_link = ['res_model', 'res_id'];
  static fields = {
    // No index of their own: the unique (res_model, res_id, partner_id) serves the searches.
    res_model: fields.char({ string: 'Related Document Model Name', required: true }),
    res_id: fields.integer({ string: 'Related Document ID', required: true }),
    partner_id: fields.many2one('res.partner', { string: 'Related Partner', required: true, ondelete: 'cascade' }),
    name: fields.related('partner_id.name', { string: 'Name' }),
    email: fields.related('partner_id.email', { string: 'Email' }),
  };

  async create(valsList: Vals | Vals[]) {
    const list = Array.isArray(valsList) ? valsList : [valsList];
    for (const vals of list) {
      if (typeof vals.res_model !== 'string' || !this.env.registry.has(vals.res_model)) {
        throw new ValidationError(_t(this.env, "Invalid document model '%s' for a follower.", String(vals.res_model ?? '')));
      }
    }
    return super.create(list);
  }

  async _displayNames(): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (!this.ids.length) return out;
    const rows = await this.env.cr('mail_followers as f').join('res_partner as p', 'p.id', 'f.partner_id').whereIn('f.id', this.ids).select('f.id', 'p.name');
    for (const r of rows) out.set(Number(r.id), r.name ?? '');
    return out;
  }
});
