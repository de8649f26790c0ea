import { _t } from '../../../core/i18n/index.ts';
import { fields, model, ValidationError, type ComputeFn, type Environment, type Model, type PrecomputeFn, type Vals } from '../../../core/orm/index.ts';
import { generateMessageId, htmlToText } from '../tools.ts';
import { subtypeIsInternal } from './mail_message_subtype.ts';

export const MESSAGE_TYPES = [
  ['email', 'Incoming Email'],
  ['comment', 'Comment'],
  ['notification', 'System notification'],
  ['auto_comment', 'Automated Targeted Notification'],
] as const;

/** is_internal follows the subtype: internal subtypes (notes) make internal messages. */
const computeIsInternal: ComputeFn = async (records) => {
  const out = new Map<number, unknown>();
  const rows = await records.env.cr('mail_message as m')
    .leftJoin('mail_message_subtype as s', 's.id', 'm.subtype_id')
    .whereIn('m.id', records.ids)
    .select('m.id', 's.internal');
  for (const r of rows) out.set(Number(r.id), r.internal === true);
  return out;
};
/** The same for new messages, from their subtype (known per unit of work): no UPDATE after the insert. */
const precomputeIsInternal: PrecomputeFn = (env, rows) => Promise.all(rows.map((r) => subtypeIsInternal(env, Number(r.subtype_id) || false)));

/**
 * Message-IDs known to be free in this unit of work (memo entries under this pseudo-model):
 * only "free" is remembered, and storing a given Message-ID (create, write) forgets them all.
 * So the gateway's duplicate check (under its advisory lock) and message_post's make one query.
 */
const FREE_MESSAGE_IDS = 'mail.message.message_id';
const freeKey = (messageId: string) => `mail.message_id.free:${messageId}`;

/** Raises unless no message has this Message-ID (asked once per unit of work while it stays free). */
export async function assertMessageIdFree(env: Environment, messageId: string): Promise<void> {
  await env.memo(FREE_MESSAGE_IDS, freeKey(messageId), async () => {
    // A failed lookup is not remembered: only a free Message-ID is.
    if (await env.cr('mail_message').where({ message_id: messageId }).first('id')) {
      throw new ValidationError(_t(env, 'A message with Message-ID %s already exists.', messageId));
    }
    return true;
  });
}

/** Tells this unit of work that no message has this Message-ID (the caller has just checked, under a lock). */
export async function rememberMessageIdFree(env: Environment, messageId: string): Promise<void> {
  await env.memo(FREE_MESSAGE_IDS, freeKey(messageId), async () => true);
}

const recordNameKey = (model: string, resId: number) => `mail.record_name:${model}:${resId}`;

/**
 * Tells this unit of work the display name of a document its messages will carry as
 * record_name (a model that has just read what its name is made of), until it is written.
 */
export async function rememberRecordName(env: Environment, model: string, resId: number, name: string | false): Promise<void> {
  await env.memo(model, recordNameKey(model, resId), async () => name);
}

/**
 * What the INSERT of a message wrote (its column values) and its explicit recipients when
 * given as `[[6, 0, ids]]`, remembered in this unit of work under this pseudo-model until a
 * message is written or deleted: notifying the message need not read it back.
 */
const INSERTED_MESSAGES = 'mail.message.inserted';
const insertedKey = (id: number) => `mail.message.inserted:${id}`;
export interface InsertedMessage { columns: Readonly<Record<string, unknown>>; partnerIds: number[] | null }

/** The message as inserted by this unit of work, if it remembers it (computes nothing). */
export function insertedMessage(env: Environment, id: number): Promise<InsertedMessage> | undefined {
  return env.memoized<InsertedMessage>(insertedKey(id));
}

/** The ids of a many2many value made of one `[6, 0, ids]` command (else null: unknown). */
function replacedIds(value: unknown): number[] | null {
  if (value === undefined || value === false || value === null) return [];
  if (!Array.isArray(value)) return null;
  if (value.length === 0) return [];
  const [cmd] = value;
  if (value.length !== 1 || !Array.isArray(cmd) || cmd[0] !== 6 || !Array.isArray(cmd[2])) return null;
  return cmd[2].every((id: unknown) => Number.isInteger(id)) ? (cmd[2] as number[]) : null;
}

/** Column values handed to `_beforeInsert`, per create call in progress. */
const capturing = new WeakMap<object, Array<Record<string, unknown>>>();

/**
 * Messages of the chatter: comments, notes, logged changes and incoming e-mails, attached to
 * a document by (model, res_id). A message is readable when its document is (see
 * `_document_link`); users post through `mail.thread.message_post`, which checks the
 * document and writes the message as superuser.
 */
export const MailMessage = model((Base) => class extends Base {
  static _name = 'mail.message';
  static _description = 'Message';
  static _order = 'id desc';
  static _rec_name = 'record_name';
  static _document_link = ['model', 'res_id'];
  /**
   * A document's chatter, newest first (`model = ? AND res_id = ? ORDER BY id DESC`): one
   * index instead of one on model and one on res_id. The other columns are not searched.
   */
  static _indexes = { model_res_id_id_idx: '(model, res_id, id)' };
  static fields = {
    subject: fields.char({ string: 'Subject' }),
    date: fields.datetime({ string: 'Date', default: () => new Date() }),
    body: fields.html({ string: 'Contents', default: '' }),
    attachment_ids: fields.many2many('ir.attachment', { string: 'Attachments', relation: 'message_attachment_rel', column1: 'message_id', column2: 'attachment_id' }),
    parent_id: fields.many2one('mail.message', { string: 'Parent Message', index: 'btree_not_null', ondelete: 'set null' }),
    child_ids: fields.one2many('mail.message', 'parent_id', { string: 'Child Messages' }),
    model: fields.char({ string: 'Related Document Model' }),
    res_id: fields.integer({ string: 'Related Document ID' }),
    record_name: fields.char({ string: 'Message Record Name' }),
    message_type: fields.selection(MESSAGE_TYPES, { string: 'Type', required: true, default: 'comment' }),
    // A handful of subtypes: no search is selective on it (deleting one scans the messages).
    subtype_id: fields.many2one('mail.message.subtype', { string: 'Subtype', index: false, ondelete: 'set null' }),
    is_internal: fields.boolean({ string: 'Employee Only', compute: computeIsInternal, precompute: precomputeIsInternal, depends: ['subtype_id'], store: true, help: 'Hide to public / portal users, independently from subtype configuration.' }),
    email_from: fields.char({ string: 'From', help: 'Email address of the sender.' }),
    // The many2one default (IS NOT NULL): deleting a partner finds its messages.
    author_id: fields.many2one('res.partner', { string: 'Author', ondelete: 'set null' }),
    partner_ids: fields.many2many('res.partner', { string: 'Recipients', relation: 'mail_message_res_partner_rel', column1: 'mail_message_id', column2: 'res_partner_id' }),
    message_id: fields.char({ string: 'Message-Id', unique: true, copy: false, help: 'RFC 2822 Message-ID header' }),
    reply_to: fields.char({ string: 'Reply-To' }),
    tracking_value_ids: fields.one2many('mail.tracking.value', 'mail_message_id', { string: 'Tracking values' }),
  };
  static _rpc = { message_format: { kind: 'records' as const, params: [] } };

  async create(valsList: Vals | Vals[]) {
    const list = [];
    let givenIds = false;
    for (const v of Array.isArray(valsList) ? valsList : [valsList]) {
      const vals = { ...v };
      if (vals.message_id) givenIds = true;
      if (!vals.message_id) vals.message_id = await generateMessageId(this.env);
      if (!vals.record_name && typeof vals.model === 'string' && vals.res_id && this.env.registry.has(vals.model)) {
        // Once per unit of work and document (a mail posts two messages on its ticket); forgotten when the document's model is written.
        const [model, resId] = [vals.model, Number(vals.res_id)];
        vals.record_name = await this.env.memo(model, recordNameKey(model, resId), async () =>
          (await this.env.sudo().model(model).browse([resId])._displayNames()).get(resId) ?? false);
      }
      list.push(vals);
    }
    // A generated Message-ID is new: only given ones may take one remembered as free.
    if (givenIds) this.env.forgetMemo(FREE_MESSAGE_IDS);
    const columns: Array<Record<string, unknown>> = [];
    capturing.set(this, columns);
    let created;
    try {
      created = await super.create(list);
    } finally {
      capturing.delete(this);
    }
    if (columns.length === created.ids.length) {
      for (const [i, id] of created.ids.entries()) {
        const entry: InsertedMessage = { columns: columns[i], partnerIds: replacedIds(list[i].partner_ids) };
        await this.env.memo(INSERTED_MESSAGES, insertedKey(id), async () => entry);
      }
    }
    return created;
  }

  async _beforeInsert(rows: Array<Record<string, unknown>>): Promise<void> {
    await super._beforeInsert(rows);
    capturing.get(this)?.push(...rows);
  }

  async write(vals: Vals) {
    if (vals && typeof vals === 'object' && 'message_id' in vals) this.env.forgetMemo(FREE_MESSAGE_IDS);
    this.env.forgetMemo(INSERTED_MESSAGES);
    return super.write(vals);
  }

  async unlink() {
    this.env.forgetMemo(INSERTED_MESSAGES);
    return super.unlink();
  }

  /** Subject, else the document's name, else the start of the text. */
  async _displayNames(): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (!this.ids.length) return out;
    const rows = await this.env.cr('mail_message').whereIn('id', this.ids).select('id', 'subject', 'record_name', 'body');
    for (const r of rows) {
      const text = htmlToText(r.body);
      out.set(Number(r.id), r.subject || r.record_name || (text.length > 40 ? `${text.slice(0, 37)}...` : text) || `mail.message,${r.id}`);
    }
    return out;
  }

  /**
   * The messages as the chatter shows them, in one call: the message fields, with its visible
   * attachments (id, name, mimetype, file_size) and its tracking values (field, labels, old and
   * new values) inlined. Access is the caller's: unreadable messages raise.
   */
  async message_format(): Promise<Record<string, unknown>[]> {
    const rows = await this.read([
      'id', 'body', 'subject', 'date', 'author_id', 'email_from', 'message_type', 'subtype_id', 'is_internal',
      'attachment_ids', 'partner_ids', 'parent_id', 'model', 'res_id', 'record_name', 'message_id', 'tracking_value_ids',
    ]);
    const attIds = [...new Set(rows.flatMap((r) => r.attachment_ids as number[]))];
    const atts = attIds.length ? await this.env.model('ir.attachment').browse(attIds).read(['name', 'mimetype', 'file_size']) : [];
    const attById = new Map(atts.map((a) => [a.id, a]));
    const trkIds = [...new Set(rows.flatMap((r) => r.tracking_value_ids as number[]))];
    const trks = trkIds.length ? await (this.env.model('mail.tracking.value').browse(trkIds) as Model).sudo().read(['field', 'field_desc', 'field_type', 'old_value_char', 'new_value_char']) : [];
    const trkById = new Map(trks.map((t) => [t.id, t]));
    return rows.map((r) => ({
      ...r,
      attachment_ids: (r.attachment_ids as number[]).filter((id) => attById.has(id)).map((id) => attById.get(id)),
      tracking_value_ids: (r.tracking_value_ids as number[]).filter((id) => trkById.has(id)).map((id) => {
        const t = trkById.get(id)!;
        return { id, field: t.field, field_desc: this.env.registry.translate(this.env.lang, String(t.field_desc)), field_type: t.field_type, old_value: t.old_value_char, new_value: t.new_value_char };
      }),
    }));
  }
});
