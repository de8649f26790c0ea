/**
 * HTTP benchmark (issue 3): the list view's request — `search_read` of 80 rows with three
 * filters, an order and a many2one name, over N rows — through the real server:
 *  - one client: p50/p99 over HTTP (/web/dataset/call_kw with a session cookie) beside the
 *    same call in-process (the HTTP layer's cost is the difference), and over XML-RPC;
 *  - C concurrent clients (keep-alive, a bounded load loop): requests/s and p50/p99 against
 *    this process's server (1 worker) and against `npm start -- --workers W` (the CLI's
 *    cluster, as production runs on this machine), beside a bare koa handler answering the
 *    same body on the same machine (the ceiling).
 * Seeding reuses bench/orm.ts (bench_orm addon, generated rows); the load generators are in
 * bench/load.ts (wrk, or a Node.js stand-in).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request, Agent, createServer, type Server } from 'node:http';
import { availableParallelism } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Koa from 'koa';
import { bootApp } from '../core/app.ts';
import { loadConfig, PROJECT_ROOT } from '../core/config.ts';
import { startHttpServer } from '../core/http/index.ts';
import { serializeMethodCall } from '../core/http/rpc/xml-rpc.ts';
import { hashPassword } from '../core/security/index.ts';
import { backendsCpuDelta, backendsCpuMs, treeCpuMs } from './cpu.ts';
import { load, type Target } from './load.ts';
import { seedTickets } from './orm.ts';
import { percentile, round, timeMany, type Row } from './stats.ts';

export interface HttpBenchOptions {
  dbUrl: string;
  /** Rows of bench.ticket to search in (seeded if missing). */
  rows: number;
  /** Samples of the single-client latency runs. */
  samples?: number;
  /** Concurrent clients of the load runs. */
  concurrency?: number;
  /** Duration of each load run, seconds. */
  seconds?: number;
  /** Server processes of the cluster run (default: one per CPU core). */
  workers?: number;
}

const DOMAIN = [['state', 'in', ['new', 'open']], ['priority', '>=', 2], ['partner_id', '!=', false]];
const FIELDS = ['name', 'state', 'priority', 'partner_id'];

/** One request over a keep-alive agent; resolves with the response body. */
function send(agent: Agent, t: Target): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: t.port, path: t.path, method: 'POST', agent, headers: { ...t.headers, 'content-length': Buffer.byteLength(t.body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(t.body);
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** `npm start -- --workers N` on the bench database; resolves with its port once it serves. */
async function startCluster(dbUrl: string, workers: number): Promise<{ child: ChildProcess; port: number }> {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'core', 'cli.ts'), 'start', '--db-url', dbUrl, '--addons', 'bench_orm',
    '--addons-path', `${join(PROJECT_ROOT, 'addons')},${join(PROJECT_ROOT, 'bench', 'addons')}`, '--workers', String(workers), '--http-port', String(port),
    '--http-interface', '127.0.0.1', '--log-level', 'warn', '--cron', 'false', '--without-demo'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the cluster did not start:\n${out}`)), 120_000);
    const onData = (c: Buffer) => { out += c; if (/server ready at/.test(out)) { clearTimeout(timer); resolve(); } };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the cluster exited (${code}) before serving:\n${out}`)); });
  });
  return { child, port };
}

function stopCluster(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) { resolve(); return; }
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

async function login(port: number, db: string): Promise<string> {
  const auth = await fetch(`http://127.0.0.1:${port}/web/session/authenticate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { db, login: 'admin', password: 'admin' }, id: 1 }) });
  const cookie = (auth.headers.get('set-cookie') ?? '').split(';')[0];
  if (!cookie) throw new Error(`login failed: ${await auth.text()}`);
  return cookie;
}

export async function benchHttp(opts: HttpBenchOptions): Promise<Row[]> {
  const samples = opts.samples ?? 300;
  const clients = opts.concurrency ?? 32;
  const seconds = opts.seconds ?? 10;
  const workers = opts.workers ?? availableParallelism();
  const { config } = loadConfig([], { ERP_LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv);
  const app = await bootApp({
    ...config, db_url: opts.dbUrl, demo: false, admin_password: 'admin', cron: false,
    addons: ['bench_orm'], addons_path: [...config.addons_path, join(PROJECT_ROOT, 'bench', 'addons')],
  });
  const server = await startHttpServer(app, { port: 0, host: '127.0.0.1', webClient: false });
  const bare = createServer();
  try {
    await seedTickets(app, opts.rows);
    // The bench logs in as admin/admin whatever the database had.
    await app.db.knex('res_users').where({ login: 'admin' }).update({ password: await hashPassword('admin') });
    const cookie = await login(server.port, config.db_name);

    const callKw: Target = {
      port: server.port, path: '/web/dataset/call_kw/bench.ticket/search_read',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params: { model: 'bench.ticket', method: 'search_read', args: [DOMAIN], kwargs: { fields: FIELDS, limit: 80, order: 'id desc', context: { lang: 'en_US', tz: 'UTC' } } } }),
    };
    const xmlRpc: Target = {
      port: server.port, path: '/xmlrpc/2/object', headers: { 'content-type': 'text/xml' },
      body: serializeMethodCall('execute_kw', [config.db_name, 2, 'admin', 'bench.ticket', 'search_read', [DOMAIN], { fields: FIELDS, limit: 80, order: 'id desc' }]),
    };
    const checkJson = (body: string) => { if (JSON.parse(body).result?.length !== 80) throw new Error(`unexpected answer: ${body.slice(0, 200)}`); };
    const checkXml = (body: string) => { if (!body.includes('<params>')) throw new Error(`unexpected answer: ${body.slice(0, 200)}`); };

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const inProcess = await timeMany(samples, () => app.withEnv(2, (env) => env.model('bench.ticket').search_read(DOMAIN, FIELDS, 0, 80, 'id desc')));
    const overHttp = await timeMany(samples, async () => checkJson(await send(agent, callKw)));
    const overXml = await timeMany(samples, async () => checkXml(await send(agent, xmlRpc)));
    agent.destroy();

    // One answer is checked in full; under load every answer must be a 200 of its size.
    const sample = await send(new Agent({ keepAlive: false }), callKw);
    checkJson(sample);
    const sampleBytes = Buffer.byteLength(sample);
    const koa = new Koa();
    koa.use((ctx) => { ctx.type = 'application/json'; ctx.body = sample; });
    bare.on('request', koa.callback());
    const barePort = await listen(bare);
    const bareTarget: Target = { ...callKw, port: barePort, path: '/bare' };

    const loaded = await load(callKw, clients, seconds, sampleBytes);
    const ceiling = await load(bareTarget, clients, seconds, sampleBytes);
    // Production on this machine: the CLI's cluster, one worker per core. This process's
    // own server stays idle meanwhile.
    const cluster = await startCluster(opts.dbUrl, workers);
    let clustered;
    let cpu: { server: number; db: number | undefined } = { server: 0, db: undefined };
    try {
      const clusterTarget: Target = { ...callKw, port: cluster.port, headers: { ...callKw.headers, cookie: await login(cluster.port, config.db_name) } };
      await load(clusterTarget, clients, 5, sampleBytes); // warm-up: connections, JIT, prepared statements
      const [serverBefore, dbBefore] = [treeCpuMs(cluster.child.pid!), await backendsCpuMs(app.db.knex)];
      clustered = await load(clusterTarget, clients, seconds, sampleBytes);
      const [serverAfter, dbAfter] = [treeCpuMs(cluster.child.pid!), await backendsCpuMs(app.db.knex)];
      cpu = { server: (serverAfter - serverBefore) / clustered.requests, db: dbBefore && dbAfter ? backendsCpuDelta(dbBefore, dbAfter) / clustered.requests : undefined };
    } finally {
      await stopCluster(cluster.child);
    }
    const n = opts.rows.toLocaleString('en');
    const i50 = percentile(inProcess, 50);
    return [
      { name: `HTTP call_kw search_read 80 of ${n}, 1 client, p50`, value: round(percentile(overHttp, 50)), unit: 'ms', reference: `in-process ORM p50 ${round(i50)} ms (HTTP layer +${round(percentile(overHttp, 50) - i50)} ms)` },
      { name: `HTTP call_kw search_read 80 of ${n}, 1 client, p99`, value: round(percentile(overHttp, 99)), unit: 'ms', reference: `in-process ORM p99 ${round(percentile(inProcess, 99))} ms` },
      { name: `XML-RPC execute_kw search_read 80 of ${n}, 1 client, p50`, value: round(percentile(overXml, 50)), unit: 'ms', reference: `p99 ${round(percentile(overXml, 99))} ms` },
      { name: `HTTP call_kw search_read 80 of ${n}, ${clients} clients, 1 worker`, value: round(loaded.rps, 0), unit: 'req/s', reference: `${loaded.generator} clients; bare koa handler, same body: ${round(ceiling.rps, 0)} req/s (ratio ${round(loaded.rps / ceiling.rps, 3)})${loaded.errors ? `; ${loaded.errors} errors` : ''}` },
      { name: `HTTP call_kw search_read 80 of ${n}, ${clients} clients, 1 worker, p50`, value: round(loaded.p50), unit: 'ms', reference: `bare koa p50 ${round(ceiling.p50)} ms` },
      { name: `HTTP call_kw search_read 80 of ${n}, ${clients} clients, 1 worker, p99`, value: round(loaded.p99), unit: 'ms', reference: `bare koa p99 ${round(ceiling.p99)} ms` },
      { key: `http.workers${workers}_req_s`, name: `HTTP call_kw search_read 80 of ${n}, ${clients} clients, --workers ${workers}`, value: round(clustered.rps, 0), unit: 'req/s', reference: `${clustered.generator} clients; bare koa handler ${round(ceiling.rps, 0)} req/s (ratio ${round(clustered.rps / ceiling.rps, 3)})${clustered.errors ? `; ${clustered.errors} errors` : ''}` },
      { name: `HTTP call_kw search_read 80 of ${n}, ${clients} clients, --workers ${workers}, p50`, value: round(clustered.p50), unit: 'ms', reference: `bare koa p50 ${round(ceiling.p50)} ms` },
      { key: `http.workers${workers}_p99_ms`, name: `HTTP call_kw search_read 80 of ${n}, ${clients} clients, --workers ${workers}, p99`, value: round(clustered.p99), unit: 'ms', reference: `bare koa p99 ${round(ceiling.p99)} ms` },
      // What one request costs in CPU on each side: with C cores, C / (server + database) ms
      // is the most any number of workers can answer per second on this machine.
      { key: 'http.server_cpu_ms_per_req', name: `CPU per request in the server (--workers ${workers})`, value: round(cpu.server, 3), unit: 'ms', reference: cpu.db !== undefined ? `PostgreSQL backends ${round(cpu.db, 3)} ms; ${availableParallelism()} cores allow at most ${round(availableParallelism() * 1000 / (cpu.server + cpu.db), 0)} req/s` : 'PostgreSQL is not on this machine' },
      { key: 'http.bare_koa_req_s', name: `bare koa handler answering the same body, ${clients} clients (the ceiling)`, value: round(ceiling.rps, 0), unit: 'req/s' },
    ];
  } finally {
    bare.close();
    await server.close();
    await app.close();
  }
}
