/**
 * get_views: the arch of each requested view type for a model as the current user sees it —
 * the primary view (given or of lowest priority), every active extension view applied in
 * priority order (recursively), nodes whose `groups` the user lacks removed, labels
 * and text translated — plus field descriptions of the model and of inline x2many comodels.
 * A model without a view of some type gets a generated default, as in Odoo.
 */
import { ValidationError, err } from '../errors.ts';
import type { Model } from '../orm/model.ts';
import { userGroupXmlids } from '../orm/access-cache.ts';
import { visibleFields } from '../orm/field-access.ts';
import type { ModelClass } from '../orm/model.ts';
import { hasFieldGroups } from '../security/index.ts';
import type { Document, Element } from '@xmldom/xmldom';
import { applyInheritance, parseXml, serializeXml } from './inheritance.ts';

const VIEW_TYPES = new Set(['list', 'form', 'search', 'kanban', 'graph']);
const TRANSLATED_ATTRS = ['string', 'help', 'placeholder', 'confirm', 'sum', 'title'];

interface ViewRow { id: number; name: string; arch: string; inherit_id: number | null; priority: number; type: string }

export async function getViews(records: Model, views: Array<[number | false, string]>, _options: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  if (!Array.isArray(views)) throw new ValidationError('get_views expects a list of [view_id, view_type] pairs');
  const env = records.env;
  const sudo = env.sudo();
  const isMember = env.su ? () => true : await userGroupXmlids(env);
  const groupIds = await env.groupIds();
  const out: Record<string, unknown> = {};
  const comodels = new Set<string>();
  for (const pair of views) {
    if (!Array.isArray(pair) || pair.length !== 2) throw err(ValidationError, 'Invalid view specification %s: expected [view_id, view_type]', JSON.stringify(pair));
    const type = pair[1] === 'tree' ? 'list' : pair[1];
    if (!VIEW_TYPES.has(type)) throw err(ValidationError, "Invalid view type '%s'", pair[1]);
    const view = await findPrimary(records, type, pair[0] || null);
    let arch = view ? view.arch : defaultArch(records, type);
    if (view) arch = await applyExtensions(sudo.cr, view, arch, groupIds);
    const doc = parseXml(arch);
    const root = doc.documentElement!;
    if (root.tagName === 'tree') renameRoot(doc, 'list');
    filterAndTranslate(doc.documentElement!, isMember, (s) => env.registry.translate(env.lang, s));
    await removeHiddenFields(records, records.constructor as ModelClass, doc.documentElement!);
    collectComodels(records, doc.documentElement!, comodels);
    out[type] = { id: view?.id ?? false, arch: serializeXml(doc), model: records._meta.name };
  }
  const models: Record<string, unknown> = { [records._meta.name]: await records.fields_get() };
  for (const name of comodels) {
    const co = env.model(name);
    if (await co.check_access_rights('read', false)) models[name] = await co.fields_get();
  }
  return { views: out, models };
}

async function findPrimary(records: Model, type: string, id: number | null): Promise<ViewRow | null> {
  const cr = records.env.cr;
  const q = cr('ir_ui_view').select('id', 'name', 'arch', 'inherit_id', 'priority', 'type');
  if (id) {
    const row = await q.where({ id }).first();
    if (!row) throw err(ValidationError, 'View %s does not exist', id);
    if (row.inherit_id) return { ...row, arch: await resolvePrimaryArch(cr, row) };
    return row;
  }
  const row = await q.where({ model: records._meta.name, type, active: true, mode: 'primary' }).orderBy([{ column: 'priority' }, { column: 'id' }]).first();
  if (!row) return null;
  if (row.inherit_id) return { ...row, arch: await resolvePrimaryArch(cr, row) };
  return row;
}

/** A primary view that inherits another starts from its parent's arch. */
async function resolvePrimaryArch(cr: any, row: ViewRow): Promise<string> {
  const parent = await cr('ir_ui_view').where({ id: row.inherit_id }).first('id', 'name', 'arch', 'inherit_id', 'priority', 'type');
  const base = parent.inherit_id ? await resolvePrimaryArch(cr, parent) : parent.arch;
  return applyInheritance(base, row.arch, { viewName: row.name });
}

async function applyExtensions(cr: any, view: ViewRow, arch: string, groupIds: Set<number>): Promise<string> {
  const children: ViewRow[] = await cr('ir_ui_view')
    .where({ inherit_id: view.id, active: true, mode: 'extension' })
    .orderBy([{ column: 'priority' }, { column: 'id' }])
    .select('id', 'name', 'arch', 'inherit_id', 'priority', 'type');
  for (const child of children) {
    const groups = (await cr('ir_ui_view_group_rel').where({ view_id: child.id }).select('group_id')).map((r: any) => Number(r.group_id));
    if (groups.length && !groups.some((g: number) => groupIds.has(g))) continue;
    arch = applyInheritance(arch, child.arch, { viewName: child.name });
    arch = await applyExtensions(cr, child, arch, groupIds);
  }
  return arch;
}

function renameRoot(doc: Document, tag: string): void {
  const old = doc.documentElement!;
  const fresh = doc.createElement(tag);
  for (const attr of Array.from(old.attributes)) fresh.setAttribute(attr.name, attr.value);
  while (old.firstChild) fresh.appendChild(old.firstChild);
  doc.replaceChild(fresh, old);
}

function filterAndTranslate(el: Element, isMember: (x: string) => boolean, t: (s: string) => string): void {
  for (const child of Array.from(el.childNodes)) {
    if (child.nodeType === 3) {
      // A text node (a form's <p>, <span>, <div> help text) is a term too, as in Odoo; its
      // surrounding whitespace stays.
      const text = child.nodeValue ?? '';
      const term = text.trim();
      if (term) child.nodeValue = text.replace(term, () => t(term));
      continue;
    }
    if (child.nodeType !== 1) continue;
    const c = child as Element;
    const groups = c.getAttribute('groups');
    if (groups && !hasFieldGroups(groups, isMember)) { el.removeChild(c); continue; }
    if (groups) c.removeAttribute('groups');
    for (const attr of TRANSLATED_ATTRS) {
      const v = c.getAttribute(attr);
      if (v) c.setAttribute(attr, t(v));
    }
    filterAndTranslate(c, isMember, t);
  }
  for (const attr of TRANSLATED_ATTRS) {
    const v = el.getAttribute(attr);
    if (v) el.setAttribute(attr, t(v));
  }
}

/**
 * Removes `<field>` nodes of fields the user may not see (their `groups`, field-access.ts),
 * as Odoo does: the client never learns of them. Subviews inside x2many fields are filtered
 * with their comodel's fields.
 */
async function removeHiddenFields(records: Model, model: ModelClass, el: Element, seen = new Map<string, Set<string>>()): Promise<void> {
  let visible = seen.get(model._meta.name);
  if (!visible) seen.set(model._meta.name, (visible = new Set((await visibleFields(records.env, model)).map((f) => f.name))));
  for (const child of Array.from(el.childNodes)) {
    if (child.nodeType !== 1) continue;
    const c = child as Element;
    if (c.tagName === 'field') {
      const field = model._meta.fields.get(c.getAttribute('name') ?? '');
      if (field && !visible.has(field.name)) { el.removeChild(c); continue; }
      const comodel = field?.comodel && (field.type === 'one2many' || field.type === 'many2many') ? model._registry.get(field.comodel) : undefined;
      if (comodel) await removeHiddenFields(records, comodel, c, seen);
      continue;
    }
    await removeHiddenFields(records, model, c, seen);
  }
}

function collectComodels(records: Model, root: Element, out: Set<string>): void {
  const fields = records._meta.fields;
  const walk = (el: Element) => {
    for (const child of Array.from(el.childNodes)) {
      if (child.nodeType !== 1) continue;
      const c = child as Element;
      if (c.tagName === 'field') {
        const f = fields.get(c.getAttribute('name') ?? '');
        if (f && (f.type === 'one2many' || f.type === 'many2many')) out.add(f.comodel!);
        continue; // subviews inside x2many fields belong to the comodel
      }
      walk(c);
    }
  };
  walk(root);
}

/** Odoo's default views when a model ships none. */
function defaultArch(records: Model, type: string): string {
  const meta = records._meta;
  const rec = meta.recName ?? 'id';
  const visible = [...meta.fields.values()].filter((f) => !f.automatic && f.name !== 'display_name' && f.type !== 'binary');
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  switch (type) {
    case 'list': return `<list string="${esc(meta.description)}"><field name="${rec}"/></list>`;
    case 'form': return `<form string="${esc(meta.description)}"><sheet><group>${visible.map((f) => `<field name="${f.name}"/>`).join('')}</group></sheet></form>`;
    case 'search': return `<search><field name="${rec}"/></search>`;
    case 'kanban': return `<kanban><templates><t t-name="card"><field name="${rec}"/></t></templates></kanban>`;
    case 'graph': return `<graph><field name="${rec}"/></graph>`;
  }
  throw err(ValidationError, "Invalid view type '%s'", type);
}
