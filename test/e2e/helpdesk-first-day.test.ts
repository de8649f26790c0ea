/**
 * What a helpdesk team meets on its first day (issue 16), in a real browser over the demo
 * data, per role (usuario, tecnico, admin), in English and Spanish, at 1280×800 and 390×844:
 * - the reporter rates her closed ticket (readonly comes from the view's modifiers, not from
 *   the model's write right alone) and is offered no Duplicate;
 * - Many2one: "Search more…" everywhere, "Create…" only where the user may create and the
 *   creation can succeed; the merge target lists no closed ticket;
 * - kanban: dragging selected text moves nothing; a drop runs the column's action (the Solve
 *   wizard on Closed) or is refused with a message;
 * - lists: State and SLA within 1280 px, stacked rows on a phone; All Tickets opens on the
 *   tickets that are not closed; a technician lands on "Assigned to me";
 * - the reassign wizard lists the technicians at once, without the base administrator;
 * - validation toasts replace each other and go away once the record saves.
 * Screenshots: test-output/screenshots/first-day-*.png.
 */
import test from 'ava';
import type { Locator, Page } from 'playwright-core';
import type { App } from '../../core/app.ts';
import { launchBrowser, login, newPage, shot, type TestBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let srv: TestServer;
let browser: TestBrowser;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
/** Laura Gómez's (usuario) closed and rated ticket. */
const CLOSED_SUBJECT = 'El correo no sincroniza en el móvil';
/** Elena Martín's new ticket (moved across the kanban). */
const NEW_SUBJECT = 'Pantalla parpadea en el puesto de recepción';
/** Laura Gómez's open ticket in Hardware (classified and duplicated). */
const MONITOR_SUBJECT = 'Solicitud de segundo monitor';
/** Tickets the merge and reassign dialogs start from. */
const PENDING_SUBJECT = 'Error al exportar informes a PDF';
const ACCOUNT_SUBJECT = 'Alta de usuario para nuevo empleado';

test.before(async () => {
  srv = await startTestServer({ addons: ['helpdesk_bytacora'], demo: true });
  browser = await launchBrowser();
});
test.after.always(async () => {
  await browser?.close();
  await srv?.close();
});

async function setLang(login: string, lang: 'en_US' | 'es_ES'): Promise<void> {
  await srv.app.withEnv(1, async (env) => (await env.model('res.users').search([['login', '=', login]])).write({ lang }));
}

async function tickets(app: App, domain: unknown[], fieldNames: string[]): Promise<Array<Record<string, unknown>>> {
  return app.withEnv(1, (env) => env.model('helpdesk.ticket').search_read(domain as never, fieldNames));
}

async function loggedIn(user: string, lang: 'en_US' | 'es_ES', viewport = DESKTOP): Promise<Page & { errors: string[] }> {
  await setLang(user, lang);
  const page = await newPage(browser, { viewport });
  await login(page, srv.url, user, user);
  return page;
}

const field = (p: Page | Locator, name: string) => p.locator(`erp-form-view:not([in-dialog]) erp-form-renderer .o_field[data-field="${name}"]`);
const dialogField = (p: Page, name: string) => p.locator(`erp-form-view[in-dialog] erp-form-renderer .o_field[data-field="${name}"]`);
const rows = (p: Page) => p.locator('erp-list-renderer tr.record');
const toasts = (p: Page) => p.locator('erp-notifications .toast');
const cpButton = (p: Page, name: string) => p.locator('erp-control-panel').getByRole('button', { name, exact: true });

/** Opens an action of the helpdesk by XML id in `view` and waits for its records. */
async function openAction(p: Page, xmlid: string, view: 'list' | 'kanban' = 'list'): Promise<void> {
  await p.goto(`${srv.url}/web#action=helpdesk_bytacora.${xmlid}&view_type=${view}`);
  await p.waitForURL(/[#&]action=\d+/);
  await (view === 'list' ? rows(p) : p.locator('erp-kanban-view .card')).first().waitFor();
}

async function openTicket(p: Page, subject: string): Promise<number> {
  const [t] = await tickets(srv.app, [['subject', '=', subject]], ['id']);
  await p.goto(`${srv.url}/web#action=helpdesk_bytacora.action_helpdesk_ticket_my&view_type=form&id=${t.id}`);
  await field(p, 'subject').filter({ hasText: subject }).waitFor();
  return t.id as number;
}

// ── readonly from modifiers: the reporter rates ─────────────────────────────────────────
for (const [lang, viewport, save, label] of [['en_US', DESKTOP, 'Save', 'desktop-en'], ['es_ES', PHONE, 'Guardar', 'phone-es']] as const) {
  test.serial(`usuario (${label}): rates her closed ticket in the form; Duplicate is not offered`, async (t) => {
    const page = await loggedIn('usuario', lang, viewport);
    const id = await openTicket(page, CLOSED_SUBJECT);
    const stars = field(page, 'rating').locator('button[role="radio"]');
    t.false(await stars.first().isDisabled(), 'the stars are editable');
    t.is(await field(page, 'subject').locator('input').count(), 0, 'the subject stays read-only');
    const stars3 = lang === 'en_US' ? 2 : 3;
    await stars.nth(stars3 - 1).click();
    await field(page, 'rating_comment').locator('textarea').fill(`Comentario ${label}`);
    await shot(page, `first-day-usuario-rating-${label}`);
    // New, Save and Discard share one row, inside the screen, on a phone too.
    const tops = await Promise.all([cpButton(page, lang === 'en_US' ? 'New' : 'Nuevo'), cpButton(page, save), cpButton(page, lang === 'en_US' ? 'Discard' : 'Descartar')]
      .map(async (b) => (await b.boundingBox())!));
    t.is(new Set(tops.map((b) => Math.round(b.y))).size, 1, 'one row of buttons');
    t.true(tops.every((b) => b.x + b.width <= viewport.width), 'no button beyond the screen');
    await cpButton(page, save).click();
    await cpButton(page, save).waitFor({ state: 'detached' });
    const [rec] = await tickets(srv.app, [['id', '=', id]], ['rating', 'rating_comment', 'state']);
    t.is(rec.rating, String(stars3));
    t.is(rec.rating_comment, `Comentario ${label}`);
    t.is(rec.state, 'closed');
    t.is(await page.locator('erp-control-panel').getByRole('button', { name: lang === 'en_US' ? 'Actions' : 'Acciones' }).count(), 0,
      'no gear menu: neither Duplicate nor Delete is allowed');
    t.is(await toasts(page).filter({ hasText: /Error/ }).count(), 0);
    t.deepEqual(page.errors, []);
    await page.close();
  });
}

test.serial('usuario (en): closes her own waiting ticket with a note, then reopens it', async (t) => {
  const page = await loggedIn('usuario', 'en_US');
  const id = await openTicket(page, 'Instalar el nuevo programa de facturación');
  const header = page.locator('erp-form-view:not([in-dialog]) erp-form-renderer .statusbar');
  await header.getByRole('button', { name: 'Close Ticket' }).click();
  const dialog = page.locator('erp-form-view[in-dialog]');
  await dialogField(page, 'note').locator('textarea').fill('Ya lo instaló un compañero');
  await dialog.getByRole('button', { name: 'Close Ticket', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await header.getByRole('button', { name: 'Reopen' }).waitFor();
  t.is((await tickets(srv.app, [['id', '=', id]], ['state']))[0].state, 'closed');
  await shot(page, 'first-day-usuario-closed-own-en');
  await header.getByRole('button', { name: 'Reopen' }).click();
  await header.getByRole('button', { name: 'Close Ticket' }).waitFor();
  t.is((await tickets(srv.app, [['id', '=', id]], ['state']))[0].state, 'open');
  t.is(await toasts(page).filter({ hasText: /Error/ }).count(), 0);
  t.deepEqual(page.errors, []);
  await page.close();
});

// ── lists ───────────────────────────────────────────────────────────────────────────────
test.serial('tecnico (en, 1280): lands on Assigned to me; All Tickets opens on the not-closed tickets with State and SLA in view', async (t) => {
  const page = await loggedIn('tecnico', 'en_US');
  await page.locator('erp-control-panel li[aria-current="page"]', { hasText: 'Assigned to me' }).waitFor();
  await openAction(page, 'action_helpdesk_ticket_all');
  await page.locator('erp-search-bar .facet', { hasText: 'Not closed' }).waitFor();
  const open = await tickets(srv.app, [['state', '!=', 'closed']], ['id']);
  await rows(page).nth(open.length - 1).waitFor();
  t.is(await rows(page).count(), open.length);
  await shot(page, 'first-day-tecnico-all-tickets-desktop-en');
  for (const name of ['Status', 'SLA Status']) {
    const box = await page.locator('erp-list-renderer th', { hasText: new RegExp(`^${name}`) }).boundingBox();
    t.truthy(box, name);
    t.true(box!.x + box!.width <= 1280, `${name} ends at ${box!.x + box!.width}px`);
  }
  t.deepEqual(page.errors, []);
  await page.close();
});

test.serial('tecnico (es, phone): each row shows number, subject, state and technician', async (t) => {
  const page = await loggedIn('tecnico', 'es_ES', PHONE);
  await openAction(page, 'action_helpdesk_ticket_all');
  const [rec] = await tickets(srv.app, [['subject', '=', NEW_SUBJECT]], ['number', 'user_id']);
  const row = rows(page).filter({ hasText: NEW_SUBJECT });
  for (const text of [String(rec.number), NEW_SUBJECT, 'Sin mirar', (rec.user_id as [number, string])[1]]) {
    t.true(await row.getByText(text, { exact: true }).isVisible(), `${text} is visible`);
  }
  const box = await row.boundingBox();
  t.true(box!.width <= PHONE.width, 'no horizontal scrolling');
  await shot(page, 'first-day-tecnico-all-tickets-phone-es');
  t.deepEqual(page.errors, []);
  await page.close();
});

test.serial('tecnico (en): bulk actions on selected tickets — open two at once, reassign them in one dialog; usuario gets none', async (t) => {
  const page = await loggedIn('tecnico', 'en_US');
  await openAction(page, 'action_helpdesk_ticket_all');
  // New tickets of Marta Sanz: both can be opened, then reassigned to Carlos Ruiz.
  const fresh = await tickets(srv.app, [['state', '=', 'new'], ['user_id.login', '=', 'tecnico2'], ['subject', '!=', NEW_SUBJECT]], ['subject']);
  t.true(fresh.length >= 2);
  const picked = fresh.slice(0, 2).map((r) => String(r.subject));
  for (const subject of picked) await rows(page).filter({ hasText: subject }).locator('td.sel input').check();
  await shot(page, 'first-day-tecnico-bulk-en');
  await cpButton(page, 'Open ticket').click();
  await cpButton(page, 'Open ticket').waitFor({ state: 'detached' });
  const after = await tickets(srv.app, [['subject', 'in', picked]], ['state', 'user_id']);
  t.deepEqual(after.map((r) => r.state), ['open', 'open']);

  for (const subject of picked) await rows(page).filter({ hasText: subject }).locator('td.sel input').check();
  await cpButton(page, 'Reassign').click();
  const user = dialogField(page, 'user_id');
  await user.locator('input').click();
  await user.getByRole('option', { name: 'Carlos Ruiz' }).click();
  await page.locator('erp-form-view[in-dialog]').getByRole('button', { name: 'Reassign', exact: true }).click();
  await page.locator('erp-form-view[in-dialog]').waitFor({ state: 'detached' });
  const reassigned = await tickets(srv.app, [['subject', 'in', picked]], ['user_id']);
  t.deepEqual(reassigned.map((r) => (r.user_id as [number, string])[1]), ['Carlos Ruiz', 'Carlos Ruiz']);
  t.deepEqual(page.errors, []);
  await page.close();

  const user2 = await loggedIn('usuario', 'en_US');
  await openAction(user2, 'action_helpdesk_ticket_my');
  await rows(user2).first().locator('td.sel input').check();
  await cpButton(user2, 'Export').waitFor();
  for (const name of ['Open ticket', 'Solve', 'Reassign', 'Merge']) t.is(await cpButton(user2, name).count(), 0, name);
  await user2.close();
});

// ── many2one ────────────────────────────────────────────────────────────────────────────
test.serial('tecnico (en): Category offers Search more… but no Create; Search more picks one; Duplicate copies the ticket', async (t) => {
  const page = await loggedIn('tecnico', 'en_US');
  const id = await openTicket(page, MONITOR_SUBJECT);
  const input = field(page, 'category_id').locator('input');
  await input.fill('Zzz');
  const menu = field(page, 'category_id').locator('[role="listbox"]');
  await menu.getByRole('option', { name: 'Search more…' }).waitFor();
  t.is(await menu.getByRole('option', { name: /^Create/ }).count(), 0, 'technicians may not create categories');
  await menu.getByRole('option', { name: 'Search more…' }).click();
  const dialog = page.locator('erp-select-dialog');
  await dialog.getByRole('option', { name: 'Software' }).waitFor();
  await shot(page, 'first-day-tecnico-search-more-en');
  await dialog.getByRole('option', { name: 'Software' }).click();
  await dialog.waitFor({ state: 'detached' });
  t.is(await input.inputValue(), 'Software');
  await cpButton(page, 'Save').click();
  await cpButton(page, 'Save').waitFor({ state: 'detached' });
  const [rec] = await tickets(srv.app, [['id', '=', id]], ['category_id']);
  t.is((rec.category_id as [number, string])[1], 'Software');

  const before = (await tickets(srv.app, [], ['id'])).length;
  await page.locator('erp-control-panel').getByRole('button', { name: 'Actions' }).click();
  await page.locator('erp-control-panel').getByRole('button', { name: 'Duplicate' }).click();
  await page.waitForURL((u) => !u.hash.includes(`id=${id}`) && /[#&]id=\d+/.test(u.hash));
  const copy = Number(/[#&]id=(\d+)/.exec(page.url())![1]);
  await field(page, 'subject').filter({ hasText: MONITOR_SUBJECT }).waitFor();
  t.is((await tickets(srv.app, [], ['id'])).length, before + 1, 'one copy');
  t.not(copy, id);
  t.is(await toasts(page).filter({ hasText: /Error/ }).count(), 0, 'no error toast');
  t.deepEqual(page.errors, []);
  await page.close();
});

test.serial('tecnico (es): the merge target lists no closed ticket and offers no creation', async (t) => {
  const page = await loggedIn('tecnico', 'es_ES');
  await openTicket(page, PENDING_SUBJECT);
  await page.locator('erp-form-renderer .statusbar').getByRole('button', { name: 'Fusionar' }).click();
  const target = dialogField(page, 'target_id');
  await target.locator('input').click();
  const menu = target.locator('[role="listbox"]');
  await menu.getByRole('option', { name: 'Buscar más…' }).waitFor();
  const offered = await menu.getByRole('option').allInnerTexts();
  const closed = await tickets(srv.app, [['state', '=', 'closed']], ['display_name']);
  for (const c of closed) t.false(offered.includes(String(c.display_name)), `${c.display_name} is closed`);
  await target.locator('input').fill('impresora');
  await menu.getByRole('option', { name: /impresora/ }).waitFor();
  t.is(await menu.getByRole('option', { name: /^Crear/ }).count(), 0, 'a ticket cannot be created from here');
  await shot(page, 'first-day-tecnico-merge-target-es');
  t.deepEqual(page.errors, []);
  await page.close();
});

// ── reassign ────────────────────────────────────────────────────────────────────────────
test.serial('tecnico (es): the reassign wizard lists the technicians at once, not the Administrator; one note per reassignment', async (t) => {
  const page = await loggedIn('tecnico', 'es_ES');
  const id = await openTicket(page, ACCOUNT_SUBJECT);
  const [{ user_id: before }] = await tickets(srv.app, [['id', '=', id]], ['user_id']);
  const lastBefore = await srv.app.withEnv(1, async (env) => (await env.model('mail.message').search_read([], ['id'], 0, 1, 'id desc'))[0]?.id as number ?? 0);
  await page.locator('erp-form-renderer .statusbar').getByRole('button', { name: 'Reasignar' }).click();
  const user = dialogField(page, 'user_id');
  await user.locator('input').click();
  const menu = user.locator('[role="listbox"]');
  await menu.getByRole('option', { name: 'Marta Sanz' }).waitFor();
  const offered = await menu.getByRole('option').allInnerTexts();
  t.true(offered.includes('Carlos Ruiz'));
  t.false(offered.includes('Administrator'), offered.join(', '));
  await shot(page, 'first-day-tecnico-reassign-es');
  const other = (before as [number, string])[1] === 'Marta Sanz' ? 'Carlos Ruiz' : 'Marta Sanz';
  await menu.getByRole('option', { name: other }).click();
  await page.locator('erp-form-view[in-dialog]').getByRole('button', { name: 'Reasignar', exact: true }).click();
  await page.locator('erp-form-view[in-dialog]').waitFor({ state: 'detached' });
  const added = await srv.app.withEnv(1, (env) => env.model('mail.message').search_read([['model', '=', 'helpdesk.ticket'], ['res_id', '=', id], ['id', '>', lastBefore]], ['body', 'author_id']));
  t.is(added.length, 1, added.map((m) => m.body).join(' | '));
  t.is((added[0].author_id as [number, string])[1], 'Carlos Ruiz');
  t.deepEqual(page.errors, []);
  await page.close();
});

// ── composer ────────────────────────────────────────────────────────────────────────────
test.serial('tecnico (es): a canned response goes into the composer with its variables filled in, recipients shown; sent as written', async (t) => {
  const page = await loggedIn('tecnico', 'es_ES');
  const id = await openTicket(page, PENDING_SUBJECT);
  const [ticket] = await tickets(srv.app, [['id', '=', id]], ['number', 'partner_name', 'message_follower_ids']);
  const chatter = page.locator('erp-form-view:not([in-dialog]) erp-chatter');
  await chatter.getByRole('button', { name: 'Enviar mensaje' }).click();
  await chatter.getByText(`Para: los ${(ticket.message_follower_ids as number[]).length} seguidores`).waitFor();
  await chatter.getByRole('combobox', { name: 'Respuesta predefinida' }).selectOption({ label: 'Necesitamos más información' });
  const textarea = chatter.locator('textarea');
  await page.waitForFunction((el) => (el as HTMLTextAreaElement).value.length > 0, await textarea.elementHandle());
  const text = await textarea.inputValue();
  t.true(text.startsWith(`Hola ${ticket.partner_name}: para avanzar con la incidencia ${ticket.number}`), text);
  t.true(text.endsWith('Gracias,\nCarlos Ruiz'), text);
  t.false(text.includes('{{'), 'every variable is filled in');
  await shot(page, 'first-day-tecnico-canned-es');
  await chatter.getByRole('button', { name: 'Enviar', exact: true }).click();
  await chatter.locator('article.message', { hasText: 'necesitamos una captura' }).waitFor();
  t.deepEqual(page.errors, []);
  await page.close();
});

// ── kanban ──────────────────────────────────────────────────────────────────────────────
test.serial('tecnico (en): kanban — dragging selected text moves nothing; drops run the column action or are refused', async (t) => {
  const page = await loggedIn('tecnico', 'en_US');
  await openAction(page, 'action_helpdesk_ticket_all', 'kanban');
  const column = (label: string) => page.locator(`erp-kanban-view section.column[aria-label="${label}"]`);
  const card = (subject: string) => page.locator('erp-kanban-view .card', { hasText: subject });
  const [ticket] = await tickets(srv.app, [['subject', '=', NEW_SUBJECT]], ['id', 'state', 'user_id', 'priority_level', 'sla_status']);
  t.is(ticket.state, 'new');

  // Cards: the technician's avatar, priority stars, the SLA badge in its colour, coloured tags.
  const technician = (ticket.user_id as [number, string])[1];
  t.is(await card(NEW_SUBJECT).locator('.avatar').innerText(), technician.split(' ').map((w) => w[0]).join(''));
  t.is(await card(NEW_SUBJECT).locator('.stars').innerText(), '★'.repeat(ticket.priority_level as number) + '☆'.repeat(4 - (ticket.priority_level as number)));
  const tone = { on_time: 'success', at_risk: 'warning', failed: 'danger' }[ticket.sla_status as string];
  t.is(await card(NEW_SUBJECT).locator(`.badge.badge-${tone}`).count(), 1, `SLA badge ${tone}`);
  const [tagged] = await tickets(srv.app, [['tag_ids', '!=', false], ['state', '!=', 'closed']], ['subject']);
  const background = await card(String(tagged.subject)).locator('.tags .badge').first().evaluate((el) => getComputedStyle(el).backgroundColor);
  t.not(background, 'rgb(233, 236, 239)', 'the tag has its colour');
  await shot(page, 'first-day-tecnico-kanban-en');

  // Selected text dragged to another column: the drag starts on the text, not on the card.
  await card(NEW_SUBJECT).locator('.line').first().dispatchEvent('dragstart');
  await column('Open').dispatchEvent('drop');
  await page.waitForTimeout(300);
  t.is(await toasts(page).count(), 0, 'no message');
  t.is((await tickets(srv.app, [['id', '=', ticket.id]], ['state']))[0].state, 'new');

  // Unseen → Open runs "Open ticket".
  await card(NEW_SUBJECT).dragTo(column('Open'));
  await column('Open').locator('.card', { hasText: NEW_SUBJECT }).waitFor();
  t.is((await tickets(srv.app, [['id', '=', ticket.id]], ['state']))[0].state, 'open');

  // The next drags start from a card low in its column: the events are dispatched on the
  // card and the column themselves, so a scroll during the drag cannot pick another card.
  const drag = async (from: Locator, to: Locator) => {
    await from.dispatchEvent('dragstart');
    await to.dispatchEvent('dragover');
    await to.dispatchEvent('drop');
  };
  // Open → Unseen: no action leads there.
  await drag(column('Open').locator('.card', { hasText: NEW_SUBJECT }), column('Unseen'));
  await toasts(page).filter({ hasText: 'no action leads there' }).waitFor();
  t.is((await tickets(srv.app, [['id', '=', ticket.id]], ['state']))[0].state, 'open');
  await shot(page, 'first-day-tecnico-kanban-refused-en');

  // Open → Closed opens the Solve wizard; solving closes the ticket.
  await drag(column('Open').locator('.card', { hasText: NEW_SUBJECT }), column('Closed'));
  const wizard = page.locator('erp-form-view[in-dialog]');
  await wizard.locator('.o_field[data-field="solution"] .editor').click();
  await page.keyboard.type('Cable de vídeo cambiado.');
  await shot(page, 'first-day-tecnico-kanban-solve-en');
  await wizard.getByRole('button', { name: 'Solve', exact: true }).click();
  await wizard.waitFor({ state: 'detached' });
  await shot(page, 'first-day-tecnico-kanban-solved-en');
  // All Tickets shows the tickets that are not closed: the solved card leaves the board.
  await card(NEW_SUBJECT).waitFor({ state: 'detached' });
  const [solved] = await tickets(srv.app, [['id', '=', ticket.id]], ['state', 'solution']);
  t.is(solved.state, 'closed');
  t.regex(String(solved.solution), /Cable de vídeo cambiado/);
  t.deepEqual(page.errors, []);
  await page.close();
});

// ── toasts ──────────────────────────────────────────────────────────────────────────────
test.serial('admin (en): a validation toast is replaced on each Save and removed once the record saves', async (t) => {
  const page = await loggedIn('admin', 'en_US');
  // Projects open a form ("New"); categories, priorities and tags are edited in their list.
  await page.goto(`${srv.url}/web#action=helpdesk_bytacora.action_helpdesk_project&view_type=list`);
  await page.waitForURL(/[#&]action=\d+/);
  await cpButton(page, 'New').click();
  await field(page, 'name').locator('input').waitFor();
  await cpButton(page, 'Save').click();
  await toasts(page).filter({ hasText: 'Invalid fields' }).waitFor();
  await cpButton(page, 'Save').click();
  await cpButton(page, 'Save').click();
  await page.waitForTimeout(200);
  t.is(await toasts(page).count(), 1, 'one toast, not three');
  await shot(page, 'first-day-admin-validation-en');
  await field(page, 'name').locator('input').fill('Renovación de impresoras');
  await cpButton(page, 'Save').click();
  await cpButton(page, 'Save').waitFor({ state: 'detached' });
  await toasts(page).first().waitFor({ state: 'detached' });
  t.is(await toasts(page).count(), 0, 'the toast went away with the error');
  t.deepEqual(page.errors, []);
  await page.close();
});

test.serial('admin (es, phone): All Tickets opens on the not-closed tickets in stacked rows', async (t) => {
  const page = await loggedIn('admin', 'es_ES', PHONE);
  await openAction(page, 'action_helpdesk_ticket_all');
  await page.locator('erp-search-bar .facet', { hasText: 'No cerrados' }).waitFor();
  const open = await tickets(srv.app, [['state', '!=', 'closed']], ['id']);
  await rows(page).nth(open.length - 1).waitFor();
  t.is(await rows(page).count(), open.length);
  await shot(page, 'first-day-admin-all-tickets-phone-es');
  t.deepEqual(page.errors, []);
  await page.close();
});
