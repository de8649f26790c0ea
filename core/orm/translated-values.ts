/**
 * Translatable field values (Odoo's `translate=True`, stored as in Odoo 16+): the column is
 * jsonb, one key per language, `{"en_US": "High", "es_ES": "Alta"}`.
 *
 *   read / search / order / group   COALESCE(col->>'es_ES', col->>'en_US')   (the user's lang)
 *   create in es_ES                 {"en_US": v, "es_ES": v}
 *   write in es_ES                  col || {"es_ES": v}             (other languages kept)
 *   write false                     NULL                             (every language cleared)
 *
 * The language comes from the environment's context; it is checked against a strict
 * pattern and written into the SQL as a literal, so a statement's text depends only on the
 * language (prepared statements stay few). Owns nothing else: which values a .po file
 * translates is the loader's business (core/i18n/model-terms.ts).
 */
import type { Knex } from 'knex';
import type { Environment } from './environment.ts';
import type { Field } from './fields/index.ts';

export const SOURCE_LANG = 'en_US';
const LANG_CODE = /^[a-z]{2,3}(_[A-Z]{2})?(@[a-z]+)?$/;

/** Types whose values may be translated. */
export const TRANSLATABLE_TYPES = new Set(['char', 'text', 'html']);

export function isTranslated(field: Field | undefined): boolean {
  return !!field?.translate && field.stored && TRANSLATABLE_TYPES.has(field.type);
}

/** The environment's language as a safe code (unknown shapes fall back to en_US). */
export function langOf(env: Environment): string {
  const lang = env.context.lang;
  return typeof lang === 'string' && LANG_CODE.test(lang) ? lang : SOURCE_LANG;
}

/** SQL reading a translated column in `lang`, falling back to the source (en_US). */
export function translatedSql(column: string, lang: string): string {
  if (!LANG_CODE.test(lang)) lang = SOURCE_LANG;
  return lang === SOURCE_LANG ? `(${column}->>'${SOURCE_LANG}')` : `COALESCE(${column}->>'${lang}', ${column}->>'${SOURCE_LANG}')`;
}

/** A stored jsonb value (object or JSON text) read in `lang`. */
export function pickTranslation(value: unknown, lang: string): string | null {
  if (value === null || value === undefined) return null;
  const map = typeof value === 'string' ? parseJson(value) : value;
  if (!map || typeof map !== 'object') return typeof value === 'string' ? value : null;
  const m = map as Record<string, unknown>;
  const found = m[lang] ?? m[SOURCE_LANG];
  return typeof found === 'string' ? found : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The column value of a new record: the text in en_US and in the context language. */
export function createValue(text: string | null, lang: string): string | null {
  if (text === null) return null;
  return JSON.stringify(lang === SOURCE_LANG ? { [SOURCE_LANG]: text } : { [SOURCE_LANG]: text, [lang]: text });
}

/** The SET expression of a write in `lang`: merges that language, or clears them all. */
export function writeValue(cr: Knex | Knex.Transaction, column: string, text: string | null, lang: string): Knex.Raw | null {
  if (text === null) return null;
  // A value without English (none yet) gets this text as its source too.
  return cr.raw(`jsonb_build_object('${SOURCE_LANG}', ?::text) || COALESCE(??, '{}'::jsonb) || ?::jsonb`, [text, column, JSON.stringify({ [lang]: text })]);
}
