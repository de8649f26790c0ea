/**
 * Mail benchmark (issue 14), on the PostgreSQL server:
 *  - incoming: mails with a 100 KB attachment sent by 8 concurrent SMTP clients (nodemailer)
 *    to the gateway of addons/mail; messages/s from the first MAIL FROM to the last 250
 *    (each 250 = ticket committed), then the tickets are counted (`mail.lost` = accepted but
 *    not found);
 *  - the ceiling: smtp-server alone accepting and discarding the same mails, same clients;
 *  - outgoing: the queued acknowledgements sent by the queue through a local relay
 *    (another smtp-server), mails/s;
 *  - incoming again against `npm start -- --workers 2` (every worker listens on the SMTP
 *    port through node:cluster), the same clients and mails;
 *  - CPU per mail read from /proc, so that msg/s on a shared machine can be read against
 *    what its cores allow: the gateway's (this process: the SMTP clients run in a process of
 *    their own, bench/mail_clients.ts, as a real gateway's senders are other machines), the
 *    cluster's processes, PostgreSQL's backends, and the clients' (reported beside).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { bootApp } from '../core/app.ts';
import { loadConfig, PROJECT_ROOT } from '../core/config.ts';
import { SUPERUSER_ID } from '../core/orm/index.ts';
import { startMailGateway } from '../addons/mail/index.ts';
import { availableParallelism } from 'node:os';
import { backendsCpuDelta, backendsCpuMs, treeCpuMs } from './cpu.ts';
import { DOMAIN } from './mail_clients.ts';
import { round, type Row } from './stats.ts';

/**
 * Mails each gateway process files before the measured run: a server's steady state, once V8
 * has optimised its hot code. Measured on one process, quiet: after 16 mails ~2-4 ms more CPU
 * per mail than after 100, and after 100 still 150-165 mails/s against 180-201 after 300.
 */
const WARMUP_PER_PROCESS = 300;

export interface MailBenchOptions { dbUrl: string; messages?: number; senders?: number; workers?: number }

/** The SMTP clients' process (bench/mail_clients.ts): builds mails, sends them, says what it cost. */
class Clients {
  private constructor(private readonly child: ChildProcess) {}
  static start(): Clients {
    const child = fork(join(PROJECT_ROOT, 'bench', 'mail_clients.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Clients(child);
  }
  private ask<T>(msg: Record<string, unknown>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the SMTP clients' process exited (${code})`));
      this.child.once('exit', onExit);
      this.child.once('message', (answer: any) => {
        this.child.off('exit', onExit);
        if (answer?.error) reject(new Error(answer.error));
        else resolve(answer as T);
      });
      this.child.send(msg);
    });
  }
  /** Builds the mails the next blasts send; resolves to the size of one, KB. */
  async build(n: number, tag: string): Promise<number> {
    return (await this.ask<{ kb: number }>({ cmd: 'build', n, tag })).kb;
  }
  /** Sends the built mails to `port`; accepted count, seconds, and the clients' CPU ms. */
  blast(port: number, senders: number): Promise<{ accepted: number; seconds: number; cpuMs: number }> {
    return this.ask({ cmd: 'blast', port, senders });
  }
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) { resolve(); return; }
      this.child.once('exit', () => resolve());
      this.child.send({ cmd: 'exit' });
      setTimeout(() => this.child.kill('SIGKILL'), 5_000).unref();
    });
  }
}

async function sink(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false, disableReverseLookup: true, size: 25 * 1024 * 1024,
    onData(stream, _session, callback) { stream.on('data', () => {}); stream.on('end', () => callback()); },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** `npm start -- --workers N` on the bench database, listening for mail; resolves once its SMTP port answers. */
async function startCluster(dbUrl: string, workers: number): Promise<{ child: ChildProcess; smtpPort: number }> {
  const [httpPort, smtpPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ERP_')) env[k] = v;
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'core', 'cli.ts'), 'start', '--db-url', dbUrl, '--addons', 'helpdesk_bytacora',
    '--workers', String(workers), '--http-port', String(httpPort), '--http-interface', '127.0.0.1', '--smtp-port', String(smtpPort), '--mail-domain', DOMAIN,
    '--mail-from', `notifications@${DOMAIN}`, '--log-level', 'warn', '--cron', 'false', '--without-demo'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c; });
  child.stderr!.on('data', (c: Buffer) => { out += c; });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the cluster exited (${child.exitCode}) before serving:\n${out}`);
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`the cluster did not start:\n${out}`); }
    // Workers boot one after the other and the first answers greetings alone: the primary's
    // banner says that all of them are up (else the warm-up goes to the first one only and
    // the others boot, parse-thread included, in the measured run).
    if (!out.includes('ERP server ready')) { await new Promise((r) => setTimeout(r, 300)); continue; }
    const probe = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true } as any);
    // Every worker must be listening: a few greetings in a row, not just the first one up.
    const ok = await Promise.all(Array.from({ length: 4 * workers }, () => probe.verify().then(() => true, () => false)));
    probe.close();
    if (ok.every(Boolean)) return { child, smtpPort };
    await new Promise((r) => setTimeout(r, 500));
  }
}

function stopCluster(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) { resolve(); return; }
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

const countTickets = async (app: Awaited<ReturnType<typeof bootApp>>, tag: string) =>
  Number((await app.db.knex('helpdesk_ticket').where('subject', 'like', `${tag} %`).count({ n: '*' }))[0].n);

export async function benchMail(opts: MailBenchOptions): Promise<Row[]> {
  const n = opts.messages ?? 1000;
  const senders = opts.senders ?? 8;
  const { config } = loadConfig([], { ERP_LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv);
  const relay = await sink();
  const app = await bootApp({ ...config, db_url: opts.dbUrl, demo: false, admin_password: 'admin', cron: false, addons: ['helpdesk_bytacora'], mail_domain: DOMAIN, smtp_relay: `smtp://127.0.0.1:${relay.port}`, mail_from: `notifications@${DOMAIN}` });
  const gateway = await startMailGateway(app, { port: 0, host: '127.0.0.1' });
  const ceilingServer = await sink();
  const clients = Clients.start();
  try {
    const tag = `Bench-${Date.now()}`;
    // Warm-up (JIT, caches, pools), not counted: as long as each process of the cluster's below,
    // since a short one leaves hot code to be optimised during the measured run.
    await clients.build(WARMUP_PER_PROCESS, `${tag}-warmup`);
    await clients.blast(gateway.port, senders);
    await app.db.knex('mail_mail').where({ state: 'outgoing' }).update({ state: 'cancel' });
    const size = await clients.build(n, tag);

    const ceiling = await clients.blast(ceilingServer.port, senders);
    const db0 = await backendsCpuMs(app.db.knex);
    const cpu0 = process.cpuUsage();
    const incoming = await clients.blast(gateway.port, senders);
    const cpu = process.cpuUsage(cpu0);
    const db1 = await backendsCpuMs(app.db.knex);
    // The clients run in a process of their own: this process's CPU is the gateway's, all of it (SMTP included).
    const serverMs = (cpu.user + cpu.system) / 1000 / n;
    const clientsMs = incoming.cpuMs / n;
    const dbMs = db0 && db1 ? backendsCpuDelta(db0, db1) / n : undefined;
    const found = await countTickets(app, tag);
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

    const workers = opts.workers ?? 2;
    const cluster = await startCluster(opts.dbUrl, workers);
    let clustered: { accepted: number; seconds: number; found: number; serverMs: number; dbMs: number | undefined };
    try {
      const wTag = `${tag}-w${workers}`;
      // Each process optimises its hot code on its own share of the mails: a warm-up long enough
      // for every worker.
      await clients.build(WARMUP_PER_PROCESS * workers, `${wTag}-warmup`);
      await clients.blast(cluster.smtpPort, senders);
      await clients.build(n, wTag);
      const [s0, d0] = [treeCpuMs(cluster.child.pid!), await backendsCpuMs(app.db.knex)];
      const result = await clients.blast(cluster.smtpPort, senders);
      const [s1, d1] = [treeCpuMs(cluster.child.pid!), await backendsCpuMs(app.db.knex)];
      clustered = { ...result, found: await countTickets(app, wTag), serverMs: (s1 - s0) / n, dbMs: d0 && d1 ? backendsCpuDelta(d0, d1) / n : undefined };
    } finally {
      await stopCluster(cluster.child);
    }
    return [
      { name: 'mail.incoming_per_s', value: round(incoming.accepted / incoming.seconds, 1), unit: 'msg/s', reference: `ceiling (smtp-server alone, discarding): ${round(ceiling.accepted / ceiling.seconds, 1)} msg/s; ${n} mails of ${size} KB, ${senders} senders, goal 200` },
      { name: 'mail.ceiling_per_s', value: round(ceiling.accepted / ceiling.seconds, 1), unit: 'msg/s', reference: 'smtp-server accepting and discarding the same mails' },
      { name: 'mail.lost', value: lost, unit: 'mails', reference: `${incoming.accepted} accepted (250), ${found} tickets found` },
      { name: 'mail.server_cpu_ms_per_mail', value: round(serverMs, 2), unit: 'ms', reference: dbMs !== undefined ? `one process; PostgreSQL backends ${round(dbMs, 2)} ms; SMTP clients ${round(clientsMs, 2)} ms; ${availableParallelism()} cores allow at most ${round(availableParallelism() * 1000 / (serverMs + dbMs), 0)} msg/s` : `one process; PostgreSQL is not on this machine; SMTP clients ${round(clientsMs, 2)} ms` },
      { name: `mail.server_cpu_ms_per_mail_workers${workers}`, value: round(clustered.serverMs, 2), unit: 'ms', reference: clustered.dbMs !== undefined ? `--workers ${workers}; PostgreSQL backends ${round(clustered.dbMs, 2)} ms; ${availableParallelism()} cores allow at most ${round(availableParallelism() * 1000 / (clustered.serverMs + clustered.dbMs), 0)} msg/s` : `--workers ${workers}; PostgreSQL is not on this machine` },
      { name: `mail.incoming_workers${workers}_per_s`, value: round(clustered.accepted / clustered.seconds, 1), unit: 'msg/s', reference: `npm start -- --workers ${workers}; ${clustered.accepted} accepted (250), ${clustered.accepted - clustered.found} not found as tickets` },
      { name: 'mail.outgoing_per_s', value: round(sent / outSeconds, 1), unit: 'mail/s', reference: `${sent} of ${queued} queued acknowledgements through a local relay (nodemailer pool)` },
    ];
  } finally {
    await clients.close();
    await gateway.stop();
    await ceilingServer.close();
    await relay.close();
    await app.close();
  }
}
