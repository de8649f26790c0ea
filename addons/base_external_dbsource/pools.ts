/**
 * One pool per source and database, reused across queries. A pool remembers the settings it
 * was opened with (their fingerprint): when the source is changed — here, or by another
 * worker — the next query sees a different fingerprint and replaces the pool. Writing or
 * deleting a source closes its pool at once in this process; `closeAllPools` (server stop)
 * closes every one.
 */
import { createHash } from 'node:crypto';
import { logger } from '../../core/logger.ts';
import type { ConnectorPool, SourceSettings } from './connectors/connector.ts';
import type { ConnectorName } from './connectors/index.ts';
import { CONNECTORS } from './connectors/index.ts';

interface Entry {
  fingerprint: string;
  pool: ConnectorPool;
}

/** Keyed by the registry (one per database in this process), then by source id. */
const pools = new Map<object, Map<number, Entry>>();

function fingerprintOf(connector: ConnectorName, settings: SourceSettings): string {
  return createHash('sha256').update(JSON.stringify([connector, settings])).digest('hex');
}

export function poolFor(registry: object, sourceId: number, connector: ConnectorName, settings: SourceSettings): ConnectorPool {
  let byId = pools.get(registry);
  if (!byId) pools.set(registry, (byId = new Map()));
  const fingerprint = fingerprintOf(connector, settings);
  const known = byId.get(sourceId);
  if (known?.fingerprint === fingerprint) return known.pool;
  if (known) closeQuietly(known.pool);
  const pool = CONNECTORS[connector].open(settings);
  byId.set(sourceId, { fingerprint, pool });
  return pool;
}

/** Closes the pools of these sources (after a write or unlink). */
export function closeSourcePools(registry: object, ids: number[]): void {
  const byId = pools.get(registry);
  if (!byId) return;
  for (const id of ids) {
    const entry = byId.get(id);
    if (!entry) continue;
    byId.delete(id);
    closeQuietly(entry.pool);
  }
}

/** Closes every pool (of one registry, or all): the server is stopping. */
export async function closeAllPools(registry?: object): Promise<void> {
  const maps = registry ? [pools.get(registry)].filter((m): m is Map<number, Entry> => !!m) : [...pools.values()];
  const closing: Promise<void>[] = [];
  for (const byId of maps) {
    for (const entry of byId.values()) closing.push(entry.pool.close().catch(() => undefined));
    byId.clear();
  }
  if (registry) pools.delete(registry);
  else pools.clear();
  await Promise.all(closing);
}

function closeQuietly(pool: ConnectorPool): void {
  // Queries still running on the old pool finish first; a failure to close is only logged.
  pool.close().catch((e) => logger.warn(`Closing an external database pool failed: ${e?.message ?? e}`));
}
