/**
 * Odoo's `export_data`: the rows of an export, one per record, one column per path.
 * A path is a list of field names joined by '/' (`partner_id/name`); a trailing `.id` is the
 * database id, a trailing `id` the external id (`module.name`, empty when there is none).
 * Many2one values export as their display name, x2many values as the comma-joined display
 * names of the linked records the user may read. Every field of every path goes through
 * field-access.ts first ('export'), and values are read as the user.
 */
import { ValidationError, err } from '../errors.ts';
import { checkFieldAccess } from './field-access.ts';
import type { Model } from './model.ts';

interface ExportPath {
  fields: string[];
  /** What a trailing `.id` / `id` asks for, after the fields. */
  tail: 'db_id' | 'xml_id' | null;
}

function parsePath(model: Model, raw: unknown): ExportPath {
  if (typeof raw !== 'string' || !raw.trim()) throw err(ValidationError, "Invalid export path %s on model '%s': expected a field path such as 'partner_id/name'", JSON.stringify(raw), model._meta.name);
  const segments = raw.trim().split('/');
  const last = segments[segments.length - 1];
  const tail = last === '.id' ? 'db_id' : last === 'id' ? 'xml_id' : null;
  const fields = tail ? segments.slice(0, -1) : segments;
  if (fields.some((f) => !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(f))) throw err(ValidationError, "Invalid export path '%s' on model '%s'", raw, model._meta.name);
  return { fields, tail };
}

export async function exportRows(records: Model, paths: unknown): Promise<unknown[][]> {
  if (!Array.isArray(paths) || !paths.length) throw err(ValidationError, "export_data of '%s' expects a non-empty list of field paths", records._meta.name);
  const parsed = paths.map((p) => parsePath(records, p));
  await checkFieldAccess(records.env, records.constructor as typeof Model, parsed.filter((p) => p.fields.length).map((p) => p.fields.join('.')), 'export');
  for (const p of parsed) {
    if (!p.tail || !p.fields.length) continue;
    let model = records.constructor as typeof Model;
    let field;
    for (const name of p.fields) {
      field = model._meta.fields.get(name)!;
      model = model._registry.get(field.comodel ?? '') ?? model;
    }
    if (!field!.comodel) throw err(ValidationError, "Invalid export path '%s/%s' on model '%s': '%s' is not relational", p.fields.join('/'), p.tail === 'db_id' ? '.id' : 'id', records._meta.name, field!.name);
  }
  const columns = await Promise.all(parsed.map((p) => valuesAt(records, p.fields, p.tail)));
  return records.ids.map((id) => columns.map((col) => col.get(id) ?? false));
}

/** The exported value of `fields` (then `tail`) for each record of `records`. */
async function valuesAt(records: Model, fields: string[], tail: ExportPath['tail']): Promise<Map<number, unknown>> {
  const out = new Map<number, unknown>();
  if (!records.ids.length) return out;
  if (!fields.length) {
    if (tail === 'xml_id') return xmlIds(records);
    for (const id of records.ids) out.set(id, id);
    return out;
  }
  const [head, ...rest] = fields;
  const field = records._meta.fields.get(head)!;
  const rows = await records.read([head]);
  const targetsOf = (v: unknown): number[] => (Array.isArray(v) ? (field.type === 'many2one' ? [v[0] as number] : (v as number[])) : []);
  if (!field.comodel || (!rest.length && !tail)) {
    const names = field.comodel ? await records.env.sudo().model(field.comodel).browse([...new Set(rows.flatMap((r) => targetsOf(r[head])))])._displayNames() : null;
    for (const r of rows) out.set(r.id, names ? targetsOf(r[head]).map((id) => names.get(id) ?? '').join(',') || false : r[head]);
    return out;
  }
  const comodel = records.env.model(field.comodel);
  const sub = await valuesAt(comodel.browse([...new Set(rows.flatMap((r) => targetsOf(r[head])))]), rest, tail);
  for (const r of rows) {
    const values = targetsOf(r[head]).map((id) => sub.get(id)).filter((v) => v !== undefined && v !== false && v !== '');
    out.set(r.id, field.type === 'many2one' ? (values[0] ?? false) : values.join(',') || false);
  }
  return out;
}

async function xmlIds(records: Model): Promise<Map<number, unknown>> {
  const rows = await records.env.cr('ir_model_data').where('model', records._meta.name).whereIn('res_id', records.ids).select('module', 'name', 'res_id');
  const out = new Map<number, unknown>(records.ids.map((id) => [id, '']));
  for (const r of rows) out.set(Number(r.res_id), `${r.module}.${r.name}`);
  return out;
}
