import test from 'ava';
import fc from 'fast-check';
import type { App } from '../../core/app.ts';
import { statementRows, statementName } from '../../core/db/index.ts';
import { exactStatement, resetExactStatements } from '../../core/db/exact-statements.ts';
import { rowsOf } from '../../core/orm/index.ts';
import { makeTestApp } from '../helpers/app.ts';

/**
 * Statements planned once for the values they repeat with (core/db/exact-statements.ts): the
 * values are written into the text as literals, so the escaping must give back every value
 * as it was, and a slot name reused for another text must never run the old one.
 */
let app: App;
const ADMIN = 2;
const onServer = !!process.env.ERP_DB_URL;

test.before(async () => {
  app = await makeTestApp({ addons: ['test_orm'], fixtures: true, config: { db_maxconn_readonly: 1 } });
});
test.after.always(async () => { await app?.close(); });
test.afterEach.always(() => resetExactStatements());

test.serial('a text with the same values gets a slot the second time, with the values as literals', (t) => {
  resetExactStatements();
  const sql = 'SELECT id FROM t WHERE a = ? AND b IN (?, ?) AND c = ?';
  const values = ["O'Brien", 'back\\slash', null, '?$1'];
  t.is(exactStatement('erp_1', sql, values), undefined, 'first time: parameters');
  const exact = exactStatement('erp_1', sql, values);
  t.truthy(exact);
  t.regex(exact!.name, /^erp_x_\d+$/);
  t.is(exact!.text, "SELECT id FROM t WHERE a = 'O''Brien' AND b IN (E'back\\\\slash', NULL) AND c = '?$1'");
  t.is(exactStatement('erp_1', sql, values), exact, 'kept');
  t.is(exactStatement('erp_1', sql, ['x', 'y', 'z', 'w']), undefined, 'other values: new pair');
});

test.serial('long, binary and NUL values keep the parameter path', (t) => {
  resetExactStatements();
  for (const value of ['x'.repeat(201), Buffer.from('abc'), 'a\0b']) {
    exactStatement('erp_1', 'SELECT ?', [value]);
    t.is(exactStatement('erp_1', 'SELECT ?', [value]), undefined);
  }
  t.is(exactStatement('erp_1', 'SELECT 1', []), undefined, 'nothing to plan for: no values');
});

test.serial('the least recently used pair gives its slot name to a new one', (t) => {
  resetExactStatements(2);
  const hot = (v: string) => { exactStatement('erp_1', 'SELECT ?', [v]); return exactStatement('erp_1', 'SELECT ?', [v])!; };
  const a = hot('a');
  const b = hot('b');
  t.not(a.name, b.name);
  t.is(exactStatement('erp_1', 'SELECT ?', ['a']), a, 'a used again: b is now the oldest');
  const c = hot('c');
  t.is(c.name, b.name, 'c took the name of b');
  exactStatement('erp_1', 'SELECT ?', ['b']);
  t.is(exactStatement('erp_1', 'SELECT ?', ['b'])!.name, a.name, 'b back: it takes the name of a, now the oldest');
});

test.serial('values come back as they were through the literal path (fuzzed)', async (t) => {
  if (!onServer) { t.pass('embedded PGlite runs every query through knex'); return; }
  const pool = app.db.readonly!;
  const sql = 'SELECT ?::text AS v, ?::text AS w';
  const name = statementName(sql) ?? statementName(sql)!;
  await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => !s.includes('\0')), fc.constantFrom("'", '\\', "\\'", "''", 'E\'', '$1', '?'), async (s, tricky) => {
    const values = [s, `${tricky}${s}${tricky}`];
    for (let i = 0; i < 3; i++) {
      const rows = await statementRows(pool, sql, values, name, { exact: true });
      if (rows[0].v !== values[0] || rows[0].w !== values[1]) throw new Error(`run ${i}: ${JSON.stringify(rows[0])} for ${JSON.stringify(values)}`);
    }
  }), { numRuns: 150 });
  const slots = rowsOf(await pool.raw(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'erp_x_%'`));
  t.true(slots[0].n > 0, 'the repeated values ran as exact-value statements');
});

test.serial('a search repeated with the same values is planned once, and a reused slot runs its new text', async (t) => {
  await app.withEnv(ADMIN, async (env) => {
    await env.model('test.orm.item').create([{ name: 'exact a', state: 'draft' }, { name: "exact b'quote", state: 'done' }, { name: 'exact c', state: 'done' }]);
  });
  const names = (state: string) => app.withEnv(ADMIN, async (env) => (await env.model('test.orm.item').search_read([['name', '=like', 'exact%'], ['state', '=', state]], ['name'], 0, 10, 'name')).map((r) => r.name), {}, { readonly: true });
  resetExactStatements(1);
  // One slot for two alternating value sets: each run reuses the slot for the other text.
  for (let i = 0; i < 4; i++) {
    t.deepEqual(await names('draft'), ['exact a']);
    t.deepEqual(await names('done'), ["exact b'quote", 'exact c']);
  }
  resetExactStatements();
  for (let i = 0; i < 5; i++) t.deepEqual(await names('done'), ["exact b'quote", 'exact c']);
  // Writes are seen: plans are kept, results are not.
  await app.withEnv(ADMIN, async (env) => { await (await env.model('test.orm.item').search([['name', '=', 'exact a']])).write({ state: 'done' }); });
  t.deepEqual(await names('done'), ['exact a', "exact b'quote", 'exact c']);
  if (!onServer) { t.pass('embedded PGlite has no prepared statements'); return; }
  const plans = rowsOf(await app.db.readonly!.raw(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'erp_x_%' AND statement LIKE '%"state" = ''done''%'`));
  t.is(plans.length, 1, JSON.stringify(plans));
  t.is(plans[0].custom_plans, 0);
  t.true(plans[0].generic_plans >= 4, `planned once, run ${plans[0].generic_plans} times`);
});
