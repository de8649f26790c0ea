/**
 * Loads what the record-rule engine (rules.ts) evaluates: the active ir.rule records of a
 * model (cached on the registry until a rule changes) and the user values a rule domain may
 * name (`user.id`, `user.partner_id.id`, `user.groups_id.ids`).
 */
import type { Environment } from '../orm/environment.ts';
import { rowsOf } from '../orm/environment.ts';
import type { RuleRecord } from './rules.ts';

const rulesCache = new WeakMap<object, Map<string, Promise<RuleRecord[]>>>();

/** Call after ir.rule records change. */
export function invalidateRulesCache(registry: object): void {
  rulesCache.delete(registry);
}

/** The active rules of `model` (all modes, all groups), cached per registry. */
export function ruleRecords(env: Environment, model: string): Promise<RuleRecord[]> {
  let byModel = rulesCache.get(env.registry);
  if (!byModel) rulesCache.set(env.registry, (byModel = new Map()));
  let found = byModel.get(model);
  if (!found) {
    found = fetchRules(env, model);
    found.catch(() => byModel!.delete(model));
    byModel.set(model, found);
  }
  return found;
}

async function fetchRules(env: Environment, model: string): Promise<RuleRecord[]> {
  const rows = rowsOf(await env.cr.raw(
    `SELECT r.id, r.name, r.domain_force, r.perm_read, r.perm_write, r.perm_create, r.perm_unlink,
            COALESCE(array_agg(g.group_id) FILTER (WHERE g.group_id IS NOT NULL), '{}') AS group_ids
       FROM ir_rule r JOIN ir_model m ON m.id = r.model_id
       LEFT JOIN rule_group_rel g ON g.rule_group_id = r.id
      WHERE m.model = ? AND r.active = TRUE
      GROUP BY r.id`, [model]));
  return rows.map((r: any) => ({ ...r, group_ids: (r.group_ids as unknown[]).map(Number) }));
}

/**
 * The `user` of rule domains. Cached on the user's group-id set, which lives as long as the
 * unit of work or as app.ts reuses a user's groups between requests (2 s on a server; replaced
 * at once when the groups change), so a user's searches read it once in that time.
 */
const userCache = new WeakMap<Set<number>, Map<number, Promise<Record<string, unknown>>>>();

export async function ruleUser(env: Environment): Promise<Record<string, unknown>> {
  const groups = await env.groupIds();
  let byUid = userCache.get(groups);
  if (!byUid) userCache.set(groups, (byUid = new Map()));
  let found = byUid.get(env.uid);
  if (!found) {
    found = (async () => {
      const row = await env.cr('res_users').where({ id: env.uid }).first('id', 'login', 'partner_id');
      if (!row) return { id: env.uid };
      return { id: row.id, login: row.login, partner_id: { id: row.partner_id }, groups_id: { ids: [...groups] } };
    })();
    found.catch(() => byUid!.delete(env.uid));
    byUid.set(env.uid, found);
  }
  return found;
}
