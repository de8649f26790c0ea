/**
 * The memory budget of an import run: how far the JavaScript heap may grow above what is
 * alive before the run asks V8 for a full collection.
 *
 * What a run keeps alive is small and does not grow with the number of tickets (at most three
 * batches in memory). What drives the process's peak resident size is the garbage the batches
 * leave in the old generation (rows, mapped tickets and each statement's JSON, alive for the
 * whole write of a batch, so promoted, then dead): V8 lets the old generation grow to several
 * times what is alive before it collects, and a 100,000-ticket import reached 450–500 MB.
 * Between batches, when the heap used (with the bytes of its Buffers) exceeds what was alive
 * after the last collection by more than HEAP_HEADROOM_MB, the run collects (one full
 * collection, some tens of ms): the heap stays within that headroom whatever the number of
 * tickets, for a few collections per 100,000 tickets.
 *
 *   batch read ─▶ heap used > alive + headroom ? ─▶ full collection ─▶ alive := heap used
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/** How much the heap may grow above what is alive during an import run (MB). */
export const HEAP_HEADROOM_MB = 96;

let collector: (() => void) | null | undefined;

/** V8's full collection: `gc` when the process exposes it, else exposed at run time. */
function fullCollection(): (() => void) | null {
  if (collector !== undefined) return collector;
  try {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') collector = exposed;
    else {
      v8.setFlagsFromString('--expose-gc');
      collector = vm.runInNewContext('gc') as () => void;
    }
  } catch {
    collector = null; // the budget is then V8's own
  }
  return collector;
}

/**
 * The heap used and the bytes its objects hold outside it (Buffers: the statements' JSON is
 * written into some, sql.ts), which only a collection of their holders gives back.
 */
const heapUsed = () => {
  const stats = v8.getHeapStatistics();
  return stats.used_heap_size + stats.external_memory;
};

/** One run's budget: `check()` between batches collects when the heap went past it. */
export class MemoryBudget {
  /** What was alive after the last collection (none yet: the first check measures it). */
  private alive = 0;
  collections = 0;
  constructor(private headroom = HEAP_HEADROOM_MB * 1024 * 1024) {}

  check(): void {
    if (heapUsed() <= this.alive + this.headroom) return;
    const collect = fullCollection();
    if (!collect) return;
    collect();
    this.collections++;
    this.alive = heapUsed();
  }
}
