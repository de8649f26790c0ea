import type { FieldType } from './field.ts';

export const X2MANY_OPS = new Set(['=', '!=', 'in', 'not in', 'like', 'ilike', 'not like', 'not ilike', '=like', '=ilike', 'any', 'not any', 'child_of']);

/** Links to records of `comodel` through a relation table (`relation`, `column1`, `column2`). */
export const many2manyType: FieldType = {
  columnType: () => null,
  toColumn: (v) => v,
  toWire: (v) => v ?? [],
  operators: X2MANY_OPS,
};
