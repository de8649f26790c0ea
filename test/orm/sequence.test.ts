/**
 * ir.sequence's two implementations (Odoo's): `standard` (a PostgreSQL sequence, no lock,
 * gaps on rollback) and `no_gap` (a row lock held to commit, no gaps), and how the
 * PostgreSQL sequence follows the record.
 */
import test from 'ava';
import type { App } from '../../core/app.ts';
import { rowsOf, SUPERUSER_ID, type Environment } from '../../core/orm/index.ts';
import { makeTestApp } from '../helpers/app.ts';

let app: App;
test.before(async () => { app = await makeTestApp({ addons: ['base'] }); });
test.after.always(async () => app?.close());

const su = <T>(fn: (env: Environment) => Promise<T>) => app.withEnv(SUPERUSER_ID, fn);
const seq = (env: Environment) => env.model('ir.sequence') as any;
let counter = 0;
async function newSequence(vals: Record<string, unknown> = {}): Promise<{ id: number; code: string }> {
  const code = `test.seq.${++counter}`;
  const id = await su(async (env) => (await seq(env).create({ name: code, code, prefix: 'S-', padding: 3, ...vals })).ids[0]);
  return { id, code };
}
const next = (code: string) => su((env) => seq(env).next_by_code(code) as Promise<string>);
const actual = (id: number) => su(async (env) => (await seq(env).browse([id]).read(['number_next_actual']))[0].number_next_actual as number);
const pgSequenceExists = (id: number) => su(async (env) => !!rowsOf(await env.cr.raw('SELECT to_regclass(?) AS r', [`ir_sequence_${String(id).padStart(3, '0')}`]))[0].r);

test('a new sequence is standard by default and backed by a PostgreSQL sequence', async (t) => {
  const { id, code } = await newSequence({ number_next: 7 });
  t.is((await su((env) => seq(env).browse([id]).read(['implementation']) as Promise<any[]>))[0].implementation, 'standard');
  t.true(await pgSequenceExists(id));
  t.is(await next(code), 'S-007');
  t.is(await next(code), 'S-008');
  t.is(await actual(id), 9, 'number_next_actual reads the position back from PostgreSQL');
});

test('standard: 40 concurrent transactions get 40 distinct numbers', async (t) => {
  const { code } = await newSequence();
  const numbers = await Promise.all(Array.from({ length: 40 }, () => next(code)));
  t.is(new Set(numbers).size, 40);
  t.deepEqual(numbers.map((n) => Number(n.slice(2))).sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 1));
});

test('no_gap: 40 concurrent transactions get 40 distinct consecutive numbers', async (t) => {
  const { code } = await newSequence({ implementation: 'no_gap' });
  const numbers = await Promise.all(Array.from({ length: 40 }, () => next(code)));
  t.deepEqual(numbers.map((n) => Number(n.slice(2))).sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 1));
});

test('standard: a rolled-back transaction leaves a gap; no_gap: it gives the number back', async (t) => {
  const standard = await newSequence();
  const noGap = await newSequence({ implementation: 'no_gap' });
  t.false(await pgSequenceExists(noGap.id), 'no_gap has no PostgreSQL sequence');
  for (const s of [standard, noGap]) {
    await t.throwsAsync(su(async (env) => {
      await seq(env).next_by_code(s.code);
      throw new Error('rollback');
    }), { message: 'rollback' });
  }
  t.is(await next(standard.code), 'S-002');
  t.is(await next(noGap.code), 'S-001');
});

test('writing number_next restarts the sequence there; a new step keeps the position', async (t) => {
  const { id, code } = await newSequence();
  await next(code);
  await su((env) => seq(env).browse([id]).write({ number_next: 50 }));
  t.is(await actual(id), 50);
  t.is(await next(code), 'S-050');
  await su((env) => seq(env).browse([id]).write({ number_increment: 10 }));
  t.is(await next(code), 'S-051');
  t.is(await next(code), 'S-061');
});

test('switching implementation keeps the numbering going on from where it was', async (t) => {
  const { id, code } = await newSequence();
  await next(code);
  await next(code);
  await su((env) => seq(env).browse([id]).write({ implementation: 'no_gap' }));
  t.false(await pgSequenceExists(id));
  t.is(await actual(id), 3);
  t.is(await next(code), 'S-003');
  await su((env) => seq(env).browse([id]).write({ implementation: 'standard' }));
  t.true(await pgSequenceExists(id));
  t.is(await next(code), 'S-004');
});

test('a standard record without its PostgreSQL sequence (an older row) gets one from number_next on first use', async (t) => {
  const code = 'test.seq.legacy';
  const id = await su(async (env) => Number(rowsOf(await env.cr.raw(
    `INSERT INTO ir_sequence (name, code, prefix, padding, number_next, number_increment, active) VALUES ('Legacy', ?, 'L-', 2, 41, 1, true) RETURNING id`, [code]))[0].id));
  t.false(await pgSequenceExists(id));
  const numbers = await Promise.all(Array.from({ length: 10 }, () => next(code)));
  t.deepEqual(numbers.sort(), Array.from({ length: 10 }, (_, i) => `L-${41 + i}`));
  t.true(await pgSequenceExists(id));
});

test('deleting a sequence drops its PostgreSQL sequence', async (t) => {
  const { id } = await newSequence();
  await su((env) => seq(env).browse([id]).unlink());
  t.false(await pgSequenceExists(id));
});

test('_reserveByCode takes a batch of distinct numbers in either implementation', async (t) => {
  for (const implementation of ['standard', 'no_gap']) {
    const { code } = await newSequence({ implementation, number_next: 5 });
    const batch = await su((env) => seq(env)._reserveByCode(code, 4) as Promise<string[]>);
    t.deepEqual(batch, ['S-005', 'S-006', 'S-007', 'S-008'], implementation);
    t.is(await next(code), 'S-009');
    t.deepEqual(await su((env) => seq(env)._reserveByCode('test.seq.none', 3)), []);
  }
});

// PGlite serves one connection (transactions queue); only a server can show two at once.
if (process.env.ERP_DB_URL) {
  test('standard: a transaction holding a number does not make another one wait', async (t) => {
    const { code } = await newSequence();
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let first = '';
    const slow = su(async (env) => {
      first = await seq(env).next_by_code(code);
      await held;
    });
    while (!first) await new Promise((r) => setTimeout(r, 5));
    const second = await Promise.race([next(code), new Promise<string>((r) => setTimeout(() => r('blocked'), 3000))]);
    release();
    await slow;
    t.is(first, 'S-001');
    t.is(second, 'S-002');
  });
}
