import { fields, model, ValidationError, type Vals } from '../../../core/orm/index.ts';
import { literalEval } from '../../../core/data/index.ts';
import { _t } from '../../../core/i18n/index.ts';

/**
 * Saved searches ("favorites") of the web client, as Odoo's `ir.filters`: a name, the
 * search's `domain` and `context` (group-bys) as Python literals, for one model and
 * optionally one action; personal (`user_id` set) or shared with everyone (`user_id` empty).
 * Who sees and changes what is decided by record rules (security/base_rules.xml): everyone
 * reads the shared filters and their own; each writes and deletes their own (a shared one
 * belongs to whoever created it); Settings administrators manage all.
 * `is_default` marks the one filter applied when the action opens: at most one per user,
 * model and action, and one shared one.
 */
export const IrFilters = model((Base) => class extends Base {
  static _name = 'ir.filters';
  static _description = 'Filters';
  static _order = 'model_id, name, id desc';
  static fields = {
    name: fields.char({ string: 'Filter Name', required: true }),
    user_id: fields.many2one('res.users', {
      string: 'User', ondelete: 'cascade', default: (env: any) => (env.uid === 1 ? false : env.uid),
      help: 'The user this filter is private to. When left empty the filter is public and available to all users.',
    }),
    model_id: fields.char({ string: 'Model', required: true, index: true }),
    domain: fields.text({ string: 'Domain', required: true, default: '[]' }),
    context: fields.text({ string: 'Context', required: true, default: '{}' }),
    sort: fields.char({ string: 'Sort', required: true, default: '[]' }),
    is_default: fields.boolean({ string: 'Default Filter', default: false }),
    action_id: fields.many2one('ir.actions.act_window', { string: 'Action', ondelete: 'cascade', help: 'The menu action this filter applies to. When left empty the filter applies to all menus for this model.' }),
    active: fields.boolean({ string: 'Active', default: true }),
  };
  static _rpc = { get_filters: { kind: 'model' as const, params: ['model', 'action_id'], readonly: true } };

  /** The shared filters and the caller's own for `model` (and `action_id`, or any action), defaults first. */
  async get_filters(modelName: unknown, actionId?: unknown): Promise<unknown[]> {
    if (typeof modelName !== 'string' || !modelName) throw new ValidationError(_t(this.env, 'get_filters expects a model name, got %s', JSON.stringify(modelName ?? null)));
    const action = typeof actionId === 'number' && actionId > 0 ? actionId : false;
    const domain: unknown[] = [['model_id', '=', modelName], '|', ['user_id', '=', false], ['user_id', '=', this.env.uid]];
    domain.push(...(action ? ['|', ['action_id', '=', false], ['action_id', '=', action]] : [['action_id', '=', false]]));
    const rows = await this.search_read(domain as never, ['name', 'is_default', 'domain', 'context', 'sort', 'user_id', 'action_id', 'create_uid'], 0, null, 'name, id desc');
    // Defaults first (in SQL, `is_default desc` would put the never-set NULLs first).
    return [...rows.filter((r) => r.is_default), ...rows.filter((r) => !r.is_default)];
  }

  async create(valsList: Vals | Vals[]) {
    const list = Array.isArray(valsList) ? valsList : [valsList];
    for (const vals of list) this._checkValues(vals);
    const records = await super.create(list);
    for (const id of records.ids) await records.browse(id)._uniqueDefault();
    return records;
  }

  async write(vals: Vals) {
    this._checkValues(vals);
    const result = await super.write(vals);
    // A filter cannot be handed to someone else: the record rules must still hold afterwards.
    await this.checkAccessRule('write');
    if (vals.is_default || 'user_id' in vals || 'model_id' in vals || 'action_id' in vals) for (const id of this.ids) await this.browse(id)._uniqueDefault();
    return result;
  }

  /** `domain` must be a Python list, `context` a dict, `model_id` a known model. */
  _checkValues(vals: Vals): void {
    if ('model_id' in vals && (typeof vals.model_id !== 'string' || !this.env.registry.has(vals.model_id))) {
      throw new ValidationError(_t(this.env, "Invalid model '%s' for a filter.", String(vals.model_id ?? '')));
    }
    const literal = (name: 'domain' | 'context', kind: 'list' | 'dict') => {
      if (!(name in vals)) return;
      let value: unknown;
      try {
        value = literalEval(String(vals[name] ?? ''));
      } catch (err) {
        throw new ValidationError(_t(this.env, 'The filter %s is not a valid Python literal: %s', name, (err as Error).message));
      }
      const ok = kind === 'list' ? Array.isArray(value) : !!value && typeof value === 'object' && !Array.isArray(value);
      if (ok) return;
      if (kind === 'list') throw new ValidationError(_t(this.env, 'The filter %s must be a list, got %s', name, String(vals[name])));
      throw new ValidationError(_t(this.env, 'The filter %s must be a dictionary, got %s', name, String(vals[name])));
    };
    literal('domain', 'list');
    literal('context', 'dict');
  }

  /**
   * At most one default per (user, model, action): a personal default replaces the user's
   * previous one; a second shared default is refused (it would change what others see).
   */
  async _uniqueDefault(): Promise<void> {
    const [rec] = await this.sudo().read(['is_default', 'user_id', 'model_id', 'action_id']);
    if (!rec?.is_default) return;
    const user = Array.isArray(rec.user_id) ? rec.user_id[0] : false;
    const action = Array.isArray(rec.action_id) ? rec.action_id[0] : false;
    const others = await this.sudo().search([['id', '!=', this.ids[0]], ['is_default', '=', true], ['model_id', '=', rec.model_id], ['action_id', '=', action], ['user_id', '=', user]] as never);
    if (!others.length) return;
    if (!user) throw new ValidationError(_t(this.env, 'There is already a shared default filter for this model and action: unset it first.'));
    await others.write({ is_default: false });
  }
});
