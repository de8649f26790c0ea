/**
 * The tools a helpdesk team uses every day (issue 16), in Chromium over the demo data, per
 * role (usuario, tecnico, admin), in English and Spanish, at 1280×800 and 390×844:
 * - followers in the chatter: listed for everyone who sees the ticket, added (partner
 *   autocomplete) and removed only by those who may write the ticket;
 * - inline editing of the `editable` lists of Configuration (categories, priorities, tags):
 *   click a row, Enter or clicking elsewhere saves, Escape discards, "New" adds a row,
 *   required fields left empty are marked; a technician who may not write categories gets
 *   the read-only form instead;
 * - bulk "Assign to me" and "Change Priority" on selected tickets, for technicians and admins only;
 * - favorites: the current search saved (personal or shared, optionally default), listed in
 *   the Favorites menu, applied on click and when the action opens, deleted by its owner.
 * Screenshots: /tmp/shots-web/*.png (and test-output/screenshots/team-*.png).
 */
import test from 'ava';
import { copyFileSync, mkdirSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { launchBrowser, login, newPage, shot, type TestBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let browser: TestBrowser;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const SHOTS = '/tmp/shots-web';
/** Laura Gómez's (usuario) open ticket, followed by her and her technician. */
const OWN_SUBJECT = 'Solicitud de segundo monitor';
/** A ticket the technicians work on. */
const WORK_SUBJECT = 'Error al exportar informes a PDF';

test.before(async () => {
  srv = await startTestServer({ addons: ['helpdesk_bytacora'], demo: true });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
test.after.always(async () => {
  await browser?.close();
  await srv?.close();
});

type Lang = 'en_US' | 'es_ES';

async function loggedIn(user: string, lang: Lang, viewport = DESKTOP): Promise<Page & { errors: string[] }> {
  await srv.app.withEnv(1, async (env) => (await env.model('res.users').search([['login', '=', user]])).write({ lang }));
  const page = await newPage(browser, { viewport });
  await login(page, srv.url, user, user);
  return page;
}

/** Screenshot into test-output/screenshots and /tmp/shots-web. */
async function snap(page: Page, name: string): Promise<void> {
  const path = await shot(page, `team-${name}`);
  copyFileSync(path, `${SHOTS}/${name}.png`);
}

const sudoRead = (model: string, domain: unknown[], fields: string[]) =>
  srv.app.withEnv(1, (env) => env.model(model).search_read(domain as never, fields)) as Promise<Array<Record<string, any>>>;
const followersOf = async (id: number) => (await sudoRead('mail.followers', [['res_model', '=', 'helpdesk.ticket'], ['res_id', '=', id]], ['partner_id'])).map((f) => f.partner_id[1] as string).sort();
const rows = (p: Page) => p.locator('erp-list-renderer tr.record');
const toasts = (p: Page) => p.locator('erp-notifications .toast');
const cpButton = (p: Page, name: string) => p.locator('erp-control-panel').getByRole('button', { name, exact: true });
const field = (p: Page | Locator, name: string) => p.locator(`erp-form-view:not([in-dialog]) erp-form-renderer .o_field[data-field="${name}"]`);
const dialogField = (p: Page, name: string) => p.locator(`erp-form-view[in-dialog] erp-form-renderer .o_field[data-field="${name}"]`);
const editingRow = (p: Page) => p.locator('erp-list-renderer tr.record.editing');

async function openAction(p: Page, xmlid: string, view: 'list' | 'form' | 'empty list' = 'list', id?: number): Promise<void> {
  await p.goto(`${srv.url}/web#action=helpdesk_bytacora.${xmlid}&view_type=${view === 'form' ? 'form' : 'list'}${id ? `&id=${id}` : ''}`);
  await p.waitForURL(/[#&]action=\d+/);
  if (view === 'empty list') await p.locator('erp-list-view erp-search-bar').waitFor();
  if (view === 'list') {
    await rows(p).first().waitFor().catch(async (err) => {
      throw new Error(`${(err as Error).message}\nConsole: ${(p as Page & { errors?: string[] }).errors?.join(' | ')}\nToasts: ${(await toasts(p).allInnerTexts()).join(' | ')}`);
    });
  }
}

async function ticketId(subject: string): Promise<number> {
  return (await sudoRead('helpdesk.ticket', [['subject', '=', subject]], ['id']))[0].id;
}

async function openTicket(p: Page, subject: string): Promise<number> {
  const id = await ticketId(subject);
  await openAction(p, 'action_helpdesk_ticket_my', 'form', id);
  await field(p, 'subject').filter({ hasText: subject }).waitFor();
  return id;
}

/** Opens the followers menu of the form's chatter. */
async function openFollowers(p: Page): Promise<Locator> {
  const followers = p.locator('erp-form-view:not([in-dialog]) erp-chatter erp-followers');
  await followers.locator('button.followers').click();
  const menu = followers.locator('.dropdown-menu');
  await menu.waitFor();
  return menu;
}

// ── followers ───────────────────────────────────────────────────────────────────────────
for (const [lang, viewport, label] of [['en_US', DESKTOP, 'desktop-en'], ['es_ES', PHONE, 'phone-es']] as const) {
  test.serial(`usuario (${label}): sees the followers of her ticket, may not add nor remove others`, async (t) => {
    const page = await loggedIn('usuario', lang, viewport);
    const id = await openTicket(page, OWN_SUBJECT);
    const expected = await followersOf(id);
    t.true(expected.includes('Laura Gómez'), expected.join(', '));
    const menu = await openFollowers(page);
    const names = (await menu.locator('.follower .name').allInnerTexts()).map((n) => n.split('\n')[0].trim()).sort();
    t.deepEqual(names, expected);
    t.is(await menu.locator('erp-field-many2one').count(), 0, 'no "Add follower"');
    t.is(await menu.locator('.follower button').count(), 0, 'no follower can be removed');
    await snap(page, `followers-usuario-${label}`);
    // Unfollowing herself needs read access only (and the server lets her); then she follows again.
    await menu.getByRole('button', { name: lang === 'en_US' ? 'Unfollow' : 'Dejar de seguir' }).click();
    await menu.getByRole('button', { name: lang === 'en_US' ? 'Follow' : 'Seguir', exact: true }).click();
    await menu.getByRole('button', { name: lang === 'en_US' ? 'Unfollow' : 'Dejar de seguir' }).waitFor();
    t.deepEqual(await followersOf(id), expected);
    t.deepEqual(page.errors, []);
    await page.close();
  });
}

for (const [user, lang, viewport, label] of [['tecnico', 'es_ES', PHONE, 'phone-es'], ['admin', 'en_US', DESKTOP, 'desktop-en']] as const) {
  test.serial(`${user} (${label}): adds a follower by name and removes them again`, async (t) => {
    const page = await loggedIn(user, lang, viewport);
    const id = await openTicket(page, WORK_SUBJECT);
    const before = await followersOf(id);
    const newcomer = 'Clínica Dental Sonrisa';
    t.false(before.includes(newcomer));
    const menu = await openFollowers(page);
    const input = menu.locator('erp-field-many2one input');
    await input.fill('Sonrisa');
    await menu.getByRole('option', { name: newcomer }).click();
    await menu.locator('.follower', { hasText: newcomer }).waitFor();
    t.deepEqual(await followersOf(id), [...before, newcomer].sort());
    await snap(page, `followers-${user}-${label}`);
    await menu.locator('.follower', { hasText: newcomer }).getByRole('button').click();
    await menu.locator('.follower', { hasText: newcomer }).waitFor({ state: 'detached' });
    t.deepEqual(await followersOf(id), before);
    t.is(await toasts(page).filter({ hasText: /Error/ }).count(), 0);
    t.deepEqual(page.errors, []);
    await page.close();
  });
}

// ── inline editing ──────────────────────────────────────────────────────────────────────
test.serial('admin (en, 1280): categories edited in place — Enter saves, Escape discards, New with a required name', async (t) => {
  const page = await loggedIn('admin', 'en_US');
  await openAction(page, 'action_helpdesk_ticket_category');
  const row = rows(page).filter({ hasText: 'Software' });
  await row.locator('td[data-field="name"]').click();
  const name = editingRow(page).locator('td[data-field="name"] input');
  await name.waitFor();
  t.is(await page.locator('erp-form-view').count(), 0, 'no form opened');
  // The cursor is in the clicked cell: typing replaces the name.
  await page.waitForFunction((el) => (el!.getRootNode() as ShadowRoot).activeElement === el, await name.elementHandle());
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Software and Licences');
  await snap(page, 'inline-categories-editing-desktop-en');
  await name.press('Enter');
  await editingRow(page).waitFor({ state: 'detached' });
  await rows(page).filter({ hasText: 'Software and Licences' }).waitFor();
  t.is((await sudoRead('helpdesk.ticket.category', [['name', '=', 'Software and Licences']], ['id'])).length, 1);

  // Escape drops the change.
  await rows(page).filter({ hasText: 'Hardware' }).locator('td[data-field="name"]').click();
  await editingRow(page).locator('td[data-field="name"] input').fill('Ferretería');
  await editingRow(page).locator('td[data-field="name"] input').press('Escape');
  await editingRow(page).waitFor({ state: 'detached' });
  t.is((await sudoRead('helpdesk.ticket.category', [['name', '=', 'Ferretería']], ['id'])).length, 0);
  await rows(page).filter({ hasText: 'Hardware' }).waitFor();

  // New: an empty row at the bottom; saving it empty marks the name and says so.
  const count = await rows(page).count();
  await cpButton(page, 'New').click();
  await editingRow(page).waitFor();
  t.is(await rows(page).count(), count + 1);
  t.is(await rows(page).last().getAttribute('data-id'), 'new', 'editable="bottom"');
  await cpButton(page, 'Save').click();
  await toasts(page).filter({ hasText: 'Invalid fields' }).waitFor();
  t.is(await editingRow(page).locator('td[data-field="name"] erp-field-char[invalid]').count(), 1, 'the empty name is marked');
  await snap(page, 'inline-categories-invalid-desktop-en');
  await editingRow(page).locator('td[data-field="name"] input').fill('Printers');
  await editingRow(page).locator('td[data-field="name"] input').press('Enter');
  await rows(page).filter({ hasText: 'Printers' }).waitFor();
  await toasts(page).filter({ hasText: 'Invalid fields' }).waitFor({ state: 'detached' });
  t.is((await sudoRead('helpdesk.ticket.category', [['name', '=', 'Printers']], ['id'])).length, 1);
  t.deepEqual(page.errors, []);
  await page.close();
});

test.serial('admin (es, phone): priorities and tags edited in place — clicking elsewhere saves, Nuevo adds a tag', async (t) => {
  const page = await loggedIn('admin', 'es_ES', PHONE);
  await openAction(page, 'action_helpdesk_ticket_priority');
  const urgentName = async () => (await srv.app.withEnv(1, (env) => env.model('helpdesk.ticket.priority').search_read([['level', '=', 4]], ['name']), { lang: 'es_ES' }))[0].name as string;
  const urgent = { name: await urgentName() };
  await rows(page).filter({ hasText: urgent.name }).click();
  const name = editingRow(page).locator('td[data-field="name"] input');
  await name.fill(`${urgent.name}!`);
  await snap(page, 'inline-priorities-editing-phone-es');
  await page.locator('erp-control-panel .breadcrumb, erp-control-panel').first().click({ position: { x: 5, y: 5 } });
  await editingRow(page).waitFor({ state: 'detached' });
  t.is(await urgentName(), `${urgent.name}!`, 'saved in Spanish, the language of the admin');

  await openAction(page, 'action_helpdesk_ticket_tag');
  await cpButton(page, 'Nuevo').click();
  await editingRow(page).waitFor();
  await page.waitForFunction((el) => (el!.getRootNode() as ShadowRoot).activeElement === el, await editingRow(page).locator('td[data-field="name"] input').elementHandle());
  await page.keyboard.type('Urgente cliente');
  await snap(page, 'inline-tags-new-phone-es');
  await editingRow(page).locator('td[data-field="name"] input').press('Enter');
  await rows(page).filter({ hasText: 'Urgente cliente' }).waitFor();
  t.is((await sudoRead('helpdesk.ticket.tag', [['name', '=', 'Urgente cliente']], ['id'])).length, 1);
  await snap(page, 'inline-tags-phone-es');
  t.deepEqual(page.errors, []);
  await page.close();
});

test.serial('tecnico (en): edits tags in place, but categories (read-only for him) open their form', async (t) => {
  const page = await loggedIn('tecnico', 'en_US');
  await openAction(page, 'action_helpdesk_ticket_tag');
  await rows(page).filter({ hasText: 'VPN' }).click();
  await editingRow(page).locator('td[data-field="name"] input').fill('VPN access');
  await cpButton(page, 'Save').click();
  await rows(page).filter({ hasText: 'VPN access' }).waitFor();
  t.is((await sudoRead('helpdesk.ticket.tag', [['name', '=', 'VPN access']], ['id'])).length, 1);

  // A new row left untouched is dropped when the user clicks elsewhere: nothing is created.
  const tagCount = (await sudoRead('helpdesk.ticket.tag', [], ['id'])).length;
  await cpButton(page, 'New').click();
  await editingRow(page).waitFor();
  await page.mouse.click(640, 700);
  await editingRow(page).waitFor({ state: 'detached' });
  t.is((await sudoRead('helpdesk.ticket.tag', [], ['id'])).length, tagCount);
  t.is(await toasts(page).count(), 0);

  // A server refusal (tag names are unique) is shown, the name marked, the row kept for a fix.
  await cpButton(page, 'New').click();
  const name = editingRow(page).locator('td[data-field="name"] input');
  await name.fill('Correo');
  await name.press('Enter');
  await toasts(page).filter({ hasText: 'already has the Name "Correo"' }).waitFor();
  t.is(await editingRow(page).locator('td[data-field="name"] erp-field-char[invalid]').count(), 1, 'the name is marked');
  await snap(page, 'inline-tags-duplicate-desktop-en');
  await name.fill('Correo saliente');
  await name.press('Enter');
  await rows(page).filter({ hasText: 'Correo saliente' }).waitFor();
  await toasts(page).filter({ hasText: 'already has the Name "Correo"' }).waitFor({ state: 'detached' });
  t.is((await sudoRead('helpdesk.ticket.tag', [['name', 'ilike', 'Correo']], ['name'])).length, 2);

  await openAction(page, 'action_helpdesk_ticket_category');
  t.is(await cpButton(page, 'New').count(), 0, 'no New');
  await rows(page).filter({ hasText: 'Hardware' }).click();
  await field(page, 'name').waitFor();
  t.is(await editingRow(page).count(), 0);
  t.is(await field(page, 'name').locator('input').count(), 0, 'read-only form');
  t.deepEqual(page.errors, []);
  await page.close();
});

// ── bulk actions ────────────────────────────────────────────────────────────────────────
test.serial('tecnico (en, 1280): changes the priority of two selected tickets and assigns them to himself', async (t) => {
  const page = await loggedIn('tecnico', 'en_US');
  await openAction(page, 'action_helpdesk_ticket_all');
  const picked = (await sudoRead('helpdesk.ticket', [['state', '!=', 'closed'], ['user_id.login', '=', 'tecnico2']], ['subject'])).slice(0, 2).map((r) => r.subject as string);
  t.is(picked.length, 2);
  for (const subject of picked) await rows(page).filter({ hasText: subject }).locator('td.sel input').check();
  await snap(page, 'bulk-tecnico-desktop-en');
  await cpButton(page, 'Change Priority').click();
  const priority = dialogField(page, 'priority_id');
  await priority.locator('input').click();
  await priority.getByRole('option', { name: 'Urgent' }).click();
  await snap(page, 'bulk-priority-dialog-desktop-en');
  await page.locator('erp-form-view[in-dialog]').getByRole('button', { name: 'Change Priority', exact: true }).click();
  await page.locator('erp-form-view[in-dialog]').waitFor({ state: 'detached' });
  const after = await sudoRead('helpdesk.ticket', [['subject', 'in', picked]], ['priority_id', 'user_id']);
  t.deepEqual(after.map((r) => r.priority_id[1]), ['Urgent', 'Urgent']);

  for (const subject of picked) await rows(page).filter({ hasText: subject }).locator('td.sel input').check();
  await cpButton(page, 'Assign to me').click();
  await cpButton(page, 'Assign to me').waitFor({ state: 'detached' });
  const mine = await sudoRead('helpdesk.ticket', [['subject', 'in', picked]], ['user_id']);
  t.deepEqual(mine.map((r) => r.user_id[1]), ['Carlos Ruiz', 'Carlos Ruiz']);
  t.is(await toasts(page).filter({ hasText: /Error/ }).count(), 0);
  t.deepEqual(page.errors, []);
  await page.close();
});

test.serial('admin (es, phone): Asignarme and Cambiar prioridad on a selected ticket; usuario is offered neither', async (t) => {
  const page = await loggedIn('admin', 'es_ES', PHONE);
  await openAction(page, 'action_helpdesk_ticket_all');
  const [ticket] = await sudoRead('helpdesk.ticket', [['state', '!=', 'closed'], ['user_id.login', '=', 'tecnico']], ['subject', 'id']);
  await rows(page).filter({ hasText: ticket.subject }).locator('td.sel input').check();
  await cpButton(page, 'Cambiar prioridad').waitFor();
  await snap(page, 'bulk-admin-phone-es');
  await cpButton(page, 'Asignarme').click();
  await cpButton(page, 'Asignarme').waitFor({ state: 'detached' });
  t.is((await sudoRead('helpdesk.ticket', [['id', '=', ticket.id]], ['user_id']))[0].user_id[1], 'Administrator');
  t.deepEqual(page.errors, []);
  await page.close();

  const user = await loggedIn('usuario', 'en_US');
  await openAction(user, 'action_helpdesk_ticket_my');
  await rows(user).first().locator('td.sel input').check();
  await cpButton(user, 'Export').waitFor();
  for (const name of ['Assign to me', 'Change Priority']) t.is(await cpButton(user, name).count(), 0, name);
  await user.close();
});

// ── favorites ───────────────────────────────────────────────────────────────────────────
const searchBar = (p: Page) => p.locator('erp-search-bar');
async function openPanel(p: Page): Promise<Locator> {
  await searchBar(p).locator('button.toggle').click();
  const panel = searchBar(p).locator('.panel');
  await panel.waitFor();
  return panel;
}

test.serial('tecnico (en, 1280): saves filters and a group-by as a default favorite, gets it on opening, deletes it', async (t) => {
  const page = await loggedIn('tecnico', 'en_US');
  await openAction(page, 'action_helpdesk_ticket_all');
  await page.locator('erp-list-renderer th', { hasText: 'Subject' }).click();
  await page.locator('erp-list-renderer th[aria-sort="ascending"]', { hasText: 'Subject' }).waitFor();
  let panel = await openPanel(page);
  await panel.getByRole('menuitemcheckbox', { name: 'High priority', exact: true }).click();
  await panel.getByRole('menuitemcheckbox', { name: 'Category', exact: true }).click();
  await page.locator('erp-list-renderer tr.group').first().waitFor();
  const groups = await page.locator('erp-list-renderer tr.group').allInnerTexts();
  const favorites = panel.locator('erp-search-favorites');
  await favorites.getByRole('button', { name: /Save current search/ }).click();
  await favorites.getByRole('textbox', { name: 'Favorite name' }).fill('Urgent by category');
  await favorites.getByLabel('Default filter').check();
  await snap(page, 'favorites-save-desktop-en');
  await favorites.getByRole('button', { name: 'Save', exact: true }).click();
  await searchBar(page).locator('.facet', { hasText: 'Urgent by category' }).waitFor();
  const [saved] = await sudoRead('ir.filters', [['name', '=', 'Urgent by category']], ['user_id', 'model_id', 'domain', 'context', 'sort', 'is_default', 'action_id']);
  t.is(saved.sort, "['subject asc']");
  t.is(saved.user_id[1], 'Carlos Ruiz');
  t.is(saved.model_id, 'helpdesk.ticket');
  t.true(saved.is_default);
  t.truthy(saved.action_id);
  t.regex(saved.domain, /priority_level/);
  t.regex(saved.context, /'group_by': \['category_id'\]/);

  // Opening the action again applies the default favorite: the same groups.
  await openAction(page, 'action_helpdesk_ticket_assigned');
  await page.goto(`${srv.url}/web#action=helpdesk_bytacora.action_helpdesk_ticket_all&view_type=list`);
  await searchBar(page).locator('.facet', { hasText: 'Urgent by category' }).waitFor();
  await page.locator('erp-list-renderer tr.group').first().waitFor();
  t.is(await searchBar(page).locator('.facet').count(), 1, 'the favorite replaces the default filters');
  t.deepEqual(await page.locator('erp-list-renderer tr.group').allInnerTexts(), groups, 'the same filters and groups');
  t.regex(await page.locator('erp-list-renderer th[aria-sort="ascending"]').innerText(), /^Subject/, 'sorted by subject again');
  await snap(page, 'favorites-default-applied-desktop-en');

  // Delete from the Favorites menu.
  panel = await openPanel(page);
  await panel.getByRole('button', { name: 'Delete favorite Urgent by category' }).click();
  await page.locator('erp-dialog').getByRole('button', { name: 'Delete' }).click();
  await searchBar(page).locator('.facet', { hasText: 'Urgent by category' }).waitFor({ state: 'detached' });
  t.is((await sudoRead('ir.filters', [['name', '=', 'Urgent by category']], ['id'])).length, 0);
  t.deepEqual(page.errors, []);
  await page.close();
});

test.serial('admin (es, phone) shares a favorite of My Tickets; usuario (en) applies it and cannot delete it', async (t) => {
  const page = await loggedIn('admin', 'es_ES', PHONE);
  await openAction(page, 'action_helpdesk_ticket_my', 'empty list');
  const panel = await openPanel(page);
  await panel.getByRole('menuitemcheckbox', { name: 'Cerrado', exact: true }).click();
  const favorites = panel.locator('erp-search-favorites');
  await favorites.getByRole('button', { name: /Guardar la búsqueda actual/ }).click();
  await favorites.getByRole('textbox', { name: 'Nombre del favorito' }).fill('Cerrados');
  await favorites.getByLabel('Compartido con todos los usuarios').check();
  await snap(page, 'favorites-share-phone-es');
  await favorites.getByRole('button', { name: 'Guardar', exact: true }).click();
  await searchBar(page).locator('.facet', { hasText: 'Cerrados' }).waitFor();
  const [shared] = await sudoRead('ir.filters', [['name', '=', 'Cerrados']], ['user_id']);
  t.is(shared.user_id, false);
  t.deepEqual(page.errors, []);
  await page.close();

  const user = await loggedIn('usuario', 'en_US');
  await openAction(user, 'action_helpdesk_ticket_my');
  const userPanel = await openPanel(user);
  const item = userPanel.locator('erp-search-favorites').getByRole('menuitemcheckbox', { name: /Cerrados/ });
  await item.waitFor();
  t.is(await userPanel.getByRole('button', { name: 'Delete favorite Cerrados' }).count(), 0, 'not hers to delete');
  await item.click();
  await searchBar(user).locator('.facet', { hasText: 'Cerrados' }).waitFor();
  t.is(await item.getAttribute('aria-checked'), 'true', 'checked in the menu');
  const closed = await srv.app.withEnv(await uidOf('usuario'), (env) => env.model('helpdesk.ticket').search_count([['state', '=', 'closed']] as never));
  // The facet shows before the list has reloaded: wait for the filtered list (no row past the closed ones).
  await rows(user).nth(closed - 1).waitFor();
  await rows(user).nth(closed).waitFor({ state: 'detached' });
  t.is(await rows(user).count(), closed);
  await snap(user, 'favorites-shared-usuario-desktop-en');
  t.deepEqual(user.errors, []);
  await user.close();
});

async function uidOf(login: string): Promise<number> {
  return (await sudoRead('res.users', [['login', '=', login]], ['id']))[0].id;
}
