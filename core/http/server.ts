/**
 * The koa server: one app, one router, the routes of routes/*.ts, and a last-resort error
 * handler that never sends a stack trace or an HTML page.
 *
 *   request ─▶ safety net ─▶ router ─┬─ /xmlrpc/…, /jsonrpc            (routes/rpc.ts)
 *                                    ├─ /web/session/…, /web/login      (routes/session.ts)
 *                                    ├─ /web/dataset/…, /web/action/…   (routes/dataset.ts)
 *                                    ├─ /web/binary/…, /web/content/…   (routes/binary.ts)
 *                                    └─ /, /web, /web/static/dist/…     (routes/webclient.ts)
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
import { binaryRoutes } from './routes/binary.ts';
import { datasetRoutes } from './routes/dataset.ts';
import { rpcRoutes } from './routes/rpc.ts';
import { sessionRoutes } from './routes/session.ts';
import { WebAssets, webClientRoutes } from './routes/webclient.ts';
import { HttpServices, type HttpServicesOptions } from './services.ts';

export interface HttpServerOptions extends HttpServicesOptions {
  /** Port to listen on; 0 picks a free one. Default: config.http_port. */
  port?: number;
  /** Interface to listen on. Default: config.http_interface. */
  host?: string;
  /** Build and serve the web client bundle (default true). */
  webClient?: boolean;
  /** Minify the bundle (default true). */
  minify?: boolean;
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
export function createKoaApp(http: HttpServices, assets: WebAssets | null, isReady: () => boolean = () => true): Koa {
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
  sessionRoutes(router, http);
  datasetRoutes(router, http);
  binaryRoutes(router, http);
  webClientRoutes(router, http, assets, isReady);
  koa.use(router.routes());
  koa.use(router.allowedMethods());
  return koa;
}

/**
 * Starts the HTTP server for `app` and resolves once it listens and /web/health answers
 * 200 (the web client is built first when enabled).
 */
export async function startHttpServer(app: App, opts: HttpServerOptions = {}): Promise<HttpServer> {
  setProgressStore(app.registry, app.db.kind === 'postgres' ? dbProgressStore(app.db.knex) : memoryProgressStore());
  const http = new HttpServices(app, opts);
  let assets: WebAssets | null = null;
  if (opts.webClient !== false) {
    assets = new WebAssets();
    await assets.build({ minify: opts.minify ?? true });
  }
  let ready = false;
  const koa = createKoaApp(http, assets, () => ready);
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
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running get a grace period, then their sockets are closed.
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      });
      return closing;
    },
  };
}
