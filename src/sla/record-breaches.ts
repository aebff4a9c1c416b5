// Recording SLA breaches: every open promise whose SLA clock is over budget at `now` gets one
// `sla_breached` event. Idempotent: the projection's sla_breached_at marks it recorded, and the row
// is locked and re-checked before appending, so concurrent runs (several servers) record it once.
import { and, asc, eq, gt, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { AppContext } from '../context.js';
import { promises } from '../db/schema.js';
import { lockPromise, rowToStored } from '../promises/promises.repo.js';
import { appendEvent } from './append-event.js';
import { slaClock } from './clock.js';
import { loadSlaSetup, type SlaSetup } from './sla.repo.js';

const PAGE = 500;

export interface BreachRun {
  /** Open promises past their nominal due date that were checked. */
  checked: number;
  /** Breaches recorded by this run (promise ids). */
  recorded: string[];
}

/**
 * Records the breaches of every workspace (or one). The event's actor is `actorId` when given (an
 * admin running it), else the promise's owner — the ledger names a person for every event.
 */
export async function recordBreaches(
  ctx: AppContext,
  { now, workspaceId, actorId }: { now: Date; workspaceId?: string; actorId?: string },
): Promise<BreachRun> {
  const db = ctx.database.db;
  const run: BreachRun = { checked: 0, recorded: [] };
  const setups = new Map<string, SlaSetup>();
  let after: { workspaceId: string; id: string } | undefined;
  for (;;) {
    // A breach needs used > budget, which only happens after the nominal due date (pauses only
    // push the deadline later), so the due date narrows the scan.
    const where: SQL[] = [
      eq(promises.status, 'open'),
      sql`${promises.slaPolicyId} is not null`,
      isNull(promises.slaBreachedAt),
      lt(promises.dueAt, now),
    ];
    if (workspaceId) where.push(eq(promises.workspaceId, workspaceId));
    if (after) {
      where.push(
        or(
          gt(promises.workspaceId, after.workspaceId),
          and(eq(promises.workspaceId, after.workspaceId), gt(promises.id, after.id)),
        )!,
      );
    }
    const rows = await db
      .select()
      .from(promises)
      .where(and(...where))
      .orderBy(asc(promises.workspaceId), asc(promises.id))
      .limit(PAGE);
    for (const row of rows) {
      run.checked += 1;
      let setup = setups.get(row.workspaceId);
      if (!setup) {
        setup = await loadSlaSetup(db, row.workspaceId);
        setups.set(row.workspaceId, setup);
      }
      if (isOver(rowToStored(row).state, setup, now)) {
        const done = await db.transaction(async (tx) => {
          const stored = await lockPromise(tx, row.workspaceId, row.id);
          if (stored?.state.status !== 'open' || stored.state.slaBreachedAt) return false;
          const s = stored.state;
          const policy = setup.policyById.get(s.slaPolicyId ?? '');
          const calendar = policy && setup.calendars.get(policy.calendarId);
          if (!policy || !calendar) return false;
          const clock = slaClock(s, policy, calendar.calendar, now);
          if (clock.minutesOver <= 0 || !clock.deadline) return false;
          await appendEvent(
            tx,
            stored,
            {
              type: 'sla_breached',
              payload: {
                policyId: policy.id,
                breachedAt: clock.deadline.toISOString(),
                budgetMinutes: clock.budgetMinutes,
                minutesOver: clock.minutesOver,
                detectedBy: 'sla_clock',
              },
            },
            // An admin's id names the actor only within their own workspace.
            workspaceId && actorId ? actorId : s.ownerId,
            now,
          );
          return true;
        });
        if (done) run.recorded.push(row.id);
      }
    }
    if (rows.length < PAGE) return run;
    const last = rows[rows.length - 1]!;
    after = { workspaceId: last.workspaceId, id: last.id };
  }
}

function isOver(
  s: Parameters<typeof slaClock>[0] & { slaPolicyId: string | null },
  setup: SlaSetup,
  now: Date,
) {
  const policy = setup.policyById.get(s.slaPolicyId ?? '');
  const calendar = policy && setup.calendars.get(policy.calendarId);
  if (!policy || !calendar) return false;
  try {
    return slaClock(s, policy, calendar.calendar, now).minutesOver > 0;
  } catch {
    return false;
  }
}
