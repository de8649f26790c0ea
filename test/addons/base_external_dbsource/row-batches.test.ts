/**
 * The batching both event-driven connectors share (MySQL/MariaDB and SQL Server): batches of
 * the asked size in order, the source paused at the high-water mark and resumed as batches
 * are taken, the driver's error thrown to the consumer. SQL Server has no server on this
 * machine: this is where its streaming logic is exercised.
 */
import test from 'ava';
import { RowBatches } from '../../../addons/base_external_dbsource/connectors/row-batches.ts';

/** A fake driver that emits `total` rows while not paused, a few per tick, like a socket. */
function fakeSource(total: number, opts: { batchSize: number; highWater: number; failAt?: number }) {
  let paused = false;
  let sent = 0;
  let maxWaiting = 0;
  let taken = 0;
  const rows: RowBatches = new RowBatches({
    batchSize: opts.batchSize, highWater: opts.highWater,
    pause: () => { paused = true; },
    resume: () => { if (paused) { paused = false; setImmediate(pump); } },
  });
  rows.cols = ['n'];
  function pump(): void {
    for (let i = 0; i < 7 && !paused && sent < total; i++) {
      if (opts.failAt !== undefined && sent === opts.failAt) { rows.fail(new Error('connection reset')); return; }
      rows.row([sent++]);
      maxWaiting = Math.max(maxWaiting, sent - taken);
    }
    if (sent >= total) rows.end();
    else if (!paused) setImmediate(pump);
  }
  setImmediate(pump);
  return { rows, stats: () => ({ maxWaiting }), take: (n: number) => { taken += n; } };
}

test('rows come in batches of the asked size, in order, the last one short', async (t) => {
  const src = fakeSource(1000, { batchSize: 64, highWater: 128 });
  const sizes: number[] = [];
  const seen: number[] = [];
  for await (const batch of src.rows.batches()) {
    t.deepEqual(batch.cols, ['n']);
    sizes.push(batch.rows.length);
    seen.push(...batch.rows.map((r) => r[0] as number));
    src.take(batch.rows.length);
  }
  t.deepEqual(sizes, [...Array(15).fill(64), 1000 - 15 * 64]);
  t.deepEqual(seen, Array.from({ length: 1000 }, (_, i) => i));
});

test('a slow consumer pauses the source: rows waiting stay bounded by the high-water mark', async (t) => {
  for (const [batchSize, highWater] of [[50, 50], [50, 100]]) {
    const src = fakeSource(2000, { batchSize, highWater });
    let count = 0;
    for await (const batch of src.rows.batches()) {
      count += batch.rows.length;
      src.take(batch.rows.length);
      await new Promise((r) => setTimeout(r, 2));
    }
    t.is(count, 2000);
    // A tick may deliver a few rows past the mark before the pause takes effect.
    t.true(src.stats().maxWaiting <= highWater + batchSize + 7, `waited ${src.stats().maxWaiting} rows`);
  }
});

test('the driver\'s error reaches the consumer after the rows before it', async (t) => {
  const src = fakeSource(500, { batchSize: 40, highWater: 80, failAt: 130 });
  let count = 0;
  const error = await t.throwsAsync(async () => {
    for await (const batch of src.rows.batches()) count += batch.rows.length;
  });
  t.is(error?.message, 'connection reset');
  t.true(count <= 130 && count >= 80, `got ${count} rows before the error`);
});

test('an empty result ends at once with no batch', async (t) => {
  const rows = new RowBatches({ batchSize: 10, highWater: 10, pause: () => undefined, resume: () => undefined });
  setImmediate(() => rows.end());
  const batches = [];
  for await (const b of rows.batches()) batches.push(b);
  t.deepEqual(batches, []);
  t.true(rows.ended);
});
