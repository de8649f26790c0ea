/**
 * What the browser tests share: one server over a fresh database with the `test_web`
 * fixture addon (test/fixtures/addons/test_web), seeded partners, tags and items, and
 * helpers to reach the web client's views. Each test file calls `startE2e()` once in
 * `test.before` and `close()` in `test.after.always`.
 */
import type { Locator, Page } from 'playwright-core';
import type { App } from '../../core/app.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { launchBrowser, login, newPage, type TestBrowser } from '../helpers/browser.ts';

export const ITEM_ACTION = 'test_web.action_test_web_item';
export const ADDONS = ['base', 'mail', 'test_web'];

export interface Seeded {
  partners: Record<'azure' | 'deco' | 'gemini', number>;
  tags: Record<'backend' | 'ui', number>;
  /** Item ids in creation order (Item 001 first). */
  items: number[];
}

export interface E2e {
  srv: TestServer;
  browser: TestBrowser;
  seeded: Seeded;
  close(): Promise<void>;
}

/** Partners, tags and `count` items "Item 001"… (every 5th in progress, quantities 1…count). */
export async function seed(app: App, count: number): Promise<Seeded> {
  return app.withEnv(2, async (env) => {
    const p = await env.model('res.partner').create([{ name: 'Azure Interior' }, { name: 'Deco Addict' }, { name: 'Gemini Furniture' }]);
    const t = await env.model('test.web.tag').create([{ name: 'Backend', color: 3 }, { name: 'UI', color: 5 }]);
    const vals = [];
    for (let i = 1; i <= count; i++) {
      vals.push({
        name: `Item ${String(i).padStart(3, '0')}`, partner_id: p.ids[i % 2], quantity: i, price: i * 1.5,
        kind: ['bug', 'feature', 'question'][i % 3], priority: String(i % 4), state: i % 5 === 0 ? 'open' : 'draft',
        tag_ids: [[6, 0, [t.ids[i % 2]]]], sequence: i,
      });
    }
    const items = count ? await env.model('test.web.item').withContext({ tracking_disable: true, mail_create_nosubscribe: true }).create(vals) : null;
    return {
      partners: { azure: p.ids[0], deco: p.ids[1], gemini: p.ids[2] },
      tags: { backend: t.ids[0], ui: t.ids[1] },
      items: items ? items.ids : [],
    };
  });
}

/** Creates a user with `groups` (XML ids) and password = login; returns the uid. */
export async function createUser(app: App, login: string, groups: string[], extra: Record<string, unknown> = {}): Promise<number> {
  return app.withEnv(1, async (env) => {
    const gids = await Promise.all(groups.map((g) => env.refId(g)));
    const user = await env.model('res.users').create({ name: `User ${login}`, login, password: login, groups_id: [[6, 0, gids]], ...extra });
    return user.ids[0];
  });
}

export async function startE2e(opts: { items?: number } = {}): Promise<E2e> {
  const srv = await startTestServer({ addons: ADDONS, fixtures: true });
  let browser: TestBrowser | undefined;
  try {
    const seeded = await seed(srv.app, opts.items ?? 12);
    browser = await launchBrowser();
    const b = browser;
    return { srv, browser: b, seeded, close: async () => { await b.close(); await srv.close(); } };
  } catch (err) {
    await browser?.close();
    await srv.close();
    throw err;
  }
}

/** A new tab logged in as `user` (password = login, admin's is 'admin'). */
export async function loggedInPage(e2e: E2e, user = 'admin', password = user): Promise<Page & { errors: string[] }> {
  const page = await newPage(e2e.browser);
  await login(page, e2e.srv.url, user, password);
  return page;
}

/** Opens the items action in `view` and waits for it to show data. */
export async function openItems(page: Page, url: string, view: 'list' | 'kanban' | 'graph' = 'list'): Promise<void> {
  await page.goto(`${url}/web#action=${ITEM_ACTION}&view_type=${view}`);
  // The client rewrites the XML id to the action's id once the new view is in place.
  await page.waitForURL(/[#&]action=\d+/);
  if (view === 'list') await page.locator('erp-list-renderer tr.record, erp-list-renderer tr.group').first().waitFor();
  if (view === 'kanban') await page.locator('erp-kanban-view .card').first().waitFor();
  if (view === 'graph') await page.locator('erp-graph-view svg').first().waitFor();
}

/** Opens the form of record `id` of the items action. */
export async function openItem(page: Page, url: string, id: number): Promise<void> {
  await page.goto(`${url}/web#action=${ITEM_ACTION}&view_type=form&id=${id}`);
  await page.waitForURL(/[#&]action=\d+/);
  await page.locator('erp-form-renderer .o_field[data-field="name"]').waitFor();
}

/** The form view's field container (`.o_field[data-field=…]`). */
export function field(page: Page | Locator, name: string): Locator {
  return page.locator(`erp-form-view:not([in-dialog]) erp-form-renderer .o_field[data-field="${name}"]`);
}

/** A control-panel button of the current (non-dialog) view by its text. */
export function cpButton(page: Page, name: string | RegExp): Locator {
  return page.locator('erp-control-panel').getByRole('button', { name, exact: typeof name === 'string' });
}

/** The last toast's text. */
export function toasts(page: Page): Locator {
  return page.locator('erp-notifications .toast');
}

/** Rows of the list view. */
export function rows(page: Page): Locator {
  return page.locator('erp-list-renderer tr.record');
}

/** Reads fields of test.web.item records as the superuser. */
export async function readItems(app: App, domain: unknown[], fields: string[]): Promise<Array<Record<string, unknown>>> {
  return app.withEnv(1, (env) => env.model('test.web.item').search_read(domain as never, fields));
}
