/**
 * Working-hours arithmetic for SLAs, pure (no database): a calendar is weekly working
 * intervals in local time of a time zone, plus holidays (local dates).
 *
 *   addWorkingHours(start, h, cal)      the instant h working hours after `start`
 *   workingHoursBetween(a, b, cal)      working hours elapsed between two instants
 *
 * Both walk the local days from the start, intersecting each working interval with the
 * remaining span. A calendar without any working interval counts every hour (24/7).
 */

export interface WorkCalendar {
  /** IANA time zone of the hours, e.g. 'Europe/Madrid'. */
  tz: string;
  /** Working intervals by weekday (0 = Monday … 6 = Sunday), in local hours: [[9, 13], [14, 18]]. */
  intervals: Map<number, Array<[number, number]>>;
  /** Local dates 'YYYY-MM-DD' without work. */
  holidays: Set<string>;
}

const MAX_DAYS = 3 * 366;
const HOUR = 3_600_000;

/** One formatter per time zone: building an Intl.DateTimeFormat costs far more than using it. */
const wallClockFormats = new Map<string, Intl.DateTimeFormat>();
function wallClockFormat(tz: string): Intl.DateTimeFormat {
  let f = wallClockFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    wallClockFormats.set(tz, f);
  }
  return f;
}

/** Minutes the wall clock of `tz` is ahead of UTC at `instant`. */
export function tzOffsetMinutes(instant: Date, tz: string): number {
  // A function of the zone and the second (the formatter's precision): remembered, since every
  // ticket's deadlines ask for the same day boundaries (formatToParts is the costly part).
  const second = Math.floor(instant.getTime() / 1000);
  const key = `${tz} ${second}`;
  const known = offsetCache.get(key);
  if (known !== undefined) return known;
  const parts = wallClockFormat(tz).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = Math.round((asUtc - second * 1000) / 60_000);
  if (offsetCache.size >= OFFSET_CACHE_MAX) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}
const offsetCache = new Map<string, number>();
const OFFSET_CACHE_MAX = 20_000;

/** The UTC instant of a local wall-clock time in `tz` (hours may be fractional). */
export function localToUtc(year: number, month: number, day: number, hours: number, tz: string): Date {
  const guess = Date.UTC(year, month - 1, day) + hours * HOUR;
  let result = guess - tzOffsetMinutes(new Date(guess), tz) * 60_000;
  const again = guess - tzOffsetMinutes(new Date(result), tz) * 60_000; // daylight-saving edges
  if (again !== result) result = again;
  return new Date(result);
}

/** The local calendar date of an instant: [year, month, day, weekday (0 = Monday)]. */
function localDate(instant: Date, tz: string): [number, number, number, number] {
  const shifted = new Date(instant.getTime() + tzOffsetMinutes(instant, tz) * 60_000);
  return [shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate(), (shifted.getUTCDay() + 6) % 7];
}

const isoDate = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** The working intervals (as UTC instants) of each local day from the one of `start` on. */
function* workingSpans(start: Date, cal: WorkCalendar): Generator<[number, number]> {
  const [y, m, d] = localDate(start, cal.tz);
  const first = Date.UTC(y, m - 1, d) / DAY;
  for (let i = 0; i < MAX_DAYS; i++) yield* daySpans(first + i, cal);
}

/**
 * The working intervals of one local day (days since 1970-01-01) as UTC instants, remembered
 * per calendar: every ticket filed computes its deadlines over the same coming days (each
 * interval's ends are time-zone conversions). Calendars are read-only once loaded (a changed
 * calendar is a new object: helpdesk_calendar.ts), so what is remembered never goes stale.
 */
function daySpans(dayNumber: number, cal: WorkCalendar): Array<[number, number]> {
  let days = spansByCalendar.get(cal);
  if (!days) spansByCalendar.set(cal, (days = new Map()));
  let spans = days.get(dayNumber);
  if (!spans) {
    const day = new Date(dayNumber * DAY);
    const [yy, mm, dd] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    spans = [];
    if (!cal.holidays.has(isoDate(yy, mm, dd))) {
      const weekday = (day.getUTCDay() + 6) % 7;
      for (const [from, to] of [...(cal.intervals.get(weekday) ?? [])].sort((a, b) => a[0] - b[0])) {
        if (to > from) spans.push([localToUtc(yy, mm, dd, from, cal.tz).getTime(), localToUtc(yy, mm, dd, to, cal.tz).getTime()]);
      }
    }
    if (days.size >= MAX_DAYS) days.clear();
    days.set(dayNumber, spans);
  }
  return spans;
}
const spansByCalendar = new WeakMap<WorkCalendar, Map<number, Array<[number, number]>>>();
const DAY = 86_400_000;

const hasIntervals = (cal: WorkCalendar) => [...cal.intervals.values()].some((list) => list.some(([f, t]) => t > f));

/** The instant `hours` working hours after `start`. */
export function addWorkingHours(start: Date, hours: number, cal: WorkCalendar): Date {
  if (!hasIntervals(cal) || hours <= 0) return new Date(start.getTime() + Math.max(0, hours) * HOUR);
  let left = hours * HOUR;
  const from = start.getTime();
  for (const [a, b] of workingSpans(start, cal)) {
    if (b <= from) continue;
    const begin = Math.max(a, from);
    if (b - begin >= left) return new Date(begin + left);
    left -= b - begin;
  }
  throw new Error('The working calendar has no working time in the next three years');
}

/** Working hours between two instants (0 when `end` is not after `start`). */
export function workingHoursBetween(start: Date, end: Date, cal: WorkCalendar): number {
  if (end.getTime() <= start.getTime()) return 0;
  if (!hasIntervals(cal)) return (end.getTime() - start.getTime()) / HOUR;
  let total = 0;
  const [from, to] = [start.getTime(), end.getTime()];
  for (const [a, b] of workingSpans(start, cal)) {
    if (a >= to) break;
    if (b <= from) continue;
    total += Math.min(b, to) - Math.max(a, from);
  }
  return total / HOUR;
}
