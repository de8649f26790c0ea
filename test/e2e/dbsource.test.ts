/**
 * Settings > Technical > Database Sources in a real browser: an administrator fills a source
 * in the form (the password field is write-only), saves, clicks "Test Connection" and sees
 * the notification — success against the real PostgreSQL server, the driver's message in a
 * danger notification for a refused port.
 */
import test from 'ava';
import type { Page } from 'playwright-core';
import { closeAllPools, configureSecret } from '../../addons/base_external_dbsource/index.ts';
import { launchBrowser, login, newPage, shot, type TestBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createPgDatabase, refusedPort, tempDir, type ExternalPg } from '../addons/base_external_dbsource/helpers.ts';

let srv: TestServer;
let browser: TestBrowser;
let page: Page & { errors: string[] };
let ext: ExternalPg;
let dir: ReturnType<typeof tempDir>;

test.before(async () => {
  srv = await startTestServer({ addons: ['base_external_dbsource'] });
  dir = tempDir('dbsource-e2e');
  configureSecret(srv.app.registry, { secretKey: '', dataDir: dir.dir });
  ext = await createPgDatabase();
  browser = await launchBrowser();
  page = await newPage(browser);
  await login(page, srv.url, 'admin', 'admin');
});
test.after.always(async () => {
  await browser?.close();
  await closeAllPools();
  await srv?.close();
  await ext?.drop();
  dir?.remove();
});

const field = (name: string) => page.locator(`erp-form-view:not([in-dialog]) erp-form-renderer .o_field[data-field="${name}"]`);

async function createThroughForm(name: string, connString: string, password: string): Promise<void> {
  const actionId = await srv.app.withEnv(2, (env) => env.refId('base_external_dbsource.action_base_external_dbsource'));
  await page.goto(`${srv.url}/web#action=${actionId}&view_type=form`);
  await field('name').locator('input').waitFor();
  await field('name').locator('input').fill(name);
  await field('conn_string').locator('textarea').fill(connString);
  await field('password').locator('input').fill(password);
  await page.locator('erp-control-panel').getByRole('button', { name: 'Save', exact: true }).click();
  await page.waitForURL(/[#&]id=\d+/);
}

test.serial('with no source yet, the list says what a source is and how to make one (the action\'s help)', async (t) => {
  const actionId = await srv.app.withEnv(2, (env) => env.refId('base_external_dbsource.action_base_external_dbsource'));
  await page.goto(`${srv.url}/web#action=${actionId}`);
  const help = page.locator('erp-list-view .help');
  await help.getByText('No database sources yet').waitFor();
  t.regex(await help.innerText(), /read-only connection to an external PostgreSQL, MySQL\/MariaDB, SQL Server or SQLite database/);
  t.is(await help.locator('p').first().evaluate((el) => getComputedStyle(el).fontWeight), '600', 'the first line reads as a title');
});

test.serial('Test Connection shows a success notification, and the saved form does not show the password', async (t) => {
  await createThroughForm('Browser source', `host=${ext.host} port=${ext.port} dbname=${ext.name} user=postgres password=%s`, 'Browser-Secret-8');
  await page.getByRole('button', { name: 'Test Connection' }).click();
  const toast = page.locator('erp-notifications .toast.success');
  await toast.waitFor();
  t.regex(await toast.innerText(), /Connection Test Succeeded!\s*Everything seems properly set up!/);
  t.is(await field('password').locator('input').inputValue().catch(() => ''), '');
  t.false((await page.content()).includes('Browser-Secret-8'));
  t.true(await page.getByText('postgres://zammad:%s@127.0.0.1:5432/zammad', { exact: true }).isVisible(), 'the example for the chosen connector');
  t.is(await page.getByText('mysql://reader:%s@127.0.0.1:3306/shop', { exact: true }).count(), 0, 'not those of the others');
  const example = page.getByText('postgres://zammad:%s@127.0.0.1:5432/zammad', { exact: true });
  t.deepEqual(await example.evaluate((el) => [el.tagName, getComputedStyle(el).display, /mono/i.test(getComputedStyle(el).fontFamily)]), ['CODE', 'inline', true],
    'the example reads as code, inline in its sentence');
  await shot(page, 'dbsource-test-connection');
  t.deepEqual(page.errors, []);
});

test.serial('a refused port shows the driver message in a danger notification', async (t) => {
  const port = await refusedPort();
  await createThroughForm('Refused source', `host=127.0.0.1 port=${port} dbname=x user=postgres password=%s`, 'x');
  await page.getByRole('button', { name: 'Test Connection' }).click();
  const toast = page.locator('erp-notifications .toast.danger');
  await toast.waitFor();
  const text = await toast.innerText();
  t.regex(text, /Connection Test Failed! \(Refused source\)/);
  t.true(text.includes(`PostgreSQL: connect ECONNREFUSED 127.0.0.1:${port}`));
});
