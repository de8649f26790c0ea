/**
 * The command line (`npm start`, `npm run cli -- …`):
 *
 *   start [options]            boot (installing on first run), serve HTTP, run the scheduler
 *   install <addon…>           install addons (and their dependencies), then exit
 *   upgrade <addon…>           reload the data files of installed addons, then exit
 *   cron <xml id | id>         run one scheduled action now, then exit (1 if it failed)
 *   <addon command> …          a command an addon brings (its index.ts `commands`, seam.ts)
 *   --help                     every command and option, from config/erp.conf
 *
 * `--workers N` (N > 1, PostgreSQL only) forks N HTTP processes sharing the port with
 * node:cluster: the primary installs/upgrades first, then forks; workers boot without
 * installing and each runs the scheduler (jobs are claimed in the database, so every run
 * happens once). A bad configuration is one line on stderr and exit code 2.
 */
import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bootApp, type App } from './app.ts';
import { helpText, loadConfig, type Config } from './config.ts';
import { startScheduler, runCronNow, type Scheduler } from './cron/index.ts';
import { ConfigError, isExposedError } from './errors.ts';
import { collectCommands, startAddonServices, startHttpServer, type CliCommand, type HttpServer, type RunningService } from './http/index.ts';
import { logger } from './logger.ts';
import { discoverAddons, type AddonModule } from './modules/loader.ts';
import { SUPERUSER_ID } from './orm/index.ts';
import { verifyPassword } from './security/index.ts';

const COMMANDS = ['start', 'install', 'upgrade', 'cron', 'help'] as const;
type Command = (typeof COMMANDS)[number];

class UsageError extends ConfigError {}

/** The command and its arguments; a name that is not the core's may be an addon's (`addon`). */
export function parseCommand(argv: string[]): { command: Command | 'addon'; name: string; args: string[] } {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith('-')) return { command: 'start', name: 'start', args: argv };
  if (!(COMMANDS as readonly string[]).includes(first)) return { command: 'addon', name: first, args: rest };
  return { command: first as Command, name: first, args: rest };
}

/** The commands addons bring, from every addon on the addons path (installed or not). */
async function addonCommands(config: Config): Promise<Map<string, CliCommand & { addon: string }>> {
  const modules: Array<{ name: string; module: AddonModule }> = [];
  for (const [name, { path }] of await discoverAddons(config.addons_path)) {
    const index = join(path, 'index.ts');
    if (existsSync(index)) modules.push({ name, module: await import(pathToFileURL(index).href) });
  }
  return collectCommands(modules);
}

/** Demo logins printed at start, at most. */
const MAX_DEMO_LOGINS = 10;

/**
 * "login / login  (name: groups)" lines for the active users whose password is still their
 * login (the demo users), one per role, with the groups they were given directly.
 */
export async function demoLogins(app: App): Promise<string[]> {
  if (!app.config.demo) return [];
  const rows = await app.db.knex('res_users').where({ active: true }).whereNot({ id: SUPERUSER_ID }).orderBy('id').limit(50).select('id', 'login', 'password');
  const demo: Array<{ id: number; login: string }> = [];
  for (const row of rows) {
    if (demo.length >= MAX_DEMO_LOGINS) break;
    if (row.password && (await verifyPassword(row.login, row.password))) demo.push({ id: row.id, login: row.login });
  }
  if (!demo.length) return [];
  return app.withEnv(SUPERUSER_ID, async (env) => {
    const users = await env.model('res.users').browse(demo.map((d) => d.id)).read(['name', 'groups_id']);
    const groupIds = [...new Set(users.flatMap((u: any) => u.groups_id as number[]))];
    const groups = new Map((await env.model('res.groups').browse(groupIds).read(['display_name', 'implied_ids'])).map((g: any) => [g.id as number, g]));
    return users.map((u: any) => {
      const mine = (u.groups_id as number[]).filter((id) => groups.has(id));
      // The groups that say the role: those no other group of the user already implies.
      const implied = new Set(mine.flatMap((id) => groups.get(id)!.implied_ids as number[]));
      const roles = mine.filter((id) => !implied.has(id)).map((id) => groups.get(id)!.display_name);
      const login = demo.find((d) => d.id === u.id)!.login;
      return `  ${login} / ${login}  (${u.name}${roles.length ? `: ${roles.join(', ')}` : ''})`;
    });
  }, { lang: 'en_US' });
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

/** Boots one serving process: HTTP, the addons' services, and the scheduler when enabled. */
async function serve(config: Config, install: boolean): Promise<{ app: App; server: HttpServer; scheduler: Scheduler | null }> {
  const app = await bootApp(config, install ? {} : { install: [] });
  let server: HttpServer;
  let services: RunningService;
  try {
    server = await startHttpServer(app);
  } catch (err) {
    await app.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ConfigError(`Port ${config.http_port} is already in use (set --http-port)`);
    throw err;
  }
  try {
    services = await startAddonServices(app);
  } catch (err) {
    await server.close();
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new ConfigError(`A service could not listen: ${(err as Error).message}`);
    throw err;
  }
  const scheduler = config.cron ? startScheduler(app) : null;
  onSignals(async () => {
    await scheduler?.stop();
    await services.stop();
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
    if (parsed.command === 'addon') {
      // An addon's command gets the settings' flags applied and parses the rest itself.
      const { config, positional, help } = loadConfig(parsed.args, process.env, undefined, { passUnknown: true });
      const command = (await addonCommands(config)).get(parsed.name);
      if (!command) throw new UsageError(`Unknown command '${parsed.name}': expected ${[...COMMANDS.filter((c) => c !== 'help'), ...(await addonCommands(config)).keys()].join(', ')} (see --help)`);
      if (help) { console.log(`Usage: npm run cli -- ${command.name} ${command.usage}\n${command.summary}`); return 0; }
      return await command.run(positional, config);
    }
    const { config, positional, help } = loadConfig(parsed.args);
    if (help || parsed.command === 'help') {
      const extra = [...(await addonCommands(config)).values()].map((c) => `${c.name} ${c.usage}  ${c.summary} (addon ${c.addon})`);
      console.log(helpText(extra));
      return 0;
    }
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
