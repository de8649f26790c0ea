import test from 'ava';
import type { App } from '../../../core/app.ts';
import { startScheduler } from '../../../core/cron/index.ts';
import { SUPERUSER_ID } from '../../../core/orm/index.ts';
import { closeImportPools } from '../../../addons/base_external_import_zammad/index.ts';
import { DEFAULT_QUERY } from '../../../addons/base_external_import_zammad/import/mapping.ts';
import { closeAllPools } from '../../../addons/base_external_dbsource/index.ts';
import { createTask, makeImportApp, makeZammad, rows, runTask, type ZammadSource } from './helpers.ts';

const TICKETS = 250;
let app: App;
let zammad: ZammadSource;

test.before(async () => {
  [app, zammad] = await Promise.all([makeImportApp(), makeZammad(TICKETS)]);
});
test.after.always(async () => {
  await closeImportPools();
  await closeAllPools();
  await app?.close();
  await zammad?.drop();
});

const ticketCount = async (sourceId: number) => Number((await rows(app, 'SELECT count(*) AS n FROM helpdesk_ticket WHERE zammad_source_id = ?', [sourceId]))[0].n);
const lastLog = async (taskId: number) => (await rows(app, 'SELECT * FROM base_external_import_log WHERE import_id = ? ORDER BY id DESC LIMIT 1', [taskId]))[0];

test.serial('Preview shows the mapping, translated values and warnings of the first rows, and imports nothing', async (t) => {
  const query = DEFAULT_QUERY.replace('t.created_at,', "t.created_at, 'x' AS shoe_size,");
  const { taskId, sourceId } = await createTask(app, zammad, { sql_source: query });
  const action: any = await app.withEnv(SUPERUSER_ID, (env) => (env.model('base.external.import.task').browse([taskId]) as any).import_preview());
  t.is(action.res_model, 'base.external.import.preview');
  const [w] = await rows(app, 'SELECT row_count, mapping_html, rows_html, warnings FROM base_external_import_preview WHERE id = ?', [action.res_id]);
  t.is(Number(w.row_count), TICKETS);
  t.regex(w.mapping_html, /state_type<\/td><td>Status/);
  t.regex(w.mapping_html, /owner_email<\/td><td>Technician/);
  t.regex(w.warnings, /Column "shoe_size" is neither a known Zammad column/);
  const [first] = await zammad.sql('SELECT t.id, t.title FROM tickets t ORDER BY t.updated_at, t.id LIMIT 1');
  t.true(w.rows_html.includes(`<td>${first.id}</td>`));
  t.regex(w.rows_html, /new: /, 'reporters and technicians still to be created are announced');
  t.is(await ticketCount(sourceId), 0);
});

test.serial('a row breaking a constraint is logged with its Zammad id and skipped; the others import; last sync stops before it', async (t) => {
  const [bad] = await zammad.sql('SELECT id, updated_at FROM tickets ORDER BY updated_at, id OFFSET 100 LIMIT 1');
  // `subject` is written as it is: NULL breaks the NOT NULL constraint of helpdesk_ticket.subject.
  const query = DEFAULT_QUERY.replace('t.title,', `t.title, CASE WHEN t.id = ${bad.id} THEN NULL ELSE t.title END AS subject,`);
  const { taskId, sourceId } = await createTask(app, zammad, { sql_source: query });
  const result = await runTask(app, taskId);
  t.is(result.params.type, 'warning');
  t.is(await ticketCount(sourceId), TICKETS - 1);
  t.is(Number((await rows(app, 'SELECT count(*) AS n FROM helpdesk_ticket WHERE zammad_source_id = ? AND zammad_id = ?', [sourceId, bad.id]))[0].n), 0);
  const log = await lastLog(taskId);
  t.is(log.status, 'done');
  t.is(Number(log.error_count), 1);
  t.is(Number(log.record_count), TICKETS - 1);
  t.regex(log.log, new RegExp(`ERROR Zammad ticket ${bad.id}: .*(null|subject)`, 'i'));
  const [task] = await rows(app, `SELECT to_char(last_sync, 'YYYY-MM-DD HH24:MI:SS.MS') AS s FROM base_external_import_task WHERE id = ?`, [taskId]);
  const [badAt] = await zammad.sql(`SELECT to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS.MS') AS s FROM tickets WHERE id = $1`, [bad.id]);
  t.true(task.s <= badAt.s, `last sync ${task.s} did not pass the failed row (${badAt.s})`);
  // Once Zammad's row is fine again, the next run imports it.
  await app.withEnv(SUPERUSER_ID, (env) => env.model('base.external.import.task').browse([taskId]).write({ sql_source: DEFAULT_QUERY }));
  await runTask(app, taskId);
  t.is(await ticketCount(sourceId), TICKETS);
  t.is(Number((await lastLog(taskId)).error_count), 0);
});

test.serial('an unreachable source is a logged failed run, not an exception', async (t) => {
  const { taskId } = await createTask(app, zammad);
  await app.withEnv(SUPERUSER_ID, async (env) => {
    const [task] = await env.model('base.external.import.task').browse([taskId]).read(['dbsource_id']);
    await env.model('base.external.dbsource').browse([(task.dbsource_id as [number, string])[0]]).write({ conn_string: 'postgres://postgres@127.0.0.1:1/nowhere', timeout: 5 });
  });
  const result = await runTask(app, taskId);
  t.is(result.params.type, 'danger');
  const log = await lastLog(taskId);
  t.is(log.status, 'failed');
  t.regex(log.log, /ERROR: The run failed: .*(ECONNREFUSED|connect)/i);
  const [task] = await rows(app, 'SELECT last_sync, last_error_count FROM base_external_import_task WHERE id = ?', [taskId]);
  t.is(task.last_sync, null);
  t.is(Number(task.last_error_count), 1);
});

test.serial('a query with a syntax error is a logged failed run naming the error', async (t) => {
  const { taskId } = await createTask(app, zammad, { sql_source: 'SELEC t.id AS zammad_id FROM tickets t' });
  const result = await runTask(app, taskId);
  t.is(result.params.type, 'danger');
  const log = await lastLog(taskId);
  t.is(log.status, 'failed');
  t.regex(log.log, /ERROR: The run failed: PostgreSQL: syntax error at or near/);
});

test.serial('two runs of one task started at once never overlap, and import every ticket once', async (t) => {
  const { taskId, sourceId } = await createTask(app, zammad);
  const results = await Promise.all([runTask(app, taskId), runTask(app, taskId)]);
  t.true(results.every((r) => ['success', 'warning'].includes(r.params.type)), JSON.stringify(results.map((r) => r.params)));
  t.is(await ticketCount(sourceId), TICKETS);
  const dup = await rows(app, 'SELECT zammad_id FROM helpdesk_ticket WHERE zammad_source_id = ? GROUP BY zammad_id HAVING count(*) > 1', [sourceId]);
  t.deepEqual(dup, []);
  const logs = await rows(app, 'SELECT start_run, end_run FROM base_external_import_log WHERE import_id = ? ORDER BY start_run', [taskId]);
  t.true(logs.length >= 1);
  for (let i = 1; i < logs.length; i++) t.true(String(logs[i].start_run) >= String(logs[i - 1].end_run), 'the second run started after the first ended');
  if (process.env.ERP_DB_URL) t.true(results.some((r) => r.params.title === 'Import already running'), 'on a server the second call found the lock taken');
});

test.serial('the shipped scheduled action "Zammad: import tickets" runs the enabled tasks', async (t) => {
  await app.db.knex('base_external_import_task').update({ enabled: false });
  const { taskId, sourceId } = await createTask(app, zammad);
  const cronId = await app.withEnv(SUPERUSER_ID, (env) => env.refId('base_external_import_zammad.ir_cron_zammad_import'));
  const [cron] = await rows(app, "SELECT name->>'en_US' AS name, interval_number, interval_type, active FROM ir_cron WHERE id = ?", [cronId]);
  t.deepEqual([cron.name, Number(cron.interval_number), cron.interval_type, cron.active], ['Zammad: import tickets', 5, 'minutes', true]);
  await app.db.knex('ir_cron').where({ id: cronId }).update({ nextcall: '2000-01-01 00:00:00' });
  const scheduler = startScheduler(app, { tickSeconds: 0.2 });
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !(await lastLog(taskId))) await new Promise((r) => setTimeout(r, 200));
  } finally {
    await scheduler.stop();
  }
  t.is(await ticketCount(sourceId), TICKETS);
  t.is((await lastLog(taskId))?.status, 'done');
});

test.serial('"Schedule import" creates the task\'s scheduled action once and opens it', async (t) => {
  const { taskId } = await createTask(app, zammad);
  const call = () => app.withEnv(SUPERUSER_ID, (env) => (env.model('base.external.import.task').browse([taskId]) as any).import_schedule());
  const first: any = await call();
  const second: any = await call();
  t.is(first.res_model, 'ir.cron');
  t.is(first.res_id, second.res_id);
  const [cron] = await rows(app, 'SELECT method, args, interval_number, interval_type FROM ir_cron WHERE id = ?', [first.res_id]);
  t.deepEqual([cron.method, cron.args, Number(cron.interval_number), cron.interval_type], ['cron_import_task', `(${taskId},)`, 5, 'minutes']);
});

test.serial('a ticket read twice by a custom query, in two batches, is imported once, its later row winning', async (t) => {
  // 600 tickets (a batch is 500), then the first one again: in the next batch, prepared while
  // the first batch may still be waiting for a writer.
  const query = `SELECT g AS zammad_id, 'Ticket ' || g AS title FROM generate_series(1, 600) AS g
    UNION ALL SELECT 1, 'Ticket 1, read again'`;
  const { taskId, sourceId } = await createTask(app, zammad, { sql_source: query });
  await runTask(app, taskId);
  const log = await lastLog(taskId);
  t.is(Number(log.error_count), 0, log.log);
  t.is(await ticketCount(sourceId), 600);
  const [one] = await rows(app, 'SELECT subject FROM helpdesk_ticket WHERE zammad_source_id = ? AND zammad_id = 1', [sourceId]);
  t.is(one.subject, 'Ticket 1, read again');
});
