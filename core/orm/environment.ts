/**
 * The environment of one unit of work: database transaction, current user, context and the
 * superuser flag. Model recordsets carry an environment; `sudo()` and `withContext()` return
 * new environments sharing the transaction. Caches that are only valid for the current
 * transaction (the user's groups) live here.
 */
import type { Knex } from 'knex';
import { MissingError, err } from '../errors.ts';
import type { Model } from './model.ts';
import type { Registry } from './registry.ts';

export const SUPERUSER_ID = 1;

/** create/write uid and date of a row inserted without the ORM (Odoo fills them on every table). */
export function auditColumns(uid: number): { create_uid: number; write_uid: number; create_date: string; write_date: string } {
  const now = new Date().toISOString().replace('T', ' ').slice(0, 19);
  return { create_uid: uid, write_uid: uid, create_date: now, write_date: now };
}

export interface Context {
  lang?: string;
  tz?: string;
  active_test?: boolean;
  [key: string]: unknown;
}

interface SharedState {
  groupIds?: Promise<Set<number>>;
  xmlids: Map<string, { model: string; id: number } | null>;
  /** Work to run after the transaction commits (e.g. waking the mail queue). */
  afterCommit: Array<() => void | Promise<void>>;
  /** Values looked up once per unit of work, with the models they were read from (see `memo`). */
  memo?: Map<string, { models: readonly string[]; value: Promise<unknown> }>;
}

/**
 * Models each open transaction wrote (every environment on it: sudo, withUser, withCr):
 * it reads them itself, never through the shared cache, which must not keep uncommitted values.
 */
const wroteIn = new WeakMap<object, Set<string>>();

export class Environment {
  readonly cr: Knex | Knex.Transaction;
  readonly uid: number;
  readonly context: Readonly<Context>;
  readonly su: boolean;
  readonly registry: Registry;
  private readonly shared: SharedState;

  constructor(opts: { cr: Knex | Knex.Transaction; uid: number; registry: Registry; context?: Context; su?: boolean; shared?: SharedState }) {
    this.cr = opts.cr;
    this.uid = opts.uid;
    this.registry = opts.registry;
    this.context = Object.freeze({ ...(opts.context ?? {}) });
    this.su = opts.su ?? opts.uid === SUPERUSER_ID;
    this.shared = opts.shared ?? { xmlids: new Map(), afterCommit: [] };
  }

  /** An empty recordset of `name`. */
  model<T extends Model = Model>(name: string): T {
    const cls = this.registry.get(name);
    if (!cls) throw err(MissingError, "Model '%s' does not exist", name);
    return new cls(this, []) as T;
  }

  sudo(flag = true): Environment {
    return this.derive({ su: flag });
  }
  withUser(uid: number): Environment {
    return new Environment({ cr: this.cr, uid, registry: this.registry, context: this.context, su: uid === SUPERUSER_ID });
  }
  withContext(extra: Context): Environment {
    return this.derive({ context: { ...this.context, ...extra } });
  }
  withCr(cr: Knex | Knex.Transaction): Environment {
    return new Environment({ cr, uid: this.uid, registry: this.registry, context: this.context, su: this.su });
  }
  private derive(over: { su?: boolean; context?: Context }): Environment {
    return new Environment({ cr: this.cr, uid: this.uid, registry: this.registry, context: over.context ?? this.context, su: over.su ?? this.su, shared: this.shared });
  }

  /** Ids of the user's groups, implied groups included (cached for this unit of work). */
  groupIds(): Promise<Set<number>> {
    this.shared.groupIds ??= (async () => {
      const rows = await this.cr.raw(
        `WITH RECURSIVE g(id) AS (
           SELECT gid FROM res_groups_users_rel WHERE uid = ?
           UNION SELECT r.hid FROM res_groups_implied_rel r JOIN g ON r.gid = g.id)
         SELECT id FROM g`, [this.uid]);
      return new Set<number>(rowsOf(rows).map((r: any) => Number(r.id)));
    })();
    return this.shared.groupIds;
  }
  /**
   * Seeds the group cache (e.g. from the query that loaded the user at request start). A Set
   * is used as is: requests that share it (app.ts reuses a user's groups for a moment) also
   * share what is cached on it (the user's group XML ids, the `user` of record rules).
   */
  primeGroups(ids: number[] | Set<number>): void {
    this.shared.groupIds = Promise.resolve(ids instanceof Set ? ids : new Set(ids));
  }
  /** Forget cached groups (after the user's groups change). */
  invalidateGroups(): void {
    this.shared.groupIds = undefined;
    this.registry.userContexts.clear();
  }

  /** True when the user belongs to the group with this XML id (implied groups included). */
  async hasGroup(xmlid: string): Promise<boolean> {
    if (this.uid === SUPERUSER_ID) return true;
    const ref = await this.xmlidLookup(xmlid);
    if (!ref) return false;
    return (await this.groupIds()).has(ref.id);
  }

  /** Resolves `module.name` to its record, or throws MissingError. */
  async ref<T extends Model = Model>(xmlid: string): Promise<T> {
    const found = await this.xmlidLookup(xmlid);
    if (!found) throw err(MissingError, 'External ID not found: %s', xmlid);
    return this.model<T>(found.model).browse([found.id]) as T;
  }
  async refId(xmlid: string): Promise<number> {
    const found = await this.xmlidLookup(xmlid);
    if (!found) throw err(MissingError, 'External ID not found: %s', xmlid);
    return found.id;
  }
  async xmlidLookup(xmlid: string): Promise<{ model: string; id: number } | null> {
    if (this.shared.xmlids.has(xmlid)) return this.shared.xmlids.get(xmlid)!;
    const dot = xmlid.indexOf('.');
    if (dot < 0) throw err(MissingError, "External ID '%s' must be of the form module.name", xmlid);
    const read = async () => {
      const row = await this.cr('ir_model_data').where({ module: xmlid.slice(0, dot), name: xmlid.slice(dot + 1) }).first('model', 'res_id');
      return row ? { model: row.model as string, id: Number(row.res_id) } : null;
    };
    const found = this.sharesCacheOf(['ir.model.data']) ? await this.registry.sharedCache.get(['ir_model_data'], `xmlid:${xmlid}`, read) : await read();
    if (found) this.shared.xmlids.set(xmlid, found);
    return found;
  }
  forgetXmlid(xmlid: string): void {
    this.shared.xmlids.delete(xmlid);
    this.forgetMemo('ir.model.data');
  }

  /**
   * `memo`, backed by the process-wide cache (see core/orm/shared-cache.ts): the value is
   * shared with the other units of work of this process, and kept coherent with every
   * process's writes by cache signals, for lookups of configuration that rarely changes.
   * The models' tables must carry the signal trigger (`installCacheSignals`); else, and
   * in a unit of work that wrote one of `models`, it is `memo`. Callers must not mutate the value.
   */
  cached<T>(models: string | readonly string[], key: string, fn: () => PromiseLike<T>): Promise<T> {
    const list = typeof models === 'string' ? [models] : models;
    if (!this.sharesCacheOf(list)) return this.memo(list, key, fn);
    const tables = list.map((m) => this.registry.get(m)?._meta.table ?? m);
    return this.memo(list, key, () => this.registry.sharedCache.get(tables, key, fn));
  }
  /**
   * Display names of `ids` of `model` (`key`: its table and name expression), kept across
   * units of work like `cached` values (see SharedCache.names); `fill` reads the missing
   * ones. After this unit of work wrote `model`, every name is read with `fill`.
   */
  async cachedNames(model: string, key: string, ids: readonly number[], fill: (missing: number[]) => PromiseLike<Iterable<[number, unknown]>>): Promise<ReadonlyMap<number, unknown>> {
    if (!this.sharesCacheOf([model])) return new Map(await fill([...new Set(ids)]));
    return this.registry.sharedCache.names(this.registry.get(model)?._meta.table ?? model, key, ids, fill);
  }
  /** Whether reads of `models` may come from the shared cache: not while installing, nor after writing one of them. */
  sharesCacheOf(models: readonly string[]): boolean {
    if (this.context.install_mode) return false;
    const wrote = wroteIn.get(this.cr);
    return !wrote || !models.some((m) => wrote.has(m));
  }

  /**
   * `fn()` computed once per unit of work (transaction) under `key`, shared by every
   * environment derived from this one (sudo, withContext): for values read from records of
   * `models` (configuration: a subtype's flag, a sequence, an SLA policy…). The ORM forgets
   * the value as soon as this unit of work creates, writes or deletes records of one of
   * those models (raw SQL writes to them must call `forgetMemo`). A failed lookup is not kept.
   */
  memo<T>(models: string | readonly string[], key: string, fn: () => PromiseLike<T>): Promise<T> {
    const memo = (this.shared.memo ??= new Map());
    let found = memo.get(key)?.value as Promise<T> | undefined;
    if (!found) {
      // Promise.resolve: a knex query builder is a thenable that runs once per `then`.
      const value = Promise.resolve(fn());
      found = value;
      memo.set(key, { models: typeof models === 'string' ? [models] : models, value });
      value.catch(() => { if (memo.get(key)?.value === value) memo.delete(key); });
    }
    return found;
  }
  /** What `memo` holds under `key` in this unit of work, or undefined (it computes nothing). */
  memoized<T>(key: string): Promise<T> | undefined {
    return this.shared.memo?.get(key)?.value as Promise<T> | undefined;
  }
  /** Forgets the memoised values read from records of `model` (see `memo`). */
  forgetMemo(model: string): void {
    this.noteWrite(model);
    if (model === 'ir.model.data') this.shared.xmlids.clear();
    const memo = this.shared.memo;
    if (!memo?.size) return;
    for (const [key, entry] of memo) if (entry.models.includes(model)) memo.delete(key);
  }
  /**
   * This unit of work writes records of `model`: the shared cache of its table is dropped
   * now (this process) and again at commit (before the signal reaches this process's
   * listener, another request could have refilled it with the committed, older value).
   */
  private noteWrite(model: string): void {
    // Autocommitted statements (no transaction) are seen by everyone at once: nothing to remember.
    const trx = (this.cr as { isTransaction?: boolean }).isTransaction ? this.cr : null;
    let wrote = trx ? wroteIn.get(trx) : undefined;
    if (trx && !wrote) wroteIn.set(trx, (wrote = new Set()));
    if (wrote?.has(model)) return;
    wrote?.add(model);
    const cache = this.registry.sharedCache;
    const table = this.registry.get(model)?._meta.table ?? model;
    if (!cache.usable([table])) return;
    cache.invalidate([table]);
    this.afterCommit(() => cache.invalidate([table]));
  }

  /**
   * Forgets what this unit of work remembered (XML ids, memoised values): after a rollback
   * to a savepoint, what was looked up since may be gone.
   */
  forgetCaches(): void {
    this.shared.xmlids.clear();
    this.shared.memo?.clear();
  }

  /** Runs `fn` after the surrounding transaction commits. */
  afterCommit(fn: () => void | Promise<void>): void {
    this.shared.afterCommit.push(fn);
  }
  async runAfterCommit(): Promise<void> {
    const tasks = this.shared.afterCommit.splice(0);
    for (const task of tasks) await task();
  }

  get lang(): string {
    return this.context.lang ?? 'en_US';
  }
}

/** Rows of a `knex.raw` result on PostgreSQL (pg and PGlite). */
export function rowsOf(result: any): any[] {
  return Array.isArray(result) ? result : result.rows;
}
