/**
 * Progress of long server calls, for the web client's progress bar (`/web/progress`).
 *
 *   client ── call_kw(..., context: {progress_key: K}) ──▶ method ── reportProgress(env, done, total, msg)
 *   client ── /web/progress {key: K} (every 500 ms) ──▶ readProgress(K) ──▶ {done, total, message, finished}
 *
 * A report must be visible while the reporting call's transaction is still open, so it is
 * never written through `env.cr`:
 *  - PostgreSQL server: written to `ir_progress` through the pool (its own connection,
 *    committed at once), so any worker can answer the poll;
 *  - embedded PGlite (one connection, one process): kept in this process's memory.
 * The HTTP server picks the store per registry (`setProgressStore`); without a server
 * (scripts, tests) reports go to memory. Writes are rate-limited per key.
 */
import type { Knex } from 'knex';
import type { Environment } from '../orm/environment.ts';
import type { Registry } from '../orm/registry.ts';
import { formatDatetime } from '../orm/fields/index.ts';

export interface ProgressState {
  done: number;
  total: number;
  message: string;
  finished: boolean;
}

export interface ProgressStore {
  write(key: string, uid: number, state: ProgressState): Promise<void>;
  /** The state of `key` if it belongs to `uid`. */
  read(key: string, uid: number): Promise<ProgressState | null>;
}

export function memoryProgressStore(): ProgressStore {
  const map = new Map<string, { uid: number; state: ProgressState; at: number }>();
  return {
    async write(key, uid, state) {
      map.set(key, { uid, state, at: Date.now() });
      if (map.size > 1000) for (const [k, v] of map) if (Date.now() - v.at > 3600_000) map.delete(k);
    },
    async read(key, uid) {
      const e = map.get(key);
      return e && e.uid === uid ? { ...e.state } : null;
    },
  };
}

export function dbProgressStore(knex: Knex): ProgressStore {
  let lastGc = 0;
  return {
    async write(key, uid, state) {
      const now = formatDatetime(new Date());
      await knex.raw(
        `INSERT INTO ir_progress (key, user_id, done, total, message, finished, create_date, write_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET done = EXCLUDED.done, total = EXCLUDED.total, message = EXCLUDED.message, finished = EXCLUDED.finished, write_date = EXCLUDED.write_date
         WHERE ir_progress.user_id = EXCLUDED.user_id`,
        [key, uid, state.done, state.total, state.message, state.finished, now, now]);
      if (Date.now() - lastGc > 600_000) {
        lastGc = Date.now();
        await knex('ir_progress').where('write_date', '<', formatDatetime(new Date(Date.now() - 24 * 3600_000))).delete();
      }
    },
    async read(key, uid) {
      const row = await knex('ir_progress').where({ key, user_id: uid }).first('done', 'total', 'message', 'finished');
      return row ? { done: Number(row.done), total: Number(row.total), message: row.message ?? '', finished: !!row.finished } : null;
    },
  };
}

const stores = new WeakMap<Registry, ProgressStore>();
const fallback = memoryProgressStore();
const lastWrite = new Map<string, number>();
const MIN_INTERVAL_MS = 200;

/** Sets where the progress of calls served with `registry` is kept. */
export function setProgressStore(registry: Registry, store: ProgressStore): void {
  stores.set(registry, store);
}
function storeOf(registry: Registry): ProgressStore {
  return stores.get(registry) ?? fallback;
}

function validKey(key: unknown): key is string {
  return typeof key === 'string' && key.length > 0 && key.length <= 100;
}

/**
 * Reports the progress of the current call when the caller passed `context.progress_key`;
 * does nothing otherwise. Cheap to call per row: writes at most every 200 ms per key.
 */
export async function reportProgress(env: Environment, done: number, total: number, message = ''): Promise<void> {
  const key = env.context.progress_key;
  if (!validKey(key)) return;
  const now = Date.now();
  const last = lastWrite.get(key) ?? 0;
  if (now - last < MIN_INTERVAL_MS && done < total) return;
  lastWrite.set(key, now);
  if (lastWrite.size > 1000) for (const [k, t] of lastWrite) if (now - t > 600_000) lastWrite.delete(k);
  await storeOf(env.registry).write(key, env.uid, { done: Math.max(0, Math.trunc(done)), total: Math.max(0, Math.trunc(total)), message: String(message).slice(0, 500), finished: false });
}

/** Marks the call of `key` finished (the HTTP layer does it when the call returns or fails). */
export async function finishProgress(registry: Registry, key: unknown, uid: number): Promise<void> {
  if (!validKey(key)) return;
  lastWrite.delete(key);
  const store = storeOf(registry);
  const state = (await store.read(key, uid)) ?? { done: 0, total: 0, message: '', finished: false };
  await store.write(key, uid, { ...state, finished: true });
}

/** What `/web/progress` answers; an unknown key (not started yet) reads as nothing done. */
export async function readProgress(registry: Registry, key: unknown, uid: number): Promise<ProgressState> {
  if (!validKey(key)) return { done: 0, total: 0, message: '', finished: false };
  return (await storeOf(registry).read(key, uid)) ?? { done: 0, total: 0, message: '', finished: false };
}
