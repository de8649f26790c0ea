import { COMPARE_OPS, isEmpty, typeError } from './conversions.ts';
import type { FieldType } from './field.ts';

/** 32-bit integers; empty is stored as NULL and read as 0 (Odoo). */
export const integerType: FieldType = {
  columnType: () => 'integer',
  toColumn(value, field) {
    if (isEmpty(value)) return null;
    const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || Math.abs(n) > 2147483647) throw typeError(field, value, 'an integer');
    return n;
  },
  toWire: (v) => (v === null || v === undefined ? 0 : Number(v)),
  operators: COMPARE_OPS,
};
