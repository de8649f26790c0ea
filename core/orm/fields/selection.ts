import { isEmpty, TEXT_OPS, typeError } from './conversions.ts';
import type { FieldType } from './field.ts';

/** One value out of a fixed list of (value, label) pairs. */
export const selectionType: FieldType = {
  columnType: () => 'varchar',
  toColumn(value, field) {
    if (isEmpty(value)) return null;
    const allowed = (field.selection ?? []).map(([v]) => v);
    if (typeof value !== 'string' || !allowed.includes(value)) {
      throw typeError(field, value, `one of ${allowed.map((v) => `'${v}'`).join(', ')}`);
    }
    return value;
  },
  toWire: (v) => (v === null || v === undefined ? false : v),
  operators: TEXT_OPS,
};
