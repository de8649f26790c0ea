/**
 * Compiles a parsed domain into a parameterised SQL condition for one model's table
 * alias. Values only ever travel as bindings; identifiers come from field metadata and
 * are quoted. Dotted paths and relational operators become sub-queries built by the
 * comodel's own search (so the comodel's record rules apply — a path never reveals
 * records the user cannot read). Every field a leaf touches goes through field-access.ts, so
 * a restricted field cannot be searched directly, through a dotted path or a related field.
 *
 *   ('partner_id.name', 'ilike', 'x')  →  t0."partner_id" IN (SELECT t1.id FROM res_partner t1 WHERE t1."name" ILIKE ?)
 */
import { ValidationError, err } from '../../errors.ts';
import { checkFieldAccess } from '../field-access.ts';
import { FIELD_TYPES, type Field } from '../fields/index.ts';
import type { ModelClass } from '../model.ts';
import type { Environment } from '../environment.ts';
import { parseDomain, type DomainNode } from './parse.ts';
import { isTranslated, langOf, translatedSql } from '../translated-values.ts';

export interface Sql {
  sql: string;
  bindings: unknown[];
}
export const TRUE_SQL: Sql = { sql: 'TRUE', bindings: [] };
export const FALSE_SQL: Sql = { sql: 'FALSE', bindings: [] };

/** Builds "SELECT alias.id FROM … WHERE …" for a comodel search (rules applied). */
export type SubSearch = (model: ModelClass, domain: DomainNode | unknown[]) => Promise<Sql>;

export interface CompileContext {
  env: Environment;
  subSearch: SubSearch;
  nextAlias: () => string;
}

export const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;
const col = (alias: string, name: string) => `${alias}.${q(name)}`;

export async function compileNode(ctx: CompileContext, model: ModelClass, alias: string, node: DomainNode): Promise<Sql> {
  switch (node.kind) {
    case 'true': return TRUE_SQL;
    case 'false': return FALSE_SQL;
    case 'not': {
      const inner = await compileNode(ctx, model, alias, node.child);
      return { sql: `(NOT COALESCE((${inner.sql}), FALSE))`, bindings: inner.bindings };
    }
    case 'and':
    case 'or': {
      const parts = await Promise.all(node.children.map((c) => compileNode(ctx, model, alias, c)));
      if (parts.length === 0) return node.kind === 'and' ? TRUE_SQL : FALSE_SQL;
      return { sql: `(${parts.map((p) => p.sql).join(node.kind === 'and' ? ' AND ' : ' OR ')})`, bindings: parts.flatMap((p) => p.bindings) };
    }
    case 'leaf':
      return compileLeaf(ctx, model, alias, node.path, node.operator, node.value);
  }
}

function fieldOf(model: ModelClass, name: string): Field {
  const field = model._meta.fields.get(name);
  if (!field) throw err(ValidationError, "Invalid field '%s' on model '%s' in domain", name, model._meta.name);
  return field;
}

async function compileLeaf(ctx: CompileContext, model: ModelClass, alias: string, path: string[], op: string, value: unknown): Promise<Sql> {
  const field = fieldOf(model, path[0]);
  // Field groups and write-only fields, for every field of a path: the rest of the path is
  // compiled on the comodel, which checks its own first field again.
  await checkFieldAccess(ctx.env, model, [field.name], 'search');
  const rest = path.slice(1);
  if (field.related) return compileLeaf(ctx, model, alias, [...field.related.split('.'), ...rest], op, value);
  if (field.name === 'display_name') {
    const rec = model._meta.recName;
    if (!rec) throw err(ValidationError, "Model '%s' cannot be searched by display_name", model._meta.name);
    return compileLeaf(ctx, model, alias, [rec, ...rest], op, value);
  }
  if (field.search && !field.stored) {
    if (rest.length) throw err(ValidationError, "Field '%s' of model '%s' is searched by a function: it cannot be followed ('%s')", field.name, model._meta.name, path.join('.'));
    return compileNode(ctx, model, alias, parseDomain(await field.search(ctx.env, op, value)));
  }
  if ((!field.stored && field.type !== 'one2many' && field.type !== 'many2many') || (field.compute && !field.store)) {
    throw err(ValidationError, "Field '%s' of model '%s' is not stored and cannot be searched", field.name, model._meta.name);
  }
  const registry = model._registry;
  if (rest.length) {
    if (!field.comodel) throw err(ValidationError, "Field '%s' of '%s' is not relational: cannot follow '%s'", field.name, model._meta.name, path.join('.'));
    const comodel = registry.get(field.comodel)!;
    const sub = await ctx.subSearch(comodel, { kind: 'leaf', path: rest, operator: op as any, value });
    return relationalIn(model, alias, field, sub, false);
  }
  if (op === 'any' || op === 'not any') {
    if (!field.comodel) throw err(ValidationError, "Operator '%s' needs a relational field, '%s' is %s", op, field.name, field.type);
    const sub = await ctx.subSearch(registry.get(field.comodel)!, value as DomainNode);
    return relationalIn(model, alias, field, sub, op === 'not any');
  }
  if (field.name === 'id' && (op === 'child_of' || op === 'parent_of')) {
    const sub = await hierarchySql(ctx, model, op, value);
    return { sql: `${alias}.id IN (${sub.sql})`, bindings: sub.bindings };
  }
  const type = FIELD_TYPES[field.type];
  if (!type.operators.has(op)) throw err(ValidationError, "Operator '%s' is not supported on field '%s' (%s)", op, field.name, field.type);

  switch (field.type) {
    case 'many2one': return many2oneLeaf(ctx, model, alias, field, op, value);
    case 'one2many':
    case 'many2many': return x2manyLeaf(ctx, model, alias, field, op, value);
    case 'boolean': return booleanLeaf(alias, field, op, value);
    default: return scalarLeaf(alias, field, op, convertValue(field, value), isTranslated(field) ? translatedSql(col(alias, field.name), langOf(ctx.env)) : undefined);
  }
}

/** Converts a leaf value for comparison with a column; like-patterns stay strings. */
function convertValue(field: Field, value: unknown): unknown {
  if (value === false || value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => convertValue(field, v));
  if ((field.type === 'integer' || field.type === 'float') && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if ((field.type === 'integer' || field.type === 'float') && typeof value !== 'number') {
    throw err(ValidationError, "Invalid value %s for %s field '%s' in domain", JSON.stringify(value), field.type, field.name);
  }
  return value;
}

function inList(values: unknown[]): Sql {
  return { sql: values.map(() => '?').join(', '), bindings: values };
}

/** Lists of ids longer than this are one array parameter (PostgreSQL takes at most 65,535). */
const ARRAY_BINDING_FROM = 1000;

/** `column [NOT] IN (…)`; a long list of integers is bound as one array: `column = ANY(?::int[])`. */
function inCondition(c: string, field: Field, values: unknown[], negate = false): Sql {
  if (values.length > ARRAY_BINDING_FROM && (field.type === 'integer' || field.type === 'many2one') && values.every(Number.isInteger)) {
    return { sql: negate ? `NOT (${c} = ANY(?::int[]))` : `${c} = ANY(?::int[])`, bindings: [values] };
  }
  const l = inList(values);
  return { sql: `${c} ${negate ? 'NOT IN' : 'IN'} (${l.sql})`, bindings: l.bindings };
}

/** `expr` replaces the column (a translated value read in the user's language). */
export function scalarLeaf(alias: string, field: Field, op: string, value: unknown, expr?: string): Sql {
  // Odoo: ('f', '=', [a, b]) means 'in' (and '!=' 'not in'); other operators take one value.
  if (Array.isArray(value) && (op === '=' || op === '!=')) op = op === '=' ? 'in' : 'not in';
  const values = op === 'in' || op === 'not in' ? (Array.isArray(value) ? value : [value]) : [value];
  for (const v of values) {
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
      throw err(ValidationError, "Invalid value %s for operator '%s' on field '%s' in domain", JSON.stringify(value), op, field.name);
    }
  }
  const c = expr ?? col(alias, field.name);
  const cast = field.type === 'date' || field.type === 'datetime' ? `${c}::text` : c;
  switch (op) {
    case '=':
      return value === null ? { sql: `${c} IS NULL`, bindings: [] } : { sql: `${c} = ?`, bindings: [value] };
    case '!=':
      return value === null ? { sql: `${c} IS NOT NULL`, bindings: [] } : { sql: `(${c} != ? OR ${c} IS NULL)`, bindings: [value] };
    case '<': case '<=': case '>': case '>=':
      if (value === null) return FALSE_SQL;
      return { sql: `${c} ${op} ?`, bindings: [value] };
    case 'in':
    case 'not in': {
      const values = (Array.isArray(value) ? value : [value]) as unknown[];
      const nonNull = values.filter((v) => v !== null);
      const hasNull = nonNull.length !== values.length;
      if (op === 'in') {
        const parts: Sql[] = [];
        if (nonNull.length) parts.push(inCondition(c, field, nonNull));
        if (hasNull) parts.push({ sql: `${c} IS NULL`, bindings: [] });
        if (!parts.length) return FALSE_SQL;
        return { sql: `(${parts.map((p) => p.sql).join(' OR ')})`, bindings: parts.flatMap((p) => p.bindings) };
      }
      if (!nonNull.length) return hasNull ? { sql: `${c} IS NOT NULL`, bindings: [] } : TRUE_SQL;
      const l = inCondition(c, field, nonNull, true);
      return hasNull
        ? { sql: `(${l.sql} AND ${c} IS NOT NULL)`, bindings: l.bindings }
        : { sql: `(${l.sql} OR ${c} IS NULL)`, bindings: l.bindings };
    }
    case 'like': case 'ilike': case 'not like': case 'not ilike': {
      const sqlOp = op.toUpperCase();
      const pattern = `%${value ?? ''}%`;
      return op.startsWith('not')
        ? { sql: `(${cast} ${sqlOp} ? OR ${c} IS NULL)`, bindings: [pattern] }
        : { sql: `${cast} ${sqlOp} ?`, bindings: [pattern] };
    }
    case '=like': case '=ilike':
      return { sql: `${cast} ${op.slice(1).toUpperCase()} ?`, bindings: [value ?? ''] };
  }
  throw err(ValidationError, "Operator '%s' is not supported on field '%s'", op, field.name);
}

function booleanLeaf(alias: string, field: Field, op: string, value: unknown): Sql {
  const c = col(alias, field.name);
  const truthy = (v: unknown) => v === true || v === 1 || v === 'true' || v === 'True';
  if (op === 'in' || op === 'not in') {
    const values = (Array.isArray(value) ? value : [value]).map(truthy);
    const wantTrue = values.includes(true), wantFalse = values.includes(false);
    const inSql = wantTrue && wantFalse ? TRUE_SQL : wantTrue ? { sql: `${c} = TRUE`, bindings: [] } : wantFalse ? { sql: `(${c} IS NULL OR ${c} = FALSE)`, bindings: [] } : FALSE_SQL;
    return op === 'in' ? inSql : { sql: `(NOT ${inSql.sql})`, bindings: [] };
  }
  const positive = truthy(value) === (op === '=');
  return positive ? { sql: `${c} = TRUE`, bindings: [] } : { sql: `(${c} IS NULL OR ${c} = FALSE)`, bindings: [] };
}

/** `alias.field` belongs to (or, negated, stays out of) the ids of a sub-search. */
function relationalIn(model: ModelClass, alias: string, field: Field, sub: Sql, negate: boolean): Sql {
  if (field.type === 'many2one') {
    const c = col(alias, field.name);
    return negate
      ? { sql: `(${c} IS NULL OR ${c} NOT IN (${sub.sql}))`, bindings: sub.bindings }
      : { sql: `${c} IN (${sub.sql})`, bindings: sub.bindings };
  }
  const link = linkSubquery(model, field, sub);
  return { sql: `${alias}.id ${negate ? 'NOT IN' : 'IN'} (${link.sql})`, bindings: link.bindings };
}

/** Ids of this model linked (through an x2many) to comodel ids selected by `sub`. */
function linkSubquery(model: ModelClass, field: Field, sub: Sql): Sql {
  const comodel = model._registry.get(field.comodel!)!;
  if (field.type === 'one2many') {
    const inv = q(field.inverseName!);
    const extra = field.modelField ? ` AND ${q(field.modelField)} = ?` : '';
    return { sql: `SELECT ${inv} FROM ${q(comodel._meta.table)} WHERE ${inv} IS NOT NULL AND id IN (${sub.sql})${extra}`, bindings: [...sub.bindings, ...(field.modelField ? [model._meta.name] : [])] };
  }
  return { sql: `SELECT ${q(field.column1!)} FROM ${q(field.relation!)} WHERE ${q(field.column2!)} IN (${sub.sql})`, bindings: sub.bindings };
}

async function many2oneLeaf(ctx: CompileContext, model: ModelClass, alias: string, field: Field, op: string, value: unknown): Promise<Sql> {
  const comodel = model._registry.get(field.comodel!)!;
  const isText = typeof value === 'string' || (Array.isArray(value) && value.some((v) => typeof v === 'string'));
  if (op === 'child_of' || op === 'parent_of') {
    return relationalIn(model, alias, field, await hierarchySql(ctx, comodel, op, value), false);
  }
  if (['like', 'ilike', 'not like', 'not ilike', '=like', '=ilike'].includes(op) || (isText && ['=', '!=', 'in', 'not in'].includes(op))) {
    if (value === false || value === null) return scalarLeaf(alias, field, op.startsWith('not') || op === '!=' ? '!=' : '=', null);
    const negative = op.startsWith('not') || op === '!=' || op === 'not in';
    const positiveOp = op === '!=' ? '=' : op === 'not in' ? 'in' : op.replace(/^not /, '');
    const rec = comodel._meta.recName ?? 'id';
    const sub = await ctx.subSearch(comodel, { kind: 'leaf', path: [rec], operator: positiveOp as any, value });
    return relationalIn(model, alias, field, sub, negative);
  }
  return scalarLeaf(alias, field, op, convertIds(field, value));
}

function convertIds(field: Field, value: unknown): unknown {
  if (value === false || value === null || value === undefined) return null;
  const one = (v: unknown) => {
    if (v === false || v === null) return null;
    if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    throw err(ValidationError, "Invalid value %s for many2one field '%s' in domain: expected a record id", JSON.stringify(v), field.name);
  };
  return Array.isArray(value) && !(value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'string') ? value.map(one) : one(value);
}

async function x2manyLeaf(ctx: CompileContext, model: ModelClass, alias: string, field: Field, op: string, value: unknown): Promise<Sql> {
  const comodel = model._registry.get(field.comodel!)!;
  if (value === false || value === null || (Array.isArray(value) && value.length === 0 && (op === '=' || op === '!='))) {
    // ('x2many', '=', False): no linked record; '!=' False: at least one.
    const anyLink = linkSubquery(model, field, { sql: `SELECT id FROM ${q(comodel._meta.table)}`, bindings: [] });
    const empty = op === '=' || op === 'in' || op === 'not like' || op === 'not ilike';
    return { sql: `${alias}.id ${empty ? 'NOT IN' : 'IN'} (${anyLink.sql})`, bindings: anyLink.bindings };
  }
  if (op === 'child_of') return relationalIn(model, alias, field, await hierarchySql(ctx, comodel, op, value), false);
  const isText = typeof value === 'string' || (Array.isArray(value) && value.some((v) => typeof v === 'string'));
  const negative = op === '!=' || op === 'not in' || op === 'not like' || op === 'not ilike';
  let sub: Sql;
  if (isText || op.includes('like')) {
    const positiveOp = op === '!=' ? '=' : op === 'not in' ? 'in' : op.replace(/^not /, '');
    sub = await ctx.subSearch(comodel, { kind: 'leaf', path: [comodel._meta.recName ?? 'id'], operator: positiveOp as any, value });
  } else {
    const ids = (Array.isArray(value) ? value : [value]).map((v) => Number(v));
    if (ids.some((v) => !Number.isInteger(v))) throw err(ValidationError, "Invalid value for %s field '%s' in domain: expected record ids", field.type, field.name);
    if (!ids.length) return negative ? TRUE_SQL : FALSE_SQL;
    sub = inList(ids);
  }
  return relationalIn(model, alias, field, sub, negative);
}

/** Ids of `comodel` under (child_of) or above (parent_of) the given ids, by its parent field. */
async function hierarchySql(ctx: CompileContext, comodel: ModelClass, op: string, value: unknown): Promise<Sql> {
  const parent = comodel._meta.parentName;
  let start: Sql;
  if (typeof value === 'string') start = await ctx.subSearch(comodel, { kind: 'leaf', path: [comodel._meta.recName ?? 'id'], operator: 'ilike', value });
  else {
    const ids = (Array.isArray(value) ? value : [value]).filter((v) => v !== false && v !== null).map(Number);
    if (!ids.length) return { sql: 'SELECT NULL::integer WHERE FALSE', bindings: [] };
    start = inList(ids);
  }
  if (!parent) return start;
  const t = q(comodel._meta.table), p = q(parent);
  const step = op === 'child_of' ? `SELECT c.id FROM ${t} c JOIN h ON c.${p} = h.id` : `SELECT c.${p} FROM ${t} c JOIN h ON c.id = h.id WHERE c.${p} IS NOT NULL`;
  return { sql: `WITH RECURSIVE h(id) AS (SELECT id FROM ${t} WHERE id IN (${start.sql}) UNION ${step}) SELECT id FROM h`, bindings: start.bindings };
}
