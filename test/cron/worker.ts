/**
 * A second server process for the exactly-once test: boots the app on an existing
 * PostgreSQL test database (no install) and runs the scheduler until told to stop.
 *   fork('test/cron/worker.ts', [dbUrl], { execArgv: ['--import', 'tsx'] })
 * Messages: sends {ready: true} once ticking, {stopped: true, processed} after 'stop'.
 */
import { bootApp } from '../../core/app.ts';
import { startScheduler } from '../../core/cron/index.ts';
import { testConfig } from '../helpers/app.ts';

const dbUrl = process.argv[2];
if (!dbUrl) throw new Error('usage: worker.ts <db_url>');
const app = await bootApp({ ...testConfig({ addons: ['test_cron'], fixtures: true }), db_url: dbUrl }, { install: [] });
const scheduler = startScheduler(app, { tickSeconds: 0.1 });
process.on('message', async (msg) => {
  if (msg !== 'stop') return;
  await scheduler.stop();
  await app.close();
  process.send?.({ stopped: true, processed: scheduler.processed }, () => process.exit(0));
});
process.send?.({ ready: true, pid: process.pid });
