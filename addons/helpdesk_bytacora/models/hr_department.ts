import { fields, model } from '../../../core/orm/index.ts';

/** Departments list the tickets filed under them. */
export const HrDepartment = model((Base) => class extends Base {
  static _inherit = 'hr.department';
  static fields = {
    ticket_ids: fields.one2many('helpdesk.ticket', 'department_id', { string: 'Tickets' }),
  };
});
