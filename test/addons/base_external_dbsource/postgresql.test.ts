/**
 * base_external_dbsource against the real PostgreSQL server: a database created (and dropped)
 * by this file. The process runs in a time zone far from UTC, so reading `timestamp without
 * time zone` as UTC is checked for real.
 */
process.env.TZ = 'America/Los_Angeles';
import test from 'ava';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { App } from '../../../core/app.ts';
import type { Environment } from '../../../core/orm/index.ts';
import { closeAllPools, configureSecret, executeQuery, ExternalDatabaseError, streamQuery } from '../../../addons/base_external_dbsource/index.ts';
import { makeTestApp } from '../../helpers/app.ts';
import { createPgDatabase, refusedPort, tempDir, type ExternalPg } from './helpers.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const PASSWORD = 'Pg-Secret-Value-42';
let app: App;
let ext: ExternalPg;
let keyDir: ReturnType<typeof tempDir>;
let sourceId: number;
const stderr: string[] = [];
const write = process.stderr.write.bind(process.stderr);

test.before(async () => {
  (process.stderr as any).write = (chunk: unknown, ...rest: unknown[]) => { stderr.push(String(chunk)); return (write as any)(chunk, ...rest); };
  app = await makeTestApp({ addons: ['base_external_dbsource'] });
  keyDir = tempDir('dbsource-key');
  configureSecret(app.registry, { secretKey: '', dataDir: keyDir.dir });
  ext = await createPgDatabase([
    'CREATE TABLE person (id serial PRIMARY KEY, name text, born timestamp, photo bytea, tags int[], amount numeric(12,2), big bigint, day date)',
    "INSERT INTO person (name, born, photo, tags, amount, big, day) VALUES ('José Ñúñez', '2024-01-15 10:30:00.250', '\\x00ff10', '{1,2,3}', 1234.50, 9007199254740993, '2024-02-29'), ('O''Brien \"Bob\"', NULL, NULL, '{}', 0.10, 7, NULL)",
  ]);
  sourceId = await asAdmin(async (env) => (await env.model('base.external.dbsource').create({
    name: 'Zammad PG', connector: 'postgresql', conn_string: `host=${ext.host} port=${ext.port} dbname=${ext.name} user=postgres password=%s`, password: PASSWORD, timeout: 5,
  })).ids[0]);
});

test.after.always(async () => {
  (process.stderr as any).write = write;
  await closeAllPools();
  await ext?.drop();
  await app?.close();
  keyDir?.remove();
});

const asAdmin = <T>(fn: (env: Environment) => Promise<T>): Promise<T> => app.withEnv(2, fn);
const source = (env: Environment, id = sourceId) => env.model('base.external.dbsource').browse(id) as any;

async function newSource(vals: Record<string, unknown>): Promise<number> {
  return asAdmin(async (env) => (await env.model('base.external.dbsource').create({ name: 'tmp', connector: 'postgresql', timeout: 5, ...vals })).ids[0]);
}

test.serial('Test Connection answers a success notification', async (t) => {
  const action = await asAdmin((env) => source(env).connection_test());
  t.deepEqual(action, { type: 'ir.actions.client', tag: 'display_notification', params: { type: 'success', title: 'Connection Test Succeeded!', message: 'Everything seems properly set up!', sticky: false } });
});

test.serial('the password is write-only and stored encrypted', async (t) => {
  await asAdmin(async (env) => {
    const rec = source(env);
    const [all] = await rec.read();
    t.is(all.password, false);
    t.true(all.password_set);
    const [listed] = await env.model('base.external.dbsource').search_read([['id', '=', sourceId]], []);
    t.is(listed.password, false);
    t.is((await env.model('base.external.dbsource').search_read([['id', '=', sourceId]], ['password']))[0].password, false);
    t.false('password_encrypted' in (await env.model('base.external.dbsource').fields_get()));
    const raw = await env.cr('base_external_dbsource').where({ id: sourceId }).first();
    t.is(raw.password, null);
    t.regex(raw.password_encrypted, /^v1:/);
    t.false(JSON.stringify(raw).includes(PASSWORD));
    const grouped = await env.model('base.external.dbsource').read_group([], ['connector'], ['connector']);
    t.false(JSON.stringify(grouped).includes(PASSWORD));
  });
});

test.serial('execute with metadata: columns, accents, quotes, bytea, arrays, numeric strings, UTC timestamps', async (t) => {
  const res: any = await asAdmin((env) => source(env).execute('SELECT name, born, photo, tags, amount, big, day FROM person ORDER BY id', null, true));
  t.deepEqual(res.cols, ['name', 'born', 'photo', 'tags', 'amount', 'big', 'day']);
  const [jose, bob] = res.rows;
  t.is(jose[0], 'José Ñúñez');
  t.is(jose[1].toISOString(), '2024-01-15T10:30:00.250Z');
  t.deepEqual(jose[2], Buffer.from([0, 255, 16]));
  t.deepEqual(jose[3], [1, 2, 3]);
  t.is(jose[4], '1234.50');
  t.is(jose[5], '9007199254740993', 'a bigint beyond 2^53 stays exact, as a string');
  t.is(jose[6], '2024-02-29');
  t.deepEqual(bob, ['O\'Brien "Bob"', null, null, [], '0.10', 7, null]);
  const rowsOnly = await asAdmin((env) => source(env).execute('SELECT 1 AS one'));
  t.deepEqual(rowsOnly, [[1]]);
});

test.serial('both placeholder styles, values with quotes, a list bound to = ANY(%s)', async (t) => {
  const quoted = "O'Brien \"Bob\"";
  const byList = await asAdmin((env) => executeQuery(env, sourceId, 'SELECT id FROM person WHERE name = %s OR name = %s ORDER BY id', ['José Ñúñez', quoted]));
  t.deepEqual(byList.rows, [[1], [2]]);
  const byName = await asAdmin((env) => executeQuery(env, sourceId, 'SELECT name FROM person WHERE name = %(n)s AND id > %(min)s', { n: quoted, min: 0 }));
  t.deepEqual(byName.rows, [[quoted]]);
  const any = await asAdmin((env) => executeQuery(env, sourceId, 'SELECT id FROM person WHERE id = ANY(%s) ORDER BY id', [[2, 5]]));
  t.deepEqual(any.rows, [[2]]);
  const injection = await asAdmin((env) => executeQuery(env, sourceId, 'SELECT count(*)::int FROM person WHERE name = %s', ["x' OR '1'='1"]));
  t.deepEqual(injection.rows, [[0]]);
  const since = await asAdmin((env) => executeQuery(env, sourceId, 'SELECT id FROM person WHERE born > %(last_sync)s', { last_sync: new Date('2024-01-15T10:00:00Z') }));
  t.deepEqual(since.rows, [[1]], 'a Date parameter compares in UTC against timestamp without time zone');
});

test.serial('a syntax error is an ExternalDatabaseError with the driver message', async (t) => {
  const e = await t.throwsAsync(asAdmin((env) => executeQuery(env, sourceId, 'SELEC 1')));
  t.true(e instanceof ExternalDatabaseError);
  t.is(e!.message, 'PostgreSQL: syntax error at or near "SELEC"');
});

test.serial('the source itself refuses writes: the transaction is read-only', async (t) => {
  for (const sql of ["INSERT INTO person (name) VALUES ('x')", 'DROP TABLE person', "SET default_transaction_read_only = off"]) {
    await t.throwsAsync(asAdmin((env) => executeQuery(env, sourceId, `${sql}`).then(() => executeQuery(env, sourceId, "UPDATE person SET name = 'y'"))), { message: /read-only transaction/ });
  }
  t.is((await ext.admin('SELECT count(*)::int AS n FROM person')).rows[0].n, 2);
});

test.serial('a query longer than the timeout is cancelled by the server', async (t) => {
  const id = await newSource({ conn_string: `postgres://postgres:%s@${ext.host}:${ext.port}/${ext.name}`, password: PASSWORD, timeout: 1 });
  const started = Date.now();
  await t.throwsAsync(asAdmin((env) => executeQuery(env, id, 'SELECT pg_sleep(5)')), { message: 'PostgreSQL: canceling statement due to statement timeout' });
  t.true(Date.now() - started < 4000);
});

test.serial('connection failures come back as danger notifications with the driver message', async (t) => {
  const port = await refusedPort();
  const refused = await newSource({ conn_string: `host=127.0.0.1 port=${port} dbname=x user=postgres password=%s`, password: PASSWORD });
  const unknownDb = await newSource({ conn_string: `host=${ext.host} port=${ext.port} dbname=${ext.name}_nope user=postgres password=%s`, password: PASSWORD });
  const a: any = await asAdmin((env) => source(env, refused).connection_test());
  t.like(a, { type: 'ir.actions.client', tag: 'display_notification', params: { type: 'danger', sticky: true } });
  t.is(a.params.message, `PostgreSQL: connect ECONNREFUSED 127.0.0.1:${port}`);
  const b: any = await asAdmin((env) => source(env, unknownDb).connection_test());
  t.is(b.params.message, `PostgreSQL: database "${ext.name}_nope" does not exist`);
  t.regex(b.params.title, /^Connection Test Failed!/);
  for (const n of [a, b]) t.false(JSON.stringify(n).includes(PASSWORD));
});

test.serial('bad settings are refused before they are stored', async (t) => {
  await t.throwsAsync(newSource({ conn_string: 'host=a flavour=b' }), { message: /Unknown key 'flavour' in the PostgreSQL connection string/ });
  await t.throwsAsync(newSource({ conn_string: 'host=a', timeout: 0 }), { message: /timeout must be between 1 and 3600 seconds/ });
  await t.throwsAsync(newSource({ conn_string: 'host=a', connector: 'oracle' }));
  await t.throwsAsync(asAdmin((env) => source(env).execute('SELECT 1', 'not params')), { message: /must be a list or a dictionary/ });
});

test.serial('streaming 1,000,000 rows keeps the heap flat', async (t) => {
  t.timeout(180_000);
  gc();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  let count = 0;
  let sum = 0;
  await asAdmin(async (env) => {
    for await (const batch of streamQuery(env, sourceId, 'SELECT g, md5(g::text) FROM generate_series(1, %s) g', [1_000_000], { batchSize: 5000 })) {
      t.deepEqual(batch.cols, ['g', 'md5']);
      count += batch.rows.length;
      for (const r of batch.rows) sum += r[0] as number;
      if (count % 100_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  });
  gc();
  const after = process.memoryUsage().heapUsed;
  t.is(count, 1_000_000);
  t.is(sum, 500_000_500_000);
  // Held at once, the rows would take well over 100 MB; a flat stream holds one batch.
  t.true(peak - before < 40 * 1024 * 1024, `peak grew ${Math.round((peak - before) / 1e6)} MB`);
  t.true(after - before < 10 * 1024 * 1024, `heap grew ${Math.round((after - before) / 1e6)} MB`);
});

test.serial('stopping a stream early closes the cursor and ends the transaction', async (t) => {
  await asAdmin(async (env) => {
    let batches = 0;
    for await (const batch of streamQuery(env, sourceId, 'SELECT g FROM generate_series(1, 1000000) g', null, { batchSize: 1000 })) {
      t.is(batch.rows.length, 1000);
      if (++batches === 2) break;
    }
  });
  const busy = await ext.admin(`SELECT state, query FROM pg_stat_activity WHERE datname = $1 AND application_name = 'erp_external_dbsource' AND state <> 'idle'`, [ext.name]);
  t.deepEqual(busy.rows, []);
  const res = await asAdmin((env) => executeQuery(env, sourceId, "SELECT count(*)::int FROM pg_cursors WHERE name <> ''"));
  t.deepEqual(res.rows, [[0]]);
});

test.serial('an error in the middle of a stream reaches the consumer', async (t) => {
  const e = await t.throwsAsync(asAdmin(async (env) => {
    for await (const batch of streamQuery(env, sourceId, 'SELECT 1 / (g - 1500) FROM generate_series(1, 3000) g', null, { batchSize: 1000 })) void batch;
  }));
  t.is(e!.message, 'PostgreSQL: division by zero');
  t.deepEqual((await asAdmin((env) => executeQuery(env, sourceId, 'SELECT 2'))).rows, [[2]], 'the pool still serves');
});

test.serial('writing or deleting a source closes its connections', async (t) => {
  const id = await newSource({ conn_string: `host=${ext.host} port=${ext.port} dbname=${ext.name} user=postgres application_name=closing_probe` });
  await asAdmin((env) => executeQuery(env, id, 'SELECT 1'));
  const open = async () => (await ext.admin(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'closing_probe'`, [ext.name])).rows[0].n;
  t.is(await open(), 1);
  await asAdmin((env) => source(env, id).write({ timeout: 7 }));
  await waitFor(async () => (await open()) === 0);
  t.is(await open(), 0);
  await asAdmin((env) => executeQuery(env, id, 'SELECT 1'));
  t.is(await open(), 1);
  await asAdmin((env) => source(env, id).unlink());
  await waitFor(async () => (await open()) === 0);
  t.is(await open(), 0);
});

test.serial('a changed password takes effect and is stored again encrypted; an empty one keeps it', async (t) => {
  const before = (await asAdmin((env) => env.cr('base_external_dbsource').where({ id: sourceId }).first('password_encrypted'))).password_encrypted;
  await asAdmin((env) => source(env).write({ password: '' }));
  const kept = (await asAdmin((env) => env.cr('base_external_dbsource').where({ id: sourceId }).first('password_encrypted'))).password_encrypted;
  t.is(kept, before);
  await asAdmin((env) => source(env).write({ password: 'Another-Secret-77' }));
  const changed = (await asAdmin((env) => env.cr('base_external_dbsource').where({ id: sourceId }).first('password_encrypted'))).password_encrypted;
  t.not(changed, before);
  t.false(changed.includes('Another-Secret-77'));
  await asAdmin((env) => source(env).write({ password: PASSWORD }));
});

test.serial('a non-administrator can neither read sources nor query them', async (t) => {
  const uid = await app.withEnv(1, async (env) => (await env.model('res.users').create({ name: 'Plain', login: `plain${Date.now()}`, password: 'plain', groups_id: [[6, 0, [await env.refId('base.group_user')]]] })).ids[0]);
  await t.throwsAsync(app.withEnv(uid, (env) => env.model('base.external.dbsource').search_read([], ['name'])), { message: /not allowed to access/ });
  await t.throwsAsync(app.withEnv(uid, (env) => executeQuery(env, sourceId, 'SELECT 1')), { message: /Only Settings administrators/ });
  await t.throwsAsync(app.withEnv(uid, async (env) => { for await (const b of streamQuery(env, sourceId, 'SELECT 1')) void b; }), { message: /Only Settings administrators/ });
});

test.serial('the password never reached the log', (t) => {
  t.true(stderr.length >= 0);
  t.false(stderr.join('').includes(PASSWORD));
});

async function waitFor(cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !(await cond())) await new Promise((r) => setTimeout(r, 50));
}
