/**
 * How far a task's `last_sync` may move while batches commit in any order (two batches are
 * written side by side on a PostgreSQL server). The query reads `updated_at >= last_sync`
 * ordered by updated_at, so last_sync may move up to the latest imported row, but never past
 * a row that failed, nor past a row of a batch that has not committed yet: the next run reads
 * those again, and finds already imported rows unchanged.
 *
 *   batches read:      [ 1: 10:00–10:05 ] [ 2: 10:05–10:09 ] [ 3: 10:09–10:12 ]
 *   3 commits first ─▶ last_sync ≤ 10:00 (1 and 2 pending)
 *   1 commits       ─▶ last_sync ≤ 10:05 (2 pending), …, all committed ─▶ 10:12
 *
 * Times are naive UTC texts ('YYYY-MM-DD HH:MM:SS.mmm'), which order as strings.
 */
const earlier = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a < b ? a : b);
const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);

export class SyncPoint {
  /** Batches read and not committed yet → their earliest updated_at. */
  private pending = new Map<number, string | null>();
  private firstFailed: string | null = null;
  private lastDone: string | null = null;

  /** A batch was read; `earliest` is the earliest updated_at among its rows. */
  read(batch: number, earliest: string | null): void {
    this.pending.set(batch, earliest);
  }

  /** A row updated at `updated` failed: last_sync stays at or before it. */
  failed(updated: string | null): void {
    this.firstFailed = earlier(this.firstFailed, updated);
  }

  /**
   * The last_sync that `batch` may write in its own transaction, its imported rows' latest
   * updated_at being `latestDone` (null: nothing to move to).
   */
  nextFor(batch: number, latestDone: string | null): string | null {
    let next = later(this.lastDone, latestDone);
    if (next === null) return null;
    for (const [other, earliest] of this.pending) if (other !== batch) next = earlier(next, earliest);
    return earlier(next, this.firstFailed);
  }

  /** `batch` committed. A batch whose transaction failed is never committed: it stays a floor. */
  committed(batch: number, latestDone: string | null): void {
    this.pending.delete(batch);
    this.lastDone = later(this.lastDone, latestDone);
  }
}
