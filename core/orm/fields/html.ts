import sanitizeHtml from 'sanitize-html';
import { isEmpty, TEXT_OPS, typeError } from './conversions.ts';
import type { FieldType } from './field.ts';

/** Tags and attributes kept by the sanitiser: formatting, links, images, tables; no scripts, no handlers. */
export const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: sanitizeHtml.defaults.allowedTags.concat(['img', 'span', 'del', 'ins', 'u', 's', 'font']),
  allowedAttributes: {
    a: ['href', 'name', 'target', 'title', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    '*': ['class', 'style'],
    td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel', 'data', 'cid'],
  allowedSchemesByTag: { img: ['http', 'https', 'data', 'cid'] },
  allowedStyles: { '*': { color: [/^[#\w(),.\s%]+$/], 'background-color': [/^[#\w(),.\s%]+$/], 'text-align': [/^(left|right|center|justify)$/], 'font-weight': [/^\w+$/] } },
};

/** Removes scripts, event handlers, javascript: URLs and unknown tags from HTML. */
export function sanitizeHtmlValue(html: string): string {
  return simpleHtml(html) ?? sanitizeHtml(html, SANITIZE_OPTIONS);
}

/*
 * Most HTML written in bulk (mails, imported tickets) is a few bare tags: `<div>…</div>`,
 * `<br>`, `<b>`. For that, the sanitiser's answer is known without its parser (which is most
 * of an import's own CPU): the same tags, `<br />` for a void one, `>` escaped. simpleHtml
 * gives that answer for HTML it can prove simple, and null for anything else — attributes,
 * entities other than the five of escaped text, comments, other tags, unbalanced or implicitly
 * closed tags (`<p><div>`) — which the sanitiser then handles. A test compares both on many
 * generated documents.
 */
const SIMPLE_TAGS = new Set(['div', 'p', 'span', 'b', 'i', 'u', 's', 'strong', 'em', 'blockquote', 'ul', 'ol', 'li', 'pre', 'code', 'small', 'sub', 'sup']);
/** Tags whose opening never closes an open `<p>` (htmlparser2 closes it for block ones). */
const INLINE_TAGS = new Set(['span', 'b', 'i', 'u', 's', 'strong', 'em', 'code', 'small', 'sub', 'sup', 'br']);
/**
 * A bare tag, or text. `<blockquote type="cite">` (how mail clients and Zammad quote the
 * message replied to) counts as a bare blockquote: the sanitiser drops that attribute.
 */
const SIMPLE_TOKEN = /<(\/?)([a-z]+)( ?\/| type="cite")?>|([^<&\0]+)|(&(?:quot|amp|lt|gt|#39);)/y;
/**
 * How the sanitiser writes back the entities of escaped text (our own messages, such as the
 * acknowledgement of a ticket, quote the subject): it decodes them and escapes only & < >.
 */
const SIMPLE_ENTITIES: Record<string, string> = { '&quot;': '"', '&amp;': '&amp;', '&lt;': '&lt;', '&gt;': '&gt;', '&#39;': "'" };

/** The sanitiser's output for HTML of bare allowed tags, properly nested; null when not that simple. */
export function simpleHtml(html: string): string | null {
  const stack: string[] = [];
  let inP = 0;
  let out = '';
  SIMPLE_TOKEN.lastIndex = 0;
  while (SIMPLE_TOKEN.lastIndex < html.length) {
    const m = SIMPLE_TOKEN.exec(html);
    if (!m) return null;
    const [, close, tag, selfClosing, text, entity] = m; // selfClosing: '/', ' /' or the quote's attribute
    if (entity !== undefined) {
      out += SIMPLE_ENTITIES[entity];
      continue;
    }
    if (text !== undefined) {
      out += text.includes('>') ? text.replace(/>/g, '&gt;') : text;
      continue;
    }
    if (tag === 'br') {
      if (close) return null;
      out += '<br />';
      continue;
    }
    if (selfClosing === ' type="cite"' ? tag !== 'blockquote' || close : selfClosing || !SIMPLE_TAGS.has(tag)) return null;
    if (close) {
      if (stack.pop() !== tag) return null;
      if (tag === 'p') inP--;
      out += `</${tag}>`;
      continue;
    }
    if (inP && !INLINE_TAGS.has(tag)) return null;
    if (tag === 'li' && stack[stack.length - 1] === 'li') return null; // htmlparser2 closes the open <li>
    if (tag === 'p') inP++;
    stack.push(tag);
    out += `<${tag}>`;
  }
  return stack.length ? null : out;
}

/** HTML text, sanitised on every write. */
export const htmlType: FieldType = {
  columnType: () => 'text',
  toColumn(value, field) {
    if (isEmpty(value)) return null;
    if (typeof value !== 'string') throw typeError(field, value, 'an HTML string');
    return sanitizeHtmlValue(value);
  },
  toWire: (v) => (v === null || v === undefined ? false : v),
  operators: TEXT_OPS,
};
