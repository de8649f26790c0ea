/**
 * The date names Odoo domains and contexts use on the client (`context_today()`,
 * `datetime`, `relativedelta`, `time.strftime`), as plain objects the shared evaluator can
 * call: methods are own properties, keyword arguments arrive as one trailing object.
 * Dates and datetimes carry `__add__`/`__sub__` (Python's operator protocol) and `toJSON`,
 * so a date that lands in a domain is sent as `'YYYY-MM-DD'` / `'YYYY-MM-DD HH:MM:SS'`.
 * Datetimes are naive and local, as in Odoo's web client; `to_utc()` converts.
 */

type Kw = Record<string, number | undefined>;
export interface PyDelta {
  __delta: true;
  years: number; months: number; days: number; hours: number; minutes: number; seconds: number;
  year?: number; month?: number; day?: number; hour?: number; minute?: number; second?: number; weekday?: number;
}
export interface PyDateLike {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
  isDatetime: boolean;
  strftime(fmt: string): string;
  isoformat(): string;
  toJSON(): string;
  weekday(): number;
  to_utc(): PyDateLike;
  date(): PyDateLike;
  __add__(delta: unknown): PyDateLike;
  __sub__(other: unknown): PyDateLike;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const isKw = (v: unknown): v is Kw => typeof v === 'object' && v !== null && !Array.isArray(v) && !('__delta' in v);

function splitArgs(args: unknown[]): [number[], Kw] {
  const last = args[args.length - 1];
  return isKw(last) ? [args.slice(0, -1) as number[], last] : [args as number[], {}];
}

/** A date (`isDatetime` false) or naive datetime built from its calendar fields (normalised). */
export function makeDate(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, isDatetime = false): PyDateLike {
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const [year, month, day] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
  const [hour, minute, second] = isDatetime ? [t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()] : [0, 0, 0];
  const self: PyDateLike = {
    year, month, day, hour, minute, second, isDatetime,
    strftime: (fmt: string) => strftime(self, fmt),
    isoformat: () => (isDatetime ? strftime(self, '%Y-%m-%dT%H:%M:%S') : strftime(self, '%Y-%m-%d')),
    toJSON: () => (isDatetime ? strftime(self, '%Y-%m-%d %H:%M:%S') : strftime(self, '%Y-%m-%d')),
    weekday: () => (t.getUTCDay() + 6) % 7,
    to_utc: () => {
      const local = new Date(year, month - 1, day, hour, minute, second);
      return makeDate(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate(),
        local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds(), true);
    },
    date: () => makeDate(year, month, day),
    __add__: (delta: unknown) => addDelta(self, delta as PyDelta, 1),
    __sub__: (delta: unknown) => addDelta(self, delta as PyDelta, -1),
  };
  return self;
}

function strftime(d: PyDateLike, fmt: string): string {
  const map: Record<string, string> = {
    Y: String(d.year), y: pad(d.year % 100), m: pad(d.month), d: pad(d.day),
    H: pad(d.hour), M: pad(d.minute), S: pad(d.second), '%': '%',
  };
  return fmt.replace(/%([YymdHMS%])/g, (_, k: string) => map[k]);
}

export function relativedelta(...args: unknown[]): PyDelta {
  const [, kw] = splitArgs(args);
  const n = (k: string) => kw[k] ?? 0;
  return {
    __delta: true, years: n('years'), months: n('months'), days: n('days') + 7 * n('weeks'),
    hours: n('hours'), minutes: n('minutes'), seconds: n('seconds'),
    year: kw.year, month: kw.month, day: kw.day, hour: kw.hour, minute: kw.minute, second: kw.second, weekday: kw.weekday,
  };
}

export function timedelta(...args: unknown[]): PyDelta {
  const [pos, kw] = splitArgs(args);
  return relativedelta({ days: pos[0] ?? kw.days, seconds: pos[1] ?? kw.seconds, minutes: kw.minutes, hours: kw.hours, weeks: kw.weeks });
}

/** dateutil's order: absolute fields replace, then years/months (day clamped), then the rest. */
function addDelta(d: PyDateLike, delta: PyDelta, sign: 1 | -1): PyDateLike {
  if (!delta || delta.__delta !== true) throw new TypeError('unsupported operand: a date takes a timedelta or relativedelta');
  let year = delta.year ?? d.year;
  let month = (delta.month ?? d.month) + sign * delta.months + 12 * sign * delta.years;
  year += Math.floor((month - 1) / 12);
  month = ((month - 1) % 12 + 12) % 12 + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(delta.day ?? d.day, lastDay);
  let result = makeDate(year, month, day + sign * delta.days, (delta.hour ?? d.hour) + sign * delta.hours,
    (delta.minute ?? d.minute) + sign * delta.minutes, (delta.second ?? d.second) + sign * delta.seconds, d.isDatetime);
  if (delta.weekday !== undefined) {
    const ahead = (delta.weekday - result.weekday() + 7) % 7;
    result = makeDate(result.year, result.month, result.day + ahead, result.hour, result.minute, result.second, d.isDatetime);
  }
  return result;
}

function fromJsDate(t: Date, isDatetime: boolean): PyDateLike {
  return makeDate(t.getFullYear(), t.getMonth() + 1, t.getDate(), t.getHours(), t.getMinutes(), t.getSeconds(), isDatetime);
}

/** The names added to every client-side evaluation scope. `now` is injectable for tests. */
export function dateScope(now: () => Date = () => new Date()): Record<string, unknown> {
  const today = () => fromJsDate(now(), false);
  const datetimeNs = {
    date: Object.assign((y: number, m: number, d: number) => makeDate(y, m, d), { today }),
    datetime: Object.assign((y: number, m: number, d: number, h = 0, mi = 0, s = 0) => makeDate(y, m, d, h, mi, s, true), {
      now: () => fromJsDate(now(), true),
      today: () => fromJsDate(now(), true),
      combine: (d: PyDateLike, t: { hour: number; minute: number; second: number }) =>
        makeDate(d.year, d.month, d.day, t.hour, t.minute, t.second, true),
    }),
    time: (hour = 0, minute = 0, second = 0) => ({ hour, minute, second }),
    timedelta,
  };
  const t = now();
  return {
    context_today: today,
    today: fromJsDate(t, false).toJSON(),
    current_date: fromJsDate(t, false).toJSON(),
    now: fromJsDate(t, true).to_utc().toJSON(),
    datetime: datetimeNs,
    relativedelta,
    timedelta,
    time: { strftime: (fmt: string) => fromJsDate(now(), true).strftime(fmt) },
  };
}
