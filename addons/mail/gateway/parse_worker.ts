/**
 * The body of a parsing thread (see parse_pool.ts): raw mail in, `parseInbound`'s result out.
 * The raw bytes come and go back moved (transferred), as do attachment contents that own
 * their memory: nothing of the size of the mail is copied between the threads.
 */
import { parentPort } from 'node:worker_threads';
import { parseInbound, UnparseableMail, type ParsedInbound } from './parse.ts';

export interface ParseRequest { id: number; raw: Uint8Array; envelopeFrom: string | false }
/** Every answer hands the raw bytes back: the main thread keeps them (size, raw copy of failures). */
export type ParseReply =
  | { id: number; raw: Uint8Array; mail: ParsedInbound }
  | { id: number; raw: Uint8Array; unparseable: string }
  | { id: number; raw: Uint8Array; error: string };

/** Whole ArrayBuffers only: a slice of Node's shared 8 KB pool must be copied, not moved. */
export const ownsMemory = (b: Uint8Array) => b.buffer instanceof ArrayBuffer && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength;

const port = parentPort;
if (port) {
  port.on('message', (req: ParseRequest) => {
    const raw = Buffer.from(req.raw.buffer, req.raw.byteOffset, req.raw.byteLength);
    const moved = (extra: Uint8Array[] = []) => [...new Set([req.raw, ...extra].filter(ownsMemory).map((b) => b.buffer as ArrayBuffer))];
    parseInbound(raw, req.envelopeFrom).then(
      (mail) => port.postMessage({ id: req.id, raw: req.raw, mail } satisfies ParseReply,
        moved(mail.attachments.map((a) => a.content).filter((c): c is Buffer => Buffer.isBuffer(c)))),
      (err) => port.postMessage((err instanceof UnparseableMail
        ? { id: req.id, raw: req.raw, unparseable: err.message }
        : { id: req.id, raw: req.raw, error: String((err as Error)?.message ?? err) }) satisfies ParseReply, moved()),
    );
  });
}
