// The due field of quick capture: free text ("Friday", "tomorrow 5pm", "in 10 business days", a date)
// to one instant in the workspace's zone. Pure (no DOM), so the unit test runs under Node.
import * as chrono from 'chrono-node';

export const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayKey = (typeof WEEKDAY_KEYS)[number];

/** A business calendar as GET /api/v1/calendars returns it (`calendar` of the default one). */
export interface BusinessCalendar {
  tz: string;
  week: Record<WeekdayKey, [string, string][]>;
  holidays: string[];
}

export interface DueOptions {
  now: Date;
  /** The workspace's IANA zone: wall-clock times typed by the user are read in it. */
  timeZone: string;
  /** The workspace's default business calendar, when it could be read. */
  calendar?: BusinessCalendar | null | undefined;
}

export type DueResult =
  | { kind: 'empty' }
  | { kind: 'invalid'; message: string }
  | {
      kind: 'ok';
      at: Date;
      /** How business days were counted, when they were ("skipped weekends", "calendar"). */
      note?: string;
    };

/** When the user names a day but no time, the promise is due at the end of that working day. */
export const DEFAULT_HOUR = 17;

interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    partsFormatters.set(zone, f);
  }
  return f;
}

/** The wall clock in `zone` at `at`, with its weekday (0 = Sunday). */
export function wallClock(at: Date, zone: string): WallClock & { second: number; weekday: number } {
  const parts = Object.fromEntries(
    partsFormatter(zone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday ?? '');
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday,
  };
}

/** The zone's offset from UTC at `at`, in minutes (east positive). */
export function offsetMinutes(at: Date, zone: string): number {
  const w = wallClock(at, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant the wall clock in `zone` reads `w`. A time skipped by a spring-forward change gives the
 * instant just after the gap; a repeated (fall-back) time gives its first occurrence.
 */
export function zonedInstant(w: WallClock, zone: string): Date {
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  // Two rounds of offset correction settle on the right offset on either side of a change.
  let t = naive - offsetMinutes(new Date(naive), zone) * 60_000;
  t = naive - offsetMinutes(new Date(t), zone) * 60_000;
  const earlier = naive - offsetMinutes(new Date(t - 3 * 3_600_000), zone) * 60_000;
  const readsBack = (x: number) => {
    const c = wallClock(new Date(x), zone);
    return c.year === w.year && c.month === w.month && c.day === w.day && c.hour === w.hour;
  };
  if (earlier < t && readsBack(earlier)) return new Date(earlier);
  return new Date(t);
}

const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;

/** Adds days to a calendar date (no time zone involved). */
function addDays(
  y: number,
  m: number,
  d: number,
  days: number,
): { year: number; month: number; day: number } {
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Whether the calendar opens on every day of the week (the 24×7 default): it then defines no business days. */
export const opensEveryDay = (c: BusinessCalendar) => WEEKDAY_KEYS.every((k) => (c.week[k] ?? []).length > 0);

/**
 * The Nth business day after today, at the close of that day. With a calendar that has closed days,
 * its working days and holidays decide; otherwise Saturdays and Sundays are skipped (and the
 * calendar's holidays, if any).
 */
export function addBusinessDays(
  n: number,
  opts: DueOptions,
): { at: Date; note: string } | { message: string } {
  const cal = opts.calendar ?? null;
  const useCalendar = cal !== null && !opensEveryDay(cal);
  const zone = useCalendar ? cal.tz : opts.timeZone;
  const holidays = new Set(cal?.holidays ?? []);
  const today = wallClock(opts.now, zone);
  let date = { year: today.year, month: today.month, day: today.day };
  let counted = 0;
  // A calendar open on no day at all would loop forever: give up after well over n weeks.
  for (let step = 0; counted < n; step++) {
    if (step > n * 7 + 400) return { message: 'the business calendar has no working days to count' };
    date = addDays(date.year, date.month, date.day, 1);
    const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
    const key = WEEKDAY_KEYS[weekday] as WeekdayKey;
    if (holidays.has(isoDate(date.year, date.month, date.day))) continue;
    const open = useCalendar ? (cal.week[key] ?? []).length > 0 : weekday !== 0 && weekday !== 6;
    if (open) counted++;
  }
  let hour = DEFAULT_HOUR;
  let minute = 0;
  if (useCalendar) {
    const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
    const intervals = cal.week[WEEKDAY_KEYS[weekday] as WeekdayKey] ?? [];
    const last = intervals[intervals.length - 1];
    if (last) {
      // Due at closing time; a day that runs to midnight ends at 23:59.
      const close = Math.min(minutesOf(last[1]), 23 * 60 + 59);
      hour = Math.floor(close / 60);
      minute = close % 60;
    }
  }
  const at = zonedInstant({ ...date, hour, minute }, zone);
  const note = useCalendar
    ? `${n} business day${n === 1 ? '' : 's'} on the workspace's business calendar (its working days and holidays), at closing time`
    : `${n} business day${n === 1 ? '' : 's'} skipping Saturdays and Sundays${holidays.size ? ' and holidays' : ''}: the workspace's calendar is open every day`;
  return { at, note };
}

const BUSINESS_DAYS =
  /^(?:in\s+)?(\d{1,3})\s+(?:business|working|work)\s+days?(?:\s+from\s+(?:now|today))?$/i;
const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?$/;

/** Reads what the user typed in the due field. */
export function interpretDue(input: string, opts: DueOptions): DueResult {
  const text = input.trim();
  if (text === '') return { kind: 'empty' };

  const business = BUSINESS_DAYS.exec(text);
  if (business) {
    const n = Number(business[1]);
    if (n < 1) return { kind: 'invalid', message: 'give at least 1 business day' };
    const r = addBusinessDays(n, opts);
    return 'message' in r ? { kind: 'invalid', message: r.message } : { kind: 'ok', at: r.at, note: r.note };
  }

  // A date (and time) as the date picker writes it: wall-clock time in the workspace's zone.
  const iso = ISO_LOCAL.exec(text);
  if (iso) {
    const [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    const hour = iso[4] === undefined ? DEFAULT_HOUR : Number(iso[4]);
    const minute = iso[5] === undefined ? 0 : Number(iso[5]);
    const check = new Date(Date.UTC(year, month - 1, day));
    if (
      check.getUTCMonth() !== month - 1 ||
      check.getUTCDate() !== day ||
      hour > 23 ||
      minute > 59 ||
      year < 1000
    ) {
      return { kind: 'invalid', message: 'is not a real date' };
    }
    return { kind: 'ok', at: zonedInstant({ year, month, day, hour, minute }, opts.timeZone) };
  }

  const [result] = chrono.parse(
    text,
    { instant: opts.now, timezone: offsetMinutes(opts.now, opts.timeZone) },
    { forwardDate: true },
  );
  if (!result) {
    return {
      kind: 'invalid',
      message: 'could not read a date: try "Friday", "tomorrow 5pm", "in 10 business days" or 2026-12-18',
    };
  }
  const s = result.start;
  const year = s.get('year');
  const month = s.get('month');
  const day = s.get('day');
  if (year === null || month === null || day === null) {
    return { kind: 'invalid', message: 'could not read a date' };
  }
  // "in 3 hours" keeps its time; a day named without a time ("Friday", "in 3 days") ends at 17:00.
  const relativeTime = /\b(hours?|hrs?|minutes?|mins?)\b/i.test(result.text);
  const timeGiven = s.isCertain('hour') || relativeTime;
  if (relativeTime && !s.isCertain('day')) return { kind: 'ok', at: s.date() };
  const hour = timeGiven ? (s.get('hour') ?? DEFAULT_HOUR) : DEFAULT_HOUR;
  const minute = timeGiven ? (s.get('minute') ?? 0) : 0;
  return { kind: 'ok', at: zonedInstant({ year, month, day, hour, minute }, opts.timeZone) };
}

/** "Fri 4 Dec 2026, 17:00 Europe/London": the interpreted due date, shown under the field. */
export function describeDue(at: Date, zone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return `${p.weekday} ${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute} ${zone}`;
}

/** The picker's value for an instant: its wall clock in `zone` as "YYYY-MM-DD HH:mm:ss". */
export function pickerValue(at: Date, zone: string): string {
  const w = wallClock(at, zone);
  return `${isoDate(w.year, w.month, w.day)} ${pad(w.hour)}:${pad(w.minute)}:00`;
}
