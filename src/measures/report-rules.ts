// The rules of the impact report and the reviews, pure: the two 90-day windows around a pivot
// date, the change between them, escalations per month, the recurring delay patterns of the weekly
// review, and when the scheduled review digests fall due. Time comes in as arguments.
import { AppError } from '../errors.js';
import { formatDate, localBoundary, parseDate } from '../time/zone.js';
import { round2 } from './measure.js';
import { epochDayInZone, type Period, periodKey, periodStart, startOfDay } from './period.js';

/** A well-formed date that cannot be used (in the future, impossible): 422 naming the field. */
export const unusableDate = (field: string, message: string) =>
  new AppError('unprocessable', `${field}: ${message}`, { field });

/** Days in each impact window. */
export const IMPACT_WINDOW_DAYS = 90;
/** The earliest pivot accepted (older dates are almost certainly typos). */
export const EARLIEST_PIVOT = '1971-01-01';

/** A day-aligned window as a Period: local dates [first, end) and their start instants in `zone`. */
export function windowPeriod(key: string, first: number, end: number, zone: string): Period {
  return {
    key,
    firstDay: formatDate(first),
    endDay: formatDate(end),
    firstEpochDay: first,
    endEpochDay: end,
    start: startOfDay(first, zone),
    end: startOfDay(end, zone),
  };
}

export interface ImpactWindows {
  pivot: string;
  /** The 90 local days before the pivot date: [pivot − 90, pivot). */
  before: Period;
  /** The 90 local days from the pivot date, clipped to the end of today: [pivot, min(pivot + 90, today + 1)). */
  after: Period;
  /** Local days in each window (after < 90 when clipped). */
  beforeDays: number;
  afterDays: number;
  /** True when the after window was cut short by today. */
  afterClipped: boolean;
}

/**
 * The two windows of the impact report. The pivot is a local date of the workspace zone, not
 * before EARLIEST_PIVOT and not after today; otherwise a 422 naming `pivot`. The after window ends
 * at the end of today when the pivot is less than 90 days ago (today counts as a whole day).
 */
export function impactWindows(pivot: string, now: Date, zone: string): ImpactWindows {
  const day = parseDate(pivot);
  if (day === null) throw unusableDate('pivot', 'must be a date YYYY-MM-DD (in the workspace zone)');
  if (day < (parseDate(EARLIEST_PIVOT) as number)) {
    throw unusableDate('pivot', `must be on or after ${EARLIEST_PIVOT}`);
  }
  const today = epochDayInZone(now, zone);
  if (day > today) {
    throw unusableDate('pivot', `must not be in the future (today is ${formatDate(today)} in ${zone})`);
  }
  const afterEnd = Math.min(day + IMPACT_WINDOW_DAYS, today + 1);
  return {
    pivot: formatDate(day),
    before: windowPeriod('before', day - IMPACT_WINDOW_DAYS, day, zone),
    after: windowPeriod('after', day, afterEnd, zone),
    beforeDays: IMPACT_WINDOW_DAYS,
    afterDays: afterEnd - day,
    afterClipped: afterEnd < day + IMPACT_WINDOW_DAYS,
  };
}

/** (after − before) / before × 100, rounded to 2 decimals; null when before is 0 or either is missing. */
export function percentChange(before: number | null, after: number | null): number | null {
  if (before === null || after === null || before === 0) return null;
  const change = round2(((after - before) / before) * 100);
  return Number.isFinite(change) ? change : null;
}

// ── Recurring delay patterns (weekly review) ─────────────────────────────────────────────────────

/** Weeks looked at: the reviewed week and the three before it. */
export const PATTERN_WEEKS = 4;

export interface MissCount {
  /** What the count is grouped by: a promise type or an owner. */
  dimension: 'type' | 'owner';
  value: string;
  label: string;
  /** 0 = three weeks before the reviewed week … 3 = the reviewed week. */
  week: number;
  /** Promises due that week not kept on time: kept late + broken + still open past due. */
  misses: number;
}

export interface DelayPattern {
  dimension: 'type' | 'owner';
  value: string;
  label: string;
  /** Misses per week, oldest first; the last is the reviewed week. */
  misses: number[];
  weeksWithMisses: number;
  /** Misses in at least 3 of the 4 weeks. */
  recurring: boolean;
  /** Misses rising week on week over the last three weeks (w−2 < w−1 < reviewed week). */
  growing: boolean;
}

const last = (g: DelayPattern) => g.misses[g.misses.length - 1] as number;

/**
 * Groups (types, owners) whose delays recur or grow. A group is reported when it is `recurring`
 * (misses in at least 3 of the 4 weeks) or `growing` (strictly more misses each week over the last
 * three). Sorted by dimension, then misses in the reviewed week (most first), total, label.
 */
export function delayPatterns(counts: readonly MissCount[]): DelayPattern[] {
  const groups = new Map<string, DelayPattern>();
  for (const c of counts) {
    if (c.week < 0 || c.week >= PATTERN_WEEKS) continue;
    const id = `${c.dimension}\u0000${c.value}`;
    let g = groups.get(id);
    if (!g) {
      g = {
        dimension: c.dimension,
        value: c.value,
        label: c.label,
        misses: Array.from({ length: PATTERN_WEEKS }, () => 0),
        weeksWithMisses: 0,
        recurring: false,
        growing: false,
      };
      groups.set(id, g);
    }
    g.misses[c.week] = (g.misses[c.week] as number) + c.misses;
  }
  const out: DelayPattern[] = [];
  for (const g of groups.values()) {
    const m = g.misses;
    g.weeksWithMisses = m.filter((x) => x > 0).length;
    g.recurring = g.weeksWithMisses >= 3;
    const n = m.length;
    g.growing = (m[n - 3] as number) < (m[n - 2] as number) && (m[n - 2] as number) < (m[n - 1] as number);
    if (g.recurring || g.growing) out.push(g);
  }
  const total = (g: DelayPattern) => g.misses.reduce((a, b) => a + b, 0);
  return out.sort(
    (a, b) =>
      a.dimension.localeCompare(b.dimension) ||
      last(b) - last(a) ||
      total(b) - total(a) ||
      a.label.localeCompare(b.label) ||
      a.value.localeCompare(b.value),
  );
}

// ── Scheduled review digests ─────────────────────────────────────────────────────────────────────

export const REVIEW_KINDS = ['weekly', 'monthly'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];
/** The local time the review digests go out: 08:00. */
export const REVIEW_MINUTE = 8 * 60;
/**
 * A review whose scheduled instant is older than this is not sent (a process down for longer, or
 * a first start mid-week, would otherwise send a stale review); the next one comes as scheduled.
 */
export const REVIEW_GRACE_MS = 48 * 3_600_000;

export interface ReviewOccurrence {
  kind: ReviewKind;
  /** The instant it was scheduled for: Monday 08:00 (weekly) or the 1st 08:00 (monthly), local. */
  scheduledAt: Date;
  /** The period it reviews: the ISO week or month that ended just before. */
  reviewed: Period;
}

/** The latest occurrence of a review digest at or before `now` in `zone`. */
export function latestReviewOccurrence(kind: ReviewKind, zone: string, now: Date): ReviewOccurrence {
  const g = kind === 'weekly' ? 'week' : 'month';
  let first = periodStart(epochDayInZone(now, zone), g);
  if (localBoundary(zone, first, REVIEW_MINUTE) > now.getTime()) first = periodStart(first - 1, g);
  const reviewedFirst = periodStart(first - 1, g);
  return {
    kind,
    scheduledAt: new Date(localBoundary(zone, first, REVIEW_MINUTE)),
    reviewed: windowPeriod(periodKey(reviewedFirst, g), reviewedFirst, first, zone),
  };
}

/** Whether an occurrence is to be sent at `now`: scheduled at or before now, within the grace. */
export const reviewIsDue = (o: ReviewOccurrence, now: Date): boolean =>
  o.scheduledAt.getTime() <= now.getTime() && now.getTime() - o.scheduledAt.getTime() <= REVIEW_GRACE_MS;

/** The unique key of a review digest: one per (workspace, kind, reviewed period). */
export const reviewDigestKey = (kind: ReviewKind, periodKey: string) => `review:${kind}:${periodKey}`;
