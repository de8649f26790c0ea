/**
 * The process-wide cache of rarely-changing lookups (xml ids, aliases, subtypes, sequences,
 * configuration records), kept coherent across worker processes by cache signals: every
 * committed change to a watched table is announced on `erp_cache` (core/db/cache-signals.ts)
 * and each process drops what it read from that table. Odoo's ormcache with signaling.
 *
 * A value is served from here only while the process listens (`live`), only if it was
 * filled under the current listener epoch (a notification lost while disconnected cannot
 * leave a stale value behind), and only if every table it was read from carries the trigger.
 * A fill during which one of its tables was signalled is not kept. Otherwise the lookup
 * simply reads the database, as without a cache. Cached values are shared between requests:
 * callers must not mutate them.
 */
import type { Knex } from 'knex';
import type { PGlite } from '@electric-sql/pglite';
import { CACHE_CHANNEL, installCacheSignalTriggers, signalledTables } from '../db/cache-signals.ts';
import { ChannelSubscription, type ChannelListener } from '../db/listener.ts';
import { logger } from '../logger.ts';

/** Where the invalidations come from: a LISTEN connection (servers) or the embedded PGlite. */
interface Signals {
  readonly live: boolean;
  readonly epoch: number;
  close(): Promise<void>;
}

interface Entry { value: unknown; epoch: number; tables: readonly string[] }

/** More distinct keys than this (aliases asked by name, say) drops the oldest entries. */
const MAX_ENTRIES = 20_000;

export class SharedCache {
  private signals: Signals | null = null;
  private knex: Knex | null = null;
  private readonly entries = new Map<string, Entry>();
  /** Per table, bumped at every invalidation: a fill that saw it move is not kept. */
  private readonly generations = new Map<string, number>();
  /** The tables carrying the trigger, as read under `signalledEpoch`. */
  private signalled = new Set<string>();
  private signalledEpoch = -1;
  private refreshing = false;
  /** Lookups served from the cache and filled into it (tests and benches read them). */
  readonly stats = { hits: 0, fills: 0, bypasses: 0 };

  /** Starts listening: on the server's LISTEN connection, or inside the embedded PGlite. */
  async start(db: { kind: 'pglite' | 'postgres'; knex: Knex; pglite?: PGlite; listener?: ChannelListener }): Promise<void> {
    this.knex = db.knex;
    if (db.kind === 'postgres' && db.listener) {
      const subscription = db.listener.channel(CACHE_CHANNEL, (payload) => this.invalidate(payload.split(',')));
      this.signals = subscription;
      await subscription.start();
      await this.refreshSignalled();
    } else if (db.pglite) {
      // One process, one session: the trigger's NOTIFY reaches this callback at each commit.
      const pglite = db.pglite;
      const unlisten = await pglite.listen(CACHE_CHANNEL, (payload) => this.invalidate(payload.split(',')));
      const signals = { live: true, epoch: 1, close: async () => { signals.live = false; signals.epoch++; if (!pglite.closed) await unlisten(); } };
      this.signals = signals;
      await this.refreshSignalled();
    }
  }

  async close(): Promise<void> {
    const signals = this.signals;
    this.signals = null;
    this.entries.clear();
    await signals?.close();
  }

  /** The subscription to the cache signals on a server (tests cut its connection to check the fallback). */
  get listener(): ChannelSubscription | null {
    return this.signals instanceof ChannelSubscription ? this.signals : null;
  }

  /** True when values read from `tables` may be served from (and kept in) this cache. */
  usable(tables: readonly string[]): boolean {
    const signals = this.signals;
    if (!signals?.live) return false;
    if (this.signalledEpoch !== signals.epoch) {
      void this.refreshSignalled();
      return false;
    }
    return tables.every((t) => this.signalled.has(t));
  }

  /** The cached value of `key` (read from `tables`), else `fill()`'s, kept if nothing moved meanwhile. */
  async get<T>(tables: readonly string[], key: string, fill: () => PromiseLike<T>): Promise<T> {
    if (!this.usable(tables)) {
      this.stats.bypasses++;
      return fill();
    }
    const epoch = this.signals!.epoch;
    const hit = this.entries.get(key);
    if (hit && hit.epoch === epoch) {
      this.stats.hits++;
      return hit.value as T;
    }
    const before = tables.map((t) => this.generations.get(t) ?? 0);
    const value = await fill();
    const moved = tables.some((t, i) => (this.generations.get(t) ?? 0) !== before[i]);
    if (!moved && this.signals?.live && this.signals.epoch === epoch) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, { value, epoch, tables });
      this.stats.fills++;
    }
    return value;
  }

  /** Drops what was read from `tables` (a notification, or a write made by this process). */
  invalidate(tables: readonly string[]): void {
    const watched = tables.filter((t) => this.signalled.has(t) || this.generations.has(t));
    if (!watched.length) return;
    for (const t of watched) this.generations.set(t, (this.generations.get(t) ?? 0) + 1);
    for (const [key, entry] of this.entries) if (entry.tables.some((t) => watched.includes(t))) this.entries.delete(key);
  }

  /** Re-reads which tables carry the trigger (after each (re)connection); never awaited inside a lookup. */
  private async refreshSignalled(): Promise<void> {
    const signals = this.signals;
    if (!signals?.live || this.refreshing || !this.knex) return;
    this.refreshing = true;
    const epoch = signals.epoch;
    try {
      const tables = await signalledTables(this.knex);
      if (signals.epoch === epoch) {
        this.signalled = tables;
        this.signalledEpoch = epoch;
      }
    } catch (err) {
      logger.warn(`Cache signals: could not list the watched tables (${(err as Error).message})`);
    } finally {
      this.refreshing = false;
    }
  }
}

/**
 * Makes the tables of `models` announce their changes, so that `env.cached` lookups of them
 * are shared across units of work (call from an addon's onInstall and onUpgrade).
 */
export async function installCacheSignals(env: { cr: Knex | Knex.Transaction; registry: { get(name: string): { _meta: { table: string } } | undefined } }, models: readonly string[]): Promise<void> {
  const tables = models.map((m) => {
    const cls = env.registry.get(m);
    if (!cls) throw new Error(`installCacheSignals: unknown model '${m}'`);
    return cls._meta.table;
  });
  await installCacheSignalTriggers(env.cr, tables);
}
