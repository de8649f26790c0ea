/**
 * Inbound mail, before mailparser: the large base64 bodies of a message are cut out and
 * decoded natively, so that mailparser only walks the message's skeleton. mailparser reads
 * every byte of a body in JavaScript (line splitting, then base64 in chunks): for a mail with
 * a 100 KB attachment that is most of its work, while Buffer.from(…, 'base64') does the same
 * decoding in native code.
 *
 *   raw ──walk the MIME tree (CRLF, plain boundaries)──▶ skeleton: each large clean base64
 *                                                       leaf body replaced by a short token
 *   mailparser(skeleton) ──▶ attachments whose content is a token ──▶ the decoded body
 *
 * Only what cannot be read two ways is cut: a leaf of a non-text type, one Content-Type and
 * one Content-Transfer-Encoding header (base64), a body of base64 characters and line breaks
 * only with '=' at its end, between delimiters this walk found exactly. Anything else stays in
 * the skeleton for mailparser as it is. The tokens carry a random nonce, and `restore` fails
 * unless every token came back as one whole attachment: a structure read otherwise than here
 * is then parsed again from the raw bytes (parse.ts).
 */
import { randomBytes } from 'node:crypto';

/** Bodies shorter than this stay with mailparser (nothing to win). */
const MIN_BODY = 2048;
const CRLF = Buffer.from('\r\n');
const BLANK_LINE = Buffer.from('\r\n\r\n');
/** Nested multiparts deeper than this are left whole. */
const MAX_DEPTH = 8;

export interface Skeleton {
  /** The message with its large base64 bodies replaced by tokens. */
  bytes: Buffer;
  /**
   * The decoded bodies in place of the tokens among mailparser's attachment contents;
   * false when some token did not come back exactly once as a whole attachment.
   */
  restore(contents: Array<Buffer | Uint8Array | string>): Array<Buffer | Uint8Array | string> | false;
}

interface Walk { raw: Buffer; pieces: Buffer[]; copied: number; bodies: Buffer[]; tokens: Buffer[]; nonce: Buffer }

/** The skeleton of `raw`, or null when no body is worth cutting out (parse `raw` itself). */
export function mimeSkeleton(raw: Buffer): Skeleton | null {
  const w: Walk = { raw, pieces: [], copied: 0, bodies: [], tokens: [], nonce: randomBytes(12) };
  entity(w, 0, raw.length, 0);
  if (!w.bodies.length) return null;
  w.pieces.push(raw.subarray(w.copied));
  const bytes = Buffer.concat(w.pieces);
  const { tokens, bodies } = w;
  return {
    bytes,
    restore(contents) {
      const used = new Array<boolean>(tokens.length).fill(false);
      const out = contents.map((c) => {
        if (typeof c === 'string' || c.length !== tokens[0].length) return c;
        const k = tokens.findIndex((t) => Buffer.compare(t, c) === 0);
        if (k < 0) return c;
        if (used[k]) return c;
        used[k] = true;
        return bodies[k];
      });
      return used.every(Boolean) ? out : false;
    },
  };
}

/** One entity (headers, blank line, body) of raw[start, end). */
function entity(w: Walk, start: number, end: number, depth: number): void {
  const { raw } = w;
  // A part that starts with its blank line has no headers: text/plain, nothing to cut.
  if (raw[start] === 0x0d && raw[start + 1] === 0x0a) return;
  const headerEnd = raw.indexOf(BLANK_LINE, start);
  if (headerEnd < 0 || headerEnd + 4 > end) return;
  const headers = unfoldedHeaders(raw.toString('latin1', start, headerEnd));
  const type = single(headers, 'content-type');
  const encoding = single(headers, 'content-transfer-encoding');
  if (type === undefined || encoding === undefined) return;
  const mime = (type ?? '').split(';')[0].trim().toLowerCase();
  const bodyStart = headerEnd + 4;
  if (mime.startsWith('multipart/')) {
    if (encoding !== null && !/^\s*(7bit|8bit|binary)\s*$/i.test(encoding)) return;
    if (depth < MAX_DEPTH) multipart(w, type!, bodyStart, end, depth);
    return;
  }
  if (!type || mime.startsWith('text/') || mime.startsWith('message/') || !/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(mime)) return;
  if (!encoding || encoding.trim().toLowerCase() !== 'base64' || end - bodyStart < MIN_BODY) return;
  const body = cleanBase64(raw, bodyStart, end);
  if (!body) return;
  const token = Buffer.concat([Buffer.from('\0erp-skeleton\0'), w.nonce, Buffer.from([w.tokens.length >> 8, w.tokens.length & 0xff])]);
  w.pieces.push(raw.subarray(w.copied, bodyStart), Buffer.from(token.toString('base64')));
  w.copied = end;
  w.tokens.push(token);
  w.bodies.push(body);
}

/** Base64 characters and line breaks, in a slice that does not end the body. */
const MIDDLE = /^[A-Za-z0-9+/\r\n]*$/;
/** …and in the last one, which may end with '=' padding. */
const LAST = /^[A-Za-z0-9+/\r\n]*(?:=[\r\n]*){0,2}$/;
/**
 * Text slices this short are allocated in V8's young generation: the whole body as one
 * string (137 KB for a 100 KB attachment) is a large object with fresh pages of its own,
 * faulted in and unmapped again for every mail — a few percent of the gateway's CPU.
 */
const SLICE = 48 * 1024;

/**
 * The decoded bytes of raw[start, end) when it is base64 characters and line breaks only,
 * with '=' padding only at its end — decoded the same in one go as in mailparser's chunks —
 * else null. Read in slices, each decoded up to a multiple of four characters, so the result
 * is what decoding the whole would give.
 */
function cleanBase64(raw: Buffer, start: number, end: number): Buffer | null {
  const out = Buffer.allocUnsafeSlow(Math.ceil(((end - start) * 3) / 4) + 3);
  const even = evenLines(raw, start, end, out);
  const written = even === null ? anyLines(raw, start, end, out) : even;
  if (written === false) return null;
  // Exactly its size: a buffer that owns all its memory moves to the main thread uncopied (parse_worker.ts).
  return written === out.length ? out : Buffer.from(out.subarray(0, written));
}

/**
 * The usual shape: lines of one length, a multiple of four, each ended by CRLF. A slice of
 * whole lines is decoded as it is (the decoder skips line breaks) once it holds only base64
 * characters and line breaks, has a CRLF where each of its lines ends, and decodes to exactly
 * three bytes per four characters of its lines: then it holds no other line break (its
 * characters are at most its lines' — fewer would decode to fewer bytes), so it ends on a
 * multiple of four characters like the whole. (Cheaper than one expression for the lines'
 * shape, which costs Irregexp a backtracking step per line.) Null when the body is shaped
 * otherwise (`anyLines` reads it), false when it is not clean base64.
 */
function evenLines(raw: Buffer, start: number, end: number, out: Buffer): number | false | null {
  const lineLength = raw.indexOf(0x0d, start) - start;
  const stride = lineLength + 2;
  const perSlice = Math.floor(SLICE / stride) * stride;
  if (lineLength <= 0 || lineLength % 4 || !perSlice) return null;
  let written = 0;
  for (let from = start; from < end; from += perSlice) {
    const last = from + perSlice >= end;
    const text = raw.toString('latin1', from, last ? end : from + perSlice);
    // Past its last slice's start the body's shape no longer matters, only its characters.
    if (!(last ? LAST : MIDDLE).test(text)) return last ? false : null;
    const bytes = out.write(text, written, 'base64');
    if (!last) {
      if (bytes !== ((perSlice / stride) * lineLength * 3) / 4) return null;
      for (let at = from + lineLength; at < from + perSlice; at += stride) if (raw[at] !== 0x0d || raw[at + 1] !== 0x0a) return null;
    }
    written += bytes;
  }
  return written;
}

/** Any line lengths: line breaks dropped, the characters past a multiple of four carried over. */
function anyLines(raw: Buffer, start: number, end: number, out: Buffer): number | false {
  let written = 0;
  let carry = '';
  for (let from = start; from < end; ) {
    const lineEnd = from + SLICE < end ? raw.indexOf(0x0a, from + SLICE) : -1;
    const to = lineEnd < 0 || lineEnd + 1 >= end ? end : lineEnd + 1;
    const text = raw.toString('latin1', from, to);
    const last = to === end;
    if (!(last ? LAST : MIDDLE).test(text)) return false;
    const chars = carry + text.replace(/[\r\n]+/g, '');
    const usable = last ? chars.length : chars.length - (chars.length % 4);
    written += out.write(chars.slice(0, usable), written, 'base64');
    carry = chars.slice(usable);
    from = to;
  }
  return written;
}

/**
 * The parts of a multipart body raw[start, end): each between two delimiter lines of its
 * exact boundary. Any line that starts with the delimiter but is not one (longer boundary,
 * trailing characters), or no closing delimiter: the whole multipart stays as it is.
 */
function multipart(w: Walk, type: string, start: number, end: number, depth: number): void {
  const m = /;\s*boundary\s*=\s*(?:"([^"\\\r\n]+)"|([A-Za-z0-9'()+_,\-./:=?]+))\s*(?:;|$)/i.exec(type);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary || /\s$/.test(boundary) || /boundary\s*\*/i.test(type)) return;
  const { raw } = w;
  // The blank line's CRLF ends the headers and may also start the first delimiter.
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const parts: Array<[number, number]> = [];
  let partStart = -1;
  for (let at = raw.indexOf(delimiter, start - 2); ; at = raw.indexOf(delimiter, at + delimiter.length)) {
    if (at < 0 || at + delimiter.length > end) return;
    const after = at + delimiter.length;
    const closing = raw[after] === 0x2d && raw[after + 1] === 0x2d;
    const lineEnd = closing ? after + 2 : after;
    if (!(lineEnd === end || (raw[lineEnd] === 0x0d && raw[lineEnd + 1] === 0x0a))) return;
    if (partStart >= 0) parts.push([partStart, at]);
    if (closing) break;
    partStart = lineEnd + CRLF.length;
  }
  for (const [s, e] of parts) entity(w, s, e, depth + 1);
}

/** Header lines, unfolded, as [lower-case name, value]. */
function unfoldedHeaders(block: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of block.replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1)]);
  }
  return out;
}

/** The value of a header present at most once: null when absent, undefined when repeated. */
function single(headers: Array<[string, string]>, name: string): string | null | undefined {
  const found = headers.filter(([n]) => n === name);
  return found.length > 1 ? undefined : found.length ? found[0][1] : null;
}
