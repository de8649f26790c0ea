/**
 * The mail gateway inside the real server (`npm start`, core/cli.ts) on a PostgreSQL
 * database: a 250 means committed (kill -9 right after it, restart: nothing lost, and the
 * client's resend of a mail whose answer it never got is not filed twice), and with
 * `--workers 2` each mail is processed by exactly one worker.
 * Always on the PostgreSQL server (ERP_DB_URL, else the local one): the crash is about the
 * durability of a commit on the database server.
 */
import test from 'ava';
import knexFactory, { type Knex } from 'knex';
import { cliSandbox, type CliSandbox } from '../helpers/cli.ts';
import { compose, sendRaw } from './smtp-helpers.ts';

process.env.ERP_DB_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
const DOMAIN = 'crash.test';
const READY = /Mail gateway listening on SMTP port (\d+)/;
const serverArgs = (box: CliSandbox, extra: string[] = []) => ['start', ...box.dbArgs, '--http-port', '0', '--http-interface', '127.0.0.1', '--smtp-port', '0', '--mail-domain', DOMAIN, '--log-level', 'info', '--without-demo', '--admin-password', 'admin', '--cron', 'false', ...extra];

let box: CliSandbox;
let db: Knex;
test.before(async () => {
  box = await cliSandbox();
  db = knexFactory({ client: 'pg', connection: box.dbArgs[1], pool: { min: 0, max: 2 } });
});
test.after.always(async () => {
  await db?.destroy();
  await box?.dispose();
});

const message = (i: number, tag: string) => compose({
  from: `Sender ${i} <sender${i}@example.com>`, to: `helpdesk@${DOMAIN}`, subject: `${tag} ${i}`, text: `mail ${i}`,
  messageId: `<${tag}-${i}@client.example>`, attachments: [{ filename: `f${i}.bin`, content: Buffer.alloc(20_000, i) }],
});
const ticketsOf = async (tag: string) => (await db('helpdesk_ticket').where('subject', 'like', `${tag} %`).select('subject')).map((r: any) => r.subject as string);

test.serial('kill -9 right after the 250: after a restart every accepted mail is there, and a resend is not filed twice', async (t) => {
  const first = await box.spawnUntil(serverArgs(box), READY, 240_000);
  const port = Number(first.match[1]);
  const tag = `Crash-${process.pid}`;
  const raws = await Promise.all(Array.from({ length: 12 }, (_, i) => message(i, tag)));
  const accepted = new Set<number>();
  let killed = false;
  // 4 clients at once; the server dies (SIGKILL) at the first 250 it gives.
  await Promise.all(raws.map(async (raw, i) => {
    await new Promise((r) => setTimeout(r, (i % 4) * 5 + Math.floor(i / 4) * 40));
    if (killed) return;
    try {
      const response = await sendRaw(port, raw, { from: `sender${i}@example.com`, to: [`helpdesk@${DOMAIN}`] });
      if (/^250/.test(response)) accepted.add(i);
      if (!killed) { killed = true; first.child.kill('SIGKILL'); }
    } catch { /* the server died under this client: no 250, the client keeps the mail */ }
  }));
  await new Promise((resolve) => (first.child.exitCode !== null || first.child.signalCode !== null ? resolve(null) : first.child.once('exit', resolve)));
  t.true(accepted.size >= 1);

  const second = await box.spawnUntil(serverArgs(box), READY, 240_000);
  try {
    const stored = new Set(await ticketsOf(tag));
    for (const i of accepted) t.true(stored.has(`${tag} ${i}`), `mail ${i} got a 250 but is missing after the restart`);
    // The clients resend every mail (for those without a 250, as SMTP clients do; the others too, to prove no double filing).
    const port2 = Number(second.match[1]);
    for (const [i, raw] of raws.entries()) t.regex(await sendRaw(port2, raw, { from: `sender${i}@example.com`, to: [`helpdesk@${DOMAIN}`] }), /^250/);
    const all = await ticketsOf(tag);
    t.is(all.length, raws.length, 'one ticket per mail');
    t.is(new Set(all).size, raws.length);
    const files = await db('ir_attachment').where('name', 'like', 'f%.bin').where({ res_model: 'helpdesk.ticket' }).select('name', 'file_size');
    t.is(files.length, raws.length);
  } finally {
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  }
});

test.serial('with --workers 2 on one database each mail is processed exactly once', async (t) => {
  const server = await box.spawnUntil(serverArgs(box, ['--workers', '2']), /ERP server ready/, 240_000);
  try {
    const ports = [...server.output().matchAll(new RegExp(READY, 'g'))].map((m) => Number(m[1]));
    t.is(ports.length, 2, 'both workers listen');
    t.is(new Set(ports).size, 1, 'on the same port (node:cluster)');
    const workers = [...server.output().matchAll(/Mail gateway listening/g)].length;
    t.is(workers, 2);
    const tag = `Workers-${process.pid}`;
    const raws = await Promise.all(Array.from({ length: 24 }, (_, i) => message(i, tag)));
    // 8 clients at once, every mail sent twice (a client that resends): 24 tickets, no more.
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < raws.length * 2) {
        const i = next++ % raws.length;
        t.regex(await sendRaw(ports[0], raws[i], { from: `sender${i}@example.com`, to: [`helpdesk@${DOMAIN}`] }), /^250/);
      }
    }));
    const all = await ticketsOf(tag);
    t.is(all.length, raws.length);
    t.is(new Set(all).size, raws.length);
    const logs = await db('mail_gateway_message').where('subject', 'like', `${tag} %`).select('state', 'reason');
    t.is(logs.length, raws.length * 2, 'every accepted mail logged once');
    t.is(logs.filter((l: any) => l.reason === 'alias').length, raws.length);
    t.is(logs.filter((l: any) => l.reason === 'duplicate').length, raws.length, JSON.stringify(await db('mail_gateway_message').where('subject', 'like', `${tag} %`).whereNot({ reason: 'alias' }).whereNot({ reason: 'duplicate' }).select('reason', 'detail')));
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
  }
});
