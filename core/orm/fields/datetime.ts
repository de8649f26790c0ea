import { COMPARE_OPS, isEmpty, pad, typeError } from './conversions.ts';
import type { FieldType } from './field.ts';

const DT_RE = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Formats a Date as Odoo's UTC datetime string 'YYYY-MM-DD HH:MM:SS'. */
export function formatDatetime(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Parses a wire datetime (naive strings are UTC, as in Odoo). */
export function parseDatetime(value: string): Date | null {
  const m = DT_RE.exec(value.trim());
  if (!m) return null;
  const time = m[2] ? (m[2].length === 5 ? `${m[2]}:00` : m[2]) : '00:00:00';
  const zone = m[3] ? (m[3] === 'Z' ? 'Z' : m[3]) : 'Z';
  const d = new Date(`${m[1]}T${time}${zone}`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Points in time, stored as UTC `timestamp without time zone`, 'YYYY-MM-DD HH:MM:SS' on the wire. */
export const datetimeType: FieldType = {
  columnType: () => 'timestamp',
  toColumn(value, field) {
    if (isEmpty(value)) return null;
    const d = value instanceof Date ? value : typeof value === 'string' ? parseDatetime(value) : null;
    if (!d || Number.isNaN(d.getTime())) throw typeError(field, value, "a datetime 'YYYY-MM-DD HH:MM:SS'");
    return formatDatetime(d);
  },
  toWire(v) {
    if (v === null || v === undefined) return false;
    if (v instanceof Date) return formatDatetime(v);
    return String(v).slice(0, 19).replace('T', ' ');
  },
  operators: COMPARE_OPS,
};
