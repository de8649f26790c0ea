import { isEmpty, typeError } from './conversions.ts';
import type { FieldType } from './field.ts';

/** Binary content stored in a bytea column; base64 on the wire. */
export const binaryType: FieldType = {
  columnType: () => 'bytea',
  toColumn(value, field) {
    if (isEmpty(value)) return null;
    // The caller's bytes as they are (a view, not a copy: a mail's attachments are large).
    if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (typeof value === 'string' && /^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(value)) return Buffer.from(value, 'base64');
    throw typeError(field, value, 'base64-encoded content');
  },
  toWire(v) {
    if (v === null || v === undefined) return false;
    return Buffer.from(v as Uint8Array).toString('base64');
  },
  operators: new Set(['=', '!=']),
};
