/**
 * The form view in a real browser: creating a record with every widget, required fields,
 * many2one "Create and edit…", editing, header buttons (object, confirm=, a wizard in a
 * dialog), deep links and the browser's back/forward buttons.
 */
import test from 'ava';
import type { Page } from 'playwright-core';
import { shot } from '../helpers/browser.ts';
import { cpButton, field, loggedInPage, openItem, openItems, readItems, rows, startE2e, toasts, type E2e } from './_fixture.ts';

let e2e: E2e;
let page: Page & { errors: string[] };

test.before(async () => {
  e2e = await startE2e({ items: 12 });
  page = await loggedInPage(e2e);
});
test.after.always(async () => {
  await e2e?.close();
});

const statusbarStep = (p: Page) => p.locator('erp-form-view:not([in-dialog]) erp-field-statusbar button[aria-current="step"]');

async function newItem(p: Page): Promise<void> {
  await openItems(p, e2e.srv.url);
  await cpButton(p, 'New').click();
  await field(p, 'name').locator('input').waitFor();
}

/** Clicks Save and waits for the saved record's URL; an error toast shown meanwhile fails fast. */
async function save(p: Page): Promise<number> {
  const errors = p.locator('erp-notifications .toast.danger');
  const before = await errors.count();
  await cpButton(p, 'Save').click();
  await Promise.race([
    p.waitForURL(/[#&]id=\d+/),
    errors.nth(before).waitFor().then(async () => {
      throw new Error(`Saving failed: ${await errors.nth(before).innerText()}`);
    }),
  ]);
  await cpButton(p, 'Save').waitFor({ state: 'detached' });
  return Number(/[#&]id=(\d+)/.exec(p.url())![1]);
}

test.serial('a new item is created through the form with every widget type', async (t) => {
  await newItem(page);
  await field(page, 'name').locator('input').fill('Every widget');
  // many2one: autocomplete on typed text
  await field(page, 'partner_id').locator('input').fill('Azu');
  await field(page, 'partner_id').getByRole('option', { name: 'Azure Interior' }).click();
  await field(page, 'kind').locator('select').selectOption({ label: 'Feature' });
  await field(page, 'priority').getByRole('radio', { name: 'High' }).click();
  // many2many tags: pick two through the autocomplete
  for (const tag of ['Backend', 'UI']) {
    await field(page, 'tag_ids').locator('input').fill(tag.slice(0, 2));
    await field(page, 'tag_ids').getByRole('option', { name: tag, exact: true }).click();
  }
  await field(page, 'urgent').locator('input[type=checkbox]').check();
  await field(page, 'quantity').locator('input').fill('7');
  await field(page, 'price').locator('input').fill('12.5');
  await field(page, 'deadline').locator('input').fill('2026-05-04');
  await field(page, 'start_at').locator('input').fill('2026-05-04T10:30');
  await field(page, 'description').locator('textarea').fill('Plain text\nsecond line');
  await field(page, 'notes').locator('.editor').click();
  await page.keyboard.type('Rich notes');
  // one2many: two inline lines
  await page.getByRole('tab', { name: 'Lines' }).click();
  for (const [i, [name, qty]] of [['Screws', '40'], ['Bolts', '3']].entries()) {
    await field(page, 'line_ids').getByRole('button', { name: 'Add a line' }).click();
    const row = field(page, 'line_ids').locator('tbody tr').nth(i);
    await row.locator('erp-field-char input').waitFor();
    await row.locator('erp-field-char input').fill(name);
    await row.locator('erp-field-integer input').fill(qty);
  }
  await shot(page, 'form-new-filled');
  const id = await save(page);
  const [rec] = await readItems(e2e.srv.app, [['id', '=', id]], ['name', 'partner_id', 'kind', 'priority', 'tag_ids', 'urgent', 'quantity', 'price', 'deadline', 'start_at', 'description', 'notes', 'line_ids', 'state']);
  t.is(rec.name, 'Every widget');
  t.deepEqual(rec.partner_id, [e2e.seeded.partners.azure, 'Azure Interior']);
  t.is(rec.kind, 'feature');
  t.is(rec.priority, '2');
  t.deepEqual([...(rec.tag_ids as number[])].sort(), [e2e.seeded.tags.backend, e2e.seeded.tags.ui].sort());
  t.true(rec.urgent);
  t.is(rec.quantity, 7);
  t.is(rec.price, 12.5);
  t.is(rec.deadline, '2026-05-04');
  t.is(rec.start_at, '2026-05-04 10:30:00');
  t.is(rec.description, 'Plain text\nsecond line');
  t.regex(String(rec.notes), /Rich notes/);
  t.is(rec.state, 'draft');
  const lines = await e2e.srv.app.withEnv(1, (env) => env.model('test.web.line').search_read([['item_id', '=', id]], ['name', 'qty'], 0, 0, 'id'));
  t.deepEqual(lines.map((l) => [l.name, l.qty]), [['Screws', 40], ['Bolts', 3]]);
  // The saved record shows again with its values and a breadcrumb to the list.
  await t.notThrowsAsync(page.locator('erp-control-panel li[aria-current="page"]', { hasText: 'Every widget' }).waitFor());
  t.is(await field(page, 'quantity').locator('input').inputValue(), '7');
  await shot(page, 'form-saved');
});

test.serial('an empty required field is refused and marked on the field', async (t) => {
  const before = (await readItems(e2e.srv.app, [], ['id'])).length;
  await newItem(page);
  await field(page, 'quantity').locator('input').fill('3');
  await cpButton(page, 'Save').click();
  const error = field(page, 'name').locator('.error');
  await error.waitFor();
  t.is((await error.innerText()).trim(), 'This field is required');
  t.true(await field(page, 'name').locator('erp-field-char').evaluate((el) => el.hasAttribute('invalid')));
  await t.notThrowsAsync(toasts(page).filter({ hasText: 'Invalid fields' }).first().waitFor());
  await shot(page, 'form-required-error');
  t.is((await readItems(e2e.srv.app, [], ['id'])).length, before, 'nothing was created');
  // Typing a value clears the error and the record saves.
  await field(page, 'name').locator('input').fill('Now named');
  t.is(await error.count(), 0);
  const id = await save(page);
  t.is((await readItems(e2e.srv.app, [['id', '=', id]], ['name']))[0].name, 'Now named');
});

test.serial('"Create and edit…" in a many2one creates the partner and edits it in a dialog', async (t) => {
  await openItem(page, e2e.srv.url, e2e.seeded.items[0]);
  const input = field(page, 'partner_id').locator('input');
  await input.fill('Hooli Incorporated');
  await field(page, 'partner_id').getByRole('option', { name: 'Create and edit…' }).click();
  const dialog = page.locator('erp-dialog');
  await dialog.locator('erp-form-view[in-dialog] .o_field[data-field="email"] input').waitFor();
  t.is(await dialog.locator('h2').innerText(), 'Customer');
  t.is(await dialog.locator('.o_field[data-field="name"] input').inputValue(), 'Hooli Incorporated');
  await dialog.locator('.o_field[data-field="email"] input').fill('hello@hooli.example');
  await shot(page, 'form-many2one-create-edit-dialog');
  await dialog.getByRole('button', { name: 'Save & Close' }).click();
  await dialog.waitFor({ state: 'detached' });
  t.is(await input.inputValue(), 'Hooli Incorporated');
  await save(page);
  const partner = await e2e.srv.app.withEnv(1, (env) => env.model('res.partner').search_read([['name', '=', 'Hooli Incorporated']], ['email']));
  t.is(partner.length, 1);
  t.is(partner[0].email, 'hello@hooli.example');
  const [item] = await readItems(e2e.srv.app, [['id', '=', e2e.seeded.items[0]]], ['partner_id']);
  t.deepEqual(item.partner_id, [partner[0].id, 'Hooli Incorporated']);
});

test.serial('editing a field and saving writes it; Discard drops unsaved changes', async (t) => {
  const id = e2e.seeded.items[1];
  await openItem(page, e2e.srv.url, id);
  await field(page, 'quantity').locator('input').fill('42');
  await t.notThrowsAsync(page.getByText('Unsaved changes').waitFor());
  await save(page);
  t.is((await readItems(e2e.srv.app, [['id', '=', id]], ['quantity']))[0].quantity, 42);
  await field(page, 'name').locator('input').fill('Not kept');
  await cpButton(page, 'Discard').click();
  t.is(await field(page, 'name').locator('input').inputValue(), 'Item 002');
  t.is((await readItems(e2e.srv.app, [['id', '=', id]], ['name']))[0].name, 'Item 002');
});

test.serial('a header button of type object runs the method and moves the statusbar', async (t) => {
  const id = e2e.seeded.items[2];
  await openItem(page, e2e.srv.url, id);
  t.is(await statusbarStep(page).innerText(), 'Draft');
  await page.locator('erp-form-renderer .statusbar').getByRole('button', { name: 'Start' }).click();
  await page.locator('erp-form-view:not([in-dialog]) erp-field-statusbar button[aria-current="step"]', { hasText: 'In Progress' }).waitFor();
  t.is((await readItems(e2e.srv.app, [['id', '=', id]], ['state']))[0].state, 'open');
  t.is(await page.locator('erp-form-renderer .statusbar').getByRole('button', { name: 'Start' }).count(), 0, 'the button hides with invisible=');
});

test.serial('a button returning a target="new" action opens a wizard dialog that updates the record', async (t) => {
  const id = e2e.seeded.items[2];
  await openItem(page, e2e.srv.url, id);
  await page.locator('erp-form-renderer .statusbar').getByRole('button', { name: 'Resolve' }).click();
  const dialog = page.locator('erp-dialog');
  await dialog.locator('.o_field[data-field="resolution"] input').waitFor();
  t.is(await dialog.locator('h2').innerText(), 'Resolve Item');
  await dialog.locator('.o_field[data-field="resolution"] input').fill('Replaced the cable');
  await shot(page, 'form-wizard-dialog');
  await dialog.getByRole('button', { name: 'Mark as done' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.locator('erp-form-view:not([in-dialog]) erp-field-statusbar button[aria-current="step"]', { hasText: 'Done' }).waitFor();
  const [rec] = await readItems(e2e.srv.app, [['id', '=', id]], ['state', 'resolution']);
  t.deepEqual([rec.state, rec.resolution], ['done', 'Replaced the cable']);
  t.is(await field(page, 'resolution').locator('input').inputValue(), 'Replaced the cable', 'the opener reloaded');
});

test.serial('a button with confirm= asks first: Cancel does nothing, Ok runs it', async (t) => {
  const id = e2e.seeded.items[2];
  await openItem(page, e2e.srv.url, id);
  const reset = page.locator('erp-form-renderer .statusbar').getByRole('button', { name: 'Reset to draft' });
  await reset.click();
  const confirm = page.locator('body > erp-dialog');
  await t.notThrowsAsync(confirm.getByText('Reset this item to draft?').waitFor());
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await confirm.waitFor({ state: 'detached' });
  t.is((await readItems(e2e.srv.app, [['id', '=', id]], ['state']))[0].state, 'done');
  await reset.click();
  await confirm.getByRole('button', { name: 'Ok' }).click();
  await page.locator('erp-form-view:not([in-dialog]) erp-field-statusbar button[aria-current="step"]', { hasText: 'Draft' }).waitFor();
  t.is((await readItems(e2e.srv.app, [['id', '=', id]], ['state']))[0].state, 'draft');
});

test.serial('reloading the URL of an opened record shows the same record', async (t) => {
  const id = e2e.seeded.items[5];
  await openItems(page, e2e.srv.url);
  await rows(page).filter({ hasText: 'Item 006' }).click();
  await page.waitForURL(new RegExp(`[#&]id=${id}(&|$)`));
  await page.reload();
  await field(page, 'name').locator('input').waitFor();
  t.is(await field(page, 'name').locator('input').inputValue(), 'Item 006');
  t.regex(page.url(), new RegExp(`id=${id}`));
  t.is(await page.locator('erp-control-panel li[aria-current="page"]').innerText(), 'Item 006');
  t.is(await page.locator('erp-control-panel li a').first().innerText(), 'Items', 'the breadcrumb leads back to the action');
});

test.serial('browser back and forward move between the list and a record', async (t) => {
  await openItems(page, e2e.srv.url);
  await rows(page).filter({ hasText: 'Item 004' }).click();
  await field(page, 'name').locator('input').waitFor();
  t.is(await field(page, 'name').locator('input').inputValue(), 'Item 004');
  await page.goBack();
  await rows(page).first().waitFor();
  t.regex(page.url(), /view_type=list/);
  t.is(await page.locator('erp-form-view').count(), 0);
  await page.goForward();
  await field(page, 'name').locator('input').waitFor();
  t.is(await field(page, 'name').locator('input').inputValue(), 'Item 004');
  // The record pager moves to the next record of the list.
  await page.locator('erp-control-panel erp-pager').getByRole('button', { name: 'Next' }).click();
  await page.locator('erp-control-panel li[aria-current="page"]', { hasText: 'Item 005' }).waitFor();
  t.is(await field(page, 'name').locator('input').inputValue(), 'Item 005');
  t.deepEqual(page.errors, []);
});
