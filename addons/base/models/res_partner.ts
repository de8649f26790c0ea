import { fields, model } from '../../../core/orm/index.ts';

export const ResPartner = model((Base) => class extends Base {
  static _name = 'res.partner';
  static _description = 'Contact';
  static _order = 'name, id';
  static _rec_names_search = ['name', 'email'];
  /**
   * Partners are found by address case-insensitively (`lower(trim(email)) = ?`: inbound mail,
   * imports); a plain index on email would serve no search (name_search is ilike).
   */
  static _indexes = { email_ci_idx: '(lower(btrim(email)))' };
  static fields = {
    name: fields.char({ string: 'Name', required: true, index: true }),
    email: fields.char({ string: 'Email' }),
    phone: fields.char({ string: 'Phone' }),
    mobile: fields.char({ string: 'Mobile' }),
    street: fields.char({ string: 'Street' }),
    city: fields.char({ string: 'City' }),
    zip: fields.char({ string: 'Zip' }),
    country: fields.char({ string: 'Country' }),
    function: fields.char({ string: 'Job Position' }),
    is_company: fields.boolean({ string: 'Is a Company', default: false }),
    parent_id: fields.many2one('res.partner', { string: 'Company', index: 'btree_not_null' }),
    child_ids: fields.one2many('res.partner', 'parent_id', { string: 'Contacts' }),
    company_name: fields.char({ string: 'Company Name' }),
    lang: fields.selection([['en_US', 'English'], ['es_ES', 'Spanish']], { string: 'Language', default: 'en_US' }),
    comment: fields.text({ string: 'Notes' }),
    active: fields.boolean({ string: 'Active', default: true }),
    user_ids: fields.one2many('res.users', 'partner_id', { string: 'Users' }),
  };
});
