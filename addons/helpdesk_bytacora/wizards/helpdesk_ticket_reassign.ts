import { fields, model } from '../../../core/orm/index.ts';
import { activeTickets, CLOSE_ACTION, defaultTicketIds } from './wizard_tools.ts';
import { GROUP_TECHNICIAN } from '../tools.ts';

/** Ids of the active helpdesk technicians (admins included: their group implies technician). */
async function technicianIds(env: any): Promise<number[]> {
  const group = await env.xmlidLookup(GROUP_TECHNICIAN);
  if (!group) return [];
  const rows = await env.cr.raw(
    `WITH RECURSIVE g(id) AS (
       SELECT ?::integer UNION SELECT r.gid FROM res_groups_implied_rel r JOIN g ON r.hid = g.id)
     SELECT DISTINCT u.id FROM res_users u JOIN res_groups_users_rel rel ON rel.uid = u.id
      WHERE rel.gid IN (SELECT id FROM g) AND u.active = TRUE ORDER BY u.id`, [group.id]);
  return (Array.isArray(rows) ? rows : rows.rows).map((r: any) => Number(r.id));
}

/**
 * The technicians the dialog offers: the base administrator and the superuser hold every
 * group for setting the system up, they are not part of the team.
 */
async function offeredTechnicians(env: any): Promise<number[]> {
  const system = await Promise.all(['base.user_admin', 'base.user_root'].map((x) => env.xmlidLookup(x)));
  const excluded = new Set(system.filter(Boolean).map((r: any) => Number(r.id)));
  return (await technicianIds(env)).filter((id) => !excluded.has(id));
}

/**
 * "Reassign" dialog. `user_id` is limited to technicians: the view's domain reads
 * `technician_ids`, filled by default with the current technicians; the ticket's
 * `action_reassign` checks it again on the server.
 */
export const HelpdeskTicketReassign = model((Base) => class extends Base {
  static _name = 'helpdesk.ticket.reassign';
  static _description = 'Reassign Tickets';
  static _transient = true;
  static fields = {
    ticket_ids: fields.many2many('helpdesk.ticket', { string: 'Tickets', relation: 'helpdesk_ticket_reassign_rel', column1: 'wizard_id', column2: 'ticket_id', default: defaultTicketIds }),
    technician_ids: fields.many2many('res.users', {
      string: 'Technicians', relation: 'helpdesk_ticket_reassign_users_rel', column1: 'wizard_id', column2: 'user_id',
      default: async (env: any) => [[6, 0, await offeredTechnicians(env)]],
    }),
    user_id: fields.many2one('res.users', { string: 'Technician', required: true, ondelete: 'cascade' }),
  };
  static _rpc = { action_confirm: 'records' as const };

  async action_confirm(): Promise<Record<string, unknown>> {
    this.ensureOne();
    const [wizard] = await this.read(['user_id']);
    await (activeTickets(this.env) as any).action_reassign(Array.isArray(wizard.user_id) ? wizard.user_id[0] : false);
    return CLOSE_ACTION;
  }
});

export { technicianIds };
