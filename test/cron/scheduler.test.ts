/**
 * The scheduler in one process: claiming due jobs, running them as their user, advancing
 * nextcall (doall or not), numbercall, failures stored without stopping the others,
 * "Run manually", and the loop running beside HTTP requests without deadlock (PGlite's
 * single connection included). Serial: every test claims from the same ir_cron table.
 */
import test from 'ava';
import { addInterval, nextFutureCall, parseCronArgs, processNextJob, startScheduler, cronMethods } from '../../core/cron/index.ts';
import { formatDatetime, parseDatetime } from '../../core/orm/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { callKwHttp, createInternalUser, webLogin } from '../http/helpers.ts';

let srv: TestServer;
test.before(async () => {
  srv = await startTestServer({ addons: ['test_cron'], fixtures: true, webClient: false });
  // Only this fixture's jobs: base's own (group-count compaction) would run in between.
  await srv.app.db.knex('ir_cron').whereNotIn('id', (q) => q.from('ir_model_data').where({ model: 'ir.cron', module: 'test_cron' }).select('res_id')).update({ active: false });
  await createInternalUser(srv.app, 'employee');
});
test.after.always(async () => { await srv?.close(); });

const ago = (ms: number) => formatDatetime(new Date(Date.now() - ms));
const MIN = 60_000;

async function createCron(vals: Record<string, unknown>): Promise<number> {
  return srv.app.withEnv(1, async (env) => {
    const modelId = await env.refId('test_cron.model_test_cron_counter');
    const admin = await env.refId('base.user_admin');
    const rec = await env.model('ir.cron').create({ model_id: modelId, user_id: admin, interval_number: 1, interval_type: 'minutes', numbercall: -1, method: 'increment', ...vals });
    return rec.ids[0];
  });
}
const cron = (id: number) => srv.app.db.knex('ir_cron').where({ id }).first();
const counter = async (name: string) => Number((await srv.app.db.knex('test_cron_counter').where({ name }).first('count'))?.count ?? 0);
const runsOf = (name: string) => srv.app.db.knex('test_cron_run').where({ name }).orderBy('id').select();
const stamp = (v: unknown) => (v instanceof Date ? formatDatetime(v) : String(v).slice(0, 19));

async function runAllDue(): Promise<string[]> {
  const outcomes: string[] = [];
  for (;;) {
    const r = await processNextJob(srv.app);
    if (r.outcome === 'none') return outcomes;
    outcomes.push(`${r.job.name}:${r.outcome}`);
  }
}

test.serial('intervals: months follow the calendar, the next future call skips missed ones', (t) => {
  t.is(formatDatetime(addInterval(parseDatetime('2024-01-31 10:00:00')!, 1, 'months')), '2024-02-29 10:00:00');
  t.is(formatDatetime(addInterval(parseDatetime('2024-01-01 10:00:00')!, 2, 'weeks')), '2024-01-15 10:00:00');
  const now = parseDatetime('2024-01-01 12:30:00')!;
  t.is(formatDatetime(nextFutureCall(parseDatetime('2024-01-01 10:00:00')!, 1, 'hours', now)), '2024-01-01 13:00:00');
  t.is(formatDatetime(nextFutureCall(parseDatetime('2023-11-30 00:00:00')!, 1, 'months', now)), '2024-01-30 00:00:00');
});

test.serial('arguments are a Python-literal tuple', (t) => {
  t.deepEqual(parseCronArgs("('a', 5, {'k': True})"), ['a', 5, { k: true }]);
  t.deepEqual(parseCronArgs('()'), []);
  t.deepEqual(parseCronArgs(''), []);
  t.deepEqual(parseCronArgs('(7)'), [7]);
  t.throws(() => parseCronArgs('(__import__("os"),)'));
});

test.serial('the methods a job may call are the RPC ones and the model\'s _cron list', (t) => {
  const methods = cronMethods(srv.app.registry.get('test.cron.counter')!);
  t.true(methods.has('increment'));
  t.true(methods.has('search_read'));
  t.false(methods.has('_displayNames'));
});

test.serial('a due job runs once as its user, then nextcall moves to the next interval and lastcall is set', async (t) => {
  const id = await createCron({ name: 'once', args: "('once',)", nextcall: ago(30_000) });
  const before = await cron(id);
  t.deepEqual(await runAllDue(), ['once:ran']);
  t.is(await counter('once'), 1);
  const [run] = await runsOf('once');
  t.is(run.create_uid, 2, 'ran as the admin user');
  t.is(run.cron_id, id);
  const after = await cron(id);
  t.is(stamp(after.nextcall), formatDatetime(new Date(parseDatetime(stamp(before.nextcall))!.getTime() + MIN)));
  t.truthy(after.lastcall);
  t.deepEqual(await runAllDue(), [], 'not due any more');
});

test.serial('missed occurrences: doall runs each of them, otherwise one run skips to the next future time', async (t) => {
  const all = await createCron({ name: 'doall', args: "('doall',)", nextcall: ago(3.5 * MIN), doall: true });
  const skip = await createCron({ name: 'skip', args: "('skip',)", nextcall: ago(3.5 * MIN), doall: false });
  await runAllDue();
  t.is(await counter('doall'), 4);
  t.is(await counter('skip'), 1);
  for (const id of [all, skip]) {
    const next = parseDatetime(stamp((await cron(id)).nextcall))!;
    t.true(next.getTime() > Date.now() && next.getTime() <= Date.now() + MIN);
  }
  const occurrences = (await runsOf('doall')).map((r: any) => r.occurrence);
  t.is(new Set(occurrences).size, 4, 'each missed occurrence once');
});

test.serial('numbercall counts down and the job becomes inactive at zero', async (t) => {
  const id = await createCron({ name: 'twice', args: "('twice',)", nextcall: ago(10 * MIN), numbercall: 2, doall: true });
  await runAllDue();
  t.is(await counter('twice'), 2);
  const row = await cron(id);
  t.is(row.numbercall, 0);
  t.is(row.active, false);
});

test.serial('a crashing job is rolled back, its error stored, and the other jobs still run', async (t) => {
  const crash = await srv.app.withEnv(1, (env) => env.refId('test_cron.cron_crash'));
  await srv.app.db.knex('ir_cron').where({ id: crash }).update({ nextcall: ago(MIN), priority: 0 });
  const ok = await createCron({ name: 'after crash', args: "('after-crash',)", nextcall: ago(MIN), priority: 10 });
  const outcomes = await runAllDue();
  t.deepEqual(outcomes, ['Test: crash:failed', 'after crash:ran']);
  const row = await cron(crash);
  t.regex(row.last_error, /UserError: boom: the crashing job failed on purpose/);
  t.is(row.failure_count, 1);
  t.true(parseDatetime(stamp(row.nextcall))!.getTime() > Date.now(), 'a failed job is still advanced');
  t.is(await srv.app.db.knex('test_cron_counter').where('name', 'like', 'crash-%').count({ n: '*' }).first().then((r: any) => Number(r.n)), 0, 'its work was rolled back');
  t.is(await counter('after-crash'), 1);
  t.truthy(await cron(ok));
});

test.serial('a job calling an undeclared or private method fails with a clear stored error', async (t) => {
  const priv = await createCron({ name: 'private', method: '_displayNames', nextcall: ago(MIN) });
  const undeclared = await createCron({ name: 'undeclared', method: 'checkAccessRule', args: "('read',)", nextcall: ago(MIN) });
  const badArgs = await createCron({ name: 'bad args', args: "('unclosed", nextcall: ago(MIN) });
  await runAllDue();
  t.regex((await cron(priv)).last_error, /private methods \(such as _displayNames\) cannot be scheduled/);
  t.regex((await cron(undeclared)).last_error, /checkAccessRule\(\) does not exist or is not declared in _rpc or _cron/);
  t.regex((await cron(badArgs)).last_error, /ValidationError/);
});

test.serial('Scheduled Actions views: the interval is editable, the form has "Run manually" and the last error', async (t) => {
  const admin = await webLogin(srv.url, 'admin', 'admin');
  const views = await callKwHttp(srv.url, admin, 'ir.cron', 'get_views', [[[false, 'list'], [false, 'form'], [false, 'search']]], {});
  const { list, form, search } = views.result.views;
  t.regex(list.arch, /<field name="interval_number"\/>/);
  t.regex(list.arch, /<field name="nextcall"\/>/);
  t.regex(form.arch, /<button name="method_direct_trigger" type="object" string="Run manually"/);
  t.regex(form.arch, /<field name="last_error"\/>/);
  t.regex(search.arch, /name="failing"/);
  const fields = views.result.models['ir.cron'];
  t.false(fields.interval_number.readonly);
  t.false(fields.interval_type.readonly);
  t.true(fields.last_error.readonly);
  const edited = await callKwHttp(srv.url, admin, 'ir.cron', 'write', [[await createCron({ name: 'edit me', nextcall: '2099-01-01 00:00:00' })], { interval_number: 5, interval_type: 'hours' }]);
  t.is(edited.result, true);
});

test.serial('"Run manually" (method_direct_trigger) runs the job now for an administrator only', async (t) => {
  const id = await createCron({ name: 'manual', args: "('manual',)", nextcall: '2099-01-01 00:00:00' });
  const admin = await webLogin(srv.url, 'admin', 'admin');
  const r = await callKwHttp(srv.url, admin, 'ir.cron', 'method_direct_trigger', [[id]]);
  t.is(r.result, true);
  t.is(await counter('manual'), 1);
  t.is(stamp((await cron(id)).nextcall), '2099-01-01 00:00:00', 'the schedule is unchanged');
  const employee = await webLogin(srv.url, 'employee', 'employee');
  const denied = await callKwHttp(srv.url, employee, 'ir.cron', 'method_direct_trigger', [[id]]);
  t.is(denied.error?.data.name, 'odoo.exceptions.AccessError');
  const crash = await srv.app.withEnv(1, (env) => env.refId('test_cron.cron_crash'));
  const failed = await callKwHttp(srv.url, admin, 'ir.cron', 'method_direct_trigger', [[crash]]);
  t.regex(failed.error?.data.message ?? '', /boom/);
  t.is(await counter('manual'), 1);
});

test.serial('the node-schedule loop runs due jobs while HTTP requests are served (no deadlock)', async (t) => {
  const cookie = await webLogin(srv.url, 'admin', 'admin');
  const id = await createCron({ name: 'timer', args: "('timer', 500)", nextcall: ago(1000) });
  const scheduler = startScheduler(srv.app, { tickSeconds: 0.1 });
  const results: unknown[] = [];
  try {
    const deadline = Date.now() + 15_000;
    while (((await counter('timer')) < 1 || results.length < 5) && Date.now() < deadline) {
      results.push((await callKwHttp(srv.url, cookie, 'res.partner', 'search_count', [[]])).result);
    }
  } finally {
    await scheduler.stop();
  }
  t.is(await counter('timer'), 1);
  t.true(results.length >= 5);
  t.true(results.every((r) => typeof r === 'number'), 'every request answered while the job ran');
  t.true(parseDatetime(stamp((await cron(id)).nextcall))!.getTime() > Date.now());
  t.true(scheduler.processed >= 1);
});
