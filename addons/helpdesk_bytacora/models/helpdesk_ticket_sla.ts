/**
 * SLAs of helpdesk.ticket (SPEC 4.5), a layer over the ticket model of this addon:
 *
 *   create / priority change ──▶ deadlines = created + working hours of the priority's SLA
 *   leaving "pending"         ──▶ the working hours spent waiting are added (paused clock)
 *   public answer by staff    ──▶ first_response_date
 *   every change, and a cron  ──▶ sla_status: on_time / at_risk / failed (frozen while pending,
 *                                 final once closed)
 *
 * Deadlines are stored, so lists filter and sort by them; the working-hours arithmetic is in
 * ../sla.ts.
 */
import { AccessError, fields, formatDatetime, model, type Vals } from '../../../core/orm/index.ts';
import { addWorkingHours, workingHoursBetween, type WorkCalendar } from '../sla.ts';
import { loadWorkCalendar } from './helpdesk_calendar.ts';
import { createdTicketRows, isTechnician, postedOnTicket } from './helpdesk_ticket.ts';
import { fieldLabel } from '../tools.ts';
import { _t } from '../../../core/i18n/index.ts';

export const SLA_STATUSES = [['on_time', 'On time'], ['at_risk', 'At risk'], ['failed', 'Missed']] as const;

const asDate = (v: unknown): Date | null => {
  if (!v) return null;
  if (v instanceof Date) return v;
  const d = new Date(`${String(v).replace(' ', 'T').slice(0, 19)}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
};

interface SlaRow {
  state: string; create_date: unknown; close_date: unknown; first_response_date: unknown;
  sla_first_response_deadline: unknown; sla_deadline: unknown; sla_status: string | null; at_risk_percent: unknown;
}

/** on_time / at_risk / failed of a ticket at `now`; null = leave it (frozen while pending). */
function slaStatus(r: SlaRow, now: number): string | null {
  if (r.state === 'pending' && r.sla_status) return null;
  const created = asDate(r.create_date)?.getTime() ?? now;
  const firstDue = asDate(r.sla_first_response_deadline)?.getTime();
  const due = asDate(r.sla_deadline)?.getTime();
  const closed = r.state === 'closed';
  const end = closed ? asDate(r.close_date)?.getTime() ?? now : now;
  const answered = asDate(r.first_response_date)?.getTime() ?? (closed ? end : null);
  const firstFailed = firstDue !== undefined && (answered !== null ? answered > firstDue : now > firstDue);
  let status = firstFailed || (due !== undefined && end > due) ? 'failed' : 'on_time';
  if (status === 'on_time' && !closed) {
    const share = Number(r.at_risk_percent ?? 80) / 100;
    const used = (deadline: number | undefined) => deadline !== undefined && deadline > created && (now - created) / (deadline - created) >= share;
    if (used(due) || (answered === null && used(firstDue))) status = 'at_risk';
  }
  return status;
}

const SLA_FIELDS = ['sla_id', 'sla_first_response_deadline', 'sla_deadline', 'first_response_date', 'sla_paused_hours', 'sla_status'];

export const HelpdeskTicketSla = model((Base) => {
  const parent = Base.prototype as any;
  return class extends Base {
    static _inherit = 'helpdesk.ticket';
    static fields = {
      // A few policies (one per priority), never searched by one: no index (deleting a policy
      // scans the tickets). Nor on the deadlines and status: lists filter them among others.
      sla_id: fields.many2one('helpdesk.sla', { string: 'SLA Policy', readonly: true, copy: false, index: false }),
      sla_first_response_deadline: fields.datetime({ string: 'First response due', readonly: true, copy: false }),
      sla_deadline: fields.datetime({ string: 'Solution due', readonly: true, copy: false }),
      first_response_date: fields.datetime({ string: 'First response on', readonly: true, copy: false }),
      sla_paused_hours: fields.float({ string: 'Paused working hours', readonly: true, copy: false, help: 'Working hours the ticket spent waiting for the reporter: they do not count against the SLA' }),
      sla_status: fields.selection(SLA_STATUSES, { string: 'SLA Status', readonly: true, copy: false }),
    };
    static _cron = ['cron_sla_update'];

    async create(valsList: Vals | Vals[]) {
      if (!this.env.su) for (const v of Array.isArray(valsList) ? valsList : [valsList]) this._checkSlaVals(v, true);
      // The deadlines are computed into the INSERT (_beforeInsert), not written after it.
      return super.create(valsList);
    }

    /** New tickets: the SLA of their priority and its deadlines, in the INSERT itself. */
    async _beforeInsert(rows: Array<Record<string, unknown>>): Promise<void> {
      await super._beforeInsert(rows);
      for (const r of rows) Object.assign(r, await this._slaColumns(r));
    }

    async write(vals: Vals) {
      if (!this.env.su) this._checkSlaVals(vals, false);
      const leaving = vals && typeof vals === 'object' && 'state' in vals && vals.state !== 'pending'
        ? await this.env.cr('helpdesk_ticket').whereIn('id', this.ids).where({ state: 'pending' }).whereNotNull('sla_id').select('id', 'date_pending', 'write_date', 'sla_id', 'sla_paused_hours')
        : [];
      const res = await super.write(vals);
      if (!vals || typeof vals !== 'object' || !this.ids.length) return res;
      for (const r of leaving) {
        const since = asDate(r.date_pending) ?? asDate(r.write_date);
        if (!since) continue;
        const cal = await this._slaCalendar(Number(r.sla_id));
        const paused = Number(r.sla_paused_hours ?? 0) + (cal ? workingHoursBetween(since, new Date(), cal) : 0);
        await this.env.cr('helpdesk_ticket').where({ id: r.id }).update({ sla_paused_hours: paused });
      }
      if ('priority_id' in vals || leaving.length) await this._slaCompute();
      else if ('state' in vals || 'first_response_date' in vals) await this._slaUpdateStatus();
      return res;
    }

    /** The SLA fields are the system's: refused from anyone but sudo (empty values on create are fine). */
    _checkSlaVals(vals: unknown, creating: boolean): void {
      if (!vals || typeof vals !== 'object' || Array.isArray(vals)) return;
      for (const [key, value] of Object.entries(vals)) {
        if (!SLA_FIELDS.includes(key) || (creating && (value === false || value === null || value === 0 || value === ''))) continue;
        throw new AccessError(_t(this.env, 'The SLA field "%s" is computed by the helpdesk and cannot be set.', fieldLabel(this.env, 'helpdesk.ticket', key)));
      }
    }

    /** A public answer by a technician is the first response. */
    async message_post(...args: unknown[]): Promise<number> {
      const id: number = await parent.message_post.apply(this, args);
      // message_post(body, subject, message_type, …): logged notifications are never an answer.
      if (!['comment', 'email'].includes(String(args[2] || 'comment'))) return id;
      const row = await postedOnTicket(this.env, this.ids[0], id);
      if (row?.sla_id && !row.first_response_date) {
        if (!row.internal && ['comment', 'email'].includes(row.message_type) && row.author_id && (await this._isStaffPartner(Number(row.author_id), row.author_user_ids))) {
          await this.env.cr('helpdesk_ticket').where({ id: this.ids[0] }).update({ first_response_date: formatDatetime(new Date()) });
          this.env.forgetMemo('helpdesk.ticket');
          await this._slaUpdateStatus();
        }
      }
      return id;
    }

    /** Is one of the partner's active users a technician? (`userIds`: those users, when already read.) */
    async _isStaffPartner(partnerId: number, userIds?: number[]): Promise<boolean> {
      const users = userIds ? userIds.map((id) => ({ id })) : await this.env.cr('res_users').where({ partner_id: partnerId, active: true }).select('id');
      for (const u of users) if (await isTechnician(this.env, Number(u.id))) return true;
      return false;
    }

    async _slaCalendar(slaId: number): Promise<WorkCalendar | null> {
      const sla = await this.env.cr('helpdesk_sla').where({ id: slaId }).first('calendar_id');
      return sla?.calendar_id ? loadWorkCalendar(this.env, Number(sla.calendar_id)) : null;
    }

    /** The SLA of each ticket's priority and its deadlines (paused hours added to the solution's). */
    async _slaCompute(): Promise<void> {
      if (!this.ids.length) return;
      const cr = this.env.cr;
      // New tickets: as their creation read them (createdTicketRow), unless a ticket was written since.
      const created = await createdTicketRows(this.env, this.ids);
      const rows: any[] = created ? created.filter(Boolean)
        : await cr('helpdesk_ticket').whereIn('id', this.ids).select('id', 'priority_id', 'create_date', 'sla_paused_hours', 'state', 'close_date', 'first_response_date', 'sla_status');
      for (const r of rows) await cr('helpdesk_ticket').where({ id: r.id }).update(await this._slaColumns(r));
    }

    /**
     * The SLA columns of a ticket row (priority_id, create_date, sla_paused_hours, state,
     * close_date, first_response_date, sla_status): the policy of its priority, the deadlines
     * from its creation (paused hours added to the solution's) and the status they give.
     */
    async _slaColumns(r: Record<string, any>): Promise<Record<string, unknown>> {
      // The policy of a priority, shared across units of work (every ticket filed asks).
      const sla = r.priority_id
        ? await this.env.cached('helpdesk.sla', `helpdesk.sla.priority:${r.priority_id}`, () =>
          this.env.cr('helpdesk_sla').where({ priority_id: r.priority_id, active: true }).orderBy('id').first('id', 'calendar_id', 'first_response_hours', 'resolution_hours', 'at_risk_percent'))
        : null;
      if (!sla) return { sla_id: null, sla_first_response_deadline: null, sla_deadline: null, sla_status: null };
      const cal = await loadWorkCalendar(this.env, Number(sla.calendar_id));
      const start = asDate(r.create_date) ?? new Date();
      const deadlines = {
        sla_first_response_deadline: formatDatetime(addWorkingHours(start, Number(sla.first_response_hours ?? 0), cal)),
        sla_deadline: formatDatetime(addWorkingHours(start, Number(sla.resolution_hours ?? 0) + Number(r.sla_paused_hours ?? 0), cal)),
      };
      // The status from the new deadlines, with them (not read back and written again).
      const status = slaStatus({ ...r, ...deadlines, at_risk_percent: sla.at_risk_percent } as SlaRow, Date.now());
      return { sla_id: sla.id, ...deadlines, ...(status !== null && status !== r.sla_status ? { sla_status: status } : {}) };
    }

    /** on_time / at_risk / failed from the deadlines; unchanged while pending; final once closed. */
    async _slaUpdateStatus(): Promise<void> {
      if (!this.ids.length) return;
      const cr = this.env.cr;
      const rows = await cr('helpdesk_ticket as t').join('helpdesk_sla as s', 's.id', 't.sla_id').whereIn('t.id', this.ids)
        .select('t.id', 't.state', 't.create_date', 't.close_date', 't.first_response_date', 't.sla_first_response_deadline', 't.sla_deadline', 't.sla_status', 's.at_risk_percent');
      const now = Date.now();
      for (const r of rows) {
        const status = slaStatus(r, now);
        if (status !== null && status !== r.sla_status) await cr('helpdesk_ticket').where({ id: r.id }).update({ sla_status: status });
      }
    }

    /** Scheduled action "Helpdesk: update SLA status": re-evaluates the open tickets with an SLA. */
    async cron_sla_update(): Promise<number> {
      const rows = await this.env.cr('helpdesk_ticket').whereNotNull('sla_id').whereIn('state', ['new', 'open']).select('id');
      const ids = rows.map((r: any) => Number(r.id));
      for (let i = 0; i < ids.length; i += 1000) await this.sudo().browse(ids.slice(i, i + 1000))._slaUpdateStatus();
      return ids.length;
    }
  };
});
