import { fields, model } from '../../../core/orm/index.ts';

/** Ticket priorities ordered by level: 1 low, 2 normal, 3 high, 4 urgent. */
export const HelpdeskTicketPriority = model((Base) => class extends Base {
  static _name = 'helpdesk.ticket.priority';
  static _description = 'Ticket Priority';
  static _order = 'level, id';
  static fields = {
    name: fields.char({ string: 'Name', required: true, translate: true }),
    level: fields.integer({ string: 'Level', required: true, default: 2, help: '1 low, 2 normal, 3 high, 4 urgent; "High priority" means level 3 or more' }),
    color: fields.integer({ string: 'Color Index', default: 0 }),
    active: fields.boolean({ string: 'Active', default: true }),
  };
});
