/**
 * The koa server: one app, one router, the External API routes of routes/rpc.ts, the
 * health check, the routes addons bring (their `controllers`, see seam.ts), and a
 * last-resort error handler that never sends a stack trace or an HTML page.
 *
 *   request ─▶ safety net ─▶ router ─┬─ /xmlrpc/…, /jsonrpc     (routes/rpc.ts)
 *                                    ├─ /web/health             (here)
 *                                    └─ addons' controllers     (e.g. the web client's /web/…)
 *
 * It owns no business logic and no SQL beyond sessions: every call goes through callKw or
 * the ORM inside `app.withEnv` (one transaction per request, rolled back on error).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import type { App } from '../app.ts';
import { logger } from '../logger.ts';
import { dbProgressStore, memoryProgressStore, setProgressStore } from './progress.ts';
import { exposeError } from './rpc/errors.ts';
import { rpcRoutes } from './routes/rpc.ts';
import { addonControllers, type Controller } from './seam.ts';
import { HttpServices, type HttpServicesOptions } from './services.ts';

export interface HttpServerOptions extends HttpServicesOptions {
  /** Port to listen on; 0 picks a free one. Default: config.http_port. */
  port?: number;
  /** Interface to listen on. Default: config.http_interface. */
  host?: string;
}

export interface HttpServer {
  koa: Koa;
  server: Server;
  http: HttpServices;
  /** Base URL, e.g. http://localhost:8069 */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The koa application with every route; `isReady` drives /web/health. */
export async function createKoaApp(http: HttpServices, controllers: Controller[], isReady: () => boolean = () => true): Promise<Koa> {
  const koa = new Koa();
  koa.silent = true;
  koa.on('error', (err) => logger.debug(`HTTP: ${err?.message ?? err}`));
  koa.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.type = 'text/plain';
        ctx.body = 'Not found';
      }
    } catch (err) {
      const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
      const message = status < 500 && (err as { expose?: boolean }).expose ? (err as Error).message : exposeError(err, `${ctx.method} ${ctx.path}`).message;
      ctx.status = status;
      ctx.type = ctx.path.startsWith('/xmlrpc') || ctx.path === '/jsonrpc' || /json/.test(ctx.get('content-type')) ? 'application/json' : 'text/plain';
      ctx.body = ctx.type === 'application/json' ? JSON.stringify({ error: message }) : message;
    }
  });
  const router = new Router();
  rpcRoutes(router, http);
  router.get('/web/health', (ctx) => {
    const ready = isReady();
    ctx.status = ready ? 200 : 503;
    ctx.type = 'application/json';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = JSON.stringify({ status: ready ? 'pass' : 'starting' });
  });
  for (const controller of controllers) await controller(router, http);
  koa.use(router.routes());
  koa.use(router.allowedMethods());
  return koa;
}

/**
 * Starts the HTTP server for `app` and resolves once it listens and /web/health answers
 * 200 (the addons' controllers are mounted first; the web client builds its bundle then).
 */
export async function startHttpServer(app: App, opts: HttpServerOptions = {}): Promise<HttpServer> {
  setProgressStore(app.registry, app.db.kind === 'postgres' ? dbProgressStore(app.db.knex) : memoryProgressStore());
  const http = new HttpServices(app, opts);
  await http.start();
  let ready = false;
  const koa = await createKoaApp(http, addonControllers(app), () => ready);
  const server = createServer(koa.callback());
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0; // long imports may take minutes; sockets still time out when idle
  const port = opts.port ?? app.config.http_port;
  const host = opts.host ?? app.config.http_interface;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  ready = true;
  const actual = (server.address() as AddressInfo).port;
  const shownHost = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  let closing: Promise<void> | null = null;
  return {
    koa, server, http, port: actual, url: `http://${shownHost}:${actual}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        ready = false;
        server.close(() => { http.close().then(resolve, resolve); });
        server.closeIdleConnections();
        // Requests still running get a grace period, then their sockets are closed.
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      });
      return closing;
    },
  };
}
