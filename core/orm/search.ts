/**
 * Search queries: domain + record rules + `active` filter → one parameterised
 * `SELECT alias.id FROM table alias WHERE …`, and `order` strings validated against real
 * fields. Used by search/search_count/search_read, by read_group and by dotted-path
 * sub-queries (which therefore apply the comodel's rules too).
 */
import { statementRows, statementRowsNamed } from '../db/index.ts';
import { ValidationError, err } from '../errors.ts';
import { hasModelAccess, ruleDomain, type RuleMode } from '../security/index.ts';
import { accessLines } from './access-cache.ts';
import { checkFieldAccess } from './field-access.ts';
import { mapDbError } from './write.ts';
import type { Field } from './fields/index.ts';
import { compileNode, q, type CompileContext, type Sql } from './domain/compile.ts';
import { parseDomain, type DomainNode } from './domain/parse.ts';
import type { Environment } from './environment.ts';
import { rowsOf } from './environment.ts';
import type { ModelClass } from './model.ts';
import { isTranslated, langOf, SOURCE_LANG, translatedSql } from './translated-values.ts';

export interface SearchOptions {
  offset?: number;
  limit?: number | null;
  order?: string | null;
  /** Apply record rules (default true; false for sudo or internal checks). */
  rules?: boolean;
}

/**
 * Table aliases t1, t2… for one query (t0 is the main table). Numbered per query, so the
 * same search always produces the same SQL text and can reuse a prepared statement.
 */
function aliasSequence(): () => string {
  let n = 0;
  return () => `t${++n}`;
}

interface WhereOptions { rules?: boolean; mode?: RuleMode; aliases?: () => string }

/** The WHERE condition of a search on `model` as seen from `env`, for table alias `alias`. */
export async function whereClause(env: Environment, model: ModelClass, domain: DomainNode | unknown[], alias: string, opts: WhereOptions = {}): Promise<Sql> {
  const parts = await whereParts(env, model, domain, alias, opts);
  return parts.rule ? and(parts.main, parts.rule.sql) : parts.main;
}

/**
 * The search's condition in two parts: what the caller asked (`main`, with the document
 * restriction) and the record rules (`rule`), the latter also as its top-level OR branches
 * when it is an OR — so a limited search can run one index-friendly query per branch.
 */
async function whereParts(env: Environment, model: ModelClass, domain: DomainNode | unknown[], alias: string, opts: WhereOptions): Promise<{ main: Sql; rule: { sql: Sql; branches: Sql[] } | null }> {
  const aliases = opts.aliases ?? aliasSequence();
  let node = isNode(domain) ? domain : parseDomain(domain);
  if (model._meta.fields.has('active') && env.context.active_test !== false && !mentionsField(node, 'active')) {
    node = { kind: 'and', children: [node, { kind: 'leaf', path: ['active'], operator: '=', value: true }] };
  }
  const ctx: CompileContext = {
    env,
    nextAlias: aliases,
    subSearch: async (comodel, sub) => {
      const a = aliases();
      const cond = await whereClause(env, comodel, sub, a, { rules: opts.rules, aliases });
      return { sql: `SELECT ${a}.id FROM ${q(comodel._meta.table)} ${a} WHERE ${cond.sql}`, bindings: cond.bindings };
    },
  };
  let main = await compileNode(ctx, model, alias, node);
  if (opts.rules === false || env.su) return { main, rule: null };
  if (model._meta.documentLink) main = and(main, await documentRestriction(env, model, alias, opts.mode ?? 'read', aliases));
  const rule = await ruleDomain(env, model._meta.name, opts.mode ?? 'read');
  if (!rule) return { main, rule: null };
  // Rules are evaluated as superuser (Odoo): they must see through other models' rules.
  const suEnv = env.sudo().withContext({ active_test: false });
  const branchNodes = orBranches(parseDomain(rule));
  // A branch that is always true (a technician who is also a user) lifts the restriction.
  if (branchNodes.some((b) => b.kind === 'true')) return { main, rule: null };
  const branches: Sql[] = [];
  for (const b of branchNodes) branches.push(await whereClause(suEnv, model, b, alias, { rules: false, aliases }));
  const sql = branches.length === 1 ? branches[0] : { sql: `(${branches.map((b) => b.sql).join(' OR ')})`, bindings: branches.flatMap((b) => b.bindings) };
  return { main, rule: { sql, branches } };
}

/** The children of a (nested) OR, flattened; any other node is its own single branch. */
function orBranches(node: DomainNode): DomainNode[] {
  return node.kind === 'or' ? node.children.flatMap(orBranches) : [node];
}

const and = (a: Sql, b: Sql): Sql => ({ sql: `(${a.sql} AND ${b.sql})`, bindings: [...a.bindings, ...b.bindings] });

/**
 * Records attached to a document (res_model, res_id) — attachments, messages, followers —
 * are visible when the document is: readable for 'read', writable otherwise. Unattached
 * ones belong to their creator.
 */
async function documentRestriction(env: Environment, model: ModelClass, alias: string, mode: RuleMode, aliases: () => string): Promise<Sql> {
  const table = q(model._meta.table);
  const link = model._meta.documentLink!;
  const resModel = link.model;
  const resId = link.id;
  const models = rowsOf(await env.cr.raw(`SELECT DISTINCT ${resModel} AS res_model FROM ${table} WHERE ${resModel} IS NOT NULL`)).map((r: any) => r.res_model as string);
  const groups = await env.groupIds();
  const lines = await accessLines(env);
  const docMode: RuleMode = mode === 'read' ? 'read' : 'write';
  const parts: Sql[] = [{ sql: `((${alias}.${resModel} IS NULL OR ${alias}.${resId} IS NULL OR ${alias}.${resId} = 0) AND ${alias}.create_uid = ?)`, bindings: [env.uid] }];
  for (const name of models) {
    const doc = env.registry.get(name);
    if (!doc || doc._meta.abstract || !hasModelAccess(lines, name, docMode, groups)) continue;
    const a = aliases();
    const cond = await whereClause(env.withContext({ active_test: false }), doc, [], a, { mode: docMode, aliases });
    parts.push({ sql: `(${alias}.${resModel} = ? AND ${alias}.${resId} IN (SELECT ${a}.id FROM ${q(doc._meta.table)} ${a} WHERE ${cond.sql}))`, bindings: [name, ...cond.bindings] });
  }
  return { sql: `(${parts.map((p) => p.sql).join(' OR ')})`, bindings: parts.flatMap((p) => p.bindings) };
}

function isNode(d: unknown): d is DomainNode {
  return !!d && typeof d === 'object' && !Array.isArray(d) && 'kind' in d;
}

function mentionsField(node: DomainNode, name: string): boolean {
  switch (node.kind) {
    case 'leaf': return node.path[0] === name;
    case 'and': case 'or': return node.children.some((c) => mentionsField(c, name));
    case 'not': return mentionsField(node.child, name);
    default: return false;
  }
}

interface OrderTerm { field: Field; dir: 'ASC' | 'DESC'; nulls: string }

/** Parsed `order` strings per model class (a registry's classes live as long as it does). */
const parsedOrders = new WeakMap<ModelClass, Map<string, OrderTerm[]>>();

/** The terms of an `order` string ("name desc, id"), validated against real stored fields. */
function parseOrder(model: ModelClass, order: string): OrderTerm[] {
  let byText = parsedOrders.get(model);
  const found = byText?.get(order);
  // Still the model's own field objects (a registry reload may replace them).
  if (found && found.every((t) => model._meta.fields.get(t.field.name) === t.field)) return found;
  const terms = parseOrderTerms(model, order);
  if (!byText) parsedOrders.set(model, (byText = new Map()));
  if (byText.size >= 200) byText.clear();
  byText.set(order, terms);
  return terms;
}

function parseOrderTerms(model: ModelClass, order: string): OrderTerm[] {
  const terms: OrderTerm[] = [];
  for (const raw of order.split(',')) {
    const term = raw.trim();
    if (!term) continue;
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?$/i.exec(term);
    if (!m) throw err(ValidationError, 'Invalid order term "%s" for model \'%s\'', term, model._meta.name);
    const field = model._meta.fields.get(m[1]);
    if (!field) throw err(ValidationError, "Invalid order: unknown field '%s' on model '%s'", m[1], model._meta.name);
    if (!field.stored) throw err(ValidationError, "Invalid order: field '%s' of '%s' is not stored", m[1], model._meta.name);
    terms.push({ field, dir: (m[2] ?? 'asc').toUpperCase() as 'ASC' | 'DESC', nulls: m[3] ? ` NULLS ${m[3].toUpperCase()}` : '' });
  }
  return terms;
}

/** An explicit `order` as given by a caller: a string, or nothing (the model's order). */
function explicitOrder(model: ModelClass, order: unknown): string {
  if (order === undefined || order === null || order === false) return '';
  if (typeof order !== 'string') throw err(ValidationError, 'Invalid order %s for model \'%s\': expected a string such as "name desc, id"', JSON.stringify(order), model._meta.name);
  return order.trim();
}

/**
 * Validates an `order` string ("name desc, id") and returns SQL for alias `alias`;
 * translated values sort in `lang`.
 */
export function orderBy(model: ModelClass, order: string | null | undefined, alias: string, lang: string = SOURCE_LANG): string {
  const spec = explicitOrder(model, order) || model._meta.order;
  const terms: string[] = [];
  for (const { field, dir, nulls } of parseOrder(model, spec)) {
    let expr = isTranslated(field) ? translatedSql(`${alias}.${q(field.name)}`, lang) : `${alias}.${q(field.name)}`;
    if (field.type === 'many2one') {
      const comodel = model._registry.get(field.comodel!)!;
      const rec = comodel._meta.recName ? comodel._meta.fields.get(comodel._meta.recName) : undefined;
      if (rec?.stored && comodel._meta.name !== model._meta.name) {
        const value = isTranslated(rec) ? translatedSql(`o.${q(rec.name)}`, lang) : `o.${q(rec.name)}`;
        expr = `(SELECT ${value} FROM ${q(comodel._meta.table)} o WHERE o.id = ${alias}.${q(field.name)})`;
      }
    }
    terms.push(`${expr} ${dir}${nulls}`);
  }
  if (!terms.some((t) => t.startsWith(`${alias}."id" `))) terms.push(`${alias}."id" ${/\bdesc\b/i.test(spec.split(',')[0]) ? 'DESC' : 'ASC'}`);
  return terms.join(', ');
}

/** Full search: ids of `model` matching `domain`, ordered and paged. */
export async function searchIds(env: Environment, model: ModelClass, domain: unknown[], opts: SearchOptions = {}): Promise<number[]> {
  return (await searchRows(env, model, domain, opts, [])).map((r: any) => Number(r.id));
}

/** Like searchIds, but also selects the given stored columns (search_read in one query). */
export async function searchRows(env: Environment, model: ModelClass, domain: unknown[], opts: SearchOptions, columns: string[], extra: string[] = []): Promise<any[]> {
  const alias = 't0';
  const table = q(model._meta.table);
  const hasLimit = opts.limit !== undefined && opts.limit !== null && opts.limit !== false as unknown;
  if (hasLimit && (!Number.isInteger(opts.limit) || (opts.limit as number) < 0)) throw err(ValidationError, 'Invalid limit %s: expected a non-negative integer', JSON.stringify(opts.limit));
  if (opts.offset && (!Number.isInteger(opts.offset) || opts.offset < 0)) throw err(ValidationError, 'Invalid offset %s: expected a non-negative integer', JSON.stringify(opts.offset));
  // The caller's order goes through field access like a domain (the model's own does not).
  const explicit = explicitOrder(model, opts.order);
  if (explicit) await checkFieldAccess(env, model, parseOrder(model, explicit).map((t) => t.field.name), 'order');
  const parts = await whereParts(env, model, domain, alias, { rules: opts.rules });
  const order = orderBy(model, opts.order, alias, langOf(env));
  const select = `SELECT ${alias}.id${columns.map((c) => `, ${alias}.${q(c)}`).join('')}${extra.map((e) => `, ${e}`).join('')} FROM ${table} ${alias}`;
  let sql: string;
  const bindings: unknown[] = [];
  const perBranch = !!(hasLimit && parts.rule && parts.rule.branches.length > 1);
  if (perBranch) {
    sql = `${select} WHERE ${alias}.id IN (${perBranchTop(parts.main, parts.rule!.branches, table, order, (opts.limit as number) + (opts.offset ?? 0), bindings)}) ORDER BY ${order}`;
  } else {
    const cond = parts.rule ? and(parts.main, parts.rule.sql) : parts.main;
    sql = `${select} WHERE ${cond.sql} ORDER BY ${order}`;
    bindings.push(...cond.bindings);
  }
  // A literal: a prepared statement's plan must know it (core/db/statements.ts).
  if (hasLimit) sql += ` LIMIT ${opts.limit}`;
  if (opts.offset) {
    sql += ' OFFSET ?'; // a parameter: pages do not multiply statement texts
    bindings.push(opts.offset);
  }
  // Per-branch searches run unnamed, so PostgreSQL plans them with the values: a generic plan
  // only knows averages (e.g. that nearly every ticket has create_uid = 1) and may choose to
  // walk the whole table for a user whose id is rare.
  return runQuery(env, model, sql, bindings, { named: !perBranch });
}

const EXACT = { exact: true } as const;

/**
 * Runs a search's statement (a named prepared statement unless `named` is false). A value the
 * column type cannot take (a date that is no date, an empty list compared with a number) is
 * PostgreSQL's data exception: the caller's bad input, reported as a ValidationError naming
 * the model — never an internal error.
 */
export async function runQuery(env: Environment, model: ModelClass, sql: string, bindings: unknown[], opts: { named?: boolean } = {}): Promise<any[]> {
  try {
    // Values that repeat (the same list asked again) get a plan of their own, made once.
    return opts.named === false ? await statementRows(env.cr, sql, bindings, undefined, EXACT) : await statementRowsNamed(env.cr, sql, bindings, EXACT);
  } catch (e) {
    throw mapDbError(e, model._meta);
  }
}

/**
 * A limited search whose record rule is an OR (a user's own tickets: reporter OR creator):
 * the first `top` ids of each branch, each its own ordered, limited query, then merged by
 * the caller's ORDER BY / LIMIT. Each branch can walk an index such as (partner_id, id) and
 * stop after `top` rows, however the records are spread; one OR over the whole table leaves
 * the planner to guess between a bitmap of both conditions and a scan of the newest ids
 * that may have to read the whole table (when the user's records are old). Same rows, same
 * order: the first `top` of a union are among the first `top` of its branches.
 *
 *   SELECT … WHERE t0.id IN ((SELECT id … WHERE main AND branch1 ORDER BY … LIMIT top)
 *                            UNION (SELECT id … WHERE main AND branch2 ORDER BY … LIMIT top))
 *   ORDER BY … LIMIT n
 */
function perBranchTop(main: Sql, branches: Sql[], table: string, order: string, top: number, bindings: unknown[]): string {
  const queries = branches.map((b) => {
    bindings.push(...main.bindings, ...b.bindings);
    return `(SELECT t0.id FROM ${table} t0 WHERE ${main.sql} AND ${b.sql} ORDER BY ${order} LIMIT ${top})`;
  });
  return queries.join(' UNION ');
}

export async function searchCount(env: Environment, model: ModelClass, domain: unknown[], opts: { rules?: boolean } = {}): Promise<number> {
  const cond = await whereClause(env, model, domain, 't0', opts);
  const rows = await runQuery(env, model, `SELECT count(*) AS n FROM ${q(model._meta.table)} t0 WHERE ${cond.sql}`, cond.bindings);
  return Number(rows[0].n);
}
