/**
 * Reading records into Odoo's wire format: stored columns in one query, then one batch per
 * many2one (display names), x2many (ids, seen through the comodel's rules), related path
 * and computed field. No access checks here: model.ts checks before calling.
 */
import { FIELD_TYPES, type Field } from './fields/index.ts';
import { q } from './domain/compile.ts';
import { statementRowsNamed } from '../db/index.ts';
import { rowsOf } from './environment.ts';
import { Model } from './model.ts';
import { searchIds } from './search.ts';
import { isTranslated, langOf, pickTranslation, translatedSql } from './translated-values.ts';

export type WireRecord = Record<string, unknown> & { id: number };

/** A many2one of search_read named from the names kept across requests (SharedCache.names). */
export interface CachedNameSource {
  field: Field;
  /** The comodel's table and its name expression (alias o). */
  table: string;
  value: string;
}

/**
 * How search_read names its many2ones whose comodel's display name is simply its stored name
 * field — never a query per many2one: from the names kept across requests when the
 * comodel's table announces its changes (a list shows the same few hundred partners,
 * categories and technicians request after request, and looking each up again inside the
 * search was half of PostgreSQL's work for a list of 80), else by a SELECT expression
 * inside the main query (alias t0).
 */
export function many2oneNames(records: Model, names: string[]): { selects: string[]; cached: CachedNameSource[] } {
  const selects: string[] = [];
  const cached: CachedNameSource[] = [];
  for (const n of names) {
    const f = records._meta.fields.get(n);
    if (!f || f.type !== 'many2one' || !f.stored) continue;
    const co = records.env.registry.get(f.comodel!)!;
    const rec = co._meta.recName ? co._meta.fields.get(co._meta.recName) : undefined;
    if (!rec?.stored || co.prototype._displayNames !== Model.prototype._displayNames) continue;
    const value = isTranslated(rec) ? translatedSql(`o.${q(rec.name)}`, langOf(records.env)) : `o.${q(rec.name)}`;
    if (records.env.sharesCacheOf([co._meta.name]) && records.env.registry.sharedCache.usable([co._meta.table])) cached.push({ field: f, table: co._meta.table, value });
    else selects.push(`(SELECT ${value} FROM ${q(co._meta.table)} o WHERE o.id = t0.${q(f.name)}) AS ${q(`${f.name}__display`)}`);
  }
  return { selects, cached };
}

/**
 * Gives each row its `<many2one>__display` name from the names kept across requests,
 * reading the missing ones in one statement per comodel (as superuser, as Odoo names
 * many2ones): what readRecords expects of a name selected inside the search.
 */
export async function attachCachedNames(records: Model, rows: any[], sources: CachedNameSource[]): Promise<void> {
  const env = records.env;
  for (const s of sources) {
    const column = s.field.name;
    const ids: number[] = [];
    for (const row of rows) if (row[column] !== null && row[column] !== undefined) ids.push(Number(row[column]));
    const names = ids.length
      ? await env.cachedNames(s.field.comodel!, `${s.table}:${s.value}`, ids, async (missing) => {
        const found = await statementRowsNamed(env.cr, `SELECT o.id, ${s.value} AS name FROM ${q(s.table)} o WHERE o.id = ANY(?::int[])`, [missing]);
        return found.map((r: any) => [Number(r.id), r.name] as [number, unknown]);
      })
      : undefined;
    const display = `${column}__display`;
    for (const row of rows) row[display] = row[column] === null || row[column] === undefined ? null : names!.get(Number(row[column])) ?? null;
  }
}

/** Stored column names among `names` (what one SELECT can fetch). */
export function storedColumns(records: Model, names: string[]): string[] {
  return names.filter((n) => n !== 'id' && records._meta.fields.get(n)?.stored && !records._meta.fields.get(n)?.writeOnly);
}

/**
 * Reads `names` of `records`; `prefetched` rows (from search_read's single query) already
 * hold the stored columns, in the records' order.
 */
export async function readRecords(records: Model, names: string[], prefetched?: any[]): Promise<WireRecord[]> {
  const meta = records._meta;
  const ids = records.ids;
  if (!ids.length) return [];
  const fieldsToRead = names.map((n) => meta.fields.get(n)!);
  // Write-only columns (password hashes) are never selected: they read back empty.
  const stored = fieldsToRead.filter((f) => f.stored && f.name !== 'id' && !f.writeOnly);
  const rows = prefetched ?? rowsOf(await records.env.cr.raw(
    `SELECT id${stored.map((f) => `, ${q(f.name)}`).join('')} FROM ${q(meta.table)} WHERE id IN (${ids.map(() => '?').join(',')})`, ids));
  const byId = new Map<number, WireRecord>();
  const lang = langOf(records.env);
  // Per column once, not per value: its name, wire conversion and whether it is translated.
  // A many2one whose name came with the rows (many2oneNames) becomes its [id, name] pair here.
  const columns = stored.map((f) => {
    const display = f.type === 'many2one' && prefetched?.length && `${f.name}__display` in prefetched[0] ? `${f.name}__display` : undefined;
    return { f, name: f.name, toWire: FIELD_TYPES[f.type].toWire, translated: isTranslated(f), display };
  });
  const list: WireRecord[] = [];
  for (const row of rows) {
    const rec: WireRecord = { id: Number(row.id) };
    for (const c of columns) {
      const v = c.toWire(c.translated ? pickTranslation(row[c.name], lang) : row[c.name], c.f);
      rec[c.name] = c.display !== undefined && typeof v === 'number' ? [v, row[c.display] ?? ''] : v;
    }
    byId.set(rec.id, rec);
    list.push(rec);
  }
  const present = byId.size === ids.length ? ids : ids.filter((id) => byId.has(id));
  const live = present === ids ? records : records._browseKnown(present);
  for (const field of fieldsToRead) {
    if (field.name === 'id') continue;
    if (field.writeOnly) {
      for (const id of present) byId.get(id)![field.name] = field.type === 'char' || field.type === 'text' ? '' : emptyValue(field);
    } else if (field.name === 'display_name' && !field.compute) {
      const names = await live._displayNames();
      for (const id of present) byId.get(id)!.display_name = names.get(id) ?? false;
    } else if (field.related) {
      const values = await relatedValues(live, field);
      for (const id of present) byId.get(id)![field.name] = values.get(id) ?? emptyValue(field);
    } else if (field.compute && !field.stored) {
      const values = await field.compute(live);
      for (const id of present) byId.get(id)![field.name] = toWireComputed(field, values.get(id));
    } else if (field.type === 'one2many' || field.type === 'many2many') {
      const values = await x2manyIds(live, field);
      for (const id of present) byId.get(id)![field.name] = values.get(id) ?? [];
    }
  }
  const inlined = new Set(columns.filter((c) => c.display !== undefined).map((c) => c.name));
  await nameMany2ones(live, fieldsToRead.filter((f) => f.type === 'many2one' && (f.stored || f.compute) && !f.related && !inlined.has(f.name)), byId);
  // Prefetched rows come in the records' order: the list is already the answer.
  return prefetched && list.length === ids.length && present === ids ? list : present.map((id) => byId.get(id)!);
}

export function emptyValue(field: Field): unknown {
  if (field.type === 'one2many' || field.type === 'many2many') return [];
  if (field.type === 'integer' || field.type === 'float' || field.type === 'monetary') return 0;
  return false;
}

function toWireComputed(field: Field, value: unknown): unknown {
  if (value === undefined || value === null) return emptyValue(field);
  if (field.type === 'many2one' && typeof value === 'number') return value; // named in nameMany2ones
  return value;
}

/** Replaces many2one ids by [id, display_name] pairs, one query per comodel (as superuser, as Odoo). */
async function nameMany2ones(records: Model, m2os: Field[], byId: Map<number, WireRecord>): Promise<void> {
  for (const field of m2os) {
    const ids = new Set<number>();
    for (const rec of byId.values()) if (typeof rec[field.name] === 'number') ids.add(rec[field.name] as number);
    if (!ids.size) continue;
    const comodel = records.env.sudo().model(field.comodel!);
    const names = await comodel.browse([...ids])._displayNames();
    for (const rec of byId.values()) {
      const v = rec[field.name];
      if (typeof v === 'number') rec[field.name] = names.has(v) ? [v, names.get(v)] : false;
    }
  }
}

/** Ids of the x2many field per record, filtered through the comodel's record rules. */
export async function x2manyIds(records: Model, field: Field): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  const env = records.env;
  const comodel = records.env.registry.get(field.comodel!)!;
  let pairs: Array<[number, number]>;
  if (field.type === 'one2many') {
    const domain: unknown[] = [[field.inverseName!, 'in', records.ids], ...(field.domain ?? [])];
    if (field.modelField) domain.push([field.modelField, '=', records._meta.name]);
    const ids = await searchIds(env, comodel, domain, {});
    if (!ids.length) return out;
    const rows = rowsOf(await env.cr.raw(`SELECT id, ${q(field.inverseName!)} AS owner FROM ${q(comodel._meta.table)} WHERE id IN (${ids.map(() => '?').join(',')})`, ids));
    const owner = new Map(rows.map((r: any) => [Number(r.id), Number(r.owner)]));
    pairs = ids.map((id) => [owner.get(id)!, id]);
  } else {
    const rows = rowsOf(await env.cr.raw(
      `SELECT ${q(field.column1!)} AS a, ${q(field.column2!)} AS b FROM ${q(field.relation!)} WHERE ${q(field.column1!)} IN (${records.ids.map(() => '?').join(',')})`, records.ids));
    if (!rows.length) return out;
    const linked = [...new Set(rows.map((r: any) => Number(r.b)))];
    const visible = new Set(await searchIds(env, comodel, [['id', 'in', linked], ...(field.domain ?? [])], {}));
    const ordered = await searchIds(env.sudo(), comodel, [['id', 'in', [...visible]]], { rules: false });
    const rank = new Map(ordered.map((id, i) => [id, i]));
    pairs = rows.filter((r: any) => visible.has(Number(r.b))).map((r: any) => [Number(r.a), Number(r.b)] as [number, number]);
    pairs.sort((x, y) => (rank.get(x[1]) ?? 0) - (rank.get(y[1]) ?? 0));
  }
  for (const [owner, id] of pairs) {
    if (!out.has(owner)) out.set(owner, []);
    out.get(owner)!.push(id);
  }
  return out;
}

/** Values of a related field (`partner_id.city`), followed as superuser like Odoo. */
async function relatedValues(records: Model, field: Field): Promise<Map<number, unknown>> {
  const path = field.related!.split('.');
  let current = new Map<number, number | null>(records.ids.map((id) => [id, id]));
  let model = records.sudo();
  for (let i = 0; i < path.length - 1; i++) {
    const targets = [...new Set([...current.values()].filter((v): v is number => v !== null))];
    const rows = targets.length ? await model.browse(targets).read([path[i]]) : [];
    const next = new Map<number, number | null>(rows.map((r) => [r.id, Array.isArray(r[path[i]]) ? (r[path[i]] as [number, string])[0] : null]));
    for (const [id, v] of current) current.set(id, v === null ? null : next.get(v) ?? null);
    const f = model._meta.fields.get(path[i])!;
    model = model.env.model(f.comodel!);
  }
  const last = path[path.length - 1];
  const targets = [...new Set([...current.values()].filter((v): v is number => v !== null))];
  const rows = targets.length ? await model.browse(targets).read([last]) : [];
  const values = new Map(rows.map((r) => [r.id, r[last]]));
  const out = new Map<number, unknown>();
  for (const [id, v] of current) out.set(id, v === null ? emptyValue(field) : values.get(v) ?? emptyValue(field));
  return out;
}
