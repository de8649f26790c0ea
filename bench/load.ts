/**
 * Load generators of the HTTP benchmark: C keep-alive clients sending one request for S
 * seconds, every answer checked (status 200 and the byte size of an answer verified in
 * full beforehand), giving requests/s and latency percentiles.
 *
 * wrk (Debian's package, installed on first use like the test command installs Chromium)
 * is the generator: on a 2-core machine the clients share the cores with the server, and
 * wrk's C event loop costs a fraction of what a Node.js client does, so more of the machine
 * measures the server. Where wrk cannot be had, a Node.js generator in a worker thread
 * stands in, and the result says so.
 */
import { execFileSync, execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { percentile } from './stats.ts';

export interface Target { port: number; path: string; body: string; headers: Record<string, string> }

export interface LoadResult {
  rps: number;
  /** Requests answered during the run. */
  requests: number;
  p50: number;
  p99: number;
  /** Failed requests and answers that were not a 200 of the expected size. */
  errors: number;
  generator: 'wrk' | 'node';
}

let wrkPath: string | null | undefined;

/** wrk's path, installing Debian's package when missing and allowed; null when unavailable. */
function findWrk(): string | null {
  if (wrkPath !== undefined) return wrkPath;
  const where = () => { try { return execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim() || null; } catch { return null; } };
  wrkPath = where();
  if (!wrkPath && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    process.stderr.write('  installing wrk (apt-get install wrk) for the load runs…\n');
    try {
      execSync('DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)', { stdio: 'inherit' });
    } catch { /* falls back below */ }
    wrkPath = where();
  }
  if (!wrkPath) process.stderr.write('  wrk is not available: the Node.js load generator stands in\n');
  return wrkPath;
}

/** `clients` keep-alive connections sending `t` for `seconds`; each answer must be `expectBytes` long. */
export function load(t: Target, clients: number, seconds: number, expectBytes: number): Promise<LoadResult> {
  const wrk = findWrk();
  return wrk ? wrkLoad(wrk, t, clients, seconds, expectBytes) : nodeLoad(t, clients, seconds, expectBytes);
}

const lua = (s: string) => JSON.stringify(s); // a JSON string literal is a valid Lua string literal here (ASCII)

async function wrkLoad(wrk: string, t: Target, clients: number, seconds: number, expectBytes: number): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'erp-wrk-'));
  const script = join(dir, 'request.lua');
  writeFileSync(script, `
wrk.method = "POST"
wrk.body = ${lua(t.body)}
${Object.entries(t.headers).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`).join('\n')}
-- Each wrk thread runs its own Lua state: threads count their bad answers, done() sums them.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status == 200 and #body ~= ${expectBytes} then bad = bad + 1 end -- other statuses: summary.errors.status
end
function done(summary, latency, requests)
  local e, wrong = summary.errors, 0
  for _, thread in ipairs(threads) do wrong = wrong + thread:get("bad") end
  io.write(string.format("RESULT %d %d %d %d %f %f\\n", summary.requests, summary.duration,
    wrong, e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(99)))
end
`);
  try {
    // One thread: the server needs the other core more than the clients do.
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(wrk, ['-t1', `-c${clients}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, `http://127.0.0.1:${t.port}${t.path}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (c) => (text += c));
      child.stderr.on('data', (c) => (text += c));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`))));
    });
    const m = /RESULT (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)/.exec(out);
    if (!m) throw new Error(`unexpected wrk output:\n${out}`);
    const [requests, micros, bad, failed, p50, p99] = m.slice(1).map(Number);
    return { rps: requests / (micros / 1e6), requests, p50: p50 / 1000, p99: p99 / 1000, errors: bad + failed, generator: 'wrk' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Node.js stand-in, in a worker thread so it does not share an event loop with a server. */
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { target, clients, seconds, expectBytes } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
function send() {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: target.port, path: target.path, method: 'POST', agent,
      headers: { ...target.headers, 'content-length': Buffer.byteLength(target.body) } }, (res) => {
      let bytes = 0;
      res.on('data', (c) => { bytes += c.length; });
      res.on('end', () => (res.statusCode === 200 && bytes === expectBytes ? resolve() : reject(new Error('HTTP ' + res.statusCode + ', ' + bytes + ' bytes'))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(target.body);
  });
}
(async () => {
  const latencies = [];
  let errors = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try { await send(); latencies.push(performance.now() - t0); } catch { errors++; }
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  parentPort.postMessage({ latencies, errors, elapsed });
})().catch((err) => parentPort.postMessage({ error: String(err) }));
`;

function nodeLoad(t: Target, clients: number, seconds: number, expectBytes: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { target: t, clients, seconds, expectBytes } });
    worker.once('error', reject);
    worker.once('message', (m: { latencies: number[]; errors: number; elapsed: number; error?: string }) => {
      void worker.terminate();
      if (m.error) { reject(new Error(m.error)); return; }
      const lat = m.latencies.sort((a, b) => a - b);
      resolve({ rps: lat.length / m.elapsed, requests: lat.length, p50: percentile(lat, 50), p99: percentile(lat, 99), errors: m.errors, generator: 'node' });
    });
  });
}
