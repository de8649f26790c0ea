/**
 * Request bodies with a size limit (`limit_request_mb`). A body over the limit is a
 * RequestTooLarge (413); the rest of it is drained (up to a bound) so the client reads the
 * answer instead of a reset connection.
 */
import type { Context } from 'koa';
import { BadRequest, RequestTooLarge } from './rpc/errors.ts';

function tooLarge(limit: number): RequestTooLarge {
  const mb = limit / (1024 * 1024);
  return new RequestTooLarge(`Request body too large: the limit is ${Number.isInteger(mb) ? mb : mb.toFixed(2)} MB (limit_request_mb)`);
}

/**
 * The whole body as a Buffer; RequestTooLarge beyond `limit` bytes. An oversized body is
 * read on (without keeping it) up to a bound, so the client gets the 413 answer.
 */
export function readBody(ctx: Context, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => new BodyReader(ctx, limit, resolve, reject).start());
}

/**
 * One body being read. A class with bound methods rather than closures: under tsx (esbuild
 * keepNames) each named closure created per request also costs an Object.defineProperty.
 */
class BodyReader {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private over: boolean;
  private settled = false;
  private readonly drainCap: number;
  private readonly onData: (chunk: Buffer) => void;

  constructor(private readonly ctx: Context, private readonly limit: number, private readonly resolve: (body: Buffer) => void, private readonly reject: (err: Error) => void) {
    this.drainCap = Math.max(limit * 4, 64 * 1024 * 1024);
    const declared = Number(ctx.get('content-length') || NaN);
    this.over = Number.isFinite(declared) && declared > limit;
    this.onData = this.data.bind(this);
  }

  start(): void {
    const req = this.ctx.req;
    req.on('data', this.onData);
    req.once('end', this.end.bind(this));
    req.once('error', this.error.bind(this));
    req.once('close', this.close.bind(this));
  }

  private finish(err: Error | null, value?: Buffer): void {
    if (this.settled) return;
    this.settled = true;
    this.ctx.req.removeListener('data', this.onData);
    if (err) this.reject(err); else this.resolve(value!);
  }

  private data(chunk: Buffer): void {
    this.size += chunk.length;
    if (!this.over && this.size > this.limit) { this.over = true; this.chunks.length = 0; }
    if (this.over) {
      if (this.size > this.drainCap) { this.ctx.set('Connection', 'close'); this.ctx.req.pause(); this.finish(tooLarge(this.limit)); }
      return;
    }
    this.chunks.push(chunk);
  }

  private end(): void {
    this.finish(this.over ? tooLarge(this.limit) : null, this.over ? undefined : Buffer.concat(this.chunks, this.size));
  }

  private error(err: Error): void {
    this.finish(new BadRequest(`Could not read the request body: ${err.message}`));
  }

  private close(): void {
    if (!this.settled) this.finish(this.over ? tooLarge(this.limit) : new BadRequest('The request body was not received completely'));
  }
}

/** Parses a JSON body; BadRequest when it is not valid JSON. */
export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (!text.trim()) throw new BadRequest('Invalid JSON data: the request body is empty');
  try {
    // The reviver drops `__proto__` keys (prototype pollution); it costs a call per value,
    // so it only runs on bodies that may hold the key, plainly or with \u escapes.
    const risky = text.includes('__proto__') || text.includes('\\u');
    return risky ? JSON.parse(text, (k, v) => (k === '__proto__' ? undefined : v)) : JSON.parse(text);
  } catch (err) {
    throw new BadRequest(`Invalid JSON data: ${(err as Error).message}`);
  }
}

/** Parses `multipart/form-data` or `application/x-www-form-urlencoded` bodies. */
export async function parseForm(contentType: string, body: Buffer): Promise<FormData> {
  try {
    const req = new Request('http://localhost/', { method: 'POST', headers: { 'content-type': contentType }, body: new Blob([new Uint8Array(body)]) });
    return await req.formData();
  } catch (err) {
    throw new BadRequest(`Invalid form data: ${(err as Error).message}`);
  }
}
