/**
 * The gateway's end-of-DATA scan (addons/mail/gateway/smtp_stream.ts) against smtp-server's
 * own: the same chunks fed to two stream parsers, one with each method, give the same message
 * bytes, the same commands after it and the same byte count — for generated messages full of
 * dots, line breaks, escapes and terminators, cut into chunks anywhere (fast-check).
 */
import test from 'ava';
import fc from 'fast-check';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { FOR_VERSION, fastFeedDataStream, installedVersion, installFastDataScan, libraryFeedDataStream } from '../../addons/mail/gateway/smtp_stream.ts';

interface Outcome { data: string; end: { last: string; remainder: string } | null; dataBytes: number }

/**
 * Feeds `chunks` to a parser in data mode whose scan is `feed`, until the data ends: what it
 * wrote to the data stream, the last piece and the bytes after the terminator it ended with,
 * and the bytes it counted.
 */
async function scan(feed: any, chunks: Buffer[]): Promise<Outcome> {
  const stream = new SMTPStream() as any;
  stream._feedDataStream = feed;
  const data = stream.startDataMode();
  const out: Outcome = { data: '', end: null, dataBytes: 0 };
  data.on('data', (c: Buffer) => { out.data += c.toString('latin1'); });
  stream._endDataMode = (last: Buffer | false, remainder: Buffer, done: () => void) => {
    out.end = { last: last ? last.toString('latin1') : '', remainder: remainder.toString('latin1') };
    done();
  };
  for (const chunk of chunks) {
    await new Promise<void>((resolve, reject) => stream.write(chunk, (err: unknown) => (err ? reject(err) : resolve())));
    if (out.end) break;
  }
  await new Promise<void>((resolve) => setImmediate(resolve));
  out.dataBytes = stream.dataBytes;
  return out;
}

const cut = (text: string, at: number[]): Buffer[] => {
  const bytes = Buffer.from(text, 'latin1');
  const points = [...new Set(at.map((k) => k % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p > from) chunks.push(bytes.subarray(from, p));
    from = Math.max(from, p);
  }
  return chunks;
};

test('the installed smtp-server is the release the scan mirrors, and the gateway uses it', (t) => {
  t.is(installedVersion(), FOR_VERSION, 'smtp-server was upgraded: compare its _feedDataStream with smtp_stream.ts and update FOR_VERSION');
  t.true(installFastDataScan());
  t.is(SMTPStream.prototype._feedDataStream, fastFeedDataStream);
});

test('known shapes: escapes, a lone dot first, the terminator split across chunks, bytes after it', async (t) => {
  // [what the client sends, where it is cut, the message (escapes removed), the bytes after the terminator]
  const cases: Array<[string, number[], string, string]> = [
    ['Hello\r\n..dot line\r\n.\r\nQUIT\r\n', [], 'Hello\r\n.dot line\r\n', 'QUIT\r\n'],
    ['..\r\nafter a lone escaped dot\r\n.\r\nNOOP\r\n', [0, 1, 2], '.\r\nafter a lone escaped dot\r\n', 'NOOP\r\n'],
    ['.\r\nRSET\r\n', [0], '', 'RSET\r\n'],
    ['line\r\n.\r\nMAIL FROM:<a@b>\r\n', [5, 6, 7, 8], 'line\r\n', 'MAIL FROM:<a@b>\r\n'],
    ['a\r\n...\r\n.x\r\n\r\n.\r\n', [2, 3, 4, 14], 'a\r\n..\r\n.x\r\n\r\n', ''], // (a dot before other text stays, as smtp-server keeps it)
  ];
  for (const [text, at, message, remainder] of cases) {
    const fast = await scan(fastFeedDataStream, cut(text, at));
    t.deepEqual(fast, await scan(libraryFeedDataStream, cut(text, at)), JSON.stringify(text));
    t.is(fast.data + fast.end?.last, message, `${JSON.stringify(text)}: the message`);
    t.is(fast.end?.remainder, remainder, `${JSON.stringify(text)}: after it`);
    t.is(fast.dataBytes, message.length, `${JSON.stringify(text)}: counted`);
  }
});

test('generated messages cut anywhere parse the same with both scans', async (t) => {
  const piece = fc.constantFrom('.', '..', '...', '\r\n', '\n', '\r', 'a', 'b.', '\r\n.', '\r\n..', '.\r\n', '\r\n.\r\n', ' ', 'QUIT\r\n', 'x'.repeat(70));
  await fc.assert(fc.asyncProperty(fc.array(piece, { maxLength: 60 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 12 }), async (pieces, terminated, at) => {
    const text = `${pieces.join('')}${terminated ? '\r\n.\r\nNOOP\r\n' : ''}`;
    const [fast, library] = [await scan(fastFeedDataStream, cut(text, at)), await scan(libraryFeedDataStream, cut(text, at))];
    t.deepEqual(fast, library);
    return JSON.stringify(fast) === JSON.stringify(library);
  }), { numRuns: 400 });
});
