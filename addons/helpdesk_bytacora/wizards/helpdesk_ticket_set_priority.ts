import { fields, model } from '../../../core/orm/index.ts';
import { activeTickets, CLOSE_ACTION, defaultTicketIds, m2oArg } from './wizard_tools.ts';

/**
 * "Change priority" dialog for the tickets selected in a list: writes `priority_id` on them
 * as the caller, so the ORM's access checks decide (technicians and admins may, users not).
 */
export const HelpdeskTicketSetPriority = model((Base) => class extends Base {
  static _name = 'helpdesk.ticket.set.priority';
  static _description = 'Change the Priority of Tickets';
  static _transient = true;
  static fields = {
    ticket_ids: fields.many2many('helpdesk.ticket', { string: 'Tickets', relation: 'helpdesk_ticket_set_priority_rel', column1: 'wizard_id', column2: 'ticket_id', default: defaultTicketIds }),
    priority_id: fields.many2one('helpdesk.ticket.priority', { string: 'Priority', required: true, ondelete: 'cascade' }),
  };
  static _rpc = { action_confirm: 'records' as const };

  async action_confirm(): Promise<Record<string, unknown>> {
    this.ensureOne();
    const [values] = await this.read(['priority_id']);
    await activeTickets(this.env).write({ priority_id: m2oArg(values.priority_id) });
    return CLOSE_ACTION;
  }
});
