/**
 * The list view and the search bar in a real browser, over 95 items: pagination, sorting,
 * filters, group-by with counts, field search with autocomplete, facet removal, multi-select
 * CSV export and delete.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { shot } from '../helpers/browser.ts';
import { cpButton, loggedInPage, openItems, readItems, rows, startE2e, toasts, type E2e } from './_fixture.ts';

let e2e: E2e;
let page: Page & { errors: string[] };
const COUNT = 95;

test.before(async () => {
  e2e = await startE2e({ items: COUNT });
  page = await loggedInPage(e2e);
});
test.after.always(async () => {
  await e2e?.close();
});

const pagerValue = (p: Page) => p.locator('erp-control-panel erp-pager .value');
const searchInput = (p: Page) => p.locator('erp-search-bar input.query');
const facets = (p: Page) => p.locator('erp-search-bar .facet');
const firstCell = async (p: Page) => (await rows(p).first().locator('td').nth(1).innerText()).trim();

async function openPanel(p: Page) {
  const toggle = p.locator('erp-search-bar').getByRole('button', { name: 'Toggle Search Panel' });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  return p.locator('erp-search-bar .panel');
}

test.serial('the list shows 80 rows per page and pages through the rest', async (t) => {
  await openItems(page, e2e.srv.url);
  t.is(await pagerValue(page).innerText(), `1-80 / ${COUNT}`);
  t.is(await rows(page).count(), 80);
  await shot(page, 'list-items');
  await page.locator('erp-control-panel erp-pager').getByRole('button', { name: 'Next' }).click();
  await pagerValue(page).filter({ hasText: `81-${COUNT} / ${COUNT}` }).waitFor();
  await rows(page).first().filter({ hasText: 'Item 081' }).waitFor();
  t.is(await rows(page).count(), COUNT - 80);
  t.is(await firstCell(page), 'Item 081');
  await page.locator('erp-control-panel erp-pager').getByRole('button', { name: 'Previous' }).click();
  await pagerValue(page).filter({ hasText: `1-80 / ${COUNT}` }).waitFor();
  await rows(page).first().filter({ hasText: 'Item 001' }).waitFor();
  t.is(await rows(page).count(), 80);
});

test.serial('clicking a column header sorts ascending, then descending', async (t) => {
  await openItems(page, e2e.srv.url);
  const header = page.locator('erp-list-renderer th', { hasText: 'Quantity' });
  await header.click();
  await page.locator('erp-list-renderer th[aria-sort="ascending"]', { hasText: 'Quantity' }).waitFor();
  t.is(await firstCell(page), 'Item 001');
  await header.click();
  await page.locator('erp-list-renderer th[aria-sort="descending"]', { hasText: 'Quantity' }).waitFor();
  await rows(page).first().filter({ hasText: `Item 0${COUNT}` }).waitFor();
  t.is(await firstCell(page), `Item 0${COUNT}`);
  // The quantity total of the page is shown under the column.
  const expected = Array.from({ length: 80 }, (_, i) => COUNT - i).reduce((a, b) => a + b, 0);
  const column = await page.locator('erp-list-renderer thead th').allInnerTexts().then((a) => a.findIndex((s) => s.includes('Quantity')));
  t.is((await page.locator('erp-list-renderer tfoot td').nth(column).innerText()).replace(/[^\d]/g, ''), String(expected));
});

test.serial('a filter of the search panel becomes a facet; removing the facet restores the list', async (t) => {
  await openItems(page, e2e.srv.url);
  const panel = await openPanel(page);
  await panel.getByRole('menuitemcheckbox', { name: 'Not done' }).click();
  await panel.getByRole('menuitemcheckbox', { name: 'Done', exact: true }).click();
  await facets(page).first().waitFor();
  t.is(await facets(page).count(), 1, 'filters of one group share a facet');
  t.regex(await facets(page).innerText(), /Not done or Done/);
  await panel.getByRole('menuitemcheckbox', { name: 'Done', exact: true }).click();
  await pagerValue(page).filter({ hasText: `/ ${COUNT}` }).waitFor();
  t.regex(await facets(page).innerText(), /Not done/);
  t.regex(page.url(), /search=/, 'the search is kept in the URL');
  await page.locator('erp-search-bar .facet').getByRole('button', { name: 'Remove' }).click();
  t.is(await facets(page).count(), 0);
  await pagerValue(page).filter({ hasText: `1-80 / ${COUNT}` }).waitFor();
  t.is(await rows(page).count(), 80);
});

test.serial('group by status shows groups with counts that open on click', async (t) => {
  await openItems(page, e2e.srv.url);
  const panel = await openPanel(page);
  await panel.getByRole('menuitemcheckbox', { name: 'Status' }).click();
  await page.locator('erp-search-bar').getByRole('button', { name: 'Toggle Search Panel' }).click();
  const groups = page.locator('erp-list-renderer tr.group');
  await groups.first().waitFor();
  const open = COUNT / 5;
  t.deepEqual((await groups.allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').replace(/,/g, '').trim().replace(/^▸ ?/, '')), [`Draft (${COUNT - open}) ${sum((i) => i % 5 !== 0)}`, `In Progress (${open}) ${sum((i) => i % 5 === 0)}`]);
  t.is(await rows(page).count(), 0, 'groups start folded');
  await groups.filter({ hasText: 'In Progress' }).click();
  await rows(page).first().waitFor();
  t.is(await rows(page).count(), open);
  t.deepEqual(await facets(page).allInnerTexts().then((a) => a.map((s) => s.replace(/\s+|×/g, ''))), ['Status']);
  await shot(page, 'list-grouped');
  await page.locator('erp-search-bar .facet').getByRole('button', { name: 'Remove' }).click();
  // The opened group's rows are on screen until the ungrouped list replaces them: wait for that.
  await page.locator('erp-list-renderer tr.group').first().waitFor({ state: 'detached' });
  await pagerValue(page).filter({ hasText: `1-80 / ${COUNT}` }).waitFor();
  t.is(await page.locator('erp-list-renderer tr.group').count(), 0);
  t.is(await rows(page).count(), 80);
});

function sum(pred: (i: number) => boolean): number {
  let s = 0;
  for (let i = 1; i <= COUNT; i++) if (pred(i)) s += i;
  return s;
}

test.serial('typing in the search offers "Search X for: …" and searches the picked field', async (t) => {
  await openItems(page, e2e.srv.url);
  await searchInput(page).fill('Deco');
  const options = page.locator('erp-search-bar .suggestions [role="option"]');
  await options.first().waitFor();
  const labels = (await options.allInnerTexts()).map((s) => s.replace(/[▸▾]/g, '').trim());
  t.true(labels.includes('Search Title for: Deco'), labels.join(' | '));
  t.true(labels.includes('Search Customer for: Deco'), labels.join(' | '));
  await shot(page, 'list-search-autocomplete');
  await options.filter({ hasText: 'Search Customer for: Deco' }).click();
  await facets(page).first().waitFor();
  t.regex((await facets(page).innerText()).replace(/\s+/g, ' '), /Customer Deco/);
  const half = Math.ceil(COUNT / 2);
  await pagerValue(page).filter({ hasText: `1-${half} / ${half}` }).waitFor();
  t.is(await rows(page).filter({ hasText: 'Azure Interior' }).count(), 0);
  // A many2one field expands to its records: picking one searches that record exactly.
  await page.locator('erp-search-bar .facet').getByRole('button', { name: 'Remove' }).click();
  await searchInput(page).fill('Azure');
  await options.filter({ hasText: 'Search Customer for: Azure' }).getByRole('button', { name: 'Show records' }).click();
  await options.filter({ hasText: /^\s*Azure Interior\s*$/ }).click();
  await pagerValue(page).filter({ hasText: `1-${COUNT - half} / ${COUNT - half}` }).waitFor();
  t.is(await rows(page).filter({ hasText: 'Deco Addict' }).count(), 0);
  // Backspace in the empty input removes the last facet.
  await searchInput(page).press('Backspace');
  await pagerValue(page).filter({ hasText: `1-80 / ${COUNT}` }).waitFor();
  t.is(await facets(page).count(), 0);
});

test.serial('selected rows export to a CSV file with the shown columns', async (t) => {
  await openItems(page, e2e.srv.url);
  for (const name of ['Item 001', 'Item 002', 'Item 003']) await rows(page).filter({ hasText: name }).locator('td.sel input').check();
  await t.notThrowsAsync(page.locator('erp-control-panel').getByText('3 selected').waitFor());
  const [download] = await Promise.all([page.waitForEvent('download'), cpButton(page, 'Export').click()]);
  t.is(download.suggestedFilename(), 'Items.csv');
  const text = readFileSync((await download.path())!, 'utf8');
  t.true(text.startsWith('\ufeff'), 'a BOM for spreadsheets');
  const lines = text.slice(1).trim().split(/\r?\n/);
  t.is(lines.length, 4);
  t.is(lines[0], 'Title,Customer,Kind,Priority,Tags,Quantity,Unit Price,Status');
  t.regex(lines[1], /^Item 001,Deco Addict,Feature,Important,UI,1,1\.50,Draft$/);
  t.regex(lines[3], /^Item 003,Deco Addict,Bug,/);
});

test.serial('selected rows are deleted after confirmation', async (t) => {
  await openItems(page, e2e.srv.url);
  const ids = (await readItems(e2e.srv.app, [['name', 'in', ['Item 010', 'Item 011']]], ['id'])).map((r) => r.id);
  t.is(ids.length, 2);
  for (const name of ['Item 010', 'Item 011']) await rows(page).filter({ hasText: name }).locator('td.sel input').check();
  await cpButton(page, 'Delete').click();
  const confirm = page.locator('body > erp-dialog');
  await t.notThrowsAsync(confirm.getByText('Are you sure you want to delete 2 record(s)?').waitFor());
  await shot(page, 'list-delete-confirm');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await toasts(page).filter({ hasText: '2 record(s) deleted' }).waitFor();
  await pagerValue(page).filter({ hasText: `1-80 / ${COUNT - 2}` }).waitFor();
  t.is(await rows(page).filter({ hasText: 'Item 010' }).count(), 0);
  t.deepEqual(await readItems(e2e.srv.app, [['id', 'in', ids]], ['id']), []);
  t.deepEqual(page.errors, []);
});
