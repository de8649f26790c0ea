/**
 * Loading a form's record into form values: the record (`read`) or its defaults
 * (`default_get`), the names of many2one defaults, and the rows of the x2many fields with
 * what their widgets show (tags: display_name; attachments: name/size; one2many: the
 * columns of the inline list, from the arch or the comodel's default list view).
 */
import { fieldNodes, fieldsToRead, inlineListView, parseArch, type ArchNode } from './arch.ts';
import { callKw } from './rpc.ts';
import { x2manyFromRecords, emptyX2Many, addRow, type X2ManyValue } from './x2many.ts';
import { widgetFor } from './widget-map.ts';
import { evalOptions } from './modifiers.ts';
import { normalizeFields } from './fields.ts';
import type { SubView } from './widgets/erp-field-one2many.ts';
import type { Context, FieldInfo, FieldsInfo, GetViewsResult, RecordValues } from './types.ts';

const defaultLists = new Map<string, Promise<SubView>>();

/** The comodel's default list view (asked once per model). */
function defaultList(model: string, context: Context): Promise<SubView> {
  let found = defaultLists.get(model);
  if (!found) {
    found = callKw<GetViewsResult>(model, 'get_views', [[[false, 'list']]], { options: {}, context }).then((r) => {
      const view = r.views.list ?? r.views.tree;
      if (!view) throw new Error(`No list view for ${model}`);
      return { arch: parseArch(view.arch), fields: normalizeFields(r.models[model] ?? {}) };
    });
    found.catch(() => defaultLists.delete(model));
    defaultLists.set(model, found);
  }
  return found;
}

/** Subviews of the one2many fields rendered as inline lists. */
export async function loadSubviews(arch: ArchNode, fields: FieldsInfo, models: Record<string, FieldsInfo>, context: Context): Promise<Map<string, SubView>> {
  const subviews = new Map<string, SubView>();
  await Promise.all(fieldNodes(arch).map(async (node) => {
    const field = fields[node.attrs.name];
    if (!field?.relation || widgetFor(field, node.attrs.widget) !== 'erp-field-one2many') return;
    const inline = inlineListView(node);
    subviews.set(field.name, inline ? { arch: inline, fields: models[field.relation] ?? (await defaultList(field.relation, context)).fields } : await defaultList(field.relation, context));
  }));
  return subviews;
}

/** Comodel fields an x2many widget shows. */
function x2manyReadFields(node: ArchNode, field: FieldInfo, subview: SubView | undefined): string[] {
  const tag = widgetFor(field, node.attrs.widget);
  if (tag === 'erp-field-attachments') return ['name', 'mimetype', 'file_size'];
  if (tag === 'erp-field-one2many' && subview) return [...new Set([...fieldsToRead(subview.arch, subview.fields), 'display_name'])];
  const color = evalOptions(node.attrs.options).color_field;
  return typeof color === 'string' ? ['display_name', color] : ['display_name'];
}

/** Names read for the form: its fields, the ones its modifiers use, display_name, followers. */
export function formReadFields(arch: ArchNode, fields: FieldsInfo, withChatter: boolean): string[] {
  const names = new Set(fieldsToRead(arch, fields));
  names.add('display_name');
  if (withChatter && fields.message_follower_ids) names.add('message_follower_ids');
  return [...names];
}

/** Turns ids (or default commands) of x2many fields into X2ManyValues with their rows read. */
export async function loadX2Many(values: RecordValues, arch: ArchNode, fields: FieldsInfo, subviews: Map<string, SubView>, context: Context): Promise<RecordValues> {
  const out: RecordValues = { ...values };
  await Promise.all(fieldNodes(arch).map(async (node) => {
    const field = fields[node.attrs.name];
    if (!field?.relation || (field.type !== 'one2many' && field.type !== 'many2many')) return;
    const raw = values[field.name];
    const ids: number[] = [];
    const created: RecordValues[] = [];
    for (const item of Array.isArray(raw) ? raw : []) {
      if (typeof item === 'number') ids.push(item);
      else if (Array.isArray(item) && item[0] === 6) ids.push(...(item[2] as number[]));
      else if (Array.isArray(item) && item[0] === 4) ids.push(item[1] as number);
      else if (Array.isArray(item) && item[0] === 0) created.push(item[2] as RecordValues);
    }
    let value: X2ManyValue = emptyX2Many();
    if (ids.length) {
      const rows = await callKw<RecordValues[]>(field.relation, 'read', [ids, x2manyReadFields(node, field, subviews.get(field.name))], { context });
      value = x2manyFromRecords(ids, rows);
    }
    for (const data of created) value = addRow(value, data);
    out[field.name] = value;
  }));
  return out;
}

/** Default values as form values: many2one ids get their display names. */
export async function defaultsToValues(defaults: RecordValues, fields: FieldsInfo, context: Context): Promise<RecordValues> {
  const values: RecordValues = { ...defaults };
  await Promise.all(Object.entries(defaults).map(async ([name, v]) => {
    const field = fields[name];
    if (field?.type === 'many2one' && typeof v === 'number' && field.relation) {
      const [rec] = await callKw<Array<{ display_name: string }>>(field.relation, 'read', [[v], ['display_name']], { context });
      values[name] = [v, rec?.display_name ?? String(v)];
    }
  }));
  return values;
}
