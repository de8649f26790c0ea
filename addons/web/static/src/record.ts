/**
 * The form's record as data: which values to send on save (`write`/`create` values in Odoo's
 * wire format), which required fields are empty, and how `default_get` values become form
 * values. The form view owns the state; these functions only compute. Pure.
 */
import { x2manyCommands, isX2ManyValue, isX2ManyDirty } from './x2many.ts';
import type { FieldInfo, FieldsInfo, RecordValues } from './types.ts';

/** A form value → its wire value for `create`/`write`. */
export function toWriteValue(value: unknown, field: FieldInfo, fields?: Record<string, FieldsInfo>): unknown {
  switch (field.type) {
    case 'many2one':
      return Array.isArray(value) ? value[0] : typeof value === 'number' ? value : false;
    case 'one2many': case 'many2many': {
      if (!isX2ManyValue(value)) return Array.isArray(value) ? [[6, 0, value]] : [];
      const sub = (field.relation && fields?.[field.relation]) || {};
      return x2manyCommands(value, field.type, (data, names) => valuesToWrite(data, names.filter((n) => n in sub), sub, fields));
    }
    case 'integer': case 'float':
      return value === '' || value === null || value === undefined ? false : value;
    default:
      return value === undefined || value === null ? false : value;
  }
}

/** `{field: wire value}` for the given names. `fields` (by model) resolves x2many sub-fields. */
export function valuesToWrite(values: RecordValues, names: Iterable<string>, model: FieldsInfo, fields?: Record<string, FieldsInfo>): Record<string, unknown> {
  const vals: Record<string, unknown> = {};
  for (const name of names) {
    const field = model[name];
    if (!field || name === 'id') continue;
    vals[name] = toWriteValue(values[name], field, fields);
  }
  return vals;
}

/** Names to save: changed ones, and for x2many the ones whose rows changed. */
export function changedNames(values: RecordValues, changed: Set<string>, model: FieldsInfo): string[] {
  const names = new Set(changed);
  for (const [name, value] of Object.entries(values)) {
    if (model[name] && isX2ManyValue(value) && isX2ManyDirty(value)) names.add(name);
  }
  return [...names];
}

/** Odoo's notion of "not set" for a required check. */
export function isEmpty(value: unknown, field: FieldInfo): boolean {
  if (field.type === 'boolean' || field.type === 'integer' || field.type === 'float') return value === undefined || value === null || value === '';
  if (isX2ManyValue(value)) return value.rows.length === 0;
  if (Array.isArray(value)) return value.length === 0;
  if (field.type === 'html' && typeof value === 'string') return value.replace(/<[^>]*>|&nbsp;|\s/g, '') === '';
  return value === false || value === null || value === undefined || value === '';
}

/** Names among `required` whose value is empty. */
export function missingRequired(values: RecordValues, required: string[], model: FieldsInfo): string[] {
  return required.filter((name) => model[name] && isEmpty(values[name], model[name]));
}

/**
 * Finds which field a server ValidationError is about, when its message names one
 * (by label, quoted or not, or by technical name). Returns undefined otherwise.
 */
export function fieldOfError(message: string, candidates: string[], model: FieldsInfo): string | undefined {
  const lower = message.toLowerCase();
  const byLength = [...candidates].sort((a, b) => (model[b]?.string ?? b).length - (model[a]?.string ?? a).length);
  return byLength.find((name) => {
    const label = model[name]?.string?.toLowerCase();
    return (label && lower.includes(label)) || new RegExp(`\\b${name}\\b`).test(message);
  });
}
