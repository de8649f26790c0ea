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
 *
 * Besides whole values under a key (`get`), it keeps display names per table (`names`): the
 * names of the many2ones a list shows, filled id by id as records appear in lists.
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

/** Display names of one table's records (one name expression), filled as records are shown. */
interface NameMap { names: Map<number, unknown>; epoch: number; table: string }

/** More distinct keys than this (aliases asked by name, say) drops the oldest entries. */
const MAX_ENTRIES = 20_000;
/** More names than this in one table's map starts it again (a list shows a few hundred). */
const MAX_NAMES = 100_000;

export class SharedCache {
  private signals: Signals | null = null;
  private knex: Knex | null = null;
  private readonly entries = new Map<string, Entry>();
  private readonly nameMaps = new Map<string, NameMap>();
  /** Per table, bumped at every invalidation: a fill that saw it move is not kept. */
  private readonly generations = new Map<string, number>();
  /** The tables carrying the trigger, as read under `signalledEpoch`. */
  private signalled = new Set<string>();
  private signalledEpoch = -1;
  private refreshing = false;
  /** Lookups served from the cache and filled into it (tests and benches read them). */
  readonly stats = { hits: 0, fills: 0, bypasses: 0, nameHits: 0, nameFills: 0 };

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
    this.nameMaps.clear();
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

  /**
   * The names of `ids` in `table` (`key`: the table and its name expression), from the names
   * kept earlier, reading only the missing ones with `fill`; what `fill` read is kept under
   * the same rules as `get` (listening, same epoch, no signal of the table meanwhile). A
   * many2one's names in a list are the same few hundred records request after request.
   * The map returned may be the cache's own: callers must not change it.
   */
  async names(table: string, key: string, ids: readonly number[], fill: (missing: number[]) => PromiseLike<Iterable<[number, unknown]>>): Promise<ReadonlyMap<number, unknown>> {
    if (!this.usable([table])) {
      this.stats.bypasses++;
      return new Map(await fill([...ids]));
    }
    const epoch = this.signals!.epoch;
    let kept = this.nameMaps.get(key);
    if (kept && kept.epoch !== epoch) kept = undefined;
    const missing = kept ? ids.filter((id) => !kept!.names.has(id)) : [...ids];
    if (!missing.length) {
      this.stats.nameHits++;
      return kept!.names;
    }
    const before = this.generations.get(table) ?? 0;
    const read = await fill([...new Set(missing)]);
    const result = new Map<number, unknown>();
    if (kept) for (const id of ids) if (kept.names.has(id)) result.set(id, kept.names.get(id));
    for (const [id, name] of read) result.set(id, name);
    if ((this.generations.get(table) ?? 0) === before && this.signals?.live && this.signals.epoch === epoch) {
      let map = this.nameMaps.get(key);
      if (!map || map.epoch !== epoch || map.names.size >= MAX_NAMES) this.nameMaps.set(key, (map = { names: new Map(), epoch, table }));
      for (const [id, name] of read) map.names.set(id, name);
      this.stats.nameFills++;
    }
    return result;
  }

  /** Drops what was read from `tables` (a notification, or a write made by this process). */
  invalidate(tables: readonly string[]): void {
    const watched = tables.filter((t) => this.signalled.has(t) || this.generations.has(t));
    if (!watched.length) return;
    for (const t of watched) this.generations.set(t, (this.generations.get(t) ?? 0) + 1);
    for (const [key, entry] of this.entries) if (entry.tables.some((t) => watched.includes(t))) this.entries.delete(key);
    for (const [key, map] of this.nameMaps) if (watched.includes(map.table)) this.nameMaps.delete(key);
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
