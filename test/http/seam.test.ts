/**
 * The addon seam: an installed addon's controllers are mounted, its services start with the
 * server and stop with it, and its CLI commands run from `npm run cli`; an addon that is
 * not installed contributes no route.
 */
import test from 'ava';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../core/config.ts';
import { startAddonServices, type Service } from '../../core/http/index.ts';
import { cliSandbox, type CliSandbox } from '../helpers/cli.ts';
import { startTestServer } from '../helpers/server.ts';
import { state } from '../fixtures/addons/test_seam/index.ts';

function tcpEcho(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let got = '';
    socket.on('data', (d) => { got += d; });
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
  });
}

test.serial('an installed addon\'s controller answers and its service runs until the server closes', async (t) => {
  const srv = await startTestServer({ addons: ['test_seam'], fixtures: true, webClient: false, services: true });
  try {
    const res = await fetch(`${srv.url}/test_seam/ping`);
    t.is(res.status, 200);
    const body = await res.json();
    t.true(body.pong);
    t.true(body.users >= 1, 'the route reaches the database through the app');
    t.true(state.port > 0, 'the service listens');
    t.is(await tcpEcho(state.port, 'hello'), 'hello');
    // The web client's routes come the same way (the server-wide addon `web`).
    t.is((await fetch(`${srv.url}/web/login`)).status, 200);
  } finally {
    await srv.close();
  }
  const port = state.port;
  t.is(port, 0, 'the service was stopped with the server');
  t.is(state.starts, state.stops);
});

test.serial('services start only when asked; routes of addons that are not installed do not exist', async (t) => {
  const starts = state.starts;
  const srv = await startTestServer({ addons: ['base'], fixtures: true, webClient: false });
  try {
    t.is((await fetch(`${srv.url}/test_seam/ping`)).status, 404);
    t.is(state.starts, starts);
    t.is((await fetch(`${srv.url}/web/health`)).status, 200, 'the health check is the core\'s');
  } finally {
    await srv.close();
  }
});

test.serial('a service that fails to start stops those already started and reports the error', async (t) => {
  const srv = await startTestServer({ addons: ['test_seam'], fixtures: true, webClient: false });
  try {
    const failing: Service = { name: 'test.failing', start: async () => { throw new Error('port taken'); } };
    srv.app.loaded.addons.push({ manifest: { ...srv.app.loaded.addons[0].manifest, name: 'zz_failing' }, path: '', module: { services: [failing] } });
    const stops = state.stops;
    await t.throwsAsync(() => startAddonServices(srv.app), { message: 'port taken' });
    t.is(state.stops, stops + 1, 'the echo service started before it was stopped again');
    t.is(state.port, 0);
    srv.app.loaded.addons.pop();
  } finally {
    await srv.close();
  }
});

let box: CliSandbox;
test.before(async () => { box = await cliSandbox(); });
test.after.always(async () => { await box?.dispose(); });
const addonsPath = ['--addons-path', `${join(PROJECT_ROOT, 'addons')},${join(PROJECT_ROOT, 'test', 'fixtures', 'addons')}`];

test('an addon\'s command runs from the CLI with the settings applied, and --help lists it', async (t) => {
  const run = await box.run(['seam-echo', 'one', 'two', ...addonsPath, '--db-name', 'mydb']);
  t.is(run.code, 0, run.stderr);
  t.is(run.stdout.trim(), 'one two @mydb');
  const failed = await box.run(['seam-echo', '--fail', ...addonsPath]);
  t.is(failed.code, 3);
  t.regex(failed.stderr, /failing as asked/);
  const help = await box.run(['--help', ...addonsPath]);
  t.regex(help.stdout, /seam-echo <words…>\s+Prints its arguments.*\(addon test_seam\)/);
  const own = await box.run(['seam-echo', '--help', ...addonsPath]);
  t.regex(own.stdout, /Usage: npm run cli -- seam-echo <words…>/);
});

test('an unknown command names the commands there are', async (t) => {
  const r = await box.run(['no-such-command', ...addonsPath]);
  t.is(r.code, 2);
  t.regex(r.stderr, /Unknown command 'no-such-command': expected start, install, upgrade, cron, .*\bseam-echo\b/);
  t.regex(r.stderr, /\bzammad-demo\b/, 'every addon on the path brings its commands');
});
