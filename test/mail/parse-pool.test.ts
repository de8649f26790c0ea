/**
 * Parsing on threads (addons/mail/gateway/parse_pool.ts) gives what parsing in the main
 * thread gives: the same fields and attachment bytes for every MIME shape Python's email
 * package builds, the same refusal of what is not a mail; a thread that dies fails only its
 * own jobs and is replaced.
 */
import test from 'ava';
import { parseInbound, UnparseableMail } from '../../addons/mail/gateway/parse.ts';
import { ParsePool } from '../../addons/mail/gateway/parse_pool.ts';
import { mimeShapes, type Shape } from './smtp-helpers.ts';

let shapes: Shape[];
const pool = new ParsePool(2);
test.before(async () => { shapes = await mimeShapes('helpdesk.test'); });
test.after.always(() => pool.close());

test('threads parse every MIME shape exactly as the main thread does', async (t) => {
  t.true(shapes.length > 3);
  const results = await Promise.all(shapes.map((s) => pool.parse(Buffer.from(s.raw, 'base64'), 'a@example.com')));
  for (const [i, s] of shapes.entries()) {
    const here = await parseInbound(Buffer.from(s.raw, 'base64'), 'a@example.com');
    const there = results[i];
    for (const a of there.attachments) t.true(Buffer.isBuffer(a.content), `${s.name}: attachment bytes are a Buffer`);
    t.deepEqual({ ...there, attachments: there.attachments.map((a) => ({ ...a, content: Buffer.from(a.content as Buffer).toString('hex') })) },
      { ...here, attachments: here.attachments.map((a) => ({ ...a, content: Buffer.from(a.content as Buffer).toString('hex') })) }, s.name);
  }
});

test('what is not a mail is refused as unparseable by a thread too', async (t) => {
  const garbage = Buffer.concat([Buffer.from('\r\n\r\n'), Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256).filter((b) => b !== 13 && b !== 10))]);
  await t.throwsAsync(pool.parse(garbage, false), { instanceOf: UnparseableMail });
});

test('a thread that dies fails its own jobs only, and the next mail gets a new thread', async (t) => {
  const own = new ParsePool(1);
  try {
    const raw = Buffer.from(shapes[0].raw, 'base64');
    t.is((await own.parse(raw, false)).subject, (await parseInbound(raw, false)).subject);
    const pending = own.parse(raw, false);
    // The only way a thread goes away in production is a crash; terminate stands in for it.
    await (own as any).threads[0].worker.terminate();
    await t.throwsAsync(pending);
    t.is((await own.parse(raw, false)).subject, (await parseInbound(raw, false)).subject);
  } finally {
    await own.close();
  }
});
