/**
 * Runs the real CLI (`tsx core/cli.ts …`) in a child process against a throw-away database:
 * a temporary PGlite data directory, or — with ERP_DB_URL set — a fresh PostgreSQL
 * database dropped at the end. The child's environment carries no ERP_* variable of ours.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { PROJECT_ROOT } from '../../core/config.ts';
import { withDb } from './app.ts';

export interface CliResult { code: number | null; stdout: string; stderr: string }

export interface CliSandbox {
  /** Flags selecting the sandbox database (data dir or db url). */
  dbArgs: string[];
  run(args: string[], opts?: { timeoutMs?: number }): Promise<CliResult>;
  /** Starts a long-running command (e.g. `start`); resolves once `readyPattern` is printed. */
  spawnUntil(args: string[], readyPattern: RegExp, timeoutMs?: number): Promise<{ child: ChildProcess; match: RegExpMatchArray; output: () => string }>;
  dispose(): Promise<void>;
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ERP_')) env[k] = v;
  env.ERP_LOG_LEVEL = 'warn';
  // the mail gateway's SMTP listener: a free port, never the default one other tests may hold
  env.ERP_SMTP_PORT = '0';
  return env;
}

export async function cliSandbox(): Promise<CliSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'erp-cli-'));
  let dbArgs = ['--data-dir', dir];
  let dropDb: (() => Promise<void>) | null = null;
  if (process.env.ERP_DB_URL) {
    const name = `erp_cli_${process.pid}_${randomBytes(3).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: withDb(process.env.ERP_DB_URL, 'postgres'), pool: { min: 0, max: 1 } });
    await admin.raw(`CREATE DATABASE "${name}"`);
    dbArgs = ['--db-url', withDb(process.env.ERP_DB_URL, name)];
    dropDb = async () => {
      await admin.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.destroy();
    };
  }
  const children: ChildProcess[] = [];
  const start = (args: string[]) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'core', 'cli.ts'), ...args], { cwd: PROJECT_ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    return child;
  };
  return {
    dbArgs,
    run(args, opts = {}) {
      return new Promise((resolve, reject) => {
        const child = start(args);
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (d) => { stdout += d; });
        child.stderr!.on('data', (d) => { stderr += d; });
        const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`CLI ${args.join(' ')} timed out\n${stdout}\n${stderr}`)); }, opts.timeoutMs ?? 180_000);
        child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
      });
    },
    spawnUntil(args, readyPattern, timeoutMs = 180_000) {
      return new Promise((resolve, reject) => {
        const child = start(args);
        let out = '';
        const timer = setTimeout(() => reject(new Error(`CLI ${args.join(' ')} did not print ${readyPattern} in time:\n${out}`)), timeoutMs);
        const onData = (d: Buffer) => {
          out += d;
          const match = out.match(readyPattern);
          if (match) { clearTimeout(timer); resolve({ child, match, output: () => out }); }
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', (d) => { out += d; });
        child.on('close', (code) => { clearTimeout(timer); reject(new Error(`CLI exited (${code}) before ready:\n${out}`)); });
      });
    },
    async dispose() {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await dropDb?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
