/**
 * Start-up benchmark: the real `npm start` command (tsx core/cli.ts start, embedded PGlite,
 * the default addons with demo data, the web bundle), timed from spawn to the first 200 of
 * `/web/health`:
 *  - a fresh data directory (the empty-cluster cache present, as on any start after the
 *    first one on a machine);
 *  - a restart on that directory;
 *  - beside them, a fresh data directory with the cluster cache off (ERP_PGLITE_CACHE=off:
 *    PGlite's initdb runs, as on the very first start of a fresh clone).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../core/config.ts';
import { round, type Row } from './stats.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ERP_')) env[k] = v;
  return { ...env, ERP_LOG_LEVEL: 'warn', ...extra };
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/web/health`);
    return res.status === 200;
  } catch {
    return false;
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) { resolve(); return; }
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere.
 * On a shared machine the wall time depends on the neighbours, the CPU time much less.
 */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

export interface StartTiming { wall: number; cpu: number }

/** Seconds from spawning `npm start` on `dataDir` to a 200 from /web/health (and the CPU it used); then stops it. */
export async function timeStart(dataDir: string, env: Record<string, string> = {}, root = PROJECT_ROOT): Promise<StartTiming> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'core', 'cli.ts'), 'start', '--data-dir', dataDir, '--http-port', String(port), '--http-interface', '127.0.0.1', '--smtp-port', '0'],
    { cwd: root, env: childEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${stderr}`);
      if (await healthy(port)) return { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds(child.pid!) };
      if (performance.now() - t0 > 900_000) throw new Error(`npm start did not answer /web/health within 900 s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await stop(child);
  }
}

export async function benchStart(): Promise<Row[]> {
  const dirs = [mkdtempSync(join(tmpdir(), 'erp-bench-start-')), mkdtempSync(join(tmpdir(), 'erp-bench-start-'))];
  try {
    const noCache = await timeStart(dirs[0], { ERP_PGLITE_CACHE: 'off' });
    const first = await timeStart(dirs[1]);
    const restart = await timeStart(dirs[1]);
    const cpu = (t: StartTiming) => `, ${round(t.cpu, 1)} s of CPU`;
    return [
      { key: 'start.first_s', name: 'npm start, fresh data directory (install with demo data) → /web/health', value: round(first.wall, 2), unit: 's', reference: `goal < 10 s${cpu(first)}; with PGlite's initdb (no cluster cache, a fresh clone's very first start) ${round(noCache.wall, 2)} s${cpu(noCache)}` },
      { key: 'start.first_nocache_s', name: 'npm start, fresh data directory, cluster cache off (initdb) → /web/health', value: round(noCache.wall, 2), unit: 's' },
      { key: 'start.restart_s', name: 'npm start, restart on that data directory → /web/health', value: round(restart.wall, 2), unit: 's', reference: `goal < 4 s${cpu(restart)}` },
    ];
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
