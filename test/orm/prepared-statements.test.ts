import test from 'ava';
import type { App } from '../../core/app.ts';
import { nameBuilderStatements, onPostgresServer, readonlyPoolSize, statementName } from '../../core/db/index.ts';
import { rowsOf } from '../../core/orm/index.ts';
import { makeTestApp } from '../helpers/app.ts';

/**
 * On a PostgreSQL server the ORM's searches run as named (prepared) statements once their
 * text repeats (core/db/statements.ts); for that the same search must always give the same
 * SQL text. The read-only pool has one connection here, so its prepared statements can be
 * listed from pg_prepared_statements.
 */
let app: App;
const ADMIN = 2;
const onServer = !!process.env.ERP_DB_URL;

test.before(async () => {
  app = await makeTestApp({ addons: ['test_orm'], fixtures: true, config: { db_maxconn_readonly: 1 } });
  await app.withEnv(ADMIN, async (env) => {
    const [alpha, beta] = (await env.model('res.partner').create([{ name: 'Alpha prepared' }, { name: 'Beta prepared' }])).ids;
    await env.model('test.orm.item').create([
      { name: 'p1', state: 'draft', partner_id: alpha }, { name: 'p2', state: 'done', partner_id: alpha },
      { name: 'p3', state: 'draft', partner_id: beta }, { name: 'p4', state: 'draft' },
    ]);
  });
});
test.after.always(async () => { await app?.close(); });

test('a statement text gets a name the second time it is seen, and keeps it', (t) => {
  const sql = `SELECT ${Math.random()} AS unique_text`;
  t.is(statementName(sql), undefined);
  const name = statementName(sql);
  t.regex(name ?? '', /^erp_\d+$/);
  t.is(statementName(sql), name);
  const other = `SELECT ${Math.random()} AS other_text`;
  statementName(other);
  t.not(statementName(other), name);
});

test('the read-only pool is sized from the cores shared among the workers', (t) => {
  t.true(readonlyPoolSize(1) >= 2);
  t.true(readonlyPoolSize(1) >= readonlyPoolSize(2));
  t.is(readonlyPoolSize(10_000), 2, 'never fewer than 2');
});

test.serial('the same search gives the same SQL text, sub-queries and LIMIT included', async (t) => {
  const seen: string[] = [];
  const listen = (q: { sql: string }) => { if (/FROM "test_orm_item" t0/.test(q.sql)) seen.push(q.sql); };
  app.db.knex.on('query', listen);
  try {
    for (let i = 0; i < 3; i++) {
      await app.withEnv(ADMIN, (env) => env.model('test.orm.item').search_read([['partner_id.name', 'ilike', 'prepared'], ['state', '=', 'draft']], ['name'], 0, 5, 'name'));
    }
  } finally {
    app.db.knex.removeListener('query', listen);
  }
  t.is(seen.length, 3);
  t.is(new Set(seen).size, 1, `three different texts:\n${seen.join('\n')}`);
  t.regex(seen[0], /SELECT t1\.id FROM "res_partner" t1/, 'sub-query aliases are numbered within the query');
  t.regex(seen[0], /LIMIT 5$/, 'the limit is a literal');
});

test.serial('a repeated search runs as a prepared statement on a server, with fresh results each time', async (t) => {
  const search = () => app.withEnv(ADMIN, async (env) => (await env.model('test.orm.item').search_read([['state', '=', 'draft'], ['partner_id', '!=', false]], ['name', 'partner_id'], 0, 80, 'name')).map((r) => `${r.name}/${(r.partner_id as [number, string])[1]}`), {}, { readonly: true });
  const runs = [await search(), await search(), await search()];
  t.deepEqual(runs[0], ['p1/Alpha prepared', 'p3/Beta prepared']);
  t.deepEqual(runs[2], runs[0]);
  // A change is seen by the next run of the same statement (plans are cached, data is not).
  await app.withEnv(ADMIN, async (env) => { await (await env.model('test.orm.item').search([['name', '=', 'p2']])).write({ state: 'draft' }); });
  t.deepEqual(await search(), ['p1/Alpha prepared', 'p2/Alpha prepared', 'p3/Beta prepared']);

  const pool = app.db.readonly ?? app.db.knex;
  const prepared = rowsOf(await pool.raw(`SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE '%FROM "test_orm_item" t0%' ORDER BY name`));
  if (onServer) {
    // The text with parameters, and the same text planned for the values it repeated with
    // (core/db/exact-statements.ts).
    t.is(prepared.length, 2, JSON.stringify(prepared));
    t.regex(prepared[0].name, /^erp_\d+$/);
    t.regex(prepared[0].statement, /"state" = \$1 .*LIMIT 80$/s);
    t.regex(prepared[1].name, /^erp_x_\d+$/);
    t.regex(prepared[1].statement, /"state" = 'draft' .*LIMIT 80$/s);
  } else {
    t.is(prepared.length, 0, 'embedded PGlite runs every query unnamed');
  }
});

test.serial('query-builder statements are named only in transactions that ask for it (nameBuilderStatements)', async (t) => {
  const preparedIn = (trx: any, marker: string) => trx.raw(`SELECT statement FROM pg_prepared_statements WHERE statement LIKE ?`, [`%${marker}%`]).then(rowsOf);
  const run = (marked: boolean, marker: string) => app.db.knex.transaction(async (trx) => {
    if (marked) nameBuilderStatements(trx);
    // The marker is a column alias: part of the statement's text.
    for (let i = 0; i < 3; i++) t.is((await trx('test_orm_item').where({ name: `p${i + 1}` }).select({ [marker]: 'name' })).length, 1);
    return preparedIn(trx, marker);
  });
  t.deepEqual(await run(false, 'unmarked_builder'), [], 'not asked: unnamed');
  const marked = await run(true, 'marked_builder');
  if (onServer) t.is(marked.length, 1, 'asked, on a server: prepared once the text repeats');
  else t.deepEqual(marked, [], 'embedded PGlite runs every query unnamed');
});

test('code that works differently on a server (side-by-side transactions) recognises it, inside transactions too', async (t) => {
  t.is(onPostgresServer(app.db.knex), onServer);
  t.is(await app.withEnv(ADMIN, async (env) => onPostgresServer(env.cr)), onServer);
  if (app.db.readonly) t.is(onPostgresServer(app.db.readonly), onServer);
});
