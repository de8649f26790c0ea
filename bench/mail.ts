/**
 * Mail benchmark (issue 14), on the PostgreSQL server:
 *  - incoming: mails with a 100 KB attachment sent by 8 concurrent SMTP clients (nodemailer)
 *    to the gateway of addons/mail; messages/s from the first MAIL FROM to the last 250
 *    (each 250 = ticket committed), then the tickets are counted (`mail.lost` = accepted but
 *    not found);
 *  - the ceiling: smtp-server alone accepting and discarding the same mails, same clients;
 *  - outgoing: the queued acknowledgements sent by the queue through a local relay
 *    (another smtp-server), mails/s.
 */
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { SMTPServer } from 'smtp-server';
import { bootApp } from '../core/app.ts';
import { loadConfig } from '../core/config.ts';
import { SUPERUSER_ID } from '../core/orm/index.ts';
import { startMailGateway } from '../addons/mail/index.ts';
import { round, type Row } from './stats.ts';

export interface MailBenchOptions { dbUrl: string; messages?: number; senders?: number }

const DOMAIN = 'bench.test';

async function buildMails(n: number, tag: string): Promise<Buffer[]> {
  const attachment = Buffer.alloc(100 * 1024);
  for (let i = 0; i < attachment.length; i++) attachment[i] = (i * 31 + 7) % 256;
  return Promise.all(Array.from({ length: n }, (_, i) => new MailComposer({
    from: `Bench Sender ${i % 50} <bench.sender.${i % 50}@example.com>`, to: `helpdesk@${DOMAIN}`,
    subject: `${tag} ${i}`, text: `Incident ${i}: the printer does not print.`, messageId: `<${tag}-${i}@bench.example>`,
    attachments: [{ filename: `log-${i}.bin`, content: attachment }],
  } as any).compile().build()));
}

/** Sends every mail with `senders` concurrent SMTP connections; returns accepted count and seconds. */
async function blast(port: number, mails: Buffer[], senders: number): Promise<{ accepted: number; seconds: number }> {
  let next = 0;
  let accepted = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: senders }, async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity } as any);
    try {
      while (next < mails.length) {
        const raw = mails[next++];
        const info = await transport.sendMail({ envelope: { from: 'bench@example.com', to: [`helpdesk@${DOMAIN}`] }, raw });
        if (/^250/.test(info.response)) accepted++;
      }
    } finally {
      transport.close();
    }
  }));
  return { accepted, seconds: (performance.now() - t0) / 1000 };
}

async function sink(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false, disableReverseLookup: true, size: 25 * 1024 * 1024,
    onData(stream, _session, callback) { stream.on('data', () => {}); stream.on('end', () => callback()); },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function benchMail(opts: MailBenchOptions): Promise<Row[]> {
  const n = opts.messages ?? 1000;
  const senders = opts.senders ?? 8;
  const { config } = loadConfig([], { ERP_LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv);
  const relay = await sink();
  const app = await bootApp({ ...config, db_url: opts.dbUrl, demo: false, admin_password: 'admin', cron: false, addons: ['helpdesk_bytacora'], mail_domain: DOMAIN, smtp_relay: `smtp://127.0.0.1:${relay.port}`, mail_from: `notifications@${DOMAIN}` });
  const gateway = await startMailGateway(app, { port: 0, host: '127.0.0.1' });
  const ceilingServer = await sink();
  try {
    const tag = `Bench-${Date.now()}`;
    const mails = await buildMails(n, tag);
    // Warm-up (JIT, caches, pools), not counted.
    await blast(gateway.port, await buildMails(senders * 2, `${tag}-warmup`), senders);
    await app.db.knex('mail_mail').where({ state: 'outgoing' }).update({ state: 'cancel' });

    const ceiling = await blast(ceilingServer.port, mails, senders);
    const incoming = await blast(gateway.port, mails, senders);
    const found = Number((await app.db.knex('helpdesk_ticket').where('subject', 'like', `${tag} %`).count({ n: '*' }))[0].n);
    const lost = incoming.accepted - found;

    const queued = Number((await app.db.knex('mail_mail').where({ state: 'outgoing' }).count({ n: '*' }))[0].n);
    const t0 = performance.now();
    let sent = 0;
    for (;;) {
      const k = await app.withEnv(SUPERUSER_ID, (env) => (env.model('mail.mail') as any).process_email_queue() as Promise<number>);
      if (!k) break;
      sent += k;
    }
    const outSeconds = (performance.now() - t0) / 1000;
    const size = Math.round(mails[0].length / 1024);
    return [
      { name: 'mail.incoming_per_s', value: round(incoming.accepted / incoming.seconds, 1), unit: 'msg/s', reference: `ceiling (smtp-server alone, discarding): ${round(ceiling.accepted / ceiling.seconds, 1)} msg/s; ${n} mails of ${size} KB, ${senders} senders, goal 200` },
      { name: 'mail.ceiling_per_s', value: round(ceiling.accepted / ceiling.seconds, 1), unit: 'msg/s', reference: 'smtp-server accepting and discarding the same mails' },
      { name: 'mail.lost', value: lost, unit: 'mails', reference: `${incoming.accepted} accepted (250), ${found} tickets found` },
      { name: 'mail.outgoing_per_s', value: round(sent / outSeconds, 1), unit: 'mail/s', reference: `${sent} of ${queued} queued acknowledgements through a local relay (nodemailer pool)` },
    ];
  } finally {
    await gateway.stop();
    await ceilingServer.close();
    await relay.close();
    await app.close();
  }
}
