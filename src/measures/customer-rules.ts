// The rules of the customer-signal measures, pure: which period a moment falls in, when an account
// starts, whether an escalation closing was undone within 60 days, the "first 30 days" window, a
// proactive update, NPS from its counts, a count per month, and the (period × dimension) rows.
// No I/O; time and zone come in as arguments.
import type { EscalationTransition } from '../signals/signal.js';
import { parseDate } from '../time/zone.js';
import { type MeasureRow, round2 } from './measure.js';
import { type Period, startOfDay } from './period.js';

const DAY_MS = 86_400_000;

/** "Escalations reopened within 60 days": a reopening at most 60 × 24 h after the closing it undid. */
export const REOPEN_WINDOW_DAYS = 60;
/** "Expectation mismatch rate (first 30 days)": 30 × 24 h from the account's start, both ends included. */
export const FIRST_DAYS = 30;
/** The average month (365.25 / 12 days), for "per month" over a period that is not a calendar month. */
export const DAYS_PER_MONTH = 30.4375;
/**
 * A mismatch complaint: a complaint whose underlying concern key is `expectation_mismatch`, or starts
 * with `expectation_mismatch_` (so the concern can still be specific, e.g.
 * `expectation_mismatch_reporting_exports`).
 */
export const MISMATCH_CONCERN = 'expectation_mismatch';
/** (The query in customer-measures.ts applies the same test in SQL.) */
export const isMismatchConcern = (key: string): boolean =>
  key === MISMATCH_CONCERN || key.startsWith(`${MISMATCH_CONCERN}_`);

/**
 * The indexes of the periods containing instant `t` (start inclusive, end exclusive). Periods from
 * a request are sorted and disjoint (binary search); any other list is scanned.
 */
export function periodsContaining(periods: readonly Period[], t: number): number[] {
  let sortedDisjoint = true;
  for (let i = 1; i < periods.length; i++) {
    if (periods[i]!.start.getTime() < periods[i - 1]!.end.getTime()) {
      sortedDisjoint = false;
      break;
    }
  }
  if (!sortedDisjoint) {
    const out: number[] = [];
    periods.forEach((p, i) => {
      if (p.start.getTime() <= t && t < p.end.getTime()) out.push(i);
    });
    return out;
  }
  let lo = 0;
  let hi = periods.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = periods[mid]!;
    if (t < p.start.getTime()) hi = mid - 1;
    else if (t >= p.end.getTime()) lo = mid + 1;
    else return [mid];
  }
  return [];
}

/** An account's start: its contract start (a local date: the start of that day in the zone), else its creation. */
export function accountStart(contractStart: string | null, createdAt: Date, zone: string): Date {
  if (contractStart === null) return createdAt;
  const day = parseDate(contractStart);
  return day === null ? createdAt : startOfDay(day, zone);
}

/** Whether `t` falls in the first `days` × 24 h from `start`, both ends included. */
export function withinFirstDays(start: Date, t: Date, days = FIRST_DAYS): boolean {
  const gap = t.getTime() - start.getTime();
  return gap >= 0 && gap <= days * DAY_MS;
}

/**
 * The closings in an escalation's history, each with whether it was undone by a reopening at most
 * `days` × 24 h later (the transition right after it). Mirrors src/signals/escalation.ts
 * `reopenedWithin`, closing by closing.
 */
export function closings(
  history: readonly EscalationTransition[],
  days = REOPEN_WINDOW_DAYS,
): { at: number; reopenedWithin: boolean }[] {
  const out: { at: number; reopenedWithin: boolean }[] = [];
  history.forEach((t, i) => {
    if (t.action !== 'closed') return;
    const at = Date.parse(t.at);
    const next = history[i + 1];
    out.push({
      at,
      reopenedWithin: next?.action === 'reopened' && Date.parse(next.at) - at <= days * DAY_MS,
    });
  });
  return out;
}

/**
 * A proactive update: the customer's first update from us came before any "customer chased us"
 * about the promise — no chase at or before that instant (a chase at the same instant wins).
 * (The query in customer-measures.ts applies the same rule in SQL.)
 */
export function isProactive(firstUpdate: Date, chases: readonly Date[]): boolean {
  return chases.every((c) => c.getTime() > firstUpdate.getTime());
}

export interface NpsCounts {
  promoters: number;
  passives: number;
  detractors: number;
}

/** NPS = % promoters (9–10) − % detractors (0–6), 2 decimals; null without respondents. */
export function npsOf(c: NpsCounts): {
  respondents: number;
  promoterPercent: number | null;
  detractorPercent: number | null;
  nps: number | null;
} {
  const n = c.promoters + c.passives + c.detractors;
  if (n === 0) return { respondents: 0, promoterPercent: null, detractorPercent: null, nps: null };
  return {
    respondents: n,
    promoterPercent: round2((c.promoters / n) * 100),
    detractorPercent: round2((c.detractors / n) * 100),
    nps: round2(((c.promoters - c.detractors) / n) * 100),
  };
}

/**
 * A count as a rate per month: in a calendar month the count itself; in any other period
 * count × 30.4375 / days (2 decimals); null for a period of no days.
 */
export function perMonth(count: number, days: number, isCalendarMonth: boolean): number | null {
  if (isCalendarMonth) return count;
  if (days <= 0) return null;
  return round2((count * DAYS_PER_MONTH) / days);
}

export const TIER_LABELS: Record<string, string> = {
  strategic: 'Strategic',
  enterprise: 'Enterprise',
  mid_market: 'Mid-market',
  smb: 'SMB',
};

/** One cell of a measure: a (period, dimension value) and its counts. */
export interface Cell<T> {
  period: number;
  dimension: string | null;
  label: string | null;
  values: T;
}

/**
 * The rows of a measure: one per period (no `by`), or one per period × dimension value seen in any
 * period (every tier always, for `tier`/`segment`), ordered by label; a missing cell is `zero`.
 * `toColumns` turns a cell's values (and its period) into the measure's own columns.
 */
export function assembleRows<T>(
  periods: readonly Period[],
  by: string | undefined,
  cells: readonly Cell<T>[],
  zero: () => T,
  toColumns: (values: T, period: Period) => MeasureRow,
): MeasureRow[] {
  const key = (p: number, d: string | null) => `${p}\u0000${d ?? ''}`;
  const byCell = new Map<string, T>();
  for (const c of cells) byCell.set(key(c.period, c.dimension), c.values);
  const head = (p: Period): MeasureRow => ({ period: p.key, periodStart: p.start.toISOString() });
  if (by === undefined) {
    return periods.map((p, i) => ({ ...head(p), ...toColumns(byCell.get(key(i, null)) ?? zero(), p) }));
  }
  const labels = new Map<string | null, string>();
  if (by === 'tier' || by === 'segment') for (const [t, l] of Object.entries(TIER_LABELS)) labels.set(t, l);
  for (const c of cells) {
    const label =
      c.dimension === null
        ? '(none)'
        : ((by === 'tier' || by === 'segment' ? TIER_LABELS[c.dimension] : undefined) ??
          c.label ??
          c.dimension);
    labels.set(c.dimension, label);
  }
  const dims = [...labels.entries()].sort((a, b) =>
    by === 'tier' || by === 'segment'
      ? 0
      : a[1] < b[1]
        ? -1
        : a[1] > b[1]
          ? 1
          : String(a[0]) < String(b[0])
            ? -1
            : 1,
  );
  return periods.flatMap((p, i) =>
    dims.map(([d, label]) => ({
      ...head(p),
      dimension: d,
      label,
      ...toColumns(byCell.get(key(i, d)) ?? zero(), p),
    })),
  );
}
