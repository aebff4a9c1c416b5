// The account measures' rules, pure: who is a customer at an instant, a customer's ARR then, what
// a period's renewal outcomes did (churn, expansion, contraction), whether an account was at risk
// when it came up for renewal, and the month ends a start cohort is measured at. No I/O; the
// instants and the zone are passed in.
import { Temporal } from 'temporal-polyfill';
import type { Temperature, Tier } from '../accounts/account.js';
import { parseDate } from '../time/zone.js';
import { type Period, startOfDay } from './period.js';

export interface AccountFact {
  id: string;
  name: string;
  tier: Tier;
  ownerId: string;
  arrMinor: number;
  currency: string;
  temperature: Temperature | null;
  /** Local date (epoch days) the account became a customer: contract start, else the day it was created. */
  startDay: number;
  /** The instant it became a customer: the first instant of its contract start, else created_at. */
  startAt: Date;
  /** `YYYY-MM-DD` in the workspace zone. */
  renewalDate: string | null;
}

export interface RenewalOutcome {
  occurredAt: Date;
  outcome: 'renewed' | 'churned';
  arrBeforeMinor: number;
  arrAfterMinor: number;
  currency: string;
}

/** Each account's renewal outcomes, oldest first. */
export type OutcomesByAccount = ReadonlyMap<string, readonly RenewalOutcome[]>;

/** The latest renewal outcome strictly before an instant (the list is oldest first). */
export function latestOutcomeBefore(
  list: readonly RenewalOutcome[] | undefined,
  at: Date,
): RenewalOutcome | null {
  let found: RenewalOutcome | null = null;
  for (const o of list ?? []) {
    if (o.occurredAt.getTime() < at.getTime()) found = o;
    else break;
  }
  return found;
}

/**
 * A customer at an instant: it had started (contract start, else creation, before the instant) and
 * its latest renewal outcome before the instant, if any, is not `churned` (a customer won back by a
 * later renewal is a customer again).
 */
export function isCustomerAt(a: AccountFact, list: readonly RenewalOutcome[] | undefined, at: Date): boolean {
  if (a.startAt.getTime() >= at.getTime()) return false;
  return latestOutcomeBefore(list, at)?.outcome !== 'churned';
}

/**
 * A customer's ARR at an instant: `arrAfter` of its latest renewal outcome before it; else
 * `arrBefore` of its first one after; else its current ARR. Each in the currency it was recorded in.
 */
export function arrAt(
  a: AccountFact,
  list: readonly RenewalOutcome[] | undefined,
  at: Date,
): { minor: number; currency: string } {
  const before = latestOutcomeBefore(list, at);
  if (before) return { minor: before.arrAfterMinor, currency: before.currency };
  const after = (list ?? []).find((o) => o.occurredAt.getTime() >= at.getTime());
  if (after) return { minor: after.arrBeforeMinor, currency: after.currency };
  return { minor: a.arrMinor, currency: a.currency };
}

export const inPeriod = (t: Date, p: Pick<Period, 'start' | 'end'>): boolean =>
  t.getTime() >= p.start.getTime() && t.getTime() < p.end.getTime();

export const outcomesIn = (
  list: readonly RenewalOutcome[] | undefined,
  p: Pick<Period, 'start' | 'end'>,
): RenewalOutcome[] => (list ?? []).filter((o) => inPeriod(o.occurredAt, p));

// ---------------------------------------------------------------------------------------------
// Churn, NRR, LTV.

/** The customers at the period start, and which of them a `churned` outcome in the period lost. */
export function churnCounts(
  accs: readonly AccountFact[],
  outcomes: OutcomesByAccount,
  p: Pick<Period, 'start' | 'end'>,
): { atStart: AccountFact[]; lost: Set<string> } {
  const atStart: AccountFact[] = [];
  const lost = new Set<string>();
  const from = p.start.getTime();
  const to = p.end.getTime();
  for (const a of accs) {
    const list = outcomes.get(a.id);
    if (!isCustomerAt(a, list, p.start)) continue;
    atStart.push(a);
    for (const o of list ?? []) {
      const t = o.occurredAt.getTime();
      if (t >= to) break;
      if (t >= from && o.outcome === 'churned') {
        lost.add(a.id);
        break;
      }
    }
  }
  return { atStart, lost };
}

/** One currency's customers at the start and what their renewal outcomes in the period did. */
export interface CurrencyBucket {
  customers: number;
  start: number;
  expansion: number;
  contraction: number;
  churned: number;
  /** Customers (whose start ARR is in this currency) lost in the period. */
  lost: number;
}

export const emptyBucket = (): CurrencyBucket => ({
  customers: 0,
  start: 0,
  expansion: 0,
  contraction: 0,
  churned: 0,
  lost: 0,
});

/** Per currency: the customers at the start, their start ARR and what their outcomes in the period did. */
export function arrBuckets(
  accs: readonly AccountFact[],
  outcomes: OutcomesByAccount,
  p: Pick<Period, 'start' | 'end'>,
): Map<string, CurrencyBucket> {
  const out = new Map<string, CurrencyBucket>();
  const bucket = (c: string) => {
    const b = out.get(c) ?? emptyBucket();
    out.set(c, b);
    return b;
  };
  for (const a of accs) {
    const list = outcomes.get(a.id);
    if (!isCustomerAt(a, list, p.start)) continue;
    const arr = arrAt(a, list, p.start);
    const b = bucket(arr.currency);
    b.customers += 1;
    b.start += arr.minor;
    let lost = false;
    for (const o of outcomesIn(list, p)) {
      const ob = bucket(o.currency);
      if (o.outcome === 'churned') {
        ob.churned += o.arrBeforeMinor;
        lost = true;
      } else if (o.arrAfterMinor > o.arrBeforeMinor) ob.expansion += o.arrAfterMinor - o.arrBeforeMinor;
      else ob.contraction += o.arrBeforeMinor - o.arrAfterMinor;
    }
    if (lost) b.lost += 1;
  }
  return out;
}

/**
 * LTV of one currency bucket over a period of `days` days: average start ARR × days / 365 (the
 * revenue of one account in the period) / churn rate (a fraction). Null when there were no
 * customers or nobody churned (no data, never Infinity).
 */
export function ltvOf(
  b: CurrencyBucket,
  days: number,
): { averageArr: number | null; revenue: number | null; ltv: number | null } {
  if (b.customers === 0) return { averageArr: null, revenue: null, ltv: null };
  const averageArr = b.start / b.customers;
  const revenue = (averageArr * days) / 365;
  const churnRate = b.lost / b.customers;
  return { averageArr, revenue, ltv: churnRate === 0 ? null : revenue / churnRate };
}

// ---------------------------------------------------------------------------------------------
// Renewal-save rate.

export interface RiskFacts {
  /** Each account's temperature readings, oldest first. */
  temperatures: ReadonlyMap<string, readonly { temperature: Temperature; setAt: Date }[]>;
  /** Each account's promises whose business consequence is renewal risk. */
  renewalRiskPromises: ReadonlyMap<string, readonly { createdAt: Date; closedAt: Date | null }[]>;
  /** Each account's billing events, oldest first. */
  billing: ReadonlyMap<
    string,
    readonly { occurredAt: Date; event: 'payment_failed' | 'payment_recovered' }[]
  >;
}

/**
 * Why an account was at risk at an instant: its temperature then (the latest reading at or before
 * it; with no readings at all, its current temperature) was strained or fragile, or it was flagged:
 * an open promise whose consequence is renewal risk, or a payment failure not followed by a recovery.
 */
export function riskAt(
  a: Pick<AccountFact, 'id' | 'temperature'>,
  r: RiskFacts,
  at: Date,
): { temperature: boolean; flagged: boolean } {
  const t = at.getTime();
  const history = r.temperatures.get(a.id);
  let temp: Temperature | null = history === undefined || history.length === 0 ? a.temperature : null;
  for (const h of history ?? []) if (h.setAt.getTime() <= t) temp = h.temperature;
  const openRenewalRisk = (r.renewalRiskPromises.get(a.id) ?? []).some(
    (p) => p.createdAt.getTime() <= t && (p.closedAt === null || p.closedAt.getTime() > t),
  );
  let unrecoveredPayment = false;
  for (const b of r.billing.get(a.id) ?? []) {
    if (b.occurredAt.getTime() > t) break;
    unrecoveredPayment = b.event === 'payment_failed';
  }
  return {
    temperature: temp === 'strained' || temp === 'fragile',
    flagged: openRenewalRisk || unrecoveredPayment,
  };
}

/**
 * How far from a renewal date an outcome still answers it: an outcome recorded up to 90 days before
 * or after the date is that renewal's (the date is not moved when the outcome is recorded), so the
 * renewal counts once, in the outcome's period, never again in the date's.
 */
export const RENEWAL_ANSWER_DAYS = 90;
const ANSWER_MS = RENEWAL_ANSWER_DAYS * 86_400_000;

/** Whether some outcome lies within RENEWAL_ANSWER_DAYS of the start of the renewal day. */
const dateAnswered = (list: readonly RenewalOutcome[] | undefined, dateStart: Date): boolean =>
  (list ?? []).some((o) => Math.abs(o.occurredAt.getTime() - dateStart.getTime()) < ANSWER_MS);

export type RenewalVerdict =
  | { status: 'pending' }
  | { status: 'renewed' | 'churned' | 'no_outcome'; byTemperature: boolean; flagged: boolean };

/**
 * One account's renewal in a period, if it is an at-risk one: null when it had no renewal in the
 * period (no outcome in it, and no renewal date in it that an outcome within RENEWAL_ANSWER_DAYS
 * has not already answered), was already lost before it, or was not at risk at its renewal instant
 * (the first outcome in the period, else the start of the renewal date). A renewal date still ahead
 * of `now` with no outcome yet is pending.
 */
export function renewalVerdict(
  a: AccountFact,
  list: readonly RenewalOutcome[] | undefined,
  risk: RiskFacts,
  p: Period,
  now: Date,
  zone: string,
): RenewalVerdict | null {
  const inP = outcomesIn(list, p);
  const renewalDay = a.renewalDate === null ? null : parseDate(a.renewalDate);
  const dateInP =
    renewalDay !== null &&
    renewalDay >= p.firstEpochDay &&
    renewalDay < p.endEpochDay &&
    !dateAnswered(list, startOfDay(renewalDay, zone));
  if (inP.length === 0 && !dateInP) return null;
  if (inP.length === 0 && latestOutcomeBefore(list, p.start)?.outcome === 'churned') return null;
  const at = inP[0]?.occurredAt ?? startOfDay(renewalDay!, zone);
  const why = riskAt(a, risk, at);
  if (!why.temperature && !why.flagged) return null;
  if (inP.length === 0 && at.getTime() > now.getTime()) return { status: 'pending' };
  const status = inP.some((o) => o.outcome === 'renewed')
    ? 'renewed'
    : inP.length > 0
      ? 'churned'
      : 'no_outcome';
  return { status, byTemperature: why.temperature, flagged: why.flagged };
}

// ---------------------------------------------------------------------------------------------
// Cohort retention.

/** The most month ends reported per cohort (ten years). */
export const MAX_COHORT_MONTHS = 120;

/** The local date `k` months after a date (the day clamped to the month's length). */
export const addMonths = (day: string, k: number): string =>
  Temporal.PlainDate.from(day).add({ months: k }).toString();

/**
 * The instants a cohort (the accounts starting in period `p`) is measured at: index 0 is the end
 * of the period, then each following month end, while that month has begun before `now`; a month end
 * still ahead is measured as of `now`.
 */
export function cohortCheckpoints(p: Period, now: Date, zone: string): Date[] {
  const out: Date[] = [];
  for (let k = 0; k < MAX_COHORT_MONTHS; k++) {
    const begun = k === 0 ? p.start : startOfDay(parseDate(addMonths(p.endDay, k - 1))!, zone);
    if (k > 0 && begun.getTime() >= now.getTime()) break;
    const end = startOfDay(parseDate(addMonths(p.endDay, k))!, zone);
    out.push(end.getTime() > now.getTime() ? now : end);
    if (end.getTime() > now.getTime()) break;
  }
  return out;
}

/** The members of a cohort still customers at an instant (no `churned` as their latest outcome before it). */
export const retainedAt = (cohort: readonly AccountFact[], outcomes: OutcomesByAccount, at: Date): number =>
  cohort.filter((a) => latestOutcomeBefore(outcomes.get(a.id), at)?.outcome !== 'churned').length;

// ---------------------------------------------------------------------------------------------
// One account over many periods. The measures walk each account once and look its outcomes up by
// binary search per period, so a request costs accounts × periods × log(outcomes) instead of a
// scan of every list per (period × account). Each function equals its per-period counterpart
// above (fast-check properties in account-rules.test.ts); lists must be oldest first.

/** The index of the first outcome at or after `t` (ms since the epoch). */
export function firstAtOrAfter(list: readonly RenewalOutcome[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.occurredAt.getTime() < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const NO_OUTCOMES: readonly RenewalOutcome[] = [];

/** Whether the latest outcome before index `i` (exclusive) is `churned`. */
const churnedBefore = (list: readonly RenewalOutcome[], i: number): boolean =>
  i > 0 && list[i - 1]!.outcome === 'churned';

/** Per period: the customers at its start and those of them lost in it (as `churnCounts`). */
export interface ChurnTally {
  atStart: number;
  lost: number;
}

/** Adds one account to each period's churn tally (`tallies[i]` is `periods[i]`'s). */
export function tallyChurn(
  tallies: ChurnTally[],
  a: Pick<AccountFact, 'startAt'>,
  list: readonly RenewalOutcome[] | undefined,
  periods: readonly Pick<Period, 'start' | 'end'>[],
): void {
  const l = list ?? NO_OUTCOMES;
  const startAt = a.startAt.getTime();
  for (let k = 0; k < periods.length; k++) {
    const from = periods[k]!.start.getTime();
    if (startAt >= from) continue;
    const i = firstAtOrAfter(l, from);
    if (churnedBefore(l, i)) continue;
    const t = tallies[k]!;
    t.atStart += 1;
    const to = periods[k]!.end.getTime();
    for (let j = i; j < l.length && l[j]!.occurredAt.getTime() < to; j++) {
      if (l[j]!.outcome === 'churned') {
        t.lost += 1;
        break;
      }
    }
  }
}

/** Adds one account to each period's currency buckets (`buckets[i]` is `periods[i]`'s; as `arrBuckets`). */
export function tallyArr(
  buckets: Map<string, CurrencyBucket>[],
  a: Pick<AccountFact, 'startAt' | 'arrMinor' | 'currency'>,
  list: readonly RenewalOutcome[] | undefined,
  periods: readonly Pick<Period, 'start' | 'end'>[],
): void {
  const l = list ?? NO_OUTCOMES;
  const startAt = a.startAt.getTime();
  for (let k = 0; k < periods.length; k++) {
    const from = periods[k]!.start.getTime();
    if (startAt >= from) continue;
    const i = firstAtOrAfter(l, from);
    if (churnedBefore(l, i)) continue;
    const out = buckets[k]!;
    const bucket = (c: string) => {
      let b = out.get(c);
      if (b === undefined) {
        b = emptyBucket();
        out.set(c, b);
      }
      return b;
    };
    // The ARR at the start: after the latest outcome before it, else before the first after it.
    const before = i > 0 ? l[i - 1] : undefined;
    const after = l[i];
    const b = before ? bucket(before.currency) : after ? bucket(after.currency) : bucket(a.currency);
    b.customers += 1;
    b.start += before ? before.arrAfterMinor : after ? after.arrBeforeMinor : a.arrMinor;
    const to = periods[k]!.end.getTime();
    let lost = false;
    for (let j = i; j < l.length && l[j]!.occurredAt.getTime() < to; j++) {
      const o = l[j]!;
      const ob = bucket(o.currency);
      if (o.outcome === 'churned') {
        ob.churned += o.arrBeforeMinor;
        lost = true;
      } else if (o.arrAfterMinor > o.arrBeforeMinor) ob.expansion += o.arrAfterMinor - o.arrBeforeMinor;
      else ob.contraction += o.arrBeforeMinor - o.arrAfterMinor;
    }
    if (lost) b.lost += 1;
  }
}

/**
 * `renewalVerdict` with the renewal date already as epoch days and the start of a local day
 * passed in (the caller caches it: one zone conversion per distinct day, not per account).
 */
export function renewalVerdictOf(
  a: Pick<AccountFact, 'id' | 'temperature'>,
  renewalDay: number | null,
  list: readonly RenewalOutcome[] | undefined,
  risk: RiskFacts,
  p: Pick<Period, 'start' | 'end' | 'firstEpochDay' | 'endEpochDay'>,
  now: Date,
  dayStart: (epochDay: number) => Date,
): RenewalVerdict | null {
  const l = list ?? NO_OUTCOMES;
  const from = p.start.getTime();
  const to = p.end.getTime();
  const i = firstAtOrAfter(l, from);
  let j = i;
  while (j < l.length && l[j]!.occurredAt.getTime() < to) j++;
  const n = j - i;
  let dateInP = renewalDay !== null && renewalDay >= p.firstEpochDay && renewalDay < p.endEpochDay;
  if (n === 0 && dateInP) {
    // Answered by an outcome near the date (in another period): counted there, not here.
    const t = dayStart(renewalDay!).getTime();
    const k = firstAtOrAfter(l, t - ANSWER_MS + 1);
    if (k < l.length && l[k]!.occurredAt.getTime() < t + ANSWER_MS) dateInP = false;
  }
  if (n === 0 && !dateInP) return null;
  if (n === 0 && churnedBefore(l, i)) return null;
  const at = n > 0 ? l[i]!.occurredAt : dayStart(renewalDay!);
  const why = riskAt(a, risk, at);
  if (!why.temperature && !why.flagged) return null;
  if (n === 0 && at.getTime() > now.getTime()) return { status: 'pending' };
  let renewed = false;
  for (let x = i; x < j; x++) if (l[x]!.outcome === 'renewed') renewed = true;
  const status = renewed ? 'renewed' : n > 0 ? 'churned' : 'no_outcome';
  return { status, byTemperature: why.temperature, flagged: why.flagged };
}

/** Whether an account is still a customer at an instant, for cohorts (as `retainedAt` of one). */
export const retainedOne = (list: readonly RenewalOutcome[] | undefined, at: Date): boolean =>
  !churnedBefore(list ?? NO_OUTCOMES, firstAtOrAfter(list ?? NO_OUTCOMES, at.getTime()));
