/**
 * `mail.thread`: the chatter mixin. A model that lists it in `_inherit` gets messages,
 * followers, `message_post`, follower subscription, field tracking and the inbound-mail
 * entry points (`message_new`, `message_update`) the mail gateway calls.
 *
 *   message_post ──check the document──▶ mail.message (as superuser, author = caller's partner)
 *        │                                   └─ attachments linked and moved to the document
 *        └─▶ _notifyRecipients(message) ──▶ _notifyGetRecipients ──▶ one mail.mail per partner
 *   write ──old values of tracked fields──▶ super.write ──▶ one 'notification' per changed record
 *   message_new(mail) ──▶ create ──▶ message_post(type 'email')   message_update(mail) ──▶ message_post
 */
import { rawStatement } from '../../../core/db/index.ts';
import { AccessError, fields, formatDatetime, model, rowsOf, SUPERUSER_ID, UserError, ValidationError, type ComputeFn, type Field, type Model, type Vals } from '../../../core/orm/index.ts';
import { findPartnerByEmail, formatEmailAddress, knownPartner, mailDomain, parseEmailAddress, plaintextToHtml, userPartnerId, htmlToText, type PartnerFacts } from '../tools.ts';
import { _t } from '../../../core/i18n/index.ts';
import { assertMessageIdFree, insertedMessage, MESSAGE_TYPES } from './mail_message.ts';

/** An inbound e-mail as the gateway hands it to `message_new` / `message_update`. */
export interface InboundMail {
  subject?: string | false;
  /** HTML body (sanitised when stored). Plain text is turned into paragraphs. */
  body?: string | false;
  email_from?: string | false;
  /** The sender's partner when the gateway already knows it; else found by `email_from`. */
  author_id?: number | false;
  to?: string | false;
  cc?: string | false;
  /** The Message-ID header. */
  message_id?: string | false;
  references?: string | false;
  in_reply_to?: string | false;
  date?: string | Date | false;
  attachments?: InboundAttachment[];
  /**
   * Set by a `message_update` override that files the mail elsewhere than the record it
   * was addressed to (e.g. 'sender_not_allowed'): the gateway records it as the reason.
   */
  route_reason?: string;
}
export interface InboundAttachment {
  filename: string;
  /** Raw bytes, or base64 text. */
  content: Buffer | Uint8Array | string;
  mimetype?: string;
  /** Content-ID of an inline part: `cid:` links of the body are pointed at the stored file. */
  cid?: string;
}

/** One tracked change, as logged in mail.tracking.value. */
export interface TrackingLine {
  field: string;
  field_desc: string;
  field_type: string;
  old_value_char: string | false;
  new_value_char: string | false;
  old_value_integer?: number | false;
  new_value_integer?: number | false;
}

const TRACKABLE = new Set(['char', 'text', 'html', 'integer', 'float', 'monetary', 'boolean', 'date', 'datetime', 'selection', 'many2one', 'many2many', 'reference']);

const computePartners: ComputeFn = async (records) => {
  const out = new Map<number, unknown>(records.ids.map((id) => [id, []]));
  const rows = await records.env.cr('mail_followers').where({ res_model: records._meta.name }).whereIn('res_id', records.ids).orderBy('id').select('res_id', 'partner_id');
  for (const r of rows) (out.get(Number(r.res_id)) as number[]).push(Number(r.partner_id));
  return out;
};

const computeAttachmentCount: ComputeFn = async (records) => {
  const out = new Map<number, unknown>(records.ids.map((id) => [id, 0]));
  const rows = await records.env.cr('ir_attachment').where({ res_model: records._meta.name }).whereIn('res_id', records.ids).groupBy('res_id').select('res_id').count({ n: '*' });
  for (const r of rows as any[]) out.set(Number(r.res_id), Number(r.n));
  return out;
};

const computeIsFollower: ComputeFn = async (records) => {
  const partner = await userPartnerId(records.env);
  const out = new Map<number, unknown>(records.ids.map((id) => [id, false]));
  if (!partner) return out;
  const rows = await records.env.cr('mail_followers').where({ res_model: records._meta.name, partner_id: partner }).whereIn('res_id', records.ids).select('res_id');
  for (const r of rows) out.set(Number(r.res_id), true);
  return out;
};

const idList = (env: Model['env'], value: unknown, what: string): number[] => {
  if (value === undefined || value === null || value === false) return [];
  if (!Array.isArray(value) || value.some((v) => !Number.isInteger(Number(v)) || Number(v) <= 0)) {
    throw new ValidationError(_t(env, 'Invalid %s: expected a list of record ids.', what));
  }
  return [...new Set(value.map(Number))];
};

export const MailThread = model((Base) => class extends Base {
  static _name = 'mail.thread';
  static _description = 'Email Thread';
  static _abstract = true;
  static fields = {
    message_ids: fields.one2many('mail.message', 'res_id', { string: 'Messages', modelField: 'model' }),
    message_follower_ids: fields.one2many('mail.followers', 'res_id', { string: 'Followers', modelField: 'res_model' }),
    message_partner_ids: fields.many2many('res.partner', { string: 'Followers (Partners)', compute: computePartners }),
    message_is_follower: fields.boolean({ string: 'Is Follower', compute: computeIsFollower }),
    message_attachment_count: fields.integer({ string: 'Attachment Count', compute: computeAttachmentCount }),
  };
  static _rpc = {
    message_post: {
      kind: 'records' as const,
      params: ['body', 'subject', 'message_type', 'subtype_xmlid', 'attachment_ids', 'partner_ids', 'author_id', 'email_from', 'parent_id', 'message_id'],
    },
    message_subscribe: { kind: 'records' as const, params: ['partner_ids'] },
    message_unsubscribe: { kind: 'records' as const, params: ['partner_ids'] },
    message_get_followers: { kind: 'records' as const, params: [], readonly: true },
  };

  // ── CRUD: subscription of the creator, tracking ───────────────────────────────────
  async create(valsList: Vals | Vals[]) {
    const records = await super.create(valsList);
    // What this unit of work knows of the new records: they exist (the superuser's posting
    // check), and they have no followers yet (until followers are written: the first ones
    // added need not look for existing ones).
    const model = this._meta.name;
    for (const id of records.ids) {
      await this.env.memo(model, `mail.post_exists:${model}:${id}`, async () => undefined);
      await this.env.memo('mail.followers', followersNoneKey(model, id), async () => true);
    }
    const ctx = this.env.context;
    if (!ctx.mail_create_nosubscribe && !ctx.tracking_disable && this.env.uid !== SUPERUSER_ID) {
      const partner = await userPartnerId(this.env);
      if (partner) await records._addFollowers([partner]);
    }
    return records;
  }

  async write(vals: Vals) {
    const ctx = this.env.context;
    const tracked = ctx.tracking_disable || ctx.mail_notrack || !this.ids.length || !vals || typeof vals !== 'object' ? [] : this._trackedFields(Object.keys(vals));
    if (!tracked.length) return super.write(vals);
    const names = tracked.map((f) => f.name);
    const before = await this.sudo().read(names);
    const result = await super.write(vals);
    const after = new Map((await this.sudo().read(names)).map((r) => [r.id, r]));
    for (const old of before) {
      const now = after.get(old.id);
      if (!now) continue;
      const lines: TrackingLine[] = [];
      for (const field of tracked) {
        if (sameValue(field, old[field.name], now[field.name])) continue;
        lines.push(await this._trackingLine(field, old[field.name], now[field.name]));
      }
      if (!lines.length) continue;
      const rec = this.browse([old.id]);
      const subtype = await rec._trackSubtype(lines.map((l) => l.field));
      await rec._messageLog({ subtype_xmlid: subtype || 'mail.mt_note', tracking_values: lines });
    }
    return result;
  }

  /** Fields of `names` declared with `tracking: true`. */
  _trackedFields(names: string[]): Field[] {
    const out: Field[] = [];
    for (const name of names) {
      const f = this._meta.fields.get(name);
      if (f?.tracking && TRACKABLE.has(f.type) && !(f.compute && !f.stored)) out.push(f);
    }
    return out;
  }

  /**
   * Hook: the subtype (XML id) of the message logging changes of `changedFields` on this
   * record. Default `mail.mt_note` (internal); override to make e.g. state changes public.
   */
  async _trackSubtype(_changedFields: string[]): Promise<string | false> {
    return 'mail.mt_note';
  }

  /** The displayed old/new values of one tracked field. */
  async _trackingLine(field: Field, oldValue: unknown, newValue: unknown): Promise<TrackingLine> {
    const desc = field.string ?? field.name;
    const line: TrackingLine = {
      field: field.name, field_desc: this.env.registry.translate(this.env.lang, desc), field_type: field.type,
      old_value_char: await this._trackingDisplay(field, oldValue), new_value_char: await this._trackingDisplay(field, newValue),
    };
    if (field.type === 'many2one') {
      line.old_value_integer = Array.isArray(oldValue) ? Number(oldValue[0]) : false;
      line.new_value_integer = Array.isArray(newValue) ? Number(newValue[0]) : false;
    } else if (field.type === 'integer') {
      line.old_value_integer = Number(oldValue ?? 0);
      line.new_value_integer = Number(newValue ?? 0);
    }
    return line;
  }

  async _trackingDisplay(field: Field, value: unknown): Promise<string | false> {
    const t = (s: string) => this.env.registry.translate(this.env.lang, s);
    switch (field.type) {
      case 'many2one': return Array.isArray(value) ? String(value[1]) : false;
      case 'selection': {
        if (value === false || value === null || value === undefined) return false;
        const label = field.selection?.find(([v]) => v === value)?.[1];
        return label ? t(label) : String(value);
      }
      case 'boolean': return value ? t('Yes') : t('No');
      case 'many2many': {
        const ids = (value as number[]) ?? [];
        if (!ids.length) return false;
        const names = await this.env.sudo().model(field.comodel!).browse(ids)._displayNames();
        return ids.map((id) => names.get(id) ?? String(id)).join(', ');
      }
      case 'html': return htmlToText(value as string) || false;
      case 'integer': case 'float': case 'monetary': return String(value ?? 0);
      default: return value === false || value === null || value === undefined ? false : String(value);
    }
  }

  // ── posting ───────────────────────────────────────────────────────────────────────
  /**
   * Posts a message on this record and returns the new message's id. Odoo's signature
   * (kwargs over RPC): a public message by default (`mail.mt_comment`), an internal note with
   * `subtype_xmlid='mail.mt_note'`; log notifications (`message_type='notification'`) default
   * to a note. Attachments must be readable by the caller; unattached ones move to this
   * record. The caller must be able to read the record; only administrators post on behalf
   * of another author. Public messages notify the followers (see `_notifyRecipients`).
   */
  async message_post(
    body?: string | false, subject?: string | false, message_type: string = 'comment', subtype_xmlid?: string | false,
    attachment_ids?: number[] | false, partner_ids?: number[] | false, author_id?: number | false, email_from?: string | false,
    parent_id?: number | false, message_id?: string | false, date?: Date | false,
  ): Promise<number> {
    const env = this.env;
    if (this.ids.length !== 1) throw new ValidationError(_t(env, 'message_post expects a single record, got %s.', this.ids.length));
    await this._checkPostAccess();
    const type = message_type || 'comment';
    if (!MESSAGE_TYPES.some(([v]) => v === type)) throw new ValidationError(_t(env, "Invalid message type '%s'.", String(type)));
    const subtypeId = await this._subtypeId(subtype_xmlid || (type === 'notification' ? 'mail.mt_note' : 'mail.mt_comment'));
    const attachments = idList(env, attachment_ids, _t(env, 'attachments'));
    const partners = idList(env, partner_ids, _t(env, 'recipients'));
    const text = typeof body === 'string' ? body : '';
    if (body !== undefined && body !== false && body !== null && typeof body !== 'string') throw new ValidationError(_t(env, 'The message body must be text.'));
    if (type === 'comment' && !text.trim() && !attachments.length) throw new UserError(_t(env, 'Cannot post an empty message.'));

    // Author: the caller's partner. Only the superuser and administrators (the mail gateway,
    // imports) give another author or a sender address (whose partner is then the author).
    const privileged = env.su || (await env.hasGroup('base.group_system'));
    let author: number | false = author_id ? Number(author_id) : false;
    if (author && !privileged && author !== (await userPartnerId(env))) {
      throw new AccessError(_t(env, 'You cannot post a message on behalf of another contact.'));
    }
    if (!author) author = email_from && privileged ? await findPartnerByEmail(env, email_from) : await userPartnerId(env);
    let from = privileged ? email_from || false : false;
    if (!from && author) {
      // Shared across units of work while no partner changes (every acknowledgement is signed by the same partner).
      const authorId = author;
      from = await env.cached('res.partner', `mail.author_from:${authorId}`, async () => {
        const p = await env.cr('res_partner').where({ id: authorId }).first('name', 'email');
        return p?.email ? formatEmailAddress(p.name, p.email) : false;
      });
    }

    let parent: number | false = false;
    if (parent_id) {
      const row = await env.cr('mail_message').where({ id: Number(parent_id) }).first('model', 'res_id');
      if (!row || row.model !== this._meta.name || Number(row.res_id) !== this.ids[0]) {
        throw new ValidationError(_t(env, 'The parent message %s does not belong to this document.', String(parent_id)));
      }
      parent = Number(parent_id);
    }
    // Once per unit of work while free (the mail gateway has checked it under its lock).
    if (message_id) await assertMessageIdFree(env, String(message_id));
    if (attachments.length) await this._claimAttachments(attachments);
    const message = await env.sudo().model('mail.message').create({
      model: this._meta.name,
      res_id: this.ids[0],
      body: text ? plaintextToHtml(text) : '',
      subject: subject || false,
      message_type: type,
      subtype_id: subtypeId,
      author_id: author,
      email_from: from,
      parent_id: parent,
      message_id: message_id || false,
      // The Date header of an inbound mail (not over RPC: see _rpc); else now.
      ...(date instanceof Date && !Number.isNaN(date.getTime()) ? { date: formatDatetime(date) } : {}),
      reply_to: await this._notifyGetReplyTo(),
      attachment_ids: [[6, 0, attachments]],
      partner_ids: [[6, 0, partners]],
    });
    await this._notifyRecipients(message);
    return message.ids[0];
  }

  /** Raises unless the caller may read this record (posting needs read access, as Odoo's `_mail_post_access = 'read'`). */
  async _checkPostAccess(): Promise<void> {
    await this.check_access_rights('read');
    if (this.env.su && this.ids.length === 1) {
      // The superuser passes every rule: only the record's existence is checked, once per unit
      // of work (the mail gateway posts twice on a new ticket); deleting it forgets this.
      const [model, id] = [this._meta.name, this.ids[0]];
      await this.env.memo(model, `mail.post_exists:${model}:${id}`, () => this.checkAccessRule('read'));
      return;
    }
    await this.checkAccessRule('read');
  }

  async _subtypeId(xmlid: string): Promise<number> {
    const found = await this.env.xmlidLookup(xmlid.includes('.') ? xmlid : `mail.${xmlid}`);
    if (!found || found.model !== 'mail.message.subtype') throw new ValidationError(_t(this.env, "Unknown message subtype '%s'.", xmlid));
    return found.id;
  }

  /** Checks the caller can see the attachments; moves unattached ones to this record. */
  async _claimAttachments(ids: number[]): Promise<void> {
    // The superuser sees every file: only other callers need the visibility check.
    const visible = this.env.su ? null : await this.env.model('ir.attachment').search([['id', 'in', ids]]);
    if (visible && visible.ids.length !== ids.length) {
      throw new AccessError(_t(this.env, 'You cannot attach files you do not have access to.'));
    }
    // Files an inbound mail has just stored on this record are known attached (see _postInbound).
    const loose = await this.env.memo('ir.attachment', looseKey(ids), async () =>
      (await this.env.cr('ir_attachment').whereIn('id', ids).where((q) => q.whereNull('res_model').orWhereNull('res_id').orWhere('res_id', 0)).select('id')) as Array<{ id: number }>);
    if (loose.length) {
      await this.env.sudo().model('ir.attachment').browse(loose.map((r: any) => Number(r.id))).write({ res_model: this._meta.name, res_id: this.ids[0] });
    }
  }

  /**
   * Logs a message on each record without notifying anyone (tracking, system events):
   * type 'notification', subtype `mail.mt_note` unless given, author the caller's partner.
   * Written as superuser: call it after your own access checks. Returns the message ids.
   */
  async _messageLog(opts: { body?: string; subject?: string; subtype_xmlid?: string; message_type?: string; author_id?: number | false; tracking_values?: TrackingLine[] } = {}): Promise<number[]> {
    if (!this.ids.length) return [];
    const subtypeId = await this._subtypeId(opts.subtype_xmlid ?? 'mail.mt_note');
    const author = opts.author_id ?? (await userPartnerId(this.env));
    let from: string | false = false;
    if (author) {
      const p = await this.env.cr('res_partner').where({ id: author }).first('name', 'email');
      if (p?.email) from = formatEmailAddress(p.name, p.email);
    }
    const created = await this.env.sudo().model('mail.message').create(this.ids.map((id) => ({
      model: this._meta.name,
      res_id: id,
      body: opts.body ? plaintextToHtml(opts.body) : '',
      subject: opts.subject ?? false,
      message_type: opts.message_type ?? 'notification',
      subtype_id: subtypeId,
      author_id: author,
      email_from: from,
      tracking_value_ids: (opts.tracking_values ?? []).map((line) => [0, 0, { ...line }]),
    })));
    return created.ids;
  }

  // ── notifications ─────────────────────────────────────────────────────────────────
  /**
   * Hook: partners to notify of `message` (a mail.message recordset of one record, sudo).
   * Default: the explicit recipients, plus the followers for public messages (not internal
   * notes, not logged notifications); never the author.
   */
  async _notifyGetRecipients(message: Model, row?: NotifyRow): Promise<number[]> {
    const m = row ?? (await notifyRow(this.env, message.ids[0], this));
    if (!m) return [];
    const ids = new Set<number>((m.partner_ids ?? []).map(Number));
    if (!m.is_internal && m.message_type !== 'notification') {
      // This record's followers, read with the message when it was read for this record.
      const followers = m.follower_ids && m.followers_of === `${this._meta.name},${this.ids.join(',')}`
        ? m.follower_ids
        : (await this.env.cr('mail_followers').where({ res_model: this._meta.name }).whereIn('res_id', this.ids).select('partner_id')).map((r: any) => r.partner_id);
      for (const p of followers) ids.add(Number(p));
    }
    if (m.author_id) ids.delete(Number(m.author_id));
    return [...ids];
  }

  /**
   * Hook: notifies the recipients of `message` (a mail.message recordset of one record) by
   * queueing one `mail.mail` per recipient partner that has an e-mail address. Returns the
   * queued mail.mail records (as superuser). Override to change who gets what.
   */
  async _notifyRecipients(message: Model): Promise<Model> {
    const env = this.env.sudo();
    const mails = env.model('mail.mail');
    // The message read once, for the recipients hook and for the mails (or known from its insert).
    const m = (await knownNotifyRow(env, message.ids[0], this)) ?? (await notifyRow(env, message.ids[0], this));
    if (!m) return mails;
    const partnerIds = await this._notifyGetRecipients(message, m);
    if (!partnerIds.length) return mails;
    // One recipient (an acknowledgement to its reporter): the partner read with the message, when it was.
    const known = partnerIds.length === 1 ? (m.partners ?? []).find((p) => Number(p.id) === partnerIds[0]) : undefined;
    const rows = known ? [known] : await env.cr('res_partner').whereIn('id', partnerIds).select('id', 'name', 'email');
    const partners = rows.filter((p: any) => p.email && parseEmailAddress(p.email));
    if (!partners.length) return mails;
    let references = String(m.message_id || '');
    if (m.parent_message_id) references = `${m.parent_message_id} ${references}`.trim();
    const from = m.email_from || `notifications@${await mailDomain(env)}`;
    const subject = m.subject || m.record_name || '';
    const headers = JSON.stringify({ 'X-ERP-Objects': `${this._meta.name}-${this.ids[0]}` });
    return mails.create(partners.map((p: any) => ({
      mail_message_id: message.ids[0],
      email_from: from,
      email_to: formatEmailAddress(p.name, p.email),
      reply_to: m.reply_to || false,
      subject,
      body_html: m.body || '',
      references: references || false,
      headers,
      recipient_ids: [[6, 0, [Number(p.id)]]],
      state: 'outgoing',
    })));
  }

  /** Reply-To of messages on this record: its model's alias (`name@domain`) if one exists. */
  async _notifyGetReplyTo(): Promise<string | false> {
    // The model's active aliases, shared across units of work (every message posted asks).
    const model = this._meta.name;
    const aliases = await this.env.cached(['mail.alias', 'ir.model'], `mail.alias.of:${model}`, async () =>
      (await this.env.cr('mail_alias as a').join('ir_model as m', 'm.id', 'a.alias_model_id')
        .where('m.model', model).where('a.active', true).orderBy('a.id').select('a.alias_name', 'a.alias_force_thread_id'))
        .map((r: any) => ({ name: String(r.alias_name), thread: Number(r.alias_force_thread_id || 0) })));
    const id = this.ids[0] ?? 0;
    const alias = aliases.find((a) => !a.thread || a.thread === id);
    return alias ? `${alias.name}@${await mailDomain(this.env)}` : false;
  }

  // ── followers ─────────────────────────────────────────────────────────────────────
  /**
   * Adds followers (default: the caller's partner). Following yourself needs read access to
   * the records, adding someone else write access (Odoo). Existing followers are kept once.
   */
  async message_subscribe(partner_ids?: number[] | false | null): Promise<boolean> {
    if (!this.ids.length) return true;
    const partners = await this._followerArgs(partner_ids);
    if (partners.length) await this._addFollowers(partners);
    return true;
  }

  /** Removes followers (default: the caller's partner); same access as message_subscribe. */
  async message_unsubscribe(partner_ids?: number[] | false | null): Promise<boolean> {
    if (!this.ids.length) return true;
    const partners = await this._followerArgs(partner_ids);
    if (!partners.length) return true;
    await this.env.cr('mail_followers').where({ res_model: this._meta.name }).whereIn('res_id', this.ids).whereIn('partner_id', partners).delete();
    this.env.forgetMemo('mail.followers');
    return true;
  }

  /**
   * What the chatter shows of one record's followers: each follower (partner name and
   * email), the caller's own partner, and whether the caller may add or remove others (write
   * access to the record, as `message_subscribe` requires). Needs read access to the record.
   */
  async message_get_followers(): Promise<{ followers: Array<{ id: number; partner_id: [number, string]; email: string | false }>; own_partner_id: number | false; can_edit: boolean }> {
    this.ensureOne();
    await this.check_access_rights('read');
    await this.checkAccessRule('read');
    let canEdit = await this.check_access_rights('write', false);
    if (canEdit) {
      try {
        await this.checkAccessRule('write');
      } catch (err) {
        if (!(err instanceof AccessError)) throw err;
        canEdit = false;
      }
    }
    const rows = await this.env.cr('mail_followers as f').join('res_partner as p', 'p.id', 'f.partner_id')
      .where({ 'f.res_model': this._meta.name, 'f.res_id': this.ids[0] }).orderBy('p.name').select('f.id', 'p.id as partner', 'p.name', 'p.email');
    const own = await userPartnerId(this.env);
    return {
      followers: rows.map((r: any) => ({ id: Number(r.id), partner_id: [Number(r.partner), r.name ?? ''] as [number, string], email: r.email || false })),
      own_partner_id: own || false,
      can_edit: canEdit,
    };
  }

  async _followerArgs(partner_ids: unknown): Promise<number[]> {
    const explicit = partner_ids !== undefined && partner_ids !== null;
    const own = explicit && this.env.su ? false : await userPartnerId(this.env);
    const partners = explicit ? idList(this.env, partner_ids, _t(this.env, 'followers')) : own ? [own] : [];
    // The superuser (workflows, the mail gateway) passes every check.
    if (this.env.su) return partners;
    await this.check_access_rights('read');
    await this.checkAccessRule('read');
    if (partners.some((p) => p !== own)) {
      await this.check_access_rights('write');
      await this.checkAccessRule('write');
    }
    return partners;
  }

  /** Adds followers without access checks (existing ones are skipped). */
  async _addFollowers(partnerIds: number[]): Promise<void> {
    if (!this.ids.length || !partnerIds.length) return;
    const model = this._meta.name;
    const pairs = this.ids.flatMap((id) => [...new Set(partnerIds)].map((p) => `${id}:${p}`));
    // Followers this unit of work added (a new ticket: its reporter, then the mail's author, the same partner).
    const added = await this.env.memo('mail.followers', `mail.followers.added:${model}`, async () => new Set<string>());
    if (pairs.every((pair) => added.has(pair))) return;
    // Records created in this unit of work, whose followers have not been written since, have none.
    const known = this.ids.every((id) => this.env.memoized(followersNoneKey(model, id)));
    const existing = known ? [] : await this.env.cr('mail_followers').where({ res_model: model }).whereIn('res_id', this.ids).whereIn('partner_id', partnerIds).select('res_id', 'partner_id');
    const have = new Set(existing.map((r: any) => `${r.res_id}:${r.partner_id}`));
    const vals: Vals[] = pairs.filter((pair) => !have.has(pair)).map((pair) => {
      const [id, p] = pair.split(':').map(Number);
      return { res_model: model, res_id: id, partner_id: p };
    });
    if (vals.length) await this.env.sudo().model('mail.followers').create(vals);
    // Creating followers forgot the memo: remember these anew (any unlink of a follower forgets them).
    const now = await this.env.memo('mail.followers', `mail.followers.added:${model}`, async () => new Set<string>());
    for (const pair of pairs) now.add(pair);
    // Records that had none: their followers are exactly these (their notifications need not read them).
    if (known) {
      for (const id of this.ids) {
        const partners = pairs.filter((pair) => pair.startsWith(`${id}:`)).map((pair) => Number(pair.slice(pair.indexOf(':') + 1)));
        await this.env.memo('mail.followers', followersExactKey(model, id), async () => partners);
      }
    }
  }

  // ── inbound mail (called by the mail gateway) ─────────────────────────────────────
  /**
   * Creates a record from an inbound e-mail and posts the mail on it (type 'email', public).
   * The record's name field gets the subject unless `customValues` sets it; the sender's
   * partner (found by address when not given) follows the new record. Returns the record.
   */
  async message_new(msgDict: InboundMail, customValues: Vals = {}): Promise<this> {
    const vals: Vals = { ...(customValues ?? {}) };
    const rec = this._meta.recName;
    const recField = rec ? this._meta.fields.get(rec) : undefined;
    if (rec && recField?.stored && ['char', 'text'].includes(recField.type) && !(rec in vals)) {
      vals[rec] = (msgDict.subject || '').trim() || _t(this.env, '(no subject)');
    }
    const created = await this.withContext({ mail_create_nosubscribe: true }).create(vals);
    const record = this.browse(created.ids);
    const author = msgDict.author_id || (await findPartnerByEmail(this.env, msgDict.email_from));
    if (author) await record._addFollowers([author]);
    await record._postInbound(msgDict, author || false);
    return record;
  }

  /** Appends an inbound e-mail (a reply) to this record, after writing `updateVals` if given. Returns the message id. */
  async message_update(msgDict: InboundMail, updateVals: Vals = {}): Promise<number> {
    if (this.ids.length !== 1) throw new ValidationError(_t(this.env, 'message_update expects a single record, got %s.', this.ids.length));
    if (updateVals && Object.keys(updateVals).length) await this.write(updateVals);
    const author = msgDict.author_id || (await findPartnerByEmail(this.env, msgDict.email_from));
    return this._postInbound(msgDict, author || false);
  }

  /**
   * Hook for the mail gateway: the id of the record of this model that a subject names
   * (such as a `[T-00012]` tag), or false. Default: none.
   */
  async _messageRouteFromSubject(_subject: string): Promise<number | false> {
    return false;
  }

  async _postInbound(msgDict: InboundMail, author: number | false): Promise<number> {
    const env = this.env;
    const files = msgDict.attachments ?? [];
    let attIds: number[] = [];
    if (files.length) {
      const created = await env.sudo().model('ir.attachment').create(files.map((f) => ({
        name: f.filename || 'attachment',
        datas: typeof f.content === 'string' || Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content),
        mimetype: f.mimetype || false,
        res_model: this._meta.name,
        res_id: this.ids[0],
      })));
      attIds = created.ids;
      // Created attached to this record: message_post need not look for loose ones among them.
      await env.memo('ir.attachment', looseKey(attIds), async () => []);
    }
    const refs = [msgDict.in_reply_to, ...String(msgDict.references || '').split(/\s+/)].filter((r): r is string => !!r && r.trim() !== '');
    let parent: number | false = false;
    if (refs.length) {
      const row = await env.cr('mail_message').whereIn('message_id', refs).where({ model: this._meta.name, res_id: this.ids[0] }).orderBy('id', 'desc').first('id');
      if (row) parent = Number(row.id);
    }
    let body = msgDict.body || '';
    files.forEach((f, i) => {
      if (!f.cid || !attIds[i]) return;
      const cid = f.cid.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      body = body.replace(new RegExp(`cid:${cid}(?=["'\\s>])`, 'g'), `/web/content/${attIds[i]}`);
    });
    // The Date header becomes the message's date (in the INSERT, not an UPDATE after it).
    const date = msgDict.date ? (msgDict.date instanceof Date ? msgDict.date : new Date(msgDict.date)) : false;
    const messageId: number = await this.message_post(
      body, msgDict.subject || false, 'email', 'mail.mt_comment', attIds, [], author, msgDict.email_from || false, parent, msgDict.message_id || false, date,
    );
    // The gateway asks which message the mail became (see postedInboundMessage).
    if (msgDict.message_id && messageId) await env.memo('mail.message', inboundKey(msgDict.message_id), async () => messageId);
    return messageId;
  }
});

const followersNoneKey = (model: string, id: number) => `mail.followers.none:${model}:${id}`;
const followersExactKey = (model: string, id: number) => `mail.followers.exact:${model}:${id}`;

/** The followers of a record if this unit of work knows them all (computes nothing). */
function knownFollowers(env: Model['env'], model: string, id: number): Promise<number[]> | undefined {
  if (env.memoized(followersNoneKey(model, id))) return Promise.resolve([]);
  return env.memoized<number[]>(followersExactKey(model, id));
}
const looseKey = (ids: number[]) => `mail.attachments.loose:${[...ids].sort((a, b) => a - b).join(',')}`;
const inboundKey = (messageId: string) => `mail.inbound_message:${messageId}`;

/**
 * The id of the message an inbound mail with this Message-ID became (0 if none): remembered
 * by `_postInbound` in this unit of work while no message is created or changed since, else read.
 */
export function postedInboundMessage(env: Model['env'], messageId: string): Promise<number> {
  return env.memo('mail.message', inboundKey(messageId), async () => {
    const row = await env.cr('mail_message').where({ message_id: messageId }).first('id');
    return row ? Number(row.id) : 0;
  });
}

/** What notifying needs of a message: who (author, internal, type, explicit recipients) and what is mailed. */
export interface NotifyRow {
  author_id: number | null; is_internal: boolean | null; message_type: string; partner_ids: number[] | null;
  subject: string | null; body: string | null; email_from: string | null; reply_to: string | null; message_id: string | null;
  record_name: string | null; parent_message_id: string | null;
  /** The followers of `followers_of` ('model,id'), when read with the message (see notifyRow). */
  follower_ids?: number[] | null; followers_of?: string;
  /** Name and address of the explicit recipients and those followers, when read with them. */
  partners?: Array<{ id: number; name: string | null; email: string | null }> | null;
}

/**
 * The message's NotifyRow in one query (what read() would fetch in several), or undefined
 * when it is gone; with the followers of `thread` (a single record) when given.
 */
async function notifyRow(env: Model['env'], id: number, thread?: Model): Promise<NotifyRow | undefined> {
  const single = thread?.ids.length === 1;
  // A fixed text (two shapes): prepared once per connection on a server, as it runs for every message posted.
  const [m] = rowsOf(await rawStatement(env.cr,
    `SELECT m.author_id, m.is_internal, m.message_type,
            ARRAY(SELECT r.res_partner_id FROM mail_message_res_partner_rel r JOIN res_partner p ON p.id = r.res_partner_id AND p.active
                  WHERE r.mail_message_id = m.id ORDER BY r.res_partner_id) AS partner_ids,
            m.subject, m.body, m.email_from, m.reply_to, m.message_id, m.record_name, parent.message_id AS parent_message_id${single ? `,
            ARRAY(SELECT f.partner_id FROM mail_followers f WHERE f.res_model = ? AND f.res_id = ?) AS follower_ids,
            (SELECT json_agg(json_build_object('id', p.id, 'name', p.name, 'email', p.email)) FROM res_partner p
              WHERE p.id IN (SELECT r.res_partner_id FROM mail_message_res_partner_rel r WHERE r.mail_message_id = m.id)
                 OR p.id IN (SELECT f.partner_id FROM mail_followers f WHERE f.res_model = ? AND f.res_id = ?)) AS partners` : ''}
       FROM mail_message m LEFT JOIN mail_message parent ON parent.id = m.parent_id WHERE m.id = ?`,
    single ? [thread!._meta.name, thread!.ids[0], thread!._meta.name, thread!.ids[0], id] : [id]));
  if (m && single) m.followers_of = `${thread!._meta.name},${thread!.ids[0]}`;
  return m;
}

/**
 * The message's NotifyRow from what this unit of work wrote and read (its INSERT, the
 * record's followers, the partners' facts) — the same as `notifyRow` would read — or
 * undefined when something is not known (then it is read).
 */
async function knownNotifyRow(env: Model['env'], id: number, thread: Model): Promise<NotifyRow | undefined> {
  if (thread.ids.length !== 1) return undefined;
  const inserted = await insertedMessage(env, id);
  if (!inserted || !inserted.partnerIds) return undefined;
  const c = inserted.columns;
  const [model, resId] = [thread._meta.name, thread.ids[0]];
  // A reply's notification needs its parent's Message-ID: read then.
  if (c.parent_id || c.model !== model || Number(c.res_id) !== resId) return undefined;
  const followers = await knownFollowers(env, model, resId);
  if (!followers) return undefined;
  const explicit = await Promise.all(inserted.partnerIds.map((p) => knownPartner(env, p)));
  if (explicit.some((p) => !p)) return undefined;
  const partners = new Map<number, PartnerFacts>();
  for (const p of explicit) partners.set(p!.id, p!);
  for (const f of followers) {
    const p = await knownPartner(env, f);
    if (p) partners.set(p.id, p);
  }
  const value = (v: unknown) => (v === undefined ? null : v);
  return {
    author_id: c.author_id ? Number(c.author_id) : null,
    is_internal: value(c.is_internal) as boolean | null,
    message_type: String(c.message_type),
    partner_ids: explicit.filter((p) => p!.active).map((p) => p!.id).sort((a, b) => a - b),
    subject: value(c.subject) as string | null, body: value(c.body) as string | null,
    email_from: value(c.email_from) as string | null, reply_to: value(c.reply_to) as string | null,
    message_id: value(c.message_id) as string | null, record_name: value(c.record_name) as string | null,
    parent_message_id: null,
    follower_ids: followers, followers_of: `${model},${resId}`,
    // Only those known: a recipient missing here is read (see _notifyRecipients).
    partners: [...partners.values()].map((p) => ({ id: p.id, name: p.name, email: p.email })),
  };
}

/** Equality of two wire values of a tracked field (many2one by id, many2many as sets). */
function sameValue(field: Field, a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => {
    if (v === null || v === undefined || v === '') return false;
    if (field.type === 'many2one') return Array.isArray(v) ? v[0] : false;
    if (field.type === 'many2many') return JSON.stringify([...(v as number[])].sort((x, y) => x - y));
    return v;
  };
  return norm(a) === norm(b);
}
