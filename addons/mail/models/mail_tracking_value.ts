import { fields, model, type Vals } from '../../../core/orm/index.ts';

/**
 * One tracked field change of a message: the field, its label, and the old and new values
 * as shown to people (selection labels, record names). A tracking value is readable when its
 * message is: it is linked to the message as its "document" (res_model = 'mail.message').
 */
export const MailTrackingValue = model((Base) => class extends Base {
  static _name = 'mail.tracking.value';
  static _description = 'Mail Tracking Value';
  static _order = 'id';
  static _rec_name = 'field_desc';
  static _document_link = ['res_model', 'res_id'];
  static fields = {
    field: fields.char({ string: 'Changed Field', required: true }),
    field_desc: fields.char({ string: 'Field Description', required: true }),
    field_type: fields.char({ string: 'Field Type' }),
    old_value_char: fields.char({ string: 'Old Value' }),
    new_value_char: fields.char({ string: 'New Value' }),
    old_value_integer: fields.integer({ string: 'Old Value Integer' }),
    new_value_integer: fields.integer({ string: 'New Value Integer' }),
    mail_message_id: fields.many2one('mail.message', { string: 'Message ID', required: true, index: true, ondelete: 'cascade' }),
    res_model: fields.char({ string: 'Linked Model', readonly: true, default: 'mail.message' }),
    res_id: fields.integer({ string: 'Linked Message', readonly: true, index: true }),
  };

  async create(valsList: Vals | Vals[]) {
    const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => {
      const msg = Array.isArray(v.mail_message_id) ? v.mail_message_id[0] : v.mail_message_id;
      return { ...v, res_model: 'mail.message', res_id: msg ?? false };
    });
    return super.create(list);
  }

  async write(vals: Vals) {
    const v = { ...vals };
    if ('mail_message_id' in v) v.res_id = Array.isArray(v.mail_message_id) ? v.mail_message_id[0] : v.mail_message_id;
    delete v.res_model;
    return super.write(v);
  }
});
