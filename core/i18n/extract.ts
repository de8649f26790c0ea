/**
 * Collects the user-visible strings of an installed database — model descriptions, field
 * labels, help texts and selection labels from the registry; view labels, menu, action and
 * group names from the data — so a test can check each has a translation, and
 * `npm run cli -- i18n-missing es` can list those that do not.
 */
import { DOMParser } from '@xmldom/xmldom';
import type { Knex } from 'knex';
import type { Registry } from '../orm/registry.ts';
import { isTranslated } from '../orm/translated-values.ts';

const ATTRS = ['string', 'help', 'placeholder', 'confirm', 'sum', 'title'];

export interface Msg {
  text: string;
  /** Where it was found, e.g. "field helpdesk.ticket.subject" or "view 12". */
  where: string;
}

export async function extractStrings(knex: Knex, registry: Registry, modules?: string[]): Promise<Msg[]> {
  const out: Msg[] = [];
  const add = (text: unknown, where: string) => {
    if (typeof text === 'string' && /[A-Za-z]/.test(text) && text.trim()) out.push({ text: text.trim(), where });
  };
  for (const model of registry.all()) {
    const meta = model._meta;
    if (modules && !meta.addons.some((a) => modules.includes(a))) continue;
    if (!meta.abstract) add(meta.description, `model ${meta.name}`);
    for (const f of meta.fields.values()) {
      if (f.automatic || f.name === 'display_name') continue;
      add(f.string, `field ${meta.name}.${f.name}`);
      add(f.help, `help ${meta.name}.${f.name}`);
      for (const [, label] of f.selection ?? []) add(label, `selection ${meta.name}.${f.name}`);
    }
  }
  const owned = async (model: string): Promise<Set<number> | null> => {
    if (!modules) return null;
    const rows = await knex('ir_model_data').where({ model }).whereIn('module', modules).select('res_id');
    return new Set(rows.map((r: any) => Number(r.res_id)));
  };
  const keep = (ids: Set<number> | null, id: number) => !ids || ids.has(Number(id));
  const viewIds = await owned('ir.ui.view');
  for (const v of await knex('ir_ui_view').select('id', 'name', 'arch')) {
    if (!keep(viewIds, v.id)) continue;
    const doc = new DOMParser().parseFromString(v.arch, 'text/xml');
    const walk = (el: any) => {
      for (const a of ATTRS) add(el.getAttribute?.(a), `view ${v.name}`);
      for (const c of Array.from(el.childNodes ?? []) as any[]) {
        if (c.nodeType === 1) walk(c);
        else if (c.nodeType === 3 && el.tagName !== 'field' && el.tagName !== 'attribute') add(c.nodeValue, `view ${v.name}`);
      }
    };
    if (doc.documentElement) walk(doc.documentElement);
  }
  for (const [table, model, col] of [['ir_ui_menu', 'ir.ui.menu', 'name'], ['ir_actions_act_window', 'ir.actions.act_window', 'name'], ['res_groups', 'res.groups', 'name'], ['ir_cron', 'ir.cron', 'name']] as const) {
    const ids = await owned(model);
    const exists = (await knex.raw('SELECT to_regclass(?) AS t', [table])).rows[0].t;
    if (!exists) continue;
    // Translated values (jsonb): their English source is the msgid.
    const value = isTranslated(registry.get(model)?._meta.fields.get(col)) ? knex.raw(`?? ->> 'en_US' AS ??`, [col, col]) : col;
    for (const r of await knex(table).select('id', value)) if (keep(ids, r.id)) add(r[col], `${model} ${r.id}`);
  }
  const seen = new Set<string>();
  return out.filter((m) => (seen.has(m.text) ? false : (seen.add(m.text), true)));
}

/** The strings without a translation in `lang`. */
export function missingTranslations(registry: Registry, lang: string, msgs: Msg[]): Msg[] {
  const map = registry.translations.get(lang);
  return msgs.filter((m) => !map?.has(m.text));
}
