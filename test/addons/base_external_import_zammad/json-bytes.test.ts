/**
 * The batches' JSON parameter (import/sql.ts): on a PostgreSQL server UTF-8 bytes written row
 * by row, on PGlite the text; either way every value arrives as JSON.stringify would send it.
 */
import test from 'ava';
import type { App } from '../../../core/app.ts';
import { onPostgresServer } from '../../../core/db/index.ts';
import { insertMany, JsonRows, jsonBytes, lockReferences, recordset, trustPlan } from '../../../addons/base_external_import_zammad/import/sql.ts';
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

test('JsonRows: rows given as their JSON text reach the table as insertMany\'s row objects would, and keep the referencing values', async (t) => {
  const cr = app.db.knex;
  const names = ['façade € 😀 "q" \\ \n end', 'plain', '日本語'];
  const json = new JsonRows(cr, ['name', 'res_id', 'file_size'], ['res_id']);
  for (const [i, name] of names.entries()) json.add(`{"name":${JSON.stringify(name)},"res_id":${JSON.stringify(json.ref('res_id', i === 1 ? null : 7))},"file_size":${i}}`);
  t.is(json.count, 3);
  t.deepEqual([...json.refs.get('res_id')!], [7], 'the non-null values, each once');
  const inserted = await insertMany(cr, 'ir_attachment', json, { returning: 'id', constants: { res_model: 'helpdesk.ticket', type: 'binary', public: false } });
  const back = await rows(app, `SELECT name, res_id, file_size, res_model FROM ir_attachment WHERE id = ANY(?) ORDER BY file_size`, [inserted.map((r) => Number(r.id))]);
  t.deepEqual(back.map((r) => [r.name, r.res_id === null ? null : Number(r.res_id), Number(r.file_size), r.res_model]),
    names.map((name, i) => [name, i === 1 ? null : 7, i, 'helpdesk.ticket']));
  // Its bytes are taken once; an empty one inserts nothing.
  t.deepEqual(await insertMany(cr, 'ir_attachment', new JsonRows(cr, ['name'], []), { returning: 'id' }), []);
  // The scratch buffer it held is given back: jsonBytes still writes right after.
  t.is(jsonBytes([{ a: 'é' }]).toString(), JSON.stringify([{ a: 'é' }]));
});

test('JsonRows: a trusted insert refuses rows whose referencing values were not kept', async (t) => {
  if (!onPostgresServer(app.db.knex)) return t.pass('trusted inserts need a server');
  await app.db.knex.transaction(async (trx) => {
    const plan = await trustPlan(trx, 'message_attachment_rel');
    if (!plan) return t.pass('not a superuser connection');
    const json = new JsonRows(trx, ['message_id', 'attachment_id'], ['message_id']);
    json.add('{"message_id":1,"attachment_id":1}');
    await t.throwsAsync(() => lockReferences(trx, plan, json, {}), { message: /attachment_id.*not kept/ });
    json.finish();
    await trx.rollback();
  }).catch(() => undefined);
});
