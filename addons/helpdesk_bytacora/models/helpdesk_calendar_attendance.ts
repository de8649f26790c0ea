import { fields, model, ValidationError, type Vals } from '../../../core/orm/index.ts';
import { _t } from '../../../core/i18n/index.ts';

export const WEEKDAYS = [['0', 'Monday'], ['1', 'Tuesday'], ['2', 'Wednesday'], ['3', 'Thursday'], ['4', 'Friday'], ['5', 'Saturday'], ['6', 'Sunday']] as const;

/** One working interval of a weekday, in local hours (9.5 = 09:30). */
export const HelpdeskCalendarAttendance = model((Base) => class extends Base {
  static _name = 'helpdesk.calendar.attendance';
  static _description = 'Working Interval';
  static _order = 'dayofweek, hour_from, id';
  static fields = {
    calendar_id: fields.many2one('helpdesk.calendar', { string: 'Working Hours', required: true, ondelete: 'cascade', index: true }),
    dayofweek: fields.selection(WEEKDAYS, { string: 'Day of Week', required: true, default: '0' }),
    hour_from: fields.float({ string: 'Work from', required: true, default: 9 }),
    hour_to: fields.float({ string: 'Work to', required: true, default: 18 }),
  };

  async create(valsList: Vals | Vals[]) {
    const list = Array.isArray(valsList) ? valsList : [valsList];
    for (const v of list) this._checkHours(v);
    return super.create(list);
  }
  async write(vals: Vals) {
    const res = await super.write(vals);
    for (const r of await this.env.cr('helpdesk_calendar_attendance').whereIn('id', this.ids).select('hour_from', 'hour_to')) this._checkHours(r);
    return res;
  }
  _checkHours(v: Record<string, unknown>): void {
    const from = Number(v.hour_from ?? 9), to = Number(v.hour_to ?? 18);
    if (!(from >= 0 && to <= 24 && from < to)) throw new ValidationError(_t(this.env, 'Working hours must go from 0 to 24, the start before the end (got %s–%s).', from, to));
  }
});
