// SLA policies, pure: their shape and validation, which policy a promise gets (first match wins,
// the fallback when none does), and the SLA facts derived from a policy for one promise (its due
// date when the policy gives it, and its checkpoint instants).

import { z } from 'zod';
import { TIERS } from '../accounts/account.js';
import { AppError } from '../errors.js';
import { PRIORITIES, type StoredCheckpoint } from '../promises/promise.js';
import { addBusinessMinutes, businessMinutesBetween, MAX_MINUTES } from '../time/business-time.js';
import { type Calendar, DEFAULT_CALENDAR_24X7 } from '../time/calendar.js';

export const CHECKPOINT_ACTIONS = ['internal_check_in', 'customer_update_required'] as const;
export const TARGET_KINDS = ['business', 'calendar'] as const;
export type CheckpointAction = (typeof CHECKPOINT_ACTIONS)[number];
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface CheckpointSpec {
  /** Percent of the promise's timeline (creation → due, in the policy's time). */
  percent: number;
  action: CheckpointAction;
}

/** One row of a remedy schedule: from this many business minutes late on, this credit applies. */
export interface RemedyStep {
  fromBusinessMinutesLate: number;
  creditPercent: number;
}

export type Escalation = { to: 'owner_manager' } | { to: 'user'; userId: string };

export interface SlaPolicy {
  id: string;
  name: string;
  position: number;
  isFallback: boolean;
  active: boolean;
  /** Empty lists match everything. */
  match: { typeKeys: string[]; tiers: string[]; priorities: string[] };
  calendarId: string;
  target: { kind: TargetKind; minutes: number };
  checkpoints: CheckpointSpec[];
  escalation: Escalation;
  /** Empty: the promise carries no guarantee (no remedy is due when it is missed). */
  remedySchedule: RemedyStep[];
  /** Credits above this amount (minor units) need a manager's approval; null = no limit. */
  approvalLimitMinor: number | null;
  version: number;
  createdAt: Date;
}

export const DEFAULT_CHECKPOINTS: readonly CheckpointSpec[] = Object.freeze([
  { percent: 50, action: 'internal_check_in' },
  { percent: 80, action: 'customer_update_required' },
]);

// ---------------------------------------------------------------------------------------------
// Validation (the HTTP bodies use these schemas; errors name the field).

const key = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a key such as support_resolution');

export const checkpointsSchema = z
  .array(
    z.strictObject({
      percent: z
        .number({ error: 'must be a number' })
        .gt(0, 'must be more than 0')
        .lt(100, 'must be less than 100 (100% is the due date itself)'),
      action: z.enum(CHECKPOINT_ACTIONS),
    }),
  )
  .max(10, 'at most 10 checkpoints')
  .superRefine((list, ctx) => {
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.percent <= list[i - 1]!.percent) {
        ctx.addIssue({ code: 'custom', path: [i, 'percent'], message: 'percents must be increasing' });
      }
    }
  });

export const remedyScheduleSchema = z
  .array(
    z.strictObject({
      fromBusinessMinutesLate: z
        .number({ error: 'must be a number of business minutes' })
        .gt(0, 'must be more than 0 (on time is never credited)')
        .max(MAX_MINUTES, 'must be at most 100 years'),
      creditPercent: z.number({ error: 'must be a number' }).gt(0, 'must be more than 0').max(100),
    }),
  )
  .max(20, 'at most 20 steps')
  .superRefine((list, ctx) => {
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.fromBusinessMinutesLate <= list[i - 1]!.fromBusinessMinutesLate) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'fromBusinessMinutesLate'],
          message: 'steps must be in increasing order of lateness',
        });
      }
      // A later delay never earns a smaller credit.
      if (list[i]!.creditPercent < list[i - 1]!.creditPercent) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'creditPercent'],
          message: 'must not be smaller than the credit of the step before',
        });
      }
    }
  });

export const targetSchema = z.strictObject({
  kind: z.enum(TARGET_KINDS),
  minutes: z
    .number({ error: 'must be a number of minutes' })
    .int('must be a whole number of minutes')
    .min(1, 'must be at least 1 minute')
    .max(MAX_MINUTES, 'must be at most 100 years (52596000 minutes)'),
});

export const escalationSchema = z.discriminatedUnion('to', [
  z.strictObject({ to: z.literal('owner_manager') }),
  z.strictObject({ to: z.literal('user'), userId: z.uuid({ message: 'must be a UUID' }) }),
]);

export const matchSchema = z.strictObject({
  typeKeys: z.array(key).max(50).default([]),
  tiers: z.array(z.enum(TIERS)).max(10).default([]),
  priorities: z.array(z.enum(PRIORITIES)).max(10).default([]),
});

// ---------------------------------------------------------------------------------------------
// Matching

export interface PromiseFacts {
  typeKey: string;
  tier: string;
  priority: string | null;
}

const matches = (list: string[], value: string | null) =>
  list.length === 0 || (value !== null && list.includes(value));

/** Active policies in order (position, then age), fallback excluded. */
export function orderedPolicies(policies: readonly SlaPolicy[]): SlaPolicy[] {
  return policies
    .filter((p) => p.active && !p.isFallback)
    .sort(
      (a, b) =>
        a.position - b.position || a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
    );
}

/** The first active policy whose match fits the promise, else the active fallback, else none. */
export function matchPolicy(policies: readonly SlaPolicy[], facts: PromiseFacts): SlaPolicy | undefined {
  for (const p of orderedPolicies(policies)) {
    if (
      matches(p.match.typeKeys, facts.typeKey) &&
      matches(p.match.tiers, facts.tier) &&
      matches(p.match.priorities, facts.priority)
    ) {
      return p;
    }
  }
  return policies.find((p) => p.isFallback && p.active);
}

// ---------------------------------------------------------------------------------------------
// Derivation

/**
 * The calendar the clock of a policy runs on: its business calendar, or — for a target in calendar
 * minutes — every minute (24×7; elapsed time is the same in every zone).
 */
export const clockCalendar = (policy: Pick<SlaPolicy, 'target'>, calendar: Calendar): Calendar =>
  policy.target.kind === 'business' ? calendar : DEFAULT_CALENDAR_24X7;

/** Whole milliseconds of business time, from minutes that are themselves whole milliseconds. */
export const msOf = (minutes: number) => Math.round(minutes * 60_000);

/** The promise's time budget: business minutes from creation to its due date (0 when due at once). */
export function budgetMinutes(clock: Calendar, createdAt: Date, dueAt: Date): number {
  return dueAt.getTime() <= createdAt.getTime() ? 0 : businessMinutesBetween(clock, createdAt, dueAt);
}

export interface SlaPlan {
  dueAt: Date;
  checkpoints: StoredCheckpoint[];
}

/**
 * The SLA facts a policy gives one promise, pauses not applied: the due date (the target added to
 * the creation time on the clock calendar when it came from the policy, else the promise's own)
 * and each checkpoint instant (its percent of the budget, added to the creation time).
 */
export function deriveSla(
  promise: { createdAt: Date; dueAt: Date; dueFromPolicy: boolean },
  policy: Pick<SlaPolicy, 'target' | 'checkpoints'>,
  calendar: Calendar,
): SlaPlan {
  const clock = clockCalendar(policy, calendar);
  const dueAt = promise.dueFromPolicy
    ? addBusinessMinutes(clock, promise.createdAt, policy.target.minutes)
    : promise.dueAt;
  const budget = promise.dueFromPolicy
    ? policy.target.minutes
    : budgetMinutes(clock, promise.createdAt, dueAt);
  const budgetMs = msOf(budget);
  const checkpoints = policy.checkpoints.map((c) => ({
    percent: c.percent,
    action: c.action,
    at: addBusinessMinutes(clock, promise.createdAt, (budgetMs * c.percent) / 100 / 60_000).toISOString(),
  }));
  return { dueAt, checkpoints };
}

/** Refuses a business-time target on a calendar that is never open (no deadline could be reached). */
export function checkCalendarUsable(calendar: Calendar, kind: TargetKind, field: string): void {
  if (kind !== 'business') return;
  const open = Object.values(calendar.week).some((day) => day.length > 0);
  if (!open) {
    throw new AppError(
      'validation_failed',
      `${field}: the calendar has no opening hours, so a business-time target could never be reached`,
      { field },
    );
  }
}
