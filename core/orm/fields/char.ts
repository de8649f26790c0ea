import { isEmpty, TEXT_OPS, typeError } from './conversions.ts';
import type { FieldType } from './field.ts';

/** Single-line text; `size` limits the length. */
export const charType: FieldType = {
  columnType: (f) => (f.size ? `varchar(${f.size})` : 'varchar'),
  toColumn(value, field) {
    if (isEmpty(value)) return null;
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string') throw typeError(field, value, 'a string');
    if (field.size && value.length > field.size) throw typeError(field, value, `at most ${field.size} characters`);
    return value;
  },
  toWire: (v) => (v === null || v === undefined ? false : v),
  operators: TEXT_OPS,
};
