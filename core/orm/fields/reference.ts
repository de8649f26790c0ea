import { isEmpty, TEXT_OPS, typeError } from './conversions.ts';
import type { FieldType } from './field.ts';

/** A 'model,id' string pointing at any record (as Odoo's fields.Reference). */
export const referenceType: FieldType = {
  columnType: () => 'varchar',
  toColumn(value, field) {
    if (isEmpty(value)) return null;
    if (typeof value === 'string' && /^[a-z0-9_.]+,\d+$/.test(value)) return value;
    throw typeError(field, value, "a reference 'model,id'");
  },
  toWire: (v) => (v === null || v === undefined ? false : v),
  operators: TEXT_OPS,
};
