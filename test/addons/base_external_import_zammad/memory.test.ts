import test from 'ava';
import v8 from 'node:v8';
import { MemoryBudget } from '../../../addons/base_external_import_zammad/import/memory.ts';

const heapUsed = () => v8.getHeapStatistics().used_heap_size;

test('the memory budget collects once the heap grows past what is alive plus its headroom, and not before', (t) => {
  const budget = new MemoryBudget(8 * 1024 * 1024);
  budget.check(); // the first check measures what is alive
  t.is(budget.collections, 1);
  budget.check();
  t.is(budget.collections, 1, 'within the headroom: no collection');
  // Garbage well past the headroom (kept reachable while it is made, then dropped).
  let garbage: string[] | null = [];
  for (let i = 0; i < 200_000; i++) garbage.push(`row ${i} ${'x'.repeat(100)}`);
  const before = heapUsed();
  t.true(before > 8 * 1024 * 1024);
  garbage = null;
  budget.check();
  t.is(budget.collections, 2, 'past the headroom: one full collection');
  t.true(heapUsed() < before - 8 * 1024 * 1024, 'the garbage is gone');
  t.is(garbage, null);
});

test('Buffers count towards the budget: bytes outside the heap, given back only by a collection', (t) => {
  const budget = new MemoryBudget(8 * 1024 * 1024);
  budget.check();
  const first = budget.collections;
  // Little heap, many external bytes (as the statements' JSON written into Buffers).
  let held: Buffer[] | null = [];
  for (let i = 0; i < 40; i++) held.push(Buffer.alloc(1024 * 1024, i));
  held = null;
  budget.check();
  t.is(budget.collections, first + 1, '40 MB of Buffers past an 8 MB headroom: one full collection');
  t.is(held, null);
});
