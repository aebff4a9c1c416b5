// Business-time arithmetic, pure. Instants are `Date`s (millisecond precision, like the rest of the
// code base and like Postgres timestamptz as read by the drivers).
//
// Model. On local date D, an opening interval [a, b) covers the instants from the first moment the
// wall clock reads (D, a) or later until the first moment it reads (D, b) or later (see
// zone.localBoundary). So a time skipped by spring-forward opens at the first instant after the
// gap, a repeated hour inside an interval counts twice (the time that really passes), and "24:00"
// of one day is exactly "00:00" of the next. A holiday closes every interval of its date. Pauses
// are instant intervals removed from business time.
//
// Definitions, implemented exactly:
//   between(s, e) = business milliseconds in [s, e), minus those inside pauses, in minutes;
//                   between(e, s) = -between(s, e).
//   add(s, d)     = the earliest t >= s with between(s, t) >= d. A deadline that lands on a closing
//                   time is that closing time, and add(s, 0) = s.
//
// Speed. Time is walked a week at a time (local Monday 00:00 to the next), never day by day. A
// week with no clock change and no holiday has exactly the calendar's weekly business time, and
// every following week up to the next transition or holiday is the same, so such runs are skipped
// with one multiplication (see runLength).

import { invalid } from '../errors.js';
import {
  type Calendar,
  isValidatedCalendar,
  parseCalendar,
  parseTimeOfDay,
  WEEKDAYS,
  weeklyMinutes,
} from './calendar.js';
import {
  DAY_MS,
  EARLIEST_MS,
  LATEST_MS,
  localBoundary,
  MINUTE_MS,
  mondayOf,
  nextTransition,
  parseDate,
  WEEK_MS,
  wallReading,
} from './zone.js';

export { formatInstant, parseInstant } from './zone.js';

/** A pause: business time between these two instants does not count. */
export type Pause = readonly [start: Date, end: Date];

/** 100 years of minutes: the largest duration accepted; anything longer is a unit mistake. */
export const MAX_MINUTES = 100 * 365.25 * 24 * 60;
const MAX_SPAN_MS = MAX_MINUTES * MINUTE_MS;

interface Week {
  /** Epoch day of the local Monday. */
  monday: number;
  /** First instant of the week (Monday 00:00 local) and of the next week. */
  start: number;
  end: number;
  /** Business spans as flat [start0, end0, start1, end1, …] epoch ms, ascending, non-overlapping. */
  spans: number[];
  /** No clock change and no holiday: the spans are the weekly template and total `weekMs`. */
  clean: boolean;
}

interface Compiled {
  tz: string;
  /** Weekly template: [dayIndex (0 = Monday), startMs, endMs] from the week's start. */
  template: Array<readonly [number, number, number]>;
  /** Opening intervals per day index in minutes, for weeks with a clock change. */
  days: Array<Array<readonly [number, number]>>;
  weekMs: number;
  holidays: number[];
  holidaySet: Set<number>;
  weeks: Map<number, Week>;
}

const WEEK_CACHE_LIMIT = 4096;
const compiledCache = new WeakMap<Calendar, Compiled>();

function compile(calendar: Calendar): Compiled {
  const hit = compiledCache.get(calendar);
  if (hit) return hit;
  // A hand-built literal is validated too, so it cannot smuggle in bad intervals.
  const cal = isValidatedCalendar(calendar) ? calendar : parseCalendar(calendar, 'calendar');
  const days = WEEKDAYS.map((d) =>
    cal.week[d].map(([a, b]) => [parseTimeOfDay(a)!, parseTimeOfDay(b)!] as const),
  );
  const template: Array<readonly [number, number, number]> = [];
  days.forEach((intervals, k) => {
    for (const [a, b] of intervals)
      template.push([k, (k * 1440 + a) * MINUTE_MS, (k * 1440 + b) * MINUTE_MS]);
  });
  const holidays = cal.holidays.map((h) => parseDate(h)!);
  const compiled: Compiled = {
    tz: cal.tz,
    template,
    days,
    weekMs: weeklyMinutes(cal) * MINUTE_MS,
    holidays,
    holidaySet: new Set(holidays),
    weeks: new Map(),
  };
  compiledCache.set(calendar, compiled);
  return compiled;
}

/** Index of the first holiday on or after `day` (holidays.length when none). */
function firstHolidayFrom(cc: Compiled, day: number): number {
  let lo = 0;
  let hi = cc.holidays.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cc.holidays[mid]! < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function getWeek(cc: Compiled, monday: number, knownStart?: number): Week {
  const cached = cc.weeks.get(monday);
  if (cached) return cached;
  const start = knownStart ?? localBoundary(cc.tz, monday, 0);
  const hasHoliday = (cc.holidays[firstHolidayFrom(cc, monday)] ?? Number.POSITIVE_INFINITY) < monday + 7;
  // No offset change from the week's first instant through its last: wall time runs with real time.
  const linear = nextTransition(cc.tz, start - 1) > start + WEEK_MS;
  const spans: number[] = [];
  let end: number;
  if (linear) {
    end = start + WEEK_MS;
    for (const [k, a, b] of cc.template) {
      if (!hasHoliday || !cc.holidaySet.has(monday + k)) spans.push(start + a, start + b);
    }
  } else {
    const clock = wallClock(cc.tz, monday, start);
    end = clock.firstAt(WEEK_MS);
    cc.days.forEach((intervals, k) => {
      if (cc.holidaySet.has(monday + k)) return;
      for (const [a, b] of intervals) {
        const s = clock.firstAt((k * 1440 + a) * MINUTE_MS);
        const e = clock.firstAt((k * 1440 + b) * MINUTE_MS);
        if (e > s) spans.push(s, e);
      }
    });
  }
  const week: Week = { monday, start, end, spans, clean: linear && !hasHoliday };
  if (cc.weeks.size >= WEEK_CACHE_LIMIT) cc.weeks.clear();
  cc.weeks.set(monday, week);
  return week;
}

/**
 * The wall clock of a week with offset changes, as linear pieces: from instant t[i] on, the clock
 * reads wall[i] (ms since the week's Monday 00:00) plus the time elapsed, until t[i+1]. Readings come
 * from Temporal at the week's start and at each transition, so a transition week costs one
 * conversion per transition instead of two per opening interval.
 */
function wallClock(tz: string, monday: number, start: number) {
  const t: number[] = [start];
  // The week's first instant reads exactly Monday 00:00, unless a transition happens at that instant.
  const wall: number[] = [nextTransition(tz, start - 1) === start ? wallReading(tz, start, monday) : 0];
  for (;;) {
    const i = t.length - 1;
    const next = nextTransition(tz, t[i]!);
    // A transition at the instant the clock would reach next Monday still decides when it does.
    if (next > t[i]! + (WEEK_MS - wall[i]!)) break;
    t.push(next);
    wall.push(wallReading(tz, next, monday));
  }
  return {
    /** The first instant at which the clock reads `w` or later (see zone.localBoundary). */
    firstAt(w: number): number {
      for (let i = 0; i < t.length; i++) {
        if (w <= wall[i]!) return t[i]!;
        const at = t[i]! + (w - wall[i]!);
        if (i === t.length - 1 || at < t[i + 1]!) return at;
      }
      throw new Error('unreachable: the last piece is unbounded');
    },
  };
}

/** How many consecutive clean weeks start at `w` (a clean week): up to the next transition or holiday. */
function runLength(cc: Compiled, w: Week): number {
  const t = nextTransition(cc.tz, w.start - 1);
  // Week i is clear of the transition when its last instant start + (i+1)·WEEK is before t.
  const byTransition = Number.isFinite(t) ? Math.ceil((t - w.start) / WEEK_MS) - 1 : Number.POSITIVE_INFINITY;
  const h = cc.holidays[firstHolidayFrom(cc, w.monday)];
  const byHoliday = h === undefined ? Number.POSITIVE_INFINITY : Math.floor((h - w.monday) / 7);
  return Math.min(byTransition, byHoliday);
}

function weekContaining(cc: Compiled, x: number): Week {
  // The local date is within a day of the UTC date, so this lands on the right week or a neighbour.
  let w = getWeek(cc, mondayOf(Math.floor(x / DAY_MS)));
  while (x < w.start) w = getWeek(cc, w.monday - 7);
  while (x >= w.end) w = getWeek(cc, w.monday + 7, w.end);
  return w;
}

/** Business milliseconds in [x, y), x < y, ignoring pauses. */
function businessMs(cc: Compiled, x: number, y: number): number {
  let total = 0;
  let w = weekContaining(cc, x);
  for (;;) {
    if (w.start >= y) return total;
    if (w.clean && w.start >= x) {
      const k = Math.min(runLength(cc, w), Math.floor((y - w.start) / WEEK_MS));
      if (k > 0) {
        total += k * cc.weekMs;
        w = getWeek(cc, w.monday + 7 * k, w.start + k * WEEK_MS);
        continue;
      }
    }
    const s = w.spans;
    for (let i = 0; i < s.length; i += 2) {
      const a = Math.max(s[i]!, x);
      const b = Math.min(s[i + 1]!, y);
      if (b > a) total += b - a;
    }
    if (w.end >= y) return total;
    w = getWeek(cc, w.monday + 7, w.end);
  }
}

/** The earliest t >= x with businessMs(x, t) >= need (need > 0), ignoring pauses. */
function addMs(cc: Compiled, x: number, need: number): number {
  let rest = need;
  let w = weekContaining(cc, x);
  for (;;) {
    if (w.clean && w.start >= x) {
      // Skip only whole weeks that cannot finish the job, so the last one is walked span by span.
      const k = Math.min(runLength(cc, w), Math.ceil(rest / cc.weekMs) - 1);
      if (k > 0) {
        rest -= k * cc.weekMs;
        w = getWeek(cc, w.monday + 7 * k, w.start + k * WEEK_MS);
        continue;
      }
    }
    const s = w.spans;
    for (let i = 0; i < s.length; i += 2) {
      const a = Math.max(s[i]!, x);
      const len = s[i + 1]! - a;
      if (len <= 0) continue;
      if (len >= rest) return a + rest;
      rest -= len;
    }
    if (w.end > LATEST_MS)
      throw invalid('minutes', 'the deadline would fall after the year 9999 on this calendar');
    w = getWeek(cc, w.monday + 7, w.end);
  }
}

function instantMs(value: unknown, field: string): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw invalid(field, 'must be a valid instant (a Date)');
  if (ms < EARLIEST_MS || ms > LATEST_MS) throw invalid(field, 'must be within the years 0001-9999');
  return ms;
}

/** Validated pauses as sorted, merged [start, end) ms pairs; overlapping pauses count once. */
function mergePauses(pauses: readonly Pause[]): Array<[number, number]> {
  if (!Array.isArray(pauses)) throw invalid('pauses', 'must be a list of [start, end] pairs');
  const list = pauses.map((p, i): [number, number] => {
    if (!Array.isArray(p) || p.length !== 2) throw invalid(`pauses[${i}]`, 'must be a pair [start, end]');
    const a = instantMs(p[0], `pauses[${i}][0]`);
    const b = instantMs(p[1], `pauses[${i}][1]`);
    if (b < a) throw invalid(`pauses[${i}]`, 'ends before it starts');
    return [a, b];
  });
  list.sort((p, q) => p[0] - q[0]);
  const merged: Array<[number, number]> = [];
  for (const [a, b] of list) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else if (b > a) merged.push([a, b]);
  }
  return merged;
}

function minutesToMs(minutes: unknown): number {
  if (typeof minutes !== 'number')
    throw invalid('minutes', `must be a number of minutes (got ${typeof minutes})`);
  if (!Number.isFinite(minutes))
    throw invalid('minutes', `must be a finite number of minutes (got ${minutes})`);
  if (minutes < 0) throw invalid('minutes', `must not be negative (got ${minutes})`);
  if (minutes > MAX_MINUTES) throw invalid('minutes', `${minutes} minutes is more than 100 years`);
  const exact = minutes * MINUTE_MS;
  const rounded = Math.round(exact);
  // 0.1 min is 6000.000000000001 ms in floating point; that is 6000 ms, not 6001.
  return Math.abs(exact - rounded) < 1e-6 ? rounded : Math.ceil(exact);
}

/**
 * The deadline `minutes` business minutes after `start` on `calendar`, not counting `pauses`:
 * the earliest instant t >= start with businessMinutesBetween(start, t) >= minutes. `minutes` may
 * be fractional (resolved to the millisecond, rounding up) and must be 0 … 100 years. Throws an
 * AppError naming the bad field.
 */
export function addBusinessMinutes(
  calendar: Calendar,
  start: Date,
  minutes: number,
  pauses: readonly Pause[] = [],
): Date {
  const cc = compile(calendar);
  const s = instantMs(start, 'start');
  const need = minutesToMs(minutes);
  const merged = mergePauses(pauses);
  if (need === 0) return new Date(s);
  if (cc.weekMs === 0) throw invalid('calendar', 'has no opening hours, so no deadline can be reached');
  let cursor = s;
  let rest = need;
  for (const [p0, p1] of merged) {
    if (p1 <= cursor) continue;
    if (p0 > cursor) {
      const t = addMs(cc, cursor, rest);
      if (t <= p0) return new Date(t);
      rest -= businessMs(cc, cursor, p0);
    }
    cursor = p1;
  }
  return new Date(addMs(cc, cursor, rest));
}

/**
 * Business minutes from `start` to `end` on `calendar`, not counting `pauses`; negative when `end`
 * is before `start`. Fractional when the instants are not on whole minutes of business time.
 */
export function businessMinutesBetween(
  calendar: Calendar,
  start: Date,
  end: Date,
  pauses: readonly Pause[] = [],
): number {
  const cc = compile(calendar);
  const s = instantMs(start, 'start');
  const e = instantMs(end, 'end');
  const merged = mergePauses(pauses);
  if (Math.abs(e - s) > MAX_SPAN_MS) throw invalid('end', 'is more than 100 years from start');
  if (s === e) return 0;
  const [x, y] = s < e ? [s, e] : [e, s];
  let total = businessMs(cc, x, y);
  for (const [p0, p1] of merged) {
    const a = Math.max(p0, x);
    const b = Math.min(p1, y);
    if (b > a) total -= businessMs(cc, a, b);
  }
  const minutes = total / MINUTE_MS;
  return s < e || minutes === 0 ? minutes : -minutes;
}

/** Whether the calendar is open at `instant` (pauses aside): inside an interval, closing time excluded. */
export function isBusinessTime(calendar: Calendar, instant: Date): boolean {
  const cc = compile(calendar);
  const x = instantMs(instant, 'instant');
  const s = weekContaining(cc, x).spans;
  for (let i = 0; i < s.length; i += 2) if (s[i]! <= x && x < s[i + 1]!) return true;
  return false;
}
