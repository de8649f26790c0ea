/**
 * Loads Odoo-format XML data files: `<odoo>` / `<data noupdate>` holding `<record>`,
 * `<menuitem>`, `<delete>` and `<function>` elements, dispatched through a tag → handler
 * table. `eval=` goes through the Python-literal evaluator (with `ref()`), never JS eval.
 * Every failure names the file, the line and the record id.
 */
import { readFile } from 'node:fs/promises';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { evaluate } from './literal-eval.ts';
import { AddonError, ErpError } from '../errors.ts';
import type { Environment } from '../orm/environment.ts';
import { qualify, resolveXmlid, upsertRecord, type LoadMode } from './xml-ids.ts';

type Handler = (ctx: LoadContext, el: Element, noupdate: boolean) => Promise<void>;
interface LoadContext {
  env: Environment;
  mode: LoadMode;
  file: string;
}

const ELEMENT = 1;
const children = (el: Element) => Array.from(el.childNodes).filter((n) => n.nodeType === ELEMENT) as Element[];

export async function loadXmlFile(env: Environment, file: string, mode: LoadMode): Promise<void> {
  const text = await readFile(file, 'utf8');
  const errors: string[] = [];
  let doc: ReturnType<DOMParser['parseFromString']>;
  try {
    doc = new DOMParser({
      onError: (level: string, msg: string) => { if (level !== 'warning') errors.push(msg); },
    } as any).parseFromString(text, 'text/xml');
  } catch (err) {
    const loc = (err as any).locator;
    throw new AddonError(`${file}${loc ? `:${loc.lineNumber}` : ''}: malformed XML: ${(err as Error).message}`);
  }
  if (errors.length || !doc.documentElement) throw new AddonError(`${file}: malformed XML: ${errors[0] ?? 'no root element'}`);
  const root = doc.documentElement as unknown as Element;
  if (root.tagName !== 'odoo' && root.tagName !== 'openerp') throw new AddonError(`${file}:${line(root)}: root element must be <odoo>, got <${root.tagName}>`);
  const ctx: LoadContext = { env, mode, file };
  await loadChildren(ctx, root, root.getAttribute('noupdate') === '1' || root.getAttribute('noupdate') === 'True');
}

async function loadChildren(ctx: LoadContext, parent: Element, noupdate: boolean): Promise<void> {
  for (const el of children(parent)) {
    if (el.tagName === 'data') {
      const nu = el.getAttribute('noupdate');
      await loadChildren(ctx, el, nu === null ? noupdate : nu === '1' || nu === 'True');
      continue;
    }
    const handler = HANDLERS[el.tagName];
    if (!handler) throw new AddonError(`${ctx.file}:${line(el)}: unknown element <${el.tagName}>`);
    try {
      await handler(ctx, el, noupdate);
    } catch (err) {
      if (err instanceof AddonError && String(err.message).startsWith(ctx.file)) throw err;
      const id = el.getAttribute('id');
      throw new AddonError(`${ctx.file}:${line(el)}: <${el.tagName}${id ? ` id="${id}"` : ''}>: ${(err as Error).message}`);
    }
  }
}

function line(el: Element): number | string {
  return (el as any).lineNumber ?? '?';
}

/** Scope for eval=: ref('x') resolved beforehand (refs are async, evaluation is not). */
async function evalScope(ctx: LoadContext, expr: string): Promise<Record<string, unknown>> {
  const refs = new Map<string, number>();
  for (const m of expr.matchAll(/ref\(\s*['"]([^'"]+)['"]\s*\)/g)) refs.set(m[1], await resolveXmlid(ctx.env, m[1], ctx.mode.module));
  return {
    ref: (x: string) => {
      if (!refs.has(x)) throw new AddonError(`External ID not found: ${x}`);
      return refs.get(x);
    },
    uid: ctx.env.uid,
  };
}

async function fieldValue(ctx: LoadContext, model: string, field: Element): Promise<unknown> {
  const name = field.getAttribute('name')!;
  const fieldDef = ctx.env.registry.get(model)?._meta.fields.get(name);
  if (!fieldDef) throw new AddonError(`model '${model}' has no field '${name}'`);
  const ref = field.getAttribute('ref');
  if (ref) {
    const id = await resolveXmlid(ctx.env, ref, ctx.mode.module);
    if (fieldDef.type === 'reference') {
      const found = await ctx.env.xmlidLookup(qualify(ref, ctx.mode.module));
      return `${found!.model},${id}`;
    }
    return fieldDef.type === 'many2many' || fieldDef.type === 'one2many' ? [[6, 0, [id]]] : id;
  }
  const ev = field.getAttribute('eval');
  if (ev !== null) return evaluate(ev, await evalScope(ctx, ev));
  const search = field.getAttribute('search');
  if (search) {
    const domain = evaluate(search, await evalScope(ctx, search)) as unknown[];
    const found = await ctx.env.model(fieldDef.comodel!).search(domain, 0, 1);
    return found.ids[0] ?? false;
  }
  const type = field.getAttribute('type');
  if (type === 'xml' || type === 'html') {
    const ser = new XMLSerializer();
    return children(field).map((c) => ser.serializeToString(c as any)).join('\n');
  }
  const text = field.textContent ?? '';
  switch (fieldDef.type) {
    case 'integer': return text.trim() === '' ? 0 : Number(text.trim());
    case 'float': case 'monetary': return text.trim() === '' ? 0 : Number(text.trim());
    case 'boolean': return ['1', 'true', 'True'].includes(text.trim());
    case 'many2one': return text.trim() ? await resolveXmlid(ctx.env, text.trim(), ctx.mode.module) : false;
    default: return text;
  }
}

const recordHandler: Handler = async (ctx, el, noupdate) => {
  const model = el.getAttribute('model');
  if (!model) throw new AddonError('<record> needs a model attribute');
  if (!ctx.env.registry.has(model)) throw new AddonError(`unknown model '${model}'`);
  const vals: Record<string, unknown> = {};
  for (const f of children(el)) {
    if (f.tagName !== 'field') throw new AddonError(`unexpected <${f.tagName}> inside <record> (line ${line(f)})`);
    if (!f.getAttribute('name')) throw new AddonError(`<field> without name (line ${line(f)})`);
    try {
      vals[f.getAttribute('name')!] = await fieldValue(ctx, model, f);
    } catch (err) {
      throw new AddonError(`field '${f.getAttribute('name')}' (line ${line(f)}): ${(err as Error).message}`);
    }
  }
  const forcecreate = el.getAttribute('forcecreate');
  const id = el.getAttribute('id');
  if (id && forcecreate === '0' && ctx.mode.isUpdate && !(await ctx.env.xmlidLookup(qualify(id, ctx.mode.module)))) return;
  await upsertRecord(ctx.env, model, id, vals, { ...ctx.mode, noupdate });
};

const menuHandler: Handler = async (ctx, el, noupdate) => {
  await loadMenu(ctx, el, noupdate, null);
};

async function loadMenu(ctx: LoadContext, el: Element, noupdate: boolean, parentId: number | null): Promise<void> {
  const id = el.getAttribute('id');
  if (!id) throw new AddonError('<menuitem> needs an id');
  const vals: Record<string, unknown> = {};
  const parent = el.getAttribute('parent');
  if (parent) vals.parent_id = await resolveXmlid(ctx.env, parent, ctx.mode.module);
  else if (parentId) vals.parent_id = parentId;
  const action = el.getAttribute('action');
  if (action) {
    const found = await ctx.env.xmlidLookup(qualify(action, ctx.mode.module));
    if (!found) throw new AddonError(`External ID not found: ${qualify(action, ctx.mode.module)}`);
    vals.action = `${found.model},${found.id}`;
  }
  const name = el.getAttribute('name');
  if (name) vals.name = name;
  else if (!(await ctx.env.xmlidLookup(qualify(id, ctx.mode.module)))) {
    if (!action) throw new AddonError('<menuitem> needs a name (or an action to take it from)');
    const found = await ctx.env.xmlidLookup(qualify(action, ctx.mode.module));
    const [rec] = await ctx.env.model(found!.model).browse([found!.id]).read(['name']);
    vals.name = rec.name;
  }
  if (el.getAttribute('sequence')) vals.sequence = Number(el.getAttribute('sequence'));
  if (el.getAttribute('web_icon')) vals.web_icon = el.getAttribute('web_icon');
  const groups = el.getAttribute('groups');
  if (groups) {
    const cmds: unknown[] = [];
    for (const g of groups.split(',').map((s) => s.trim()).filter(Boolean)) {
      cmds.push(g.startsWith('-') ? [3, await resolveXmlid(ctx.env, g.slice(1), ctx.mode.module)] : [4, await resolveXmlid(ctx.env, g, ctx.mode.module)]);
    }
    vals.groups_id = cmds;
  }
  const menuId = await upsertRecord(ctx.env, 'ir.ui.menu', id, vals, { ...ctx.mode, noupdate });
  for (const child of children(el)) {
    if (child.tagName !== 'menuitem') throw new AddonError(`unexpected <${child.tagName}> inside <menuitem> (line ${line(child)})`);
    await loadMenu(ctx, child, noupdate, menuId);
  }
}

const deleteHandler: Handler = async (ctx, el) => {
  const model = el.getAttribute('model');
  if (!model || !ctx.env.registry.has(model)) throw new AddonError(`<delete> needs a known model, got '${model}'`);
  const id = el.getAttribute('id');
  if (id) {
    const found = await ctx.env.xmlidLookup(qualify(id, ctx.mode.module));
    if (found) await ctx.env.model(model).browse([found.id]).unlink();
    return;
  }
  const search = el.getAttribute('search');
  if (!search) throw new AddonError('<delete> needs an id or a search domain');
  const recs = await ctx.env.model(model).search(evaluate(search, await evalScope(ctx, search)) as unknown[]);
  await recs.unlink();
};

const functionHandler: Handler = async (ctx, el) => {
  const model = el.getAttribute('model');
  const name = el.getAttribute('name');
  if (!model || !name || !ctx.env.registry.has(model)) throw new AddonError('<function> needs a known model and a method name');
  const evalAttr = el.getAttribute('eval') ?? '[]';
  const args = evaluate(evalAttr, await evalScope(ctx, evalAttr));
  const recs = ctx.env.model(model) as any;
  if (typeof recs[name] !== 'function' || name.startsWith('_')) throw new AddonError(`model '${model}' has no public method '${name}'`);
  await recs[name](...(Array.isArray(args) ? args : [args]));
};

const HANDLERS: Record<string, Handler> = {
  record: recordHandler,
  menuitem: menuHandler,
  delete: deleteHandler,
  function: functionHandler,
};

export function isLoaderError(err: unknown): boolean {
  return err instanceof ErpError;
}
