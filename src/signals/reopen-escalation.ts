import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { notFound } from '../errors.js';
import { escalationOf } from './close-escalation.js';
import { decideReopen } from './escalation.js';
import { findSignal, type SignalRow, updateSignal } from './signals.repo.js';

/** Reopens a closed escalation; the reopening is kept with its time (reopened within 60 days?). */
export async function reopenEscalation(
  ctx: AppContext,
  { principal, signalId, reason }: { principal: Principal; signalId: string; reason?: string | undefined },
): Promise<SignalRow> {
  const now = ctx.now();
  const ws = principal.workspaceId;
  return ctx.database.db.transaction(async (tx) => {
    const row = await findSignal(tx, ws, signalId, { lock: true });
    if (!row) throw notFound(`signal ${signalId}`, 'signalId');
    const next = decideReopen(escalationOf(row), { at: now, by: principal.userId, reason });
    return updateSignal(tx, ws, row.id, {
      status: next.status,
      reopenedAt: next.reopenedAt,
      reopenCount: next.reopenCount,
      payload: { ...row.payload, history: next.history },
      updatedAt: now,
    });
  });
}
