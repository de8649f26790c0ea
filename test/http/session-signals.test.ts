/**
 * Sessions cached across workers (PostgreSQL server only): each server process keeps the
 * sessions it has read while its LISTEN connection to `erp_session` is up, and drops them
 * when another process logs out, removes a session row or deactivates its user. Two HTTP
 * servers on one database stand for two workers. With the listener down, every request
 * reads its session again. Serial: the tests cut connections and switch triggers.
 */
import test from 'ava';
import { startHttpServer, type HttpServer } from '../../core/http/index.ts';
import { SESSION_CHANNEL } from '../../core/http/session.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { callKwHttp, createInternalUser, jsonCall, webLogin } from './helpers.ts';
import { within } from '../helpers/poll.ts';

const onServer = !!process.env.ERP_DB_URL;
const serverTest = onServer ? test.serial : test.serial.skip;

let a: TestServer;
let b: HttpServer;
test.before(async () => {
  if (!onServer) return;
  a = await startTestServer({ addons: ['base'], webClient: false });
  b = await startHttpServer(a.app, { port: 0, host: '127.0.0.1', webClient: false });
  for (const login of ['ana', 'bruno', 'carla', 'dario']) await createInternalUser(a.app, login);
});
test.after.always(async () => {
  await b?.close();
  await a?.close();
});

const sessionUid = async (url: string, cookie: string) => (await jsonCall(url, '/web/session/get_session_info', {}, cookie)).result?.uid ?? null;
const refused = async (url: string, cookie: string) => (await callKwHttp(url, cookie, 'res.partner', 'search_count', [[]])).error?.data?.name === 'odoo.http.SessionExpiredException';


/** Runs `fn` with the session signals switched off, so that only the cache can answer. */
async function withoutSignals<T>(fn: () => Promise<T>): Promise<T> {
  const knex = a.app.db.knex;
  await knex.raw('ALTER TABLE ir_session DISABLE TRIGGER USER');
  try {
    return await fn();
  } finally {
    await knex.raw('ALTER TABLE ir_session ENABLE TRIGGER USER');
  }
}

serverTest('the listener is up on both servers', (t) => {
  t.true(a.server.http.sessionListener?.live);
  t.true(b.http.sessionListener?.live);
});

serverTest('a session read once is served from the cache (the row gone unannounced is not noticed)', async (t) => {
  const cookie = await webLogin(a.url, 'ana', 'ana');
  t.truthy(await sessionUid(b.url, cookie));
  await withoutSignals(() => a.app.db.knex('ir_session').where('user_id', a.app.db.knex('res_users').select('id').where({ login: 'ana' })).delete());
  t.false(await refused(b.url, cookie), 'without a signal the cached session still answers');
});

serverTest('a logout on one worker is honoured by the other at once', async (t) => {
  const cookie = await webLogin(a.url, 'bruno', 'bruno');
  t.truthy(await sessionUid(b.url, cookie));
  t.false(await refused(b.url, cookie));
  await jsonCall(a.url, '/web/session/destroy', {}, cookie);
  const ms = await within(() => refused(b.url, cookie));
  t.true(ms >= 0 && ms < 500, `refused after ${ms} ms`);
});

serverTest('a user deactivated on one worker is refused by the other', async (t) => {
  const cookie = await webLogin(a.url, 'carla', 'carla');
  t.false(await refused(b.url, cookie));
  await a.app.withEnv(1, async (env) => {
    const user = await env.model('res.users').search([['login', '=', 'carla']]);
    await user.write({ active: false });
  });
  const ms = await within(() => refused(b.url, cookie));
  t.true(ms >= 0 && ms < 500, `refused after ${ms} ms`);
});

serverTest('with the listener cut, sessions are read at every request until it is back', async (t) => {
  const cookie = await webLogin(a.url, 'dario', 'dario');
  t.false(await refused(b.url, cookie));
  const listener = b.http.sessionListener!;
  const epoch = listener.epoch;
  await a.app.db.knex.raw('SELECT pg_terminate_backend(?)', [listener.backendPid]);
  t.true(await within(async () => !listener.live) >= 0, 'the lost connection is noticed');
  t.not(listener.epoch, epoch);
  // Gone without a signal: only a fresh read sees it.
  await withoutSignals(() => a.app.db.knex('ir_session').where('user_id', a.app.db.knex('res_users').select('id').where({ login: 'dario' })).delete());
  t.true(await refused(b.url, cookie));
  t.true(await within(async () => listener.live) >= 0, 'the listener reconnects');
  const again = await webLogin(a.url, 'dario', 'dario');
  t.false(await refused(b.url, again));
  await jsonCall(a.url, '/web/session/destroy', {}, again);
  t.true(await within(() => refused(b.url, again)) >= 0, 'signals work again after the reconnect');
});

serverTest('the triggers announce deleted and changed sessions and deactivated users', async (t) => {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: a.app.config.db_url });
  await client.connect();
  const got: string[] = [];
  client.on('notification', (m) => got.push(m.payload ?? ''));
  await client.query(`LISTEN ${SESSION_CHANNEL}`);
  try {
    const knex = a.app.db.knex;
    const [row] = await knex('ir_session').insert({ sid_hash: 'x'.repeat(64), csrf_token: 't', expiration: '2030-01-01 00:00:00' }).returning('id');
    await knex('ir_session').where({ id: row.id }).update({ last_seen: '2029-01-01 00:00:00' });
    await knex('ir_session').where({ id: row.id }).delete();
    await knex('ir_session').where({ id: -1 }).delete(); // nothing deleted: nothing said
    const uid = (await knex('res_users').where({ login: 'ana' }).first('id')).id;
    await knex('res_users').where({ id: uid }).update({ tz: 'UTC' }); // not `active`: nothing said
    await knex('res_users').where({ id: uid }).update({ active: false });
    await knex('res_users').where({ id: uid }).update({ active: true });
    await new Promise((r) => setTimeout(r, 200));
    t.deepEqual(got, [`s:${row.id}`, `s:${row.id}`, `u:${uid}`, `u:${uid}`]);
  } finally {
    await client.end();
  }
});
