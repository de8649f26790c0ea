/**
 * helpdesk.ticket, its mail side: reporter and technician follow a new ticket and are told
 * (the acknowledgement with the number); the helpdesk's chatter rules (users post only public
 * messages; a reporter's answer reopens a pending ticket; state changes are public tracking);
 * and the mail gateway's hooks — message_new files a ticket from a mail to the alias,
 * message_update threads a reply only from the reporter, a follower or a technician (SPEC 4.5).
 */
import { AccessError, model, type Vals } from '../../../core/orm/index.ts';
import { findPartnerByEmail, rememberPartner, parseEmailAddress, parseEmailList, plaintextToHtml, subtypeIsInternal, type InboundMail } from '../../mail/index.ts';
import { escapeHtml, helpdeskRole, isEmptyHtml, isStaff, m2oId } from '../tools.ts';
import { _t } from '../../../core/i18n/index.ts';
import { createdTicketRow, isTechnician, postedOnTicket, TICKET_MODEL as MODEL, type TicketBase } from './helpdesk_ticket.ts';

export const HelpdeskTicketMail = model((Base) => {
  /** The layers below, down to mail.thread: its methods, which Model's type does not know. */
  const thread = Base.prototype as any;
  return class extends Base {
  static _inherit = MODEL;
  declare _notify: TicketBase['_notify'];
  declare _partnerEnv: TicketBase['_partnerEnv'];
  declare _technicianPartner: TicketBase['_technicianPartner'];

  async create(valsList: Vals | Vals[]) {
    const records = await super.create(valsList);
    for (const id of records.ids) await records.browse([id])._afterCreate();
    return records;
  }

  /**
   * Reporter and technician follow the ticket; the reporter is told its number (a public
   * log mailed to them only, in their language); the technician, when someone else filed it,
   * gets a note. Imported tickets (origin zammad) and the contexts `install_mode`,
   * `tracking_disable`, `helpdesk_no_acknowledgement` send nothing.
   */
  async _afterCreate(): Promise<void> {
    const env = this.env;
    // The raw row: the names of the reporter and the technician are not needed here.
    const t = (await createdTicketRow(env, this.ids[0]))!;
    const reporter = m2oId(t.partner_id);
    const technician = m2oId(t.user_id);
    const techPartner = await this._technicianPartner(technician);
    const partners = [reporter, techPartner].filter((p): p is number => !!p);
    if (partners.length) await (this.sudo() as any).message_subscribe(partners);
    if (t.origin === 'zammad' || env.context.install_mode || env.context.tracking_disable || env.context.helpdesk_no_acknowledgement) return;
    const root = (await env.xmlidLookup('base.partner_root'))?.id ?? 1;
    if (reporter && reporter !== root) {
      const renv = await this._partnerEnv(reporter);
      const body = `<p>${escapeHtml(_t(renv, 'Hello,'))}</p><p>${escapeHtml(_t(renv, 'We have received your request "%s". Its ticket number is %s: please keep it in the subject of your replies.', t.subject, t.number))}</p>`;
      await this._notify(body, { subject: `[${t.number}] ${t.subject}`, partnerIds: [reporter], authorId: root, log: true });
    }
    if (techPartner && technician !== env.uid) {
      const tenv = await this._partnerEnv(techPartner);
      const body = `<p>${escapeHtml(_t(tenv, 'New ticket %s assigned to you: %s', t.number, t.subject))}</p>`;
      // An internal note: staff who filed the ticket sign it; a reporter (who may not even see
      // notes) did not assign anyone, the category did, so the system signs it.
      const author = isStaff(await helpdeskRole(env)) ? false : root;
      await this._notify(body, { subject: `[${t.number}] ${_t(tenv, 'Assigned to you')}: ${t.subject}`, partnerIds: [techPartner], note: true, log: true, authorId: author || undefined });
    }
  }


  /**
   * Chatter rules of the helpdesk: users (reporters) post only public messages, never
   * internal notes; a public message from the reporter moves a pending ticket back to open.
   */
  async message_post(
    body?: string | false, subject?: string | false, message_type: string = 'comment', subtype_xmlid?: string | false,
    attachment_ids?: number[] | false, partner_ids?: number[] | false, author_id?: number | false, email_from?: string | false,
    parent_id?: number | false, message_id?: string | false, date?: Date | false,
  ): Promise<number> {
    const type = message_type || 'comment';
    const subtype = subtype_xmlid || (type === 'notification' ? 'mail.mt_note' : 'mail.mt_comment');
    const internal = await this._subtypeIsInternal(subtype);
    if (!this.env.su) {
      const role = await helpdeskRole(this.env);
      if (!isStaff(role) && (internal || type !== 'comment')) {
        throw new AccessError(_t(this.env, 'Only helpdesk technicians can log internal notes; post a message instead.'));
      }
    }
    const id: number = await thread.message_post.call(this, body, subject, message_type, subtype_xmlid, attachment_ids, partner_ids, author_id, email_from, parent_id, message_id, date);
    if (!internal && (type === 'comment' || type === 'email')) {
      // The reporter answering a pending ticket (the message's author and the ticket in one query).
      const row = await postedOnTicket(this.env, this.ids[0], id);
      if (row?.author_id && row.state === 'pending' && Number(row.partner_id) === Number(row.author_id)) await this._reporterReplied(Number(row.author_id));
    }
    return id;
  }

  async _subtypeIsInternal(xmlid: string): Promise<boolean> {
    const found = await this.env.xmlidLookup(xmlid.includes('.') ? xmlid : `mail.${xmlid}`);
    return found ? subtypeIsInternal(this.env, found.id) : false;
  }

  /** pending → open when the reporter answers (chatter or email). */
  async _reporterReplied(authorPartnerId: number): Promise<void> {
    const row = await this.env.cr('helpdesk_ticket').where({ id: this.ids[0] }).first('state', 'partner_id');
    if (row?.state === 'pending' && Number(row.partner_id) === authorPartnerId) {
      await this.sudo().write({ state: 'open' });
    }
  }

  /** State changes are public (the reporter follows their ticket's status); other tracking stays internal. */
  async _trackSubtype(changedFields: string[]): Promise<string | false> {
    return changedFields.includes('state') ? 'mail.mt_comment' : 'mail.mt_note';
  }

  /**
   * A new e-mail to the alias: a ticket with origin "email", the subject, the (sanitised)
   * body as description, the attachments, and the sender as reporter — found by address
   * (case-insensitively) or created. CC addresses follow the new ticket.
   */
  async message_new(msgDict: InboundMail, customValues: Vals = {}): Promise<any> {
    const sudo = this.sudo();
    const msg = { ...(msgDict ?? {}) };
    const author = m2oId(msg.author_id ?? false) || (await findOrCreatePartner(sudo.env, msg.email_from));
    msg.author_id = author;
    const subject = (msg.subject || '').trim() || _t(this.env, '(no subject)');
    const body = typeof msg.body === 'string' && !isEmptyHtml(msg.body) ? plaintextToHtml(msg.body) : `<p>${escapeHtml(subject)}</p>`;
    const vals: Vals = { subject, description: body, origin: 'email', ...(author ? { partner_id: author } : {}), ...(customValues ?? {}) };
    const record = await thread.message_new.call(sudo, msg, vals);
    if (/cid:/i.test(body) && (msg.attachments ?? []).some((a) => a.cid)) {
      // Inline images: the posted message already points its cid: links at the stored files.
      const posted = await this.env.cr('mail_message').where({ model: MODEL, res_id: record.ids[0], message_type: 'email' }).orderBy('id', 'desc').first('body');
      if (posted?.body) await record.sudo().write({ description: posted.body });
    }
    const ccPartners: number[] = [];
    const own = new Set([...parseEmailList(msg.to || ''), ...parseEmailList(msg.email_from || '')].map((a) => a.email));
    for (const cc of parseEmailList(msg.cc || '')) {
      if (own.has(cc.email)) continue;
      const p = await findOrCreatePartner(sudo.env, cc.name ? `${cc.name} <${cc.email}>` : cc.email);
      if (p) ccPartners.push(p);
    }
    if (ccPartners.length) await record._addFollowers(ccPartners);
    return record;
  }

  /**
   * A reply by e-mail. Only the reporter, followers and technicians may add to a ticket
   * (anyone else gets a new ticket of their own); a reply to a closed ticket reopens it or,
   * per its category's policy, becomes a new ticket linked to it (SPEC 4.5).
   */
  async message_update(msgDict: InboundMail, updateVals: Vals = {}): Promise<number> {
    this.ensureOne();
    const sudo = this.sudo() as any;
    const author = m2oId(msgDict?.author_id ?? false) || (await findPartnerByEmail(this.env, msgDict?.email_from));
    const [t] = await sudo.read(['number', 'state', 'partner_id', 'category_id', 'close_date']);
    if (!(await this._mayReplyByEmail(author, m2oId(t.partner_id)))) {
      if (msgDict) msgDict.route_reason = 'sender_not_allowed';
      const fresh = await (this.browse([]) as any).message_new(msgDict, {});
      const [n] = await fresh.sudo().read(['number']);
      await this._notify(`<p>${escapeHtml(_t(this.env, 'A reply from %s was filed as the new ticket %s: only the reporter, the followers and the technicians can reply to a ticket.', msgDict?.email_from || '?', n.number))}</p>`, { note: true, log: true });
      return lastInboundMessage(this.env, fresh.ids[0]);
    }
    if (t.state === 'closed' && (await this._replyOpensNewTicket(m2oId(t.category_id), t.close_date))) {
      if (msgDict) msgDict.route_reason = 'closed_followup';
      const fresh = await (this.browse([]) as any).message_new(msgDict, { parent_id: this.ids[0], category_id: m2oId(t.category_id) });
      const [n] = await fresh.sudo().read(['number']);
      await this._notify(`<p>${escapeHtml(_t(this.env, 'A reply arrived after this ticket was closed: it was filed as the new ticket %s.', n.number))}</p>`, { log: true });
      await fresh._notify(`<p>${escapeHtml(_t(this.env, 'Follow-up of the closed ticket %s.', t.number))}</p>`, { log: true });
      return lastInboundMessage(this.env, fresh.ids[0]);
    }
    if (t.state === 'closed') {
      await sudo.write({ state: 'open', close_date: false, solution: false, rating: '0', rating_comment: false });
      await this._notify(`<p>${escapeHtml(_t(this.env, 'Ticket reopened by a reply from %s.', msgDict?.email_from || '?'))}</p>`, { log: true });
    }
    return thread.message_update.call(sudo, { ...msgDict, author_id: author || msgDict?.author_id }, updateVals);
  }

  /** The mail gateway: a reply whose subject carries a ticket number in brackets (`Re: [T-00012] …`) belongs to that ticket. */
  async _messageRouteFromSubject(subject: string): Promise<number | false> {
    const tags = [...String(subject).matchAll(/\[([A-Za-z0-9][\w/-]{0,30})\]/g)].map((m) => m[1].toUpperCase());
    if (!tags.length) return false;
    const row = await this.env.cr('helpdesk_ticket').whereIn('number', tags).orderBy('id', 'desc').first('id');
    return row ? Number(row.id) : false;
  }

  /** The reporter, a follower or a technician may add to a ticket by e-mail. */
  async _mayReplyByEmail(author: number | false, reporter: number | false): Promise<boolean> {
    if (!author) return false;
    if (author === reporter) return true;
    const follower = await this.env.cr('mail_followers').where({ res_model: MODEL, res_id: this.ids[0], partner_id: author }).first('id');
    if (follower) return true;
    const users = await this.env.cr('res_users').where({ partner_id: author, active: true }).select('id');
    for (const u of users) if (await isTechnician(this.env, Number(u.id))) return true;
    return false;
  }

  /** Category policy for replies to closed tickets: true = file a new linked ticket. */
  async _replyOpensNewTicket(categoryId: number | false, closeDate: unknown): Promise<boolean> {
    if (!categoryId) return false;
    const cat = await this.env.cr('helpdesk_ticket_category').where({ id: categoryId }).first('reopen_policy', 'reopen_days');
    if (cat?.reopen_policy !== 'new') return false;
    const days = Number(cat.reopen_days ?? 0);
    if (!days || !closeDate) return true;
    const closed = new Date(`${String(closeDate).replace(' ', 'T')}Z`).getTime();
    return Date.now() - closed > days * 86_400_000;
  }
};
});


/** The partner with this address (case-insensitive), created when unknown. */
async function findOrCreatePartner(env: any, address: unknown): Promise<number | false> {
  const parsed = parseEmailAddress(typeof address === 'string' ? address : '');
  if (!parsed) return false;
  const found = await findPartnerByEmail(env, parsed.email);
  if (found) return found;
  const vals = { name: parsed.name || parsed.email, email: parsed.email };
  const created = await env.sudo().model('res.partner').create(vals);
  // Its first notification (the acknowledgement) need not read it back.
  await rememberPartner(env, { id: created.ids[0], ...vals, active: true, user_ids: [] });
  return created.ids[0];
}

/** The id of the last inbound/comment message of a ticket (what message_update returns). */
async function lastInboundMessage(env: any, ticketId: number): Promise<number> {
  const row = await env.cr('mail_message').where({ model: MODEL, res_id: ticketId }).whereIn('message_type', ['email', 'comment']).orderBy('id', 'desc').first('id');
  return row ? Number(row.id) : 0;
}

