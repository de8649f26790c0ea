/** helpdesk_bytacora: tickets, their categories, priorities, tags, canned responses and wizards. */
import { installCacheSignals, type Environment } from '../../core/orm/index.ts';
import { HelpdeskCannedResponse } from './models/helpdesk_canned_response.ts';
import { HelpdeskTicket, TICKET_INDEX_DEFINITIONS } from './models/helpdesk_ticket.ts';
import { HelpdeskTicketGuards } from './models/helpdesk_ticket_guards.ts';
import { HelpdeskTicketMail } from './models/helpdesk_ticket_mail.ts';
import { HelpdeskTicketWorkflow } from './models/helpdesk_ticket_workflow.ts';
import { HelpdeskCalendar } from './models/helpdesk_calendar.ts';
import { HelpdeskCalendarAttendance } from './models/helpdesk_calendar_attendance.ts';
import { HelpdeskCalendarHoliday } from './models/helpdesk_calendar_holiday.ts';
import { HelpdeskSla } from './models/helpdesk_sla.ts';
import { HelpdeskTicketSla } from './models/helpdesk_ticket_sla.ts';
import { HelpdeskTicketSearch, SEARCH_DDL } from './models/helpdesk_ticket_search.ts';
import { HelpdeskTicketCategory } from './models/helpdesk_ticket_category.ts';
import { HelpdeskTicketPriority } from './models/helpdesk_ticket_priority.ts';
import { HelpdeskTicketTag } from './models/helpdesk_ticket_tag.ts';
import { HrDepartment } from './models/hr_department.ts';
import { IrAttachment } from './models/ir_attachment.ts';
import { ProjectProject } from './models/project_project.ts';
import { ResPartner } from './models/res_partner.ts';
import { HelpdeskTicketClose } from './wizards/helpdesk_ticket_close.ts';
import { HelpdeskTicketMerge } from './wizards/helpdesk_ticket_merge.ts';
import { HelpdeskTicketReassign } from './wizards/helpdesk_ticket_reassign.ts';
import { HelpdeskTicketSolve } from './wizards/helpdesk_ticket_solve.ts';
import { HelpdeskTicketSetPriority } from './wizards/helpdesk_ticket_set_priority.ts';

export const models = [
  HelpdeskTicketCategory, HelpdeskTicketPriority, HelpdeskTicketTag,
  HelpdeskCalendar, HelpdeskCalendarAttendance, HelpdeskCalendarHoliday, HelpdeskSla,
  HelpdeskTicket, HelpdeskTicketGuards, HelpdeskTicketWorkflow, HelpdeskTicketMail, HelpdeskTicketSla, HelpdeskTicketSearch, HelpdeskCannedResponse,
  ProjectProject, HrDepartment, ResPartner, IrAttachment,
  HelpdeskTicketSolve, HelpdeskTicketReassign, HelpdeskTicketClose, HelpdeskTicketMerge, HelpdeskTicketSetPriority,
];

/**
 * The composite indexes of the list views, as SQL: the schema sync creates them from
 * `HelpdeskTicket._indexes`; the benchmark rebuilds them after a bulk load.
 */
export const TICKET_INDEXES = Object.entries(TICKET_INDEX_DEFINITIONS)
  .map(([suffix, def]) => `CREATE INDEX IF NOT EXISTS helpdesk_ticket_${suffix} ON helpdesk_ticket ${def}`);

export async function onInstall(env: Environment): Promise<void> {
  await onUpgrade(env);
  await spreadDemoDates(env);
}

/** The full-text columns and indexes, created or brought up to date (idempotent DDL). */
export async function onUpgrade(env: Environment): Promise<void> {
  for (const sql of SEARCH_DDL) await env.cr.raw(sql);
  // The configuration every new ticket looks up, shared across units of work (env.cached).
  await installCacheSignals(env, ['helpdesk.ticket.category', 'helpdesk.ticket.priority', 'helpdesk.sla', 'helpdesk.calendar', 'helpdesk.calendar.attendance', 'helpdesk.calendar.holiday']);
}

/**
 * Demo tickets get creation dates over the last weeks (closed ones a closing date a little
 * later), so the dashboards, date filters and SLAs have a shape; their SLAs are recomputed.
 */
async function spreadDemoDates(env: Environment): Promise<void> {
  const rows = await env.cr('ir_model_data').where({ module: 'helpdesk_bytacora', model: 'helpdesk.ticket' }).where('name', 'like', 'ticket_demo_%').select('name', 'res_id');
  for (const r of rows) {
    const n = Number(String(r.name).replace('ticket_demo_', ''));
    if (!Number.isInteger(n)) continue;
    const daysAgo = [0, 0, 2, 6, 40, 1, 9, 15, 35, 25, 3, 0, 55][n] ?? n;
    await env.cr.raw(`UPDATE helpdesk_ticket SET create_date = now() AT TIME ZONE 'UTC' - make_interval(days => ?, hours => ?) WHERE id = ?`, [daysAgo, n, r.res_id]);
    await env.cr.raw(`UPDATE helpdesk_ticket SET close_date = create_date + make_interval(hours => ?) WHERE id = ? AND state = 'closed'`, [n * 4, r.res_id]);
    await env.cr.raw(`UPDATE helpdesk_ticket SET first_response_date = create_date + make_interval(mins => ?) WHERE id = ? AND state != 'new'`, [20 * n, r.res_id]);
  }
  const ids = rows.map((r: any) => Number(r.res_id));
  await spreadDemoMessages(env, ids);
  if (rows.length) await (env.model('helpdesk.ticket').sudo().browse(ids) as any)._slaCompute();
}

/**
 * A demo ticket's messages, in the order they were written, over its life: the first at its
 * first response, the others spread up to its closing (the last one then, e.g. the solution)
 * or up to now for a ticket still open — never before the ticket nor in the future.
 */
async function spreadDemoMessages(env: Environment, ticketIds: number[]): Promise<void> {
  if (!ticketIds.length) return;
  await env.cr.raw(`
    UPDATE mail_message m SET date = s.start + (s.stop - s.start) * s.fraction
      FROM (SELECT x.id,
                   coalesce(t.first_response_date, t.create_date) AS start,
                   coalesce(t.close_date, now() AT TIME ZONE 'UTC') AS stop,
                   CASE WHEN t.state = 'closed' THEN x.rn::float / x.cnt ELSE (x.rn - 1)::float / x.cnt END AS fraction
              FROM (SELECT id, res_id,
                           row_number() OVER (PARTITION BY res_id ORDER BY id) AS rn,
                           count(*) OVER (PARTITION BY res_id) AS cnt
                      FROM mail_message WHERE model = 'helpdesk.ticket' AND res_id = ANY(?::int[])) x
              JOIN helpdesk_ticket t ON t.id = x.res_id) s
     WHERE m.id = s.id`, [ticketIds]);
}
