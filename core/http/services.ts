/**
 * What the routes share: the app, the session store, the authenticator, the RPC services,
 * the body limit, and small request helpers (session cookie, client address, language).
 * One instance per server; routes receive it instead of reaching for globals.
 */
import type { Context } from 'koa';
import type { App } from '../app.ts';
import { Authenticator } from './auth.ts';
import { RpcServices } from './rpc/services.ts';
import type { ChannelSubscription } from '../db/listener.ts';
import { logger } from '../logger.ts';
import { SESSION_CHANNEL, SESSION_COOKIE, SessionStore, sessionSignalsInstalled, type Session, type SessionOptions } from './session.ts';
import { LoginThrottle, type ThrottleOptions } from './throttle.ts';

export interface HttpServicesOptions {
  session?: SessionOptions;
  throttle?: ThrottleOptions;
  /** Build and serve the web client's bundle (default true; tests of the API skip it). */
  webClient?: boolean;
  /** Minify the web client's bundle (default true). */
  minify?: boolean;
}

export class HttpServices {
  readonly sessions: SessionStore;
  readonly auth: Authenticator;
  readonly rpc: RpcServices;
  readonly limitBytes: number;
  /** Servers: the subscription to the session signals that keeps the session cache honest across workers. */
  private readonly sessionSignals: ChannelSubscription | null;

  constructor(readonly app: App, readonly options: HttpServicesOptions = {}) {
    const opts = options;
    // PGlite: one process owns the database, so sessions may be cached a minute. Servers
    // (several workers): cached while this process listens to the database's session
    // signals (start()), so a logout or a deactivated user on another worker is honoured
    // here at once; read at every request otherwise.
    const listener = app.db.kind === 'postgres' ? app.db.listener : undefined;
    this.sessionSignals = listener ? listener.channel(SESSION_CHANNEL, (payload) => this.sessions.invalidate(payload)) : null;
    this.sessions = new SessionStore(app.db.knex, { cacheSeconds: app.db.kind === 'pglite' ? 60 : 0, ...(this.sessionSignals ? { signals: this.sessionSignals } : {}), ...opts.session });
    this.auth = new Authenticator(app, new LoginThrottle(app.db.knex, opts.throttle));
    this.rpc = new RpcServices(app, this.auth);
    this.limitBytes = Math.max(1, app.config.limit_request_mb) * 1024 * 1024;
  }

  /** Starts listening to the session signals when the database sends them. */
  async start(): Promise<void> {
    if (!this.sessionSignals) return;
    if (await sessionSignalsInstalled(this.app.db.knex)) await this.sessionSignals.start();
    else logger.info('Sessions are read at every request: the database has no session signals yet (update the base addon)');
  }

  async close(): Promise<void> {
    await this.sessionSignals?.close();
  }

  /** The listener of session signals (tests cut its connection). */
  get sessionListener(): ChannelSubscription | null {
    return this.sessionSignals;
  }

  /** The request's session (loaded once per request), or null. */
  async loadSession(ctx: Context): Promise<Session | null> {
    if (ctx.state.session === undefined) ctx.state.session = await this.sessions.load(ctx.cookies.get(SESSION_COOKIE));
    return ctx.state.session as Session | null;
  }

  setSessionCookie(ctx: Context, session: Session): void {
    ctx.state.session = session;
    ctx.cookies.set(SESSION_COOKIE, session.sid, {
      httpOnly: true, sameSite: 'lax', path: '/', overwrite: true, secure: false,
      maxAge: (session.uid === null ? this.sessions.anonymousTtl : this.sessions.ttl) * 1000,
    });
  }

  clearSessionCookie(ctx: Context): void {
    ctx.state.session = null;
    ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/', overwrite: true, maxAge: 0, expires: new Date(0) });
  }

  /** Logs `uid` in: the old session (anonymous or not) is replaced by a new id. */
  async startSession(ctx: Context, uid: number): Promise<Session> {
    await this.sessions.destroy(await this.loadSession(ctx));
    const session = await this.sessions.create(uid, { remoteAddr: this.remoteAddr(ctx), userAgent: ctx.get('user-agent') });
    this.setSessionCookie(ctx, session);
    return session;
  }

  remoteAddr(ctx: Context): string {
    return ctx.ip || ctx.req.socket.remoteAddress || 'unknown';
  }

  /** Language of the session's user, else from Accept-Language (es → es_ES), else en_US. */
  async langOf(session: Session | null, ctx?: Context): Promise<string> {
    if (session?.uid) {
      try {
        const row = await this.app.db.knex('res_users').where({ id: session.uid }).first('lang');
        if (row?.lang) return row.lang;
      } catch { /* the error being reported matters more */ }
    }
    if (ctx) {
      const first = (ctx.get('accept-language').split(',')[0] ?? '').trim().toLowerCase();
      if (first.startsWith('es')) return 'es_ES';
    }
    return 'en_US';
  }

  /** Translates `text` for the request's language (user's, else browser's). */
  t(ctx: Context, text: string): string {
    const lang = (ctx.state.lang as string | undefined) ?? (/^es\b/i.test(ctx.get('accept-language')) ? 'es_ES' : 'en_US');
    return this.app.registry.translate(lang, text);
  }
}
