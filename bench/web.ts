/**
 * Web client benchmark (issue 4):
 *  - the bundle's gzipped size (goal < 150 KB);
 *  - time to the first rendered list of 80 rows: headless Chromium, logged in, navigates to
 *    the contacts action (200 partners) and measures from navigation start to the frame in
 *    which the 80th row is in the DOM, over 10 full page loads (p50/p90), beside the time
 *    the same `search_read` JSON takes over `fetch` from the page (the floor: the list
 *    cannot show before its data arrives).
 * Runs on the PostgreSQL server of `opts.dbUrl`, or on an in-memory PGlite without it.
 */
import type { Page } from 'playwright-core';
import { buildWebClient } from '../addons/web/build.ts';
import { bootApp, type App } from '../core/app.ts';
import { loadConfig } from '../core/config.ts';
import { openDatabase } from '../core/db/index.ts';
import { startHttpServer } from '../core/http/index.ts';
import { launchBrowser, login } from '../test/helpers/browser.ts';
import { percentile, round, type Row } from './stats.ts';

const PARTNERS = 200;
const RUNS = 10;
const ACTION = 'base.action_partner_form';

async function seedPartners(app: App): Promise<void> {
  await app.withEnv(1, async (env) => {
    const have = await env.model('res.partner').search_count([['name', 'like', 'Bench partner %']]);
    if (have >= PARTNERS) return;
    const vals = Array.from({ length: PARTNERS - have }, (_, i) => ({
      name: `Bench partner ${String(have + i + 1).padStart(4, '0')}`, email: `bench${have + i + 1}@example.com`, city: ['Madrid', 'Lima', 'Quito'][i % 3], phone: `+34 600 000 ${String(i).padStart(3, '0')}`,
    }));
    await env.model('res.partner').create(vals);
  });
}

/**
 * In-page expression: rows of the list currently shown, looked up through the components'
 * shadow roots. A string, so the bundler of this file never rewrites it.
 */
const LIST_HAS_80_ROWS = `(() => {
  const root = (el) => (el && el.shadowRoot) || null;
  const app = root(document.querySelector('erp-app'));
  const manager = root(app && app.querySelector('erp-action-manager'));
  const list = root(manager && manager.querySelector('erp-list-view'));
  const renderer = root(list && list.querySelector('erp-list-renderer'));
  return renderer ? renderer.querySelectorAll('tr.record').length >= 80 : false;
})()`;

/** One full page load of the list action; ms from navigation start to 80 rows on screen. */
async function timeListLoad(page: Page, url: string): Promise<number> {
  await page.goto('about:blank');
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(LIST_HAS_80_ROWS, undefined, { polling: 'raf', timeout: 30_000 });
  return page.evaluate(() => performance.now());
}

export async function benchWeb(opts: { dbUrl?: string } = {}): Promise<Row[]> {
  const build = await buildWebClient({ minify: true });
  const rows: Row[] = [
    { name: 'web client bundle main.js (minified, gzipped)', value: round(build.gzipBytes / 1024, 1), unit: 'KB', reference: 'goal < 150 KB' },
  ];
  const { config } = loadConfig([], { ERP_LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv);
  const database = opts.dbUrl ? undefined : await openDatabase({});
  const app = await bootApp({ ...config, db_url: opts.dbUrl ?? '', demo: false, addons: ['base'], admin_password: 'admin' }, { database });
  let server: Awaited<ReturnType<typeof startHttpServer>> | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  try {
    await seedPartners(app);
    await app.withEnv(1, async (env) => {
      // A known password for the benchmark's browser (the bench database is throw-away).
      await env.model('res.users').browse([2]).write({ password: 'admin' });
    });
    server = await startHttpServer(app, { port: 0, host: '127.0.0.1', webClient: true, minify: true });
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    await login(page, server.url, 'admin', 'admin');
    const actionId = await app.withEnv(1, (env) => env.refId(ACTION));
    const url = `${server.url}/web#action=${actionId}&view_type=list`;
    // The list's own search_read request, replayed with fetch for the floor.
    let request: { url: string; body: string } | null = null;
    page.on('request', (r) => {
      if (!request && r.url().includes('/res.partner/search_read')) request = { url: r.url(), body: r.postData() ?? '' };
    });
    const cold = await timeListLoad(page, url);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await timeListLoad(page, url));
    times.sort((a, b) => a - b);
    if (!request) throw new Error('The list did not call search_read');
    const { url: rpcUrl, body } = request as { url: string; body: string };
    const fetches = await page.evaluate(async ({ rpcUrl, body, runs }) => {
      const out: number[] = [];
      for (let i = 0; i < runs + 2; i++) {
        const t0 = performance.now();
        const res = await fetch(rpcUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
        const json = await res.json();
        if (!Array.isArray(json.result) || json.result.length < 80) throw new Error(`search_read answered ${JSON.stringify(json).slice(0, 200)}`);
        out.push(performance.now() - t0);
      }
      return out.slice(2);
    }, { rpcUrl, body, runs: RUNS });
    fetches.sort((a, b) => a - b);
    const f50 = percentile(fetches, 50), f90 = percentile(fetches, 90);
    const p50 = percentile(times, 50), p90 = percentile(times, 90);
    rows.push(
      { name: `web: navigation → 80 rendered rows of ${PARTNERS} (list, ${RUNS} loads) p50`, value: round(p50, 0), unit: 'ms', reference: `same search_read JSON over fetch p50 ${round(f50, 1)} ms (the floor)` },
      { name: 'web: navigation → 80 rendered rows p90', value: round(p90, 0), unit: 'ms', reference: `fetch p90 ${round(f90, 1)} ms; first (cold cache) load ${round(cold, 0)} ms` },
    );
    return rows;
  } finally {
    await browser?.close();
    await server?.close();
    await app.close();
  }
}
