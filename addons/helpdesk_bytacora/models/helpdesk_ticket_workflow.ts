/**
 * helpdesk.ticket, the workflow (SPEC 4.2): the actions behind the form's buttons and the
 * RPC methods, the dialogs that collect their input (Solve, Reassign, Close, Merge), and the
 * scheduled auto-close of tickets that wait too long for their reporter. Each action checks
 * the caller's role and the tickets' states, then writes as sudo and tells those concerned.
 */
import { AccessError, formatDatetime, model, UserError, ValidationError, type Vals } from '../../../core/orm/index.ts';
import { escapeHtml, helpdeskRole, isEmptyHtml, isStaff, m2oId, userPartnerId, type HelpdeskRole } from '../tools.ts';
import { _t } from '../../../core/i18n/index.ts';
import { isTechnician, TICKET_MODEL as MODEL, TICKET_STATES, type TicketBase } from './helpdesk_ticket.ts';

export const HelpdeskTicketWorkflow = model((Base) => class extends Base {
  static _inherit = MODEL;
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
  declare _notify: TicketBase['_notify'];
  declare _partnerEnv: TicketBase['_partnerEnv'];

  /** The form's rating widget saves through write(): that is the reporter's action_rate. */
  async write(vals: Vals) {
    if (vals && typeof vals === 'object' && !Array.isArray(vals) && this.ids.length && !this.env.su) {
      const keys = Object.keys(vals);
      if (keys.length && keys.every((k) => k === 'rating' || k === 'rating_comment')) {
        const [current] = await this.sudo().read(['rating', 'rating_comment']);
        await this.action_rate(vals.rating ?? current.rating, 'rating_comment' in vals ? vals.rating_comment : current.rating_comment);
        return true;
      }
    }
    return super.write(vals);
  }

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
});
