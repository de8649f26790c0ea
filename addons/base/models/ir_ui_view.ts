import { err } from '../../../core/errors.ts';
import { fields, model, ValidationError, type Vals } from '../../../core/orm/index.ts';
import { parseXml } from '../../../core/views/inheritance.ts';

const VIEW_TYPES = [['list', 'List'], ['form', 'Form'], ['search', 'Search'], ['kanban', 'Kanban'], ['graph', 'Graph']] as const;

/** XML views; an extension view patches its parent (inherit_id) with XPath specs. */
export const IrUiView = model((Base) => class extends Base {
  static _name = 'ir.ui.view';
  static _description = 'View';
  static _order = 'priority, name, id';
  static fields = {
    name: fields.char({ string: 'View Name', required: true }),
    model: fields.char({ string: 'Model', index: true }),
    type: fields.selection(VIEW_TYPES, { string: 'View Type' }),
    arch: fields.text({ string: 'View Architecture' }),
    inherit_id: fields.many2one('ir.ui.view', { string: 'Inherited View', ondelete: 'restrict', index: true }),
    inherit_children_ids: fields.one2many('ir.ui.view', 'inherit_id', { string: 'Views which inherit from this one' }),
    priority: fields.integer({ string: 'Sequence', default: 16 }),
    mode: fields.selection([['primary', 'Base view'], ['extension', 'Extension View']], { string: 'View inheritance mode', default: 'primary' }),
    active: fields.boolean({ string: 'Active', default: true }),
    groups_id: fields.many2many('res.groups', { string: 'Groups', relation: 'ir_ui_view_group_rel', column1: 'view_id', column2: 'group_id' }),
  };

  async create(valsList: Vals | Vals[]) {
    const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => ({ ...v }));
    for (const vals of list) await this.completeVals(vals);
    return super.create(list);
  }
  async write(vals: Vals) {
    const v = { ...vals };
    if (v.arch !== undefined) await this.completeVals(v);
    return super.write(v);
  }

  /** Checks the arch is XML; fills type (from the root tag), mode and model from the parent. */
  private async completeVals(vals: Vals): Promise<void> {
    if (typeof vals.arch !== 'string') return;
    const root = parseXml(vals.arch).documentElement!;
    if (vals.inherit_id) {
      const parent = await this.env.cr('ir_ui_view').where({ id: vals.inherit_id }).first('model', 'type');
      if (!parent) throw err(ValidationError, 'Inherited view %s does not exist', vals.inherit_id);
      vals.model ??= parent.model;
      vals.type ??= parent.type;
      vals.mode ??= 'extension';
    } else {
      const tag = root.tagName === 'tree' ? 'list' : root.tagName;
      if (!VIEW_TYPES.some(([t]) => t === tag)) throw err(ValidationError, 'Invalid view: root element <%s> is not a view type', root.tagName);
      vals.type ??= tag;
    }
  }
});
