/**
 * Display names of the records behind x2many id lists shown as tags (list cells, kanban
 * cards): one `read(ids, ['display_name'])` per comodel for the ids not known yet.
 */
import { callKw } from './rpc.ts';
import type { Context, FieldInfo, RecordValues } from './types.ts';

export type NameCache = Map<string, Map<number, string>>;

/** A new cache with the names of `fields` (x2many) of `records` added to `cache`. */
export async function loadX2manyNames(records: RecordValues[], fields: FieldInfo[], cache: NameCache, context: Context): Promise<NameCache> {
  const names: NameCache = new Map(cache);
  for (const field of fields) {
    if (!field.relation) continue;
    const known = new Map(names.get(field.name) ?? []);
    const ids = new Set(records.flatMap((r) => (Array.isArray(r[field.name]) ? (r[field.name] as number[]) : [])));
    const missing = [...ids].filter((id) => !known.has(id));
    if (missing.length) {
      const read = await callKw<Array<{ id: number; display_name: string }>>(field.relation, 'read', [missing, ['display_name']], { context });
      for (const r of read) known.set(r.id, r.display_name);
    }
    names.set(field.name, known);
  }
  return names;
}
