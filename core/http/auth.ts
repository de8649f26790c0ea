/**
 * Who is calling: login/password checks for the External API and the login routes, with
 * the failed-login throttle around them.
 *
 *   authenticate(login, password) ── throttle.check ──▶ res.users._authenticate (own
 *        transaction) ──ok──▶ uid, counters cleared
 *                         └─fail─▶ failure recorded (own transaction) ──▶ AccessDenied
 *
 * `execute_kw` sends the password with every call; verifying it with the slow KDF each
 * time would cost ~50 ms per call, so a successful check is remembered per process as
 * (uid, SHA-256 of the password) → the stored hash it matched. Changing the password
 * changes the stored hash and so invalidates the entry on every worker.
 */
import { createHash } from 'node:crypto';
import type { App } from '../app.ts';
import { AccessDenied } from '../errors.ts';
import { verifyPassword } from '../security/index.ts';
import type { LoginThrottle } from './throttle.ts';
import type { Environment } from '../orm/environment.ts';

const verified = new Map<string, string>();
const MAX_CACHE = 2000;

export class Authenticator {
  constructor(private readonly app: App, readonly throttle: LoginThrottle) {}

  private translate(lang: string | undefined) {
    return (s: string) => this.app.registry.translate(lang ?? 'en_US', s);
  }

  /** Checks `db` against the configured database name (when the client sends one). */
  checkDb(db: unknown): void {
    if (db === undefined || db === null || db === false || db === '') return;
    if (db !== this.app.config.db_name) throw new AccessDenied(`Database '${String(db).slice(0, 64)}' does not exist on this server`);
  }

  /** Login + password → uid, or AccessDenied (throttled after repeated failures). */
  async authenticate(login: unknown, password: unknown, addr: string | undefined, lang?: string): Promise<number> {
    const loginStr = typeof login === 'string' ? login : '';
    const keys = this.throttle.keys(loginStr || null, addr);
    await this.throttle.check(keys, this.translate(lang));
    try {
      if (typeof login !== 'string' || typeof password !== 'string' || !login || !password) throw new AccessDenied('Wrong login/password');
      const uid = await this.app.withEnv(1, (env) => (env.model('res.users') as any)._authenticate(login, password) as Promise<number>);
      await this.throttle.recordSuccess(loginStr);
      return uid;
    } catch (err) {
      if (err instanceof AccessDenied) {
        await this.throttle.recordFailure(keys);
        throw new AccessDenied(this.translate(lang)('Wrong login/password'));
      }
      throw err;
    }
  }

  /**
   * Checks `uid`/`password` inside the caller's transaction (External API calls).
   * Failures are not recorded here (the transaction is about to roll back): callers use
   * `recordUidFailure` afterwards.
   */
  async checkCredentials(env: Environment, uid: number, password: unknown): Promise<void> {
    if (typeof password !== 'string' || !password) throw new AccessDenied();
    const row = await env.cr('res_users').where({ id: uid, active: true }).first('password');
    const stored: string | null = row?.password ?? null;
    if (!stored) throw new AccessDenied();
    const key = `${uid}:${createHash('sha256').update(password).digest('base64')}`;
    if (verified.get(key) === stored) return;
    if (!(await verifyPassword(password, stored))) throw new AccessDenied();
    if (verified.size >= MAX_CACHE) verified.delete(verified.keys().next().value as string);
    verified.set(key, stored);
  }

  /** Throttle check for a uid-based call (blocked address → AccessDenied). */
  async checkUidThrottle(addr: string | undefined, lang?: string): Promise<void> {
    await this.throttle.check(this.throttle.keys(null, addr), this.translate(lang));
  }

  /** Records a failed uid/password check against the client address. */
  async recordUidFailure(addr: string | undefined): Promise<void> {
    await this.throttle.recordFailure(this.throttle.keys(null, addr));
  }
}

/** Validates a uid sent by a client (XML-RPC/JSON-RPC `execute_kw`). */
export function parseUid(uid: unknown): number {
  const n = typeof uid === 'string' && /^\d+$/.test(uid) ? Number(uid) : uid;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) throw new AccessDenied();
  return n;
}
