/**
 * Drivers that push rows as events (mysql2's `result`, mssql's `row`) turned into the async
 * stream of batches `ConnectorPool.stream` yields, with back-pressure: the source is paused
 * once `highWater` rows wait and resumed when the consumer takes a batch, so memory stays
 * bounded by about two batches whatever the result's size.
 *
 *   driver ──row()──▶ [waiting rows] ──batches()──▶ consumer
 *            ◀─pause() at highWater      resume() when a batch is taken or more are needed
 */
import type { QueryResult } from './connector.ts';

export interface RowBatchesOptions {
  batchSize: number;
  /** Rows waiting before the source is paused (at least `batchSize`). */
  highWater: number;
  pause(): void;
  resume(): void;
  /** Wraps each wait for more rows (e.g. a per-batch timeout); by default waits as is. */
  waitFor?: (more: Promise<void>) => Promise<void>;
}

export class RowBatches {
  cols: string[] = [];
  /** True once the driver said the result ended. */
  ended = false;
  private waiting: unknown[][] = [];
  private failure: unknown;
  private wake: (() => void) | undefined;

  constructor(private readonly opts: RowBatchesOptions) {}

  /** The driver's handlers: call these from its events. */
  row(row: unknown[]): void {
    this.waiting.push(row);
    if (this.waiting.length === this.opts.batchSize) this.signal();
    if (this.waiting.length >= this.opts.highWater) this.opts.pause();
  }

  fail(error: unknown): void {
    this.failure ??= error;
    this.signal();
  }

  end(): void {
    this.ended = true;
    this.signal();
  }

  /** Full batches as they fill, then the rest; the driver's error is thrown where it occurs. */
  async *batches(): AsyncGenerator<QueryResult> {
    const { batchSize } = this.opts;
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.waiting.length >= batchSize || (this.ended && this.waiting.length)) {
        const rows = this.waiting.splice(0, batchSize);
        // More rows come in while the consumer works on this batch.
        if (!this.ended) this.opts.resume();
        yield { cols: this.cols, rows };
        continue;
      }
      if (this.ended) return;
      this.opts.resume(); // may deliver buffered rows at once, filling the batch again
      if (this.failure || this.ended || this.waiting.length >= batchSize) continue;
      const more = new Promise<void>((resolve) => { this.wake = resolve; });
      await (this.opts.waitFor ? this.opts.waitFor(more) : more);
    }
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
