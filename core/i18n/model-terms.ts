/**
 * Translations of data values (Odoo's "model terms"): an addon's `.po` file translates the
 * translatable fields of the records its data files created, e.g. the priority "High" of
 * `helpdesk_bytacora.priority_high` → "Alta" in es_ES. A record's English value is the
 * msgid; a language already present on the record (typed by a user) is never overwritten.
 * One UPDATE per (model, field, language), joining the catalogue as a jsonb object.
 */
import type { Knex } from 'knex';
import type { Registry } from '../orm/registry.ts';
import { isTranslated } from '../orm/translated-values.ts';

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** `es` → `es_ES`; full codes stay as they are. */
export function poLanguage(code: string): string {
  return /^[a-z]{2}$/.test(code) ? `${code}_${code.toUpperCase()}` : code;
}

/** Writes `lang` values of `addon`'s records from its catalogue (msgid → msgstr). */
export async function loadModelTerms(cr: Knex | Knex.Transaction, registry: Registry, addon: string, lang: string, catalogue: Map<string, string>): Promise<void> {
  if (!catalogue.size) return;
  const terms = JSON.stringify(Object.fromEntries(catalogue));
  for (const model of registry.all()) {
    if (model._meta.abstract) continue;
    for (const field of model._meta.fields.values()) {
      if (!isTranslated(field)) continue;
      const column = q(field.name);
      await cr.raw(
        `UPDATE ${q(model._meta.table)} t SET ${column} = t.${column} || jsonb_build_object(?::text, v.msgstr)
           FROM jsonb_each_text(?::jsonb) AS v(msgid, msgstr)
          WHERE t.${column}->>'en_US' = v.msgid AND t.${column}->>? IS NULL
            AND t.id IN (SELECT res_id FROM ir_model_data WHERE model = ? AND module = ?)`,
        [lang, terms, lang, model._meta.name, addon]);
    }
  }
}
