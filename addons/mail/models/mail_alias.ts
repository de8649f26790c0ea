import { literalEval } from '../../../core/data/index.ts';
import { fields, model, ValidationError, type Environment, type Vals } from '../../../core/orm/index.ts';
import { mailDomain } from '../tools.ts';
import { _t } from '../../../core/i18n/index.ts';

export const ALIAS_CONTACTS = [
  ['everyone', 'Everyone'],
  ['partners', 'Authenticated Partners'],
  ['followers', 'Followers only'],
] as const;

/** Characters allowed in the local part of an alias (RFC 5322 atext plus dots). */
const ALIAS_RE = /^[a-z0-9!#$%&'*+\-/=?^_`{|}~]+(\.[a-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;

/** Parses `alias_defaults` (a Python dict literal such as "{'origin': 'email'}") into an object. */
export function parseAliasDefaults(env: Environment, text: unknown): Record<string, unknown> {
  if (text === false || text === null || text === undefined || String(text).trim() === '') return {};
  let value: unknown;
  try {
    value = literalEval(String(text));
  } catch (err) {
    throw new ValidationError(_t(env, 'Invalid default values of the alias: %s', (err as Error).message));
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(_t(env, "Invalid default values of the alias: expected a dictionary such as {'field': value}."));
  }
  return value as Record<string, unknown>;
}

/**
 * Mail aliases: `<alias_name>@<mail domain>` → a model. Inbound mail to an alias creates a
 * record of that model (`message_new`) with the alias defaults, or, with
 * `alias_force_thread_id`, is appended to that record (`message_update`).
 */
export const MailAlias = model((Base) => class extends Base {
  static _name = 'mail.alias';
  static _description = 'Email Aliases';
  static _order = 'alias_name';
  static _rec_name = 'alias_name';
  static fields = {
    alias_name: fields.char({ string: 'Alias Name', required: true, unique: true, help: 'The name of the email alias, e.g. "jobs" to catch emails for <jobs@example.com>' }),
    alias_model_id: fields.many2one('ir.model', { string: 'Aliased Model', required: true, ondelete: 'cascade', help: 'The model (document kind) to which this alias corresponds.' }),
    alias_defaults: fields.text({ string: 'Default Values', required: true, default: '{}', help: 'A Python dictionary evaluated to provide default values when creating new records for this alias.' }),
    alias_force_thread_id: fields.integer({ string: 'Record Thread ID', help: 'Optional ID of a thread (record) to which all incoming messages will be attached.' }),
    alias_contact: fields.selection(ALIAS_CONTACTS, { string: 'Alias Contact Security', required: true, default: 'everyone', help: 'Who may post on the document through this alias.' }),
    active: fields.boolean({ string: 'Active', default: true }),
  };

  async create(valsList: Vals | Vals[]) {
    const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => this._checkAliasVals({ ...v }));
    return super.create(list);
  }

  async write(vals: Vals) {
    return super.write(this._checkAliasVals({ ...vals }));
  }

  /** Lower-cases and checks the alias name; checks that the defaults are a dictionary. */
  _checkAliasVals(vals: Vals): Vals {
    if ('alias_name' in vals && vals.alias_name) {
      const name = String(vals.alias_name).trim().toLowerCase();
      if (!ALIAS_RE.test(name)) throw new ValidationError(_t(this.env, "Invalid alias name '%s': use letters, digits, dots, dashes and underscores, without '@' or spaces.", String(vals.alias_name)));
      vals.alias_name = name;
    }
    if ('alias_defaults' in vals) parseAliasDefaults(this.env, vals.alias_defaults);
    return vals;
  }

  /** `name@domain`. */
  async _displayNames(): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (!this.ids.length) return out;
    const domain = await mailDomain(this.env);
    for (const r of await this.env.cr('mail_alias').whereIn('id', this.ids).select('id', 'alias_name')) out.set(Number(r.id), `${r.alias_name}@${domain}`);
    return out;
  }

  /** The alias defaults of this alias as an object. */
  async _aliasDefaults(): Promise<Record<string, unknown>> {
    this.ensureOne();
    const row = await this.env.cr('mail_alias').where({ id: this.ids[0] }).first('alias_defaults');
    return parseAliasDefaults(this.env, row?.alias_defaults);
  }
});
