// When a promise or an account is due to be reminded, pure: no I/O, time passed in. The scheduler
// stores only the next instant (`next_reminder_at`) and the last one fired (`reminders_fired_through`);
// everything else is recomputed from the subject's state with these functions.
import type { ReminderKind } from '../notifications/contract.js';
import type { PromiseState } from '../promises/promise.js';
import { DAY_MS, localBoundary, parseDate } from '../time/zone.js';

export const HOUR_MS = 3_600_000;
/** The first overdue escalation comes this long after the due instant, then one a day. */
export const OVERDUE_GRACE_MS = HOUR_MS;
/** Renewal preparation: days before the renewal date, at 09:00 in the workspace's zone. */
export const RENEWAL_PREP_DAYS = [30, 7] as const;
const RENEWAL_PREP_MINUTE = 9 * 60;

/** The checkpoints of a promise without an SLA policy (the policy defaults, src/sla/policy.ts). */
export const DEFAULT_PROMISE_CHECKPOINTS = [
  { percent: 50, action: 'internal_check_in' },
  { percent: 80, action: 'customer_update_required' },
] as const;

export interface PlannedReminder {
  kind: ReminderKind;
  /** The instant it is due to fire; its epoch ms is the key's version. */
  at: Date;
  /** Reminders of one group supersede each other when several are missed (only the latest fires). */
  group: string;
  /** Checkpoint percent, or the overdue escalation's day number (1 = the first). */
  detail?: { percent?: number; overdueDay?: number };
}

/** The facts of a promise the plan reads (a PromiseState has them all). */
export type PromisePlanInput = Pick<
  PromiseState,
  'status' | 'createdAt' | 'dueAt' | 'effectiveDueAt' | 'checkpoints' | 'pauses' | 'pausedAt'
>;

const CHECKPOINT_KIND: Record<string, ReminderKind> = {
  internal_check_in: 'checkpoint_internal_check_in',
  customer_update_required: 'checkpoint_customer_update_required',
};

/**
 * An instant moved later by the wall time of every (closed) pause that started before it: the
 * pauses are walked oldest first, so a pause that starts after the instant was already pushed
 * past its start still counts.
 */
export function shiftByPauses(atMs: number, pauses: PromisePlanInput['pauses']): number {
  const spans = pauses
    .filter((p) => p.end !== null)
    .map((p) => ({ start: Date.parse(p.start), end: Date.parse(p.end as string) }))
    .sort((a, b) => a.start - b.start);
  let t = atMs;
  for (const p of spans) if (p.start < t) t += Math.max(0, p.end - p.start);
  return t;
}

/**
 * The finite part of a promise's reminders (checkpoints and `due`), in time order; the overdue
 * series follows from `effectiveDueAt`. Empty when the promise is not open or is paused.
 *
 * Checkpoints: the stored policy checkpoints (instants computed at creation, pauses not applied),
 * or without a policy 50% and 80% of creation → due date; either way moved later by the wall time
 * paused before them, so a pause never moves a checkpoint that already passed (no second firing).
 * A checkpoint at or before creation, or at or after the due instant, is left out.
 */
export function promiseMilestones(s: PromisePlanInput): PlannedReminder[] {
  if (s.status !== 'open' || s.pausedAt !== null || s.effectiveDueAt === null) return [];
  const created = s.createdAt.getTime();
  const due = s.effectiveDueAt.getTime();
  const stored =
    s.checkpoints ??
    DEFAULT_PROMISE_CHECKPOINTS.map((c) => ({
      ...c,
      at: new Date(created + Math.round(((s.dueAt.getTime() - created) * c.percent) / 100)).toISOString(),
    }));
  const out: PlannedReminder[] = [];
  for (const c of stored) {
    const kind = CHECKPOINT_KIND[c.action];
    const base = Date.parse(c.at);
    if (!kind || Number.isNaN(base)) continue;
    const at = shiftByPauses(base, s.pauses);
    if (at <= created || at >= due) continue;
    out.push({ kind, at: new Date(at), group: 'promise', detail: { percent: c.percent } });
  }
  out.push({ kind: 'due', at: new Date(due), group: 'promise' });
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

function overdueAt(due: number, day: number): PlannedReminder {
  return {
    kind: 'overdue',
    at: new Date(due + OVERDUE_GRACE_MS + (day - 1) * DAY_MS),
    group: 'promise',
    detail: { overdueDay: day },
  };
}

/** The first overdue escalation strictly after `afterMs`. */
function firstOverdueAfter(due: number, afterMs: number): PlannedReminder {
  const first = due + OVERDUE_GRACE_MS;
  if (afterMs < first) return overdueAt(due, 1);
  return overdueAt(due, Math.floor((afterMs - first) / DAY_MS) + 2);
}

/** The latest overdue escalation in (afterMs, nowMs], if any. */
function latestOverdueIn(due: number, afterMs: number, nowMs: number): PlannedReminder | null {
  const first = due + OVERDUE_GRACE_MS;
  if (nowMs < first) return null;
  const r = overdueAt(due, Math.floor((nowMs - first) / DAY_MS) + 1);
  return r.at.getTime() > afterMs ? r : null;
}

/**
 * Picks the reminder to fire next from candidates strictly after `after`: when some are already
 * due at `now` (a process that was down, a resume, a date moved into the past), the latest of each
 * group — it supersedes the earlier ones — and of those the earliest, so every group is told once
 * in time order; otherwise the first upcoming one.
 */
function pick(candidates: PlannedReminder[], nowMs: number): PlannedReminder | null {
  const elapsed = candidates.filter((c) => c.at.getTime() <= nowMs);
  if (elapsed.length === 0) {
    let first: PlannedReminder | null = null;
    for (const c of candidates) if (!first || c.at.getTime() < first.at.getTime()) first = c;
    return first;
  }
  const latestByGroup = new Map<string, PlannedReminder>();
  for (const c of elapsed) {
    const seen = latestByGroup.get(c.group);
    if (!seen || c.at.getTime() > seen.at.getTime()) latestByGroup.set(c.group, c);
  }
  let out: PlannedReminder | null = null;
  for (const c of latestByGroup.values()) if (!out || c.at.getTime() < out.at.getTime()) out = c;
  return out;
}

/**
 * The promise's next reminder strictly after `after` (null: from the beginning), collapsing what
 * is already due at `now` into the latest of it. Null when the promise is closed or paused.
 */
export function nextPromiseReminder(
  s: PromisePlanInput,
  after: Date | null,
  now: Date,
): PlannedReminder | null {
  const milestones = promiseMilestones(s);
  if (milestones.length === 0) return null;
  const afterMs = after ? after.getTime() : Number.NEGATIVE_INFINITY;
  const nowMs = now.getTime();
  const due = (s.effectiveDueAt as Date).getTime();
  const candidates = milestones.filter((m) => m.at.getTime() > afterMs);
  const next = firstOverdueAfter(due, afterMs);
  candidates.push(next);
  const latest = latestOverdueIn(due, afterMs, nowMs);
  if (latest && latest.at.getTime() !== next.at.getTime()) candidates.push(latest);
  return pick(candidates, nowMs);
}

/** The facts of an account the plan reads. */
export interface AccountPlanInput {
  createdAt: Date;
  renewalDate: string | null;
  lastActivityAt: Date | null;
  /** The workspace's zone and inactivity threshold. */
  timeZone: string;
  inactivityDays: number;
}

/**
 * An account's reminders: renewal preparation 30 and 7 days before the renewal date (09:00 in the
 * workspace's zone), left out once the renewal date has begun or when before the account existed;
 * inactivity at (last product activity, else creation) + the workspace's threshold.
 */
export function accountReminders(a: AccountPlanInput, now: Date): PlannedReminder[] {
  const out: PlannedReminder[] = [];
  const created = a.createdAt.getTime();
  const renewalDay = a.renewalDate === null ? null : parseDate(a.renewalDate);
  if (renewalDay !== null) {
    const renewalStarts = localBoundary(a.timeZone, renewalDay, 0);
    if (now.getTime() < renewalStarts) {
      for (const days of RENEWAL_PREP_DAYS) {
        const at = localBoundary(a.timeZone, renewalDay - days, RENEWAL_PREP_MINUTE);
        if (at > created) out.push({ kind: 'renewal_prep', at: new Date(at), group: 'renewal' });
      }
    }
  }
  const since = (a.lastActivityAt ?? a.createdAt).getTime();
  out.push({ kind: 'inactivity', at: new Date(since + a.inactivityDays * DAY_MS), group: 'inactivity' });
  return out.sort((x, y) => x.at.getTime() - y.at.getTime());
}

/** The account's next reminder strictly after `after`, collapsed like a promise's (per group). */
export function nextAccountReminder(
  a: AccountPlanInput,
  after: Date | null,
  now: Date,
): PlannedReminder | null {
  const afterMs = after ? after.getTime() : Number.NEGATIVE_INFINITY;
  return pick(
    accountReminders(a, now).filter((r) => r.at.getTime() > afterMs),
    now.getTime(),
  );
}

/** The effect's identity: a moved date gives new instants and so new keys; a retry the same key. */
export const reminderKey = (subjectType: 'promise' | 'account', subjectId: string, r: PlannedReminder) =>
  `${subjectType}:${subjectId}:${r.kind}:${r.at.getTime()}`;
