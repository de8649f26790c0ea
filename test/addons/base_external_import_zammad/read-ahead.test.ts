/** readAhead (import/run.ts): the next batch is read from Zammad while the caller works on this one. */
import test from 'ava';
import { readAhead } from '../../../addons/base_external_import_zammad/import/run.ts';

test('items come in order, the next one made while the caller works on this one', async (t) => {
  const made: number[] = [];
  async function* source() {
    for (let i = 1; i <= 3; i++) {
      made.push(i);
      yield i;
    }
  }
  const seen: Array<[number, number[]]> = [];
  for await (const item of readAhead(source())) {
    await new Promise((r) => setTimeout(r, 5));
    seen.push([item, [...made]]);
  }
  t.deepEqual(seen.map(([i]) => i), [1, 2, 3]);
  t.deepEqual(seen[0][1], [1, 2], 'item 2 was made while the caller held item 1');
});

test('leaving early closes the source (its cursor); a failure surfaces when its item is asked for', async (t) => {
  let closed = false;
  async function* source() {
    try {
      yield 1;
      yield 2;
      yield 3;
    } finally {
      closed = true;
    }
  }
  for await (const item of readAhead(source())) if (item === 1) break;
  t.true(closed);

  async function* failing() {
    yield 1;
    throw new Error('Zammad went away');
  }
  const got: number[] = [];
  await t.throwsAsync(async () => {
    for await (const item of readAhead(failing())) {
      await new Promise((r) => setTimeout(r, 5)); // the failure happens meanwhile: not unhandled
      got.push(item);
    }
  }, { message: 'Zammad went away' });
  t.deepEqual(got, [1]);
});
