/**
 * A real HTTP server on a free port over a fresh test database (makeTestApp), for API and
 * browser tests:
 *
 *   const srv = await startTestServer({ addons: ['base'] });
 *   test.after.always(() => srv.close());
 *   await fetch(`${srv.url}/web/health`);
 *
 * It resolves only once `/web/health` answers 200. `close()` stops the scheduler (when
 * started), the server and the database, and is safe to call twice.
 */
import type { App } from '../../core/app.ts';
import { startScheduler, type Scheduler, type SchedulerOptions } from '../../core/cron/index.ts';
import { startAddonServices, startHttpServer, type HttpServer, type HttpServerOptions, type RunningService } from '../../core/http/index.ts';
import { makeTestApp, type TestAppOptions } from './app.ts';

export interface TestServerOptions extends TestAppOptions {
  /** Build and serve the web client bundle (needed by browser tests). Default true. */
  webClient?: boolean;
  /** Start the addons' services (seam.ts), as `npm start` does. Default false. */
  services?: boolean;
  /** Start the cron scheduler in the server process. Default false. */
  cron?: boolean | SchedulerOptions;
  /** Extra server options (session/throttle settings). */
  server?: Omit<HttpServerOptions, 'port' | 'host' | 'webClient'>;
}

export interface TestServer {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  app: App;
  server: HttpServer;
  scheduler: Scheduler | null;
  services: RunningService | null;
  close(): Promise<void>;
}

export async function startTestServer(opts: TestServerOptions): Promise<TestServer> {
  const app = await makeTestApp(opts);
  let server: HttpServer | undefined;
  let scheduler: Scheduler | null = null;
  let services: RunningService | null = null;
  try {
    server = await startHttpServer(app, { ...(opts.server ?? {}), port: 0, host: '127.0.0.1', webClient: opts.webClient ?? true, minify: true });
    if (opts.services) services = await startAddonServices(app);
    if (opts.cron) scheduler = startScheduler(app, typeof opts.cron === 'object' ? opts.cron : {});
    await waitHealthy(server.url);
  } catch (err) {
    await services?.stop();
    await server?.close();
    await app.close();
    throw err;
  }
  const srv = server;
  let closed: Promise<void> | null = null;
  return {
    url: srv.url, port: srv.port, app, server: srv, scheduler, services,
    close() {
      closed ??= (async () => {
        await scheduler?.stop();
        await services?.stop();
        await srv.close();
        await app.close();
      })();
      return closed;
    },
  };
}

async function waitHealthy(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/web/health`);
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Test server at ${url} did not become healthy in ${timeoutMs} ms (${last})`);
}
