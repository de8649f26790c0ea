import { fields, model } from '../../../core/orm/index.ts';

/** Ticket categories; each may name the technician who gets its new tickets. */
export const HelpdeskTicketCategory = model((Base) => class extends Base {
  static _name = 'helpdesk.ticket.category';
  static _description = 'Ticket Category';
  static _order = 'sequence, name, id';
  static fields = {
    name: fields.char({ string: 'Name', required: true, translate: true }),
    sequence: fields.integer({ string: 'Sequence', default: 10 }),
    technician_id: fields.many2one('res.users', { string: 'Responsible Technician', help: 'New tickets of this category are assigned to this technician' }),
    description: fields.text({ string: 'Description' }),
    active: fields.boolean({ string: 'Active', default: true }),
    reopen_policy: fields.selection([['reopen', 'Reopen the ticket'], ['new', 'Create a new ticket']], {
      string: 'Reply to a closed ticket', default: 'reopen',
      help: 'What an email reply from the reporter to a closed ticket does: reopen it, or (after the days below) open a new ticket linked to it',
    }),
    reopen_days: fields.integer({ string: 'Reopen within (days)', default: 0, help: 'With "Create a new ticket": replies arriving within this many days of closing still reopen the ticket (0 = always a new ticket)' }),
    ticket_ids: fields.one2many('helpdesk.ticket', 'category_id', { string: 'Tickets' }),
  };
});
