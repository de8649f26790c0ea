/**
 * Pure parts of base_external_dbsource, no database: DB-API placeholders rewritten per engine,
 * connection strings (key=value, ODBC, URL) with the password put in safely, and the SQL
 * Server configuration (no server here: what can be checked without one).
 */
import test from 'ava';
import { bindPlaceholders, type Dialect } from '../../../addons/base_external_dbsource/placeholders.ts';
import { parseConnString } from '../../../addons/base_external_dbsource/conn-string.ts';
import { clientConfig } from '../../../addons/base_external_dbsource/connectors/postgresql.ts';
import { poolOptions } from '../../../addons/base_external_dbsource/connectors/mysql.ts';
import { mssqlConfig } from '../../../addons/base_external_dbsource/connectors/mssql.ts';
import { parseUtcTimestamp } from '../../../addons/base_external_dbsource/connectors/postgresql.ts';
import type { SourceSettings } from '../../../addons/base_external_dbsource/connectors/connector.ts';

const PG: Dialect = { placeholder: (n) => `$${n}`, backslashEscapes: false };
const MY: Dialect = { placeholder: () => '?', backslashEscapes: true };
const MS: Dialect = { placeholder: (n) => `@p${n}`, backslashEscapes: false };
const settings = (connString: string, over: Partial<SourceSettings> = {}): SourceSettings => ({ connString, password: "s3cr'et pw", tlsMode: 'disable', tlsCa: '', timeoutMs: 5000, ...over });

const bindCases: Array<[string, Dialect, string, unknown, string, unknown[]]> = [
  ['positional', PG, 'SELECT * FROM t WHERE a = %s AND b = %s', [1, 'x'], 'SELECT * FROM t WHERE a = $1 AND b = $2', [1, 'x']],
  ['named, repeated', PG, 'SELECT %(x)s, %(y)s, %(x)s', { x: 1, y: 2 }, 'SELECT $1, $2, $3', [1, 2, 1]],
  ['MySQL question marks', MY, 'SELECT %(a)s + %(b)s', { a: 1, b: 2 }, 'SELECT ? + ?', [1, 2]],
  ['SQL Server @p', MS, 'SELECT %s, %s', ['a', 'b'], 'SELECT @p1, @p2', ['a', 'b']],
  ['%% is a percent sign', PG, "SELECT 7 %% 3, %s", [1], 'SELECT 7 % 3, $1', [1]],
  ['literals and comments are not placeholders', PG, "SELECT 'a%s' /* %s */ -- %s\n, \"c%s\", %s", [1], "SELECT 'a%s' /* %s */ -- %s\n, \"c%s\", $1", [1]],
  ["'%%' in a literal means '%' (psycopg2)", PG, "SELECT * FROM t WHERE a LIKE 'x%%' AND b = %s", [2], "SELECT * FROM t WHERE a LIKE 'x%' AND b = $1", [2]],
  ['dollar quotes', PG, 'SELECT $q$ %s $q$, %s', [1], 'SELECT $q$ %s $q$, $1', [1]],
  ['doubled quotes stay inside', PG, "SELECT 'it''s %s', %s", [1], "SELECT 'it''s %s', $1", [1]],
  ['MySQL backslash escapes', MY, "SELECT 'a\\' %s', %s", [1], "SELECT 'a\\' %s', ?", [1]],
  ['no params: sent as written', PG, 'SELECT 5 % 2', null, 'SELECT 5 % 2', []],
];
for (const [title, dialect, sql, params, expected, values] of bindCases) {
  test(`placeholders: ${title}`, (t) => {
    t.deepEqual(bindPlaceholders(sql, params as any, dialect), { sql: expected, values });
  });
}

const bindErrors: Array<[string, string, unknown, RegExp]> = [
  ['a dict for %s', 'SELECT %s', { a: 1 }, /uses %s but the parameters are a dictionary/],
  ['a list for %(name)s', 'SELECT %(a)s', [1], /uses %\(a\)s but the parameters are a list/],
  ['a missing name', 'SELECT %(a)s', { b: 1 }, /no parameter 'a'/],
  ['too few values', 'SELECT %s, %s', [1], /more %s placeholders than the 1 parameter/],
  ['too many values', 'SELECT %s', [1, 2], /1 placeholder\(s\) %s but 2 parameters/],
  ['an unknown placeholder', 'SELECT %d', [1], /Unsupported placeholder '%d'/],
  ['params that are neither', 'SELECT %s', 'x', /must be a list/],
  ['an empty query', '  ', [], /query is empty/],
];
for (const [title, sql, params, re] of bindErrors) {
  test(`placeholders refuse ${title}`, (t) => {
    t.throws(() => bindPlaceholders(sql, params as any, PG), { message: re });
  });
}

test('key=value strings: quotes, the password put in as a value', (t) => {
  const p = parseConnString("host=db.local port=5432 dbname='my db' user=zammad password=%s", "a b'c");
  t.deepEqual(Object.fromEntries(p), { host: 'db.local', port: '5432', dbname: 'my db', user: 'zammad', password: "a b'c" });
});

test('ODBC strings: semicolons, braces, keys case-insensitive', (t) => {
  const p = parseConnString('DRIVER={ODBC Driver 18 for SQL Server};Server=sql1,1433;Database=erp;UID=reader;PWD=%s;', 'x;y}');
  t.deepEqual(Object.fromEntries(p), { driver: 'ODBC Driver 18 for SQL Server', server: 'sql1,1433', database: 'erp', uid: 'reader', pwd: 'x;y}' });
});

test('URLs: the password is URL-encoded before parsing, so any character is safe', (t) => {
  const p = parseConnString('postgres://zammad:%s@db:5433/zammad?application_name=imp', 'p@ss/w:rd%');
  t.deepEqual(Object.fromEntries(p), { host: 'db', port: '5433', dbname: 'zammad', user: 'zammad', password: 'p@ss/w:rd%', application_name: 'imp' });
});

test('malformed connection strings are clear errors without the password', (t) => {
  t.throws(() => parseConnString('host=a port', 'pw'), { message: /'port' without a value/ });
  t.throws(() => parseConnString("host='a", 'pw'), { message: /no closing quote/ });
  t.throws(() => parseConnString('host=a host=b', 'pw'), { message: /'host' twice/ });
  t.throws(() => parseConnString('', 'pw'), { message: /empty/ });
  const e = t.throws(() => parseConnString('postgres://u:%s@[bad/db', 'TopSecret'));
  t.false(e!.message.includes('TopSecret'));
});

test('each connector refuses keys it does not know, naming the accepted ones', (t) => {
  t.throws(() => clientConfig(settings('host=a dbname=b colour=blue')), { message: /Unknown key 'colour' in the PostgreSQL connection string; accepted keys: host, / });
  t.throws(() => poolOptions(settings('host=a port=abc')), { message: /port must be a whole number, not 'abc'/ });
});

test('PostgreSQL settings: password from %s, TLS fields, timeouts, read-only sessions', (t) => {
  const c = clientConfig(settings('host=h port=6543 dbname=d user=u password=%s', { tlsMode: 'verify', tlsCa: 'PEM' }));
  t.like(c, { host: 'h', port: 6543, database: 'd', user: 'u', password: "s3cr'et pw", connectionTimeoutMillis: 5000, options: '-c default_transaction_read_only=on' });
  t.deepEqual(c.ssl, { rejectUnauthorized: true, ca: 'PEM' });
  t.deepEqual(clientConfig(settings('host=h sslmode=require')).ssl, { rejectUnauthorized: false });
  t.is(clientConfig(settings('host=h')).ssl, false);
});

test('SQL Server settings from an ODBC string: host,port, instance, encryption, timeouts', (t) => {
  const c: any = mssqlConfig(settings('Driver={FreeTDS};Server=tcp:sql1,14330;Database=erp;UID=reader;PWD=%s;Encrypt=yes;TrustServerCertificate=yes'));
  t.like(c, { server: 'sql1', port: 14330, database: 'erp', user: 'reader', password: "s3cr'et pw", connectionTimeout: 5000, requestTimeout: 5000 });
  t.like(c.options, { encrypt: true, trustServerCertificate: true, useUTC: true });
  const named: any = mssqlConfig(settings('Server=sql1\\SQLEXPRESS;Database=erp;UID=r;PWD=%s'));
  t.like(named, { server: 'sql1', port: undefined });
  t.is(named.options.instanceName, 'SQLEXPRESS');
  t.false(named.options.encrypt);
  const url: any = mssqlConfig(settings('mssql://reader:%s@sql2:1433/erp', { tlsMode: 'verify' }));
  t.like(url, { server: 'sql2', port: 1433, database: 'erp', user: 'reader', password: "s3cr'et pw" });
  t.like(url.options, { encrypt: true, trustServerCertificate: false });
  t.throws(() => mssqlConfig(settings('Server=a;Encrypt=perhaps')), { message: /Encrypt must be yes or no, not 'perhaps'/ });
});

test('timestamp without time zone is read as UTC, whatever the process time zone', (t) => {
  t.is((parseUtcTimestamp('2024-03-31 01:30:00.123456') as Date).toISOString(), '2024-03-31T01:30:00.123Z');
  t.is((parseUtcTimestamp('0044-03-15 12:00:00 BC') as Date).getUTCFullYear(), -43);
  t.is(parseUtcTimestamp('infinity'), 'infinity');
});
