import { err } from '../../../core/errors.ts';
import { evaluate } from '../../../core/data/literal-eval.ts';
import { fields, model, ValidationError } from '../../../core/orm/index.ts';

/** Window actions: open a model in some views with a domain and a context. */
export const IrActionsActWindow = model((Base) => class extends Base {
  static _name = 'ir.actions.act_window';
  static _description = 'Action Window';
  static _order = 'name, id';
  static fields = {
    name: fields.char({ string: 'Action Name', required: true, translate: true }),
    type: fields.char({ string: 'Action Type', default: 'ir.actions.act_window' }),
    res_model: fields.char({ string: 'Destination Model', required: true }),
    view_mode: fields.char({ string: 'View Mode', default: 'list,form' }),
    view_id: fields.many2one('ir.ui.view', { string: 'View Ref.', ondelete: 'set null' }),
    search_view_id: fields.many2one('ir.ui.view', { string: 'Search View Ref.', ondelete: 'set null' }),
    domain: fields.char({ string: 'Domain Value' }),
    context: fields.char({ string: 'Context Value', default: '{}' }),
    target: fields.selection([['current', 'Current Window'], ['new', 'New Window'], ['fullscreen', 'Full Screen'], ['main', 'Main action of Current Window']], { string: 'Target Window', default: 'current' }),
    res_id: fields.integer({ string: 'Record ID' }),
    limit: fields.integer({ string: 'Limit', default: 80 }),
    help: fields.html({ string: 'Action Description', translate: true }),
    groups_id: fields.many2many('res.groups', { string: 'Groups', relation: 'ir_act_window_group_rel', column1: 'act_id', column2: 'gid' }),
  };

  /** The action as the web client loads it (views list, parsed domain and context). */
  async _forClient(): Promise<Record<string, unknown>> {
    this.ensureOne();
    const [a] = await this.read(['name', 'type', 'res_model', 'view_mode', 'view_id', 'search_view_id', 'domain', 'context', 'target', 'res_id', 'limit', 'help']);
    if (!this.env.registry.has(a.res_model as string)) throw err(ValidationError, "Action '%s' opens unknown model '%s'", a.name, a.res_model);
    const modes = String(a.view_mode || 'list').split(',').map((s) => s.trim()).filter(Boolean).map((m) => (m === 'tree' ? 'list' : m));
    const viewId = Array.isArray(a.view_id) ? a.view_id[0] : false;
    const viewType = viewId ? (await this.env.cr('ir_ui_view').where({ id: viewId }).first('type'))?.type : null;
    const views = modes.map((m) => [m === viewType ? viewId : false, m]);
    const parse = (s: unknown, fallback: unknown) => {
      if (!s || typeof s !== 'string') return fallback;
      try { return evaluate(s, { uid: this.env.uid, context: {}, active_id: false }); } catch { return s; }
    };
    return {
      id: a.id, type: 'ir.actions.act_window', name: this.env.registry.translate(this.env.lang, a.name as string), res_model: a.res_model, view_mode: modes.join(','), views,
      domain: parse(a.domain, []), context: parse(a.context, {}), target: a.target || 'current', res_id: a.res_id || false,
      search_view_id: a.search_view_id || false, limit: a.limit || 80, help: a.help || false,
    };
  }
});

/** URL actions: open a link. */
export const IrActionsActUrl = model((Base) => class extends Base {
  static _name = 'ir.actions.act_url';
  static _description = 'Action URL';
  static fields = {
    name: fields.char({ string: 'Action Name', required: true, translate: true }),
    type: fields.char({ string: 'Action Type', default: 'ir.actions.act_url' }),
    url: fields.text({ string: 'Action URL', required: true }),
    target: fields.selection([['new', 'New Window'], ['self', 'This Window']], { string: 'Action Target', default: 'new' }),
  };
});
