import { COMPARE_OPS, isEmpty, typeError } from './conversions.ts';
import type { FieldType } from './field.ts';

/** Floating point numbers; `digits` rounds on write. */
export const floatType: FieldType = {
  columnType: () => 'double precision',
  toColumn(value, field) {
    if (isEmpty(value)) return null;
    const n = typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw typeError(field, value, 'a number');
    if (field.digits) { const f = 10 ** field.digits[1]; return Math.round(n * f) / f; }
    return n;
  },
  toWire: (v) => (v === null || v === undefined ? 0 : Number(v)),
  operators: COMPARE_OPS,
};
