/**
 * Inbound mail, step 1: the raw RFC 5322 bytes → an `InboundMail` (what `message_new` /
 * `message_update` take) plus what routing needs to know about it (auto-reply, bounce,
 * recipients). Parsing is mailparser's; this module only maps its result and never throws
 * for content it can read partly — a message mailparser cannot read at all raises
 * `UnparseableMail`, and the gateway keeps it raw.
 */
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { InboundAttachment, InboundMail } from '../models/mail_thread.ts';
import { formatEmailAddress } from '../tools.ts';
import { mimeSkeleton } from './mime_skeleton.ts';

export class UnparseableMail extends Error {}

/** Why a message must never create a record nor be answered. */
export type AutomaticKind = 'auto_reply' | 'bounce' | false;

export interface ParsedInbound extends InboundMail {
  attachments: InboundAttachment[];
  /** The sender's address, lower-cased ('' when the From header has none). */
  sender: string;
  /** Every To and Cc address, lower-cased. */
  recipients: string[];
  automatic: AutomaticKind;
}

interface Address { name: string; address: string }

function addresses(value: AddressObject | AddressObject[] | undefined): Address[] {
  const out: Address[] = [];
  const walk = (list: Array<{ name?: string; address?: string; group?: unknown[] }>) => {
    for (const a of list) {
      if (Array.isArray(a.group)) walk(a.group as typeof list);
      else if (a.address && a.address.includes('@')) out.push({ name: (a.name ?? '').trim(), address: a.address.trim().toLowerCase() });
    }
  };
  for (const obj of value === undefined ? [] : Array.isArray(value) ? value : [value]) walk(obj.value ?? []);
  return out;
}

const headerText = (parsed: ParsedMail, name: string): string => {
  const v = parsed.headers.get(name);
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && 'value' in (v as object)) return String((v as { value: unknown }).value ?? '');
  return String(v);
};

/**
 * RFC 3834 and the de-facto headers of vacation responders and list servers; delivery
 * reports (multipart/report, MAILER-DAEMON / postmaster, an empty envelope sender).
 */
export function automaticKind(parsed: ParsedMail, sender: string, envelopeFrom: string | false): AutomaticKind {
  const contentType = parsed.headers.get('content-type') as { value?: string } | string | undefined;
  const type = (typeof contentType === 'string' ? contentType : contentType?.value ?? '').toLowerCase();
  const local = sender.split('@')[0];
  if (type.startsWith('multipart/report') || local === 'mailer-daemon' || local === 'postmaster' || envelopeFrom === '') return 'bounce';
  const autoSubmitted = headerText(parsed, 'auto-submitted').split(';')[0].trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return 'auto_reply';
  if (parsed.headers.has('x-autoreply') || parsed.headers.has('x-autorespond')) return 'auto_reply';
  if (['bulk', 'junk', 'auto_reply'].includes(headerText(parsed, 'precedence').trim().toLowerCase())) return 'auto_reply';
  return false;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Plain text → paragraphs of escaped text (never read as HTML, whatever it contains). */
function textToHtml(text: string): string {
  return text.split(/\r?\n\s*\r?\n/).map((p) => p.trim()).filter(Boolean).map((p) => `<p>${escapeHtml(p).replace(/\r?\n/g, '<br>')}</p>`).join('');
}

const angle = (id: string) => (id.startsWith('<') ? id : `<${id}>`);

// keepCidLinks: inline images stay `cid:` links, which message_update points at the stored files.
// checksumAlgo false: no MD5 of each attachment's bytes (unused; ir.attachment hashes what it stores).
const parseMime = (bytes: Buffer) => simpleParser(bytes, { keepCidLinks: true, skipTextToHtml: true, skipTextLinks: true, checksumAlgo: false });

/** Parses raw mail; `envelopeFrom` is the SMTP MAIL FROM ('' for the null sender of bounces). */
export async function parseInbound(raw: Buffer, envelopeFrom: string | false = false): Promise<ParsedInbound> {
  let parsed: ParsedMail | undefined;
  let contents: Array<Buffer | Uint8Array | string> | false = false;
  // Large base64 bodies decoded natively, mailparser walking the rest (mime_skeleton.ts);
  // the raw bytes themselves whenever the skeleton's tokens do not all come back.
  const skeleton = mimeSkeleton(raw);
  if (skeleton) {
    parsed = await parseMime(skeleton.bytes).catch(() => undefined);
    contents = parsed ? skeleton.restore(parsed.attachments.map((a) => a.content)) : false;
  }
  if (!parsed || (skeleton && !contents)) {
    try {
      parsed = await parseMime(raw);
    } catch (err) {
      throw new UnparseableMail(`The message could not be parsed: ${(err as Error)?.message ?? err}`);
    }
    contents = false;
  }
  const from = addresses(parsed.from)[0];
  if (!from && !parsed.headers.size) throw new UnparseableMail('The message has no headers: it is not an e-mail.');
  const to = addresses(parsed.to);
  const cc = addresses(parsed.cc);
  const sender = from?.address ?? '';
  const references = Array.isArray(parsed.references) ? parsed.references : parsed.references ? String(parsed.references).split(/\s+/) : [];
  const body = parsed.html ? parsed.html : textToHtml(parsed.text ?? '');
  const attachments: InboundAttachment[] = parsed.attachments.map((a, i) => ({
    filename: a.filename || (a.contentType === 'message/rfc822' ? `message-${i + 1}.eml` : `attachment-${i + 1}`),
    content: contents ? contents[i] : a.content,
    mimetype: a.contentType || 'application/octet-stream',
    ...(a.contentId ? { cid: a.contentId.replace(/^<|>$/g, '') } : {}),
  }));
  return {
    subject: (parsed.subject ?? '').replace(/\s+/g, ' ').trim(),
    body,
    email_from: from ? formatEmailAddress(from.name, from.address) : false,
    to: to.map((a) => formatEmailAddress(a.name, a.address)).join(', ') || false,
    cc: cc.map((a) => formatEmailAddress(a.name, a.address)).join(', ') || false,
    message_id: parsed.messageId ? angle(parsed.messageId.trim()) : false,
    in_reply_to: parsed.inReplyTo ? angle(parsed.inReplyTo.trim()) : false,
    references: references.filter(Boolean).map((r) => angle(r.trim())).join(' ') || false,
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : false,
    attachments,
    sender,
    recipients: [...to, ...cc].map((a) => a.address),
    automatic: automaticKind(parsed, sender, envelopeFrom),
  };
}
