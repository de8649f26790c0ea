/**
 * The web client's data routes: `call_kw` (the same dispatcher as the External API),
 * `/web/action/load`, menus, translations and `/web/progress`.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { AccessError, MissingError, ValidationError } from '../../../core/errors.ts';
import type { Environment } from '../../../core/orm/index.ts';
import { type HttpServices, callKw, finishProgress, isReadonlyCall, jsonRoute, readProgress } from '../../../core/http/index.ts';

/** Loads an action (window or URL) by id or XML id, as the user. */
export async function loadAction(env: Environment, actionId: unknown): Promise<Record<string, unknown>> {
  let model: string | undefined;
  let id: number | undefined;
  if (typeof actionId === 'string' && /^\d+$/.test(actionId)) actionId = Number(actionId);
  if (typeof actionId === 'string' && actionId.includes('.')) {
    const found = await env.xmlidLookup(actionId);
    if (!found) throw new MissingError(`The action '${actionId}' does not exist`);
    ({ model, id } = found);
  } else if (typeof actionId === 'number' && Number.isInteger(actionId) && actionId > 0) {
    id = actionId;
    const isWindow = await env.cr('ir_actions_act_window').where({ id }).first('id');
    model = isWindow ? 'ir.actions.act_window' : env.registry.has('ir.actions.act_url') && (await env.cr('ir_actions_act_url').where({ id }).first('id')) ? 'ir.actions.act_url' : undefined;
    if (!model) throw new MissingError(`The action ${id} does not exist`);
  } else {
    throw new ValidationError(`Invalid action id ${JSON.stringify(actionId)}: expected a number or an XML id`);
  }
  if (model === 'ir.actions.act_window') {
    const groups = (await env.cr('ir_act_window_group_rel').where({ act_id: id }).select('gid')).map((r: any) => Number(r.gid));
    if (groups.length && !env.su) {
      const mine = await env.groupIds();
      if (!groups.some((g) => mine.has(g))) throw new AccessError('You are not allowed to open this action.');
    }
    const action = env.model('ir.actions.act_window').browse([id!]) as unknown as { _forClient(): Promise<Record<string, unknown>> };
    return action._forClient();
  }
  if (model === 'ir.actions.act_url') {
    const [a] = await env.model('ir.actions.act_url').browse([id!]).read(['name', 'url', 'target']);
    return { id: a.id, type: 'ir.actions.act_url', name: a.name, url: a.url, target: a.target || 'new' };
  }
  throw new ValidationError(`'${String(actionId)}' is not an action (it is a ${model} record)`);
}

/** Every translation for `lang`: the installed addons' catalogues (web's included), from the registry. */
export function translationsFor(http: HttpServices, lang: string): Record<string, string> {
  const registry = http.app.registry.translations;
  const out: Record<string, string> = {};
  for (const key of [lang.slice(0, 2), lang]) for (const [k, v] of registry.get(key) ?? []) out[k] = v;
  return out;
}

function validLang(lang: unknown): string {
  return typeof lang === 'string' && /^[a-z]{2}(_[A-Z]{2})?$/.test(lang) ? lang : 'en_US';
}

export function datasetRoutes(router: Router, http: HttpServices): void {
  const callKwRoute = jsonRoute(http, 'user', async ({ params, uid, ctx }) => {
    const model = (params.model ?? ctx.params.model) as string;
    const method = (params.method ?? ctx.params.method) as string;
    const kwargs = (params.kwargs ?? {}) as Record<string, unknown>;
    const progressKey = (kwargs?.context as Record<string, unknown> | undefined)?.progress_key;
    try {
      const readonly = isReadonlyCall(http.app.registry, model, method);
      return await http.app.withEnv(uid, (env) => callKw(env, model, method, params.args ?? [], kwargs), undefined, { readonly });
    } finally {
      if (progressKey) await finishProgress(http.app.registry, progressKey, uid);
    }
  });
  router.post('/web/dataset/call_kw', callKwRoute);
  router.post('/web/dataset/call_kw/:model/:method', callKwRoute);
  router.post('/web/dataset/call_kw/:model', callKwRoute);
  router.post('/web/dataset/call_button', callKwRoute);

  router.post('/web/action/load', jsonRoute(http, 'user', async ({ params, uid }) => {
    const extra = params.additional_context;
    return http.app.withEnv(uid, (env) => loadAction(env, params.action_id), extra && typeof extra === 'object' ? (extra as Record<string, unknown>) : undefined);
  }));

  const loadMenus = (uid: number) => http.app.withEnv(uid, (env) => (env.model('ir.ui.menu') as unknown as { load_web_menus(): Promise<unknown> }).load_web_menus());
  router.post('/web/webclient/load_menus', jsonRoute(http, 'user', async ({ uid }) => loadMenus(uid)));
  router.get(['/web/webclient/load_menus', '/web/webclient/load_menus/:unique'], async (ctx: Context) => {
    const session = await http.loadSession(ctx);
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'no-store');
    if (!session?.uid) { ctx.status = 401; ctx.body = JSON.stringify({ error: http.t(ctx, 'Session expired') }); return; }
    ctx.body = JSON.stringify(await loadMenus(session.uid));
  });

  router.post('/web/webclient/translations', jsonRoute(http, 'none', async ({ params }) => {
    const lang = validLang(params.lang);
    return { lang, messages: translationsFor(http, lang) };
  }));
  router.get(['/web/webclient/translations', '/web/webclient/translations/:unique'], async (ctx: Context) => {
    const lang = validLang(ctx.query.lang);
    ctx.type = 'application/json';
    ctx.body = JSON.stringify({ lang, messages: translationsFor(http, lang) });
  });

  router.post('/web/progress', jsonRoute(http, 'user', async ({ params, uid }) => readProgress(http.app.registry, params.key, uid)));
}
