/**
 * Headless Chromium for the browser tests (test/e2e), driven by playwright-core against the
 * Debian package at /usr/bin/chromium (no browser download):
 *
 *   const browser = await launchBrowser();
 *   const page = await newPage(browser);               // 1280×800, English, fresh profile
 *   await login(page, srv.url, 'admin', 'admin');      // through /web/login, waits for the client
 *   await shot(page, 'items-list');                    // test-output/screenshots/items-list.png
 *   await browser.close();
 *
 * Each browser gets its own throw-away user-data directory, removed on close.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../core/config.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(PROJECT_ROOT, 'test-output', 'screenshots');
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A persistent Chromium context on a fresh profile; `close()` also removes the profile. */
export interface TestBrowser {
  context: BrowserContext;
  browser: Browser | null;
  close(): Promise<void>;
}

export function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium was not found at ${CHROMIUM_PATH}: run npm test, it installs Chromium (apt-get install -y chromium), or set CHROMIUM_PATH.`);
  }
}

/** Launches headless Chromium with a fresh user-data directory. */
export async function launchBrowser(opts: { viewport?: { width: number; height: number }; locale?: string } = {}): Promise<TestBrowser> {
  assertChromium();
  const profile = mkdtempSync(join(tmpdir(), 'erp-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: opts.viewport ?? { width: 1280, height: 800 },
      locale: opts.locale ?? 'en-US',
      timezoneId: 'UTC',
      acceptDownloads: true,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  context.setDefaultTimeout(10_000);
  let closed: Promise<void> | null = null;
  return {
    context,
    browser: context.browser(),
    close() {
      closed ??= context.close().catch(() => undefined).finally(() => rmSync(profile, { recursive: true, force: true }));
      return closed;
    },
  };
}

/** A new tab; browser console errors are collected in `errors` (useful in failure messages). */
export async function newPage(browser: TestBrowser, opts: { viewport?: { width: number; height: number } } = {}): Promise<Page & { errors: string[] }> {
  const page = (await browser.context.newPage()) as Page & { errors: string[] };
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.errors.push(msg.text());
  });
  if (opts.viewport) await page.setViewportSize(opts.viewport);
  return page;
}

/**
 * Logs in through the login page and waits for the web client to show its navbar. The
 * context's cookies are cleared first, so other tabs of the same context are logged out.
 */
export async function login(page: Page, url: string, user: string, password: string, opts: { redirect?: string } = {}): Promise<void> {
  await page.context().clearCookies();
  const target = `${url}/web/login${opts.redirect ? `?redirect=${encodeURIComponent(opts.redirect)}` : ''}`;
  await page.goto(target);
  await page.fill('input[name="login"]', user);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/web/login')), page.click('button[type="submit"]')]);
  await page.locator('erp-menu nav').waitFor();
}

/** Logs out by clearing the session cookie (cheaper than the user menu). */
export async function logout(page: Page): Promise<void> {
  await page.context().clearCookies();
}

/** Saves a full-page screenshot as test-output/screenshots/<name>.png; returns its path. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
