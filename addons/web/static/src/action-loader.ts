/**
 * Turning an `ir.actions.act_window` into what the views need: the evaluated domain and
 * context (the shared evaluator with `uid`, `context_today()`…), the view list (`tree` read as
 * `list`, unsupported types dropped, a form always available to open records), the archs and
 * fields from one `get_views` call, and the action's search model with its defaults — or its
 * default favorite (`ir.filters` with `is_default`), which replaces them as in Odoo.
 */
import { parseArch, type ArchNode } from './arch.ts';
import { baseScope, evalContext, evalDomain } from './modifiers.ts';
import { normalizeModels } from './fields.ts';
import { SearchModel, type QueryItem } from './search-model.ts';
import { callKw, displayName } from './rpc.ts';
import { favoriteItem, loadFavorites } from './favorites.ts';
import { userContext } from './session.ts';
import type { Context, Domain, FieldsInfo, GetViewsResult, ViewType, WindowAction } from './types.ts';

export interface LoadedAction {
  action: WindowAction;
  model: string;
  domain: Domain;
  context: Context;
  /** View types in the action's order; multi-record ones first, form last. */
  viewTypes: ViewType[];
  archs: Partial<Record<ViewType, ArchNode>>;
  fields: FieldsInfo;
  models: Record<string, FieldsInfo>;
  searchModel: SearchModel;
}

const SUPPORTED = new Set<ViewType>(['list', 'kanban', 'graph', 'form']);
const viewsCache = new Map<string, Promise<GetViewsResult>>();

/** The action's `views`, or pairs built from `view_mode`; `tree` → `list`; only supported types. */
export function actionViews(action: WindowAction): Array<[number | false, ViewType]> {
  const raw = action.views?.length ? action.views : (action.view_mode || 'list,form').split(',').map((m): [false, string] => [false, m.trim()]);
  const views: Array<[number | false, ViewType]> = [];
  for (const [id, type] of raw) {
    const t = (type === 'tree' ? 'list' : type) as ViewType;
    if (SUPPORTED.has(t) && !views.some(([, v]) => v === t)) views.push([id, t]);
    else if (!SUPPORTED.has(t)) console.warn(`View type "${type}" is not supported by this web client`);
  }
  if (!views.some(([, t]) => t === 'form')) views.push([false, 'form']);
  return views;
}

function getViews(model: string, views: Array<[number | false, string]>, context: Context): Promise<GetViewsResult> {
  const key = `${model}|${JSON.stringify(views)}|${context.lang ?? ''}`;
  let answer = viewsCache.get(key);
  if (!answer) {
    answer = callKw<GetViewsResult>(model, 'get_views', [views], { options: {}, context });
    answer.catch(() => viewsCache.delete(key));
    viewsCache.set(key, answer);
  }
  return answer;
}

export interface LoadOptions {
  additionalContext?: Context;
  /** A query restored from the URL replaces the `search_default_*` filters. */
  query?: QueryItem[];
}

export async function loadWindowAction(action: WindowAction, opts: LoadOptions = {}): Promise<LoadedAction> {
  const evalCtx = { ...userContext(), ...(opts.additionalContext ?? {}) };
  const context = { ...(opts.additionalContext ?? {}), ...evalContext(action.context, baseScope(evalCtx)) };
  const domain = evalDomain(action.domain, baseScope({ ...evalCtx, ...context }));
  const views = actionViews(action);
  const searchId = Array.isArray(action.search_view_id) ? action.search_view_id[0] : false;
  const actionId = typeof action.id === 'number' ? action.id : false;
  // Asked beside the views: one round trip, not two. Dialogs (wizards) have no search.
  const favorites = action.target === 'new' ? Promise.resolve([]) : loadFavorites(action.res_model, actionId).catch((err) => {
    console.warn('Favorites cannot be loaded:', err);
    return [];
  });
  const result = await getViews(action.res_model, [...views, [searchId, 'search']], context);
  const archs: Partial<Record<ViewType, ArchNode>> = {};
  for (const [, type] of views) {
    const desc = result.views[type] ?? (type === 'list' ? result.views.tree : undefined);
    if (desc) archs[type] = parseArch(desc.arch);
  }
  const models = normalizeModels(result.models);
  const fields = models[action.res_model] ?? {};
  const searchArch = result.views.search ? parseArch(result.views.search.arch) : null;
  const searchModel = new SearchModel(searchArch, fields);
  searchModel.actionId = actionId;
  searchModel.resModel = action.res_model;
  searchModel.favorites = await favorites;
  const byDefault = searchModel.favorites.find((f) => f.is_default);
  if (opts.query) {
    searchModel.setQuery(opts.query);
  } else if (byDefault) {
    searchModel.toggleFavorite(favoriteItem(byDefault, baseScope({ ...evalCtx, ...context })));
  } else {
    searchModel.applyDefaults(context);
    await searchModel.resolveLabels(displayName);
  }
  return {
    action, model: action.res_model, domain, context, archs, fields, models, searchModel,
    viewTypes: views.map(([, t]) => t).filter((t) => archs[t]),
  };
}
