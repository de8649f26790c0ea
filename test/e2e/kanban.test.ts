/**
 * The kanban and graph views in a real browser: columns by status with counts, dragging a
 * card to another column (written to the server), a move the server refuses (the card goes
 * back and the error shows), opening a card, and the graph's bars.
 */
import test from 'ava';
import type { Locator, Page } from 'playwright-core';
import { shot } from '../helpers/browser.ts';
import { field, loggedInPage, openItems, readItems, startE2e, toasts, type E2e } from './_fixture.ts';

let e2e: E2e;
let page: Page & { errors: string[] };
const COUNT = 10; // items 5 and 10 are in progress

test.before(async () => {
  e2e = await startE2e({ items: COUNT });
  page = await loggedInPage(e2e);
});
test.after.always(async () => {
  await e2e?.close();
});

const column = (p: Page, label: string): Locator => p.locator(`erp-kanban-view section.column[aria-label="${label}"]`);
const card = (col: Locator, name: string): Locator => col.locator('.card', { hasText: name });
const count = async (col: Locator) => Number((await col.locator('h3 .muted').innerText()).trim());

test.serial('the kanban shows one column per status with counts and cards', async (t) => {
  await openItems(page, e2e.srv.url, 'kanban');
  const labels = await page.locator('erp-kanban-view section.column h3 span:first-child').allInnerTexts();
  t.deepEqual(labels, ['Draft', 'In Progress', 'Done'], 'every status gets a column, even an empty one');
  t.is(await count(column(page, 'Draft')), COUNT - 2);
  t.is(await count(column(page, 'In Progress')), 2);
  t.is(await count(column(page, 'Done')), 0);
  t.is(await column(page, 'In Progress').locator('.card').count(), 2);
  t.regex(await card(column(page, 'In Progress'), 'Item 005').innerText(), /Deco Addict/);
  await shot(page, 'kanban-items');
});

test.serial('dragging a card to another column writes the new status', async (t) => {
  await openItems(page, e2e.srv.url, 'kanban');
  const id = e2e.seeded.items[0];
  const written = page.waitForResponse((r) => r.url().endsWith('/test.web.item/write'));
  await card(column(page, 'Draft'), 'Item 001').dragTo(column(page, 'In Progress'));
  await card(column(page, 'In Progress'), 'Item 001').waitFor();
  t.true((await written).ok());
  t.is(await card(column(page, 'Draft'), 'Item 001').count(), 0);
  t.is(await count(column(page, 'In Progress')), 3);
  t.is(await count(column(page, 'Draft')), COUNT - 3);
  t.is((await readItems(e2e.srv.app, [['id', '=', id]], ['state']))[0].state, 'open');
});

test.serial('a move the server refuses puts the card back and shows the error', async (t) => {
  await openItems(page, e2e.srv.url, 'kanban');
  const id = e2e.seeded.items[1];
  await card(column(page, 'Draft'), 'Item 002').dragTo(column(page, 'Done'));
  const toast = toasts(page).filter({ hasText: 'An item needs a resolution before it can be done.' });
  await toast.waitFor();
  t.regex(await toast.innerText(), /Validation Error/);
  await shot(page, 'kanban-refused-move');
  await card(column(page, 'Draft'), 'Item 002').waitFor();
  t.is(await column(page, 'Done').locator('.card').count(), 0);
  t.is(await count(column(page, 'Done')), 0);
  t.is((await readItems(e2e.srv.app, [['id', '=', id]], ['state']))[0].state, 'draft');
});

test.serial('clicking a card opens the record in the form', async (t) => {
  await openItems(page, e2e.srv.url, 'kanban');
  await card(column(page, 'In Progress'), 'Item 010').click();
  await field(page, 'name').locator('input').waitFor();
  t.is(await field(page, 'name').locator('input').inputValue(), 'Item 010');
  t.regex(page.url(), new RegExp(`view_type=form&id=${e2e.seeded.items[9]}`));
  // The breadcrumb goes back to the kanban.
  await page.locator('erp-control-panel li a', { hasText: 'Items' }).click();
  await column(page, 'Draft').waitFor();
  t.regex(page.url(), /view_type=kanban/);
});

test.serial('the view switcher opens the graph, which draws one bar per status', async (t) => {
  await openItems(page, e2e.srv.url);
  await page.locator('erp-control-panel').getByRole('button', { name: 'Graph' }).click();
  const bars = page.locator('erp-graph-view svg rect');
  await bars.first().waitFor();
  const titles = (await bars.locator('title').allTextContents()).map((s) => s.trim());
  t.is(titles.length, 2, titles.join(' | '));
  t.true(titles.some((s) => /^Draft\b/.test(s)), titles.join(' | '));
  t.true(titles.some((s) => /^In Progress\b/.test(s)), titles.join(' | '));
  t.regex(page.url(), /view_type=graph/);
  await shot(page, 'graph-items');
  t.deepEqual(page.errors, []);
});

test.serial('on a phone the graph is drawn at the screen width, so its labels keep a readable size', async (t) => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await openItems(page, e2e.srv.url, 'graph');
    const svg = page.locator('erp-graph-view svg').first();
    // The width is measured after the first paint: wait for the drawing to follow it.
    const sizes = () => svg.evaluate((el: SVGSVGElement) => [el.viewBox.baseVal.width, el.getBoundingClientRect().width]);
    for (let i = 0; i < 20 && (await sizes().then(([v, w]) => Math.abs(v - w) > 4)); i++) await page.waitForTimeout(100);
    const { viewBoxWidth, shownWidth, labelHeight } = await svg.evaluate((el: SVGSVGElement) => ({
      viewBoxWidth: el.viewBox.baseVal.width,
      shownWidth: el.getBoundingClientRect().width,
      labelHeight: el.querySelector('text')!.getBoundingClientRect().height,
    }));
    t.true(shownWidth < 390, `the chart fits the screen (${shownWidth}px)`);
    t.true(Math.abs(viewBoxWidth - shownWidth) <= 4, `drawn at ${viewBoxWidth} user units for ${shownWidth}px: text is not scaled down`);
    t.true(labelHeight >= 11, `axis labels are ${labelHeight}px high`);
    await shot(page, 'graph-items-phone');
    t.deepEqual(page.errors, []);
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});
