/**
 * The seam through which addons bring things to the server, as Odoo's controllers and
 * services do. An addon's `index.ts` may export:
 *
 *   controllers: Controller[]   HTTP routes, mounted on the server's router at start
 *   services:    Service[]      long-running things (an SMTP listener, a worker), started
 *                               after the HTTP server in every serving process, stopped
 *                               (in reverse order) when it shuts down
 *   commands:    CliCommand[]   `npm run cli -- <name> …`, listed by `--help`
 *
 * Only addons installed in the database contribute controllers and services (server-wide
 * addons such as `web` are always installed); commands come from every addon found on the
 * addons path, since some run before anything is installed. The core names no addon: it
 * only walks what the loader found.
 */
import type Router from '@koa/router';
import type { App } from '../app.ts';
import type { Config } from '../config.ts';
import type { AddonModule } from '../modules/loader.ts';
import { AddonError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { HttpServices } from './services.ts';

/** Adds routes to the server's router; may be async (e.g. to build assets first). */
export type Controller = (router: Router, http: HttpServices) => void | Promise<void>;

export interface ServiceContext {
  app: App;
}

/** Something started with the server and stopped with it. */
export interface Service {
  /** Shown in logs, e.g. 'mail.smtp_gateway'. */
  name: string;
  start(ctx: ServiceContext): Promise<RunningService>;
}

export interface RunningService {
  stop(): Promise<void>;
}

/** A command of `npm run cli -- <name> [args…]`; returns the process exit code. */
export interface CliCommand {
  name: string;
  /** Arguments, for --help: e.g. '[--tickets N] [--db-url URL]'. */
  usage: string;
  summary: string;
  run(args: string[], config: Config): Promise<number>;
}

/** What the seam reads of an addon's index.ts. */
export interface AddonSeam {
  controllers?: Controller[];
  services?: Service[];
  commands?: CliCommand[];
}

function seamOf(module: AddonModule): AddonSeam {
  return module as AddonSeam;
}

/** Every controller of the installed addons, in load (dependency) order. */
export function addonControllers(app: App): Controller[] {
  return app.loaded.addons.flatMap((a) => seamOf(a.module).controllers ?? []);
}

/** The services of the installed addons, in load order. */
export function addonServices(app: App): Service[] {
  return app.loaded.addons.flatMap((a) => seamOf(a.module).services ?? []);
}

/**
 * Starts every service of the installed addons; if one fails, those already started are
 * stopped again and the error is thrown. `stop()` stops them in reverse order.
 */
export async function startAddonServices(app: App): Promise<RunningService> {
  const running: Array<{ name: string; handle: RunningService }> = [];
  const stopAll = async () => {
    for (const { name, handle } of running.splice(0).reverse()) {
      try { await handle.stop(); } catch (err) { logger.error(`Service ${name} failed to stop`, err); }
    }
  };
  try {
    for (const service of addonServices(app)) {
      running.push({ name: service.name, handle: await service.start({ app }) });
      logger.debug(`Service ${service.name} started`);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return { stop: stopAll };
}

/** The commands of the given addon modules, by name; a name given twice is an error. */
export function collectCommands(modules: Array<{ name: string; module: AddonModule }>): Map<string, CliCommand & { addon: string }> {
  const out = new Map<string, CliCommand & { addon: string }>();
  for (const { name, module } of modules) {
    for (const command of seamOf(module).commands ?? []) {
      const other = out.get(command.name);
      if (other) throw new AddonError(`CLI command '${command.name}' is defined by both '${other.addon}' and '${name}'`);
      out.set(command.name, { ...command, addon: name });
    }
  }
  return out;
}
