import { isEmpty, TEXT_OPS, typeError } from './conversions.ts';
import type { FieldType } from './field.ts';

/** Multi-line plain text. */
export const textType: FieldType = {
  columnType: () => 'text',
  toColumn(value, field) {
    if (isEmpty(value)) return null;
    if (typeof value !== 'string') throw typeError(field, value, 'a string');
    return value;
  },
  toWire: (v) => (v === null || v === undefined ? false : v),
  operators: TEXT_OPS,
};
