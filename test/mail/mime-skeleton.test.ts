/**
 * Large base64 bodies decoded outside mailparser (addons/mail/gateway/mime_skeleton.ts):
 * parseInbound gives, for every shape, the attachments (bytes, names, types, Content-IDs),
 * subject and bodies that mailparser gives for the whole raw message; the cut happens for
 * the usual shapes and not for those that could be read two ways.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { mimeSkeleton } from '../../addons/mail/gateway/mime_skeleton.ts';
import { parseInbound } from '../../addons/mail/gateway/parse.ts';
import { mimeShapes } from './smtp-helpers.ts';

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) % 256));
const compose = (o: Record<string, unknown>) => new MailComposer({ from: 'Ana <ana@example.com>', to: 'helpdesk@skeleton.test', subject: 'Shape', text: 'The printer.', messageId: '<s@example.com>', ...o } as any).compile().build() as Promise<Buffer>;
const sha = (b: Buffer | Uint8Array | string) => createHash('sha1').update(b).digest('hex');

/** What mailparser makes of the whole raw message. */
async function reference(raw: Buffer) {
  const p = await simpleParser(raw, { keepCidLinks: true, skipTextToHtml: true, skipTextLinks: true, checksumAlgo: false as unknown as string });
  return { subject: (p.subject ?? '').replace(/\s+/g, ' ').trim(), html: p.html || false, attachments: p.attachments.map((a) => ({ type: a.contentType, cid: a.contentId?.replace(/^<|>$/g, ''), sha: sha(a.content), size: a.content.length })) };
}

async function same(t: any, name: string, raw: Buffer) {
  const ref = await reference(raw);
  const mine = await parseInbound(raw, 'ana@example.com');
  t.is(mine.subject, ref.subject, `${name}: subject`);
  if (ref.html) t.is(mine.body, ref.html, `${name}: html body`);
  t.deepEqual(mine.attachments.map((a) => ({ type: a.mimetype, cid: a.cid, sha: sha(a.content), size: a.content.length })), ref.attachments.map((a) => ({ ...a, type: a.type || 'application/octet-stream' })), `${name}: attachments`);
}

test('large attachments are decoded outside mailparser, byte for byte as mailparser decodes them', async (t) => {
  const png = bytes(30_000, 3);
  const shapes: Array<[string, Buffer]> = [
    ['one attachment', await compose({ attachments: [{ filename: 'log.bin', content: bytes(100 * 1024, 1) }] })],
    ['sizes 3n, 3n+1, 3n+2 and a twin', await compose({ attachments: [0, 1, 2, 0].map((k, i) => ({ filename: `f${i}.bin`, content: bytes(9000 + k, 2) })) })],
    ['html, inline image, small and large files', await compose({ html: '<p>See <img src="cid:shot@x"></p>', attachments: [{ filename: 'shot.png', content: png, cid: 'shot@x' }, { filename: 'tiny.bin', content: bytes(100, 4) }, { filename: 'big.pdf', content: bytes(50_000, 5) }] })],
    ['a text attachment stays with mailparser', await compose({ attachments: [{ filename: 'notes.txt', content: Buffer.from('line\r\n'.repeat(2000)), contentType: 'text/plain', encoding: 'base64' }] })],
  ];
  const inner = await compose({ subject: 'Forwarded', attachments: [{ filename: 'inner.bin', content: bytes(20_000, 6) }] });
  shapes.push(['a forwarded message with its own attachment', await compose({ attachments: [{ filename: 'fwd.eml', content: inner, contentType: 'message/rfc822' }, { filename: 'outer.bin', content: bytes(20_000, 7) }] })]);
  for (const [name, raw] of shapes) await same(t, name, raw);
  // The usual shape is cut down to its skeleton.
  const skeleton = mimeSkeleton(shapes[0][1]);
  t.truthy(skeleton);
  t.true(skeleton!.bytes.length < 2000);
});

test('shapes that could be read two ways are left whole to mailparser, and parse the same', async (t) => {
  const raw = (await compose({ attachments: [{ filename: 'log.bin', content: bytes(30_000, 1) }] })).toString('latin1');
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(raw)![1];
  const at = raw.indexOf('Content-Transfer-Encoding: base64', raw.indexOf('log.bin'));
  const bodyAt = raw.indexOf('\r\n\r\n', at) + 4;
  const variants: Array<[string, string]> = [
    ['LF line endings', raw.replace(/\r\n/g, '\n')],
    ['a character outside base64', raw.slice(0, bodyAt + 500) + '*' + raw.slice(bodyAt + 500)],
    ['padding in the middle', raw.slice(0, bodyAt + 500) + '==\r\n' + raw.slice(bodyAt + 500)],
    ['spaces at line ends', raw.slice(0, bodyAt) + raw.slice(bodyAt).replace(/(\r\n)(?=[A-Za-z0-9+/])/g, ' $1')],
    ['two transfer encodings', raw.slice(0, at) + 'Content-Transfer-Encoding: quoted-printable\r\n' + raw.slice(at)],
    ['no closing delimiter', raw.slice(0, raw.lastIndexOf(`--${boundary}--`))],
    ['a longer boundary inside', raw.slice(0, bodyAt + 1000) + `\r\n--${boundary}x\r\n` + raw.slice(bodyAt + 1000)],
  ];
  for (const [name, text] of variants) {
    const bytesOf = Buffer.from(text, 'latin1');
    t.is(mimeSkeleton(bytesOf), null, `${name}: not cut`);
    await same(t, name, bytesOf);
  }
});

test('every MIME shape of Python\'s email package parses as mailparser parses it whole', async (t) => {
  const shapes = await mimeShapes('helpdesk.test');
  t.true(shapes.length > 3);
  for (const s of shapes) await same(t, s.name, Buffer.from(s.raw, 'base64'));
});

test('bodies longer than one slice decode as a whole: odd line lengths, padding, a bad character far in', async (t) => {
  // Hand-built leaves: line lengths that are not multiples of four make the slices' carry
  // work; sizes 3n+1 and 3n+2 end in padding; 300 KB spans several slices.
  const leaf = (content: Buffer, lineLength: number, tamper?: (b64: string) => string, reshape?: (lines: string) => string) => {
    let b64 = content.toString('base64');
    if (tamper) b64 = tamper(b64);
    let lines = b64.match(new RegExp(`.{1,${lineLength}}`, 'g'))!.join('\r\n');
    if (reshape) lines = reshape(lines);
    return Buffer.from(['From: Ana <ana@example.com>', 'To: helpdesk@skeleton.test', 'Subject: Slices', 'Message-ID: <slices@example.com>', 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain', '', 'The printer.', '--b1',
      'Content-Type: application/octet-stream; name="big.bin"', 'Content-Transfer-Encoding: base64', 'Content-Disposition: attachment; filename="big.bin"', '',
      lines, '--b1--', ''].join('\r\n'), 'latin1');
  };
  for (const [size, lineLength] of [[300_000, 76], [300_001, 73], [300_002, 75], [150_000, 1], [200_000, 100_003]] as const) {
    const raw = leaf(bytes(size, size % 7), lineLength);
    const skeleton = mimeSkeleton(raw);
    t.truthy(skeleton, `${size}/${lineLength}: cut`);
    await same(t, `${size} bytes in lines of ${lineLength}`, raw);
    const mine = await parseInbound(raw, 'ana@example.com');
    t.is(sha(mine.attachments[0].content), sha(bytes(size, size % 7)), `${size}/${lineLength}: the bytes`);
    t.true(Buffer.isBuffer(mine.attachments[0].content) && (mine.attachments[0].content as Buffer).byteLength === (mine.attachments[0].content as Buffer).buffer.byteLength, 'owns its memory (moves between threads uncopied)');
  }
  // Lines of 76 characters but for one of 77 and the next of 75 (a character moved back past
  // a line break), and one broken in two: read the slow way, same bytes. (The 77 is the
  // 630th line, whose line break the even-lines reading would take for its first slice's end.)
  const moved = (at: number) => (lines: string) => lines.slice(0, at - 2) + lines[at] + '\r\n' + lines.slice(at + 1);
  for (const [name, reshape] of [['a character moved', moved(630 * 78)], ['a line broken in two', (lines: string) => lines.slice(0, 100_010) + '\r\n' + lines.slice(100_010)]] as const) {
    const uneven = leaf(bytes(300_000, 3), 76, undefined, reshape);
    t.truthy(mimeSkeleton(uneven), `${name}: cut`);
    await same(t, name, uneven);
    t.is(sha((await parseInbound(uneven, 'ana@example.com')).attachments[0].content), sha(bytes(300_000, 3)), `${name}: the bytes`);
  }
  // A character moved back at the end of every slice but the last: each slice but the first
  // then holds as many characters as its lines should, and the first one more (which decodes
  // to as many bytes): only the line ends tell that the slices cut characters apart.
  const everySlice = (lines: string) => {
    for (let end = 630 * 78; end + 78 < lines.length; end += 630 * 78) lines = moved(end)(lines);
    return lines;
  };
  const shifted = leaf(bytes(300_000, 5), 76, undefined, everySlice);
  t.truthy(mimeSkeleton(shifted), 'characters moved at every slice end: cut');
  await same(t, 'characters moved at every slice end', shifted);
  t.is(sha((await parseInbound(shifted, 'ana@example.com')).attachments[0].content), sha(bytes(300_000, 5)), 'characters moved at every slice end: the bytes');
  // Two characters of the second line replaced by a line break: every line still ends where
  // lines of 76 end, but the first slice holds two characters fewer (decoded as mailparser does).
  const shorter = leaf(bytes(300_000, 4), 76, undefined, (lines) => lines.slice(0, 100) + '\r\n' + lines.slice(102));
  t.truthy(mimeSkeleton(shorter), 'a line break inside a line: cut');
  await same(t, 'a line break inside a line', shorter);
  // A character outside base64, or padding, 200 KB in: left whole to mailparser.
  for (const [name, tamper] of [['a bad character', (b: string) => b.slice(0, 200_000) + '*' + b.slice(200_000)], ['padding midway', (b: string) => b.slice(0, 200_000) + '=' + b.slice(200_000)], ['a bad character in the last slice', (b: string) => b.slice(0, 399_000) + '*' + b.slice(399_000)]] as const) {
    const raw = leaf(bytes(300_000, 2), 76, tamper);
    t.is(mimeSkeleton(raw), null, `${name}: not cut`);
    await same(t, name, raw);
  }
});
