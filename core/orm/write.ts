/**
 * Turning wire values into rows: defaults, validation (unknown, read-only, required, wrong
 * types), conversion through the field types, INSERT/UPDATE, x2many commands and the
 * recomputation of stored computed fields. No access checks here: model.ts checks first.
 */
import { err, ValidationError } from '../errors.ts';
import { applyCommands, normalizeCommands, type Command } from './commands.ts';
import { FIELD_TYPES, formatDatetime, type Field } from './fields/index.ts';
import { rowsOf } from './environment.ts';
import type { Model, Vals } from './model.ts';
import type { ModelMeta } from './registry.ts';
import { recomputeDependents, recomputeStored } from './recompute.ts';
import { createValue, isTranslated, langOf, writeValue } from './translated-values.ts';
import { foldLinks, insertWithLinks } from './insert-links.ts';
import { insertRows } from './insert-rows.ts';

export { recomputeStored } from './recompute.ts';

const INSERT_CHUNK = 1000;

function label(field: Field): string {
  return `'${field.string ?? field.name}' (${field.modelName}.${field.name})`;
}

/** Validates field names and splits vals into column values and x2many commands. */
function prepare(records: Model, vals: Vals, mode: 'create' | 'write'): { columns: Record<string, unknown>; x2many: Array<[Field, Command[]]>; related: Array<[Field, unknown]> } {
  const columns: Record<string, unknown> = {};
  const x2many: Array<[Field, Command[]]> = [];
  const related: Array<[Field, unknown]> = [];
  for (const [name, value] of Object.entries(vals)) {
    const field = records._meta.fields.get(name);
    if (!field) throw err(ValidationError, "Invalid field '%s' on model '%s'", name, records._meta.name);
    if (field.automatic || name === 'display_name') {
      if (name === 'id' || mode === 'write' || name === 'display_name') throw err(ValidationError, 'Field %s cannot be written', label(field));
    }
    if (field.related) {
      related.push([field, value]);
      continue;
    }
    if (field.compute && !field.stored) throw err(ValidationError, 'Field %s is computed and cannot be written', label(field));
    if (field.type === 'one2many' || field.type === 'many2many') {
      x2many.push([field, normalizeCommands(field, value)]);
      continue;
    }
    const converted = FIELD_TYPES[field.type].toColumn(value, field);
    if (field.required && (converted === null || converted === '') && field.type !== 'boolean') {
      throw err(ValidationError, "Missing required value for field '%s' (%s.%s)", field.string ?? field.name, field.modelName, field.name);
    }
    columns[name] = isTranslated(field)
      ? (mode === 'create' ? createValue(converted as string | null, langOf(records.env)) : writeValue(records.env.cr, name, converted as string | null, langOf(records.env)))
      : converted;
  }
  return { columns, x2many, related };
}

/**
 * Writing a related field writes its target, as Odoo's inverse of related fields does:
 * `partner_city = 'Lyon'` on a ticket writes `city` on the ticket's partner, with the
 * caller's rights on the partner. The path is followed as superuser (as it is read).
 */
async function writeRelated(records: Model, related: Array<[Field, unknown]>): Promise<void> {
  for (const [field, value] of related) {
    const path = field.related!.split('.');
    let targets: Model = records;
    for (const step of path.slice(0, -1)) {
      const comodel = targets._meta.fields.get(step)!.comodel!;
      const rows = targets.ids.length ? await targets.sudo().read([step]) : [];
      const ids = [...new Set(rows.map((r) => (Array.isArray(r[step]) ? (r[step] as [number, string])[0] : null)).filter((id): id is number => !!id))];
      targets = records.env.model(comodel).browse(ids);
    }
    if (targets.ids.length) await targets.write({ [path[path.length - 1]]: value });
  }
}

/** Default values for `names`: context `default_<name>` first, then the field's default. */
export async function defaultValues(records: Model, names: string[]): Promise<Vals> {
  const out: Vals = {};
  for (const name of names) {
    const field = records._meta.fields.get(name);
    if (!field || field.automatic) continue;
    const ctxKey = `default_${name}`;
    if (ctxKey in records.env.context) out[name] = records.env.context[ctxKey];
    else if (field.default !== undefined) out[name] = typeof field.default === 'function' ? await (field.default as (e: unknown) => unknown)(records.env) : field.default;
  }
  return out;
}

/** PostgreSQL's integrity and data errors as ValidationErrors naming the model (others pass through). */
export function mapDbError(e: any, meta: ModelMeta): Error {
  const model = meta.name;
  switch (e?.code) {
    case '23505': return duplicateError(e, meta);
    case '23502': return err(ValidationError, "Missing required value on %s: column '%s' cannot be empty", model, e.column);
    case '23001': case '23503': return err(ValidationError, 'Invalid reference on %s: %s', model, e.detail ?? 'the referenced record does not exist');
    // Too deeply nested (a domain of thousands of levels): the caller's input, not a crash.
    case '54001': return err(ValidationError, 'The request on %s is too complex: %s', model, e.message);
    default:
      // Class 22 is PostgreSQL's "data exception": a value the column cannot take.
      if (typeof e?.code === 'string' && e.code.startsWith('22')) return err(ValidationError, 'Invalid value on %s: %s', model, e.message);
      return e;
  }
}

/**
 * A unique constraint refused the value. PostgreSQL says `Key (name)=(Correo) already
 * exists.`: the user reads which field and which value (labels are translated with the
 * message, as its string arguments).
 */
function duplicateError(e: any, meta: ModelMeta): Error {
  const m = /^Key \((.+)\)=\((.*)\) already exists\.?$/s.exec(String(e.detail ?? ''));
  if (!m) return err(ValidationError, 'Duplicate value on %s: %s', meta.name, e.detail ?? e.constraint ?? 'a unique constraint is violated');
  const labels = m[1].split(',').map((c) => c.trim().replace(/^"|"$/g, '')).map((c) => meta.fields.get(c)?.string ?? c);
  return err(ValidationError, 'Another %s already has the %s "%s": it must be unique.', meta.description, labels.join(', '), m[2]);
}

/** What `createRecords` looks up in a model's fields on every call, once per model class. */
interface CreatePlan {
  /** Fields a new row may take a default for (from the context, `default_<name>`). */
  storedNames: string[];
  /** …those of them with a default of their own. */
  defaulted: string[];
  /** Stored required fields (booleans aside: false is a value). */
  required: Field[];
  /** Stored computed fields computed before the INSERT. */
  precomputed: Field[];
}
const createPlans = new WeakMap<ModelMeta, CreatePlan>();
function contextHasDefaults(context: Record<string, unknown>): boolean {
  for (const key in context) if (key.startsWith('default_')) return true;
  return false;
}
function createPlan(meta: ModelMeta): CreatePlan {
  let plan = createPlans.get(meta);
  if (!plan) {
    const fields = [...meta.fields.values()];
    plan = {
      storedNames: fields.filter((f) => !f.automatic && (f.stored || f.type === 'many2many' || f.type === 'one2many')).map((f) => f.name),
      defaulted: fields.filter((f) => !f.automatic && (f.stored || f.type === 'many2many' || f.type === 'one2many') && f.default !== undefined).map((f) => f.name),
      required: fields.filter((f) => f.required && f.stored && f.type !== 'boolean'),
      precomputed: fields.filter((f) => f.precompute && f.compute && f.stored),
    };
    createPlans.set(meta, plan);
  }
  return plan;
}

export async function createRecords(records: Model, list: Vals[]): Promise<number[]> {
  const meta = records._meta;
  records.env.forgetMemo(meta.name);
  const now = formatDatetime(new Date());
  const plan = createPlan(meta);
  const prepared = [];
  // Without `default_<name>` keys in the context only the fields with defaults can get one.
  const candidates = contextHasDefaults(records.env.context) ? plan.storedNames : plan.defaulted;
  for (const vals of list) {
    const missing = candidates.filter((n) => !(n in vals));
    const withDefaults = { ...(await defaultValues(records, missing)), ...vals };
    const p = prepare(records, withDefaults, 'create');
    for (const field of plan.required) {
      if (p.columns[field.name] === null || p.columns[field.name] === undefined || p.columns[field.name] === '') {
        throw err(ValidationError, "Missing required value for field '%s' (%s.%s)", field.string ?? field.name, field.modelName, field.name);
      }
    }
    p.columns.create_uid ??= records.env.uid;
    p.columns.write_uid ??= records.env.uid;
    p.columns.create_date ??= now;
    p.columns.write_date ??= now;
    prepared.push(p);
  }
  const precomputed = new Set<string>();
  for (const field of plan.precomputed) {
    const values = await field.precompute!(records.env.sudo(), prepared.map((p) => p.columns));
    prepared.forEach((p, i) => { p.columns[field.name] = FIELD_TYPES[field.type].toColumn(values[i] ?? null, field); });
    precomputed.add(field.name);
  }
  // The model's last word on the rows, defaults applied: what derives from several of their
  // columns goes into the INSERT, not into an UPDATE right after it.
  await records._beforeInsert(prepared.map((p) => p.columns));
  const ids: number[] = [];
  // What the model wants of its new rows comes back with their ids (see Model._afterInsert).
  const extra = records._insertReturning();
  const returned: Array<Record<string, any>> = [];
  // One new row: its many2many links given outright are written by its INSERT (insert-links.ts).
  const folded = prepared.length === 1 ? foldLinks(prepared[0].x2many) : null;
  try {
    if (folded?.links.length) {
      const inserted = await insertWithLinks(records.env.cr, meta.table, prepared[0].columns, ['id', ...extra], folded.links);
      prepared[0].x2many = folded.rest;
      ids.push(Number(inserted[0].id));
      if (extra.length) returned.push(...inserted);
    }
    for (let i = ids.length; i < prepared.length; i += INSERT_CHUNK) {
      const rows = prepared.slice(i, i + INSERT_CHUNK).map((p) => p.columns);
      const inserted = await insertRows(records.env.cr, meta.table, rows, ['id', ...extra]);
      ids.push(...inserted.map((r: any) => Number(typeof r === 'object' ? r.id : r)));
      if (extra.length) returned.push(...inserted);
    }
  } catch (err) {
    throw mapDbError(err, meta);
  }
  if (extra.length) await records._afterInsert(returned);
  for (let i = 0; i < ids.length; i++) {
    for (const [field, commands] of prepared[i].x2many) await applyCommands(records.browse([ids[i]]), field, commands, true);
    if (prepared[i].related.length) await writeRelated(records.browse([ids[i]]), prepared[i].related);
  }
  await recomputeStored(records.browse(ids), null, precomputed);
  await recomputeDependents(records.browse(ids), null);
  return ids;
}

export async function writeRecords(records: Model, vals: Vals): Promise<void> {
  const meta = records._meta;
  records.env.forgetMemo(meta.name);
  const { columns, x2many, related } = prepare(records, vals, 'write');
  columns.write_uid = records.env.uid;
  columns.write_date = formatDatetime(new Date());
  try {
    await records.env.cr(meta.table).whereIn('id', records.ids).update(columns);
  } catch (err) {
    throw mapDbError(err, meta);
  }
  for (const id of records.ids) for (const [field, commands] of x2many) await applyCommands(records.browse([id]), field, commands);
  if (related.length) await writeRelated(records, related);
  const changed = new Set(Object.keys(vals));
  await recomputeStored(records, changed);
  await recomputeDependents(records, changed);
}

/** Ids referenced in `ids` that exist in `table` (used to validate many2one values). */
export async function existingIds(records: Model, table: string, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = rowsOf(await records.env.cr.raw(`SELECT id FROM "${table}" WHERE id IN (${ids.map(() => '?').join(',')})`, ids));
  return new Set(rows.map((r: any) => Number(r.id)));
}
