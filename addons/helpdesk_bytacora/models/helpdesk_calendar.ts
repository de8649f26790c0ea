import { rawStatement } from '../../../core/db/index.ts';
import { fields, model, rowsOf, type Environment } from '../../../core/orm/index.ts';
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
export function loadWorkCalendar(env: Environment, id: number): Promise<WorkCalendar> {
  // Shared across units of work (callers only read it): every ticket filed computes its deadlines with it.
  return env.cached(['helpdesk.calendar', 'helpdesk.calendar.attendance', 'helpdesk.calendar.holiday'], `helpdesk.calendar:${id}`, () => readWorkCalendar(env, id));
}

async function readWorkCalendar(env: Environment, id: number): Promise<WorkCalendar> {
  // One query (every new ticket loads its calendar): the zone, the weekly hours and the holidays.
  const [cal] = rowsOf(await rawStatement(env.cr,
    `SELECT (SELECT tz FROM helpdesk_calendar WHERE id = ?) AS tz,
            ARRAY(SELECT json_build_array(dayofweek, hour_from, hour_to)::text FROM helpdesk_calendar_attendance WHERE calendar_id = ? ORDER BY dayofweek, hour_from, id) AS attendance,
            ARRAY(SELECT date::text FROM helpdesk_calendar_holiday WHERE calendar_id = ?) AS holidays`, [id, id, id]));
  const intervals = new Map<number, Array<[number, number]>>();
  for (const text of cal.attendance ?? []) {
    const [dayofweek, from, to] = JSON.parse(text);
    const day = Number(dayofweek);
    intervals.set(day, [...(intervals.get(day) ?? []), [Number(from), Number(to)]]);
  }
  const holidays = new Set<string>((cal.holidays ?? []).map((d: string) => d.slice(0, 10)));
  return { tz: cal.tz || 'UTC', intervals, holidays };
}
