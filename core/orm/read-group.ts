/**
 * read_group: aggregates of the records matching a domain, grouped by fields, with Odoo's
 * `field:granularity` for dates (day, week, month, quarter, year) and its output format:
 * one dict per group with the group value ([id, name] for many2one, a label for dates),
 * `<groupby>_count` (lazy) or `__count`, `__domain` to open the group, and aggregates.
 */
import { ValidationError, err } from '../errors.ts';
import { q } from './domain/compile.ts';
import { andDomains } from './domain/index.ts';
import { FIELD_TYPES, type Field } from './fields/index.ts';
import type { Model, ModelClass } from './model.ts';
import { countsSource } from './group-counts.ts';
import { runQuery, whereClause } from './search.ts';
import { checkFieldAccess } from './field-access.ts';
import { isTranslated, langOf, translatedSql } from './translated-values.ts';

export interface ReadGroupOptions {
  offset: number;
  limit: number | null;
  orderby: string | null;
  lazy: boolean;
}

const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year'] as const;
type Granularity = (typeof GRANULARITIES)[number];
const AGGREGATES = new Set(['sum', 'avg', 'min', 'max', 'count', 'count_distinct', 'bool_and', 'bool_or', 'array_agg']);
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `lang`: translated values group by their text in the caller's language, as Odoo does. */
interface GroupSpec { spec: string; field: Field; granularity?: Granularity; lang: string }

function parseGroupby(model: ModelClass, spec: string, lang: string): GroupSpec {
  const [name, gran] = spec.split(':');
  const field = model._meta.fields.get(name);
  if (!field) throw err(ValidationError, "Invalid groupby: unknown field '%s' on model '%s'", name, model._meta.name);
  if (!field.stored || field.type === 'one2many' || field.type === 'binary') throw err(ValidationError, "Invalid groupby: field '%s' of '%s' cannot be grouped", name, model._meta.name);
  if (field.type === 'many2many') throw err(ValidationError, "Invalid groupby: grouping by many2many field '%s' is not supported", name);
  if (gran !== undefined) {
    if (field.type !== 'date' && field.type !== 'datetime') throw err(ValidationError, "Invalid groupby '%s': granularity needs a date field", spec);
    if (!(GRANULARITIES as readonly string[]).includes(gran)) throw err(ValidationError, "Invalid groupby '%s': granularity must be one of %s", spec, GRANULARITIES.join(', '));
  }
  return { spec, field, lang, granularity: (gran as Granularity) ?? (field.type === 'date' || field.type === 'datetime' ? 'month' : undefined) };
}

function groupExpr(g: GroupSpec): string {
  const c = `t0.${q(g.field.name)}`;
  if (isTranslated(g.field)) return translatedSql(c, g.lang);
  return g.granularity ? `date_trunc('${g.granularity}', ${c}::timestamp)` : c;
}

export async function readGroup(records: Model, domain: unknown[], fields: string[], groupby: string[], opts: ReadGroupOptions): Promise<Record<string, unknown>[]> {
  const model = records.constructor as ModelClass;
  if (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string')) throw err(ValidationError, "read_group of '%s' expects a list of field specifications, got %s", model._meta.name, JSON.stringify(fields));
  if (!Array.isArray(groupby) || groupby.some((g) => typeof g !== 'string')) throw err(ValidationError, "read_group of '%s' expects a group-by field or a list of them, got %s", model._meta.name, JSON.stringify(groupby));
  // Every group-by is checked, also those a lazy read_group leaves for the next level.
  const lang = langOf(records.env);
  const allSpecs = groupby.map((g) => parseGroupby(model, g, lang));
  await checkFieldAccess(records.env, model, allSpecs.map((s) => s.field.name), 'group');
  const specs = opts.lazy ? allSpecs.slice(0, 1) : allSpecs;
  const aggregates: Array<{ name: string; sql: string }> = [];
  for (const f of fields) {
    const m = /^(\w+)(?::(\w+))?(?:\((\w+)\))?$/.exec(f.trim());
    if (!m) throw err(ValidationError, "Invalid aggregate specification '%s'", f);
    const [, name, agg1, agg2] = m;
    if (name === '__count') continue;
    const field = model._meta.fields.get(agg2 ? agg2 : name);
    if (!field) throw err(ValidationError, "Invalid field '%s' on model '%s' in read_group", agg2 ?? name, model._meta.name);
    // Named fields are refused when restricted, even those that end up not aggregated.
    await checkFieldAccess(records.env, model, [field.name], 'aggregate');
    if (specs.some((s) => s.field.name === name)) continue;
    const agg = agg1 ?? (['integer', 'float', 'monetary'].includes(field.type) && field.name !== 'id' ? 'sum' : undefined);
    if (!agg || !field.stored) continue;
    if (!AGGREGATES.has(agg)) throw err(ValidationError, "Invalid aggregate function '%s'", agg);
    const column = isTranslated(field) ? translatedSql(`t0.${q(field.name)}`, lang) : `t0.${q(field.name)}`;
    const expr = agg === 'count_distinct' ? `count(DISTINCT ${column})` : `${agg}(${column})`;
    aggregates.push({ name, sql: expr });
  }
  // Counting by counted fields only: the counts table answers (core/orm/group-counts.ts).
  const counted = !aggregates.length && specs.every((g) => !g.granularity && model._meta.groupCounts.includes(g.field.name))
    ? await countsSource(records.env, model, domain) : null;
  const cond = counted?.where ?? await whereClause(records.env, model, domain, 't0');
  const groupCols = specs.map((g, i) => `${groupExpr(g)} AS g${i}`);
  const order = groupOrder(model, specs, opts.orderby);
  const countSql = counted ? 'COALESCE(sum(t0.n), 0) AS __count' : 'count(*) AS __count';
  let sql = `SELECT ${[...groupCols, countSql, ...aggregates.map((a, i) => `${a.sql} AS a${i}`)].join(', ')} FROM ${counted?.table ?? q(model._meta.table)} t0 WHERE ${cond.sql}`;
  if (specs.length) sql += ` GROUP BY ${specs.map((_, i) => `g${i}`).join(', ')}`;
  // Cells whose rows are all gone keep a zero count until compacted: not a group.
  if (counted && specs.length) sql += ' HAVING sum(t0.n) > 0';
  if (order) sql += ` ORDER BY ${order}`;
  const bindings = [...cond.bindings];
  for (const [what, v] of [['limit', opts.limit], ['offset', opts.offset]] as const) {
    if (v !== null && v !== undefined && v !== false as unknown && (!Number.isInteger(v) || (v as number) < 0)) throw err(ValidationError, 'Invalid %s %s in read_group: expected a non-negative integer', what, JSON.stringify(v));
  }
  if (opts.limit) { sql += ' LIMIT ?'; bindings.push(opts.limit); }
  if (opts.offset) { sql += ' OFFSET ?'; bindings.push(opts.offset); }
  const rows = await runQuery(records.env, model, sql, bindings);

  const names = new Map<string, Map<number, string>>();
  for (const [i, g] of specs.entries()) {
    if (g.field.type !== 'many2one') continue;
    const ids = [...new Set(rows.map((r: any) => r[`g${i}`]).filter((v: unknown) => v !== null).map(Number))];
    names.set(g.field.name, await records.env.sudo().model(g.field.comodel!).browse(ids as number[])._displayNames());
  }
  const t = (s: string) => records.env.registry.translate(records.env.lang, s);
  return rows.map((row: any) => {
    const group: Record<string, unknown> = {};
    const groupDomain: unknown[][] = [];
    for (const [i, g] of specs.entries()) {
      const raw = row[`g${i}`];
      if (g.granularity) {
        if (raw === null) { group[g.spec] = false; groupDomain.push([[g.field.name, '=', false]]); continue; }
        const start = raw instanceof Date ? raw : new Date(`${String(raw).replace(' ', 'T')}Z`);
        const end = addPeriod(start, g.granularity);
        const fmt = (d: Date) => FIELD_TYPES[g.field.type].toColumn(d, g.field) as string;
        group[g.spec] = periodLabel(start, g.granularity, t);
        group.__range = { ...(group.__range as object), [g.spec]: { from: fmt(start), to: fmt(end) } };
        groupDomain.push(['&', [g.field.name, '>=', fmt(start)], [g.field.name, '<', fmt(end)]]);
      } else if (g.field.type === 'many2one') {
        const id = raw === null ? null : Number(raw);
        group[g.spec] = id === null ? false : [id, names.get(g.field.name)?.get(id) ?? ''];
        groupDomain.push([[g.field.name, '=', id ?? false]]);
      } else {
        const v = raw === null ? false : FIELD_TYPES[g.field.type].toWire(raw, g.field);
        group[g.spec] = v;
        groupDomain.push([[g.field.name, '=', v]]);
      }
    }
    const count = Number(row.__count);
    if (opts.lazy && specs.length) {
      group[`${specs[0].field.name}_count`] = count;
      if (groupby.length > 1) group.__context = { group_by: groupby.slice(1) };
    }
    group.__count = count;
    aggregates.forEach((a, i) => (group[a.name] = row[`a${i}`] === null ? 0 : Number(row[`a${i}`])));
    group.__domain = andDomains(domain, ...groupDomain);
    return group;
  });
}

function groupOrder(model: ModelClass, specs: GroupSpec[], orderby: string | null): string {
  if (orderby !== null && orderby !== undefined && orderby !== false as unknown && typeof orderby !== 'string') throw err(ValidationError, 'Invalid orderby %s in read_group: expected a string', JSON.stringify(orderby));
  if (orderby && orderby.trim()) {
    return orderby.split(',').map((term) => {
      const m = /^\s*([\w:]+)(?:\s+(asc|desc))?\s*$/i.exec(term);
      if (!m) throw err(ValidationError, 'Invalid orderby term "%s" in read_group', term);
      const idx = specs.findIndex((s) => s.spec === m[1] || s.field.name === m[1]);
      if (m[1] === '__count') return `__count ${(m[2] ?? 'asc').toUpperCase()}`;
      if (idx < 0) throw err(ValidationError, "Invalid orderby: '%s' is not a groupby of this read_group", m[1]);
      return `g${idx} ${(m[2] ?? 'asc').toUpperCase()}`;
    }).join(', ');
  }
  return specs.map((g, i) => {
    if (g.field.type === 'many2one') {
      const co = model._registry.get(g.field.comodel!)!;
      const firstOrder = co._meta.order.split(',')[0].trim().split(/\s+/);
      const f = co._meta.fields.get(firstOrder[0]);
      if (f?.stored) return `(SELECT ${isTranslated(f) ? translatedSql(`o.${q(f.name)}`, g.lang) : `o.${q(f.name)}`} FROM ${q(co._meta.table)} o WHERE o.id = ${groupExpr(g)}) ${firstOrder[1]?.toUpperCase() === 'DESC' ? 'DESC' : 'ASC'}, g${i}`;
    }
    if (g.field.type === 'selection' && g.field.selection?.length) {
      // Odoo: selection groups come in the selection's order (the workflow's), not alphabetically.
      const rank = g.field.selection.map(([value], n) => `WHEN '${value.replace(/'/g, "''")}' THEN ${n}`).join(' ');
      return `CASE ${groupExpr(g)}::text ${rank} ELSE ${g.field.selection.length} END, g${i}`;
    }
    return `g${i} ASC`;
  }).join(', ');
}

function addPeriod(d: Date, g: Granularity): Date {
  const r = new Date(d.getTime());
  switch (g) {
    case 'day': r.setUTCDate(r.getUTCDate() + 1); break;
    case 'week': r.setUTCDate(r.getUTCDate() + 7); break;
    case 'month': r.setUTCMonth(r.getUTCMonth() + 1); break;
    case 'quarter': r.setUTCMonth(r.getUTCMonth() + 3); break;
    case 'year': r.setUTCFullYear(r.getUTCFullYear() + 1); break;
  }
  return r;
}

function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
  const yearStart = new Date(Date.UTC(t.getUTCFullYear(), 0, 1));
  return Math.ceil(((t.getTime() - yearStart.getTime()) / 86400000 + 1) / 7);
}

function periodLabel(d: Date, g: Granularity, t: (s: string) => string): string {
  const month = t(MONTHS[d.getUTCMonth()]);
  switch (g) {
    case 'day': return `${String(d.getUTCDate()).padStart(2, '0')} ${month.slice(0, 3)} ${d.getUTCFullYear()}`;
    case 'week': return `W${isoWeek(d)} ${d.getUTCFullYear()}`;
    case 'month': return `${month} ${d.getUTCFullYear()}`;
    case 'quarter': return `Q${Math.floor(d.getUTCMonth() / 3) + 1} ${d.getUTCFullYear()}`;
    case 'year': return String(d.getUTCFullYear());
  }
}
