/**
 * The web client's pages and bundle: `/` → `/web`, `/web` (the client shell, logged-in
 * users only) and `/web/static/dist/*` (the esbuild bundle, built once at server start and
 * served from memory, gzipped when the browser accepts it).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { buildWebClient, WEB_DIST_DIR } from '../build.ts';
import { renderWebClientPage } from '../pages.ts';
import { type HttpServices } from '../../../core/http/index.ts';

interface Asset {
  body: Buffer;
  gzip: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = { '.js': 'application/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2' };

/** The bundle in memory: what this process built is what it serves. */
export class WebAssets {
  private files = new Map<string, Asset>();
  version = '';
  gzipBytes = 0;

  /** Builds the client (once per process) and keeps the bundle in memory. */
  async build(opts: { minify?: boolean } = {}): Promise<void> {
    const { result, files } = await buildOnce(opts.minify ?? true);
    const hash = createHash('sha1');
    for (const [file, body] of files) {
      hash.update(body);
      this.files.set(basename(file), asset(file, body));
    }
    this.version = hash.digest('hex').slice(0, 12);
    this.gzipBytes = result.gzipBytes;
  }

  get(name: string): Asset | undefined {
    const cached = this.files.get(name);
    if (cached) return cached;
    // Other files esbuild wrote (source maps, chunks): from disk, never outside the folder.
    const path = resolve(WEB_DIST_DIR, name);
    if (!path.startsWith(WEB_DIST_DIR + sep) || !existsSync(path) || !statSync(path).isFile()) return undefined;
    return asset(path, readFileSync(path));
  }
}

function asset(file: string, body: Buffer): Asset {
  const ext = /\.[a-z0-9]+$/i.exec(file)?.[0] ?? '';
  return { body, gzip: gzipSync(body), type: TYPES[ext] ?? 'application/octet-stream', etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"` };
}

// One build per process and minify flag: several servers in one test process share it.
// Across processes (parallel test files, cluster workers) a lock directory serialises
// build + read, so nobody reads a bundle another process is half-way through writing.
const builds = new Map<boolean, Promise<{ result: Awaited<ReturnType<typeof buildWebClient>>; files: Map<string, Buffer> }>>();
function buildOnce(minify: boolean): Promise<{ result: Awaited<ReturnType<typeof buildWebClient>>; files: Map<string, Buffer> }> {
  let p = builds.get(minify);
  if (!p) {
    p = withBuildLock(async () => {
      const result = await buildWebClient({ minify });
      return { result, files: new Map([result.js, result.css].map((f) => [f, readFileSync(f)])) };
    });
    builds.set(minify, p);
    p.catch(() => builds.delete(minify));
  }
  return p;
}

async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(WEB_DIST_DIR, { recursive: true });
  const lock = join(WEB_DIST_DIR, '.build-lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock left by a killed process is taken over after a minute.
      try { if (Date.now() - statSync(lock).mtimeMs > 60_000) { rmSync(lock, { recursive: true, force: true }); continue; } } catch { continue; }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the web client build lock ${lock}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The bundle is built (or reused) before the routes are mounted, unless `webClient: false`. */
export async function webClientRoutes(router: Router, http: HttpServices): Promise<void> {
  let assets: WebAssets | null = null;
  if (http.options.webClient !== false) {
    assets = new WebAssets();
    await assets.build({ minify: http.options.minify ?? true });
  }
  router.get('/', (ctx) => ctx.redirect('/web'));

  router.get('/web', async (ctx) => {
    const session = await http.loadSession(ctx);
    if (!session?.uid) { ctx.redirect(`/web/login?redirect=${encodeURIComponent(ctx.originalUrl)}`); return; }
    const lang = await http.langOf(session);
    ctx.type = 'text/html';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Frame-Options', 'SAMEORIGIN');
    ctx.body = renderWebClientPage({ title: 'Helpdesk', lang, translate: (s) => http.app.registry.translate(lang, s), csrfToken: session.csrfToken, assetVersion: assets?.version || undefined });
  });

  router.get('/web/static/dist/*path', (ctx: Context) => {
    const file = assets?.get(String(ctx.params.path));
    if (!file) { ctx.status = 404; ctx.type = 'text/plain'; ctx.body = 'Not found'; return; }
    ctx.set('ETag', file.etag);
    ctx.set('Cache-Control', ctx.query.v ? 'public, max-age=31536000, immutable' : 'no-cache');
    ctx.set('Vary', 'Accept-Encoding');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.type = file.type;
    if (ctx.get('if-none-match') === file.etag) { ctx.status = 304; return; }
    if (/\bgzip\b/.test(ctx.get('accept-encoding'))) {
      ctx.set('Content-Encoding', 'gzip');
      ctx.body = file.gzip;
    } else {
      ctx.body = file.body;
    }
  });
}
