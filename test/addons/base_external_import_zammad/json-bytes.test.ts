/**
 * The batches' parameters (import/sql.ts): on a PostgreSQL server typed arrays (ColumnRows) or
 * JSON as UTF-8 bytes written row by row, on PGlite the JSON text; either way every value
 * arrives as the rows' JSON would bring it.
 */
import test from 'ava';
import type { App } from '../../../core/app.ts';
import { onPostgresServer } from '../../../core/db/index.ts';
import { rowsOf } from '../../../core/orm/index.ts';
import { ColumnRows, insertMany, int4Array, jsonBytes, lockReferences, recordset, trustPlan } from '../../../addons/base_external_import_zammad/import/sql.ts';
import { makeImportApp, rows } from './helpers.ts';

let app: App;
test.before(async () => {
  app = await makeImportApp();
});
test.after.always(async () => {
  await app?.close();
});

test('jsonBytes is JSON.stringify as UTF-8, whatever the characters and however many rows', (t) => {
  const samples: Array<Array<Record<string, unknown>>> = [
    [],
    [{ a: 1 }],
    [{ s: 'plain' }, { s: 'é ñ ü', n: null, b: true }, { s: '😀 emoji and "quotes" \\ back\nslash', x: 1.5 }],
    // Longer than the first guess of the buffer (256 bytes a row), mostly characters of 3 UTF-8 bytes.
    Array.from({ length: 50 }, (_, i) => ({ id: i, body: '€'.repeat(400 * (i % 4)) + '\u2028' })),
    // Past the 1 MB the writer starts with, and past the 16 MB it keeps between statements.
    [{ a: 'é'.repeat(700_000) }, { b: 'x' }],
    [{ big: '€'.repeat(6_000_000) }],
    [{ after: 'the big one' }],
  ];
  for (const list of samples) t.is(jsonBytes(list).toString('utf8'), JSON.stringify(list));
  const replacer = function (this: any, key: string, value: unknown) { return typeof this[key] === 'number' ? String(this[key]) : value; };
  t.is(jsonBytes([{ a: 1, b: 'x' }], replacer).toString(), JSON.stringify([{ a: 1, b: 'x' }], replacer));
});

test('the rows reach the table unchanged (non-Latin text, emoji, bytes, dates, nulls)', async (t) => {
  const server = onPostgresServer(app.db.knex);
  const src = await recordset(app.db.knex, 'ir_attachment', ['name'], [{ name: 'x' }]);
  t.is(Buffer.isBuffer(src.binding), server, server ? 'bytes on a server' : 'text on PGlite');
  const data = Buffer.from([0, 1, 2, 254, 255]);
  const names = ['façade € 😀 "q" \\ \n end', 'plain', '日本語のファイル名'];
  const inserted = await insertMany(app.db.knex, 'ir_attachment', names.map((name, i) => ({
    name, res_model: 'helpdesk.ticket', res_id: null, type: 'binary', datas: i === 0 ? data : null, file_size: i, public: false,
    create_date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
  })), { returning: 'id' });
  const back = await rows(app, `SELECT name, datas, file_size, create_date::text AS created FROM ir_attachment WHERE id = ANY(?) ORDER BY file_size`, [inserted.map((r) => Number(r.id))]);
  t.deepEqual(back.map((r) => r.name), names);
  t.deepEqual(Buffer.from(back[0].datas), data);
  t.is(back[1].datas, null);
  t.is(back[0].created, '2024-01-02 03:04:05.678');
});

test('insertMany: row objects reach the table as their JSON would bring them (typed arrays on a server, JSON on PGlite)', async (t) => {
  const cr = app.db.knex;
  // Values each column's binary kind takes as they are, and values that make the column go as text.
  const objects: Array<Record<string, unknown>> = [
    { name: 'façade € 😀 "q" \\ \n end {a,b} NULL', res_id: 7, file_size: 1, public: true, datas: Buffer.from([0, 1, 254, 255]), create_date: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)), description: { a: [1, 'x'] } },
    { name: '', res_id: null, file_size: '12', public: 'false', datas: null, create_date: '2024-02-03 04:05:06', description: 42 },
    { name: '日本語', res_id: undefined, file_size: 3, public: false, datas: Buffer.alloc(0), create_date: null, description: Number.NaN },
    { name: 'x'.repeat(70_000), file_size: 4, public: 1, create_date: '2024-03-04T05:06:07Z', description: true },
  ];
  const sent: string[] = [];
  const spy = (q: { sql: string }) => sent.push(q.sql);
  (cr as any).on('query', spy);
  let inserted: any[];
  try {
    inserted = await insertMany(cr, 'ir_attachment', objects, { returning: 'id', constants: { res_model: 'helpdesk.ticket', type: 'binary' } });
  } finally {
    (cr as any).off('query', spy);
  }
  t.is(inserted.length, objects.length);
  // (Other tests of this file run meanwhile on the same connection pool: this one's INSERT has a description.)
  const insert = sent.find((q) => /^INSERT INTO "ir_attachment" \("name", "res_id", "file_size", "public", "datas", "create_date", "description"/.test(q)) ?? '';
  if (onPostgresServer(cr)) {
    t.regex(insert, /unnest\(\$\d+::text\[\], \$\d+::int4\[\], \$\d+::text\[\], \$\d+::text\[\], \$\d+::bytea\[\], \$\d+::text\[\], \$\d+::text\[\]\)/,
      'integers as int4, bytes as bytea, the columns with other values than their kind\'s as text');
    t.notRegex(insert, /json_to_recordset/);
  } else t.regex(insert, /json_to_recordset/);
  // The same rows through json_to_recordset (what PGlite, and the server before, received).
  const src = await recordset(cr, 'ir_attachment', ['name', 'res_id', 'file_size', 'public', 'datas', 'create_date', 'description'], objects);
  const viaJson = rowsOf(await cr.raw(`INSERT INTO ir_attachment (name, res_id, file_size, public, datas, create_date, description, res_model, type)
    SELECT x.name, x.res_id, x.file_size, x.public, x.datas, x.create_date, x.description, 'helpdesk.ticket', 'binary' FROM ${src.sql} RETURNING id`, [src.binding]));
  const read = (ids: unknown[]) => rows(app, `SELECT name, res_id, file_size, public, encode(datas, 'hex') AS datas, create_date::text AS created, description, res_model
    FROM ir_attachment WHERE id = ANY(?) ORDER BY id`, [ids.map((r: any) => Number(r.id))]);
  const back = await read(inserted);
  t.deepEqual(back, await read(viaJson));
  t.deepEqual(back.map((r) => [r.res_id === null ? null : Number(r.res_id), Number(r.file_size), r.public, r.datas, r.created, r.description]), [
    [7, 1, true, '0001feff', '2024-01-02 03:04:05.678', '{"a":[1,"x"]}'],
    [null, 12, false, null, '2024-02-03 04:05:06', '42'],
    [null, 3, false, '', null, null],
    [null, 4, true, null, '2024-03-04 05:06:07', 'true'],
  ]);
  t.deepEqual(back.map((r) => r.name), objects.map((o) => o.name));
});

test('insertMany: a json column gets each value\'s JSON, a string included', async (t) => {
  const cr = app.db.knex;
  const inserted = await insertMany(cr, 'helpdesk_ticket_category', [{ name: { en_US: 'Typed é' } }, { name: 'plain "text"' }], { returning: 'id', constants: { active: true } });
  const back = await rows(app, `SELECT name::text AS name FROM helpdesk_ticket_category WHERE id = ANY(?) ORDER BY id`, [inserted.map((r) => Number(r.id))]);
  t.deepEqual(back.map((r) => JSON.parse(r.name)), [{ en_US: 'Typed é' }, 'plain "text"']);
});

test('ColumnRows: rows given column by column (binary typed arrays on a server) reach the table unchanged, and keep the referencing values', async (t) => {
  const cr = app.db.knex;
  const names = ['façade € 😀 "q" \\ \n end {a,b} NULL', 'plain', '日本語', '', 'x'.repeat(100_000)];
  const rowsIn = new ColumnRows(cr, [['name', 'text'], ['res_id', 'int4'], ['big', 'int8'], ['public', 'bool'], ['mimetype', 'text'], ['create_date', 'text']], ['res_id'], 1);
  for (const [i, name] of names.entries()) {
    rowsIn.add([name, rowsIn.ref('res_id', i === 1 ? null : 7 + i), i === 2 ? 2 ** 40 + 3 : i === 3 ? -(2 ** 40) - 5 : i, i % 2 === 0, i === 0 ? null : `d${i}`, `2024-01-0${i + 1} 03:04:05.678`]);
  }
  t.is(rowsIn.count, names.length);
  t.deepEqual([...rowsIn.refs.get('res_id')!], [7, 9, 10, 11], 'the non-null values, each once');
  t.throws(() => rowsIn.add(['too few']), { message: /1 values for 6 columns/ });
  // `big`: an input only (bigint), stored as the description's text.
  const inserted = await insertMany(cr, 'ir_attachment', rowsIn, {
    returning: 'id', constants: { res_model: 'helpdesk.ticket', type: 'binary' },
    inputs: { big: 'bigint' }, computed: { description: { sql: `x.big::text || ?::text`, bindings: ['!'] } },
  });
  t.is(inserted.length, names.length);
  const back = await rows(app, `SELECT name, res_id, description, public, mimetype, create_date::text AS created, res_model FROM ir_attachment WHERE id = ANY(?) ORDER BY id`, [inserted.map((r) => Number(r.id))]);
  t.deepEqual(back.map((r) => [r.name, r.res_id === null ? null : Number(r.res_id), r.description, r.public, r.mimetype, r.created, r.res_model]),
    names.map((name, i) => [name, i === 1 ? null : 7 + i, `${i === 2 ? 2 ** 40 + 3 : i === 3 ? -(2 ** 40) - 5 : i}!`, i % 2 === 0, i === 0 ? null : `d${i}`, `2024-01-0${i + 1} 03:04:05.678`, 'helpdesk.ticket']));
  // A value that does not fit its column's kind is refused before anything is sent.
  const bad = new ColumnRows(cr, [['name', 'text'], ['res_id', 'int4']], []);
  if (onPostgresServer(cr)) t.throws(() => bad.add(['x', 1.5]), { message: /"res_id" is not an integer/ });
  else t.pass('PGlite: the values go as JSON, converted by the database');
  // An empty one inserts nothing; one is finished once.
  t.deepEqual(await insertMany(cr, 'ir_attachment', new ColumnRows(cr, [['name', 'text']], []), { returning: 'id' }), []);
  t.throws(() => rowsIn.finish(), { message: /finished twice/ });
});

test('ColumnRows: a trusted insert checks the referencing values it kept', async (t) => {
  if (!onPostgresServer(app.db.knex)) return t.pass('trusted inserts need a server');
  await app.db.knex.transaction(async (trx) => {
    const plan = await trustPlan(trx, 'message_attachment_rel');
    if (!plan) return t.pass('not a superuser connection');
    const missing = new ColumnRows(trx, [['message_id', 'int4'], ['attachment_id', 'int4']], ['message_id', 'attachment_id']);
    missing.add([missing.ref('message_id', 2147483000), missing.ref('attachment_id', 2147483000)]);
    await t.throwsAsync(() => lockReferences(trx, plan, missing, {}), { message: /violates foreign key constraint/ });
    const unkept = new ColumnRows(trx, [['message_id', 'int4'], ['attachment_id', 'int4']], ['message_id']);
    unkept.add([1, 1]);
    await t.throwsAsync(() => lockReferences(trx, plan, unkept, {}), { message: /attachment_id.*not kept/ });
    await trx.rollback();
  }).catch(() => undefined);
});

test('int4Array: integers reach a server as the int4[] they are', async (t) => {
  if (!onPostgresServer(app.db.knex)) return t.pass('binary parameters need a server');
  const values = [1, -5, 0, 2147483647, -2147483648, 70000];
  const [r] = rowsOf(await app.db.knex.raw('SELECT ?::int4[] AS a, cardinality(?::int4[]) AS n', [int4Array(values), int4Array([])]));
  t.deepEqual(r.a, values);
  t.is(Number(r.n), 0);
});
