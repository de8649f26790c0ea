import sanitizeHtml from 'sanitize-html';
import { isEmpty, TEXT_OPS, typeError } from './conversions.ts';
import type { FieldType } from './field.ts';

/** Tags and attributes kept by the sanitiser: formatting, links, images, tables; no scripts, no handlers. */
const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
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
  return sanitizeHtml(html, SANITIZE_OPTIONS);
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
