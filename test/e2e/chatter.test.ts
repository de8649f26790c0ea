/**
 * The chatter and attachments in a real browser: "Send message" and "Log note" with their
 * author, tracked changes, a file uploaded on the form (saved with the record, downloaded
 * with the same bytes) and a file attached to a message.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { shot } from '../helpers/browser.ts';
import { cpButton, field, loggedInPage, openItem, startE2e, type E2e } from './_fixture.ts';

let e2e: E2e;
let page: Page & { errors: string[] };

test.before(async () => {
  e2e = await startE2e({ items: 4 });
  page = await loggedInPage(e2e);
});
test.after.always(async () => {
  await e2e?.close();
});

const chatter = (p: Page) => p.locator('erp-form-view:not([in-dialog]) erp-chatter');
const messages = (p: Page) => chatter(p).locator('article.message');

async function adminName(): Promise<string> {
  return e2e.srv.app.withEnv(1, async (env) => String((await env.model('res.users').browse([2]).read(['name']))[0].name));
}

async function messagesOf(id: number) {
  return e2e.srv.app.withEnv(1, (env) => env.model('mail.message').search_read(
    [['model', '=', 'test.web.item'], ['res_id', '=', id]], ['body', 'author_id', 'message_type', 'subtype_id', 'attachment_ids'], 0, 0, 'id desc'));
}

/** Bytes no text encoding would keep intact: every byte value, twice. */
const BYTES = Buffer.from([...Array(256).keys(), ...Array(256).keys()].map((n) => n & 255));

test.serial('"Send message" posts a message that appears with its author', async (t) => {
  const id = e2e.seeded.items[0];
  await openItem(page, e2e.srv.url, id);
  await chatter(page).getByRole('button', { name: 'Send message' }).click();
  await chatter(page).locator('textarea').fill('Hello from the browser');
  await chatter(page).getByRole('button', { name: 'Send', exact: true }).click();
  const message = messages(page).filter({ hasText: 'Hello from the browser' });
  await message.waitFor();
  t.is((await message.locator('.meta strong').innerText()).trim(), await adminName());
  t.is(await message.locator('.badge', { hasText: 'Note' }).count(), 0);
  const [posted] = await messagesOf(id);
  t.regex(String(posted.body), /Hello from the browser/);
  t.is(posted.message_type, 'comment');
  t.regex(String((posted.subtype_id as [number, string])[1]), /Discussions|comment/i);
});

test.serial('"Log note" posts an internal note, marked as a note', async (t) => {
  const id = e2e.seeded.items[0];
  await openItem(page, e2e.srv.url, id);
  await chatter(page).getByRole('button', { name: 'Log note' }).click();
  await chatter(page).locator('textarea').fill('Internal remark');
  await chatter(page).getByRole('button', { name: 'Log', exact: true }).click();
  const note = messages(page).filter({ hasText: 'Internal remark' });
  await note.waitFor();
  t.is(await note.locator('.badge', { hasText: 'Note' }).count(), 1);
  t.true(await note.evaluate((el) => el.classList.contains('note')));
  t.is(await messages(page).first().innerText().then((s) => s.includes('Internal remark')), true, 'newest first');
  const [posted] = await messagesOf(id);
  t.regex(String((posted.subtype_id as [number, string])[1]), /Note/i);
  await shot(page, 'form-chatter');
});

test.serial('changing a tracked field shows the change in the chatter', async (t) => {
  const id = e2e.seeded.items[1];
  await openItem(page, e2e.srv.url, id);
  await field(page, 'partner_id').locator('input').fill('Gemini');
  await field(page, 'partner_id').getByRole('option', { name: 'Gemini Furniture' }).click();
  await cpButton(page, 'Save').click();
  const line = chatter(page).locator('article.message li', { hasText: 'Gemini Furniture' });
  await line.waitFor();
  t.regex((await line.innerText()).replace(/\s+/g, ' '), /Azure Interior → Gemini Furniture \(Customer\)/);
});

test.serial('a file uploaded in the form is saved with the record and downloads with the same bytes', async (t) => {
  const id = e2e.seeded.items[2];
  await openItem(page, e2e.srv.url, id);
  await page.getByRole('tab', { name: 'Files' }).click();
  await field(page, 'attachment_ids').locator('input[type=file]').setInputFiles({ name: 'bytes.bin', mimeType: 'application/octet-stream', buffer: BYTES });
  const link = field(page, 'attachment_ids').getByRole('link', { name: 'bytes.bin' });
  await link.waitFor();
  await cpButton(page, 'Save').click();
  await cpButton(page, 'Save').waitFor({ state: 'detached' });
  const linked = await e2e.srv.app.withEnv(1, (env) => env.model('ir.attachment').search_read([['res_model', '=', 'test.web.item'], ['res_id', '=', id]], ['name', 'file_size']));
  t.deepEqual(linked.map((a) => [a.name, a.file_size]), [['bytes.bin', BYTES.length]]);
  await shot(page, 'form-attachments');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  t.is(download.suggestedFilename(), 'bytes.bin');
  t.true(readFileSync((await download.path())!).equals(BYTES), 'the downloaded bytes are the uploaded ones');
});

test.serial('a file attached in the composer is posted with the message and downloads', async (t) => {
  const id = e2e.seeded.items[3];
  await openItem(page, e2e.srv.url, id);
  await chatter(page).getByRole('button', { name: 'Send message' }).click();
  await chatter(page).locator('.composer input[type=file]').setInputFiles({ name: 'report.txt', mimeType: 'text/plain', buffer: Buffer.from('quarterly numbers\n') });
  await chatter(page).locator('.composer .file', { hasText: 'report.txt' }).waitFor();
  await chatter(page).locator('textarea').fill('See the report');
  await chatter(page).getByRole('button', { name: 'Send', exact: true }).click();
  const message = messages(page).filter({ hasText: 'See the report' });
  await message.waitFor();
  const link = message.locator('a.file', { hasText: 'report.txt' });
  await link.waitFor();
  const [posted] = await messagesOf(id);
  t.is((posted.attachment_ids as number[]).length, 1);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  t.is(readFileSync((await download.path())!, 'utf8'), 'quarterly numbers\n');
  t.deepEqual(page.errors, []);
});
