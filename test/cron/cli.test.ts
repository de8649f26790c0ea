/**
 * `npm run cli -- install …`, `upgrade …` and `cron <xml id | id>` against a throw-away
 * database: a scheduled action runs by hand once, a failing one exits 1 with its error.
 * Serial: the commands share one database.
 */
import test from 'ava';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../core/config.ts';
import { openDatabase } from '../../core/db/index.ts';
import { cliSandbox, type CliSandbox } from '../helpers/cli.ts';

let box: CliSandbox;
let common: string[];
test.before(async () => {
  box = await cliSandbox();
  common = [...box.dbArgs, '--addons', 'base', '--addons-path', `${join(PROJECT_ROOT, 'addons')},${join(PROJECT_ROOT, 'test', 'fixtures', 'addons')}`, '--without-demo', '--admin-password', 'secret'];
});
test.after.always(async () => { await box?.dispose(); });

/** Reads the sandbox database while no CLI process holds it. */
async function counterValue(): Promise<number> {
  const [flag, value] = box.dbArgs;
  const db = await openDatabase(flag === '--db-url' ? { url: value } : { dataDir: value });
  try {
    const row = await db.knex('test_cron_counter').where({ name: 'default' }).first('count');
    return Number(row?.count ?? 0);
  } finally {
    await db.close();
  }
}

test.serial('install installs an addon with its dependencies', async (t) => {
  const r = await box.run(['install', 'test_cron', ...common], { timeoutMs: 120_000 });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /Installed: test_cron \(newly installed: base, test_cron, web\)/);
});

test.serial('cron runs one scheduled action now by XML id', async (t) => {
  const r = await box.run(['cron', 'test_cron.cron_increment', ...common]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /Scheduled action 'Test: increment the counter' \(\d+\) ran successfully/);
  t.is(await counterValue(), 1);
});

test.serial('cron of a failing action exits 1 with its error', async (t) => {
  const r = await box.run(['cron', 'test_cron.cron_crash', ...common]);
  t.is(r.code, 1);
  t.regex(r.stderr, /failed: UserError: boom/);
});

test.serial('cron of an unknown action is a clear error', async (t) => {
  const r = await box.run(['cron', 'test_cron.no_such_cron', ...common]);
  t.is(r.code, 1);
  t.regex(r.stderr, /Scheduled action 'test_cron.no_such_cron' not found/);
  const none = await box.run(['cron', ...common]);
  t.is(none.code, 2);
  t.regex(none.stderr, /'cron' needs one scheduled action/);
});

test.serial('upgrade reloads an installed addon and refuses one that is not installed', async (t) => {
  const ok = await box.run(['upgrade', 'test_cron', ...common]);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /Upgraded: test_cron/);
  const missing = await box.run(['upgrade', 'test_orm', ...common]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /Not installed: test_orm/);
});
