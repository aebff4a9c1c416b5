// What the ledger event of a change to a promise with an SLA policy records beyond the lifecycle
// rules' decision, pure: `slaDueAt` (the due date net of pauses, in business time on the policy's
// calendar — the projection's effectiveDueAt), new `checkpoints` after a renegotiation, and for
// `kept` whether it was late by the SLA clock (`late`, `slaMinutesOver`). Recorded in the event, so
// the projection stays a fold of the events whatever later happens to the calendar.
import type { JsonValue } from '../ledger/chain.js';
import { type Decision, evolve, type PromiseState } from '../promises/promise.js';
import type { Calendar } from '../time/calendar.js';
import { slaClock } from './clock.js';
import { deriveSla, type SlaPolicy } from './policy.js';

const SLA_FACT_EVENTS: ReadonlySet<string> = new Set([
  'resumed',
  'renegotiated',
  'kept',
  'broken',
  'cancelled',
]);

export const needsSlaFacts = (decision: Decision) => SLA_FACT_EVENTS.has(decision.type);

export function addSlaFacts(
  state: PromiseState,
  decision: Decision,
  policy: SlaPolicy,
  calendar: Calendar,
  now: Date,
  actorId: string,
): Decision {
  if (!needsSlaFacts(decision)) return decision;
  const payload: { [key: string]: JsonValue } = { ...decision.payload };
  if (decision.type === 'renegotiated') {
    const toDue = new Date(String(payload.toDueAt));
    payload.checkpoints = deriveSla(
      { createdAt: state.createdAt, dueAt: toDue, dueFromPolicy: false },
      policy,
      calendar,
    ).checkpoints.map((c) => ({ ...c }));
  }
  // The state the event leads to, to read its clock (the fold is pure, so this is exact).
  const next = evolve(
    state,
    { type: decision.type, payload, occurredAt: now, actorId },
    { workspaceId: state.workspaceId, promiseId: state.id },
  );
  const clock = slaClock(next, policy, calendar, now);
  if (clock.deadline) payload.slaDueAt = clock.deadline.toISOString();
  if (decision.type === 'kept') {
    payload.late = clock.minutesOver > 0;
    payload.slaMinutesOver = clock.minutesOver;
  }
  return { type: decision.type, payload };
}
