/**
 * Browser sessions, stored in the database (`ir_session`) so any worker can serve any
 * request. The cookie `session_id` carries a random 256-bit id; the table stores only its
 * SHA-256, so a copy of the database does not hand out live sessions.
 *
 *   GET /web/login ──▶ anonymous session (uid null, short expiry) carrying a CSRF token
 *   POST /web/login / session/authenticate ──▶ new session for the user (id rotated)
 *   every request ──▶ load(sid): valid, not expired, user still active
 *   logout / destroy ──▶ row deleted
 *
 * Expiry slides: `touch()` pushes it forward at most every few minutes, outside the
 * request's transaction (parallel requests of one session never wait on each other).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { statementRowsNamed } from '../db/index.ts';
import { formatDatetime, parseDatetime } from '../orm/fields/index.ts';

export const SESSION_COOKIE = 'session_id';

export interface Session {
  id: number;
  /** The raw id from the cookie (never stored). */
  sid: string;
  uid: number | null;
  csrfToken: string;
  expiration: Date;
  lastSeen: Date | null;
}

export interface SessionOptions {
  /** Lifetime of a logged-in session, sliding (seconds). Default 7 days, as Odoo. */
  ttlSeconds?: number;
  /** Lifetime of an anonymous session (login page CSRF). Default 1 hour. */
  anonymousTtlSeconds?: number;
  /** Refresh expiry and last_seen at most this often (seconds). */
  touchEverySeconds?: number;
  /**
   * Keep loaded sessions in this process for so many seconds (0 = never). Destroying a
   * session clears it here at once; other processes sharing the database keep their copy
   * until it ages out, so keep this short when there are several workers. With embedded
   * PGlite (one process) it also lets progress polls find their session while a long call
   * holds the only database connection.
   */
  cacheSeconds?: number;
  /**
   * Servers: the listener of the `erp_session` channel (see SESSION_SIGNAL_DDL). While it is
   * live, a session read once is reused for `signalCacheSeconds`; a logout, an expired row
   * removed or a user deactivated on any worker drops it here within milliseconds.
   */
  signals?: SessionSignals;
  /** How long a session is reused while the signals are live (seconds). Default 300. */
  signalCacheSeconds?: number;
}

/** What the store needs of a ChannelSubscription (core/db/listener.ts). */
export interface SessionSignals {
  readonly live: boolean;
  readonly epoch: number;
}

/** The NOTIFY channel of session changes. */
export const SESSION_CHANNEL = 'erp_session';

/**
 * Triggers that announce on `erp_session` every session row deleted or changed
 * (`s:<ids>`), every user whose `active` flag changed (`u:<ids>`), or everything (`*`: a
 * TRUNCATE, or more rows than a payload should carry). Installed by the base addon; the
 * server caches sessions only when it finds them (sessionSignalsInstalled).
 */
export const SESSION_SIGNAL_DDL = [
  `CREATE OR REPLACE FUNCTION ir_session_notify() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE payload text;
   BEGIN
     IF TG_OP = 'TRUNCATE' THEN
       PERFORM pg_notify('${SESSION_CHANNEL}', '*');
       RETURN NULL;
     END IF;
     SELECT CASE WHEN count(*) > 500 THEN '*' WHEN count(*) > 0 THEN 's:' || string_agg(id::text, ',') END INTO payload FROM old_rows;
     IF payload IS NOT NULL THEN PERFORM pg_notify('${SESSION_CHANNEL}', payload); END IF;
     RETURN NULL;
   END $$`,
  `CREATE OR REPLACE FUNCTION res_users_session_notify() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE payload text;
   BEGIN
     SELECT CASE WHEN count(*) > 500 THEN '*' WHEN count(*) > 0 THEN 'u:' || string_agg(o.id::text, ',') END INTO payload
       FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.active IS DISTINCT FROM n.active;
     IF payload IS NOT NULL THEN PERFORM pg_notify('${SESSION_CHANNEL}', payload); END IF;
     RETURN NULL;
   END $$`,
  'DROP TRIGGER IF EXISTS ir_session_notify_delete ON ir_session',
  'CREATE TRIGGER ir_session_notify_delete AFTER DELETE ON ir_session REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ir_session_notify()',
  'DROP TRIGGER IF EXISTS ir_session_notify_update ON ir_session',
  'CREATE TRIGGER ir_session_notify_update AFTER UPDATE ON ir_session REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ir_session_notify()',
  'DROP TRIGGER IF EXISTS ir_session_notify_truncate ON ir_session',
  'CREATE TRIGGER ir_session_notify_truncate AFTER TRUNCATE ON ir_session FOR EACH STATEMENT EXECUTE FUNCTION ir_session_notify()',
  'DROP TRIGGER IF EXISTS res_users_session_notify ON res_users',
  'CREATE TRIGGER res_users_session_notify AFTER UPDATE ON res_users REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION res_users_session_notify()',
];

/** Whether the database announces session changes (the base addon installed the triggers). */
export async function sessionSignalsInstalled(knex: Knex): Promise<boolean> {
  const result = await knex.raw(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgname IN ('ir_session_notify_delete', 'ir_session_notify_update', 'ir_session_notify_truncate', 'res_users_session_notify') AND NOT tgisinternal`);
  return Number((result.rows ?? result)[0]?.n) === 4;
}

/**
 * A timestamp column as a Date: `pg` hands back the stored naive-UTC string (see
 * core/db/connect.ts), PGlite a Date.
 */
export function dbDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  return parseDatetime(String(v));
}

const hashSid = (sid: string) => createHash('sha256').update(sid).digest('hex');

/** SHA-256 of the last cookie values seen (a hash per request was a visible share of its CPU). */
const sidHashes = new Map<string, string>();
const MAX_REMEMBERED = 5000;

function sidHash(sid: string): string {
  let hash = sidHashes.get(sid);
  if (hash === undefined) {
    hash = hashSid(sid);
    if (sidHashes.size >= MAX_REMEMBERED) sidHashes.delete(sidHashes.keys().next().value as string);
    sidHashes.set(sid, hash);
  }
  return hash;
}

const SESSION_COLUMNS = 's.id, s.user_id, s.csrf_token, s.expiration, s.last_seen, u.active FROM ir_session s LEFT JOIN res_users u ON u.id = s.user_id';
/** A session whose row id this process knows: a primary-key read (the hash must still match). */
const BY_ID = `SELECT ${SESSION_COLUMNS} WHERE s.id = ? AND s.sid_hash = ?`;
const BY_HASH = `SELECT ${SESSION_COLUMNS} WHERE s.sid_hash = ?`;
const SID_RE = /^[A-Za-z0-9_-]{43}$/;

export class SessionStore {
  readonly ttl: number;
  readonly anonymousTtl: number;
  private readonly touchEvery: number;
  private readonly cacheMs: number;
  private readonly cache = new Map<string, { session: Session; at: number; epoch: number }>();
  private readonly signals: SessionSignals | null;
  private readonly signalCacheMs: number;
  /** Bumped by every signal: a read that started before one may be stale, so it is not cached. */
  private generation = 0;
  /** Row ids of the sessions this process has read, by cookie value. */
  private readonly ids = new Map<string, number>();
  private lastGc = 0;

  constructor(private readonly knex: Knex, opts: SessionOptions = {}) {
    this.ttl = opts.ttlSeconds ?? 7 * 24 * 3600;
    this.anonymousTtl = opts.anonymousTtlSeconds ?? 3600;
    this.touchEvery = opts.touchEverySeconds ?? 300;
    this.cacheMs = (opts.cacheSeconds ?? 0) * 1000;
    this.signals = opts.signals ?? null;
    this.signalCacheMs = (opts.signalCacheSeconds ?? 300) * 1000;
  }

  /** Whether cached sessions may be used now, and for how long they stay good. */
  private cacheLifeMs(): number {
    if (this.cacheMs) return this.cacheMs;
    return this.signals?.live ? this.signalCacheMs : 0;
  }

  private remember(session: Session, generation = this.generation, epoch = this.signals?.epoch ?? 0): void {
    if (!this.cacheLifeMs()) return;
    // A signal arrived (or the listener reconnected) while the row was being read: the row
    // may be older than the change announced, so it is not trusted beyond this request.
    if (generation !== this.generation || epoch !== (this.signals?.epoch ?? 0)) return;
    if (this.cache.size >= 5000) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(session.sid, { session, at: Date.now(), epoch });
  }

  /** A NOTIFY payload of SESSION_CHANNEL: `s:<session ids>`, `u:<user ids>` or `*`. */
  invalidate(payload: string): void {
    this.generation++;
    const kind = payload.slice(0, 2);
    const ids = new Set(payload.slice(2).split(',').map(Number));
    if (kind !== 's:' && kind !== 'u:') {
      this.cache.clear();
      return;
    }
    for (const [sid, entry] of this.cache) {
      if (kind === 's:' ? ids.has(entry.session.id) : entry.session.uid !== null && ids.has(entry.session.uid)) this.cache.delete(sid);
    }
  }


  /**
   * The live session of a cookie value, or null (unknown, expired, or its user inactive).
   * Servers read it once (one prepared primary-key read) and then reuse it while the
   * session signals are live; without them, at every request. Either way a logout or a
   * deactivated user on any worker is honoured by every other at once.
   */
  async load(sid: string | undefined): Promise<Session | null> {
    if (!sid || !SID_RE.test(sid)) return null;
    const life = this.cacheLifeMs();
    if (life) {
      const cached = this.cache.get(sid);
      const now = Date.now();
      if (cached && now - cached.at < life && cached.epoch === (this.signals?.epoch ?? 0) && cached.session.expiration.getTime() > now) return cached.session;
      if (cached) this.cache.delete(sid);
    }
    const generation = this.generation;
    const epoch = this.signals?.epoch ?? 0;
    const hash = sidHash(sid);
    const knownId = this.ids.get(sid);
    const rows = knownId === undefined ? await statementRowsNamed(this.knex, BY_HASH, [hash]) : await statementRowsNamed(this.knex, BY_ID, [knownId, hash]);
    const row = rows[0];
    if (!row) {
      this.ids.delete(sid);
      return null;
    }
    const expiration = dbDate(row.expiration)!;
    if (expiration.getTime() <= Date.now()) return null;
    if (row.user_id !== null && !row.active) return null;
    const session: Session = {
      id: Number(row.id), sid, uid: row.user_id === null ? null : Number(row.user_id), csrfToken: row.csrf_token,
      expiration, lastSeen: dbDate(row.last_seen),
    };
    if (knownId === undefined) this.rememberId(sid, session.id);
    this.remember(session, generation, epoch);
    return session;
  }

  private rememberId(sid: string, id: number): void {
    if (this.ids.size >= MAX_REMEMBERED) this.ids.delete(this.ids.keys().next().value as string);
    this.ids.set(sid, id);
  }

  /** Creates a session (anonymous when `uid` is null) and returns it with its raw id. */
  async create(uid: number | null, meta: { remoteAddr?: string; userAgent?: string } = {}): Promise<Session> {
    const sid = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = new Date();
    const expiration = new Date(now.getTime() + (uid === null ? this.anonymousTtl : this.ttl) * 1000);
    const [row] = await this.knex('ir_session').insert({
      sid_hash: sidHash(sid), user_id: uid, csrf_token: csrfToken, expiration: formatDatetime(expiration), last_seen: formatDatetime(now),
      remote_addr: meta.remoteAddr?.slice(0, 64) ?? null, user_agent: meta.userAgent?.slice(0, 256) ?? null,
      create_date: formatDatetime(now), write_date: formatDatetime(now), create_uid: uid, write_uid: uid,
    }).returning('id');
    await this.gc();
    const session: Session = { id: Number(row.id ?? row), sid, uid, csrfToken, expiration, lastSeen: now };
    this.rememberId(sid, session.id);
    this.remember(session);
    return session;
  }

  async destroy(session: Session | null): Promise<void> {
    if (!session) return;
    this.cache.delete(session.sid);
    this.ids.delete(session.sid);
    await this.knex('ir_session').where({ id: session.id }).delete();
  }

  /** Slides the expiry of a logged-in session forward (rate-limited). */
  async touch(session: Session): Promise<void> {
    if (session.uid === null) return;
    const now = new Date();
    if (session.lastSeen && now.getTime() - session.lastSeen.getTime() < this.touchEvery * 1000) return;
    const expiration = new Date(now.getTime() + this.ttl * 1000);
    await this.knex('ir_session').where({ id: session.id }).update({ last_seen: formatDatetime(now), expiration: formatDatetime(expiration) });
    session.lastSeen = now;
    session.expiration = expiration;
  }

  /** Removes expired sessions, at most once a minute per process. */
  private async gc(): Promise<void> {
    if (Date.now() - this.lastGc < 60_000) return;
    this.lastGc = Date.now();
    await this.knex('ir_session').where('expiration', '<=', formatDatetime(new Date())).delete();
  }
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(session: Session | null, token: unknown): boolean {
  if (!session || typeof token !== 'string' || !token) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
