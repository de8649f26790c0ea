/** Small helpers shared by the benchmarks: timing, percentiles, result rows. */
export interface Row {
  /** Stable machine name printed by `--json` (e.g. `helpdesk.my_tickets_p99_ms`); else `name`. */
  key?: string;
  name: string;
  value: number;
  unit: string;
  /** The floor or ceiling measured in the same run, e.g. "hand-written knex: 1.2 ms". */
  reference?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Runs `fn` `n` times (after `warmup` runs) and returns sorted durations in ms. */
export async function timeMany(n: number, fn: () => Promise<unknown>, warmup = 10): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

export const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
