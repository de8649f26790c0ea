/**
 * Favorites: searches saved as `ir.filters` (domain, context and the list's sort as Python
 * literals, for a model and an action; personal or shared) — loading them, turning one into a query item,
 * saving the current search and deleting one. The server's record rules decide who sees and
 * changes which (everyone reads the shared ones and their own, changes only their own).
 */
import { callKw } from './rpc.ts';
import { evalContext, evalDomain, evalExpr, type Scope } from './modifiers.ts';
import type { Favorite, QueryItem, SearchModel } from './search-model.ts';
import type { Context } from './types.ts';

/** The favorites of `model` for `actionId` (shared ones and the user's). */
export async function loadFavorites(model: string, actionId: number | false): Promise<Favorite[]> {
  return callKw<Favorite[]>('ir.filters', 'get_filters', [model, actionId]);
}

/** A favorite as a query item: its domain, its context without group_by, and its group-bys. */
export function favoriteItem(f: Favorite, scope: Scope): Extract<QueryItem, { type: 'favorite' }> {
  const { group_by: groupBy, ...context } = evalContext(f.context, scope) as Context & { group_by?: unknown };
  const specs = (Array.isArray(groupBy) ? groupBy : groupBy ? [groupBy] : []).filter((g): g is string => typeof g === 'string' && g !== '');
  const sort = evalExpr(f.sort || '[]', scope, []);
  const first = Array.isArray(sort) ? sort.find((s): s is string => typeof s === 'string' && s !== '') : undefined;
  return { type: 'favorite', id: f.id, name: f.name, domain: evalDomain(f.domain, scope), groupBy: specs, context, ...(first ? { sort: first } : {}) };
}

/** A JSON value as a Python literal (what `ir.filters` stores and the server's literal_eval reads). */
export function pyLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'None';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyLiteral(k)}: ${pyLiteral(v)}`).join(', ')}}`;
}

export interface SaveOptions {
  name: string;
  isDefault: boolean;
  shared: boolean;
}

/** Saves the search model's current query as a favorite; returns the new favorites list. */
export async function saveFavorite(search: SearchModel, model: string, scope: Scope, opts: SaveOptions): Promise<Favorite[]> {
  const { domain, context, groupBy } = search.getSearch(scope);
  await callKw('ir.filters', 'create', [{
    name: opts.name, model_id: model, action_id: search.actionId, user_id: opts.shared ? false : scope.uid ?? false,
    domain: pyLiteral(domain), context: pyLiteral({ ...context, group_by: groupBy }), sort: pyLiteral(search.order ? [search.order] : []),
    is_default: opts.isDefault,
  }]);
  return loadFavorites(model, search.actionId);
}

/** Deletes favorite `id` (the server refuses other people's); returns the new list. */
export async function deleteFavorite(search: SearchModel, model: string, id: number): Promise<Favorite[]> {
  await callKw('ir.filters', 'unlink', [[id]]);
  return loadFavorites(model, search.actionId);
}

/** Whether the user may delete favorite `f`: their own, or a shared one they created. */
export function ownsFavorite(f: Favorite, uid: number): boolean {
  return f.user_id ? f.user_id[0] === uid : !!f.create_uid && f.create_uid[0] === uid;
}
