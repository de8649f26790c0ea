import type { FieldType } from './field.ts';
import { X2MANY_OPS } from './many2many.ts';

/** The records of `comodel` whose `inverseName` points here; no column. */
export const one2manyType: FieldType = {
  columnType: () => null,
  toColumn: (v) => v,
  toWire: (v) => v ?? [],
  operators: X2MANY_OPS,
};
