/**
 * The command line (`npm start`, `npm run cli -- …`):
 *
 *   start [options]            boot (installing on first run), serve HTTP, run the scheduler
 *   install <addon…>           install addons (and their dependencies), then exit
 *   upgrade <addon…>           reload the data files of installed addons, then exit
 *   cron <xml id | id>         run one scheduled action now, then exit (1 if it failed)
 *   --help                     every option, from config/erp.conf
 *
 * `--workers N` (N > 1, PostgreSQL only) forks N HTTP processes sharing the port with
 * node:cluster: the primary installs/upgrades first, then forks; workers boot without
 * installing and each runs the scheduler (jobs are claimed in the database, so every run
 * happens once). A bad configuration is one line on stderr and exit code 2.
 */
import cluster, { type Worker } from 'node:cluster';
import { pathToFileURL } from 'node:url';
import { bootApp, type App } from './app.ts';
import { helpText, loadConfig, type Config } from './config.ts';
import { startScheduler, runCronNow, type Scheduler } from './cron/index.ts';
import { ConfigError, isExposedError } from './errors.ts';
import { startHttpServer, type HttpServer } from './http/index.ts';
import { logger } from './logger.ts';
import { verifyPassword } from './security/index.ts';

const COMMANDS = ['start', 'install', 'upgrade', 'cron', 'help'] as const;
type Command = (typeof COMMANDS)[number];

/** Demo logins printed at start, one per role (only those that exist with that password). */
const DEMO_LOGINS: Array<[login: string, role: string]> = [
  ['admin', 'administrator: helpdesk admin and Settings'],
  ['tecnico', 'technician'],
  ['usuario', 'user'],
];

class UsageError extends ConfigError {}

export function parseCommand(argv: string[]): { command: Command; args: string[] } {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith('-')) return { command: 'start', args: argv };
  if (!(COMMANDS as readonly string[]).includes(first)) throw new UsageError(`Unknown command '${first}': expected ${COMMANDS.join(', ')} (see --help)`);
  return { command: first as Command, args: rest };
}

/** "admin / admin (role)" lines for the demo users that exist and still have that password. */
export async function demoLogins(app: App): Promise<string[]> {
  if (!app.config.demo) return [];
  const rows = await app.db.knex('res_users').whereIn('login', DEMO_LOGINS.map(([l]) => l)).where({ active: true }).select('login', 'password');
  const lines: string[] = [];
  for (const [login, role] of DEMO_LOGINS) {
    const row = rows.find((r: any) => r.login === login);
    if (row && (await verifyPassword(login, row.password))) lines.push(`  ${login} / ${login}  (${role})`);
  }
  return lines;
}

function banner(config: Config, url: string, logins: string[], workers: number): string {
  const db = config.db_url ? `PostgreSQL ${new URL(config.db_url).host}${new URL(config.db_url).pathname}` : `embedded PGlite in ${config.data_dir}`;
  const lines = [`ERP server ready at ${url}  (database '${config.db_name}', ${db}${workers > 1 ? `, ${workers} workers` : ''})`];
  if (logins.length) lines.push('Demo logins:', ...logins);
  return lines.join('\n');
}

function displayUrl(config: Config, port: number): string {
  const host = !config.http_interface || config.http_interface === '0.0.0.0' || config.http_interface === '::' ? 'localhost' : config.http_interface;
  return `http://${host}:${port}`;
}

/** Closes everything once on SIGINT/SIGTERM; a second signal exits at once. */
function onSignals(close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) { process.exit(1); }
    closing = true;
    logger.info(`${signal} received: shutting down`);
    close().then(() => process.exit(0), (err) => { logger.error('Shutdown failed', err); process.exit(1); });
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

/** Boots one serving process: HTTP (+ scheduler when enabled). */
async function serve(config: Config, install: boolean): Promise<{ app: App; server: HttpServer; scheduler: Scheduler | null }> {
  const app = await bootApp(config, install ? {} : { install: [] });
  let server: HttpServer;
  try {
    server = await startHttpServer(app);
  } catch (err) {
    await app.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ConfigError(`Port ${config.http_port} is already in use (set --http-port)`);
    throw err;
  }
  const scheduler = config.cron ? startScheduler(app) : null;
  onSignals(async () => {
    await scheduler?.stop();
    await server.close();
    await app.close();
  });
  return { app, server, scheduler };
}

async function start(config: Config): Promise<void> {
  if (config.workers > 1) return startCluster(config);
  const { app, server } = await serve(config, true);
  console.log(banner(config, displayUrl(config, server.port), await demoLogins(app), 1));
}

async function startCluster(config: Config): Promise<void> {
  // The primary installs/upgrades alone, then only supervises.
  const app = await bootApp(config);
  const logins = await demoLogins(app);
  await app.close();
  let stopping = false;
  let started = false;
  const stop = async () => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
      if (w.isDead()) { resolve(); return; }
      const timer = setTimeout(() => { w.kill('SIGKILL'); resolve(); }, 10_000);
      w.once('exit', () => { clearTimeout(timer); resolve(); });
      w.kill('SIGTERM');
    })));
  };
  onSignals(stop);
  // Workers boot one after the other: concurrent boots would race on the schema sync.
  const spawn = (): Promise<Worker> => new Promise((resolve, reject) => {
    const worker = cluster.fork({ ERP_CLUSTER_WORKER: '1' });
    const onReady = (msg: { ready?: boolean }) => {
      if (!msg?.ready) return;
      worker.off('message', onReady);
      worker.off('exit', onExit);
      resolve(worker);
    };
    const onExit = (code: number) => reject(new ConfigError(`Worker ${worker.process.pid} failed to start (exit code ${code}); see the messages above`));
    worker.on('message', onReady);
    worker.once('exit', onExit);
  });
  try {
    for (let i = 0; i < config.workers && !stopping; i++) await spawn();
  } catch (err) {
    await stop();
    throw err;
  }
  started = true;
  if (!stopping) console.log(banner(config, displayUrl(config, config.http_port), logins, config.workers));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping || !started) return;
    logger.error(`Worker ${worker.process.pid} exited (${signal ?? code}); starting a new one`);
    setTimeout(() => { if (!stopping) spawn().catch((err) => logger.error(err.message)); }, 1000);
  });
}

async function clusterWorker(config: Config): Promise<void> {
  await serve(config, false);
  process.send?.({ ready: true });
}

async function installOrUpgrade(config: Config, command: 'install' | 'upgrade', names: string[]): Promise<void> {
  if (!names.length) throw new UsageError(`'${command}' needs at least one addon name`);
  const app = await bootApp(config, command === 'install' ? { install: names } : { install: [], upgrade: names });
  try {
    const missing = names.filter((n) => !app.loaded.installed.includes(n));
    if (missing.length) throw new UsageError(`Not installed: ${missing.join(', ')} (install ${missing.length > 1 ? 'them' : 'it'} first)`);
    console.log(`${command === 'install' ? 'Installed' : 'Upgraded'}: ${names.join(', ')}${app.loaded.newlyInstalled.length ? ` (newly installed: ${app.loaded.newlyInstalled.join(', ')})` : ''}`);
  } finally {
    await app.close();
  }
}

async function cronCommand(config: Config, refs: string[]): Promise<number> {
  if (refs.length !== 1) throw new UsageError("'cron' needs one scheduled action: its XML id (module.name) or its id");
  const app = await bootApp(config);
  try {
    const res = await runCronNow(app, refs[0]);
    if (res.ok) console.log(`Scheduled action '${res.job.name}' (${res.job.id}) ran successfully`);
    else console.error(`Scheduled action '${res.job.name}' (${res.job.id}) failed: ${res.error}`);
    return res.ok ? 0 : 1;
  } finally {
    await app.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommand(argv);
    const { config, positional, help } = loadConfig(parsed.args);
    if (help || parsed.command === 'help') { console.log(helpText()); return 0; }
    if (process.env.ERP_CLUSTER_WORKER === '1' && cluster.isWorker) { await clusterWorker(config); return -1; }
    switch (parsed.command) {
      case 'start':
        if (positional.length) throw new UsageError(`Unexpected argument '${positional[0]}' for start (see --help)`);
        await start(config);
        return -1; // keeps running
      case 'install':
      case 'upgrade':
        await installOrUpgrade(config, parsed.command, positional);
        return 0;
      case 'cron':
        return await cronCommand(config, positional);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Error: ${err.message}`);
      return 2;
    }
    const code = (err as { code?: string })?.code;
    if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', '28P01', '28000', '3D000'].includes(code)) {
      console.error(`Error: cannot connect to the database (${(err as Error).message || code}); check db_url`);
      return 2;
    }
    if (isExposedError(err)) {
      console.error(`Error: ${err.message}`);
      logger.debug('Details', err);
      return 1;
    }
    console.error(`Error: ${(err as Error)?.message ?? err}`);
    logger.error('Unexpected error', err);
    return 1;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exit(code);
}
