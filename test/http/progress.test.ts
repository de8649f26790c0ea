/**
 * /web/progress: a long call reporting progress (context.progress_key) is visible to
 * another request while the call's transaction is still open, and finished once it returns.
 */
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { reportProgress } from '../../core/http/index.ts';
import type { Environment } from '../../core/orm/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { callKwHttp, createInternalUser, jsonCall, webLogin } from './helpers.ts';

let srv: TestServer;
let release: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();

test.before(async () => {
  srv = await startTestServer({ addons: ['base'], webClient: false });
  await createInternalUser(srv.app, 'employee');
  const cls = srv.app.registry.get('res.partner')! as any;
  cls._meta.rpc.set('test_long_job', 'model');
  cls.prototype.test_long_job = async function (this: { env: Environment }) {
    await reportProgress(this.env, 1, 5, 'first partner');
    await gate;
    await reportProgress(this.env, 5, 5, 'all done');
    return 'ok';
  };
});
test.after.always(async () => { await srv?.close(); });

async function pollUntil(cookie: string, key: string, pred: (s: any) => boolean, timeoutMs = 10_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await jsonCall(srv.url, '/web/progress', { key }, cookie);
    if (r.error) throw new Error(r.error.data.message);
    if (pred(r.result)) return r.result;
    if (Date.now() > deadline) throw new Error(`progress never matched: ${JSON.stringify(r.result)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

test.serial('a running call reports its progress to another request, then finishes', async (t) => {
  const cookie = await webLogin(srv.url, 'admin', 'admin');
  const key = randomUUID();
  gate = new Promise((res) => { release = res; });
  t.deepEqual((await jsonCall(srv.url, '/web/progress', { key }, cookie)).result, { done: 0, total: 0, message: '', finished: false }, 'unknown key: nothing yet');
  const call = callKwHttp(srv.url, cookie, 'res.partner', 'test_long_job', [], { context: { progress_key: key } });
  const during = await pollUntil(cookie, key, (s) => s.done === 1);
  t.deepEqual(during, { done: 1, total: 5, message: 'first partner', finished: false });
  release();
  t.is((await call).result, 'ok');
  const after = await pollUntil(cookie, key, (s) => s.finished);
  t.deepEqual(after, { done: 5, total: 5, message: 'all done', finished: true });
});

test.serial('another user cannot read the progress of my call', async (t) => {
  const cookie = await webLogin(srv.url, 'admin', 'admin');
  const key = randomUUID();
  gate = Promise.resolve();
  await callKwHttp(srv.url, cookie, 'res.partner', 'test_long_job', [], { context: { progress_key: key } });
  const mine = await jsonCall(srv.url, '/web/progress', { key }, cookie);
  t.is(mine.result.finished, true);
  const other = await jsonCall(srv.url, '/web/progress', { key }, await webLogin(srv.url, 'employee', 'employee'));
  t.deepEqual(other.result, { done: 0, total: 0, message: '', finished: false });
});

test.serial('a failing call is marked finished too', async (t) => {
  const cookie = await webLogin(srv.url, 'admin', 'admin');
  const key = randomUUID();
  gate = Promise.reject(new Error('stopped'));
  gate.catch(() => undefined);
  const r = await callKwHttp(srv.url, cookie, 'res.partner', 'test_long_job', [], { context: { progress_key: key } });
  t.truthy(r.error);
  t.like((await jsonCall(srv.url, '/web/progress', { key }, cookie)).result, { done: 1, total: 5, finished: true });
});

test.serial('/web/progress needs a session', async (t) => {
  const r = await jsonCall(srv.url, '/web/progress', { key: 'x' });
  t.is(r.error!.data.name, 'odoo.http.SessionExpiredException');
});

test.serial('reportProgress without a progress_key does nothing', async (t) => {
  const count = async () => Number((await srv.app.db.knex('ir_progress').count({ n: '*' }).first() as any).n);
  const before = await count();
  await srv.app.withEnv(2, (env) => reportProgress(env, 3, 4, 'ignored'));
  t.is(await count(), before);
  const key = randomUUID();
  await srv.app.withEnv(2, (env) => reportProgress(env.withContext({ progress_key: key }), 3, 4, 'kept'));
  const cookie = await webLogin(srv.url, 'admin', 'admin');
  t.like((await jsonCall(srv.url, '/web/progress', { key }, cookie)).result, { done: 3, total: 4, message: 'kept' });
});
