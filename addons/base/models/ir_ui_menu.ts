import { fields, langOf, model, translatedSql } from '../../../core/orm/index.ts';
import { hasModelAccess } from '../../../core/security/index.ts';
import { accessLines } from '../../../core/orm/access-cache.ts';

interface MenuNode {
  id: number | 'root';
  name: string;
  children: number[];
  action_id: number | false;
  action_model: string | false;
  xmlid: string;
  sequence: number;
  web_icon: string | false;
}

/** The menu tree; each user sees the menus of their groups whose actions they may open. */
export const IrUiMenu = model((Base) => class extends Base {
  static _name = 'ir.ui.menu';
  static _description = 'Menu';
  static _order = 'sequence, id';
  static _parent_name = 'parent_id';
  static fields = {
    name: fields.char({ string: 'Menu', required: true, translate: true }),
    parent_id: fields.many2one('ir.ui.menu', { string: 'Parent Menu', ondelete: 'cascade', index: true }),
    child_id: fields.one2many('ir.ui.menu', 'parent_id', { string: 'Child IDs' }),
    sequence: fields.integer({ string: 'Sequence', default: 10 }),
    action: fields.reference({ string: 'Action' }),
    groups_id: fields.many2many('res.groups', { string: 'Groups', relation: 'ir_ui_menu_group_rel', column1: 'menu_id', column2: 'gid' }),
    web_icon: fields.char({ string: 'Web Icon File' }),
    active: fields.boolean({ string: 'Active', default: true }),
  };
  static _rpc = { load_web_menus: 'model' as const };

  /** The visible menu tree of the current user, in the web client's format. */
  async load_web_menus(): Promise<Record<string, MenuNode>> {
    const env = this.env;
    const cr = env.cr;
    const groups = await env.groupIds();
    // Menu names are translated values (jsonb): read in the user's language.
    const menus = await cr('ir_ui_menu').where({ active: true }).orderBy([{ column: 'sequence' }, { column: 'id' }])
      .select('id', cr.raw(`${translatedSql('name', langOf(env))} AS name`), 'parent_id', 'sequence', 'action', 'web_icon');
    const menuGroups = await cr('ir_ui_menu_group_rel').select('menu_id', 'gid');
    const xmlids = await cr('ir_model_data').where({ model: 'ir.ui.menu' }).select('module', 'name', 'res_id');
    const lines = await accessLines(env);
    const actionModels = new Map<string, string>();
    const windowIds = menus.filter((m: any) => String(m.action ?? '').startsWith('ir.actions.act_window,')).map((m: any) => Number(m.action.split(',')[1]));
    if (windowIds.length) for (const a of await cr('ir_actions_act_window').whereIn('id', windowIds).select('id', 'res_model')) actionModels.set(`ir.actions.act_window,${a.id}`, a.res_model);
    const byMenu = new Map<number, number[]>();
    for (const r of menuGroups) byMenu.set(Number(r.menu_id), [...(byMenu.get(Number(r.menu_id)) ?? []), Number(r.gid)]);
    const su = env.su;
    const visible = new Map<number, any>();
    for (const m of menus) {
      const g = byMenu.get(Number(m.id)) ?? [];
      if (!su && g.length && !g.some((x) => groups.has(x))) continue;
      const resModel = m.action ? actionModels.get(m.action) : undefined;
      if (!su && resModel && !hasModelAccess(lines, resModel, 'read', groups)) continue;
      visible.set(Number(m.id), m);
    }
    // A menu is shown only if its parents are shown too.
    const shown = (id: number): boolean => {
      const m = visible.get(id);
      if (!m) return false;
      return m.parent_id === null || shown(Number(m.parent_id));
    };
    const out: Record<string, MenuNode> = {};
    const children = new Map<number | 'root', number[]>([['root', []]]);
    for (const [id, m] of visible) {
      if (!shown(id)) continue;
      const parent = m.parent_id === null ? 'root' : Number(m.parent_id);
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent)!.push(id);
      const x = xmlids.find((r: any) => Number(r.res_id) === id);
      const [actionModel, actionId] = m.action ? String(m.action).split(',') : [false, false];
      out[id] = { id, name: m.name ?? '', children: [], action_id: actionId ? Number(actionId) : false, action_model: (actionModel as string) || false, xmlid: x ? `${x.module}.${x.name}` : '', sequence: m.sequence, web_icon: m.web_icon ?? false };
    }
    for (const [parent, ids] of children) if (parent !== 'root' && out[parent]) out[parent].children = ids;
    // Folders without any action below them are hidden.
    const hasAction = (id: number): boolean => !!out[id] && (out[id].action_id !== false || out[id].children.some(hasAction));
    for (const id of Object.keys(out).map(Number)) if (!hasAction(id)) delete out[id];
    for (const node of Object.values(out)) node.children = node.children.filter((c) => out[c]);
    out.root = { id: 'root', name: 'root', children: (children.get('root') ?? []).filter((c) => out[c]), action_id: false, action_model: false, xmlid: '', sequence: 0, web_icon: false };
    return out;
  }
});
