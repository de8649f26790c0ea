import { fields, model } from '../../../core/orm/index.ts';
import { confirmOnTickets, defaultTicketIds } from './wizard_tools.ts';

/** "Solve" dialog: the technician writes the solution; confirming closes the tickets of the context. */
export const HelpdeskTicketSolve = model((Base) => class extends Base {
  static _name = 'helpdesk.ticket.solve';
  static _description = 'Solve Tickets';
  static _transient = true;
  static fields = {
    ticket_ids: fields.many2many('helpdesk.ticket', { string: 'Tickets', relation: 'helpdesk_ticket_solve_rel', column1: 'wizard_id', column2: 'ticket_id', default: defaultTicketIds }),
    solution: fields.html({ string: 'Solution', required: true }),
  };
  static _rpc = { action_confirm: 'records' as const };

  async action_confirm(): Promise<Record<string, unknown>> {
    return confirmOnTickets(this, 'solution', 'action_solve', (v) => v || '');
  }
});
