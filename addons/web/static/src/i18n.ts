/**
 * `_t(source)`: the user's translation of a web client string. The catalogue comes from
 * `/web/webclient/translations` (msgid → msgstr of every addon, `i18n/<lang>.po`) and is set
 * once at start-up, before the first render. `%s` placeholders are filled in order, as in Odoo.
 */
let catalogue: Record<string, string> = {};
let currentLang = 'en_US';

export function setTranslations(lang: string, messages: Record<string, string>): void {
  currentLang = lang;
  catalogue = messages ?? {};
}

export function currentLanguage(): string {
  return currentLang;
}

export function _t(source: string, ...args: Array<string | number>): string {
  let i = 0;
  const text = catalogue[source] || source;
  return args.length ? text.replace(/%s/g, () => String(args[i++] ?? '')) : text;
}
