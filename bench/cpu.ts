/**
 * CPU time spent by processes on this machine, read from Linux's /proc (the benchmarks run
 * the server and PostgreSQL here): how much CPU one request costs on each side, so a
 * requests/s figure can be read against what two cores can do at all.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Knex } from 'knex';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of one process, ms; 0 once it has gone. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU ms used so far by `pid` and its descendants (a cluster's primary and its workers). */
export function treeCpuMs(pid: number): number {
  return processCpuMs(pid) + childrenOf(pid).reduce((sum, child) => sum + treeCpuMs(child), 0);
}

/** CPU ms used so far by each PostgreSQL backend of `knex`'s database; undefined when the server is not on this machine. */
export async function backendsCpuMs(knex: Knex): Promise<Map<number, number> | undefined> {
  const { rows } = await knex.raw<{ rows: { pid: number }[] }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  const pids = rows.map((r) => Number(r.pid)).filter((pid) => existsSync(`/proc/${pid}/stat`));
  return pids.length ? new Map(pids.map((pid) => [pid, processCpuMs(pid)])) : undefined;
}

/** CPU ms the backends used between two readings (backends opened meanwhile count from zero). */
export function backendsCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of after) sum += ms - (before.get(pid) ?? 0);
  return sum;
}
