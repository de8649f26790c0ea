import { fields, model } from '../../../core/orm/index.ts';
import { confirmOnTickets, defaultTicketIds, m2oArg } from './wizard_tools.ts';

/** "Merge" dialog: the tickets of the context (duplicates) are merged into `target_id`. */
export const HelpdeskTicketMerge = model((Base) => class extends Base {
  static _name = 'helpdesk.ticket.merge';
  static _description = 'Merge Tickets';
  static _transient = true;
  static fields = {
    ticket_ids: fields.many2many('helpdesk.ticket', { string: 'Duplicates', relation: 'helpdesk_ticket_merge_rel', column1: 'wizard_id', column2: 'ticket_id', default: defaultTicketIds }),
    target_id: fields.many2one('helpdesk.ticket', { string: 'Merge into', required: true, ondelete: 'cascade' }),
  };
  static _rpc = { action_confirm: 'records' as const };

  async action_confirm(): Promise<Record<string, unknown>> {
    return confirmOnTickets(this, 'target_id', 'action_merge', m2oArg);
  }
});
