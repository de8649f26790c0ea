import { fields, model, type Environment } from '../../../core/orm/index.ts';
import type { WorkCalendar } from '../sla.ts';

/** Working hours of the helpdesk (SLA deadlines count only these): weekly intervals and holidays. */
export const HelpdeskCalendar = model((Base) => class extends Base {
  static _name = 'helpdesk.calendar';
  static _description = 'Working Hours';
  static _order = 'name, id';
  static fields = {
    name: fields.char({ string: 'Name', required: true }),
    tz: fields.char({ string: 'Time Zone', required: true, default: 'Europe/Madrid', help: 'IANA time zone of the hours, e.g. Europe/Madrid' }),
    attendance_ids: fields.one2many('helpdesk.calendar.attendance', 'calendar_id', { string: 'Working Hours' }),
    holiday_ids: fields.one2many('helpdesk.calendar.holiday', 'calendar_id', { string: 'Holidays' }),
    active: fields.boolean({ string: 'Active', default: true }),
  };
});

/** Loads a calendar for the SLA arithmetic (sla.ts). */
export async function loadWorkCalendar(env: Environment, id: number): Promise<WorkCalendar> {
  const cal = await env.cr('helpdesk_calendar').where({ id }).first('tz');
  const intervals = new Map<number, Array<[number, number]>>();
  for (const r of await env.cr('helpdesk_calendar_attendance').where({ calendar_id: id }).select('dayofweek', 'hour_from', 'hour_to')) {
    const day = Number(r.dayofweek);
    intervals.set(day, [...(intervals.get(day) ?? []), [Number(r.hour_from), Number(r.hour_to)]]);
  }
  const holidays = new Set<string>((await env.cr('helpdesk_calendar_holiday').where({ calendar_id: id }).select('date')).map((r: any) => String(r.date instanceof Date ? r.date.toISOString() : r.date).slice(0, 10)));
  return { tz: cal?.tz || 'UTC', intervals, holidays };
}
