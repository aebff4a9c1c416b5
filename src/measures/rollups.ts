// Pure arithmetic over the promise rollup counts (migrations/20261201120000_measure_rollups.sql):
// fulfilment counts per period and dimension value, and where the k-th oldest overdue promise lies
// in a list of per-day counts. No I/O: the readers in fulfilment.ts and overdue-age.ts feed it.
import { type MeasureRow, percentileOfSorted, type Rate, rate } from './measure.js';

/**
 * How a promise counts for fulfilment (the rollup outcome, with `open` split at "now").
 * `paused_past_due` (paused after its due had already passed) is still open past due.
 */
export const FULFILMENT_OUTCOMES = [
  'kept_on_time',
  'kept_late',
  'broken',
  'open_past_due',
  'paused_past_due',
  'open_not_due',
  'paused',
  'cancelled',
] as const;
export type FulfilmentOutcome = (typeof FULFILMENT_OUTCOMES)[number];

export interface FulfilmentCounts {
  keptOnTime: number;
  keptLate: number;
  broken: number;
  /** Open past due: clock running and due before now, or paused after its due had passed. */
  openPastDue: number;
  /** Open, clock running, not yet due: not in the rate. */
  openNotDue: number;
  /** Open with the clock stopped before its due passed (customer-caused delay): not in the rate. */
  paused: number;
  /** Excluded from the rate. */
  cancelled: number;
}

const FIELD: Record<FulfilmentOutcome, keyof FulfilmentCounts> = {
  kept_on_time: 'keptOnTime',
  kept_late: 'keptLate',
  broken: 'broken',
  open_past_due: 'openPastDue',
  paused_past_due: 'openPastDue',
  open_not_due: 'openNotDue',
  paused: 'paused',
  cancelled: 'cancelled',
};

export const zeroCounts = (): FulfilmentCounts => ({
  keptOnTime: 0,
  keptLate: 0,
  broken: 0,
  openPastDue: 0,
  openNotDue: 0,
  paused: 0,
  cancelled: 0,
});

export function addOutcome(c: FulfilmentCounts, outcome: string, n: number): void {
  const field = FIELD[outcome as FulfilmentOutcome];
  if (field === undefined) throw new Error(`unknown fulfilment outcome ${outcome}`);
  c[field] += n;
}

/** Kept on time / (kept on time + kept late + broken + open past due); cancelled, paused, not-yet-due excluded. */
export function fulfilmentRate(c: FulfilmentCounts): Rate {
  return rate(c.keptOnTime, c.keptOnTime + c.keptLate + c.broken + c.openPastDue);
}

export function fulfilmentRow(head: MeasureRow, c: FulfilmentCounts): MeasureRow {
  return { ...head, ...c, ...fulfilmentRate(c) };
}

/** One local day's count of open past-due promises, days ascending (oldest due first). */
export interface DayCount {
  day: string;
  n: number;
}

/**
 * The day holding the i-th (0-based) promise in ascending due order, and its offset within that
 * day, from per-day counts in ascending day order. Null when i is out of range.
 */
export function locateIndex(days: readonly DayCount[], i: number): { day: string; offset: number } | null {
  if (i < 0) return null;
  let before = 0;
  for (const d of days) {
    if (i < before + d.n) return { day: d.day, offset: i - before };
    before += d.n;
  }
  return null;
}

/** How many values of an ascending array are at most x (binary search). */
export function countAtMost(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Where the k-th smallest (0-based) of the running ∪ frozen overdue ages lies: `below` of the union
 * are smaller, and it is the (k − below)-th smallest of the band's running ages (ascending-age
 * ranks runFrom … runFrom + runCount − 1) merged with its frozen ages (frozen[frozenFrom …
 * frozenTo − 1]). A band is one local due day: its running promises' ages lie in
 * (now − end of day, now − start of day], so no read is needed to place the frozen ages beside them.
 */
export interface AgeBand {
  below: number;
  runFrom: number;
  runCount: number;
  frozenFrom: number;
  frozenTo: number;
}

/**
 * The band of rank k, from the running promises' per-day counts (days ascending, oldest due first),
 * the age at the start of a day (now − its start; larger for older days) and the frozen ages
 * ascending. Binary search over the days: O(log days) calls of ageAtDayStart.
 */
export function bandOf(
  k: number,
  days: readonly DayCount[],
  ageAtDayStart: (day: string) => number,
  frozen: readonly number[],
): AgeBand {
  // later[i] = running promises due on days after days[i] (all younger than any of day i).
  const later: number[] = new Array(days.length);
  let acc = 0;
  for (let i = days.length - 1; i >= 0; i--) {
    later[i] = acc;
    acc += days[i]!.n;
  }
  const n = acc;
  // atMost(i): how many of the union are at most the age at the start of day i (non-increasing in i).
  const atMost = (i: number) => later[i]! + days[i]!.n + countAtMost(frozen, ageAtDayStart(days[i]!.day));
  // The latest day i with atMost(i) ≥ k + 1.
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (atMost(mid) >= k + 1) lo = mid + 1;
    else hi = mid;
  }
  const i = lo - 1;
  if (i < 0) {
    // Older than every running promise: only frozen ages.
    const frozenFrom = days.length === 0 ? 0 : countAtMost(frozen, ageAtDayStart(days[0]!.day));
    return { below: n + frozenFrom, runFrom: n, runCount: 0, frozenFrom, frozenTo: frozen.length };
  }
  const frozenFrom = i + 1 < days.length ? countAtMost(frozen, ageAtDayStart(days[i + 1]!.day)) : 0;
  return {
    below: later[i]! + frozenFrom,
    runFrom: later[i]!,
    runCount: days[i]!.n,
    frozenFrom,
    frozenTo: countAtMost(frozen, ageAtDayStart(days[i]!.day)),
  };
}

/**
 * The ascending-due indices whose ages a linear-interpolation percentile p of n ages needs, and how
 * to combine them. Ages sorted ascending are the dues sorted descending: age rank k is due index n−1−k.
 */
export function percentileIndices(n: number, p: number): { lo: number; hi: number; frac: number } | null {
  if (n === 0) return null;
  const pos = p * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return { lo: n - 1 - lo, hi: n - 1 - hi, frac: pos - lo };
}

/** Age percentile from the two ages percentileIndices pointed at (ageLo at rank lo, ageHi at rank hi). */
export const interpolate = (ageLo: number, ageHi: number, frac: number): number =>
  ageLo + (ageHi - ageLo) * frac;

/** Age bucket edges in days: <1, 1–3, 3–7, 7–14, 14–30, 30–90, ≥90. */
export const AGE_EDGES_DAYS = [1, 3, 7, 14, 30, 90] as const;
export const AGE_BUCKETS = ['under1d', 'd1to3', 'd3to7', 'd7to14', 'd14to30', 'd30to90', 'd90plus'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

/**
 * Bucket counts from n (all overdue) and atLeast[j] = how many are at least AGE_EDGES_DAYS[j] days
 * overdue (non-increasing).
 */
export function bucketsFromCumulative(n: number, atLeast: readonly number[]): Record<AgeBucket, number> {
  const edges = [n, ...atLeast, 0];
  const out = {} as Record<AgeBucket, number>;
  AGE_BUCKETS.forEach((b, i) => {
    out[b] = edges[i]! - edges[i + 1]!;
  });
  return out;
}

/** The bucket of one age in days (a bucket's lower edge is inclusive). */
export function bucketOf(ageDays: number): AgeBucket {
  let i = 0;
  while (i < AGE_EDGES_DAYS.length && ageDays >= AGE_EDGES_DAYS[i]!) i++;
  return AGE_BUCKETS[i]!;
}

/** Reference: the overdue-age summary of a list of ages in days (what the rollup path must equal). */
export function summariseAges(ages: readonly number[]) {
  const sorted = [...ages].sort((a, b) => a - b);
  const buckets = Object.fromEntries(AGE_BUCKETS.map((b) => [b, 0])) as Record<AgeBucket, number>;
  for (const a of sorted) buckets[bucketOf(a)] += 1;
  return {
    count: sorted.length,
    median: percentileOfSorted(sorted, 0.5),
    p90: percentileOfSorted(sorted, 0.9),
    max: sorted.length === 0 ? null : sorted[sorted.length - 1]!,
    buckets,
  };
}
