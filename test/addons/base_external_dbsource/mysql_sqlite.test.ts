/**
 * base_external_dbsource against the real MariaDB server (a database and a user with a
 * password, created and dropped here), a SQLite file, and what can be checked of SQL Server
 * without a server (the refused connection).
 */
process.env.TZ = 'Asia/Tokyo';
import test from 'ava';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { App } from '../../../core/app.ts';
import type { Environment } from '../../../core/orm/index.ts';
import { closeAllPools, configureSecret, executeQuery, ExternalDatabaseError, streamQuery } from '../../../addons/base_external_dbsource/index.ts';
import { makeTestApp } from '../../helpers/app.ts';
import { createMysqlDatabase, refusedPort, tempDir, type ExternalMysql } from './helpers.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

let app: App;
let my: ExternalMysql;
let dir: ReturnType<typeof tempDir>;
let mysqlId: number;
let sqliteId: number;
let sqliteFile: string;

test.before(async () => {
  app = await makeTestApp({ addons: ['base_external_dbsource'] });
  dir = tempDir('dbsource');
  configureSecret(app.registry, { secretKey: 'a configured secret', dataDir: dir.dir });
  my = await createMysqlDatabase([
    'CREATE TABLE person (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100), born DATETIME(3), photo BLOB, amount DECIMAL(12,2), big BIGINT, day DATE)',
    "INSERT INTO person (name, born, photo, amount, big, day) VALUES ('José Ñúñez', '2024-01-15 10:30:00.250', X'00ff10', 1234.50, 9007199254740993, '2024-02-29'), ('O''Brien \"Bob\"', NULL, NULL, 0.10, 7, NULL)",
  ]);
  mysqlId = await asAdmin(async (env) => (await env.model('base.external.dbsource').create({
    name: 'Shop', connector: 'mysql', conn_string: `host=${my.host} port=${my.port} dbname=${my.name} user=${my.user} password=%s`, password: my.password, timeout: 5,
  })).ids[0]);
  sqliteFile = join(dir.dir, 'data.sqlite3');
  const db = new Database(sqliteFile);
  db.exec("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, photo BLOB, amount REAL); INSERT INTO person (name, photo, amount) VALUES ('José Ñúñez', X'00ff10', 12.5), ('O''Brien \"Bob\"', NULL, NULL)");
  db.close();
  sqliteId = await asAdmin(async (env) => (await env.model('base.external.dbsource').create({ name: 'Local file', connector: 'sqlite', conn_string: sqliteFile })).ids[0]);
});

test.after.always(async () => {
  await closeAllPools();
  await my?.drop();
  await app?.close();
  dir?.remove();
});

const asAdmin = <T>(fn: (env: Environment) => Promise<T>): Promise<T> => app.withEnv(2, fn);
const source = (env: Environment, id: number) => env.model('base.external.dbsource').browse(id) as any;
async function newSource(vals: Record<string, unknown>): Promise<number> {
  return asAdmin(async (env) => (await env.model('base.external.dbsource').create({ name: 'tmp', timeout: 5, ...vals })).ids[0]);
}

// ── MariaDB ───────────────────────────────────────────────────────────────────────────
test.serial('MariaDB: connection test with a user and its password', async (t) => {
  const action: any = await asAdmin((env) => source(env, mysqlId).connection_test());
  t.is(action.params.type, 'success');
});

test.serial('MariaDB: a wrong password, an unknown database and a refused port are the driver messages', async (t) => {
  const wrong = await newSource({ connector: 'mysql', conn_string: `mysql://${my.user}:%s@${my.host}:${my.port}/${my.name}`, password: 'not-the-password' });
  const a: any = await asAdmin((env) => source(env, wrong).connection_test());
  t.is(a.params.type, 'danger');
  t.regex(a.params.message, new RegExp(`^MySQL/MariaDB: Access denied for user '${my.user}'@'[^']+' \\(using password: YES\\)$`));
  const unknown = await newSource({ connector: 'mysql', conn_string: `host=${my.host} port=${my.port} dbname=${my.name}_nope user=${my.user} password=%s`, password: my.password });
  const b: any = await asAdmin((env) => source(env, unknown).connection_test());
  t.regex(b.params.message, new RegExp(`^MySQL/MariaDB: Access denied for user '${my.user}'@'[^']+' to database '${my.name}_nope'$`));
  const port = await refusedPort();
  const refused = await newSource({ connector: 'mysql', conn_string: `host=127.0.0.1 port=${port} user=x` });
  const c: any = await asAdmin((env) => source(env, refused).connection_test());
  t.is(c.params.message, `MySQL/MariaDB: connect ECONNREFUSED 127.0.0.1:${port}`);
  for (const n of [a, b, c]) t.false(JSON.stringify(n).includes(my.password));
});

test.serial('MariaDB: metadata, accents, quotes, blobs, decimals as strings, UTC datetimes, both placeholder styles', async (t) => {
  const res: any = await asAdmin((env) => source(env, mysqlId).execute('SELECT name, born, photo, amount, big, day FROM person WHERE id IN (%s, %s) ORDER BY id', [1, 2], true));
  t.deepEqual(res.cols, ['name', 'born', 'photo', 'amount', 'big', 'day']);
  t.deepEqual(res.rows[0], ['José Ñúñez', new Date('2024-01-15T10:30:00.250Z'), Buffer.from([0, 255, 16]), '1234.50', '9007199254740993', '2024-02-29']);
  t.deepEqual(res.rows[1], ['O\'Brien "Bob"', null, null, '0.10', 7, null]);
  const quoted = await asAdmin((env) => executeQuery(env, mysqlId, 'SELECT id FROM person WHERE name = %(n)s', { n: 'O\'Brien "Bob"' }));
  t.deepEqual(quoted.rows, [[2]]);
  const injection = await asAdmin((env) => executeQuery(env, mysqlId, "SELECT COUNT(*) FROM person WHERE name = %s AND name LIKE 'J%%'", ["x' OR '1'='1"]));
  t.deepEqual(injection.rows, [[0]]);
  await t.throwsAsync(asAdmin((env) => executeQuery(env, mysqlId, 'SELECT 1 WHERE 1 IN (%s)', [[1, 2]])), { message: /only supported on PostgreSQL/ });
});

test.serial('MariaDB: syntax errors and writes are refused by the server', async (t) => {
  const e = await t.throwsAsync(asAdmin((env) => executeQuery(env, mysqlId, 'SELEC 1')));
  t.true(e instanceof ExternalDatabaseError);
  t.regex(e!.message, /^MySQL\/MariaDB: You have an error in your SQL syntax/);
  await t.throwsAsync(asAdmin((env) => executeQuery(env, mysqlId, "UPDATE person SET name = 'x'")), { message: /READ ONLY transaction/i });
  await t.throwsAsync(asAdmin((env) => executeQuery(env, mysqlId, 'DELETE FROM person')), { message: /READ ONLY transaction/i });
  t.deepEqual(((await my.admin('SELECT COUNT(*) AS n FROM person')) as any)[0][0].n, 2);
});

test.serial('MariaDB: a query longer than the timeout is stopped', async (t) => {
  const id = await newSource({ connector: 'mysql', conn_string: `host=${my.host} port=${my.port} dbname=${my.name} user=${my.user} password=%s`, password: my.password, timeout: 1 });
  const started = Date.now();
  await t.throwsAsync(asAdmin((env) => executeQuery(env, id, 'SELECT COUNT(*) FROM seq_1_to_100000 a, seq_1_to_100000 b')), { message: /max_statement_time exceeded/ });
  t.true(Date.now() - started < 4000);
});

test.serial('MariaDB: streaming 1,000,000 rows keeps the heap flat; stopping early frees the connection', async (t) => {
  t.timeout(180_000);
  gc();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  let count = 0;
  let sum = 0;
  await asAdmin(async (env) => {
    for await (const batch of streamQuery(env, mysqlId, 'SELECT seq, MD5(seq) FROM seq_1_to_1000000', null, { batchSize: 5000 })) {
      count += batch.rows.length;
      for (const r of batch.rows) sum += r[0] as number;
      if (count % 100_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  });
  gc();
  t.is(count, 1_000_000);
  t.is(sum, 500_000_500_000);
  t.true(peak - before < 40 * 1024 * 1024, `peak grew ${Math.round((peak - before) / 1e6)} MB`);
  t.true(process.memoryUsage().heapUsed - before < 10 * 1024 * 1024);
  let seen = 0;
  await asAdmin(async (env) => {
    for await (const batch of streamQuery(env, mysqlId, 'SELECT seq FROM seq_1_to_5000000', null, { batchSize: 1000 })) {
      seen += batch.rows.length;
      break;
    }
  });
  t.is(seen, 1000);
  const busy = async () => ((await my.admin(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND = 'Execute'`, [my.user])) as any)[0][0].n;
  const end = Date.now() + 5000;
  while (Date.now() < end && (await busy()) > 0) await new Promise((r) => setTimeout(r, 50));
  t.is(await busy(), 0);
  t.deepEqual((await asAdmin((env) => executeQuery(env, mysqlId, 'SELECT 2'))).rows, [[2]]);
});

// ── SQLite ────────────────────────────────────────────────────────────────────────────
test.serial('SQLite: a read-only file: metadata, placeholders, quotes, blobs; writes refused', async (t) => {
  const res: any = await asAdmin((env) => source(env, sqliteId).execute('SELECT name, photo, amount FROM person WHERE id = %(id)s OR name = %(n)s ORDER BY id', { id: 1, n: 'O\'Brien "Bob"' }, true));
  t.deepEqual(res, { cols: ['name', 'photo', 'amount'], rows: [['José Ñúñez', Buffer.from([0, 255, 16]), 12.5], ['O\'Brien "Bob"', null, null]] });
  t.deepEqual(await asAdmin((env) => source(env, sqliteId).execute('SELECT count(*) FROM person WHERE amount > %s', [1])), [[1]]);
  await t.throwsAsync(asAdmin((env) => executeQuery(env, sqliteId, "DELETE FROM person")), { message: /^SQLite: attempt to write a readonly database$/ });
  await t.throwsAsync(asAdmin((env) => executeQuery(env, sqliteId, 'SELEC 1')), { message: /^SQLite: near "SELEC": syntax error$/ });
  const action: any = await asAdmin((env) => source(env, sqliteId).connection_test());
  t.is(action.params.type, 'success');
});

test.serial('SQLite: a missing file or a relative path is a clear error', async (t) => {
  const missing = await newSource({ connector: 'sqlite', conn_string: join(dir.dir, 'nope.sqlite3') });
  const a: any = await asAdmin((env) => source(env, missing).connection_test());
  t.is(a.params.message, `The SQLite database file '${join(dir.dir, 'nope.sqlite3')}' does not exist.`);
  await t.throwsAsync(newSource({ connector: 'sqlite', conn_string: 'data.db' }), { message: /absolute path of an existing database file, not 'data.db'/ });
});

test.serial('SQLite: streaming in batches and stopping early', async (t) => {
  const rows: unknown[] = [];
  await asAdmin(async (env) => {
    for await (const batch of streamQuery(env, sqliteId, 'WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s) SELECT n FROM s', [10_000], { batchSize: 3000 })) {
      rows.push(batch.rows.length);
      if (rows.length === 2) break;
    }
  });
  t.deepEqual(rows, [3000, 3000]);
  let total = 0;
  await asAdmin(async (env) => {
    for await (const batch of streamQuery(env, sqliteId, 'WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 10000) SELECT n FROM s', null, { batchSize: 3000 })) total += batch.rows.length;
  });
  t.is(total, 10_000);
});

// ── SQL Server (no server on this machine) ───────────────────────────────────────────
test.serial('SQL Server: a refused connection is the driver message, without the password', async (t) => {
  const port = await refusedPort();
  const id = await newSource({ connector: 'mssql', conn_string: `Driver={ODBC Driver 18 for SQL Server};Server=127.0.0.1,${port};Database=erp;UID=reader;PWD=%s`, password: 'Ms-Secret-9', timeout: 3 });
  const started = Date.now();
  const action: any = await asAdmin((env) => source(env, id).connection_test());
  t.is(action.params.type, 'danger');
  t.regex(action.params.message, new RegExp(`^SQL Server: Failed to connect to 127\\.0\\.0\\.1:${port}`));
  t.false(JSON.stringify(action).includes('Ms-Secret-9'));
  t.true(Date.now() - started < 5000);
  await t.throwsAsync(newSource({ connector: 'mssql', conn_string: 'Server=a;Colour=blue' }), { message: /Unknown key 'colour' in the SQL Server connection string/ });
});
