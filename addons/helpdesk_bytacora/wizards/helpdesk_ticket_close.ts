import { fields, model } from '../../../core/orm/index.ts';
import { confirmOnTickets, defaultTicketIds } from './wizard_tools.ts';

/** "Close" dialog of the reporter: closes their own ticket with an optional note (SPEC 4.5). */
export const HelpdeskTicketClose = model((Base) => class extends Base {
  static _name = 'helpdesk.ticket.close';
  static _description = 'Close Tickets';
  static _transient = true;
  static fields = {
    ticket_ids: fields.many2many('helpdesk.ticket', { string: 'Tickets', relation: 'helpdesk_ticket_close_rel', column1: 'wizard_id', column2: 'ticket_id', default: defaultTicketIds }),
    note: fields.text({ string: 'Closing Note' }),
  };
  static _rpc = { action_confirm: 'records' as const };

  async action_confirm(): Promise<Record<string, unknown>> {
    return confirmOnTickets(this, 'note', 'action_close', (v) => v || false);
  }
});
