import { typeError } from './conversions.ts';
import type { FieldType } from './field.ts';

/** Booleans; NULL reads as false. */
export const booleanType: FieldType = {
  columnType: () => 'boolean',
  toColumn(value, field) {
    if (value === null || value === undefined) return false;
    if (typeof value === 'boolean') return value;
    if (value === 0 || value === 1) return value === 1;
    throw typeError(field, value, 'a boolean');
  },
  toWire: (v) => v === true,
  operators: new Set(['=', '!=', 'in', 'not in']),
};
