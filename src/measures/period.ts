// Reporting periods, pure: a measure is answered per day, ISO week (Monday first), month or quarter
// of the workspace's zone. A requested range of local dates is widened to whole periods, and each
// period carries its local dates and its exact instants (Temporal, so DST days are 23 or 25 hours).
import { invalid } from '../errors.js';
import {
  civilFromDays,
  DAY_MS,
  daysFromCivil,
  formatDate,
  localBoundary,
  mondayOf,
  parseDate,
  toLocal,
} from '../time/zone.js';

export const GRANULARITIES = ['day', 'week', 'month', 'quarter'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** At most this many periods in one answer (a day-by-day series of about five and a half years). */
export const MAX_PERIODS = 2000;

/**
 * The years a requested date may fall in: every period of them (a week or quarter of 9998 ends in
 * 9999) is a date PostgreSQL and Temporal both represent, far from their limits.
 */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 9998;

/** A local date `YYYY-MM-DD` within MIN_YEAR..MAX_YEAR, as epoch days; else a 400 naming `field`. */
export function parseRangeDate(text: string, field: string): number {
  const day = parseDate(text);
  if (day === null) throw invalid(field, 'must be a date YYYY-MM-DD');
  const { year } = civilFromDays(day);
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw invalid(field, `must be a date from ${MIN_YEAR}-01-01 to ${MAX_YEAR}-12-31`);
  }
  return day;
}

/** The most days one period spans: a range of more than MAX_PERIODS × that days has too many periods. */
const MAX_PERIOD_DAYS: Record<Granularity, number> = { day: 1, week: 7, month: 31, quarter: 92 };

export interface Period {
  /** `2026-11-23`, `2026-W48`, `2026-11`, `2026-Q4`. */
  key: string;
  /** First local date (inclusive) and the local date after the last (exclusive), `YYYY-MM-DD`. */
  firstDay: string;
  endDay: string;
  /** The same as epoch days, for arithmetic. */
  firstEpochDay: number;
  endEpochDay: number;
  /** Start (inclusive) and end (exclusive) instants in the zone. */
  start: Date;
  end: Date;
}

/** The local date of an instant in a zone, as epoch days. */
export function epochDayInZone(instant: Date, zone: string): number {
  const local = toLocal(zone, instant.getTime());
  return parseDate(local.toPlainDate().toString()) as number;
}

/** The local date of an instant in a zone, `YYYY-MM-DD`. */
export function dayInZone(instant: Date, zone: string): string {
  return formatDate(epochDayInZone(instant, zone));
}

/** The instant a local date starts in a zone. */
export function startOfDay(epochDay: number, zone: string): Date {
  return new Date(localBoundary(zone, epochDay, 0));
}

/** The first day (epoch days) of the period containing `epochDay`. */
export function periodStart(epochDay: number, granularity: Granularity): number {
  if (granularity === 'day') return epochDay;
  if (granularity === 'week') return mondayOf(epochDay);
  const { year, month } = civilFromDays(epochDay);
  const m = granularity === 'month' ? month : month - ((month - 1) % 3);
  return daysFromCivil(year, m, 1);
}

/** The first day of the period after the one starting at `first`. */
function nextPeriodStart(first: number, granularity: Granularity): number {
  if (granularity === 'day') return first + 1;
  if (granularity === 'week') return first + 7;
  const { year, month } = civilFromDays(first);
  const add = granularity === 'month' ? 1 : 3;
  const m0 = month - 1 + add;
  const y = year + Math.floor(m0 / 12);
  const m = (m0 % 12) + 1;
  return daysFromCivil(y, m, 1);
}

/** The key of the period starting at `first`. */
export function periodKey(first: number, granularity: Granularity): string {
  const date = formatDate(first);
  if (granularity === 'day') return date;
  if (granularity === 'month') return date.slice(0, 7);
  if (granularity === 'quarter') {
    const { year, month } = civilFromDays(first);
    return `${String(year).padStart(4, '0')}-Q${Math.floor((month - 1) / 3) + 1}`;
  }
  // ISO week-numbering year: the year of the week's Thursday.
  const thursday = first + 3;
  const { year } = civilFromDays(thursday);
  const jan4 = parseDate(`${String(year).padStart(4, '0')}-01-04`) as number;
  const week = Math.floor((thursday - mondayOf(jan4)) / 7) + 1;
  return `${String(year).padStart(4, '0')}-W${String(week).padStart(2, '0')}`;
}

/** The key of the period containing a local date (epoch days). */
export function periodKeyOfDay(epochDay: number, granularity: Granularity): string {
  return periodKey(periodStart(epochDay, granularity), granularity);
}

/**
 * The whole periods covering the local dates `from`..`to` (both inclusive, `YYYY-MM-DD`, years
 * MIN_YEAR..MAX_YEAR) in a zone. A date out of range, an inverted range or one of more than
 * MAX_PERIODS periods is a 400 naming the parameter; the count is bounded before any period is built.
 */
export function periodsCovering(from: string, to: string, granularity: Granularity, zone: string): Period[] {
  const a = parseRangeDate(from, 'from');
  const b = parseRangeDate(to, 'to');
  if (b < a) throw invalid('to', `must not be before from (${from})`);
  const tooMany = () =>
    invalid(
      'from',
      `the range covers more than ${MAX_PERIODS} ${granularity} periods; choose a shorter range or a longer period`,
    );
  if (b - a + 1 > MAX_PERIODS * MAX_PERIOD_DAYS[granularity]) throw tooMany();
  const out: Period[] = [];
  for (let first = periodStart(a, granularity); first <= b; ) {
    const end = nextPeriodStart(first, granularity);
    out.push({
      key: periodKey(first, granularity),
      firstDay: formatDate(first),
      endDay: formatDate(end),
      firstEpochDay: first,
      endEpochDay: end,
      start: startOfDay(first, zone),
      end: startOfDay(end, zone),
    });
    if (out.length > MAX_PERIODS) throw tooMany();
    first = end;
  }
  return out;
}

/**
 * The default range when a request names none: the `count` periods up to and including the one
 * containing `now` (12 months, 13 weeks, 30 days, 4 quarters).
 */
export function defaultRange(
  now: Date,
  granularity: Granularity,
  zone: string,
): { from: string; to: string } {
  const today = epochDayInZone(now, zone);
  const count = { day: 30, week: 13, month: 12, quarter: 4 }[granularity];
  let first = periodStart(today, granularity);
  for (let i = 1; i < count; i++) first = periodStart(first - 1, granularity);
  return { from: formatDate(first), to: formatDate(today) };
}

/** Whole days between two instants (for ages in days, not calendar days). */
export const daysBetween = (from: Date, to: Date): number => (to.getTime() - from.getTime()) / DAY_MS;
