import { fields, model, UserError, type Vals } from '../../../core/orm/index.ts';
import { _t } from '../../../core/i18n/index.ts';

/**
 * Files of a ticket cannot be changed or deleted by anyone but sudo (SPEC 4.3: attachments
 * are immutable once the ticket exists). Re-linking a file to the ticket it already belongs
 * to (what posting it in the chatter does) is allowed.
 *
 * `attached_message_ids` (the other side of mail.message.attachment_ids) lets the record
 * rule of helpdesk users hide the files of internal notes (security/helpdesk_rules.xml).
 */
export const IrAttachment = model((Base) => class extends Base {
  static _inherit = 'ir.attachment';
  static fields = {
    attached_message_ids: fields.many2many('mail.message', { string: 'Messages', relation: 'message_attachment_rel', column1: 'attachment_id', column2: 'message_id', copy: false }),
  };

  async write(vals: Vals) {
    if (!this.env.su && vals && typeof vals === 'object' && this.ids.length) await this._checkTicketFiles('write', vals);
    return super.write(vals);
  }

  async unlink() {
    if (!this.env.su && this.ids.length) await this._checkTicketFiles('unlink', null);
    return super.unlink();
  }

  async _checkTicketFiles(mode: 'write' | 'unlink', vals: Vals | null): Promise<void> {
    // Access first: the message below names the file, which only a reader may learn.
    await this.check_access_rights(mode);
    await this.checkAccessRule('read');
    const rows = await this.env.cr('ir_attachment').whereIn('id', this.ids).where('res_model', 'helpdesk.ticket').whereNotNull('res_id').select('id', 'name', 'res_id');
    for (const r of rows) {
      const relinkOnly = mode === 'write' && vals && Object.keys(vals).every((k) => k === 'res_model' || k === 'res_id')
        && (vals.res_model === undefined || vals.res_model === 'helpdesk.ticket') && (vals.res_id === undefined || Number(vals.res_id) === Number(r.res_id));
      if (!relinkOnly) throw new UserError(_t(this.env, 'The file "%s" belongs to a ticket and cannot be changed or deleted.', r.name));
    }
  }
});
