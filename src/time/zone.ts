// Time-zone primitives, pure. Every conversion between an instant and a local wall-clock time goes
// through Temporal (temporal-polyfill); nothing here derives or stores a UTC offset by hand.

import { Temporal } from 'temporal-polyfill';
import { invalid } from '../errors.js';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

// The range the database stores (timestamptz, years 0001-9999 UTC); also keeps every value an exact
// integer number of milliseconds.
export const EARLIEST_MS = daysFromCivil(1, 1, 1) * DAY_MS;
export const LATEST_MS = daysFromCivil(10000, 1, 1) * DAY_MS - 1;

/** Days since 1970-01-01 of a proleptic Gregorian date (calendar arithmetic only, no zone involved). */
export function daysFromCivil(y: number, m: number, d: number): number {
  // Howard Hinnant's days_from_civil: exact for every year, unlike Date.UTC's two-digit-year quirk.
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(n: number): { year: number; month: number; day: number } {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** ISO weekday of an epoch day: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export const isoWeekday = (epochDay: number): number => ((((epochDay + 3) % 7) + 7) % 7) + 1;

/** The Monday on or before an epoch day. */
export const mondayOf = (epochDay: number): number => epochDay - isoWeekday(epochDay) + 1;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch day of a `YYYY-MM-DD` date, or null when it is not a real date (2026-02-30). */
export function parseDate(text: string): number | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return null;
  const n = daysFromCivil(y, mo, d);
  const back = civilFromDays(n);
  return back.month === mo && back.day === d ? n : null;
}

export function formatDate(epochDay: number): string {
  const { year, month, day } = civilFromDays(epochDay);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const canonicalZones = new Map<string, string | null>();

/**
 * The canonical IANA name of a zone ("america/new_york" → "America/New_York"), or null when the
 * zone is unknown. Fixed offsets ("-05:00") are refused: an offset is one date's answer, a zone is
 * the rule for every date.
 */
export function canonicalZone(tz: string): string | null {
  const cached = canonicalZones.get(tz);
  if (cached !== undefined) return cached;
  let id: string | null = null;
  if (/^[A-Za-z]/.test(tz)) {
    try {
      id = Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(tz).timeZoneId;
    } catch {
      id = null;
    }
  }
  canonicalZones.set(tz, id);
  return id;
}

/**
 * The first instant (epoch ms) at which the wall clock of `tz` reads local date `epochDay` at
 * `minuteOfDay` or later. For an ordinary time that is the time itself; for a repeated time (fall
 * back) its first occurrence; for a time inside a gap (spring forward) the first instant after the
 * gap. `minuteOfDay` may be 1440 ("24:00"), which is 00:00 of the next day, so an interval ending at
 * 24:00 meets one starting at 00:00 next day exactly.
 */
export function localBoundary(tz: string, epochDay: number, minuteOfDay: number): number {
  const day = epochDay + Math.floor(minuteOfDay / 1440);
  const minute = minuteOfDay % 1440;
  const { year, month, day: dom } = civilFromDays(day);
  const wall = new Temporal.PlainDateTime(year, month, dom, Math.floor(minute / 60), minute % 60);
  const zoned = wall.toZonedDateTime(tz, { disambiguation: 'earlier' });
  if (Temporal.PlainDateTime.compare(zoned.toPlainDateTime(), wall) === 0) return zoned.epochMilliseconds;
  // In a gap 'earlier' lands before it (shifted back by the gap's length); the transition ends it.
  const transition = zoned.getTimeZoneTransition('next');
  if (!transition) throw new Error(`no transition after a skipped local time in ${tz}`);
  return transition.epochMilliseconds;
}

interface TransitionCache {
  /** Known transition instants, sorted; Infinity stands for "no further transition". */
  sorted: number[];
  /** For each known transition T: the earliest instant from which T is known to be the next one. */
  coveredFrom: Map<number, number>;
}

const transitionCaches = new Map<string, TransitionCache>();

/**
 * The first UTC-offset transition of `tz` strictly after `ms` (epoch ms), or Infinity. Answers are
 * remembered as "no transition in [from, T)" ranges so a long computation asks Temporal once per
 * transition, not once per week.
 */
export function nextTransition(tz: string, ms: number): number {
  let cache = transitionCaches.get(tz);
  if (!cache) {
    cache = { sorted: [], coveredFrom: new Map() };
    transitionCaches.set(tz, cache);
  }
  const { sorted, coveredFrom } = cache;
  // The smallest known transition after ms is the true next one iff no gap in knowledge precedes it.
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! > ms) hi = mid;
    else lo = mid + 1;
  }
  const candidate = sorted[lo];
  if (candidate !== undefined && coveredFrom.get(candidate)! <= ms) return candidate;
  const next = Temporal.Instant.fromEpochMilliseconds(ms)
    .toZonedDateTimeISO(tz)
    .getTimeZoneTransition('next');
  const t = next ? next.epochMilliseconds : Number.POSITIVE_INFINITY;
  const known = coveredFrom.get(t);
  if (known === undefined) {
    sorted.splice(lo, 0, t);
    coveredFrom.set(t, ms);
  } else if (ms < known) coveredFrom.set(t, ms);
  return t;
}

/**
 * The wall-clock reading of `tz` at instant `ms`, as milliseconds since 00:00 of local date
 * `epochDay` (a reading of the next day's 01:00 is DAY_MS + 3_600_000).
 */
export function wallReading(tz: string, ms: number, epochDay: number): number {
  const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(tz);
  const day = daysFromCivil(z.year, z.month, z.day);
  return (day - epochDay) * DAY_MS + ((z.hour * 60 + z.minute) * 60 + z.second) * 1000 + z.millisecond;
}

/** The local wall-clock date and time of an instant, for presentation and tests. */
export function toLocal(tz: string, ms: number): Temporal.PlainDateTime {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(tz).toPlainDateTime();
}

/**
 * ISO 8601 with the offset the calendar's zone has at that instant, e.g. `2026-03-09T12:00:00-04:00`.
 * Milliseconds are shown only when present.
 */
export function formatInstant(instant: Date, tz: string): string {
  const ms = instant.getTime();
  const zoned = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(tz);
  return zoned.toString({
    timeZoneName: 'never',
    ...(ms % 1000 === 0 ? { smallestUnit: 'second' as const } : { fractionalSecondDigits: 3 as const }),
  });
}

const OFFSET_RE = /(Z|[+-]\d{2}(:?\d{2})?)(\[[^\]]*\])*$/i;

/**
 * Parses an ISO 8601 instant that carries its offset (or Z). A date-time without one is refused:
 * reading it in some default zone is how deadlines silently move by hours.
 */
export function parseInstant(text: unknown, field: string): Date {
  if (typeof text !== 'string') throw invalid(field, 'must be an ISO 8601 date-time string with an offset');
  const timePart = text.split(/[Tt ]/)[1];
  if (timePart === undefined || !OFFSET_RE.test(timePart)) {
    throw invalid(
      field,
      `"${text}" has no UTC offset; write it with one, e.g. 2026-03-09T09:00:00-04:00 or 2026-03-09T13:00:00Z`,
    );
  }
  let ms: number;
  try {
    ms = Temporal.Instant.from(text).epochMilliseconds;
  } catch {
    throw invalid(field, `"${text}" is not an ISO 8601 date-time`);
  }
  if (ms < EARLIEST_MS || ms > LATEST_MS) {
    throw invalid(field, `"${text}" is outside the supported years 0001-9999`);
  }
  return new Date(ms);
}
