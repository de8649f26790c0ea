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
 * How the sanitiser writes back the entities of escaped text (our own messages, such as the
 * acknowledgement of a ticket, quote the subject): it decodes them and escapes only & < >.
 */
const SIMPLE_ENTITIES: Record<string, string> = { '&quot;': '"', '&amp;': '&amp;', '&lt;': '&lt;', '&gt;': '&gt;', '&#39;': "'" };
const CITE = ' type="cite">';
const LT = 60, GT = 62, AMP = 38, SLASH = 47, SPACE = 32, NUL = 0, A = 97, Z = 122;

/**
 * The sanitiser's output for HTML of bare allowed tags, properly nested; null when not that simple.
 *
 * The tokens: a bare tag `<(/?)([a-z]+)( ?/| type="cite")?>` (`<blockquote type="cite">`, how
 * mail clients and Zammad quote the message replied to, counts as a bare blockquote: the
 * sanitiser drops that attribute), text without `<`, `&` or NUL, or one of the five entities
 * of escaped text. Scanned by character, not by a regular expression: an import sanitises
 * hundreds of thousands of bodies, and each match of one (an array and a string per token,
 * then the output rebuilt token by token) made this the largest source of its garbage. The
 * output is the input with the few rewritten tokens replaced (`<br>` → `<br />`, `>` in text →
 * `&gt;`, `&quot;` → `"`…): the input itself when none is.
 */
export function simpleHtml(html: string): string | null {
  const n = html.length;
  const stack: string[] = [];
  let inP = 0;
  let out = '';
  /** html[copied, i) goes to the output as it is. */
  let copied = 0;
  let i = 0;
  while (i < n) {
    const c = html.charCodeAt(i);
    if (c === LT) {
      let j = i + 1;
      const close = html.charCodeAt(j) === SLASH;
      if (close) j++;
      const nameStart = j;
      while (j < n) {
        const d = html.charCodeAt(j);
        if (d < A || d > Z) break;
        j++;
      }
      if (j === nameStart) return null;
      const tag = html.slice(nameStart, j);
      // What may follow the name: '/>', ' />', ' type="cite">' or '>'.
      let end: number;
      let attribute: '' | 'slash' | 'cite';
      if (html.charCodeAt(j) === SLASH && html.charCodeAt(j + 1) === GT) { end = j + 2; attribute = 'slash'; }
      else if (html.charCodeAt(j) === SPACE && html.charCodeAt(j + 1) === SLASH && html.charCodeAt(j + 2) === GT) { end = j + 3; attribute = 'slash'; }
      else if (html.startsWith(CITE, j)) { end = j + CITE.length; attribute = 'cite'; }
      else if (html.charCodeAt(j) === GT) { end = j + 1; attribute = ''; }
      else return null;
      if (tag === 'br') {
        if (close) return null;
        if (end - i !== 6 || attribute !== 'slash') {
          out += html.slice(copied, i) + '<br />';
          copied = end;
        }
      } else {
        if (attribute === 'cite' ? tag !== 'blockquote' || close : attribute !== '' || !SIMPLE_TAGS.has(tag)) return null;
        if (close) {
          if (stack.pop() !== tag) return null;
          if (tag === 'p') inP--;
        } else {
          if (inP && !INLINE_TAGS.has(tag)) return null;
          if (tag === 'li' && stack[stack.length - 1] === 'li') return null; // htmlparser2 closes the open <li>
          if (tag === 'p') inP++;
          stack.push(tag);
          if (attribute === 'cite') {
            out += html.slice(copied, i) + '<blockquote>';
            copied = end;
          }
        }
      }
      i = end;
    } else if (c === AMP) {
      const semi = html.indexOf(';', i);
      if (semi < 0 || semi - i > 5) return null;
      const entity = SIMPLE_ENTITIES[html.slice(i, semi + 1)];
      if (entity === undefined) return null;
      if (entity.length === 1) {
        out += html.slice(copied, i) + entity;
        copied = semi + 1;
      }
      i = semi + 1;
    } else if (c === NUL) {
      return null;
    } else {
      // Text up to the next '<', '&' or NUL; its '>' escaped.
      if (c === GT) {
        out += html.slice(copied, i) + '&gt;';
        copied = i + 1;
      }
      i++;
    }
  }
  if (stack.length) return null;
  return copied === 0 ? html : out + html.slice(copied);
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
