/**
 * Record rules (ir.rule) as a pure algebra, Odoo's:
 *
 *   result = AND(global rules) AND OR(rules of the user's groups)
 *
 * Superuser → no constraint. `ruleDomain` returns a wire domain (or null for "no
 * constraint"); the ORM ANDs it into every search and checks touched ids against it.
 * No SQL text here: the rules' `domain_force` strings go through the literal evaluator, and
 * the records come from rule-records.ts.
 */
import { evaluate } from '../data/literal-eval.ts';
import { ValidationError, err } from '../errors.ts';
import { andDomains, orDomains } from '../orm/domain/index.ts';
import type { Environment } from '../orm/environment.ts';
import { ruleRecords, ruleUser } from './rule-records.ts';

export type RuleMode = 'read' | 'write' | 'create' | 'unlink';

export interface RuleRecord {
  id: number;
  name: string;
  domain_force: string | null;
  /** Empty for global rules. */
  group_ids: number[];
  perm_read: boolean;
  perm_write: boolean;
  perm_create: boolean;
  perm_unlink: boolean;
}

/** Evaluation scope of rule domains: `user`, `uid`, `company_ids`… */
export interface RuleScope {
  user: Record<string, unknown>;
  uid: number;
  [key: string]: unknown;
}

/**
 * The rule domain restricting `mode` on `model` for the env's user (a wire domain), or null
 * when nothing restricts it (superuser, no rule for the model or the mode).
 */
export async function ruleDomain(env: Environment, model: string, mode: RuleMode): Promise<unknown[] | null> {
  if (env.su) return null;
  const rules = await ruleRecords(env, model);
  if (!rules.some((r) => r[`perm_${mode}`])) return null;
  const groups = await env.groupIds();
  // The evaluated domain, kept as long as both things it comes from: the model's rule records
  // (a new array once a rule changes, see rule-records.ts) and the user's group set (which
  // the rules' `user` is cached on: replaced when the groups change or, between requests,
  // after app.ts's few seconds). So exactly as fresh as an evaluation at every call.
  let byGroups = evaluated.get(rules);
  if (!byGroups) evaluated.set(rules, (byGroups = new WeakMap()));
  let byUser = byGroups.get(groups);
  if (!byUser) byGroups.set(groups, (byUser = new Map()));
  const key = `${env.uid}:${mode}`;
  const found = byUser.get(key);
  if (found !== undefined) return found;
  const domain = combineRules(rules, mode, groups, { user: await ruleUser(env), uid: env.uid });
  byUser.set(key, domain === null ? null : deepFreeze(domain));
  return domain;
}

/** Evaluated rule domains by rule records, then group set, then `uid:mode`. */
const evaluated = new WeakMap<RuleRecord[], WeakMap<Set<number>, Map<string, unknown[] | null>>>();

/** Shared between calls: frozen, so no caller can change what the next one reads. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** Combines the rules that apply to `mode` for a user in `groups`; null = unrestricted. */
export function combineRules(rules: RuleRecord[], mode: RuleMode, groups: Set<number>, scope: RuleScope): unknown[] | null {
  const applicable = rules.filter((r) => r[`perm_${mode}`]);
  const globals: unknown[][] = [];
  const grouped: unknown[][] = [];
  for (const rule of applicable) {
    const domain = evalRuleDomain(rule, scope);
    if (rule.group_ids.length === 0) globals.push(domain);
    else if (rule.group_ids.some((g) => groups.has(g))) grouped.push(domain);
  }
  if (globals.length === 0 && grouped.length === 0) return null;
  const parts = [...globals];
  if (grouped.length) parts.push(orDomains(...grouped));
  return andDomains(...parts);
}

function evalRuleDomain(rule: RuleRecord, scope: RuleScope): unknown[] {
  if (!rule.domain_force || !rule.domain_force.trim()) return [];
  let value: unknown;
  try {
    value = evaluate(rule.domain_force, scope);
  } catch (e) {
    throw err(ValidationError, "Record rule '%s' has an invalid domain: %s", rule.name, (e as Error).message);
  }
  if (!Array.isArray(value)) throw err(ValidationError, "Record rule '%s' must evaluate to a domain (a list)", rule.name);
  return value;
}
