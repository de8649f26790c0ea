/**
 * Every occurrence of every job runs exactly once when several schedulers poll the same
 * database: with ERP_DB_URL, two server processes (child processes booting their own app
 * on the same PostgreSQL database); on PGlite (one process by design), two schedulers in
 * this process sharing the single connection.
 *
 * Rounds: all jobs are made due (nextcall in the past), the test waits until every one has
 * been advanced, and repeats. Each job run logs (job, occurrence, pid); after R rounds each
 * counter must be exactly R, no (job, occurrence) twice, and the crashing job's failures
 * counted R times without stopping the others.
 */
import test from 'ava';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { App } from '../../core/app.ts';
import { PROJECT_ROOT } from '../../core/config.ts';
import { startScheduler, type Scheduler } from '../../core/cron/index.ts';
import { formatDatetime } from '../../core/orm/index.ts';
import { makeTestApp } from '../helpers/app.ts';

const ROUNDS = 4;
const JOBS = 5;
const onServer = !!process.env.ERP_DB_URL;
let app: App;
const children: ChildProcess[] = [];
const local: Scheduler[] = [];

test.before(async () => {
  app = await makeTestApp({ addons: ['test_cron'], fixtures: true });
  // Only this fixture's jobs: base's own (group-count compaction) would run in between.
  await app.db.knex('ir_cron').whereNotIn('id', (q) => q.from('ir_model_data').where({ model: 'ir.cron', module: 'test_cron' }).select('res_id')).update({ active: false });
});
test.after.always(async () => {
  for (const s of local) await s.stop();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await app?.close();
});

function startWorker(dbUrl: string): Promise<ChildProcess> {
  const child = fork(join(PROJECT_ROOT, 'test', 'cron', 'worker.ts'), [dbUrl], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ERP_LOG_LEVEL: 'silent' } });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker did not start in 60 s')), 60_000);
    child.once('message', (m: any) => { if (m?.ready) { clearTimeout(timer); resolve(child); } });
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}

function stopWorker(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.on('message', (m: any) => { if (m?.stopped) resolve(m.processed); });
    child.send('stop');
  });
}

async function waitAllAdvanced(ids: number[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const due = await app.db.knex('ir_cron').whereIn('id', ids).where('nextcall', '<=', formatDatetime(new Date())).count({ n: '*' }).first();
    if (Number((due as any).n) === 0) return;
    if (Date.now() > deadline) throw new Error(`${(due as any).n} jobs still due after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test(`each occurrence runs exactly once with two ${onServer ? 'server processes' : 'schedulers'} polling`, async (t) => {
  const ids = await app.withEnv(1, async (env) => {
    const modelId = await env.refId('test_cron.model_test_cron_counter');
    const admin = await env.refId('base.user_admin');
    const created: number[] = [];
    for (let i = 1; i <= JOBS; i++) {
      const rec = await env.model('ir.cron').create({
        name: `exactly once ${i}`, model_id: modelId, user_id: admin, method: 'increment', args: `('job${i}', 60)`,
        interval_number: 1, interval_type: 'minutes', nextcall: '2099-01-01 00:00:00',
      });
      created.push(rec.ids[0]);
    }
    return created;
  });
  const crashId = await app.withEnv(1, (env) => env.refId('test_cron.cron_crash'));
  const all = [...ids, crashId];

  if (onServer) {
    // One after the other, as the CLI's cluster mode starts its workers.
    await startWorker(app.config.db_url);
    await startWorker(app.config.db_url);
  } else {
    local.push(startScheduler(app, { tickSeconds: 0.1 }), startScheduler(app, { tickSeconds: 0.1 }));
  }
  for (let round = 0; round < ROUNDS; round++) {
    // A distinct past time per round, so each round's occurrence has its own timestamp.
    await app.db.knex('ir_cron').whereIn('id', all).update({ nextcall: formatDatetime(new Date(Date.now() - 1000 - round * 10_000)) });
    await waitAllAdvanced(all);
  }
  let processed: number[];
  if (onServer) processed = await Promise.all(children.map(stopWorker));
  else {
    for (const s of local) await s.stop();
    processed = local.map((s) => s.processed);
  }

  const counters = await app.db.knex('test_cron_counter').whereIn('name', ids.map((_, i) => `job${i + 1}`)).orderBy('name').select('name', 'count');
  t.deepEqual(counters.map((c: any) => c.count), Array(JOBS).fill(ROUNDS), 'every job ran once per round');
  const runs = await app.db.knex('test_cron_run').whereIn('cron_id', ids).select('cron_id', 'occurrence', 'pid');
  t.is(runs.length, JOBS * ROUNDS);
  t.is(new Set(runs.map((r: any) => `${r.cron_id}@${r.occurrence}`)).size, JOBS * ROUNDS, 'no occurrence ran twice');
  const crash = await app.db.knex('ir_cron').where({ id: crashId }).first('failure_count', 'last_error');
  t.is(crash.failure_count, ROUNDS);
  t.regex(crash.last_error, /boom/);
  t.is(processed.reduce((a, b) => a + b, 0), (JOBS + 1) * ROUNDS, 'claims across schedulers add up');
  if (onServer) t.is(new Set(runs.map((r: any) => r.pid)).size, 2, 'both processes ran jobs');
});
