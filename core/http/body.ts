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
  const req = ctx.req;
  const drainCap = Math.max(limit * 4, 64 * 1024 * 1024);
  const declared = Number(ctx.get('content-length') || NaN);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > limit;
    let settled = false;
    const finish = (err: Error | null, value?: Buffer) => {
      if (settled) return;
      settled = true;
      req.removeListener('data', onData);
      if (err) reject(err); else resolve(value!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (!over && size > limit) { over = true; chunks.length = 0; }
      if (over) {
        if (size > drainCap) { ctx.set('Connection', 'close'); req.pause(); finish(tooLarge(limit)); }
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish(over ? tooLarge(limit) : null, over ? undefined : Buffer.concat(chunks, size)));
    req.once('error', (err) => finish(new BadRequest(`Could not read the request body: ${err.message}`)));
    req.once('close', () => { if (!settled) finish(over ? tooLarge(limit) : new BadRequest('The request body was not received completely')); });
  });
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
