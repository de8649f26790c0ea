/**
 * One run of an import task, start to log:
 *
 *   lock the task (pg advisory lock: one run per task, across workers and machines)
 *     └─ count the query's rows (the progress bar's total)
 *        └─ stream the query in batches ─▶ map each row ─▶ fetch the batch's articles and
 *           attachments ─▶ prepare (references, ticket numbers: one batch at a time)
 *           ─▶ write the batch and move last_sync, in ONE transaction per batch; on a server
 *              two batches write at once while the next is read (last_sync: sync-point.ts)
 *           (between batches: the heap kept within the run's memory budget, memory.ts)
 *     └─ log record + the task's counters and last_log; unlock
 *     └─ server: the tickets' and messages' full-text vectors, left by the batches, computed in the
 *        background (helpdesk_bytacora/search_index.ts); the search finds them meanwhile
 *
 * Where transactions come from:
 *  - PostgreSQL server: the run opens its own small pool on the same database, so each batch
 *    commits on its own — a run killed midway keeps the batches done, and its last_sync says
 *    where the next run starts (rows are keyed on (source, zammad_id): nothing twice).
 *  - embedded PGlite (one connection): the run happens inside the caller's transaction, each
 *    batch in a savepoint; a crash undoes the whole run and the next one does it again.
 * A source that cannot be reached or a query with a syntax error ends the run as "failed"
 * with the database's message in the log: the caller never sees an exception.
 */
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { reportProgress } from '../../../core/http/index.ts';
import { Environment, SUPERUSER_ID, rowsOf } from '../../../core/orm/index.ts';
import { onPostgresServer } from '../../../core/db/index.ts';
import { logger } from '../../../core/logger.ts';
import { _t } from '../tools.ts';
import { mailDomain } from '../../mail/index.ts';
import { DEFER_SETTING, indexAllPending } from '../../helpdesk_bytacora/search_index.ts';
import { ARTICLES_QUERY, ATTACHMENTS_QUERY, mapRow, planColumns, utcText, type ColumnPlan, type MappedTicket, type TargetField } from './mapping.ts';
import { References } from './references.ts';
import { executeQuery, streamQuery, type QueryResult } from './source.ts';
import { SyncPoint } from './sync-point.ts';
import { MemoryBudget } from './memory.ts';
import { describeDbError, prepareBatch, trustedTables, writeBatch, type ArticleRow, type AttachmentRow, type BatchInput, type PreparedBatch, type WriterContext } from './writer.ts';

/**
 * Tickets per batch (with their articles and attachments, about 5 times as many rows). 500
 * rather than 1,000 measured faster (two batches in flight overlap better) and keeps less
 * memory in flight.
 */
export const BATCH_SIZE = 500;
/**
 * Batches written at once on a PostgreSQL server, each on its own connection: the database's
 * work per batch (indexes, full-text vectors, foreign keys) runs on two cores while this
 * process reads and maps the next batch.
 */
const PARALLEL_BATCHES = 2;
const LOCK_CLASS = 0x5a4d; // "ZM": the first key of the advisory lock, the task id the second
const MAX_LOG_LINES = 2000;
const EPOCH = '1970-01-01 00:00:00';

export type RunStatus = 'done' | 'failed' | 'busy';
export interface RunOutcome {
  status: RunStatus;
  logId: number | null;
  imported: number;
  errors: number;
  warnings: number;
  created: number;
  updated: number;
  messages: number;
  attachments: number;
}

type Level = 'INFO' | 'WARNING' | 'ERROR';
class RunLog {
  lines: string[] = [];
  errors = 0;
  warnings = 0;
  private dropped = 0;
  add(level: Level, zammadId: number | null, message: string): void {
    if (level === 'ERROR') this.errors++;
    if (level === 'WARNING') this.warnings++;
    if (this.lines.length >= MAX_LOG_LINES) {
      this.dropped++;
      return;
    }
    this.lines.push(`${new Date().toISOString().slice(0, 19).replace('T', ' ')} ${level}${zammadId ? ` Zammad ticket ${zammadId}` : ''}: ${message}`);
  }
  text(): string {
    return this.lines.join('\n') + (this.dropped ? `\n… ${this.dropped} more lines not kept` : '');
  }
}

// ── where transactions come from ────────────────────────────────────────────────────
const pools = new Map<string, Knex>();

/** A small pool on the ERP's own PostgreSQL server, or null on embedded PGlite. */
function ownPool(env: Environment): Knex | null {
  if (!onPostgresServer(env.cr)) return null;
  const config = (env.cr as any).client.config;
  const key = JSON.stringify(config.connection);
  let pool = pools.get(key);
  if (!pool) {
    // The batches being written, the one being prepared, reads of the source's record.
    pool = knexFactory({ client: 'pg', connection: config.connection, pool: { min: 0, max: PARALLEL_BATCHES + 2, idleTimeoutMillis: 5000 } });
    pools.set(key, pool);
  }
  return pool;
}

/**
 * The full-text indexing that follows the runs on a PostgreSQL server (one at a time): the
 * batches commit their tickets and messages without vectors, computed here after the run, on
 * the run's pool, while the search matches the ones not indexed yet on the fly
 * (helpdesk_bytacora/search_index.ts). Whatever a crash leaves, the scheduled action does.
 */
let indexing: Promise<void> = Promise.resolve();

function indexAfterRun(pool: Knex): void {
  indexing = indexing.then(async () => {
    if (await indexAllPending(pool, { workers: PARALLEL_BATCHES })) await tidyAfterBulkLoad(pool);
  }).then(
    () => undefined,
    (err) => logger.warn(`Zammad import: indexing the imported tickets and messages for full-text search failed (the scheduled action will): ${err?.message ?? err}`));
}

/**
 * After a bulk import and its indexing: VACUUM drops the row versions the indexer left behind
 * (the partial indexes of rows still to index kept an entry for each, read by every search
 * until autovacuum came by) and ANALYZE gives the planner the new row counts and values.
 */
async function tidyAfterBulkLoad(pool: Knex): Promise<void> {
  await pool.raw('VACUUM (ANALYZE) helpdesk_ticket, mail_message');
}

/** Resolves once the tickets and messages of the runs so far are indexed for full-text search. */
export function importIndexed(): Promise<void> {
  return indexing;
}

/** Closes the importer's pools (server shutdown, end of tests), after their indexing. */
export async function closeImportPools(): Promise<void> {
  await indexing;
  const list = [...pools.values()];
  pools.clear();
  await Promise.all(list.map((p) => p.destroy()));
}

interface Tx {
  /** Runs `fn` in a unit that commits (server) or a savepoint (PGlite). */
  unit<T>(fn: (env: Environment) => Promise<T>): Promise<T>;
  /** How many batches may be written at once (each in its own unit). */
  parallel: number;
  /**
   * Lets the unit's commit return before its WAL reaches the disk: a crash of the database
   * server (not of this process) may lose the last batches, with their last_sync — the next
   * run reads them again. Each batch is one commit, so this saves a disk flush per batch.
   */
  fastCommit(env: Environment): Promise<void>;
  /**
   * fastCommit, and lets the unit's tickets and messages wait for the full-text indexer
   * (server: indexed right after the run; PGlite, one connection and one transaction: computed
   * as they are inserted): a batch's settings, in one round trip.
   */
  writeSettings(env: Environment): Promise<void>;
  /** After the run: indexes what deferVectors left. */
  afterRun(): void;
  /** Whether deferVectors defers (the messages' vector trigger then stores NULL: a no-op). */
  vectorsDeferred: boolean;
  /** An environment for reads outside the batches (the source record, the task). */
  env: Environment;
  /** Takes the task's lock; false when another run holds it. */
  lock(taskId: number): Promise<boolean>;
  unlock(): Promise<void>;
}

function transactions(caller: Environment): Tx {
  const registry = caller.registry;
  const system = (cr: Knex | Knex.Transaction) => new Environment({ cr, uid: SUPERUSER_ID, registry, context: { lang: caller.lang } });
  const pool = ownPool(caller);
  if (!pool) {
    const env = system(caller.cr);
    return {
      env,
      parallel: 1,
      vectorsDeferred: false,
      async fastCommit() { /* inside the caller's transaction */ },
      async writeSettings() { /* inside the caller's transaction; vectors computed on insert */ },
      afterRun() { /* nothing deferred */ },
      async unit(fn) {
        await env.cr.raw('SAVEPOINT zammad_unit');
        try {
          const out = await fn(env);
          await env.cr.raw('RELEASE SAVEPOINT zammad_unit');
          return out;
        } catch (err) {
          await env.cr.raw('ROLLBACK TO SAVEPOINT zammad_unit');
          throw err;
        }
      },
      async lock(taskId) {
        return rowsOf(await env.cr.raw('SELECT pg_try_advisory_xact_lock(?, ?) AS ok', [LOCK_CLASS, taskId]))[0].ok;
      },
      async unlock() { /* released with the caller's transaction */ },
    };
  }
  let lockClient: pg.Client | null = null;
  const config = (caller.cr as any).client.config;
  return {
    env: system(pool),
    parallel: PARALLEL_BATCHES,
    vectorsDeferred: true,
    async fastCommit(env) {
      await env.cr.raw('SET LOCAL synchronous_commit = off');
    },
    async writeSettings(env) {
      await env.cr.raw(`SELECT set_config('synchronous_commit', 'off', true), set_config(?, 'on', true)`, [DEFER_SETTING]);
    },
    afterRun() {
      indexAfterRun(pool);
    },
    unit: (fn) => pool.transaction((trx) => fn(system(trx))),
    async lock(taskId) {
      // A session lock on a connection of its own: held for the whole run, released by
      // PostgreSQL if this process dies.
      const client = new pg.Client(typeof config.connection === 'string' ? { connectionString: config.connection } : config.connection);
      // Losing this connection (a server restart) ends the lock; it must not crash the server.
      client.on('error', (e) => logger.warn(`Zammad import: the run's lock connection was lost: ${e.message}`));
      await client.connect();
      const ok = (await client.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_CLASS, taskId])).rows[0].ok;
      if (!ok) {
        await client.end();
        return false;
      }
      lockClient = client;
      return true;
    },
    async unlock() {
      if (!lockClient) return;
      const client = lockClient;
      lockClient = null;
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

// ── the run ─────────────────────────────────────────────────────────────────────────
export interface TaskRow {
  id: number;
  name: string;
  dbsource_id: number | null;
  sql_source: string;
  model_target: string;
  last_sync: string | null;
}

/** The fields a column can be named after (target model's stored fields). */
export function targetFields(env: Environment, model: string): Map<string, TargetField> {
  const cls = env.registry.get(model);
  const out = new Map<string, TargetField>();
  if (!cls) return out;
  for (const f of cls._meta.fields.values()) {
    out.set(f.name, { name: f.name, type: f.type, stored: f.stored, readonly: !!f.readonly, required: !!f.required, selection: f.selection as any, string: f.string });
  }
  return out;
}

/** The query with its trailing semicolons removed (so it can be wrapped). */
export const bareQuery = (sql: string) => sql.trim().replace(/;+\s*$/, '');

/** Checks the values of columns written directly against their field (selection values, required). */
function directErrors(plan: ColumnPlan, ticket: MappedTicket): string | null {
  for (const d of plan.direct) {
    const v = ticket.values.direct[d.field.name];
    if ((v === null || v === undefined || v === '') && d.field.required) return `Missing required value for "${d.column}"`;
    if (d.field.type === 'selection' && v !== null && v !== undefined && !(d.field.selection ?? []).some(([k]) => k === v)) {
      return `Invalid value ${JSON.stringify(v)} for "${d.column}": expected one of ${(d.field.selection ?? []).map(([k]) => k).join(', ')}`;
    }
  }
  return null;
}

export async function runImport(caller: Environment, taskId: number): Promise<RunOutcome> {
  const tx = transactions(caller);
  const log = new RunLog();
  const outcome: RunOutcome = { status: 'done', logId: null, imported: 0, errors: 0, warnings: 0, created: 0, updated: 0, messages: 0, attachments: 0 };
  if (!(await tx.lock(taskId))) return { ...outcome, status: 'busy' };
  const started = utcText(new Date())!;
  try {
    let task: TaskRow | undefined;
    try {
      task = await tx.unit(async (env) => {
        const row = await env.cr('base_external_import_task').where({ id: taskId }).first('id', 'name', 'dbsource_id', 'sql_source', 'model_target', 'last_sync');
        if (row) await env.cr('base_external_import_task').where({ id: taskId }).update({ start_run: started });
        return row;
      });
      if (!task) throw new Error(`Import task ${taskId} does not exist`);
      await importRows(caller, tx, task, log, outcome);
    } catch (err) {
      outcome.status = 'failed';
      log.add('ERROR', null, `The run failed: ${describeDbError(err)}`);
    }
    outcome.errors = log.errors;
    outcome.warnings = log.warnings;
    log.add('INFO', null, `${outcome.imported} tickets read and imported (${outcome.created} created, ${outcome.updated} changed), ${outcome.messages} messages, ${outcome.attachments} attachments; ${outcome.errors} errors, ${outcome.warnings} warnings.`);
    outcome.logId = await tx.unit(async (env) => {
      const ended = utcText(new Date());
      const [row] = rowsOf(await env.cr.raw(
        `INSERT INTO base_external_import_log (import_id, start_run, end_run, status, record_count, error_count, warn_count, log, create_uid, write_uid, create_date, write_date)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        [taskId, started, ended, outcome.status, outcome.imported, outcome.errors, outcome.warnings, log.text(), caller.uid, caller.uid, ended, ended]));
      await env.cr('base_external_import_task').where({ id: taskId }).update({
        last_run: ended, last_record_count: outcome.imported, last_error_count: outcome.errors, last_warn_count: outcome.warnings, last_log: log.text(),
      });
      return Number(row.id);
    });
    return outcome;
  } finally {
    await tx.unlock();
    // Also after a failed run: its committed batches wait for their vectors.
    tx.afterRun();
  }
}

async function importRows(caller: Environment, tx: Tx, task: TaskRow, log: RunLog, outcome: RunOutcome): Promise<void> {
  if (!task.dbsource_id) throw new Error('The task has no database source');
  if (task.model_target !== 'helpdesk.ticket') throw new Error(`Target model "${task.model_target}" is not supported: the Zammad import writes helpdesk.ticket`);
  const sourceId = Number(task.dbsource_id);
  const query = bareQuery(task.sql_source ?? '');
  if (!query) throw new Error('The task has no query');
  const params = { last_sync: task.last_sync ? utcText(task.last_sync)! : EPOCH };
  const srcEnv = tx.env;
  const countResult = await executeQuery(srcEnv, sourceId, `SELECT count(*) AS n FROM (${query}) AS zammad_rows`, params);
  const total = Number(countResult.rows[0]?.[0] ?? 0);
  // The bar shows done / total; the line says what is being done, in the caller's language.
  const progressText = _t(caller, 'Importing Zammad tickets…');
  await reportProgress(caller, 0, total, progressText);
  const fields = targetFields(caller, 'helpdesk.ticket');
  const refs = new References();
  const subtypes = await tx.unit(async (env) => ({
    comment: (await env.xmlidLookup('mail.mt_comment'))?.id ?? null,
    note: (await env.xmlidLookup('mail.mt_note'))?.id ?? null,
  }));
  const domain = await tx.unit((env) => mailDomain(env));
  const ctx: WriterContext = { sourceId, refs, subtypes, mailDomain: domain, warn: (zid, msg) => log.add('WARNING', zid, msg) };
  // Trusted inserts (foreign keys checked per statement) only where the vectors are deferred.
  if (tx.vectorsDeferred) ctx.trusted = await tx.unit((env) => trustedTables(env.cr));
  const sync = new SyncPoint();
  const writing = new Writing(tx.parallel);
  const memory = new MemoryBudget();
  let plan: ColumnPlan | null = null;
  let seq = 0;
  let read = 0;
  const fail = (zid: number | null, updated: string | null, message: string) => {
    log.add('ERROR', zid, message);
    sync.failed(updated);
  };
  /** The batches as read from Zammad: rows mapped (bad ones logged), articles and attachments fetched. */
  async function* readBatches(): AsyncGenerator<{ batchNo: number; rowCount: number; mapped: MappedTicket[]; updatedOf: Map<number, string | null>; input: BatchInput }> {
    for await (const batch of streamQuery(srcEnv, sourceId, query, params, { batchSize: BATCH_SIZE })) {
      if (writing.error) return;
      // Between batches (not for a run of one batch): the heap kept within the run's budget.
      if (seq > 0) memory.check();
      if (!plan) {
        plan = planColumns(batch.cols, fields);
        if (plan.errors.length) throw new Error(plan.errors.join(' '));
        for (const col of plan.unknown) log.add('WARNING', null, `Column "${col}" is neither a known Zammad column nor a field of helpdesk.ticket: ignored`);
        if (plan.known.updated_at === undefined) log.add('WARNING', null, 'The query has no updated_at column: last sync cannot move, every run reads the same rows');
      }
      const batchNo = ++seq;
      const updatedIdx = plan.known.updated_at;
      const mapped: MappedTicket[] = [];
      const updatedOf = new Map<number, string | null>();
      let earliest: string | null = null;
      for (const row of batch.rows) {
        const m = mapRow(plan, row);
        // A mapped row has it already (the same column, the same conversion).
        const updated = 'error' in m ? (updatedIdx === undefined ? null : utcText(row[updatedIdx])) : m.updatedAt;
        if (updated && (!earliest || updated < earliest)) earliest = updated;
        if ('error' in m) {
          fail(m.zammadId, updated, m.error);
          continue;
        }
        const bad = directErrors(plan, m);
        if (bad) {
          fail(m.zammadId, updated, bad);
          continue;
        }
        for (const w of m.warnings) log.add('WARNING', m.zammadId, w);
        updatedOf.set(m.zammadId, updated);
        mapped.push(m);
      }
      sync.read(batchNo, earliest);
      const { articles, attachments } = await fetchArticles(srcEnv, sourceId, mapped.map((m) => m.zammadId));
      yield { batchNo, rowCount: batch.rows.length, mapped, updatedOf, input: { tickets: mapped, articles, attachments } };
    }
  }
  type ReadBatch = { batchNo: number; rowCount: number; mapped: MappedTicket[]; updatedOf: Map<number, string | null>; input: BatchInput };
  /**
   * The batches, each prepared (references, the tickets already imported, numbers: one batch
   * at a time, in order, each in a short transaction of its own) as soon as no batch still to
   * be committed writes one of its tickets — the one handed to the loop and not started yet
   * included (`written`: its write has ended, or it will not be written). On a server this
   * runs ahead of the loop: the next batch is prepared while the loop waits for a free writer.
   */
  async function* preparedBatches(source: AsyncGenerator<ReadBatch>): AsyncGenerator<ReadBatch & { prepared: PreparedBatch; written: (write: Promise<void> | null) => void }> {
    let previous: { ids: Set<number>; done: Promise<void> } | null = null;
    for await (const batch of source) {
      if (writing.error) return;
      const ids = batch.mapped.map((m) => m.zammadId);
      // A ticket twice in the stream (a custom query) is written by one batch after the other.
      const before = previous;
      if (before && ids.some((id) => before.ids.has(id))) await before.done;
      await writing.afterBatchesWith(ids);
      let prepared: PreparedBatch;
      try {
        prepared = await tx.unit(async (env) => {
          // Its commit waits for no disk flush either: a batch written after it can only be
          // durable once it is (the WAL is written in order).
          await tx.fastCommit(env);
          return prepareBatch(env, ctx, batch.input);
        });
      } catch (err) {
        // The references created by that transaction are gone with it.
        refs.clear();
        throw err;
      }
      let settle!: () => void;
      const done = new Promise<void>((resolve) => { settle = resolve; });
      previous = { ids: new Set(ids), done };
      yield { ...batch, prepared, written: (write) => (write ? write.then(settle, settle) : settle()) };
    }
  }
  try {
    // On a server the batch after next is read from Zammad (its rows, then its articles) while
    // the next one is prepared and this one waits for a writer: the reads wait on Zammad's
    // database, the prepare step on ours. With one connection (PGlite) one thing at a time.
    const batches = tx.parallel > 1 ? readAhead(preparedBatches(readAhead(readBatches()))) : preparedBatches(readBatches());
    for await (const { batchNo, rowCount, mapped, updatedOf, input, prepared, written } of batches) {
      let write: Promise<void> | null = null;
      try {
        if (writing.error) break;
        write = (await writing.start(mapped.map((m) => m.zammadId), () => tx.unit(async (env) => {
          await tx.writeSettings(env);
          const res = await writeBatch(env, ctx, input, prepared);
          for (const f of res.failed) fail(f.zammadId, updatedOf.get(f.zammadId) ?? null, f.message);
          let latest: string | null = null;
          for (const zid of res.done) {
            const u = updatedOf.get(zid);
            if (u && (!latest || u > latest)) latest = u;
          }
          const next = sync.nextFor(batchNo, latest);
          if (next) {
            await env.cr.raw(`UPDATE base_external_import_task SET last_sync = ? WHERE id = ? AND (last_sync IS NULL OR last_sync < ?)`, [next, task.id, next]);
          }
          return { res, latest };
        }).then(async ({ res, latest }) => {
          sync.committed(batchNo, latest);
          outcome.imported += res.done.length;
          outcome.created += res.created;
          outcome.updated += res.updated;
          outcome.messages += res.messages;
          outcome.attachments += res.attachments;
          read += rowCount;
          await reportProgress(caller, read, Math.max(total, read), progressText);
        })))?.done ?? null;
      } finally {
        // The next batch's prepare may wait for this one (a ticket in both): never forever.
        written(write);
      }
    }
  } finally {
    // Never leave a batch writing behind the run's end (its log, its lock).
    await writing.finish();
  }
  if (writing.error) throw writing.error;
}

/**
 * Iterates `source` one item ahead: the next item is being made while the caller works on
 * this one (one more item in memory). A failure of the item made ahead surfaces when the
 * caller asks for it; leaving early waits for it, then closes `source`.
 */
export async function* readAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  // Awaited below: not an unhandled rejection while the caller works.
  next.catch(() => undefined);
  try {
    for (;;) {
      const item = await next;
      if (item.done) return;
      next = source.next();
      next.catch(() => undefined);
      yield item.value;
    }
  } finally {
    await next.catch(() => undefined);
    await source.return(undefined);
  }
}

/**
 * The batches being written: at most `parallel` at once; the first error is kept (and no new
 * batch starts after it), the others' writes are awaited.
 */
class Writing {
  error: unknown = null;
  private running = new Map<Promise<void>, Set<number>>();
  constructor(private parallel: number) {}

  /** Waits for the running batches that write one of `ids`. */
  async afterBatchesWith(ids: number[]): Promise<void> {
    const clash = [...this.running].filter(([, written]) => ids.some((id) => written.has(id))).map(([p]) => p);
    await Promise.all(clash);
  }

  /**
   * Starts `write` once fewer than `parallel` batches are running; returns its end (`done`,
   * which never rejects: the error is kept), or null when it did not start (an earlier batch
   * failed). Wrapped: an async function's promise would wait for a promise it returns.
   */
  async start(ids: number[], write: () => Promise<void>): Promise<{ done: Promise<void> } | null> {
    while (this.running.size >= this.parallel) await Promise.race(this.running.keys());
    if (this.error) return null;
    const p: Promise<void> = write().catch((err) => { this.error ??= err; }).finally(() => { this.running.delete(p); });
    this.running.set(p, new Set(ids));
    // One connection (embedded PGlite): nothing else may run on it meanwhile.
    if (this.parallel <= 1) await p;
    return { done: p };
  }

  async finish(): Promise<void> {
    await Promise.all(this.running.keys());
  }
}

/** The articles (in Zammad's order) and attachments of some tickets, grouped for the writer. */
async function fetchArticles(env: Environment, sourceId: number, ticketIds: number[]): Promise<{ articles: Map<number, ArticleRow[]>; attachments: Map<string, AttachmentRow[]> }> {
  const articles = new Map<number, ArticleRow[]>();
  const attachments = new Map<string, AttachmentRow[]>();
  if (!ticketIds.length) return { articles, attachments };
  const a = articleRows(await executeQuery(env, sourceId, ARTICLES_QUERY, [ticketIds]));
  for (const row of a) {
    const list = articles.get(Number(row.ticket_id)) ?? [];
    list.push(row);
    articles.set(Number(row.ticket_id), list);
  }
  if (a.length) {
    const s = attachmentRows(await executeQuery(env, sourceId, ATTACHMENTS_QUERY, [a.map((r) => String(r.id))]));
    for (const row of s) {
      const list = attachments.get(String(row.article_id)) ?? [];
      list.push(row);
      attachments.set(String(row.article_id), list);
    }
  }
  return { articles, attachments };
}

/** Each column's index in `result` (the queries are ours: every column is there). */
function columnIndex<K extends string>(result: QueryResult, names: readonly K[]): Record<K, number> {
  const at = {} as Record<K, number>;
  for (const name of names) {
    const i = result.cols.indexOf(name);
    if (i < 0) throw new Error(`The Zammad query returned no column "${name}"`);
    at[name] = i;
  }
  return at;
}

const ARTICLE_COLUMNS = ['id', 'ticket_id', 'subject', 'body', 'content_type', 'internal', 'email_from', 'sender', 'article_type', 'created_at',
  'author_email', 'author_firstname', 'author_lastname', 'author_phone'] as const;

/**
 * The articles as objects of one shape, made by one literal (half a million per 100,000
 * tickets: a store by computed key per column made each one through the generic path).
 */
function articleRows(result: QueryResult): ArticleRow[] {
  const c = columnIndex(result, ARTICLE_COLUMNS);
  return result.rows.map((r) => ({
    id: r[c.id] as number, ticket_id: r[c.ticket_id] as number, subject: r[c.subject] as string | null, body: r[c.body] as string | null,
    content_type: r[c.content_type] as string | null, internal: r[c.internal] as boolean, email_from: r[c.email_from] as string | null,
    sender: r[c.sender] as string | null, article_type: r[c.article_type] as string | null, created_at: r[c.created_at],
    author_email: r[c.author_email] as string | null, author_firstname: r[c.author_firstname] as string | null,
    author_lastname: r[c.author_lastname] as string | null, author_phone: r[c.author_phone] as string | null,
  }));
}

const ATTACHMENT_COLUMNS = ['id', 'article_id', 'filename', 'size', 'preferences', 'sha', 'provider', 'data'] as const;

function attachmentRows(result: QueryResult): AttachmentRow[] {
  const c = columnIndex(result, ATTACHMENT_COLUMNS);
  return result.rows.map((r) => ({
    id: r[c.id] as number, article_id: r[c.article_id] as string, filename: r[c.filename] as string | null, size: r[c.size] as string | null,
    preferences: r[c.preferences] as string | null, sha: r[c.sha] as string | null, provider: r[c.provider] as string | null, data: r[c.data] as Buffer | null,
  }));
}
