/**
 * The form's value of a one2many/many2many field, and the Odoo commands that save it.
 *
 *   rows (what the user sees)      removed (gone since load)
 *     status saved   → nothing       mode delete → [2, id]
 *     status updated → [1, id, vals] mode unlink → [3, id]
 *     status created → [0, 0, vals]
 *     status linked  → [4, id]     (an existing record added: an upload, a picked tag)
 *   many2many: any change → [[6, 0, ids]] (the whole set)
 *
 * Immutable: every edit returns a new value, so lit sees the change. Pure.
 */
import type { FieldsInfo, RecordValues } from './types.ts';

export type RowStatus = 'saved' | 'updated' | 'created' | 'linked';
export interface X2Row {
  /** Stable key for rendering: the id, or a virtual one for created rows. */
  key: string;
  id: number | null;
  data: RecordValues;
  status: RowStatus;
  /** Changed field names of an updated/created row. */
  changed: string[];
}
export interface X2ManyValue {
  rows: X2Row[];
  removed: Array<{ id: number; mode: 'delete' | 'unlink' }>;
}
export type Command = [0, 0, Record<string, unknown>] | [1, number, Record<string, unknown>] | [2, number] | [3, number] | [4, number] | [5] | [6, 0, number[]];

let virtualSeq = 0;

export function isX2ManyValue(v: unknown): v is X2ManyValue {
  return !!v && typeof v === 'object' && Array.isArray((v as X2ManyValue).rows) && Array.isArray((v as X2ManyValue).removed);
}

/** The value of records loaded from the server (in the order of `ids`). */
export function x2manyFromRecords(ids: number[], records: RecordValues[]): X2ManyValue {
  const byId = new Map(records.map((r) => [r.id as number, r]));
  return {
    rows: ids.filter((id) => byId.has(id)).map((id) => ({ key: String(id), id, data: byId.get(id)!, status: 'saved', changed: [] })),
    removed: [],
  };
}

export function emptyX2Many(): X2ManyValue {
  return { rows: [], removed: [] };
}

export function addRow(value: X2ManyValue, data: RecordValues): X2ManyValue {
  const row: X2Row = { key: `new_${++virtualSeq}`, id: null, data, status: 'created', changed: Object.keys(data) };
  return { ...value, rows: [...value.rows, row] };
}

/** Adds existing records (uploads, picked tags); already present ids are ignored. */
export function linkRecords(value: X2ManyValue, records: RecordValues[]): X2ManyValue {
  const present = new Set(value.rows.map((r) => r.id));
  const rows = records.filter((r) => !present.has(r.id as number)).map((r): X2Row => ({ key: String(r.id), id: r.id as number, data: r, status: 'linked', changed: [] }));
  return { rows: [...value.rows, ...rows], removed: value.removed.filter((x) => !rows.some((r) => r.id === x.id)) };
}

export function updateRow(value: X2ManyValue, key: string, changes: RecordValues): X2ManyValue {
  return {
    ...value,
    rows: value.rows.map((r) => r.key !== key ? r : {
      ...r,
      data: { ...r.data, ...changes },
      status: r.status === 'saved' ? 'updated' : r.status,
      changed: [...new Set([...r.changed, ...Object.keys(changes)])],
    }),
  };
}

/** Removes a row; a saved row is deleted (`mode` delete) or only detached (`unlink`) on save. */
export function removeRow(value: X2ManyValue, key: string, mode: 'delete' | 'unlink' = 'delete'): X2ManyValue {
  const row = value.rows.find((r) => r.key === key);
  if (!row) return value;
  const persisted = row.id !== null && row.status !== 'linked';
  return {
    rows: value.rows.filter((r) => r.key !== key),
    removed: persisted ? [...value.removed, { id: row.id!, mode }] : value.removed,
  };
}

export function isX2ManyDirty(value: X2ManyValue): boolean {
  return value.removed.length > 0 || value.rows.some((r) => r.status !== 'saved');
}

/**
 * Commands saving `value`. `toVals` turns a row's changed data into write values
 * (many2one pairs → ids…); it gets the row's data restricted to `names`.
 */
export function x2manyCommands(
  value: X2ManyValue,
  type: 'one2many' | 'many2many',
  toVals: (data: RecordValues, names: string[]) => Record<string, unknown> = (d, names) => Object.fromEntries(names.map((n) => [n, d[n]])),
): Command[] {
  if (!isX2ManyDirty(value)) return [];
  if (type === 'many2many') return [[6, 0, value.rows.map((r) => r.id).filter((id): id is number => id !== null)]];
  const commands: Command[] = value.removed.map((x): Command => (x.mode === 'delete' ? [2, x.id] : [3, x.id]));
  for (const row of value.rows) {
    if (row.status === 'created') commands.push([0, 0, toVals(row.data, row.changed.filter((n) => n !== 'id'))]);
    else if (row.status === 'updated') commands.push([1, row.id!, toVals(row.data, row.changed)]);
    else if (row.status === 'linked') commands.push([4, row.id!]);
  }
  return commands;
}

/** Ids of the rows (for modifiers and `[6, 0, ids]`). */
export function x2manyIds(value: X2ManyValue): number[] {
  return value.rows.map((r) => r.id).filter((id): id is number => id !== null);
}

/** Field values of the sub-records restricted to known fields (used by the one2many editor). */
export function rowFields(data: RecordValues, fields: FieldsInfo): RecordValues {
  return Object.fromEntries(Object.entries(data).filter(([k]) => k in fields || k === 'id'));
}
