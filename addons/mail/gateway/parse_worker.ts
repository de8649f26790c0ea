/**
 * The body of a parsing thread (see parse_pool.ts): raw mail in, `parseInbound`'s result out.
 * Attachment contents go back transferred (moved, not copied) when they own their memory.
 */
import { parentPort } from 'node:worker_threads';
import { parseInbound, UnparseableMail } from './parse.ts';

export interface ParseRequest { id: number; raw: Uint8Array; envelopeFrom: string | false }
export type ParseReply =
  | { id: number; mail: import('./parse.ts').ParsedInbound }
  | { id: number; unparseable: string }
  | { id: number; error: string };

/** Whole ArrayBuffers only: a slice of Node's shared 8 KB pool must be copied, not moved. */
const ownsMemory = (b: Uint8Array) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer;

const port = parentPort;
if (port) {
  port.on('message', (req: ParseRequest) => {
    const raw = Buffer.from(req.raw.buffer, req.raw.byteOffset, req.raw.byteLength);
    parseInbound(raw, req.envelopeFrom).then(
      (mail) => {
        const transfer = [...new Set(mail.attachments.map((a) => a.content).filter((c): c is Buffer => Buffer.isBuffer(c) && ownsMemory(c)).map((c) => c.buffer as ArrayBuffer))];
        port.postMessage({ id: req.id, mail } satisfies ParseReply, transfer);
      },
      (err) => port.postMessage((err instanceof UnparseableMail
        ? { id: req.id, unparseable: err.message }
        : { id: req.id, error: String((err as Error)?.message ?? err) }) satisfies ParseReply),
    );
  });
}
