/**
 * The Zammad import task in a real browser: "Preview" shows the mapped first rows in a dialog
 * without importing, and "Run import" shows a progress bar that follows the run (its counter
 * moves through the batches) until the notification and the form's counters.
 */
import test from 'ava';
import type { Page } from 'playwright-core';
import { closeImportPools } from '../../addons/base_external_import_zammad/index.ts';
import { closeAllPools } from '../../addons/base_external_dbsource/index.ts';
import { launchBrowser, login, newPage, shot, type TestBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createTask, makeZammad, rows, type ZammadSource } from '../addons/base_external_import_zammad/helpers.ts';
import { DEFAULT_QUERY } from '../../addons/base_external_import_zammad/import/mapping.ts';

const TICKETS = 2500;
let srv: TestServer;
let browser: TestBrowser;
let zammad: ZammadSource;
let taskId: number;
let sourceId: number;
let page: Page & { errors: string[] };

test.before(async () => {
  [srv, zammad] = await Promise.all([startTestServer({ addons: ['base_external_import_zammad'] }), makeZammad(TICKETS)]);
  ({ taskId, sourceId } = await createTask(srv.app, zammad));
  browser = await launchBrowser();
  page = await newPage(browser);
  await login(page, srv.url, 'admin', 'admin');
});
test.after.always(async () => {
  await browser?.close();
  await closeImportPools();
  await closeAllPools();
  await srv?.close();
  await zammad?.drop();
});

async function openTask(p: Page): Promise<void> {
  await p.goto(`${srv.url}/web#action=base_external_import_zammad.action_base_external_import_task&view_type=form&id=${taskId}`);
  await p.waitForURL(/[#&]action=\d+/);
  await p.getByRole('button', { name: 'Run import', exact: true }).waitFor();
}

test.serial('Preview shows the column mapping, the first tickets translated and the warnings, and imports nothing', async (t) => {
  await openTask(page);
  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  const dialog = page.locator('erp-dialog');
  await dialog.locator('table').first().waitFor({ timeout: 60_000 });
  // The dialog's form lives in shadow roots: read the rendered fields through locators.
  const tables = (await dialog.locator('table').allInnerTexts()).join('\n');
  const text = [tables, ...(await dialog.locator('.o_field[data-field="warnings"]').allInnerTexts())].join('\n');
  const [first] = await zammad.sql('SELECT id, title FROM tickets ORDER BY updated_at, id LIMIT 1');
  t.true(text.includes('state_type'), 'the columns are listed');
  t.true(text.includes('Technician'), 'with the field each goes to');
  t.true(text.includes(first.title), 'the first ticket is shown');
  t.regex(text, /new: /, 'reporters still to be created are announced');
  const [preview] = await rows(srv.app, 'SELECT row_count FROM base_external_import_preview ORDER BY id DESC LIMIT 1');
  t.is(Number(preview.row_count), TICKETS, 'the number of rows to import');
  await shot(page, 'zammad-preview');
  await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
  await dialog.waitFor({ state: 'detached' }).catch(() => dialog.waitFor({ state: 'hidden' }));
  t.is(Number((await rows(srv.app, 'SELECT count(*) AS n FROM helpdesk_ticket WHERE zammad_source_id = ?', [sourceId]))[0].n), 0);
  t.deepEqual(page.errors, []);
});

test.serial('Run import shows a progress bar that follows the run, then the counters', async (t) => {
  t.timeout(10 * 60_000);
  // The bar polls every 500 ms and a server imports these 2,500 tickets in about a second: the
  // task reads its source slowly (the query is the user's to edit: a pause for each row, a few
  // seconds over the run), so that the bar has batches in the middle of the run to show.
  await srv.app.withEnv(1, (env) => env.model('base.external.import.task').browse([taskId]).write({
    sql_source: `SELECT q.* FROM (${DEFAULT_QUERY}) q WHERE pg_sleep(0.0005) IS NOT NULL`,
  }));
  await openTask(page);
  await page.getByRole('button', { name: 'Run import', exact: true }).click();
  const bar = page.locator('erp-progress-bar');
  await bar.waitFor({ timeout: 60_000 });
  const seen = new Set<string>();
  const said = new Set<string>();
  while (await bar.count()) {
    // Bounded: the bar goes when the call returns, and a wait past the toast's 5 s would miss
    // it; not too short either, as on a loaded machine (the suite's CI) one read can take a
    // few hundred ms. One read of the whole line: what it says and its counter, together.
    const line = await bar.locator('.line').innerText({ timeout: 1000 }).catch(() => '');
    const counter = /\d+ \/ \d+ \(\d+%\)/.exec(line)?.[0];
    if (counter) {
      seen.add(counter);
      said.add(line.replace(counter, '').trim());
    }
    if (seen.size === 1 && counter) await shot(page, 'zammad-progress');
    await page.waitForTimeout(100);
  }
  const counts = [...seen].map((s) => Number(/^(\d+) \//.exec(s)?.[1])).filter((n) => Number.isFinite(n));
  t.true(counts.some((n) => n > 0 && n < TICKETS), `the bar showed the run in the middle: ${[...seen].join(', ')}`);
  t.true([...seen].every((s) => s.includes(`/ ${TICKETS}`)), 'out of the rows to import');
  t.true(said.has('Importing Zammad tickets…'), `the bar says what runs: ${[...said].join(', ')}`);
  await page.locator('erp-notifications .toast', { hasText: 'Import finished' }).waitFor({ timeout: 60_000 });
  await page.getByRole('tab', { name: 'Last Run' }).click().catch(() => page.getByText('Last Run', { exact: true }).click());
  await page.locator('.o_field[data-field="last_record_count"]', { hasText: /2,?500/ }).waitFor({ timeout: 30_000 });
  t.is(Number((await rows(srv.app, 'SELECT count(*) AS n FROM helpdesk_ticket WHERE zammad_source_id = ?', [sourceId]))[0].n), TICKETS);
  t.deepEqual(page.errors, []);
});

test.serial('Preview of a query that fails shows the reason, without empty Columns and First rows sections', async (t) => {
  const broken = await srv.app.withEnv(1, async (env) => (await env.model('base.external.import.task').create({
    name: 'Broken query', dbsource_id: sourceId, sql_source: 'SELECT * FROM no_such_table',
  })).ids[0]);
  await page.goto(`${srv.url}/web#action=base_external_import_zammad.action_base_external_import_task&view_type=form&id=${broken}`);
  await page.waitForURL(/[#&]action=\d+/);
  await page.getByRole('button', { name: 'Preview', exact: true }).click();
  const dialog = page.locator('erp-dialog');
  const warnings = dialog.locator('.o_field[data-field="warnings"]', { hasText: 'no_such_table' });
  await warnings.waitFor({ timeout: 60_000 });
  t.is(await warnings.count(), 1, 'the reason, as the database gave it');
  t.is(await dialog.getByText('Columns', { exact: true }).count(), 0);
  t.is(await dialog.getByText('First rows', { exact: true }).count(), 0);
  await shot(page, 'zammad-preview-failed');
  await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
  t.deepEqual(page.errors, []);
});

test.serial('a new task shows no empty header strip: its buttons need a saved task', async (t) => {
  await page.goto(`${srv.url}/web#action=base_external_import_zammad.action_base_external_import_task&view_type=form`);
  await page.waitForURL(/[#&]action=\d+/);
  // The form switches from the task shown before to a new one: wait for the new record.
  await page.locator('erp-control-panel li[aria-current="page"]', { hasText: 'New' }).waitFor();
  await page.locator('erp-form-renderer .o_field[data-field="sql_source"]').waitFor();
  await page.locator('erp-form-renderer .statusbar').waitFor({ state: 'detached', timeout: 10_000 });
  t.is(await page.locator('erp-form-renderer .statusbar').count(), 0, 'no header at all');
  t.is(await page.getByRole('button', { name: 'Run import', exact: true }).count(), 0);
  // A saved task has its header with the buttons.
  await openTask(page);
  t.is(await page.locator('erp-form-renderer .statusbar').count(), 1);
  t.deepEqual(page.errors, []);
});
