/**
 * Slows down repeated failed logins, per login and per client address, with the counters in
 * the database (`ir_login_throttle`) so every worker enforces the same limits.
 *
 *   failure ──▶ count in a window (60 s) ──▶ count reaches the limit ──▶ blocked for
 *               base × 2^(times blocked) seconds (capped), counter restarts
 *   blocked key ──▶ AccessDenied "Too many failed logins, retry in N s" (even with the
 *                   right password, so guessing does not go faster)
 *   success ──▶ the login's counters are cleared (the address keeps its own)
 *
 * Failures are recorded in their own short transaction, after the request's transaction
 * was rolled back (with PGlite's single connection, never nested in it).
 */
import type { Knex } from 'knex';
import { AccessDenied } from '../errors.ts';
import { formatDatetime } from '../orm/fields/index.ts';
import { dbDate } from './session.ts';

/** A login refused because of too many recent failures (not because of the password). */
export class TooManyLogins extends AccessDenied {}

export interface ThrottleOptions {
  /** Failures of one login allowed within the window before it is blocked. */
  maxPerLogin?: number;
  /** Failures from one address allowed within the window (several users share addresses). */
  maxPerAddress?: number;
  windowSeconds?: number;
  /** First block duration; doubles with each further block. */
  baseDelaySeconds?: number;
  maxDelaySeconds?: number;
}

export class LoginThrottle {
  private readonly o: Required<ThrottleOptions>;

  constructor(private readonly knex: Knex, opts: ThrottleOptions = {}) {
    this.o = { maxPerLogin: 5, maxPerAddress: 30, windowSeconds: 60, baseDelaySeconds: 15, maxDelaySeconds: 3600, ...opts };
  }

  keys(login: string | null, addr: string | undefined): string[] {
    const out: string[] = [];
    if (login) out.push(`login:${login.toLowerCase().slice(0, 200)}`);
    if (addr) out.push(`addr:${addr}`);
    return out;
  }

  /**
   * Throws AccessDenied while any of the keys is blocked. `translate` localises the message.
   */
  async check(keys: string[], translate: (s: string) => string = (s) => s): Promise<void> {
    if (!keys.length) return;
    const now = new Date();
    const rows = await this.knex('ir_login_throttle').whereIn('key', keys).where('blocked_until', '>', formatDatetime(now)).select('blocked_until');
    if (!rows.length) return;
    const until = Math.max(...rows.map((r: any) => dbDate(r.blocked_until)!.getTime()));
    const seconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
    throw new TooManyLogins(translate('Too many failed logins, retry in %s s').replace('%s', String(seconds)));
  }

  /** Counts one failure for each key; returns the seconds of the longest block started (0 if none). */
  async recordFailure(keys: string[]): Promise<number> {
    if (!keys.length) return 0;
    const now = new Date();
    const stamp = formatDatetime(now);
    let blocked = 0;
    await this.knex.transaction(async (trx) => {
      for (const key of [...keys].sort()) {
        const limit = key.startsWith('login:') ? this.o.maxPerLogin : this.o.maxPerAddress;
        await trx.raw(`INSERT INTO ir_login_throttle (key, failures, block_count, create_date, write_date) VALUES (?, 0, 0, ?, ?) ON CONFLICT (key) DO NOTHING`, [key, stamp, stamp]);
        const row = await trx('ir_login_throttle').where({ key }).forUpdate().first('id', 'failures', 'window_start', 'blocked_until', 'block_count');
        const windowStart = dbDate(row.window_start);
        const inWindow = windowStart && now.getTime() - windowStart.getTime() < this.o.windowSeconds * 1000;
        let failures = inWindow ? Number(row.failures) + 1 : 1;
        let blockCount = Number(row.block_count ?? 0);
        // An old block is forgotten after a quiet hour: the next one starts short again.
        const lastBlock = dbDate(row.blocked_until);
        if (lastBlock && now.getTime() - lastBlock.getTime() > 3600_000) blockCount = 0;
        const vals: Record<string, unknown> = { failures, window_start: inWindow ? formatDatetime(windowStart!) : stamp, block_count: blockCount, write_date: stamp };
        if (failures >= limit) {
          const delay = Math.min(this.o.baseDelaySeconds * 2 ** blockCount, this.o.maxDelaySeconds);
          vals.blocked_until = formatDatetime(new Date(now.getTime() + delay * 1000));
          vals.block_count = blockCount + 1;
          vals.failures = failures = 0;
          vals.window_start = null;
          blocked = Math.max(blocked, delay);
        }
        await trx('ir_login_throttle').where({ id: row.id }).update(vals);
      }
    });
    return blocked;
  }

  /** A successful login clears its login's counters. */
  async recordSuccess(login: string): Promise<void> {
    await this.knex('ir_login_throttle').where({ key: `login:${login.toLowerCase().slice(0, 200)}` }).delete();
  }
}
