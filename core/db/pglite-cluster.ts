/**
 * A fresh embedded database starts from a copy of an empty PGlite cluster kept in the user's
 * cache directory, instead of running initdb every time: initdb (a second WebAssembly
 * instance bootstrapping the catalogs) is most of a first start, and its output depends only
 * on the PGlite version. The first fresh start on a machine runs initdb once into the cache;
 * every later fresh data directory is a file copy.
 *
 *   data dir empty? ──no──▶ open it
 *        │yes
 *   cache has pglite-<version>? ──no──▶ initdb into a temporary folder, close it cleanly,
 *        │yes                           rename it into the cache (atomic: racing starts agree)
 *   copy the cached cluster into the data dir ──▶ open it
 *
 * Set ERP_PGLITE_CACHE=off to always run initdb (e.g. to compare).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { logger } from '../logger.ts';

/** The folder of cached clusters: $XDG_CACHE_HOME/helpdesk-erp or ~/.cache/helpdesk-erp. */
export function clusterCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'helpdesk-erp');
}

function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = join(dirname(dirname(require.resolve('@electric-sql/pglite'))), 'package.json');
  return String(JSON.parse(readFileSync(pkg, 'utf8')).version);
}

const isCluster = (dir: string) => existsSync(join(dir, 'PG_VERSION'));

/**
 * Makes `dataDir` hold an empty cluster when it holds none yet (copied from the cache,
 * made first when missing). Returns false when the cache could not be used: the caller
 * then lets PGlite run initdb in place, as without a cache.
 */
export async function seedDataDir(dataDir: string): Promise<boolean> {
  if (process.env.ERP_PGLITE_CACHE === 'off' || isCluster(dataDir)) return false;
  let cached: string;
  try {
    cached = join(clusterCacheDir(), `pglite-${pgliteVersion()}`);
    if (!isCluster(cached)) await makeCachedCluster(cached);
  } catch (err) {
    logger.debug(`Empty-cluster cache not used: ${(err as Error).message}`);
    return false;
  }
  mkdirSync(dataDir, { recursive: true });
  const copied = readdirSync(cached).filter((name) => !existsSync(join(dataDir, name)));
  try {
    for (const name of copied) cpSync(join(cached, name), join(dataDir, name), { recursive: true });
    rmSync(join(dataDir, 'postmaster.pid'), { force: true });
    return true;
  } catch (err) {
    // Only what this copy added goes away; anything else in the folder stays.
    logger.debug(`Empty-cluster cache not used: ${(err as Error).message}`);
    for (const name of copied) rmSync(join(dataDir, name), { recursive: true, force: true });
    return false;
  }
}

async function makeCachedCluster(target: string): Promise<void> {
  const tmp = `${target}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  const pg = await PGlite.create({ dataDir: tmp });
  await pg.close();
  try {
    renameSync(tmp, target);
  } catch (err) {
    // Another process cached it first: theirs is as good as ours.
    rmSync(tmp, { recursive: true, force: true });
    if (!isCluster(target)) throw err;
  }
}
