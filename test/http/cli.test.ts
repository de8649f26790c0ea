/**
 * The command line: --help, bad configuration (one line, exit code 2, no stack trace), and
 * `start` serving /web/health, /web/login and a JSON-RPC login, closing cleanly on SIGTERM.
 */
import test from 'ava';
import { cliSandbox, type CliSandbox } from '../helpers/cli.ts';

let box: CliSandbox;
test.before(async () => { box = await cliSandbox(); });
test.after.always(async () => { await box?.dispose(); });

test('--help lists every option with its environment variable', async (t) => {
  const r = await box.run(['--help']);
  t.is(r.code, 0);
  for (const flag of ['--db-url', '--data-dir', '--http-port', '--workers', '--limit-request-mb', '--without-demo']) t.true(r.stdout.includes(flag), flag);
  t.regex(r.stdout, /ERP_HTTP_PORT/);
  t.regex(r.stdout, /cron <xml id or id>/);
});

const badConfig: Array<[string, string[], RegExp]> = [
  ['a non-numeric port', ['start', '--http-port', 'abc'], /http_port .*'abc' is not a whole number/],
  ['an unknown option', ['start', '--no-such-option', '1'], /Unknown option --no-such-option/],
  ['an unknown command', ['serve'], /Unknown command 'serve'/],
  ['several workers without PostgreSQL', ['start', '--workers', '2', '--db-url', ''], /Several workers need a PostgreSQL server/],
  ['a database URL that is not PostgreSQL', ['start', '--db-url', 'mysql://x'], /Invalid db_url/],
];
for (const [name, args, message] of badConfig) {
  test(`${name} is one clear line on stderr and exit code 2`, async (t) => {
    const r = await box.run(args);
    t.is(r.code, 2);
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.notRegex(r.stderr, /\n\s+at /);
  });
}

test('a database that cannot be reached is a clear error, exit code 2', async (t) => {
  const r = await box.run(['start', '--db-url', 'postgres://nobody@127.0.0.1:1/none']);
  t.is(r.code, 2);
  t.regex(r.stderr, /cannot connect to the database/);
});

test('start serves health, the login page and the External API, then stops on SIGTERM', async (t) => {
  const { child, match, output } = await box.spawnUntil(['start', ...box.dbArgs, '--addons', 'base', '--http-port', '0', '--http-interface', '127.0.0.1'], /ready at (http:\/\/[\d.]+:\d+)[^\n]*\n(Demo logins:\n(?:.*\n)*)?/, 120_000);
  const url = match[1];
  t.deepEqual(await (await fetch(`${url}/web/health`)).json(), { status: 'pass' });
  t.regex(await (await fetch(`${url}/web/login`)).text(), /name="csrf_token"/);
  const auth = await fetch(`${url}/jsonrpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service: 'common', method: 'authenticate', args: ['helpdesk', 'admin', 'admin', {}] }, id: 1 }) });
  t.is((await auth.json()).result, 2);
  t.regex(output(), /admin \/ admin/, 'the demo login that exists is printed');
  t.notRegex(output(), /tecnico \/ tecnico/, 'logins that do not exist are not printed');
  const code = await new Promise<number | null>((resolve) => { child.on('exit', (c) => resolve(c)); child.kill('SIGTERM'); });
  t.is(code, 0);
});
