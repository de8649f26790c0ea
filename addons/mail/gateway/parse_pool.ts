/**
 * Inbound mail parsing on worker threads, so that one process uses more than one core:
 * mailparser (MIME splitting, base64 of attachments) is about a third of the main thread's
 * work per mail, and it needs nothing from the database. The main thread keeps the SMTP
 * sessions and the transactions.
 *
 *   raw (moved) ──▶ thread with the fewest jobs ──parseInbound──▶ ParsedInbound, raw
 *                                                  (attachments and raw moved back, not copied)
 *
 * While a thread has it, the caller's raw Buffer is empty (its memory was moved): use the
 * `raw` of the result. An unparseable mail is a result too (`unparseable`: why), with its raw.
 * A thread that dies fails its jobs (their clients get a 451 and retry) and is replaced on
 * the next mail. If threads cannot be started at all, parsing falls back to the main thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { logger } from '../../../core/logger.ts';
import { parseInbound, UnparseableMail, type ParsedInbound } from './parse.ts';
import { ownsMemory, type ParseReply, type ParseRequest } from './parse_worker.ts';

/** A parsed mail, or why it could not be; and its raw bytes either way. */
export type ParseResult = { raw: Buffer; mail: ParsedInbound; unparseable?: undefined } | { raw: Buffer; unparseable: string; mail?: undefined };

/** Threads by default: the cores left beside the main thread, at most two. */
export const defaultParseThreads = () => Math.max(1, Math.min(2, availableParallelism() - 1));

interface Pending { resolve(result: ParseResult): void; reject(err: unknown): void }
/** `started` once its module is loaded: a thread lost before that means threads cannot work here. */
interface Thread { worker: Worker; pending: Map<number, Pending>; started: boolean }

const workerUrl = new URL(`./parse_worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * The thread's entry: TypeScript sources run through tsx, whose loader a worker does not
 * inherit from `node --import tsx`, so the thread registers it through tsx's API first.
 */
function bootstrap(): { code: string; workerData: Record<string, string> } {
  const ready = '.then(() => parentPort.postMessage({ ready: true }))';
  if (!workerUrl.pathname.endsWith('.ts')) return { code: `const { parentPort, workerData } = require("node:worker_threads"); import(workerData.module)${ready};`, workerData: { module: workerUrl.href } };
  return {
    code: `const { parentPort, workerData } = require("node:worker_threads"); import(workerData.api).then((api) => api.tsImport(workerData.module, workerData.module))${ready};`,
    workerData: { api: import.meta.resolve('tsx/esm/api'), module: workerUrl.href },
  };
}

export class ParsePool {
  private threads: Array<Thread | null>;
  private nextId = 1;
  /** Set when a thread could not even start: parse here from then on. */
  private broken = false;
  private closed = false;

  constructor(readonly size: number = defaultParseThreads()) {
    this.threads = Array.from({ length: Math.max(0, size) }, () => null);
  }

  /**
   * `parseInbound(raw, envelopeFrom)`, on a thread; rejects only when the thread failed (the
   * raw bytes are then lost with it: the mail was not accepted, its client sends it again).
   */
  parse(raw: Buffer, envelopeFrom: string | false): Promise<ParseResult> {
    if (!this.threads.length || this.broken || this.closed) return parseHere(raw, envelopeFrom);
    const thread = this.pick();
    const id = this.nextId++;
    return new Promise<ParseResult>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, raw, envelopeFrom } satisfies ParseRequest, ownsMemory(raw) ? [raw.buffer as ArrayBuffer] : []);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads.filter((t): t is Thread => !!t);
    this.threads = this.threads.map(() => null);
    await Promise.all(threads.map((t) => t.worker.terminate()));
    for (const t of threads) this.fail(t, new Error('The mail parsing threads were stopped.'));
  }

  private pick(): Thread {
    let best = -1;
    for (let i = 0; i < this.threads.length; i++) {
      const t = this.threads[i];
      if (!t) {
        this.threads[i] = this.spawn(i);
        return this.threads[i]!;
      }
      if (best < 0 || t.pending.size < this.threads[best]!.pending.size) best = i;
    }
    return this.threads[best]!;
  }

  private spawn(slot: number): Thread {
    const { code, workerData } = bootstrap();
    const worker = new Worker(code, { eval: true, workerData });
    // An idle pool never keeps the process alive.
    worker.unref();
    const thread: Thread = { worker, pending: new Map(), started: false };
    worker.on('message', (reply: ParseReply | { ready: true }) => {
      if ('ready' in reply) {
        thread.started = true;
        return;
      }
      const job = thread.pending.get(reply.id);
      if (!job) return;
      thread.pending.delete(reply.id);
      const raw = asBuffer(reply.raw);
      if ('mail' in reply) job.resolve({ raw, mail: fromThread(reply.mail) });
      else if ('unparseable' in reply) job.resolve({ raw, unparseable: reply.unparseable });
      else job.reject(new Error(reply.error));
    });
    let ended = false;
    const gone = (err: Error) => {
      if (ended) return;
      ended = true;
      if (this.threads[slot] === thread) this.threads[slot] = null;
      if (!thread.started && !this.closed) {
        this.broken = true;
        logger.warn(`Mail gateway: no parsing thread (${err.message}); parsing in the main thread`);
      } else if (!this.closed) logger.error(`Mail gateway: a parsing thread stopped: ${err.message}`);
      this.fail(thread, err);
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`exit code ${code}`)));
    return thread;
  }

  private fail(thread: Thread, err: Error): void {
    for (const job of thread.pending.values()) job.reject(err);
    thread.pending.clear();
  }
}

/** `parseInbound` in this thread, as a ParseResult. */
export async function parseHere(raw: Buffer, envelopeFrom: string | false): Promise<ParseResult> {
  try {
    return { raw, mail: await parseInbound(raw, envelopeFrom) };
  } catch (err) {
    if (err instanceof UnparseableMail) return { raw, unparseable: err.message };
    throw err;
  }
}

/** Bytes arrive from a thread as plain Uint8Arrays: Buffers again, over the same memory. */
const asBuffer = (b: Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function fromThread(mail: ParsedInbound): ParsedInbound {
  for (const a of mail.attachments) if (a.content instanceof Uint8Array) a.content = asBuffer(a.content);
  return mail;
}
