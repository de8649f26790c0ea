/**
 * Parsing on threads (addons/mail/gateway/parse_pool.ts) gives what parsing in the main
 * thread gives: the same fields and attachment bytes for every MIME shape Python's email
 * package builds, the same refusal of what is not a mail, and the raw bytes back intact
 * (they are moved to the thread and back, not copied); a thread that dies fails only its own
 * jobs and is replaced.
 */
import test from 'ava';
import { parseInbound } from '../../addons/mail/gateway/parse.ts';
import { ParsePool } from '../../addons/mail/gateway/parse_pool.ts';
import { mimeShapes, type Shape } from './smtp-helpers.ts';

let shapes: Shape[];
const pool = new ParsePool(2);
test.before(async () => { shapes = await mimeShapes('helpdesk.test'); });
test.after.always(() => pool.close());

/** A Buffer of its own memory, as the SMTP listener hands over (so it is moved, not copied). */
const own = (bytes: Buffer) => Buffer.concat([bytes, Buffer.alloc(0)]);
const hex = (m: Awaited<ReturnType<typeof parseInbound>>) => ({ ...m, attachments: m.attachments.map((a) => ({ ...a, content: Buffer.from(a.content as Buffer).toString('hex') })) });

test('threads parse every MIME shape exactly as the main thread does, and hand the raw bytes back', async (t) => {
  t.true(shapes.length > 3);
  const results = await Promise.all(shapes.map((s) => pool.parse(own(Buffer.from(s.raw, 'base64')), 'a@example.com')));
  for (const [i, s] of shapes.entries()) {
    const bytes = Buffer.from(s.raw, 'base64');
    const { raw, mail } = results[i];
    t.true(raw.equals(bytes), `${s.name}: raw bytes`);
    for (const a of mail!.attachments) t.true(Buffer.isBuffer(a.content), `${s.name}: attachment bytes are a Buffer`);
    t.deepEqual(hex(mail!), hex(await parseInbound(bytes, 'a@example.com')), s.name);
  }
});

test('what is not a mail is unparseable on a thread too, its raw bytes kept', async (t) => {
  const garbage = Buffer.concat([Buffer.from('\r\n\r\n'), Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256).filter((b) => b !== 13 && b !== 10))]);
  const result = await pool.parse(own(garbage), false);
  t.falsy(result.mail);
  t.regex(result.unparseable!, /not an e-mail/);
  t.true(result.raw.equals(garbage));
});

test('a thread that dies fails its own jobs only, and the next mail gets a new thread', async (t) => {
  const single = new ParsePool(1);
  try {
    const bytes = Buffer.from(shapes[0].raw, 'base64');
    const subject = (await parseInbound(bytes, false)).subject;
    t.is((await single.parse(own(bytes), false)).mail!.subject, subject);
    // A mail long enough to parse (8 MB of base64) that the thread is surely still on it when
    // it goes; a short one may be answered before the termination lands.
    const pending = single.parse(own(bigMail()), false);
    // The only way a thread goes away in production is a crash; terminate stands in for it.
    await (single as any).threads[0].worker.terminate();
    await t.throwsAsync(pending);
    t.is((await single.parse(own(bytes), false)).mail!.subject, subject);
  } finally {
    await single.close();
  }
});

function bigMail(): Buffer {
  const payload = Buffer.alloc(6 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from([
    'From: ana@example.com', 'To: helpdesk@helpdesk.test', 'Subject: Big', 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'See attached.',
    '--b', 'Content-Type: application/octet-stream; name="big.bin"', 'Content-Transfer-Encoding: base64', '', payload, '--b--', '',
  ].join('\r\n'));
}
