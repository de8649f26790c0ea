/**
 * helpdesk.ticket: the incident a reporter files and technicians work on.
 *
 *   create ──▶ new ──action_open──▶ open ──action_wait──▶ pending
 *                │                   ▲  ▲                    │
 *                │                   │  └──reporter replies──┘ (chatter or email)
 *                └──action_solve─────┼──────▶ closed ◀── action_solve (open, pending)
 *                                    └──action_reopen───┘    action_close (reporter)
 *
 * The model is built in layers, each an `_inherit` of the one before (index.ts lists them in
 * this order), so that each concern reads on its own:
 *
 *   helpdesk_ticket.ts           fields, names, copy, and the helpers the layers share
 *   helpdesk_ticket_guards.ts    who may give or change what (creation and write guards)
 *   helpdesk_ticket_workflow.ts  the actions, their dialogs and the auto-close cron
 *   helpdesk_ticket_mail.ts      followers, acknowledgement, chatter rules, mail gateway hooks
 *   helpdesk_ticket_sla.ts       SLA deadlines      helpdesk_ticket_search.ts  full-text search
 *
 * sudo() (the importer, the mail gateway, data files) is trusted and may write anything.
 */
import { fields, model, type ComputeFn, type Environment, type PrecomputeFn, type Vals } from '../../../core/orm/index.ts';
import { m2oId, userPartnerId, GROUP_TECHNICIAN } from '../tools.ts';
import { insertedMessage, knownPartner, rememberRecordName } from '../../mail/index.ts';

export const TICKET_STATES = [['new', 'Unseen'], ['open', 'Open'], ['pending', 'Waiting for reply'], ['closed', 'Closed']] as const;
export const TICKET_RATINGS = [['0', 'Not rated'], ['1', 'Very poor'], ['2', 'Poor'], ['3', 'Fair'], ['4', 'Good'], ['5', 'Excellent']] as const;
export const TICKET_ORIGINS = [['web', 'Web'], ['email', 'Email'], ['api', 'API'], ['zammad', 'Zammad']] as const;

export const TICKET_MODEL = 'helpdesk.ticket';

const defaultPartner = async (env: any) => (env.uid === 1 ? false : userPartnerId(env));
const refOrFalse = (xmlid: string) => async (env: any) => {
  const found = await env.xmlidLookup(xmlid);
  return found ? found.id : false;
};

/** Level of the ticket's priority; the ORM recomputes it when a priority's level changes. */
const computePriorityLevel: ComputeFn = async (records) => {
  const out = new Map<number, unknown>(records.ids.map((id) => [id, 0]));
  // One join (archived priorities included), not a read of the tickets and one of their priorities.
  const rows = await records.env.cr('helpdesk_ticket as t').leftJoin('helpdesk_ticket_priority as p', 'p.id', 't.priority_id')
    .whereIn('t.id', records.ids).select('t.id', 'p.level');
  for (const r of rows) out.set(Number(r.id), Number(r.level ?? 0));
  return out;
};
/** The same for new tickets, from their priority, before the insert (no UPDATE after it). */
const precomputePriorityLevel: PrecomputeFn = async (env, rows) => {
  // Each priority's level, shared across units of work (the few priorities are configuration).
  const level = (id: number) => env.cached('helpdesk.ticket.priority', `helpdesk.priority.level:${id}`, async () =>
    Number((await env.cr('helpdesk_ticket_priority').where({ id }).first('level'))?.level ?? 0));
  return Promise.all(rows.map((r) => (Number(r.priority_id) ? level(Number(r.priority_id)) : 0)));
};

/** The fields this addon declares on helpdesk.ticket (mail.thread adds the chatter ones). */
const TICKET_FIELDS = {
  number: fields.char({ string: 'Ticket Number', readonly: true, unique: true, copy: false, help: 'Given from the sequence "helpdesk.ticket" when the ticket is created' }),
  subject: fields.char({ string: 'Subject', required: true }),
  description: fields.html({ string: 'Description', required: true }),
  attachment_ids: fields.one2many('ir.attachment', 'res_id', { string: 'Attached Files', modelField: 'res_model', copy: false }),
  // partner_id, user_id, category_id, state: served by the model's `_indexes` that lead with them.
  partner_id: fields.many2one('res.partner', { string: 'Reporter', default: defaultPartner, ondelete: 'restrict' }),
  partner_name: fields.related('partner_id.name', { string: 'Reporter Name' }),
  partner_company: fields.related('partner_id.parent_id.name', { string: 'Company' }),
  partner_city: fields.related('partner_id.city', { string: 'Location' }),
  partner_email: fields.related('partner_id.email', { string: 'Email' }),
  partner_phone: fields.related('partner_id.phone', { string: 'Phone' }),
  user_id: fields.many2one('res.users', { string: 'Technician', tracking: true, help: 'The technician in charge; by default the technician of the category' }),
  category_id: fields.many2one('helpdesk.ticket.category', { string: 'Category', tracking: true, ondelete: 'restrict', default: refOrFalse('helpdesk_bytacora.category_general') }),
  project_id: fields.many2one('project.project', { string: 'Project', index: 'btree_not_null' }),
  // Four priorities: no search is selective on one (the counts are kept, see _group_counts;
  // deleting a priority, refused while tickets use it, scans them).
  priority_id: fields.many2one('helpdesk.ticket.priority', { string: 'Priority', index: false, tracking: true, ondelete: 'restrict', default: refOrFalse('helpdesk_bytacora.priority_normal') }),
  priority_level: fields.integer({
    string: 'Priority Level', compute: computePriorityLevel, precompute: precomputePriorityLevel, depends: ['priority_id', 'priority_id.level'], store: true, index: true,
    help: 'The level of the priority, stored so that lists can color and filter by it cheaply',
  }),
  department_id: fields.many2one('hr.department', { string: 'Department', index: 'btree_not_null' }),
  tag_ids: fields.many2many('helpdesk.ticket.tag', { string: 'Tags', relation: 'helpdesk_ticket_tag_rel', column1: 'ticket_id', column2: 'tag_id' }),
  state: fields.selection(TICKET_STATES, { string: 'Status', required: true, default: 'new', tracking: true, copy: false }),
  solution: fields.html({ string: 'Solution', copy: false }),
  close_date: fields.datetime({ string: 'Closed on', readonly: true, copy: false }),
  date_pending: fields.datetime({ string: 'Waiting since', readonly: true, copy: false, help: 'When the ticket started waiting for the reporter (auto-close counts from here)' }),
  rating: fields.selection(TICKET_RATINGS, { string: 'Rating', default: '0', copy: false }),
  rating_comment: fields.text({ string: 'Rating Comment', copy: false }),
  // Four origins, each a quarter of the tickets: an index would serve no filter.
  origin: fields.selection(TICKET_ORIGINS, { string: 'Origin', default: 'web', help: 'How the ticket arrived' }),
  parent_id: fields.many2one('helpdesk.ticket', { string: 'Previous Ticket', index: 'btree_not_null', copy: false, help: 'The closed ticket this one follows up' }),
  child_ids: fields.one2many('helpdesk.ticket', 'parent_id', { string: 'Follow-up Tickets' }),
  merged_into_id: fields.many2one('helpdesk.ticket', { string: 'Merged into', readonly: true, copy: false, index: 'btree_not_null', help: 'This ticket was a duplicate: its messages and files moved to that ticket' }),
};
/**
 * The list views (SPEC 8): "All Tickets" filtered by state and ordered by id, "Assigned to
 * me" by technician and state, "My Tickets" by reporter or creator (the record rule), the
 * dashboard by category. Their columns get no index of their own (`_indexes`).
 */
export const TICKET_INDEX_DEFINITIONS = {
  state_id_idx: '(state, id)',
  user_state_idx: '(user_id, state, id)',
  partner_id_idx: '(partner_id, id)',
  create_uid_id_idx: '(create_uid, id)',
  category_idx: '(category_id, state)',
};

/** The fields this layer declares (the guards check them; the other layers guard their own). */
export const TICKET_FIELD_NAMES: ReadonlySet<string> = new Set(Object.keys(TICKET_FIELDS));

/** How `_notify` posts: public by default, `note` internal, `log` a notification to `partnerIds` only. */
export interface NotifyOptions { subject?: string; note?: boolean; log?: boolean; partnerIds?: number[]; authorId?: number }

/**
 * What this layer offers the layers above it. Their base class is typed as a plain Model, so
 * they state what they use with `declare` (types only, nothing emitted).
 */
export interface TicketBase {
  _notify(body: string, opts: NotifyOptions): Promise<number>;
  _partnerEnv(partnerId: number): Promise<Environment>;
  _technicianPartner(uid: number | false): Promise<number | false>;
  _categoryTechnician(category: unknown): Promise<number | false>;
}

export const HelpdeskTicket = model((Base) => class extends Base {
  static _name = TICKET_MODEL;
  static _description = 'Helpdesk Ticket';
  static _inherit = ['mail.thread'];
  /** mail.thread is abstract; this model is not (statics of mixin layers carry over). */
  static _abstract = false;
  static _order = 'id desc';
  static _rec_name = 'subject';
  static _rec_names_search = ['number', 'subject'];
  /** The dashboard's and the lists' groupings and filters: counted without scanning every ticket. */
  static _group_counts = ['state', 'category_id', 'priority_id', 'priority_level', 'user_id'];
  static _indexes = TICKET_INDEX_DEFINITIONS;
  static fields = {
    ...TICKET_FIELDS,
    // The "Created today / this week / this month" filters: the magic column gets its index here.
    create_date: fields.datetime({ string: 'Created on', readonly: true, index: true }),
  };

  // ── names ───────────────────────────────────────────────────────────────────────
  /** The INSERT returns what the new ticket's creation reads of it (createdTicketRow), its reporter's language too. */
  _insertReturning() {
    const table = this._meta.table;
    return [...super._insertReturning(), ...CREATED_COLUMNS.filter((c) => c !== 'id'),
      this.env.cr.raw(`(SELECT p.lang FROM res_partner p WHERE p.id = "${table}".partner_id) AS partner_lang`)];
  }

  async _afterInsert(rows: Array<Record<string, any>>): Promise<void> {
    await super._afterInsert(rows);
    for (const row of rows) await rememberCreatedTicket(this.env, row);
  }

  async _displayNames(): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (!this.ids.length) return out;
    const rows = await this.env.cr('helpdesk_ticket').whereIn('id', this.ids).select('id', 'number', 'subject');
    for (const r of rows) out.set(Number(r.id), ticketDisplayName(r));
    return out;
  }

  async copy(defaultVals: Vals | null = null) {
    this.ensureOne();
    const [t] = await this.read(['subject', 'description', 'partner_id', 'category_id', 'project_id', 'priority_id', 'department_id']);
    return this.create({
      subject: t.subject, description: t.description, partner_id: m2oId(t.partner_id), category_id: m2oId(t.category_id),
      project_id: m2oId(t.project_id), priority_id: m2oId(t.priority_id), department_id: m2oId(t.department_id), ...(defaultVals ?? {}),
    });
  }

  /** The technician of a category (the default category when none is given). */
  async _categoryTechnician(category: unknown): Promise<number | false> {
    const id = category === undefined ? (await this.env.xmlidLookup('helpdesk_bytacora.category_general'))?.id : m2oId(category);
    if (!id) return false;
    // Shared across units of work (configuration; every ticket filed by mail asks).
    return this.env.cached('helpdesk.ticket.category', `helpdesk.category.technician:${id}`, async () => {
      const row = await this.env.cr('helpdesk_ticket_category').where({ id }).first('technician_id');
      return row?.technician_id ? Number(row.technician_id) : false;
    });
  }

  /** This environment in the language of a partner (for texts mailed to them). */
  async _partnerEnv(partnerId: number): Promise<typeof this.env> {
    const lang = await this.env.memo('res.partner', partnerLangKey(partnerId), async () => (await this.env.cr('res_partner').where({ id: partnerId }).first('lang'))?.lang ?? false);
    return lang ? this.env.withContext({ lang }) : this.env;
  }

  async _technicianPartner(uid: number | false): Promise<number | false> {
    return uid ? userPartnerId(this.env, uid) : false;
  }
  // ── chatter ─────────────────────────────────────────────────────────────────────
  /**
   * Posts a message on the ticket as sudo (the workflow already checked the caller):
   * public by default, an internal note with `note`; `partnerIds` are notified by mail
   * (for public comments the followers too). `log` posts a public notification that only
   * notifies `partnerIds`.
   */
  async _notify(body: string, opts: NotifyOptions): Promise<number> {
    const rec = this.sudo() as any;
    const type = opts.log ? 'notification' : 'comment';
    return rec.message_post(body, opts.subject ?? false, type, opts.note ? 'mail.mt_note' : 'mail.mt_comment', [], opts.partnerIds ?? [], opts.authorId ?? false);
  }

});

/** True when the user belongs to the technician group (directly or through admin). */
/** The columns of a new ticket that its creation reads back: the acknowledgement's and the SLA's. */
const CREATED_COLUMNS = ['id', 'number', 'subject', 'partner_id', 'user_id', 'origin', 'priority_id', 'create_date', 'sla_paused_hours', 'state', 'close_date', 'first_response_date', 'sla_status', 'sla_id'];
const createdKey = (id: number) => `helpdesk.ticket.created:${id}`;
const partnerLangKey = (id: number) => `helpdesk.partner_lang:${id}`;

/** A ticket's display name: its number and subject. */
const ticketDisplayName = (r: { number?: string | null; subject?: string | null }) => [r.number, r.subject].filter(Boolean).join(' ');

/**
 * A ticket just created, read once for what its creation does next (followers and
 * acknowledgement, then the SLA), with its reporter's language and remembering its display
 * name for its messages: remembered until a ticket (or, for the language, a partner) is written.
 */
export function createdTicketRow(env: Environment, id: number): Promise<Record<string, any> | undefined> {
  return env.memo(TICKET_MODEL, createdKey(id), async () => {
    const row = await env.cr('helpdesk_ticket as t').leftJoin('res_partner as p', 'p.id', 't.partner_id').where('t.id', id)
      .first([...CREATED_COLUMNS.map((c) => `t.${c}`), 'p.lang as partner_lang']);
    return row ? rememberedRow(env, row) : row;
  });
}

/** The same row as returned by the ticket's INSERT (`_insertReturning`): nothing to read back. */
async function rememberCreatedTicket(env: Environment, row: Record<string, any>): Promise<void> {
  await env.memo(TICKET_MODEL, createdKey(Number(row.id)), () => rememberedRow(env, row));
}

/** What a created row tells beyond itself: the reporter's language and the ticket's display name. */
async function rememberedRow(env: Environment, row: Record<string, any>): Promise<Record<string, any>> {
  if (row.partner_id) await env.memo('res.partner', partnerLangKey(Number(row.partner_id)), async () => row.partner_lang ?? false);
  await rememberRecordName(env, TICKET_MODEL, Number(row.id), ticketDisplayName(row));
  return row;
}

/** The rows `createdTicketRow` has read of these tickets, if it read them all (else undefined). */
export function createdTicketRows(env: Environment, ids: number[]): Promise<Array<Record<string, any> | undefined>> | undefined {
  const known = ids.map((id) => env.memoized<Record<string, any> | undefined>(createdKey(id)));
  return known.every(Boolean) ? Promise.all(known) : undefined;
}

interface PostedOnTicket {
  author_id: number | null; message_type: string; internal: boolean | null; state: string; partner_id: number | null; first_response_date: unknown; sla_id: number | null;
  author_user_ids: number[];
}

/**
 * The same from what this unit of work knows: the message's INSERT, the ticket's (a message
 * posted on a ticket it created) and the author's users (read with the partner); else undefined.
 */
async function knownPostedOnTicket(env: Environment, ticketId: number, messageId: number): Promise<PostedOnTicket | undefined> {
  const message = await insertedMessage(env, messageId);
  const ticket = await env.memoized<Record<string, any> | undefined>(createdKey(ticketId));
  if (!message || !ticket) return undefined;
  const c = message.columns;
  if (c.model !== TICKET_MODEL || Number(c.res_id) !== ticketId) return undefined;
  const authorId = c.author_id ? Number(c.author_id) : null;
  const author = authorId ? await knownPartner(env, authorId) : undefined;
  if (authorId && !author?.user_ids) return undefined;
  return {
    author_id: authorId, message_type: String(c.message_type), internal: (c.is_internal ?? null) as boolean | null,
    state: ticket.state, partner_id: ticket.partner_id ?? null, first_response_date: ticket.first_response_date ?? null, sla_id: ticket.sla_id ?? null,
    author_user_ids: author?.user_ids ?? [],
  };
}

/**
 * What the helpdesk's message_post hooks (the reporter answering, the first response) read of
 * a message just posted on a ticket, with the ticket and the author's active users: one query
 * for both, remembered until the ticket, a message, a subtype or a user is written.
 */
export function postedOnTicket(env: Environment, ticketId: number, messageId: number): Promise<PostedOnTicket | undefined> {
  return env.memo([TICKET_MODEL, 'mail.message', 'mail.message.subtype', 'res.users'], `helpdesk.posted:${ticketId}:${messageId}`, async () =>
    (await knownPostedOnTicket(env, ticketId, messageId)) ?? env.cr('mail_message as m').join('helpdesk_ticket as t', 't.id', 'm.res_id').leftJoin('mail_message_subtype as s', 's.id', 'm.subtype_id')
      .where({ 'm.id': messageId, 't.id': ticketId })
      .first('m.author_id', 'm.message_type', 's.internal', 't.state', 't.partner_id', 't.first_response_date', 't.sla_id',
        env.cr.raw('ARRAY(SELECT u.id FROM res_users u WHERE u.partner_id = m.author_id AND u.active ORDER BY u.id) AS author_user_ids')));
}

export async function isTechnician(env: any, uid: number): Promise<boolean> {
  const found = await env.xmlidLookup(GROUP_TECHNICIAN);
  if (!found) return false;
  const rows = await env.cr.raw(
    `WITH RECURSIVE g(id) AS (
       SELECT gid FROM res_groups_users_rel WHERE uid = ?
       UNION SELECT r.hid FROM res_groups_implied_rel r JOIN g ON r.gid = g.id)
     SELECT 1 FROM g WHERE id = ?`, [uid, found.id]);
  return (Array.isArray(rows) ? rows : rows.rows).length > 0;
}

