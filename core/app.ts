/**
 * Boots one ERP instance: opens the database, loads (and installs) the addons, makes sure
 * the `admin` user can log in, and hands back what servers and commands need.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from './config.ts';
import { openDatabase, readonlyPoolSize, type Database } from './db/index.ts';
import { loadRegistry, type LoadedRegistry } from './modules/loader.ts';
import type { Knex } from 'knex';
import { Environment, SUPERUSER_ID, rowsOf } from './orm/environment.ts';
import type { Registry } from './orm/registry.ts';
import { hashPassword } from './security/index.ts';
import { invalidateAccessCache, invalidateRulesCache } from './orm/index.ts';
import { logger, setLogLevel } from './logger.ts';

export interface App {
  config: Config;
  db: Database;
  registry: Registry;
  loaded: LoadedRegistry;
  /**
   * Runs `fn` in one transaction as `uid` (rolled back if it throws). With `readonly` (calls
   * declared read-only) on a server it runs on the read-only pool without a transaction:
   * two round trips fewer, and each statement sees committed data as in READ COMMITTED.
   */
  withEnv<T>(uid: number, fn: (env: Environment) => Promise<T>, context?: Record<string, unknown>, opts?: { readonly?: boolean }): Promise<T>;
  close(): Promise<void>;
}

export async function bootApp(config: Config, opts: { install?: string[]; upgrade?: string[]; database?: Database } = {}): Promise<App> {
  setLogLevel(config.log_level);
  const db = opts.database ?? (await openDatabase({ url: config.db_url || undefined, dataDir: config.db_url ? undefined : config.data_dir, poolMax: config.db_maxconn, readonlyPoolMax: config.db_maxconn_readonly || readonlyPoolSize(config.workers) }));
  const loaded = await loadRegistry(db.knex, { addonsPaths: config.addons_path, install: opts.install ?? config.addons, serverWide: config.server_wide_modules, upgrade: opts.upgrade, demo: config.demo });
  const registry = loaded.registry;
  // Lookups shared across units of work, dropped when any process changes their tables.
  await registry.sharedCache.start(db);
  const app: App = {
    config, db, registry, loaded,
    async withEnv(uid, fn, context, opts) {
      if (opts?.readonly && db.readonly) {
        const env = await userEnvironment(db.readonly, registry, uid, context);
        const result = await fn(env);
        await env.runAfterCommit();
        return result;
      }
      const env0 = { value: undefined as Environment | undefined };
      const result = await db.knex.transaction(async (trx) => {
        // Embedded PGlite has no read-only pool: the transaction itself refuses writes.
        if (opts?.readonly) await trx.raw('SET TRANSACTION READ ONLY');
        const env = await userEnvironment(trx, registry, uid, context);
        env0.value = env;
        return fn(env);
      });
      await env0.value?.runAfterCommit();
      return result;
    },
    close: async () => {
      await registry.sharedCache.close();
      await db.close();
    },
  };
  await ensureAdminPassword(app);
  return app;
}

/**
 * How long a user's language, time zone and groups (and the check of the security caches)
 * are reused between requests. Changes made in this process clear it at once; changes made
 * by another worker are seen after at most this delay.
 */
const USER_CONTEXT_TTL_MS = 2000;

const securityStamps = new WeakMap<Registry, { access: string; rules: string }>();

function refreshSecurityCaches(registry: Registry, access: string, rules: string): void {
  const seen = securityStamps.get(registry);
  if (seen && seen.access !== access) invalidateAccessCache(registry);
  if (seen && seen.rules !== rules) invalidateRulesCache(registry);
  securityStamps.set(registry, { access, rules });
}

/** An environment for `uid` with the user's language, time zone and groups loaded in one query. */
export async function userEnvironment(cr: Knex | Knex.Transaction, registry: Registry, uid: number, context?: Record<string, unknown>): Promise<Environment> {
  const cached = registry.userContexts.get(uid);
  if (cached && Date.now() - cached.at < USER_CONTEXT_TTL_MS) {
    const env = new Environment({ cr, uid, registry, context: { lang: cached.lang, tz: cached.tz, ...(context ?? {}) } });
    env.primeGroups(cached.groups);
    return env;
  }
  const rows = rowsOf(await cr.raw(
    `WITH RECURSIVE g(id) AS (
       SELECT gid FROM res_groups_users_rel WHERE uid = ?
       UNION SELECT r.hid FROM res_groups_implied_rel r JOIN g ON r.gid = g.id)
     SELECT u.lang, u.tz, ARRAY(SELECT id FROM g) AS groups,
            (SELECT count(*) || '/' || coalesce(max(write_date)::text, '') FROM ir_model_access) AS access_stamp,
            (SELECT count(*) || '/' || coalesce(max(write_date)::text, '') FROM ir_rule) AS rules_stamp
       FROM res_users u WHERE u.id = ?`, [uid, uid]));
  const user = rows[0];
  // Another worker may have changed access lines or rules: drop this process's caches then.
  if (user) refreshSecurityCaches(registry, user.access_stamp, user.rules_stamp);
  const env = new Environment({ cr, uid, registry, context: { lang: user?.lang ?? 'en_US', tz: user?.tz ?? 'UTC', ...(context ?? {}) } });
  if (user) {
    const groups = new Set((user.groups as unknown[]).map(Number));
    env.primeGroups(groups);
    registry.userContexts.set(uid, { lang: user.lang ?? 'en_US', tz: user.tz ?? 'UTC', groups, at: Date.now() });
  }
  return env;
}

/** The first start sets admin's password: 'admin' with demo data, else configured or generated. */
async function ensureAdminPassword(app: App): Promise<void> {
  const row = await app.db.knex('res_users').where({ login: 'admin' }).first('id', 'password');
  if (!row || row.password) return;
  let password = app.config.admin_password;
  if (!password && app.config.demo) password = 'admin';
  if (!password) {
    password = randomBytes(9).toString('base64url');
    logger.warn(`Generated password for user 'admin': ${password} (shown once; change it in Settings)`);
  }
  await app.db.knex('res_users').where({ id: row.id }).update({ password: await hashPassword(password) });
}

export { SUPERUSER_ID };
