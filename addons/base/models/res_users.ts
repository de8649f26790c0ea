import { err } from '../../../core/errors.ts';
import { AccessDenied, fields, model, UserError, type Vals } from '../../../core/orm/index.ts';
import { hashPassword, verifyPassword } from '../../../core/security/index.ts';

/** Users: a login on top of a partner. Passwords are stored hashed and never read back. */
export const ResUsers = model((Base) => class extends Base {
  static _name = 'res.users';
  static _description = 'User';
  static _order = 'name, login';
  static _rec_names_search = ['name', 'login'];
  static fields = {
    name: fields.char({ string: 'Name', required: true }),
    login: fields.char({ string: 'Login', required: true, unique: true }),
    // Hashed on write; never read back, searched, sorted, grouped or exported (writeOnly).
    password: fields.char({ string: 'Password', copy: false, groups: 'base.group_system', writeOnly: true }),
    partner_id: fields.many2one('res.partner', { string: 'Related Partner', required: true, ondelete: 'restrict' }),
    email: fields.related('partner_id.email', { string: 'Email' }),
    groups_id: fields.many2many('res.groups', { string: 'Groups', relation: 'res_groups_users_rel', column1: 'uid', column2: 'gid' }),
    lang: fields.selection([['en_US', 'English'], ['es_ES', 'Spanish']], { string: 'Language', default: 'en_US' }),
    tz: fields.char({ string: 'Timezone', default: 'UTC' }),
    active: fields.boolean({ string: 'Active', default: true }),
    login_date: fields.datetime({ string: 'Latest Login', readonly: true }),
    signature: fields.html({ string: 'Signature' }),
  };
  static _rpc = {
    change_password: { kind: 'model' as const, params: ['old_passwd', 'new_passwd'] },
    preference_change_lang: { kind: 'model' as const, params: ['lang'] },
  };

  async create(valsList: Vals | Vals[]) {
    const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => ({ ...v }));
    for (const vals of list) {
      if (!vals.partner_id) {
        const partner = await this.env.model('res.partner').sudo().create({ name: vals.name ?? vals.login, email: vals.email ?? (String(vals.login ?? '').includes('@') ? vals.login : false) });
        vals.partner_id = partner.ids[0];
      }
      delete vals.email;
      if (typeof vals.password === 'string' && vals.password) vals.password = await hashPassword(vals.password);
    }
    const res = await super.create(list);
    this.env.invalidateGroups();
    return res;
  }

  async write(vals: Vals) {
    const v = { ...vals };
    if (typeof v.password === 'string' && v.password) v.password = await hashPassword(v.password);
    if ('email' in v) {
      const partners = await this.sudo().read(['partner_id']);
      await this.env.model('res.partner').sudo().browse(partners.map((p) => (p.partner_id as [number, string])[0])).write({ email: v.email });
      delete v.email;
    }
    const res = await super.write(v);
    if ('name' in v) {
      const partners = await this.sudo().read(['partner_id']);
      await this.env.model('res.partner').sudo().browse(partners.map((p) => (p.partner_id as [number, string])[0])).write({ name: v.name });
    }
    this.env.invalidateGroups();
    return res;
  }

  /** Checks a login/password pair; returns the user id or throws AccessDenied. */
  async _authenticate(login: string, password: string): Promise<number> {
    if (typeof login !== 'string' || typeof password !== 'string' || !login || !password) throw new AccessDenied();
    const row = await this.env.cr('res_users').where({ login, active: true }).first('id', 'password');
    if (!row || !(await verifyPassword(password, row.password))) throw new AccessDenied('Wrong login/password');
    await this.env.cr('res_users').where({ id: row.id }).update({ login_date: this.env.cr.fn.now() });
    return Number(row.id);
  }

  /** The current user changes their own password. */
  async change_password(old_passwd: string, new_passwd: string): Promise<boolean> {
    if (!new_passwd || String(new_passwd).length < 4) throw new UserError('The new password must have at least 4 characters.');
    const row = await this.env.cr('res_users').where({ id: this.env.uid }).first('password');
    if (!(await verifyPassword(String(old_passwd), row?.password))) throw new AccessDenied('The old password is wrong');
    await this.env.cr('res_users').where({ id: this.env.uid }).update({ password: await hashPassword(String(new_passwd)) });
    return true;
  }

  /** The current user picks their interface language. */
  async preference_change_lang(lang: string): Promise<boolean> {
    if (!['en_US', 'es_ES'].includes(lang)) throw err(UserError, "Unknown language '%s': expected en_US or es_ES", lang);
    await this.env.cr('res_users').where({ id: this.env.uid }).update({ lang });
    this.env.invalidateGroups(); // drops the cached user context (language included)
    return true;
  }
});
