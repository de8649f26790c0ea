import { COMPARE_OPS, isEmpty, typeError } from './conversions.ts';
import type { FieldType } from './field.ts';

/** A reference to one record of `comodel`; a foreign key with `ondelete`. Wire: [id, name] | false. */
export const many2oneType: FieldType = {
  columnType: () => 'integer',
  toColumn(value, field) {
    if (isEmpty(value)) return null;
    if (Array.isArray(value) && typeof value[0] === 'number') return value[0];
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
    throw typeError(field, value, `a record id of ${field.comodel}`);
  },
  // The ORM replaces ids with [id, display_name] pairs in one batch (see read.ts).
  toWire: (v) => (v === null || v === undefined ? false : Number(v)),
  operators: new Set([...COMPARE_OPS, 'like', 'ilike', 'not like', 'not ilike', '=like', '=ilike', 'child_of', 'parent_of', 'any', 'not any']),
};
