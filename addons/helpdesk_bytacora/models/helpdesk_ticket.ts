/**
 * helpdesk.ticket: the incident a reporter files and technicians work on.
 *
 *   create ──▶ new ──action_open──▶ open ──action_wait──▶ pending
 *                │                   ▲  ▲                    │
 *                │                   │  └──reporter replies──┘ (chatter or email)
 *                └──action_solve─────┼──────▶ closed ◀── action_solve (open, pending)
 *                                    └──action_reopen───┘    action_close (reporter)
 *
 * Who may do what (SPEC 4.3) is enforced here and in security/: users create and act only
 * through the methods below (which check and then write as sudo); technicians may write
 * category/project/priority/department/tags; subject, description and attachments are frozen
 * once created; `state` moves only through the actions. sudo() (the importer, the mail
 * gateway, data files) is trusted and may write anything.
 */
import { AccessError, fields, formatDatetime, model, UserError, ValidationError, type ComputeFn, type Vals } from '../../../core/orm/index.ts';
import { findPartnerByEmail, parseEmailAddress, parseEmailList, plaintextToHtml, type InboundMail } from '../../mail/index.ts';
import { escapeHtml, fieldLabel, helpdeskRole, isEmptyHtml, isStaff, m2oId, userPartnerId, GROUP_TECHNICIAN, type HelpdeskRole } from '../tools.ts';
import { _t } from '../../../core/i18n/index.ts';

export const TICKET_STATES = [['new', 'Unseen'], ['open', 'Open'], ['pending', 'Waiting for reply'], ['closed', 'Closed']] as const;
export const TICKET_RATINGS = [['0', 'Not rated'], ['1', 'Very poor'], ['2', 'Poor'], ['3', 'Fair'], ['4', 'Good'], ['5', 'Excellent']] as const;
export const TICKET_ORIGINS = [['web', 'Web'], ['email', 'Email'], ['api', 'API'], ['zammad', 'Zammad']] as const;

const MODEL = 'helpdesk.ticket';
/** Frozen once the ticket exists (except for sudo). */
const IMMUTABLE_FIELDS = ['subject', 'description', 'attachment_ids'];
/** What technicians and admins may write directly. */
const STAFF_EDITABLE_FIELDS = ['category_id', 'project_id', 'priority_id', 'department_id', 'tag_ids'];
/** Set by the workflow only: refused in create() unless empty or the default. */
const WORKFLOW_FIELDS = ['number', 'state', 'solution', 'close_date', 'date_pending', 'rating', 'rating_comment', 'parent_id', 'merged_into_id'];
/** What a user (reporter) gives when filing a ticket. */
const USER_CREATE_FIELDS = ['subject', 'description', 'attachment_ids', 'partner_id', 'origin'];

const defaultPartner = async (env: any) => (env.uid === 1 ? false : userPartnerId(env));
const refOrFalse = (xmlid: string) => async (env: any) => {
  const found = await env.xmlidLookup(xmlid);
  return found ? found.id : false;
};

/** Level of the ticket's priority; the ORM recomputes it when a priority's level changes. */
const computePriorityLevel: ComputeFn = async (records) => {
  const out = new Map<number, unknown>(records.ids.map((id) => [id, 0]));
  const tickets = await records.read(['priority_id']);
  const priorityIds = [...new Set(tickets.map((t) => m2oId(t.priority_id)).filter((id): id is number => !!id))];
  const levels = new Map((priorityIds.length ? await records.env.model('helpdesk.ticket.priority').withContext({ active_test: false }).browse(priorityIds).read(['level']) : []).map((p) => [p.id, Number(p.level)]));
  for (const t of tickets) out.set(t.id, levels.get(m2oId(t.priority_id) as number) ?? 0);
  return out;
};

/** The fields this addon declares on helpdesk.ticket (mail.thread adds the chatter ones). */
const TICKET_FIELDS = {
  number: fields.char({ string: 'Ticket Number', readonly: true, unique: true, copy: false, help: 'Given from the sequence "helpdesk.ticket" when the ticket is created' }),
  subject: fields.char({ string: 'Subject', required: true }),
  description: fields.html({ string: 'Description', required: true }),
  attachment_ids: fields.one2many('ir.attachment', 'res_id', { string: 'Attached Files', modelField: 'res_model', copy: false }),
  partner_id: fields.many2one('res.partner', { string: 'Reporter', default: defaultPartner, index: true, ondelete: 'restrict' }),
  partner_name: fields.related('partner_id.name', { string: 'Reporter Name' }),
  partner_company: fields.related('partner_id.parent_id.name', { string: 'Company' }),
  partner_city: fields.related('partner_id.city', { string: 'Location' }),
  partner_email: fields.related('partner_id.email', { string: 'Email' }),
  partner_phone: fields.related('partner_id.phone', { string: 'Phone' }),
  user_id: fields.many2one('res.users', { string: 'Technician', index: true, tracking: true, help: 'The technician in charge; by default the technician of the category' }),
  category_id: fields.many2one('helpdesk.ticket.category', { string: 'Category', index: true, tracking: true, ondelete: 'restrict', default: refOrFalse('helpdesk_bytacora.category_general') }),
  project_id: fields.many2one('project.project', { string: 'Project', index: true }),
  priority_id: fields.many2one('helpdesk.ticket.priority', { string: 'Priority', index: true, tracking: true, ondelete: 'restrict', default: refOrFalse('helpdesk_bytacora.priority_normal') }),
  priority_level: fields.integer({
    string: 'Priority Level', compute: computePriorityLevel, depends: ['priority_id', 'priority_id.level'], store: true, index: true,
    help: 'The level of the priority, stored so that lists can color and filter by it cheaply',
  }),
  department_id: fields.many2one('hr.department', { string: 'Department', index: true }),
  tag_ids: fields.many2many('helpdesk.ticket.tag', { string: 'Tags', relation: 'helpdesk_ticket_tag_rel', column1: 'ticket_id', column2: 'tag_id' }),
  state: fields.selection(TICKET_STATES, { string: 'Status', required: true, default: 'new', tracking: true, index: true, copy: false }),
  solution: fields.html({ string: 'Solution', copy: false }),
  close_date: fields.datetime({ string: 'Closed on', readonly: true, copy: false }),
  date_pending: fields.datetime({ string: 'Waiting since', readonly: true, copy: false, help: 'When the ticket started waiting for the reporter (auto-close counts from here)' }),
  rating: fields.selection(TICKET_RATINGS, { string: 'Rating', default: '0', copy: false }),
  rating_comment: fields.text({ string: 'Rating Comment', copy: false }),
  origin: fields.selection(TICKET_ORIGINS, { string: 'Origin', default: 'web', index: true, help: 'How the ticket arrived' }),
  parent_id: fields.many2one('helpdesk.ticket', { string: 'Previous Ticket', index: true, copy: false, help: 'The closed ticket this one follows up' }),
  child_ids: fields.one2many('helpdesk.ticket', 'parent_id', { string: 'Follow-up Tickets' }),
  merged_into_id: fields.many2one('helpdesk.ticket', { string: 'Merged into', readonly: true, copy: false, index: true, help: 'This ticket was a duplicate: its messages and files moved to that ticket' }),
};
const OWN_FIELDS = new Set(Object.keys(TICKET_FIELDS));

export const HelpdeskTicket = model((Base) => {
  /** The layer below (mail.thread): `super` for the mixin's methods, which Model's type does not know. */
  const thread = Base.prototype as any;
  return class extends Base {
  static _name = MODEL;
  static _description = 'Helpdesk Ticket';
  static _inherit = ['mail.thread'];
  /** mail.thread is abstract; this model is not (statics of mixin layers carry over). */
  static _abstract = false;
  static _order = 'id desc';
  static _rec_name = 'subject';
  static _rec_names_search = ['number', 'subject'];
  /** The dashboard's and the lists' groupings and filters: counted without scanning every ticket. */
  static _group_counts = ['state', 'category_id', 'priority_id', 'priority_level', 'user_id'];
  static fields = TICKET_FIELDS;
  /** Methods the scheduler may call. */
  static _cron = ['cron_auto_close'];
  static _rpc = {
    action_open: 'records' as const,
    action_wait: 'records' as const,
    action_solve: { kind: 'records' as const, params: ['solution'] },
    action_reopen: 'records' as const,
    action_reassign: { kind: 'records' as const, params: ['user_id'] },
    action_rate: { kind: 'records' as const, params: ['rating', 'comment'] },
    action_close: { kind: 'records' as const, params: ['note'] },
    action_merge: { kind: 'records' as const, params: ['target_id'] },
    action_merge_wizard: 'records' as const,
    action_solve_wizard: 'records' as const,
    action_reassign_wizard: 'records' as const,
    action_close_wizard: 'records' as const,
    action_assign_to_me: 'records' as const,
    action_set_priority_wizard: 'records' as const,
  };

  // ── names ───────────────────────────────────────────────────────────────────────
  async _displayNames(): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (!this.ids.length) return out;
    const rows = await this.env.cr('helpdesk_ticket').whereIn('id', this.ids).select('id', 'number', 'subject');
    for (const r of rows) out.set(Number(r.id), [r.number, r.subject].filter(Boolean).join(' '));
    return out;
  }

  // ── create ──────────────────────────────────────────────────────────────────────
  async create(valsList: Vals | Vals[]) {
    const list = (Array.isArray(valsList) ? valsList : [valsList]).map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...v } : v)) as Vals[];
    if (list.some((v) => !v || typeof v !== 'object' || Array.isArray(v))) return super.create(list);
    const role = await helpdeskRole(this.env);
    if (role === 'none') await this.check_access_rights('create');
    const attachmentCommands: unknown[] = [];
    for (const vals of list) {
      if (role !== 'system') await this._checkCreateVals(vals, role);
      attachmentCommands.push(vals.attachment_ids);
      delete vals.attachment_ids;
      if (!vals.number) vals.number = await (this.env.model('ir.sequence').sudo() as any).next_by_code('helpdesk.ticket') as string;
      if (!vals.user_id) vals.user_id = await this._categoryTechnician(vals.category_id);
    }
    const records = await super.create(list);
    for (const [i, id] of records.ids.entries()) {
      const ticket = records.browse([id]);
      if (attachmentCommands[i]) await ticket._linkCreationAttachments(attachmentCommands[i], role);
      await ticket._afterCreate();
    }
    return records;
  }

  /** Refuses what the caller's role may not give when filing a ticket; drops harmless defaults. */
  async _checkCreateVals(vals: Vals, role: HelpdeskRole): Promise<void> {
    const defaults = await this.default_get(Object.keys(vals).filter((k) => OWN_FIELDS.has(k)));
    const isDefault = (k: string) => {
      const v = vals[k];
      if (v === false || v === null || v === undefined || v === '' || v === 0 || (Array.isArray(v) && v.length === 0)) return true;
      // x2many commands that set nothing ([(6, 0, [])], [(5,)]), as forms send for empty fields
      if (Array.isArray(v) && v.every((c) => Array.isArray(c) && (c[0] === 5 || (c[0] === 6 && (!c[2] || (c[2] as unknown[]).length === 0))))) return true;
      if (k in defaults) return m2oId(v) !== false ? m2oId(v) === m2oId(defaults[k]) : v === defaults[k];
      return false;
    };
    for (const key of Object.keys(vals)) {
      if (!OWN_FIELDS.has(key)) continue;
      const label = fieldLabel(this.env, MODEL, key);
      if (WORKFLOW_FIELDS.includes(key)) {
        if (!isDefault(key)) throw new UserError(_t(this.env, 'The field "%s" is set by the helpdesk workflow and cannot be given when creating a ticket.', label));
        delete vals[key];
        continue;
      }
      if (isStaff(role)) continue;
      if (key === 'partner_id') {
        if (vals.partner_id && m2oId(vals.partner_id) !== (await userPartnerId(this.env))) throw new AccessError(_t(this.env, 'You can only report tickets in your own name.'));
      } else if (key === 'origin') {
        if (vals.origin && !['web', 'api'].includes(String(vals.origin))) throw new AccessError(_t(this.env, 'The origin "%s" is set by the system only.', String(vals.origin)));
      } else if (!USER_CREATE_FIELDS.includes(key)) {
        if (!isDefault(key)) throw new AccessError(_t(this.env, 'Only technicians can set "%s" on a ticket.', label));
        delete vals[key];
      }
    }
  }

  /** The technician of a category (the default category when none is given). */
  async _categoryTechnician(category: unknown): Promise<number | false> {
    const id = category === undefined ? (await this.env.xmlidLookup('helpdesk_bytacora.category_general'))?.id : m2oId(category);
    if (!id) return false;
    const row = await this.env.cr('helpdesk_ticket_category').where({ id }).first('technician_id');
    return row?.technician_id ? Number(row.technician_id) : false;
  }

  /**
   * Attachments given at creation: new files ([0, 0, vals]) and files the caller uploaded
   * beforehand (ids / [4, id] / [6, 0, ids]) — those must be unattached and readable by them.
   * Linked as sudo because reporters may create tickets but not write them.
   */
  async _linkCreationAttachments(value: unknown, role: HelpdeskRole): Promise<void> {
    if (!Array.isArray(value)) throw new ValidationError(_t(this.env, 'Wrong value for %s: expected a list of commands or ids', `${MODEL}.attachment_ids`));
    const commands = value.every((v) => typeof v === 'number') ? [[6, 0, value]] : value;
    const linked: number[] = [];
    const created: Vals[] = [];
    for (const cmd of commands as unknown[][]) {
      if (!Array.isArray(cmd)) throw new ValidationError(_t(this.env, 'Wrong value for %s: expected a list of commands or ids', `${MODEL}.attachment_ids`));
      if (cmd[0] === 0) created.push({ ...(cmd[2] as Vals) });
      else if (cmd[0] === 4) linked.push(Number(cmd[1]));
      else if (cmd[0] === 6) linked.push(...((cmd[2] as unknown[]) ?? []).map(Number));
      else if (cmd[0] !== 5) throw new ValidationError(_t(this.env, 'Attachments of a new ticket can only be added.'));
    }
    if (linked.length) {
      const attachments = this.env.model('ir.attachment').browse(linked);
      if (role !== 'system') await attachments.checkAccessRule('read');
      const rows = await this.env.cr('ir_attachment').whereIn('id', attachments.ids).select('id', 'name', 'res_model', 'res_id');
      for (const r of rows) {
        if (r.res_model && r.res_id && role !== 'system') throw new UserError(_t(this.env, 'The file "%s" already belongs to another document.', r.name));
      }
      await attachments.sudo().write({ res_model: MODEL, res_id: this.ids[0] });
    }
    if (created.length) {
      await this.env.model('ir.attachment').sudo().create(created.map((v) => ({ ...v, res_model: MODEL, res_id: this.ids[0], res_field: false })));
    }
  }

  /**
   * Reporter and technician follow the ticket; the reporter is told its number (a public
   * log mailed to them only, in their language); the technician, when someone else filed it,
   * gets a note. Imported tickets (origin zammad) and the contexts `install_mode`,
   * `tracking_disable`, `helpdesk_no_acknowledgement` send nothing.
   */
  async _afterCreate(): Promise<void> {
    const env = this.env;
    const [t] = await this.sudo().read(['number', 'subject', 'partner_id', 'user_id', 'origin']);
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

  /** This environment in the language of a partner (for texts mailed to them). */
  async _partnerEnv(partnerId: number): Promise<typeof this.env> {
    const row = await this.env.cr('res_partner').where({ id: partnerId }).first('lang');
    return row?.lang ? this.env.withContext({ lang: row.lang }) : this.env;
  }

  async _technicianPartner(uid: number | false): Promise<number | false> {
    return uid ? userPartnerId(this.env, uid) : false;
  }

  // ── write / guards ──────────────────────────────────────────────────────────────
  async write(vals: Vals) {
    if (vals && typeof vals === 'object' && !Array.isArray(vals) && this.ids.length && !this.env.su) {
      const keys = Object.keys(vals);
      if (keys.length && keys.every((k) => k === 'rating' || k === 'rating_comment')) {
        // The form's rating widget saves through write(): that is the reporter's action_rate.
        const [current] = await this.sudo().read(['rating', 'rating_comment']);
        await this.action_rate(vals.rating ?? current.rating, 'rating_comment' in vals ? vals.rating_comment : current.rating_comment);
        return true;
      }
      await this._checkWriteVals(vals);
    }
    const res = await super.write(vals);
    if (vals && typeof vals === 'object' && 'category_id' in vals && !('user_id' in vals)) await this._assignCategoryTechnician();
    return res;
  }

  /** SPEC 4.3: frozen fields, state only through actions, technicians edit four fields (and tags). */
  async _checkWriteVals(vals: Vals): Promise<void> {
    for (const key of Object.keys(vals)) {
      if (IMMUTABLE_FIELDS.includes(key)) {
        throw new UserError(_t(this.env, 'The field "%s" cannot be changed once the ticket has been created.', fieldLabel(this.env, MODEL, key)));
      }
      if (key === 'state') throw new UserError(_t(this.env, 'The status of a ticket only changes through its actions: Open, Wait, Solve, Reopen.'));
    }
    await this.check_access_rights('write');
    for (const key of Object.keys(vals)) {
      if (OWN_FIELDS.has(key) && !STAFF_EDITABLE_FIELDS.includes(key)) {
        throw new AccessError(_t(this.env, 'You cannot change "%s" directly: technicians may only edit the category, project, priority, department and tags of a ticket; the rest changes through its actions.', fieldLabel(this.env, MODEL, key)));
      }
    }
  }

  /** Tickets without a technician get the one of their (new) category. */
  async _assignCategoryTechnician(): Promise<void> {
    const rows = await this.env.cr('helpdesk_ticket').whereIn('id', this.ids).whereNull('user_id').select('id', 'category_id');
    for (const r of rows) {
      const tech = await this._categoryTechnician(r.category_id ?? false);
      if (tech) await this.browse([Number(r.id)]).sudo().write({ user_id: tech });
    }
  }

  async copy(defaultVals: Vals | null = null) {
    this.ensureOne();
    const [t] = await this.read(['subject', 'description', 'partner_id', 'category_id', 'project_id', 'priority_id', 'department_id']);
    return this.create({
      subject: t.subject, description: t.description, partner_id: m2oId(t.partner_id), category_id: m2oId(t.category_id),
      project_id: m2oId(t.project_id), priority_id: m2oId(t.priority_id), department_id: m2oId(t.department_id), ...(defaultVals ?? {}),
    });
  }

  // ── workflow ────────────────────────────────────────────────────────────────────
  /** The tickets as the caller may see them, plus the caller's role; raises for invisible tickets. */
  async _workflowContext(): Promise<{ role: HelpdeskRole; tickets: Array<Record<string, any>> }> {
    await this.check_access_rights('read');
    await this.checkAccessRule('read');
    const role = await helpdeskRole(this.env);
    const tickets = await this.sudo().read(['number', 'subject', 'state', 'partner_id', 'user_id', 'create_uid', 'solution', 'category_id']);
    return { role, tickets };
  }

  _requireStaff(role: HelpdeskRole, what: string): void {
    if (!isStaff(role)) throw new AccessError(_t(this.env, 'Only helpdesk technicians can %s.', _t(this.env, what)));
  }

  _stateLabel(state: string): string {
    const label = TICKET_STATES.find(([v]) => v === state)?.[1] ?? state;
    return _t(this.env, label);
  }

  /** True when the current user is the reporter of the ticket. */
  async _isReporter(ticket: Record<string, any>): Promise<boolean> {
    const partner = await userPartnerId(this.env);
    return !!partner && m2oId(ticket.partner_id) === partner;
  }

  /** new | pending → open (technicians). */
  async action_open(): Promise<boolean> {
    const { role, tickets } = await this._workflowContext();
    this._requireStaff(role, 'open tickets');
    for (const t of tickets) {
      if (!['new', 'pending'].includes(t.state)) {
        throw new UserError(_t(this.env, 'Ticket %s cannot be opened: it is "%s"; only new tickets and tickets waiting for a reply can be opened.', t.number, this._stateLabel(t.state)));
      }
    }
    await this.sudo().write({ state: 'open' });
    return true;
  }

  /** open → pending: waiting for the reporter (technicians). */
  async action_wait(): Promise<boolean> {
    const { role, tickets } = await this._workflowContext();
    this._requireStaff(role, 'put tickets on hold');
    for (const t of tickets) {
      if (t.state !== 'open') {
        throw new UserError(_t(this.env, 'Ticket %s cannot wait for the reporter: it is "%s"; only open tickets can.', t.number, this._stateLabel(t.state)));
      }
    }
    await this.sudo().write({ state: 'pending', date_pending: formatDatetime(new Date()) });
    return true;
  }

  /** Any state but closed → closed with a solution, mailed to the reporter (technicians). */
  async action_solve(solution: unknown): Promise<boolean> {
    const { role, tickets } = await this._workflowContext();
    this._requireStaff(role, 'solve tickets');
    if (typeof solution !== 'string' || isEmptyHtml(solution)) throw new UserError(_t(this.env, 'Please describe the solution before solving the ticket.'));
    for (const t of tickets) {
      if (t.state === 'closed') throw new UserError(_t(this.env, 'Ticket %s is already closed.', t.number));
    }
    await this.sudo().write({ state: 'closed', solution, close_date: formatDatetime(new Date()) });
    const [{ solution: clean }] = await this.sudo().browse([this.ids[0]]).read(['solution']);
    for (const t of tickets) {
      const reporter = m2oId(t.partner_id);
      const renv = reporter ? await this._partnerEnv(reporter) : this.env;
      const body = `<p><strong>${escapeHtml(_t(renv, 'Solution'))}</strong></p>${clean || escapeHtml(solution)}`;
      await this.browse([t.id])._notify(body, { subject: `[${t.number}] ${_t(renv, 'Solved')}: ${t.subject}`, partnerIds: reporter ? [reporter] : [] });
    }
    return true;
  }

  /** closed → open (reporter on own ticket, technicians); clears the closing data. */
  async action_reopen(): Promise<boolean> {
    const { role, tickets } = await this._workflowContext();
    if (role === 'none') throw new AccessError(_t(this.env, 'Only helpdesk users can reopen tickets.'));
    for (const t of tickets) {
      if (t.state !== 'closed') throw new UserError(_t(this.env, 'Ticket %s cannot be reopened: it is not closed.', t.number));
      if (role === 'user' && !(await this._isReporter(t)) && m2oId(t.create_uid) !== this.env.uid) {
        throw new AccessError(_t(this.env, 'You can only reopen your own tickets.'));
      }
    }
    await this.sudo().write({ state: 'open', close_date: false, solution: false, rating: '0', rating_comment: false });
    for (const t of tickets) await this.browse([t.id])._notify(`<p>${escapeHtml(_t(this.env, 'Ticket reopened.'))}</p>`, {});
    return true;
  }

  /** Assigns the tickets to another technician, logs it and tells them (technicians). */
  async action_reassign(user_id: unknown): Promise<boolean> {
    const { role, tickets } = await this._workflowContext();
    this._requireStaff(role, 'reassign tickets');
    const uid = m2oId(user_id);
    if (!uid) throw new UserError(_t(this.env, 'Choose the technician to assign the ticket to.'));
    const user = await this.env.cr('res_users').where({ id: uid }).first('id', 'name', 'active', 'partner_id');
    if (!user || !user.active) throw new UserError(_t(this.env, 'The user %s does not exist or is archived.', String(uid)));
    if (!(await isTechnician(this.env, uid))) {
      throw new UserError(_t(this.env, '%s is not a helpdesk technician: tickets can only be assigned to technicians.', user.name));
    }
    for (const t of tickets) {
      if (m2oId(t.user_id) === uid) throw new UserError(_t(this.env, 'Ticket %s is already assigned to %s.', t.number, user.name));
    }
    // The note below says who had it and who has it now: no second, tracked note for the same change.
    await this.sudo().withContext({ mail_notrack: true }).write({ user_id: uid });
    await (this.sudo() as any).message_subscribe([Number(user.partner_id)]);
    for (const t of tickets) {
      const previous = Array.isArray(t.user_id) ? t.user_id[1] : _t(this.env, 'nobody');
      const body = `<p>${escapeHtml(_t(this.env, 'Ticket reassigned from %s to %s.', previous, user.name))}</p>`;
      await this.browse([t.id])._notify(body, { note: true, subject: `[${t.number}] ${_t(this.env, 'Assigned to you')}: ${t.subject}`, partnerIds: [Number(user.partner_id)] });
    }
    return true;
  }

  /**
   * "Assign to me" (technicians, also on a selection in the list): the tickets not yet
   * assigned to the caller are reassigned to them, with the same note as `action_reassign`.
   */
  async action_assign_to_me(): Promise<boolean> {
    const rows = await this.read(['user_id']);
    const todo = rows.filter((r) => m2oId(r.user_id) !== this.env.uid).map((r) => r.id as number);
    if (!todo.length) throw new UserError(_t(this.env, 'These tickets are already assigned to you.'));
    return this.browse(todo).action_reassign(this.env.uid);
  }

  /** The reporter rates the answer of a closed ticket: 1..5 stars and a comment. */
  async action_rate(rating: unknown, comment: unknown = false): Promise<boolean> {
    const { role, tickets } = await this._workflowContext();
    const value = typeof rating === 'number' ? String(rating) : rating;
    if (typeof value !== 'string' || !['1', '2', '3', '4', '5'].includes(value)) throw new UserError(_t(this.env, 'The rating must be a number of stars from 1 to 5.'));
    if (comment !== false && comment !== null && comment !== undefined && typeof comment !== 'string') throw new ValidationError(_t(this.env, 'The rating comment must be a text.'));
    for (const t of tickets) {
      if (t.state !== 'closed') throw new UserError(_t(this.env, 'Ticket %s cannot be rated: only closed tickets can be rated.', t.number));
      if (role !== 'system' && !(await this._isReporter(t))) throw new AccessError(_t(this.env, 'Only the reporter of a ticket can rate it.'));
    }
    await this.sudo().write({ rating: value, rating_comment: comment || false });
    const stars = '★'.repeat(Number(value)) + '☆'.repeat(5 - Number(value));
    for (const t of tickets) {
      await this.browse([t.id])._notify(`<p>${escapeHtml(_t(this.env, 'Rating: %s', stars))}</p>${comment ? `<p>${escapeHtml(String(comment))}</p>` : ''}`, {});
    }
    return true;
  }

  /** The reporter closes their own ticket, with an optional closing note (SPEC 4.5). */
  async action_close(note: unknown = false): Promise<boolean> {
    const { role, tickets } = await this._workflowContext();
    if (note !== false && note !== null && note !== undefined && typeof note !== 'string') throw new ValidationError(_t(this.env, 'The closing note must be a text.'));
    for (const t of tickets) {
      if (t.state === 'closed') throw new UserError(_t(this.env, 'Ticket %s is already closed.', t.number));
      if (role !== 'system' && !(await this._isReporter(t))) throw new AccessError(_t(this.env, 'Only the reporter can close a ticket this way; technicians solve it.'));
    }
    const text = typeof note === 'string' && !isEmptyHtml(note) ? note : _t(this.env, 'Closed by the reporter.');
    const body = /<[a-z][\s\S]*>/i.test(text) ? text : `<p>${escapeHtml(text)}</p>`;
    await this.sudo().write({ state: 'closed', solution: body, close_date: formatDatetime(new Date()) });
    for (const t of tickets) await this.browse([t.id])._notify(`<p><strong>${escapeHtml(_t(this.env, 'Closed by the reporter'))}</strong></p>${body}`, {});
    return true;
  }

  /**
   * Merges these duplicate tickets into `target_id` (technicians, SPEC 4.5): their messages
   * and files move to the target, their followers (reporters included) follow it, and each
   * is closed with a link to it (`merged_into_id`) and a message on both sides.
   */
  async action_merge(target_id: unknown): Promise<boolean> {
    const { role, tickets } = await this._workflowContext();
    this._requireStaff(role, 'merge tickets');
    const targetId = m2oId(target_id);
    if (!targetId) throw new UserError(_t(this.env, 'Choose the ticket to merge into.'));
    if (this.ids.includes(targetId)) throw new UserError(_t(this.env, 'A ticket cannot be merged into itself.'));
    const target = this.browse([targetId]);
    await target.checkAccessRule('read');
    const [tgt] = await target.sudo().read(['number', 'merged_into_id']);
    if (tgt.merged_into_id) throw new UserError(_t(this.env, 'Ticket %s was itself merged into another ticket; merge into that one.', tgt.number));
    const cr = this.env.cr;
    for (const t of tickets) {
      const followers = (await cr('mail_followers').where({ res_model: MODEL, res_id: t.id }).select('partner_id')).map((r: any) => Number(r.partner_id));
      const reporter = m2oId(t.partner_id);
      if (reporter) followers.push(reporter);
      const source = this.browse([t.id]).sudo() as any;
      const intro = `<p><strong>${escapeHtml(_t(this.env, 'Ticket %s (%s) was merged into this ticket.', t.number, t.subject))}</strong></p>`;
      const [{ description }] = await source.read(['description']);
      await cr('mail_message').where({ model: MODEL, res_id: t.id }).update({ res_id: targetId });
      await cr('ir_attachment').where({ res_model: MODEL, res_id: t.id }).update({ res_id: targetId });
      await (target.sudo() as any)._addFollowers(followers);
      await source.write({ state: 'closed', close_date: formatDatetime(new Date()), merged_into_id: targetId, solution: `<p>${escapeHtml(_t(this.env, 'Merged into %s.', tgt.number))}</p>` });
      await (target as any)._notify(`${intro}${description || ''}`, { log: true });
      await source._notify(`<p>${escapeHtml(_t(this.env, 'Merged into %s: the conversation continues there.', tgt.number))}</p>`, { log: true });
    }
    return true;
  }

  /** Opens the "Merge" dialog (helpdesk.ticket.merge). */
  async action_merge_wizard(): Promise<Record<string, unknown>> {
    const { role } = await this._workflowContext();
    this._requireStaff(role, 'merge tickets');
    const view = await this.env.xmlidLookup('helpdesk_bytacora.view_helpdesk_ticket_merge_form');
    return this._wizardAction('Merge Tickets', 'helpdesk.ticket.merge', view?.id ?? false);
  }

  /**
   * Scheduled action "Helpdesk: close tickets without reply" (SPEC 4.5): pending tickets whose
   * reporter has not answered for `helpdesk_bytacora.auto_close_days` days (ir.config_parameter;
   * 0 or empty = never) are closed, with a message to the reporter. Returns how many.
   */
  async cron_auto_close(): Promise<number> {
    const env = this.env.sudo();
    const param = await env.cr('ir_config_parameter').where({ key: 'helpdesk_bytacora.auto_close_days' }).first('value');
    const days = Number(param?.value ?? 0);
    if (!Number.isFinite(days) || days <= 0) return 0;
    const limit = formatDatetime(new Date(Date.now() - days * 86_400_000));
    const rows = await env.cr('helpdesk_ticket').where({ state: 'pending' }).whereRaw('COALESCE(date_pending, write_date) < ?', [limit]).orderBy('id').select('id');
    const root = (await env.xmlidLookup('base.partner_root'))?.id ?? 1;
    for (const r of rows) {
      const ticket = env.model('helpdesk.ticket').browse([Number(r.id)]) as any;
      const [t] = await ticket.read(['number', 'subject', 'partner_id']);
      const text = _t(this.env, 'Closed automatically: no reply from the reporter in %s days. Answer this message to reopen it.', days);
      await ticket.write({ state: 'closed', close_date: formatDatetime(new Date()), solution: `<p>${escapeHtml(text)}</p>` });
      const reporter = m2oId(t.partner_id);
      await ticket._notify(`<p>${escapeHtml(text)}</p>`, { subject: `[${t.number}] ${t.subject}`, partnerIds: reporter ? [reporter] : [], authorId: root, log: true });
    }
    return rows.length;
  }

  // ── wizards (form buttons) ──────────────────────────────────────────────────────
  _wizardAction(name: string, resModel: string, viewId: number | false): Record<string, unknown> {
    return {
      type: 'ir.actions.act_window', name: _t(this.env, name), res_model: resModel, view_mode: 'form',
      views: [[viewId, 'form']], target: 'new',
      context: { active_id: this.ids[0], active_ids: this.ids, active_model: MODEL },
    };
  }

  /** Opens the "Solve" dialog (helpdesk.ticket.solve). */
  async action_solve_wizard(): Promise<Record<string, unknown>> {
    const { role, tickets } = await this._workflowContext();
    this._requireStaff(role, 'solve tickets');
    for (const t of tickets) if (t.state === 'closed') throw new UserError(_t(this.env, 'Ticket %s is already closed.', t.number));
    const view = await this.env.xmlidLookup('helpdesk_bytacora.view_helpdesk_ticket_solve_form');
    return this._wizardAction('Solve Ticket', 'helpdesk.ticket.solve', view?.id ?? false);
  }

  /** Opens the "Reassign" dialog (helpdesk.ticket.reassign). */
  async action_reassign_wizard(): Promise<Record<string, unknown>> {
    const { role } = await this._workflowContext();
    this._requireStaff(role, 'reassign tickets');
    const view = await this.env.xmlidLookup('helpdesk_bytacora.view_helpdesk_ticket_reassign_form');
    return this._wizardAction('Reassign Ticket', 'helpdesk.ticket.reassign', view?.id ?? false);
  }

  /** Opens the "Change priority" dialog (helpdesk.ticket.set.priority) for the selected tickets. */
  async action_set_priority_wizard(): Promise<Record<string, unknown>> {
    await this.check_access_rights('write');
    await this.checkFieldAccess(['priority_id'], 'write');
    const view = await this.env.xmlidLookup('helpdesk_bytacora.view_helpdesk_ticket_set_priority_form');
    return this._wizardAction('Change Priority', 'helpdesk.ticket.set.priority', view?.id ?? false);
  }

  /** Opens the "Close" dialog of the reporter (helpdesk.ticket.close). */
  async action_close_wizard(): Promise<Record<string, unknown>> {
    const { role, tickets } = await this._workflowContext();
    for (const t of tickets) {
      if (t.state === 'closed') throw new UserError(_t(this.env, 'Ticket %s is already closed.', t.number));
      if (role !== 'system' && !(await this._isReporter(t))) throw new AccessError(_t(this.env, 'Only the reporter can close a ticket this way; technicians solve it.'));
    }
    const view = await this.env.xmlidLookup('helpdesk_bytacora.view_helpdesk_ticket_close_form');
    return this._wizardAction('Close Ticket', 'helpdesk.ticket.close', view?.id ?? false);
  }

  // ── chatter ─────────────────────────────────────────────────────────────────────
  /**
   * Posts a message on the ticket as sudo (the workflow already checked the caller):
   * public by default, an internal note with `note`; `partnerIds` are notified by mail
   * (for public comments the followers too). `log` posts a public notification that only
   * notifies `partnerIds`.
   */
  async _notify(body: string, opts: { subject?: string; note?: boolean; log?: boolean; partnerIds?: number[]; authorId?: number }): Promise<number> {
    const rec = this.sudo() as any;
    const type = opts.log ? 'notification' : 'comment';
    return rec.message_post(body, opts.subject ?? false, type, opts.note ? 'mail.mt_note' : 'mail.mt_comment', [], opts.partnerIds ?? [], opts.authorId ?? false);
  }

  /**
   * Chatter rules of the helpdesk: users (reporters) post only public messages, never
   * internal notes; a public message from the reporter moves a pending ticket back to open.
   */
  async message_post(
    body?: string | false, subject?: string | false, message_type: string = 'comment', subtype_xmlid?: string | false,
    attachment_ids?: number[] | false, partner_ids?: number[] | false, author_id?: number | false, email_from?: string | false,
    parent_id?: number | false, message_id?: string | false,
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
    const id: number = await thread.message_post.call(this, body, subject, message_type, subtype_xmlid, attachment_ids, partner_ids, author_id, email_from, parent_id, message_id);
    if (!internal && (type === 'comment' || type === 'email')) {
      const row = await this.env.cr('mail_message').where({ id }).first('author_id');
      if (row?.author_id) await this._reporterReplied(Number(row.author_id));
    }
    return id;
  }

  async _subtypeIsInternal(xmlid: string): Promise<boolean> {
    const found = await this.env.xmlidLookup(xmlid.includes('.') ? xmlid : `mail.${xmlid}`);
    if (!found) return false;
    const row = await this.env.cr('mail_message_subtype').where({ id: found.id }).first('internal');
    return !!row?.internal;
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
  const created = await env.sudo().model('res.partner').create({ name: parsed.name || parsed.email, email: parsed.email });
  return created.ids[0];
}

/** The id of the last inbound/comment message of a ticket (what message_update returns). */
async function lastInboundMessage(env: any, ticketId: number): Promise<number> {
  const row = await env.cr('mail_message').where({ model: MODEL, res_id: ticketId }).whereIn('message_type', ['email', 'comment']).orderBy('id', 'desc').first('id');
  return row ? Number(row.id) : 0;
}

/** True when the user belongs to the technician group (directly or through admin). */
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
