/**
 * Display formatting of field values and the wire ↔ local conversions of dates and datetimes.
 * Server datetimes are UTC `'YYYY-MM-DD HH:MM:SS'`; the user sees and types browser-local time.
 * Pure (uses only Intl and Date), shared by the list, kanban, graph and CSV export.
 */
import type { FieldInfo } from './types.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** `'es_ES'` → `'es-ES'` for Intl. */
export function intlLocale(lang: string | undefined): string {
  return (lang || 'en_US').replace('_', '-');
}

/** UTC wire datetime → Date (an instant). */
export function parseServerDatetime(value: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!m) throw new Error(`Invalid datetime: ${value}`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0)));
}

/** Date (an instant) → UTC wire datetime. */
export function toServerDatetime(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** UTC wire datetime → value of an `<input type="datetime-local">` in local time. */
export function serverDatetimeToLocalInput(value: string | false | null | undefined): string {
  if (!value) return '';
  const d = parseServerDatetime(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** `<input type="datetime-local">` value (local time) → UTC wire datetime, or false when empty. */
export function localInputToServerDatetime(value: string): string | false {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return false;
  return toServerDatetime(new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0)));
}

/** Local calendar date of a Date as `'YYYY-MM-DD'`. */
export function localDateString(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function formatDate(value: string, lang?: string): string {
  const [y, m, d] = value.split('-').map(Number);
  return new Intl.DateTimeFormat(intlLocale(lang), { year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(y, m - 1, d));
}

export function formatDatetime(value: string, lang?: string): string {
  return new Intl.DateTimeFormat(intlLocale(lang), {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).format(parseServerDatetime(value));
}

export function formatNumber(value: number, lang?: string, digits?: number): string {
  return new Intl.NumberFormat(intlLocale(lang), digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** Bytes → `'1.5 KB'`. */
export function humanSize(bytes: number | undefined | false): string {
  if (!bytes) return '0 B';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let n = bytes;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

/** Text of an HTML fragment, for list cells and CSV (uses no DOM). */
export function htmlToText(html: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };
  return html
    .replace(/<(br|\/p|\/div|\/li)\s*\/?>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, e: string) => entities[e])
    .replace(/\s+/g, ' ')
    .trim();
}

export function selectionLabel(field: Pick<FieldInfo, 'selection'>, value: unknown): string {
  const found = field.selection?.find(([v]) => v === value);
  return found ? found[1] : value === false || value === null || value === undefined ? '' : String(value);
}

export interface FormatOptions {
  lang?: string;
  /** Names of x2many ids, when the caller fetched them (many2many tags in lists). */
  names?: Map<number, string>;
  yes?: string;
  no?: string;
  records?: (n: number) => string;
}

/** The text a user reads for `value` of `field` in a list cell, a kanban card or a CSV cell. */
export function formatValue(value: unknown, field: Pick<FieldInfo, 'type' | 'selection'>, opts: FormatOptions = {}): string {
  if (field.type === 'boolean') return value ? opts.yes ?? 'Yes' : opts.no ?? 'No';
  if (value === false || value === null || value === undefined || value === '') return '';
  switch (field.type) {
    case 'many2one': return Array.isArray(value) ? String(value[1]) : String(value);
    case 'one2many': case 'many2many': {
      const ids = Array.isArray(value) ? (value as number[]) : [];
      if (opts.names) return ids.map((id) => opts.names!.get(id) ?? '').filter(Boolean).join(', ');
      return opts.records ? opts.records(ids.length) : `${ids.length} records`;
    }
    case 'selection': return selectionLabel(field, value);
    case 'date': return formatDate(String(value), opts.lang);
    case 'datetime': return formatDatetime(String(value), opts.lang);
    case 'integer': return formatNumber(Number(value), opts.lang, 0);
    case 'float': return formatNumber(Number(value), opts.lang, 2);
    case 'html': return htmlToText(String(value));
    case 'binary': return typeof value === 'string' ? humanSize(Math.floor((value.length * 3) / 4)) : String(value);
    default: return String(value);
  }
}

/** Plain text (the chatter composer) → HTML paragraphs, escaped. */
export function textToHtml(text: string): string {
  const esc = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return esc.split(/\n{2,}/).map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`).join('');
}
