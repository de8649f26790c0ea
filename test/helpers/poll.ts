/** Small waiting and randomness helpers shared by tests. */

/** Polls until `check` holds (a notification travels through the database), at most 2 s; the ms it took, or -1. */
export async function within(check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < 2000) {
    if (await check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  return -1;
}

/** A deterministic `rand(n)` in [0, n) from `seed` (mulberry32: well mixed low bits). */
export function seededRandom(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) % n;
  };
}
