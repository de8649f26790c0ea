/**
 * The scheduler of `ir.cron` jobs, running inside every server process.
 *
 *   node-schedule wakes the loop (at the earliest nextcall, at most `tickSeconds` apart)
 *     loop: claim ONE due job ─ SELECT … FOR UPDATE OF c SKIP LOCKED ─ in its own transaction
 *           ├─ SAVEPOINT → run model.method(*args) as the job's user → RELEASE
 *           │     (fails: ROLLBACK TO SAVEPOINT, error logged and stored on the job)
 *           ├─ nextcall += interval (doall: each missed occurrence runs; else skip to the
 *           │  next future one), numbercall -= 1 (0 → inactive), lastcall = now
 *           └─ COMMIT → the job's after-commit work runs
 *     until nothing is due, then sleep.
 *
 * Exactly once across workers: the row lock is held while the job runs and the advanced
 * nextcall commits with the job's work, so another worker either skips the locked row or
 * sees it no longer due. With PGlite (one connection) the claim transaction simply queues
 * with the HTTP requests; nothing here opens a second transaction while one is open.
 *
 * Callable methods: declared for RPC (`_rpc`) or listed in a model's static `_cron`
 * (collected through the class chain, so extensions can add to it); never `_private`.
 */
import schedule from 'node-schedule';
import type { Knex } from 'knex';
import type { App } from '../app.ts';
import { evaluate } from '../data/literal-eval.ts';
import { AccessError, isExposedError, MissingError, UserError, ValidationError } from '../errors.ts';
import { logger } from '../logger.ts';
import { Environment, rowsOf } from '../orm/environment.ts';
import { formatDatetime, parseDatetime } from '../orm/fields/index.ts';
import type { ModelClass } from '../orm/model.ts';
import type { Registry } from '../orm/registry.ts';
import { SOURCE_LANG, translatedSql } from '../orm/translated-values.ts';

export type IntervalType = 'minutes' | 'hours' | 'days' | 'weeks' | 'months';
const UNIT_MS: Record<Exclude<IntervalType, 'months'>, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 7 * 86_400_000 };

export interface SchedulerOptions {
  /** Longest sleep between two looks at the table (seconds, default 5). */
  tickSeconds?: number;
  /** Most occurrences of a `doall` job run in one claim (the rest on the next pass). */
  maxCatchUp?: number;
}

export interface CronJob {
  id: number;
  name: string;
  model: string;
  method: string;
  args: string | null;
  user_id: number;
  interval_number: number;
  interval_type: string;
  nextcall: string;
  lastcall: string | null;
  numbercall: number;
  doall: boolean;
  failure_count: number;
}

/** `d` plus `n` units (months follow the calendar, clamped to the month's last day). */
export function addInterval(d: Date, n: number, type: IntervalType): Date {
  if (type === 'months') {
    const out = new Date(d.getTime());
    const day = out.getUTCDate();
    out.setUTCDate(1);
    out.setUTCMonth(out.getUTCMonth() + n);
    const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
    out.setUTCDate(Math.min(day, last));
    return out;
  }
  return new Date(d.getTime() + n * UNIT_MS[type]);
}

/** The first occurrence after `now` (jumps arithmetically for fixed-length units). */
export function nextFutureCall(from: Date, n: number, type: IntervalType, now: Date): Date {
  let next = from;
  if (next > now) return next;
  if (type !== 'months') {
    const step = n * UNIT_MS[type];
    const steps = Math.floor((now.getTime() - next.getTime()) / step) + 1;
    return new Date(next.getTime() + steps * step);
  }
  while (next <= now) next = addInterval(next, n, type);
  return next;
}

/** Methods a model allows the scheduler to call: its RPC methods and its `_cron` list. */
export function cronMethods(cls: ModelClass): Set<string> {
  const out = new Set<string>(cls._meta.rpc.keys());
  for (let c: any = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    if (Object.prototype.hasOwnProperty.call(c, '_cron') && Array.isArray(c._cron)) for (const m of c._cron) out.add(String(m));
  }
  return out;
}

/** The job's arguments: a Python-literal tuple (`()`, `(5,)`, `('a', {'b': 1})`). */
export function parseCronArgs(src: string | null | undefined): unknown[] {
  const text = (src ?? '').trim();
  if (!text) return [];
  const value = evaluate(text, {});
  return Array.isArray(value) ? value : [value];
}

function describe(err: unknown): string {
  if (isExposedError(err)) return `${err.odooName.split('.').pop()}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** A timestamp column as the wire string ('YYYY-MM-DD HH:MM:SS'): pg gives strings, PGlite Dates. */
function dbStamp(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? formatDatetime(v) : String(v).slice(0, 19).replace('T', ' ');
}

const JOB_COLUMNS = `c.id, ${translatedSql('c.name', SOURCE_LANG)} AS name, c.method, c.args, c.user_id, c.interval_number, c.interval_type, c.nextcall, c.lastcall,
  COALESCE(c.numbercall, -1) AS numbercall, COALESCE(c.doall, FALSE) AS doall, COALESCE(c.failure_count, 0) AS failure_count, m.model`;

function toJob(r: any): CronJob {
  return {
    id: Number(r.id), name: r.name, model: r.model, method: r.method, args: r.args, user_id: Number(r.user_id ?? 1),
    interval_number: Number(r.interval_number), interval_type: r.interval_type, nextcall: dbStamp(r.nextcall)!,
    lastcall: dbStamp(r.lastcall), numbercall: Number(r.numbercall), doall: !!r.doall, failure_count: Number(r.failure_count),
  };
}

/**
 * Runs one occurrence of `job` inside `cr` (a transaction), in a savepoint: the job's work
 * is rolled back alone when it fails. Returns the environment (for after-commit work) or
 * the error.
 */
export async function executeJob(cr: Knex.Transaction, registry: Registry, job: CronJob, occurrence: string = job.nextcall): Promise<{ ok: true; env: Environment } | { ok: false; error: unknown }> {
  try {
    const cls = registry.get(job.model);
    if (!cls) throw new MissingError(`Scheduled action '${job.name}': model '${job.model}' is not loaded`);
    const method = job.method?.trim();
    if (!method || method.startsWith('_')) throw new AccessError(`Scheduled action '${job.name}': private methods (such as ${method}) cannot be scheduled`);
    if (!cronMethods(cls).has(method) || typeof (cls.prototype as any)[method] !== 'function') {
      throw new UserError(`Scheduled action '${job.name}': ${job.model}.${method}() does not exist or is not declared in _rpc or _cron`);
    }
    const args = parseCronArgs(job.args);
    const user = await cr('res_users').where({ id: job.user_id }).first('lang', 'tz');
    if (!user) throw new MissingError(`Scheduled action '${job.name}': user ${job.user_id} does not exist`);
    let env: Environment | undefined;
    await cr.transaction(async (sp) => {
      env = new Environment({
        cr: sp, uid: job.user_id, registry,
        context: { lang: user.lang ?? 'en_US', tz: user.tz ?? 'UTC', lastcall: job.lastcall || false, cron_id: job.id, cron_nextcall: occurrence },
      });
      const recs = env.model(job.model) as unknown as Record<string, (...a: unknown[]) => unknown>;
      await recs[method](...args);
    });
    return { ok: true, env: env! };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Expected errors (UserError, AccessError…) are logged as one line; others with their stack. */
function logFailure(job: CronJob, error: unknown): void {
  if (isExposedError(error)) logger.error(`Scheduled action '${job.name}' (${job.id}) failed: ${describe(error)}`);
  else logger.error(`Scheduled action '${job.name}' (${job.id}) failed`, error);
}

async function storeFailure(cr: Knex | Knex.Transaction, job: CronJob, error: unknown): Promise<void> {
  await cr('ir_cron').where({ id: job.id }).update({
    last_error: `${formatDatetime(new Date())} ${describe(error)}`.slice(0, 10_000),
    failure_count: job.failure_count + 1,
    write_date: formatDatetime(new Date()),
  });
}

export type ClaimResult = { outcome: 'none' } | { outcome: 'ran' | 'failed'; job: CronJob; runs: number };

/** Claims one due job, runs it and advances it, in one transaction. */
export async function processNextJob(app: App, opts: SchedulerOptions = {}): Promise<ClaimResult> {
  const maxCatchUp = opts.maxCatchUp ?? 100;
  const envs: Environment[] = [];
  let claimed: CronJob | null = null;
  let result: ClaimResult = { outcome: 'none' };
  try {
    await app.db.knex.transaction(async (trx) => {
      const now = new Date();
      const rows = rowsOf(await trx.raw(
        `SELECT ${JOB_COLUMNS} FROM ir_cron c JOIN ir_model m ON m.id = c.model_id
          WHERE c.active = TRUE AND COALESCE(c.numbercall, -1) <> 0 AND c.nextcall <= ?
          ORDER BY c.priority, c.nextcall, c.id LIMIT 1 FOR UPDATE OF c SKIP LOCKED`, [formatDatetime(now)]));
      if (!rows.length) return;
      const job = toJob(rows[0]);
      claimed = job;
      const type = job.interval_type as IntervalType;
      const vals: Record<string, unknown> = { write_date: formatDatetime(now) };
      if (!Number.isInteger(job.interval_number) || job.interval_number < 1 || !(type in UNIT_MS || type === 'months')) {
        const error = new ValidationError(`Scheduled action '${job.name}': invalid interval ${job.interval_number} ${job.interval_type}; the job was deactivated`);
        logger.error(error.message);
        await storeFailure(trx, job, error);
        await trx('ir_cron').where({ id: job.id }).update({ active: false });
        result = { outcome: 'failed', job, runs: 0 };
        return;
      }
      let next = parseDatetime(job.nextcall)!;
      let numbercall = job.numbercall;
      let runs = 0;
      let failure: unknown = null;
      do {
        runs++;
        const started = Date.now();
        const res = await executeJob(trx, app.registry, job, formatDatetime(next));
        if (numbercall > 0) numbercall--;
        next = addInterval(next, job.interval_number, type);
        if (!res.ok) { failure = res.error; break; }
        envs.push(res.env);
        logger.debug(`Scheduled action '${job.name}' (${job.id}) done in ${Date.now() - started} ms`);
      } while (job.doall && next <= now && numbercall !== 0 && runs < maxCatchUp);
      if (!job.doall || failure) next = nextFutureCall(next, job.interval_number, type, now);
      Object.assign(vals, { nextcall: formatDatetime(next), numbercall, lastcall: formatDatetime(now) });
      if (numbercall === 0) vals.active = false;
      if (failure) {
        logFailure(job, failure);
        vals.last_error = `${formatDatetime(now)} ${describe(failure)}`.slice(0, 10_000);
        vals.failure_count = job.failure_count + 1;
      } else {
        vals.failure_count = 0;
      }
      await trx('ir_cron').where({ id: job.id }).update(vals);
      result = { outcome: failure ? 'failed' : 'ran', job, runs };
    });
  } catch (err) {
    // The claim transaction itself failed (connection lost, aborted transaction): record
    // the error in a fresh transaction; nextcall stays, so the job is retried later.
    const job = claimed as CronJob | null;
    logger.error(`Scheduled action ${job ? `'${job.name}' (${job.id})` : 'claim'} failed outside its savepoint`, err);
    if (job) {
      try { await app.db.knex.transaction((trx) => storeFailure(trx, job, err)); } catch (e2) { logger.error('Could not store the scheduled action error', e2); }
      return { outcome: 'failed', job, runs: 0 };
    }
    throw err;
  }
  for (const env of envs) {
    try { await env.runAfterCommit(); } catch (err) { logger.error('After-commit work of a scheduled action failed', err); }
  }
  return result;
}

/** Resolves `ref` (an id or an XML id) to an ir.cron id. */
async function cronId(cr: Knex | Knex.Transaction, ref: string | number): Promise<number> {
  if (typeof ref === 'number' || /^\d+$/.test(String(ref))) return Number(ref);
  const [module, name] = [String(ref).slice(0, String(ref).indexOf('.')), String(ref).slice(String(ref).indexOf('.') + 1)];
  const row = await cr('ir_model_data').where({ module, name, model: 'ir.cron' }).first('res_id');
  if (!String(ref).includes('.') || !row) throw new MissingError(`Scheduled action '${ref}' not found (give its id or XML id, e.g. module.cron_name)`);
  return Number(row.res_id);
}

async function lockJob(cr: Knex.Transaction, id: number): Promise<CronJob> {
  let rows: any[];
  try {
    rows = rowsOf(await cr.raw(`SELECT ${JOB_COLUMNS} FROM ir_cron c JOIN ir_model m ON m.id = c.model_id WHERE c.id = ? FOR UPDATE OF c NOWAIT`, [id]));
  } catch (err: any) {
    if (err?.code === '55P03') throw new UserError('This scheduled action is running right now; try again in a moment.');
    throw err;
  }
  if (!rows.length) throw new MissingError(`Scheduled action ${id} does not exist`);
  return toJob(rows[0]);
}

/**
 * Runs a scheduled action now (the CLI's `cron` command), whatever its nextcall. Its error,
 * if any, is stored on the job and returned.
 */
export async function runCronNow(app: App, ref: string | number): Promise<{ ok: boolean; job: CronJob; error?: string }> {
  const envs: Environment[] = [];
  const out = await app.db.knex.transaction(async (trx) => {
    const job = await lockJob(trx, await cronId(trx, ref));
    const res = await executeJob(trx, app.registry, job);
    const now = formatDatetime(new Date());
    if (!res.ok) {
      logFailure(job, res.error);
      await storeFailure(trx, job, res.error);
      return { ok: false, job, error: describe(res.error) };
    }
    envs.push(res.env);
    await trx('ir_cron').where({ id: job.id }).update({ lastcall: now, failure_count: 0, write_date: now });
    return { ok: true, job };
  });
  for (const env of envs) await env.runAfterCommit();
  return out;
}

/**
 * `ir.cron.method_direct_trigger()`: runs the given jobs now, in the caller's transaction
 * (an error reaches the caller and rolls everything back, as in Odoo).
 */
export async function triggerCronRecords(env: Environment, ids: number[]): Promise<true> {
  for (const id of ids) {
    const job = await lockJob(env.cr as Knex.Transaction, id);
    const res = await executeJob(env.cr as Knex.Transaction, env.registry, job);
    if (!res.ok) throw res.error;
    const jobEnv = res.env;
    env.afterCommit(() => jobEnv.runAfterCommit());
    await env.cr('ir_cron').where({ id }).update({ lastcall: formatDatetime(new Date()), write_date: formatDatetime(new Date()) });
  }
  return true;
}

/** The loop driven by node-schedule. */
export class Scheduler {
  private job: schedule.Job | null = null;
  private immediate: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly tickMs: number;
  /** Jobs run by this scheduler (for logs and tests). */
  processed = 0;

  constructor(private readonly app: App, private readonly opts: SchedulerOptions = {}) {
    this.tickMs = Math.max(50, Math.round((opts.tickSeconds ?? 5) * 1000));
  }

  start(): this {
    this.stopped = false;
    this.wake(0);
    return this;
  }

  /** Runs every due job now (also used by tests); resolves when nothing is due. */
  runDue(): Promise<void> {
    if (!this.running) {
      this.running = this.loop().finally(() => { this.running = null; });
    }
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.job?.cancel();
    this.job = null;
    if (this.immediate) clearTimeout(this.immediate);
    this.immediate = null;
    await this.running?.catch(() => undefined);
  }

  private wake(delayMs: number): void {
    if (this.stopped) return;
    this.job?.cancel();
    if (this.immediate) clearTimeout(this.immediate);
    const fire = () => {
      this.job = null;
      this.immediate = null;
      void this.runDue();
    };
    // node-schedule refuses a date already past by the time it looks: then fire at once.
    this.job = schedule.scheduleJob(new Date(Date.now() + Math.max(50, delayMs)), fire);
    if (!this.job) this.immediate = setTimeout(fire, 0);
  }

  private async loop(): Promise<void> {
    let delay = this.tickMs;
    try {
      for (let i = 0; i < 1000 && !this.stopped; i++) {
        const r = await processNextJob(this.app, this.opts);
        if (r.outcome === 'none') break;
        this.processed++;
      }
      if (this.stopped) return;
      const row = await this.app.db.knex('ir_cron').where({ active: true }).whereRaw('COALESCE(numbercall, -1) <> 0').min({ next: 'nextcall' }).first();
      const next = row?.next ? parseDatetime(dbStamp(row.next)!) : null;
      // A due job locked by another worker is looked at again after a short pause.
      if (next) delay = Math.min(this.tickMs, Math.max(Math.min(1000, this.tickMs), next.getTime() - Date.now()));
    } catch (err) {
      if (!this.stopped) logger.error('Scheduler pass failed; retrying later', err);
    } finally {
      this.wake(delay);
    }
  }
}

/** Starts the scheduler of this process. */
export function startScheduler(app: App, opts: SchedulerOptions = {}): Scheduler {
  return new Scheduler(app, opts).start();
}
