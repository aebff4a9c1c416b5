// Re-deriving the SLA of open promises after their policy or its calendar changed. The clock itself
// is never stored (it is derived at read time from the pauses, which no edit touches), so what moves
// is what the projection keeps: the due date when it came from the policy, the checkpoint instants,
// and the due date net of pauses. Each promise whose facts change gets an `sla_recomputed` event,
// in the caller's transaction (the edit and its consequences commit together).
import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Queryable } from '../db/connect.js';
import { promises, slaPolicies } from '../db/schema.js';
import type { JsonValue } from '../ledger/chain.js';
import { evolve, type PromiseState, type StoredCheckpoint } from '../promises/promise.js';
import { rowToStored } from '../promises/promises.repo.js';
import type { Calendar } from '../time/calendar.js';
import { DEFAULT_CALENDAR_24X7 } from '../time/calendar.js';
import { appendEvent } from './append-event.js';
import { slaClock } from './clock.js';
import { deriveSla, type SlaPolicy } from './policy.js';
import { calendarRecord, findCalendarRow, policyFromRow } from './sla.repo.js';

export type RecomputeScope = { policyId: string } | { calendarId: string };

export interface RecomputeResult {
  /** Open promises of the policy (or of the calendar's policies) that were looked at. */
  promises: number;
  /** `sla_recomputed` events appended (promises whose due date or checkpoints moved). */
  events: number;
}

/**
 * The `sla_recomputed` payload that brings one promise in line with its policy and calendar, or
 * null when nothing would change. Pure: recomputing twice gives null the second time.
 */
export function recomputeDecision(
  s: PromiseState,
  policy: SlaPolicy,
  calendar: Calendar,
  now: Date,
  why: { reason: string; calendarId: string; calendarVersion: number },
): { [key: string]: JsonValue } | null {
  const plan = deriveSla(s, policy, calendar);
  const payload: { [key: string]: JsonValue } = {
    reason: why.reason,
    policyId: policy.id,
    policyVersion: policy.version,
    calendarId: why.calendarId,
    calendarVersion: why.calendarVersion,
    fromDueAt: s.dueAt.toISOString(),
    toDueAt: plan.dueAt.toISOString(),
    checkpoints: plan.checkpoints.map((c) => ({ ...c })),
  };
  const ids = { workspaceId: s.workspaceId, promiseId: s.id };
  const next = evolve(s, { type: 'sla_recomputed', payload, occurredAt: now, actorId: s.ownerId }, ids);
  const deadline = slaClock(next, policy, calendar, now).deadline;
  if (deadline && next.pausedAt === null) payload.slaDueAt = deadline.toISOString();
  const effective = s.pausedAt ? null : deadline;
  const same =
    plan.dueAt.getTime() === s.dueAt.getTime() &&
    sameCheckpoints(plan.checkpoints, s.checkpoints) &&
    (effective?.getTime() ?? null) === (s.effectiveDueAt?.getTime() ?? null);
  return same ? null : payload;
}

// Field by field: a jsonb round trip reorders object keys.
function sameCheckpoints(a: readonly StoredCheckpoint[], b: readonly StoredCheckpoint[] | null): boolean {
  if (!b || a.length !== b.length) return false;
  return a.every((c, i) => c.percent === b[i]!.percent && c.action === b[i]!.action && c.at === b[i]!.at);
}

/**
 * Recomputes every open promise of one policy, or of every policy on one calendar. Locks the
 * policies (so a promise being created waits and then reads the new version) and the promises, in
 * id order.
 */
export async function recomputeSla(
  q: Queryable,
  {
    workspaceId,
    scope,
    actorId,
    now,
    reason,
  }: { workspaceId: string; scope: RecomputeScope; actorId: string; now: Date; reason: string },
): Promise<RecomputeResult> {
  const policyRows = await q
    .select()
    .from(slaPolicies)
    .where(
      and(
        eq(slaPolicies.workspaceId, workspaceId),
        'policyId' in scope
          ? eq(slaPolicies.id, scope.policyId)
          : eq(slaPolicies.calendarId, scope.calendarId),
      ),
    )
    .orderBy(asc(slaPolicies.id))
    .for('update');
  if (policyRows.length === 0) return { promises: 0, events: 0 };
  const policies = new Map(policyRows.map((r) => [r.id, policyFromRow(r)]));
  const calendars = new Map<string, { calendar: Calendar; version: number }>();
  for (const p of policies.values()) {
    if (calendars.has(p.calendarId)) continue;
    const row = await findCalendarRow(q, workspaceId, p.calendarId);
    calendars.set(
      p.calendarId,
      row
        ? { calendar: calendarRecord(row).calendar, version: row.version }
        : { calendar: DEFAULT_CALENDAR_24X7, version: 0 },
    );
  }

  const rows = await q
    .select()
    .from(promises)
    .where(
      and(
        eq(promises.workspaceId, workspaceId),
        eq(promises.status, 'open'),
        isNotNull(promises.slaPolicyId),
        inArray(promises.slaPolicyId, [...policies.keys()]),
      ),
    )
    .orderBy(asc(promises.id))
    .for('update');
  let events = 0;
  for (const row of rows) {
    const stored = rowToStored(row);
    const policy = policies.get(stored.state.slaPolicyId!)!;
    const cal = calendars.get(policy.calendarId)!;
    const payload = recomputeDecision(stored.state, policy, cal.calendar, now, {
      reason,
      calendarId: policy.calendarId,
      calendarVersion: cal.version,
    });
    if (!payload) continue;
    await appendEvent(q, stored, { type: 'sla_recomputed', payload }, actorId, now);
    events += 1;
  }
  return { promises: rows.length, events };
}
