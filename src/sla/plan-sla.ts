// The SLA side of the promise use cases (the shell around policy.ts and clock.ts):
// - planSla: on create, the matching policy, the due date when none is given, and the checkpoints;
// - withSlaFacts: on a change, the facts the ledger event must carry for a promise with a policy
//   (sla-facts.ts), so the projection stays a fold of the events.
import type { Queryable } from '../db/connect.js';
import { AppError } from '../errors.js';
import type { Decision, PromiseState, StoredCheckpoint } from '../promises/promise.js';
import { type Calendar, DEFAULT_CALENDAR_24X7 } from '../time/calendar.js';
import { deriveSla, matchPolicy, type SlaPolicy } from './policy.js';
import { calendarRecord, findCalendarRow, findPolicyRow, listPolicyRows, policyFromRow } from './sla.repo.js';
import { addSlaFacts, needsSlaFacts } from './sla-facts.js';

export interface SlaPlanInput {
  workspaceId: string;
  typeKey: string;
  tier: string;
  priority: string | null;
  dueAt: Date | undefined;
  now: Date;
}

export interface PlannedSla {
  slaPolicyId: string | null;
  dueAt: Date;
  dueFromPolicy: boolean;
  checkpoints: StoredCheckpoint[] | null;
}

/** A policy with its calendar, read consistently with a concurrent policy or calendar edit. */
export async function policyWithCalendar(
  q: Queryable,
  workspaceId: string,
  policyId: string,
): Promise<{ policy: SlaPolicy; calendar: Calendar } | undefined> {
  // FOR SHARE waits for an edit of the policy in progress (which also locks the policies of an
  // edited calendar), so the calendar read next is the edited one.
  const row = await findPolicyRow(q, workspaceId, policyId, 'share');
  if (!row) return undefined;
  const cal = await findCalendarRow(q, workspaceId, row.calendarId);
  return { policy: policyFromRow(row), calendar: cal ? calendarRecord(cal).calendar : DEFAULT_CALENDAR_24X7 };
}

/** The SLA a new promise gets. Without a matching policy the due date must be given. */
export async function planSla(q: Queryable, input: SlaPlanInput): Promise<PlannedSla> {
  const policies = (await listPolicyRows(q, input.workspaceId)).map(policyFromRow);
  const matched = matchPolicy(policies, input);
  const found = matched && (await policyWithCalendar(q, input.workspaceId, matched.id));
  if (!found?.policy.active) {
    if (!input.dueAt) {
      throw new AppError(
        'validation_failed',
        'dueAt: is required: no SLA policy matches this promise (type, account tier, priority) to derive it from',
        { field: 'dueAt' },
      );
    }
    return { slaPolicyId: null, dueAt: input.dueAt, dueFromPolicy: false, checkpoints: null };
  }
  const { policy, calendar } = found;
  const dueFromPolicy = input.dueAt === undefined;
  const plan = deriveSla(
    { createdAt: input.now, dueAt: input.dueAt ?? input.now, dueFromPolicy },
    policy,
    calendar,
  );
  return { slaPolicyId: policy.id, dueAt: plan.dueAt, dueFromPolicy, checkpoints: plan.checkpoints };
}

/**
 * Adds to a decision on a promise with an SLA policy what its event must record (see sla-facts.ts),
 * loading the policy and its calendar. Other decisions, and promises without a policy, pass through.
 */
export async function withSlaFacts(
  q: Queryable,
  state: PromiseState,
  decision: Decision,
  now: Date,
  actorId: string,
): Promise<Decision> {
  if (!state.slaPolicyId || !needsSlaFacts(decision)) return decision;
  const found = await policyWithCalendar(q, state.workspaceId, state.slaPolicyId);
  if (!found) return decision;
  return addSlaFacts(state, decision, found.policy, found.calendar, now, actorId);
}
