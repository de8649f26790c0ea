/**
 * Reading the group-count tables (core/schema/group-counts.ts keeps them): a count-only
 * read_group or a search_count whose domain — the caller's, the `active` filter and the
 * record rules together — only tests counted fields is answered from `<table>__counts`,
 * a few hundred cells, instead of every row. Anything else goes to the table as before.
 *
 * The counted fields keep their column names in the counts table, so the same domain
 * compiler produces the condition for either table.
 */
import { countsTable } from '../schema/group-counts.ts';
import { q, type Sql } from './domain/compile.ts';
import { parseDomain, type DomainNode } from './domain/parse.ts';
import type { Environment } from './environment.ts';
import type { ModelClass } from './model.ts';
import { ruleDomain } from '../security/index.ts';
import { runQuery, whereClause } from './search.ts';

/** The counts table and the condition on it, or null when the table cannot answer. */
export async function countsSource(env: Environment, model: ModelClass, domain: unknown[], opts: { rules?: boolean } = {}): Promise<{ table: string; where: Sql } | null> {
  const dims = model._meta.groupCounts;
  if (!dims.length) return null;
  const node = parseDomain(domain);
  if (!onlyCounted(model, node, dims)) return null;
  const applyRules = opts.rules !== false && !env.su;
  if (applyRules) {
    if (model._meta.documentLink) return null;
    const rules = await ruleDomain(env, model._meta.name, 'read');
    if (rules && !onlyCounted(model, parseDomain(rules), dims)) return null;
  }
  return { table: q(countsTable(model)), where: await whereClause(env, model, node, 't0', { rules: opts.rules }) };
}

/** search_count from the counts table; null when it cannot answer. */
export async function countFromCounts(env: Environment, model: ModelClass, domain: unknown[], opts: { rules?: boolean } = {}): Promise<number | null> {
  const source = await countsSource(env, model, domain, opts);
  if (!source) return null;
  const rows = await runQuery(env, model, `SELECT COALESCE(sum(t0.n), 0) AS n FROM ${source.table} t0 WHERE ${source.where.sql}`, source.where.bindings);
  return Number(rows[0].n);
}

/**
 * True when every leaf tests a counted field: directly, or through a counted many2one
 * (`category_id.name`), which compiles to a condition on that column alone.
 */
function onlyCounted(model: ModelClass, node: DomainNode, dims: string[]): boolean {
  switch (node.kind) {
    case 'true': case 'false': return true;
    case 'not': return onlyCounted(model, node.child, dims);
    case 'and': case 'or': return node.children.every((c) => onlyCounted(model, c, dims));
    case 'leaf': {
      if (!dims.includes(node.path[0])) return false;
      return node.path.length === 1 || model._meta.fields.get(node.path[0])?.type === 'many2one';
    }
  }
}
