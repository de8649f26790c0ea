/**
 * Logging in and out: the JSON routes of the web client (`/web/session/authenticate`,
 * `/destroy`, `/get_session_info`) and the login page (`GET/POST /web/login`, a plain
 * form protected by the session's CSRF token), plus `/web/session/logout`.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { renderLoginPage, safeRedirect } from '../pages.ts';
import { AccessDenied } from '../../../core/errors.ts';
import { logger } from '../../../core/logger.ts';
import { type HttpServices, RequestTooLarge, SERVER_VERSION, type Session, VERSION_INFO, csrfMatches, exposeError, jsonRoute, parseForm, readBody } from '../../../core/http/index.ts';

/** Odoo 17's `session_info()` subset the web client reads. */
export async function sessionInfo(http: HttpServices, session: Session): Promise<Record<string, unknown>> {
  const uid = session.uid!;
  return http.app.withEnv(uid, async (env) => {
    const u = await env.cr('res_users').where({ id: uid }).first('name', 'login', 'partner_id', 'lang', 'tz');
    const isSystem = await env.hasGroup('base.group_system');
    const lang = u?.lang ?? 'en_US';
    const tz = u?.tz ?? 'UTC';
    return {
      uid, name: u?.name ?? '', username: u?.login ?? '', partner_id: Number(u?.partner_id ?? 0) || false,
      db: http.app.config.db_name, user_context: { lang, tz, uid }, is_system: isSystem, is_admin: isSystem,
      csrf_token: session.csrfToken, server_version: SERVER_VERSION, server_version_info: VERSION_INFO.server_version_info,
    };
  });
}

export function sessionRoutes(router: Router, http: HttpServices): void {
  router.post('/web/session/authenticate', jsonRoute(http, 'none', async ({ params, ctx }) => {
    http.auth.checkDb(params.db);
    const uid = await http.auth.authenticate(params.login, params.password, http.remoteAddr(ctx), await http.langOf(null, ctx));
    const session = await http.startSession(ctx, uid);
    return sessionInfo(http, session);
  }));

  router.post('/web/session/destroy', jsonRoute(http, 'none', async ({ ctx }) => {
    await http.sessions.destroy(await http.loadSession(ctx));
    http.clearSessionCookie(ctx);
    return null;
  }));

  router.post('/web/session/get_session_info', jsonRoute(http, 'user', async ({ session }) => sessionInfo(http, session!)));

  router.get('/web/session/logout', async (ctx) => {
    await http.sessions.destroy(await http.loadSession(ctx));
    http.clearSessionCookie(ctx);
    ctx.redirect(safeRedirect(typeof ctx.query.redirect === 'string' ? ctx.query.redirect : '/web/login'));
  });

  router.get('/web/login', async (ctx) => {
    const session = await http.loadSession(ctx);
    const redirect = typeof ctx.query.redirect === 'string' ? ctx.query.redirect : undefined;
    if (session?.uid) { ctx.redirect(safeRedirect(redirect)); return; }
    await renderLogin(ctx, http, { redirect });
  });

  router.post('/web/login', async (ctx) => {
    let fields: Record<string, string> = {};
    try {
      const body = await readBody(ctx, http.limitBytes);
      const form = await parseForm(ctx.get('content-type') || 'application/x-www-form-urlencoded', body);
      for (const key of ['login', 'password', 'csrf_token', 'redirect', 'db']) {
        const v = form.get(key);
        if (typeof v === 'string') fields[key] = v;
      }
    } catch (err) {
      fields = {};
      ctx.status = err instanceof RequestTooLarge ? 413 : 400;
      await renderLogin(ctx, http, { error: exposeError(err).message, keepStatus: true });
      return;
    }
    const session = await http.loadSession(ctx);
    if (!csrfMatches(session, fields.csrf_token)) {
      ctx.status = 400;
      await renderLogin(ctx, http, { error: http.t(ctx, 'The form has expired or is invalid (CSRF token). Please log in again.'), login: fields.login, redirect: fields.redirect, keepStatus: true, fresh: true });
      return;
    }
    try {
      http.auth.checkDb(fields.db);
      const uid = await http.auth.authenticate(fields.login, fields.password, http.remoteAddr(ctx), await http.langOf(null, ctx));
      await http.startSession(ctx, uid);
      ctx.redirect(safeRedirect(fields.redirect));
      ctx.status = 303; // POST → GET
    } catch (err) {
      if (!(err instanceof AccessDenied)) logger.error('Login failed', err);
      await renderLogin(ctx, http, { error: exposeError(err, 'POST /web/login').message, login: fields.login, redirect: fields.redirect });
    }
  });
}

async function renderLogin(ctx: Context, http: HttpServices, opts: { error?: string; login?: string; redirect?: string; keepStatus?: boolean; fresh?: boolean }): Promise<void> {
  let session = opts.fresh ? null : await http.loadSession(ctx);
  if (!session) {
    session = await http.sessions.create(null, { remoteAddr: http.remoteAddr(ctx), userAgent: ctx.get('user-agent') });
    http.setSessionCookie(ctx, session);
  }
  const lang = await http.langOf(null, ctx);
  if (!opts.keepStatus) ctx.status = 200;
  ctx.type = 'text/html';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.body = renderLoginPage({ error: opts.error, lang, translate: (s) => http.app.registry.translate(lang, s), csrfToken: session.csrfToken, db: http.app.config.db_name, redirect: opts.redirect, login: opts.login });
}
