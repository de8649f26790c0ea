/**
 * A server killed (SIGKILL) in the middle of an import, then started again: every ticket ends
 * up imported exactly once, with all its messages. On a PostgreSQL server the killed run has
 * committed some batches (and its last sync); on PGlite the run was one transaction, undone.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { App } from '../../../core/app.ts';
import { bootApp } from '../../../core/app.ts';
import { PROJECT_ROOT } from '../../../core/config.ts';
import { openDatabase, PGLITE_PARSERS } from '../../../core/db/index.ts';
import { closeImportPools } from '../../../addons/base_external_import_zammad/index.ts';
import { closeAllPools } from '../../../addons/base_external_dbsource/index.ts';
import { testConfig } from '../../helpers/app.ts';
import { createTask, makeImportApp, makeZammad, rows, runTask, type ZammadSource } from './helpers.ts';

const onServer = !!process.env.ERP_DB_URL;
/** On a server, several batches of 500 (some committed when killed); on PGlite one transaction. */
const TICKETS = onServer ? 2500 : 1000;
let zammad: ZammadSource;
let app: App | undefined;
let dataDir: string | undefined;

test.before(async () => {
  zammad = await makeZammad(TICKETS);
});
test.after.always(async () => {
  await closeImportPools();
  await closeAllPools();
  await app?.close();
  await zammad?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const count = async (a: App, sourceId: number) => Number((await rows(a, 'SELECT count(*) AS n FROM helpdesk_ticket WHERE zammad_source_id = ?', [sourceId]))[0].n);

test('kill -9 in the middle of a run, then a new run: every ticket exactly once', async (t) => {
  t.timeout(10 * 60_000);
  app = await makeImportApp();
  const { taskId, sourceId } = await createTask(app, zammad);
  let where: string;
  if (onServer) {
    where = app.config.db_url;
  } else {
    // The child needs the database on disk: this one, copied into a data directory.
    const dump = await app.db.pglite!.dumpDataDir('gzip');
    await app.close();
    app = undefined;
    dataDir = mkdtempSync(join(tmpdir(), 'zammad-kill-'));
    const disk = await PGlite.create({ dataDir, loadDataDir: dump, parsers: PGLITE_PARSERS });
    await disk.close();
    where = dataDir;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test', 'addons', 'base_external_import_zammad', 'run-child.ts'), where, String(taskId)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ERP_LOG_LEVEL: 'error' } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 120_000;
  while (!out.includes('RUNNING') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (onServer) {
    // Killed once some batches are committed and others are not.
    while (Date.now() < deadline) {
      const n = await count(app!, sourceId);
      if (n > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  } else {
    await new Promise((r) => setTimeout(r, 1000));
  }
  child.kill('SIGKILL');
  await exited;
  t.false(out.includes('DONE'), 'the run was killed before it ended');
  if (!onServer) {
    const db = await openDatabase({ pglite: await PGlite.create({ dataDir: where, parsers: PGLITE_PARSERS }) });
    app = await bootApp({ ...testConfig({ addons: ['base_external_import_zammad'] }), data_dir: where }, { install: [], database: db });
  }
  const midway = await count(app!, sourceId);
  t.true(midway < TICKETS, `the killed run left ${midway} of ${TICKETS} tickets`);
  if (onServer) t.true(midway > 0, 'on a server the committed batches stay');
  await runTask(app!, taskId);
  t.is(await count(app!, sourceId), TICKETS);
  const dup = await rows(app!, 'SELECT zammad_id FROM helpdesk_ticket WHERE zammad_source_id = ? GROUP BY zammad_id HAVING count(*) > 1', [sourceId]);
  t.deepEqual(dup, []);
  const [src] = await zammad.sql('SELECT count(*) AS n FROM ticket_articles');
  const [msgs] = await rows(app!, `SELECT count(*) AS n, count(DISTINCT message_id) AS d FROM mail_message WHERE message_id LIKE '<zammad.%'`);
  t.is(Number(msgs.n), Number(src.n), 'every article once');
  t.is(Number(msgs.d), Number(src.n));
  const [log] = await rows(app!, 'SELECT status, error_count FROM base_external_import_log WHERE import_id = ? ORDER BY id DESC LIMIT 1', [taskId]);
  t.deepEqual([log.status, Number(log.error_count)], ['done', 0]);
});
