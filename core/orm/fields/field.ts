/**
 * Field declarations: the options an addon writes (`fields.char({...})`) and the
 * `FieldType` interface every type implements (one file per type, see index.ts).
 * A declaration is inert data; the registry binds it to a model (name, model name).
 */
import type { Environment } from '../environment.ts';
import type { Model } from '../model.ts';

export type FieldTypeName =
  | 'char' | 'text' | 'html' | 'integer' | 'float' | 'boolean' | 'date' | 'datetime'
  | 'selection' | 'many2one' | 'one2many' | 'many2many' | 'binary' | 'reference' | 'monetary';

export type OnDelete = 'cascade' | 'set null' | 'restrict';
/** Domain standing for `(field, operator, value)` on a non-stored field (see `search`). */
export type SearchFn = (env: Environment, operator: string, value: unknown) => Promise<unknown[]> | unknown[];

/** Batch compute: returns the value of every record in `records`, keyed by id. */
export type ComputeFn = (records: Model) => Promise<Map<number, unknown>> | Map<number, unknown>;
/**
 * Stored compute of new records from their create values (column values, defaults applied),
 * before the INSERT: one value per row, in order. Spares the UPDATE that computing after the
 * insert costs (Odoo's `precompute=True`).
 */
export type PrecomputeFn = (env: Environment, rows: ReadonlyArray<Record<string, unknown>>) => Promise<unknown[]> | unknown[];
export type DefaultFn = (env: import('../environment.ts').Environment) => unknown | Promise<unknown>;
export type FieldIndex = boolean | 'btree' | 'btree_not_null';
export type SelectionList = ReadonlyArray<readonly [string, string]>;

export interface FieldOptions {
  string?: string;
  help?: string;
  required?: boolean;
  readonly?: boolean;
  default?: unknown | DefaultFn;
  /**
   * The column's own index (Odoo 16+): `true` or `'btree'` a plain btree; `'btree_not_null'`
   * a partial btree `WHERE col IS NOT NULL` (serves `=`, `in`, the foreign key's ON DELETE
   * lookups, and costs nothing to insert rows without a value: the choice for sparse columns);
   * `false` none. A many2one without the option gets `'btree_not_null'`.
   */
  index?: FieldIndex;
  copy?: boolean;
  /**
   * Comma-separated XML ids of groups allowed to read, write, search, sort, group and export
   * the field; `!xmlid` refuses the members of a group (Odoo). Checked by field-access.ts.
   */
  groups?: string;
  /**
   * The value is written but never leaves the server (password hashes): it reads back empty
   * for everyone, superuser included, and cannot be searched, sorted, grouped or exported.
   */
  writeOnly?: boolean;
  translate?: boolean;
  /** Computed field: a function reference, never a method name. */
  compute?: ComputeFn;
  /**
   * Makes a non-stored field searchable (Odoo's `search=`): turns a leaf `(field, operator,
   * value)` into a domain on other fields, which is then compiled as usual.
   */
  search?: SearchFn;
  /** Field names (dotted paths allowed) the computed value depends on. */
  depends?: string[];
  /**
   * For a stored compute: its value for new records, computed from their create values
   * before the insert instead of by `compute` after it (the same value, one statement less).
   */
  precompute?: PrecomputeFn;
  store?: boolean;
  /** Read-only path through many2one fields, e.g. `partner_id.city`. */
  related?: string;
  /** Log changes of this field in the chatter (mail.thread). */
  tracking?: boolean;
  size?: number;
  digits?: [number, number];
  unique?: boolean;
  // relational
  comodel?: string;
  inverseName?: string;
  relation?: string;
  column1?: string;
  column2?: string;
  ondelete?: OnDelete;
  /** Extra domain for x2many fields (e.g. messages of this model only). */
  domain?: unknown[];
  /** For one2many on generic (res_model, res_id) pairs: the column holding the model name. */
  modelField?: string;
  selection?: SelectionList;
}

/** A bound field: declaration plus its name and owning model. */
export interface Field extends FieldOptions {
  type: FieldTypeName;
  name: string;
  modelName: string;
  /** True when the value lives in a column of the model's table. */
  stored: boolean;
  /** Magic fields (id, create_uid, ...) are maintained by the ORM itself. */
  automatic?: boolean;
}

export function declare(type: FieldTypeName, options: FieldOptions = {}): FieldDeclaration {
  return { type, ...options };
}
export interface FieldDeclaration extends FieldOptions {
  type: FieldTypeName;
}

/** What a field type does: DDL, conversions between wire and column, validation. */
export interface FieldType {
  /** SQL column type, or null for types without a column (one2many, many2many). */
  columnType(field: Field): string | null;
  /** Wire (RPC) value → column value. Throws ValidationError on a wrong type. */
  toColumn(value: unknown, field: Field): unknown;
  /** Column value → wire value (Odoo's format: false for empty). */
  toWire(value: unknown, field: Field): unknown;
  /** Operators a domain leaf may use on this type. */
  operators: ReadonlySet<string>;
}
