// The SLA clock of one promise, pure and derived: from the promise's facts (creation, due date,
// status, every pause — all folded from its ledger events), its policy and that policy's calendar,
// at an instant `now`. Nothing about the clock is stored, so a calendar or policy change is seen at
// once, and paused time is never lost: pauses are intervals, excluded from business time on
// whatever calendar applies.
//
//   budget    = business minutes from creation to the due date (on the clock calendar)
//   used      = business minutes from creation to now (or the close), pauses excluded
//   remaining = max(0, budget - used); over = max(0, used - budget)
//   deadline  = the instant the budget runs out, pauses excluded (unknown while paused), and never
//               before the due date
//   state     = open: breached if over > 0, else paused / running;
//               kept: met, or breached if it was over when kept; broken: breached; cancelled.

import type { PauseSpan, Status, StoredCheckpoint } from '../promises/promise.js';
import { addBusinessMinutes, businessMinutesBetween, type Pause } from '../time/business-time.js';
import type { Calendar } from '../time/calendar.js';
import { budgetMinutes, clockCalendar, msOf, type SlaPolicy } from './policy.js';

export const SLA_STATES = ['running', 'paused', 'met', 'breached', 'cancelled'] as const;
export type SlaState = (typeof SLA_STATES)[number];

/** What the clock needs of a promise (a PromiseState has all of it). */
export interface ClockFacts {
  status: Status;
  createdAt: Date;
  dueAt: Date;
  closedAt: Date | null;
  pauses: readonly PauseSpan[];
  checkpoints: readonly StoredCheckpoint[] | null;
}

export interface ClockCheckpoint {
  percent: number;
  action: string;
  /** When the clock reaches it, pauses excluded; null while paused and not yet reached. */
  at: Date | null;
  reached: boolean;
}

export interface SlaClock {
  state: SlaState;
  budgetMinutes: number;
  minutesUsed: number;
  minutesRemaining: number;
  minutesOver: number;
  /** When the budget runs (or ran) out, pauses excluded; null while paused with budget left. */
  deadline: Date | null;
  checkpoints: ClockCheckpoint[];
}

/**
 * The pauses as business-time pauses, up to `end`: a pause still running ends at `end`, and the
 * parts after `end` (there are none in a consistent history) are cut off.
 */
export function pausesUntil(pauses: readonly PauseSpan[], end: Date): Pause[] {
  const e = end.getTime();
  const out: Pause[] = [];
  for (const p of pauses) {
    const a = Math.min(Date.parse(p.start), e);
    const b = Math.min(p.end === null ? e : Date.parse(p.end), e);
    if (b > a) out.push([new Date(a), new Date(b)]);
  }
  return out;
}

export function slaClock(
  facts: ClockFacts,
  policy: Pick<SlaPolicy, 'target'>,
  calendar: Calendar,
  now: Date,
): SlaClock {
  const clock = clockCalendar(policy, calendar);
  const created = facts.createdAt;
  const stop = facts.closedAt ?? now;
  // Before creation (a clock behind the record) nothing has been used.
  const end = stop.getTime() < created.getTime() ? created : stop;
  const pauses = pausesUntil(facts.pauses, end);
  const paused = facts.status === 'open' && facts.pauses.some((p) => p.end === null);

  const budgetMs = msOf(budgetMinutes(clock, created, facts.dueAt));
  const usedMs = msOf(businessMinutesBetween(clock, created, end, pauses));
  const overMs = Math.max(0, usedMs - budgetMs);
  const remainingMs = Math.max(0, budgetMs - usedMs);

  let state: SlaState;
  if (facts.status === 'cancelled') state = 'cancelled';
  else if (facts.status === 'broken' || overMs > 0) state = 'breached';
  else if (facts.status === 'kept') state = 'met';
  else state = paused ? 'paused' : 'running';

  // While paused with budget left the deadline is not known yet (the pause has no end).
  const instantAt = (ms: number, reached: boolean): Date | null =>
    paused && !reached ? null : addBusinessMinutes(clock, created, ms / 60_000, pauses);

  // A due date in closed time (Saturday noon) is reached as soon as the budget is (Friday 17:00),
  // but it is still the date: without pauses the deadline is the due date itself.
  const runsOut = instantAt(budgetMs, usedMs >= budgetMs);
  const deadline = runsOut && runsOut.getTime() < facts.dueAt.getTime() ? facts.dueAt : runsOut;
  const specs = facts.checkpoints ?? [];
  return {
    state,
    budgetMinutes: budgetMs / 60_000,
    minutesUsed: usedMs / 60_000,
    minutesRemaining: remainingMs / 60_000,
    minutesOver: overMs / 60_000,
    deadline,
    checkpoints: specs.map((c) => {
      const needMs = (budgetMs * c.percent) / 100;
      const reached = usedMs >= needMs;
      return { percent: c.percent, action: c.action, at: instantAt(needMs, reached), reached };
    }),
  };
}
