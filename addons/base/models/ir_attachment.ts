import { err } from '../../../core/errors.ts';
import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import { fields, model, ValidationError, type Vals } from '../../../core/orm/index.ts';

const MIMETYPES: Record<string, string> = {
  '.txt': 'text/plain', '.csv': 'text/csv', '.html': 'text/html', '.pdf': 'application/pdf', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml', '.zip': 'application/zip',
  '.json': 'application/json', '.xml': 'application/xml', '.doc': 'application/msword', '.eml': 'message/rfc822',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', '.odt': 'application/vnd.oasis.opendocument.text',
};
/** Largest attachment accepted (bytes). */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

/**
 * Files attached to records (res_model/res_id). Content lives in the database (bytea) so
 * any worker can serve it; `datas` is base64 on the wire. Who may read an attachment is
 * decided by the document it belongs to (see `_document_link`).
 */
export const IrAttachment = model((Base) => class extends Base {
  static _name = 'ir.attachment';
  static _description = 'Attachment';
  static _order = 'id desc';
  static _document_link = ['res_model', 'res_id'];
  /** A document's files (`res_model = ? AND res_id IN (…)`): one index for both columns. */
  static _indexes = { res_idx: '(res_model, res_id)' };
  static fields = {
    name: fields.char({ string: 'Name', required: true }),
    description: fields.text({ string: 'Description' }),
    res_model: fields.char({ string: 'Resource Model' }),
    res_id: fields.integer({ string: 'Resource ID' }),
    res_field: fields.char({ string: 'Resource Field' }),
    type: fields.selection([['binary', 'File'], ['url', 'URL']], { string: 'Type', default: 'binary' }),
    url: fields.char({ string: 'Url' }),
    public: fields.boolean({ string: 'Is public document', default: false }),
    datas: fields.binary({ string: 'File Content' }),
    mimetype: fields.char({ string: 'Mime Type' }),
    file_size: fields.integer({ string: 'File Size', readonly: true }),
    // Read back as the download's ETag, never searched: no index (random values are costly ones).
    checksum: fields.char({ string: 'Checksum/SHA1', readonly: true }),
  };

  async create(valsList: Vals | Vals[]) {
    const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => this.withContentMeta({ ...v }));
    return super.create(list);
  }
  async write(vals: Vals) {
    return super.write('datas' in vals ? this.withContentMeta({ ...vals }) : vals);
  }

  private withContentMeta(vals: Vals): Vals {
    if (vals.datas === undefined) return vals;
    const content = typeof vals.datas === 'string' ? Buffer.from(vals.datas, 'base64') : vals.datas instanceof Uint8Array ? Buffer.from(vals.datas.buffer, vals.datas.byteOffset, vals.datas.byteLength) : Buffer.alloc(0);
    if (content.length > MAX_ATTACHMENT_BYTES) throw err(ValidationError, "Attachment '%s' is too large: %s bytes, the limit is %s", vals.name ?? '', content.length, MAX_ATTACHMENT_BYTES);
    vals.file_size = content.length;
    vals.checksum = createHash('sha1').update(content).digest('hex');
    if (!vals.mimetype && typeof vals.name === 'string') vals.mimetype = MIMETYPES[extname(vals.name).toLowerCase()] ?? 'application/octet-stream';
    return vals;
  }
});
