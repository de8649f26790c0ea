/**
 * A custom query that reads tickets again in a later batch: that batch's look-ahead may run
 * while the earlier batch is still writing, so it looks up the tickets already imported at its
 * turn instead — every ticket once, no error.
 */
import test from 'ava';
import type { App } from '../../../core/app.ts';
import { closeImportPools } from '../../../addons/base_external_import_zammad/index.ts';
import { DEFAULT_QUERY } from '../../../addons/base_external_import_zammad/import/mapping.ts';
import { BATCH_SIZE } from '../../../addons/base_external_import_zammad/import/run.ts';
import { closeAllPools } from '../../../addons/base_external_dbsource/index.ts';
import { createTask, makeImportApp, makeZammad, rows, runTask, type ZammadSource } from './helpers.ts';

const TICKETS = BATCH_SIZE + 20;
const AGAIN = 100;
let app: App;
let zammad: ZammadSource;

test.before(async () => {
  [app, zammad] = await Promise.all([makeImportApp(), makeZammad(TICKETS, { articlesPerTicket: 1 })]);
});
test.after.always(async () => {
  await closeImportPools();
  await closeAllPools();
  await app?.close();
  await zammad?.drop();
});

test.serial('tickets read again by a later batch are imported once, without errors', async (t) => {
  // Every ticket, then the first AGAIN of them again: the second batch holds those.
  const query = `SELECT * FROM (${DEFAULT_QUERY}) AS every_ticket UNION ALL SELECT * FROM (${DEFAULT_QUERY} LIMIT ${AGAIN}) AS again`;
  const { taskId, sourceId } = await createTask(app, zammad, { sql_source: query });
  await runTask(app, taskId);
  const [log] = await rows(app, 'SELECT status, record_count, error_count, log FROM base_external_import_log WHERE import_id = ? ORDER BY id DESC LIMIT 1', [taskId]);
  t.is(log.status, 'done', log.log);
  t.is(Number(log.error_count), 0, log.log);
  t.is(Number(log.record_count), TICKETS + AGAIN);
  const [n] = await rows(app, 'SELECT count(*) AS n, count(DISTINCT zammad_id) AS d FROM helpdesk_ticket WHERE zammad_source_id = ?', [sourceId]);
  t.is(Number(n.n), TICKETS);
  t.is(Number(n.d), TICKETS);
  const [m] = await rows(app, `SELECT count(*) AS n FROM mail_message WHERE message_id LIKE '<zammad.%'`);
  t.is(Number(m.n), TICKETS, 'each article once');
});
