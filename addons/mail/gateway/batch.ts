/**
 * Inbound mail, group commit: mails that arrive together are filed in one transaction, each
 * behind a savepoint of its own, and every sender gets its 250 only once that transaction has
 * committed (a server killed before the commit has answered nobody: nothing is lost).
 *
 *   mail ──parse──▶ queue ──(a few ms, or a full batch)──▶ BEGIN
 *                                                          routeParsed(mail 1) ─ ok (throws: the batch is rolled back, all go alone)
 *                                                          SAVEPOINT ─ routeParsed(mail 2) ─ throws ─ ROLLBACK TO SAVEPOINT
 *                                                          …
 *                                                          COMMIT ──▶ 250 to mails 1, 3, …
 *   mail 2 (and every mail of a batch whose COMMIT failed) ──▶ processParsed: alone, as
 *   before — filed in a transaction of its own, or kept raw with the error; then its 250.
 *
 * The batch's Message-IDs are locked and looked up together before the first savepoint, and
 * the mails' `mail.gateway.message` rows are written by one INSERT before the COMMIT
 * (route.ts, BatchRouting): two round trips per batch where each mail made three.
 *
 * Why: a mail is about fifty short statements; the lookups of configuration they share
 * (XML ids, subtypes, the sequence, the SLA policy and calendar…) are remembered per unit
 * of work (`env.memo`), so a batch pays them once, and it pays one COMMIT (one WAL flush)
 * instead of one per mail. A bad mail still fails alone: its savepoint undoes its writes,
 * and it is processed again on its own to be filed or kept raw exactly as a lone mail is.
 */
import type { Knex } from 'knex';
import type { App } from '../../../core/app.ts';
import { nameBuilderStatements, statementRows } from '../../../core/db/index.ts';
import { logger } from '../../../core/logger.ts';
import { SUPERUSER_ID } from '../../../core/orm/index.ts';
import type { ParsedInbound } from './parse.ts';
import { parseHere, type ParseResult } from './parse_pool.ts';
import { BatchRouting, keepRaw, processParsed, routeParsed, type Envelope, type GatewaySettings, type RouteOutcome } from './route.ts';

export interface BatchOptions {
  /** Most mails in one transaction. */
  maxBatch?: number;
  /** How long the first mail of a batch waits for others (ms). */
  waitMs?: number;
  /** Batches (transactions, so database connections) running at once. */
  parallel?: number;
}

/** Raw bytes → parsed mail or why not, and the raw bytes (here or on a thread: parse_pool.ts). */
export type MailParser = (raw: Buffer, envelopeFrom: string | false) => Promise<ParseResult>;

interface Job {
  raw: Buffer;
  envelope: Envelope;
  mail: ParsedInbound;
  resolve(outcome: RouteOutcome): void;
  reject(err: unknown): void;
}

export class InboundBatcher {
  readonly maxBatch: number;
  readonly waitMs: number;
  readonly parallel: number;
  private queue: Job[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly app: App, private readonly settings: GatewaySettings, opts: BatchOptions = {}, private readonly parse: MailParser = parseHere) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? 16);
    this.waitMs = Math.max(0, opts.waitMs ?? 2);
    this.parallel = Math.max(1, opts.parallel ?? 2);
  }

  /**
   * Parses and files one mail; resolves once it is committed (routed, ignored or kept raw),
   * rejects only when it could not be stored at all (the client is told to retry).
   */
  async process(received: Buffer, envelope: Envelope): Promise<RouteOutcome> {
    // The parser may have moved `received` to a thread: from here on its `raw` is the mail's bytes.
    const { raw, mail, unparseable } = await this.parse(received, envelope.from);
    if (!mail) return keepRaw(this.app, raw, envelope, 'unparseable', unparseable);
    return new Promise<RouteOutcome>((resolve, reject) => {
      this.queue.push({ raw, envelope, mail, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (!this.queue.length || this.running >= this.parallel) return;
    if (this.queue.length >= this.maxBatch || this.waitMs === 0) {
      this.startBatch();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.startBatch();
    }, this.waitMs);
  }

  private startBatch(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // What is queued is shared among the idle runners: two half batches overlap (one waits
    // for the database while the other runs here) where one full batch would run alone.
    while (this.queue.length && this.running < this.parallel) {
      const share = Math.min(this.maxBatch, Math.ceil(this.queue.length / (this.parallel - this.running)));
      const jobs = this.queue.splice(0, share);
      this.running++;
      this.runBatch(jobs).finally(() => {
        this.running--;
        this.schedule();
      });
    }
  }

  private async runBatch(jobs: Job[]): Promise<void> {
    const filed: Array<[Job, RouteOutcome]> = [];
    const alone: Job[] = [];
    let firstFailed = false;
    try {
      await this.app.withEnv(SUPERUSER_ID, async (env) => {
        // The fifty-odd statements of a mail are always the same few shapes: prepared once per connection.
        nameBuilderStatements(env.cr as Knex.Transaction);
        // The batch's Message-IDs locked and looked up at once; their log rows written at once (route.ts).
        const routing = new BatchRouting();
        await routing.lock(env, jobs.map((job) => job.mail));
        for (const [i, job] of jobs.entries()) {
          // The first mail needs no savepoint: if it fails, the whole batch goes alone (below).
          if (i > 0) await statementRows(env.cr, 'SAVEPOINT mail_gateway_message', []);
          const kept = routing.kept;
          try {
            filed.push([job, await routeParsed(env, job.mail, job.envelope, job.raw, this.settings, routing)]);
          } catch (err) {
            if (i === 0) {
              firstFailed = true;
              throw err;
            }
            logger.info(`Mail gateway: a mail failed within a batch, filing it alone: ${(err as Error)?.message ?? err}`);
            // Undo this mail's writes and what was remembered while making them; it goes alone below.
            await env.cr.raw('ROLLBACK TO SAVEPOINT mail_gateway_message');
            env.forgetCaches();
            routing.dropSince(kept);
            alone.push(job);
          }
        }
        await routing.flush(env);
      });
    } catch (err) {
      // The transaction did not commit (or its first mail failed): nothing of it is stored,
      // every mail of the batch goes alone — those not reached yet too.
      (firstFailed ? logger.info : logger.warn).call(logger, `Mail gateway: a batch of ${jobs.length} mails did not commit, filing them one by one: ${(err as Error)?.message ?? err}`);
      filed.length = 0;
      alone.splice(0, alone.length, ...jobs);
    }
    for (const [job, outcome] of filed) job.resolve(outcome);
    await Promise.all(alone.map((job) => processParsed(this.app, job.mail, job.raw, job.envelope, this.settings).then(job.resolve, job.reject)));
  }
}
