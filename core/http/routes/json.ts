/**
 * Odoo's `type='json'` routes: a JSON-RPC envelope in, `{result}` or `{error}` out. This
 * helper does what every such route needs — Content-Type check (JSON routes rely on it
 * against cross-site forms, as Odoo), body size limit, the session, the error mapping —
 * so a route is only its handler.
 */
import type { Context, Middleware } from 'koa';
import { readBody } from '../body.ts';
import { jsonRpcError, jsonRpcResult, parseJsonRpc, peekId } from '../rpc/json-rpc.ts';
import { BadRequest, RequestTooLarge, SessionExpired } from '../rpc/errors.ts';
import type { Session } from '../session.ts';
import type { HttpServices } from '../services.ts';
import { logger } from '../../logger.ts';

export interface JsonRequest {
  params: Record<string, unknown>;
  /** The session of 'user' routes; 'none' routes load it themselves when they need it. */
  session: Session | null;
  /** The logged-in user (routes with auth 'user' only). */
  uid: number;
  ctx: Context;
}

export type JsonHandler = (req: JsonRequest) => Promise<unknown>;

export function isJsonContentType(ctx: Context): boolean {
  return /^application\/(json|json-rpc|jsonrequest)\b/i.test(ctx.get('content-type'));
}

/** Wraps `handler` as a JSON-RPC route; `auth: 'user'` answers SessionExpired without a user. */
export function jsonRoute(http: HttpServices, auth: 'user' | 'none', handler: JsonHandler): Middleware {
  return async (ctx) => {
    let body: Buffer | undefined;
    let session: Session | null = null;
    try {
      if (!isJsonContentType(ctx)) throw new BadRequest(`Bad Content-Type '${ctx.get('content-type').slice(0, 60)}': this route expects application/json`);
      body = await readBody(ctx, http.limitBytes);
      const req = parseJsonRpc(body);
      if (auth === 'user') session = await http.loadSession(ctx);
      if (auth === 'user' && !session?.uid) throw new SessionExpired(http.t(ctx, 'Session expired'));
      const result = await handler({ params: req.params, session, uid: session?.uid ?? 0, ctx });
      // Sliding expiry, without making the answer wait for it.
      if (session?.uid) http.sessions.touch(session).catch((err) => logger.warn(`Could not refresh session: ${err?.message ?? err}`));
      ctx.status = 200;
      ctx.type = 'application/json';
      ctx.body = jsonRpcResult(req.id, result);
    } catch (err) {
      const lang = await http.langOf(session ?? (ctx.state.session as Session | null | undefined) ?? null, ctx);
      const { body: out } = jsonRpcError(peekId(body), err, (s) => http.app.registry.translate(lang, s), `${ctx.method} ${ctx.path}`);
      ctx.status = err instanceof RequestTooLarge ? 413 : err instanceof BadRequest ? 400 : 200;
      ctx.type = 'application/json';
      ctx.body = out;
    }
  };
}
