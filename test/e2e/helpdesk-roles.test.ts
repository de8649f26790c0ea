/**
 * The helpdesk (addons/helpdesk_bytacora) in a real browser, one test per role over the demo
 * data, each from the login page to the result:
 * - the user (usuario) files a ticket with a file, cannot edit it afterwards, writes in its
 *   chatter and sees neither other people's tickets nor internal notes;
 * - the technician (tecnico) filters All Tickets, classifies a ticket, opens, solves and
 *   reassigns it through the wizards and logs an internal note;
 * - the admin deletes a ticket from the list and reaches Configuration > Categories.
 * The demo users speak Spanish; they are switched to English in `test.before` so the
 * selectors use the English labels.
 */
import test from 'ava';
import type { Locator, Page } from 'playwright-core';
import type { App } from '../../core/app.ts';
import { launchBrowser, login, newPage, shot, type TestBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let browser: TestBrowser;
const uid: Record<'usuario' | 'tecnico' | 'tecnico2' | 'admin', number> = { usuario: 0, tecnico: 0, tecnico2: 0, admin: 0 };
/** Laura Gómez's (usuario) printer ticket, carrying an internal note posted in setup. */
const OWN_SUBJECT = 'La impresora de la segunda planta no imprime';
/** Elena Martín's ticket (new): invisible to usuario, classified and solved by the technician. */
const OTHER_SUBJECT = 'Pantalla parpadea en el puesto de recepción';
/** Javier López's ticket, deleted by the admin. */
const DELETED_SUBJECT = 'Actualizar antivirus en los portátiles';
const NOTE_TEXT = 'Garantía caducada: pedir presupuesto al proveedor';
const ANSWER_TEXT = 'Hemos pedido el tóner, llegará mañana';

test.before(async () => {
  srv = await startTestServer({ addons: ['helpdesk_bytacora'], demo: true });
  await srv.app.withEnv(1, async (env) => {
    const users = await env.model('res.users').search([['login', 'in', Object.keys(uid)]]);
    await users.write({ lang: 'en_US' });
    for (const u of await users.read(['login'])) uid[u.login as keyof typeof uid] = u.id as number;
  });
  const missing = Object.entries(uid).filter(([, id]) => !id).map(([login]) => login);
  if (missing.length) throw new Error(`Demo users not found: ${missing.join(', ')}`);
  const [own] = await tickets(srv.app, [['subject', '=', OWN_SUBJECT]], ['id']);
  await srv.app.withEnv(uid.tecnico, async (env) => {
    // message_post comes from the mail.thread mixin, which the static Model type does not know.
    const ticket = env.model('helpdesk.ticket').browse([own.id as number]) as unknown as { message_post(...args: unknown[]): Promise<unknown> };
    await ticket.message_post(`<p>${ANSWER_TEXT}</p>`);
    await ticket.message_post(`<p>${NOTE_TEXT}</p>`, false, 'comment', 'mail.mt_note');
  });
  browser = await launchBrowser();
});
test.after.always(async () => {
  await browser?.close();
  await srv?.close();
});

async function tickets(app: App, domain: unknown[], fieldNames: string[]): Promise<Array<Record<string, unknown>>> {
  return app.withEnv(1, (env) => env.model('helpdesk.ticket').search_read(domain as never, fieldNames));
}

const field = (p: Page | Locator, name: string) => p.locator(`erp-form-view:not([in-dialog]) erp-form-renderer .o_field[data-field="${name}"]`);
const cpButton = (p: Page, name: string) => p.locator('erp-control-panel').getByRole('button', { name, exact: true });
const rows = (p: Page) => p.locator('erp-list-renderer tr.record');
const chatter = (p: Page) => p.locator('erp-form-view:not([in-dialog]) erp-chatter');
const messages = (p: Page) => chatter(p).locator('article.message');
const header = (p: Page) => p.locator('erp-form-view:not([in-dialog]) erp-form-renderer .statusbar');
const step = (p: Page) => p.locator('erp-form-view:not([in-dialog]) erp-field-statusbar button[aria-current="step"]');
/** The shown text of a readonly field of the main form (the widgets render in shadow roots). */
const shown = async (p: Page, name: string) => (await field(p, name).locator('.readonly, .content').first().innerText()).trim();

async function loggedIn(user: string): Promise<Page & { errors: string[] }> {
  const page = await newPage(browser);
  await login(page, srv.url, user, user);
  return page;
}

/** Opens the Helpdesk app from the apps menu. */
async function openHelpdesk(p: Page): Promise<void> {
  await p.locator('erp-menu').getByRole('button', { name: 'Applications' }).click();
  await p.locator('erp-menu .apps').getByRole('menuitem', { name: /Helpdesk/ }).click();
  await p.locator('erp-menu .app-name', { hasText: 'Helpdesk' }).waitFor();
  await actionShown(p);
}

/** The names of the Helpdesk app's top-level sections in the navbar. */
async function sections(p: Page): Promise<string[]> {
  return (await p.locator('erp-menu .sections > .nav-btn, erp-menu .sections > .dropdown > .nav-btn').allInnerTexts()).map((s) => s.replace('▾', '').trim());
}

/**
 * Until the last action asked for is on screen: the section clicked may be the one shown
 * already (an app opens on it), whose title and rows would otherwise pass for the new view's
 * while typing lands in the one about to be replaced.
 */
const actionShown = (p: Page) => p.locator('erp-action-manager[aria-busy="false"]').waitFor({ state: 'attached' });

/** Clicks a top-level section (or an entry of a section dropdown) and waits for its list. */
async function openSection(p: Page, name: string, entry?: string): Promise<void> {
  await p.locator('erp-menu .sections').getByRole('button', { name: new RegExp(`^${name}`) }).click();
  if (entry) await p.locator('erp-menu .sections').getByRole('menuitem', { name: entry, exact: true }).click();
  await actionShown(p);
  await p.locator('erp-control-panel li[aria-current="page"]', { hasText: entry ?? name }).waitFor();
  await rows(p).first().waitFor();
}

/** The number of elements of `locator` once it equals `expected` (or after 5 s, whatever it is then). */
async function settledCount(locator: Locator, expected: number): Promise<number> {
  const deadline = Date.now() + 5000;
  let n = await locator.count();
  while (n !== expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    n = await locator.count();
  }
  return n;
}

/** Clicks Save and waits until the form is clean; an error toast fails fast. */
async function save(p: Page): Promise<number> {
  const errors = p.locator('erp-notifications .toast.danger');
  const before = await errors.count();
  await cpButton(p, 'Save').click();
  await Promise.race([
    cpButton(p, 'Save').waitFor({ state: 'detached' }),
    errors.nth(before).waitFor().then(async () => {
      throw new Error(`Saving failed: ${await errors.nth(before).innerText()}`);
    }),
  ]);
  await p.waitForURL(/[#&]id=\d+/);
  return Number(/[#&]id=(\d+)/.exec(p.url())![1]);
}

/** Clicks the dialog's `button` and waits for the dialog to close; an error toast fails fast. */
async function confirmDialog(p: Page, dialog: Locator, button: string): Promise<void> {
  const errors = p.locator('erp-notifications .toast.danger');
  const before = await errors.count();
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await Promise.race([
    dialog.waitFor({ state: 'detached' }),
    errors.nth(before).waitFor().then(async () => {
      throw new Error(`"${button}" failed: ${await errors.nth(before).innerText()}`);
    }),
  ]);
}

/** Picks `option` in a many2one of the main form by typing its beginning. */
async function pickMany2one(p: Page, name: string, option: string): Promise<void> {
  await field(p, name).locator('input').fill(option.slice(0, 4));
  await field(p, name).getByRole('option', { name: option, exact: true }).click();
}

test.serial('user: files a ticket with a file, cannot edit it, writes in its chatter and sees neither others\' tickets nor internal notes', async (t) => {
  const page = await loggedIn('usuario');
  await openHelpdesk(page);
  t.deepEqual(await sections(page), ['My Tickets'], 'no All Tickets, Dashboard or Configuration');
  await openSection(page, 'My Tickets');
  const partnerId = await srv.app.withEnv(1, async (env) => ((await env.model('res.users').browse([uid.usuario]).read(['partner_id']))[0].partner_id as [number, string])[0]);
  const mine = await tickets(srv.app, ['|', ['partner_id', '=', partnerId], ['create_uid', '=', uid.usuario]], ['subject']);
  t.true(mine.length > 0 && mine.length < (await tickets(srv.app, [], ['id'])).length);
  t.is(await settledCount(rows(page), mine.length), mine.length, 'exactly the own tickets');
  t.is(await rows(page).filter({ hasText: OTHER_SUBJECT }).count(), 0, 'another reporter\'s ticket is not listed');
  await shot(page, 'helpdesk-user-my-tickets');

  // A new ticket: subject, description, a file.
  await cpButton(page, 'New').click();
  await field(page, 'subject').locator('input').fill('Teclado sin respuesta');
  await field(page, 'description').locator('.editor').click();
  await page.keyboard.type('Las teclas no escriben nada desde ayer.');
  await field(page, 'attachment_ids').locator('input[type=file]').setInputFiles({ name: 'teclado.txt', mimeType: 'text/plain', buffer: Buffer.from('keyboard log\n') });
  await field(page, 'attachment_ids').getByRole('link', { name: 'teclado.txt' }).waitFor();
  await shot(page, 'helpdesk-user-new-ticket');
  const id = await save(page);
  const [rec] = await tickets(srv.app, [['id', '=', id]], ['number', 'subject', 'description', 'state', 'partner_id', 'attachment_ids']);
  t.regex(String(rec.number), /^T-\d{5}$/);
  t.is(rec.subject, 'Teclado sin respuesta');
  t.regex(String(rec.description), /Las teclas no escriben nada desde ayer\./);
  t.is(rec.state, 'new');
  t.deepEqual((rec.partner_id as [number, string])[0], partnerId);
  const files = await srv.app.withEnv(1, (env) => env.model('ir.attachment').search_read([['res_model', '=', 'helpdesk.ticket'], ['res_id', '=', id]], ['name', 'file_size']));
  t.deepEqual(files.map((f) => [f.name, f.file_size]), [['teclado.txt', 13]]);
  // The saved form shows the number and the state; subject and files are frozen.
  await field(page, 'number').filter({ hasText: String(rec.number) }).waitFor();
  t.is(await shown(page, 'number'), String(rec.number));
  t.is(await step(page).innerText(), 'Unseen');
  t.is(await field(page, 'subject').locator('input').count(), 0, 'the subject is readonly once saved');
  t.is(await shown(page, 'subject'), 'Teclado sin respuesta');
  t.is(await field(page, 'attachment_ids').locator('input[type=file]').count(), 0, 'no more uploads');
  t.is(await header(page).getByRole('button', { name: 'Solve' }).count(), 0, 'no technician buttons');

  // A public message in the chatter; "Log note" is not offered.
  t.is(await chatter(page).getByRole('button', { name: 'Log note' }).count(), 0);
  await chatter(page).getByRole('button', { name: 'Send message' }).click();
  await chatter(page).locator('textarea').fill('Adjunto el registro del teclado');
  await chatter(page).getByRole('button', { name: 'Send', exact: true }).click();
  await messages(page).filter({ hasText: 'Adjunto el registro del teclado' }).waitFor();
  const posted = await srv.app.withEnv(1, (env) => env.model('mail.message').search_read(
    [['model', '=', 'helpdesk.ticket'], ['res_id', '=', id], ['body', 'ilike', 'Adjunto el registro']], ['is_internal', 'author_id']));
  t.is(posted.length, 1);
  t.false(posted[0].is_internal);
  t.is((posted[0].author_id as [number, string])[0], partnerId);
  await shot(page, 'helpdesk-user-ticket-saved');

  // The own printer ticket: public history yes, the technician's internal note no.
  await page.locator('erp-control-panel li a', { hasText: 'My Tickets' }).click();
  await rows(page).filter({ hasText: OWN_SUBJECT }).click();
  await field(page, 'subject').filter({ hasText: OWN_SUBJECT }).waitFor();
  const [own] = await tickets(srv.app, [['subject', '=', OWN_SUBJECT]], ['id']);
  const visible = await srv.app.withEnv(uid.usuario, (env) => env.model('mail.message').search_count([['model', '=', 'helpdesk.ticket'], ['res_id', '=', own.id]]));
  const all = await srv.app.withEnv(1, (env) => env.model('mail.message').search_count([['model', '=', 'helpdesk.ticket'], ['res_id', '=', own.id]]));
  t.true(visible > 0 && visible < all, `the user may read ${visible} of the ${all} messages`);
  await messages(page).nth(visible - 1).waitFor();
  t.is(await settledCount(messages(page), visible), visible);
  t.is(await messages(page).filter({ hasText: ANSWER_TEXT }).count(), 1, 'the technician\'s public answer is shown');
  const notes = await srv.app.withEnv(1, (env) => env.model('mail.message').search_count([['body', 'ilike', NOTE_TEXT]]));
  t.is(notes, 1, 'the note exists');
  t.is(await chatter(page).getByText(NOTE_TEXT).count(), 0, 'but the user does not see it');
  t.is(await chatter(page).locator('article.message.note').count(), 0);
  t.deepEqual(page.errors, []);
  await page.close();
});

test.serial('technician: filters All Tickets, classifies, opens, solves and reassigns a ticket and logs a note', async (t) => {
  const page = await loggedIn('tecnico');
  await openHelpdesk(page);
  t.deepEqual(await sections(page), ['Assigned to me', 'My Tickets', 'All Tickets', 'Dashboard']);
  await openSection(page, 'All Tickets');
  const total = (await tickets(srv.app, [['state', '!=', 'closed']], ['id'])).length;
  t.is(await settledCount(rows(page), total), total, 'every ticket that is not closed (the default filter)');
  // Search panel: the "Unseen" filter becomes a facet and keeps the new tickets only.
  await page.locator('erp-search-bar').getByRole('button', { name: 'Toggle Search Panel' }).click();
  await page.locator('erp-search-bar .panel').getByRole('menuitemcheckbox', { name: 'Unseen', exact: true }).click();
  await page.locator('erp-search-bar .facet', { hasText: 'Unseen' }).waitFor();
  await page.locator('erp-search-bar').getByRole('button', { name: 'Toggle Search Panel' }).click();
  const unseen = await tickets(srv.app, [['state', '=', 'new']], ['subject']);
  const [opened] = await tickets(srv.app, [['state', '!=', 'new']], ['subject']);
  await rows(page).filter({ hasText: String(opened.subject) }).waitFor({ state: 'detached' });
  t.is(await settledCount(rows(page), unseen.length), unseen.length);
  t.true(unseen.some((r) => r.subject === OTHER_SUBJECT));
  await shot(page, 'helpdesk-technician-unseen');

  // The ticket of another reporter: the reporter block.
  await rows(page).filter({ hasText: OTHER_SUBJECT }).click();
  await field(page, 'partner_name').filter({ hasText: 'Elena Martín' }).waitFor();
  const [ticket] = await tickets(srv.app, [['subject', '=', OTHER_SUBJECT]], ['id', 'partner_email', 'partner_phone']);
  const id = ticket.id as number;
  t.is(await shown(page, 'partner_company'), 'Clínica Dental Sonrisa');
  t.is(await shown(page, 'partner_email'), 'elena.martin@clinicasonrisa.example');
  t.is(await shown(page, 'partner_phone'), '+34 963 200 310');
  t.is(await field(page, 'subject').locator('input').count(), 0, 'technicians cannot edit the subject either');

  // Priority and category.
  const [urgent, software] = await srv.app.withEnv(1, async (env) => [
    String((await (await env.ref('helpdesk_bytacora.priority_urgent')).read(['name']))[0].name),
    String((await (await env.ref('helpdesk_bytacora.category_software')).read(['name']))[0].name),
  ]);
  await pickMany2one(page, 'priority_id', urgent);
  await pickMany2one(page, 'category_id', software);
  await save(page);
  let [rec] = await tickets(srv.app, [['id', '=', id]], ['priority_id', 'category_id', 'state', 'solution', 'user_id']);
  t.is((rec.priority_id as [number, string])[1], urgent);
  t.is((rec.category_id as [number, string])[1], software);
  await shot(page, 'helpdesk-technician-classified');

  // Open ticket: the statusbar moves.
  t.is(await step(page).innerText(), 'Unseen');
  await header(page).getByRole('button', { name: 'Open ticket' }).click();
  await step(page).filter({ hasText: 'Open' }).waitFor();
  [rec] = await tickets(srv.app, [['id', '=', id]], ['state']);
  t.is(rec.state, 'open');
  t.is(await header(page).getByRole('button', { name: 'Open ticket' }).count(), 0);

  // Reassign through the wizard to the other technician.
  const [before] = await tickets(srv.app, [['id', '=', id]], ['user_id']);
  const [newUid, newName] = (before.user_id as [number, string])[0] === uid.tecnico2 ? [uid.tecnico, 'Carlos Ruiz'] : [uid.tecnico2, 'Marta Sanz'];
  await header(page).getByRole('button', { name: 'Reassign' }).click();
  const dialog = page.locator('erp-dialog');
  await dialog.locator('.o_field[data-field="user_id"] input').fill(newName.slice(0, 4));
  await dialog.locator('.o_field[data-field="user_id"]').getByRole('option', { name: newName, exact: true }).click();
  await confirmDialog(page, dialog, 'Reassign');
  await field(page, 'user_id').filter({ hasText: newName }).waitFor();
  [rec] = await tickets(srv.app, [['id', '=', id]], ['user_id']);
  t.deepEqual(rec.user_id, [newUid, newName]);

  // Solve through the wizard: the state is Closed and the solution is shown.
  await header(page).getByRole('button', { name: 'Solve' }).click();
  await dialog.locator('.o_field[data-field="solution"] .editor').waitFor();
  t.is(await dialog.locator('h2').innerText(), 'Solve Ticket');
  await dialog.locator('.o_field[data-field="solution"] .editor').click();
  await page.keyboard.type('Cable de vídeo sustituido.');
  await shot(page, 'helpdesk-technician-solve-wizard');
  await confirmDialog(page, dialog, 'Solve');
  await step(page).filter({ hasText: 'Closed' }).waitFor();
  await field(page, 'solution').filter({ hasText: 'Cable de vídeo sustituido.' }).waitFor();
  [rec] = await tickets(srv.app, [['id', '=', id]], ['state', 'solution', 'close_date']);
  t.is(rec.state, 'closed');
  t.regex(String(rec.solution), /Cable de vídeo sustituido\./);
  t.truthy(rec.close_date);
  t.is(await header(page).getByRole('button', { name: 'Solve' }).count(), 0);

  // An internal note.
  await chatter(page).getByRole('button', { name: 'Log note' }).click();
  await chatter(page).locator('textarea').fill('Revisar el resto de pantallas de recepción');
  await chatter(page).getByRole('button', { name: 'Log', exact: true }).click();
  const note = messages(page).filter({ hasText: 'Revisar el resto de pantallas de recepción' });
  await note.waitFor();
  t.true(await note.evaluate((el) => el.classList.contains('note')));
  const logged = await srv.app.withEnv(1, (env) => env.model('mail.message').search_read(
    [['model', '=', 'helpdesk.ticket'], ['res_id', '=', id], ['body', 'ilike', 'Revisar el resto']], ['is_internal']));
  t.deepEqual(logged.map((m) => m.is_internal), [true]);
  await shot(page, 'helpdesk-technician-closed');
  t.deepEqual(page.errors, []);
  await page.close();
});

test.serial('technician: finds a ticket by a word of its internal note with "Search Text for" in the search bar; the user does not', async (t) => {
  const searchFor = async (p: Page, text: string) => {
    await p.locator('erp-search-bar input.query').fill(text);
    const option = p.locator('erp-search-bar .suggestions [role="option"]').filter({ hasText: `Search Text for: ${text}` });
    await option.waitFor();
    await option.click();
    await p.locator('erp-search-bar .facet', { hasText: text }).waitFor();
    await p.locator('erp-search-bar .suggestions').waitFor({ state: 'hidden' });
  };
  const page = await loggedIn('tecnico');
  await openHelpdesk(page);
  await openSection(page, 'All Tickets');
  // "presupuesto" is only in the internal note of usuario's printer ticket (NOTE_TEXT).
  await searchFor(page, 'presupuesto');
  await rows(page).filter({ hasText: OTHER_SUBJECT }).waitFor({ state: 'detached' });
  t.is(await settledCount(rows(page), 1), 1);
  t.is(await rows(page).filter({ hasText: OWN_SUBJECT }).count(), 1);
  await shot(page, 'helpdesk-technician-fulltext');
  t.deepEqual(page.errors, []);
  await page.close();

  const user = await loggedIn('usuario');
  await openHelpdesk(user);
  await openSection(user, 'My Tickets');
  await rows(user).filter({ hasText: OWN_SUBJECT }).waitFor();
  await searchFor(user, 'presupuesto');
  await rows(user).filter({ hasText: OWN_SUBJECT }).waitFor({ state: 'detached' });
  t.is(await settledCount(rows(user), 0), 0, 'internal notes do not make tickets findable for users');
  // A second value of the same field joins the facet with "or" (Odoo): the public answer finds it.
  await searchFor(user, 'tóner');
  await rows(user).filter({ hasText: OWN_SUBJECT }).waitFor();
  t.is(await settledCount(rows(user), 1), 1, 'the public answer "tóner" finds it');
  t.deepEqual(user.errors, []);
  await user.close();
});

test.serial('admin: deletes a ticket from All Tickets after confirming and reaches Configuration > Categories', async (t) => {
  const page = await loggedIn('admin');
  await openHelpdesk(page);
  t.deepEqual(await sections(page), ['Assigned to me', 'My Tickets', 'All Tickets', 'Dashboard', 'Configuration']);
  await openSection(page, 'All Tickets');
  const [victim] = await tickets(srv.app, [['subject', '=', DELETED_SUBJECT]], ['id']);
  t.truthy(victim);
  const open = (await tickets(srv.app, [['state', '!=', 'closed']], ['id'])).length;
  t.is(await settledCount(rows(page), open), open, 'All Tickets opens on the tickets that are not closed');
  // The ticket to delete is closed: drop the default "Not closed" facet.
  await page.locator('erp-search-bar .facet', { hasText: 'Not closed' }).getByRole('button', { name: 'Remove' }).click();
  const before = (await tickets(srv.app, [], ['id'])).length;
  t.is(await settledCount(rows(page), before), before, 'every ticket');
  await rows(page).filter({ hasText: DELETED_SUBJECT }).locator('td.sel input').check();
  await cpButton(page, 'Delete').click();
  const confirm = page.locator('body > erp-dialog');
  await confirm.getByText('Are you sure you want to delete 1 record(s)?').waitFor();
  await shot(page, 'helpdesk-admin-delete-confirm');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await page.locator('erp-notifications .toast', { hasText: '1 record(s) deleted' }).waitFor();
  await rows(page).filter({ hasText: DELETED_SUBJECT }).waitFor({ state: 'detached' });
  t.is(await settledCount(rows(page), before - 1), before - 1);
  t.deepEqual(await tickets(srv.app, [['id', '=', victim.id]], ['id']), [], 'the record is gone');

  await openSection(page, 'Configuration', 'Categories');
  const categories = await srv.app.withEnv(1, (env) => env.model('helpdesk.ticket.category').search_read([], ['name']));
  t.is(await settledCount(rows(page), categories.length), categories.length);
  await rows(page).filter({ hasText: 'Networks and Communications' }).waitFor();
  await shot(page, 'helpdesk-admin-categories');
  t.deepEqual(page.errors, []);
  await page.close();
});
