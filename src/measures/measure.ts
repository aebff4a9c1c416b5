// The shapes every measure answers with, and the arithmetic they share. Pure.
import type { Granularity, Period } from './period.js';

/**
 * What every measure is asked: the workspace, its zone, "now", and the periods to answer for —
 * whole days/weeks/months/quarters from a request, or any day-aligned window (the impact report's
 * two 90-day windows are two periods keyed `before` and `after`).
 */
export interface MeasureQuery {
  workspaceId: string;
  zone: string;
  now: Date;
  periods: Period[];
  granularity?: Granularity | undefined;
  /** A dimension the measure offers (validated by its route), e.g. `type`, `owner`, `team`. */
  by?: string | undefined;
}

/**
 * A ratio shown as a percentage. `percent` is null when the denominator is 0: "no data", never NaN.
 * Percentages are rounded to two decimals; numerator and denominator are exact counts.
 */
export interface Rate {
  numerator: number;
  denominator: number;
  percent: number | null;
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;

export function rate(numerator: number, denominator: number): Rate {
  return {
    numerator,
    denominator,
    percent: denominator === 0 ? null : round2((numerator / denominator) * 100),
  };
}

/**
 * Linear-interpolation percentile of sorted values (the definition of SQL `percentile_cont`):
 * position p·(n−1), interpolated between its neighbours. Null for no values.
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** One row of a measure's answer: flat, so it is also one CSV line. */
export type MeasureRow = Record<string, string | number | boolean | null>;

/** What every measure endpoint answers (and what the CSV export flattens). */
export interface MeasureResult {
  /** Stable name, e.g. `fulfilment`. */
  measure: string;
  /** The definition, in the product's words. */
  definition: string;
  /** The workspace zone the periods are in. */
  zone: string;
  /** The instant the answer was computed for ("now"). */
  asOf: string;
  /** Present when the measure is by period. */
  period?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** The dimension rows are split by (absent: the whole workspace). */
  by?: string | undefined;
  /** The column order for CSV and tables. */
  columns: string[];
  rows: MeasureRow[];
  /** True when there was nothing to measure in the whole range. */
  noData: boolean;
}
