import { fields, model } from '../../../core/orm/index.ts';

/**
 * SLA policy of a priority: the first answer and the solution are due within these working
 * hours of the calendar; "at risk" once the given share of the time is used.
 */
export const HelpdeskSla = model((Base) => class extends Base {
  static _name = 'helpdesk.sla';
  static _description = 'SLA Policy';
  static _order = 'priority_id, id';
  static fields = {
    name: fields.char({ string: 'Name', required: true, translate: true }),
    priority_id: fields.many2one('helpdesk.ticket.priority', { string: 'Priority', required: true, ondelete: 'cascade', index: true }),
    calendar_id: fields.many2one('helpdesk.calendar', { string: 'Working Hours', required: true, ondelete: 'restrict' }),
    first_response_hours: fields.float({ string: 'First response within (working hours)', default: 8 }),
    resolution_hours: fields.float({ string: 'Solution within (working hours)', default: 40 }),
    at_risk_percent: fields.integer({ string: 'At risk from (% of the time used)', default: 80 }),
    active: fields.boolean({ string: 'Active', default: true }),
  };
});
