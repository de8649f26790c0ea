/**
 * The web client in Spanish and on a phone, in a real browser: a user whose language is
 * es_ES sees Spanish menus, action names, labels and buttons; the user menu switches the
 * language; on a 375 px wide screen the menu and the form stay usable.
 */
import test from 'ava';
import type { Page } from 'playwright-core';
import { login, newPage, shot } from '../helpers/browser.ts';
import { createUser, field, ITEM_ACTION, readItems, startE2e, type E2e } from './_fixture.ts';

let e2e: E2e;

test.before(async () => {
  e2e = await startE2e({ items: 6 });
  await createUser(e2e.srv.app, 'maria', ['base.group_user'], { lang: 'es_ES' });
  await createUser(e2e.srv.app, 'john', ['base.group_user']);
  await createUser(e2e.srv.app, 'phone', ['base.group_user']);
});
test.after.always(async () => {
  await e2e?.close();
});

const texts = async (page: Page, selector: string) => (await page.locator(selector).allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());

test.serial('a Spanish-speaking user sees menus, actions, labels and buttons in Spanish', async (t) => {
  const page = await newPage(e2e.browser);
  await login(page, e2e.srv.url, 'maria', 'maria');
  await page.locator('erp-list-renderer tr.record').first().waitFor();
  t.is(await page.locator('erp-menu .app-name').innerText(), 'Prueba web');
  t.is(await page.locator('erp-control-panel li[aria-current="page"]').innerText(), 'Elementos', 'the action name is translated');
  const headers = await texts(page, 'erp-list-renderer thead th');
  for (const label of ['Título', 'Cliente', 'Tipo', 'Prioridad', 'Cantidad', 'Estado']) t.true(headers.some((h) => h.startsWith(label)), `${label} in ${headers.join(', ')}`);
  t.true((await texts(page, 'erp-list-renderer td .badge')).includes('Borrador'), 'selection values');
  t.is(await page.locator('erp-control-panel').getByRole('button', { name: 'Nuevo' }).count(), 1);
  t.is(await page.locator('erp-search-bar input.query').getAttribute('placeholder'), 'Buscar…');
  await shot(page, 'list-spanish');
  await page.locator('erp-list-renderer tr.record').first().click();
  await field(page, 'name').locator('input').waitFor();
  const labels = await texts(page, 'erp-form-renderer label.o_label');
  for (const label of ['Cliente', 'Tipo', 'Prioridad', 'Etiquetas', 'Cantidad', 'Precio unitario', 'Fecha límite']) t.true(labels.includes(label), `${label} in ${labels.join(', ')}`);
  t.deepEqual(await texts(page, 'erp-form-renderer [role="tab"]'), ['Detalles', 'Líneas', 'Archivos']);
  t.is(await page.locator('erp-field-statusbar button[aria-current="step"]').innerText(), 'Borrador');
  t.is(await page.locator('erp-control-panel li a').first().innerText(), 'Elementos', 'the breadcrumb too');
  t.is(await page.locator('erp-chatter').getByRole('button', { name: 'Enviar mensaje' }).count(), 1);
  await shot(page, 'form-spanish');
  await page.close();
});

test.serial('a server error reaches a Spanish user in Spanish', async (t) => {
  const page = await newPage(e2e.browser);
  await login(page, e2e.srv.url, 'maria', 'maria');
  await page.goto(`${e2e.srv.url}/web#action=${ITEM_ACTION}&view_type=kanban`);
  await page.locator('erp-kanban-view section.column[aria-label="Hecho"]').waitFor();
  await page.locator('erp-kanban-view section.column[aria-label="Borrador"] .card').first().dragTo(page.locator('erp-kanban-view section.column[aria-label="Hecho"]'));
  const toast = page.locator('erp-notifications .toast', { hasText: 'Un elemento necesita una resolución antes de poder terminarse.' });
  await t.notThrowsAsync(toast.waitFor());
  await page.close();
});

test.serial('the user menu switches the language and the client reloads in it', async (t) => {
  const page = await newPage(e2e.browser);
  await login(page, e2e.srv.url, 'john', 'john');
  await page.locator('erp-control-panel li[aria-current="page"]', { hasText: 'Items' }).waitFor();
  await page.locator('erp-menu').getByRole('button', { name: /User john/ }).click();
  await Promise.all([page.waitForEvent('load'), page.locator('erp-menu').getByRole('menuitemradio', { name: 'Español' }).click()]);
  await page.locator('erp-control-panel li[aria-current="page"]', { hasText: 'Elementos' }).waitFor();
  t.is(await page.locator('erp-menu .app-name').innerText(), 'Prueba web');
  const lang = await e2e.srv.app.withEnv(1, async (env) => (await env.model('res.users').search_read([['login', '=', 'john']], ['lang']))[0].lang);
  t.is(lang, 'es_ES');
  await page.locator('erp-menu').getByRole('button', { name: /User john/ }).click();
  t.is(await page.locator('erp-menu').getByRole('menuitemradio', { name: 'Español' }).getAttribute('aria-checked'), 'true');
  t.is(await page.locator('erp-menu').getByRole('menuitem', { name: 'Cerrar sesión' }).count(), 1);
  await page.close();
});

test.serial('on a 375 px wide phone the menu opens as a panel and leads to the views', async (t) => {
  const page = await newPage(e2e.browser, { viewport: { width: 375, height: 740 } });
  await login(page, e2e.srv.url, 'phone', 'phone');
  // Phones get the kanban (when the action has one) rather than a wide table.
  await page.locator('erp-kanban-view .card').first().waitFor();
  t.is(await page.locator('erp-menu .sections').isVisible(), false, 'the section bar is folded');
  const burger = page.locator('erp-menu').getByRole('button', { name: 'Menu' });
  t.true(await burger.isVisible());
  await burger.click();
  await shot(page, 'phone-menu');
  await page.locator('erp-menu .panel').getByRole('menuitem', { name: 'Tags' }).click();
  await page.waitForURL(/model=test\.web\.tag/);
  await page.locator('erp-list-renderer tr.record', { hasText: 'Backend' }).waitFor();
  t.is(await page.locator('erp-control-panel li[aria-current="page"]').innerText(), 'Tags');
  t.true(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scrolling of the page');
  await page.close();
});

test.serial('on a 375 px wide phone a record can be edited and saved in the form', async (t) => {
  const page = await newPage(e2e.browser, { viewport: { width: 375, height: 740 } });
  await login(page, e2e.srv.url, 'phone', 'phone');
  await page.locator('erp-kanban-view .card', { hasText: 'Item 002' }).click();
  const quantity = field(page, 'quantity').locator('input');
  await quantity.waitFor();
  const box = await quantity.boundingBox();
  t.truthy(box);
  t.true(box!.x >= 0 && box!.x + box!.width <= 375, `the input fits the screen (${JSON.stringify(box)})`);
  t.true(box!.width > 200, 'labels sit above the inputs, which take the width');
  await quantity.fill('99');
  await page.locator('erp-control-panel').getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('erp-control-panel').getByRole('button', { name: 'Save', exact: true }).waitFor({ state: 'detached' });
  t.is((await readItems(e2e.srv.app, [['id', '=', e2e.seeded.items[1]]], ['quantity']))[0].quantity, 99);
  t.true(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scrolling of the page');
  await shot(page, 'phone-form');
  await page.close();
});
