/**
 * Display names of the records behind x2many id lists shown as tags (list cells, kanban
 * cards): one `read(ids, ['display_name'])` per comodel for the ids not known yet.
 */
import { callKw } from './rpc.ts';
import type { Context, FieldInfo, RecordValues } from './types.ts';

export type NameCache = Map<string, Map<number, string>>;
/** Per x2many field, the colour index of each related record (`options="{'color_field': 'color'}"`). */
export type ColorCache = Map<string, Map<number, number>>;

/**
 * A new cache with the names of `fields` (x2many) of `records` added to `cache`; with
 * `colors`, the colour field named per x2many field is read in the same call into `colors`.
 */
export async function loadX2manyNames(records: RecordValues[], fields: FieldInfo[], cache: NameCache, context: Context,
  colors?: { fields: Record<string, string>; cache: ColorCache }): Promise<NameCache> {
  const names: NameCache = new Map(cache);
  for (const field of fields) {
    if (!field.relation) continue;
    const known = new Map(names.get(field.name) ?? []);
    const ids = new Set(records.flatMap((r) => (Array.isArray(r[field.name]) ? (r[field.name] as number[]) : [])));
    const missing = [...ids].filter((id) => !known.has(id));
    const colorField = colors?.fields[field.name];
    if (missing.length) {
      const read = await callKw<Array<{ id: number; display_name: string } & Record<string, unknown>>>(field.relation, 'read',
        [missing, colorField ? ['display_name', colorField] : ['display_name']], { context });
      const shades = new Map(colors?.cache.get(field.name) ?? []);
      for (const r of read) {
        known.set(r.id, r.display_name);
        if (colorField) shades.set(r.id, Number(r[colorField]) || 0);
      }
      if (colorField) colors!.cache.set(field.name, shades);
    }
    names.set(field.name, known);
  }
  return names;
}
