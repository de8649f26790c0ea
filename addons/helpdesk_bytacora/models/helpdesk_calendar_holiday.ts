import { fields, model } from '../../../core/orm/index.ts';

/** A day without work in a calendar. */
export const HelpdeskCalendarHoliday = model((Base) => class extends Base {
  static _name = 'helpdesk.calendar.holiday';
  static _description = 'Holiday';
  static _order = 'date, id';
  static fields = {
    calendar_id: fields.many2one('helpdesk.calendar', { string: 'Working Hours', required: true, ondelete: 'cascade', index: true }),
    name: fields.char({ string: 'Name', required: true }),
    date: fields.date({ string: 'Date', required: true }),
  };
});
