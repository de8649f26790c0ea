/**
 * Field descriptions from the server (`get_views().models`) as the client's typed FieldInfo:
 * the name added, and types outside the client's list mapped to the closest one
 * (`monetary` → float, `reference`/`json`/others → char) so every field has a widget.
 */
import { FIELD_TYPES, type FieldInfo, type FieldType, type FieldsInfo, type GetViewsResult } from './types.ts';

const ALIASES: Record<string, FieldType> = { monetary: 'float', many2one_reference: 'integer' };

export function normalizeFields(raw: GetViewsResult['models'][string]): FieldsInfo {
  const fields: FieldsInfo = {};
  for (const [name, desc] of Object.entries(raw ?? {})) {
    const type = (FIELD_TYPES as readonly string[]).includes(desc.type) ? desc.type : ALIASES[desc.type] ?? 'char';
    fields[name] = { ...desc, name, type, string: desc.string || name } as FieldInfo;
  }
  return fields;
}

/** All models of a get_views answer, normalised. */
export function normalizeModels(models: GetViewsResult['models']): Record<string, FieldsInfo> {
  return Object.fromEntries(Object.entries(models ?? {}).map(([m, f]) => [m, normalizeFields(f)]));
}

export type { FieldInfo };
