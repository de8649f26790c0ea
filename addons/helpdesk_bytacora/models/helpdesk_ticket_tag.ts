import { fields, model } from '../../../core/orm/index.ts';

/** Free labels technicians put on tickets (colored chips in the views). */
export const HelpdeskTicketTag = model((Base) => class extends Base {
  static _name = 'helpdesk.ticket.tag';
  static _description = 'Ticket Tag';
  static _order = 'name, id';
  static fields = {
    name: fields.char({ string: 'Name', required: true, unique: true }),
    color: fields.integer({ string: 'Color Index', default: 0, help: '0-11: the color of the tag chip' }),
    active: fields.boolean({ string: 'Active', default: true }),
  };
});
