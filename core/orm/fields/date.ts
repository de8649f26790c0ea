import { COMPARE_OPS, isEmpty, pad, typeError } from './conversions.ts';
import type { FieldType } from './field.ts';

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Formats a Date (UTC parts) as Odoo's date string. */
export function formatDate(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Calendar dates as 'YYYY-MM-DD' on the wire. */
export const dateType: FieldType = {
  columnType: () => 'date',
  toColumn(value, field) {
    if (isEmpty(value)) return null;
    if (value instanceof Date) return formatDate(value);
    if (typeof value === 'string') {
      const s = value.slice(0, 10);
      if (DATE_RE.test(s) && !Number.isNaN(Date.parse(s))) return s;
    }
    throw typeError(field, value, "a date 'YYYY-MM-DD'");
  },
  toWire(v) {
    if (v === null || v === undefined) return false;
    if (v instanceof Date) return `${v.getFullYear()}-${pad(v.getMonth() + 1)}-${pad(v.getDate())}`;
    return String(v).slice(0, 10);
  },
  operators: COMPARE_OPS,
};
