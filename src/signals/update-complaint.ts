import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { type ConfidenceRestored, decideConfidenceChange, parsePayload } from './signal.js';
import { findSignal, type SignalRow, updateSignal } from './signals.repo.js';

/** "Customer confidence restored?" — set later, as the relationship recovers; each change is kept. */
export async function updateComplaintConfidence(
  ctx: AppContext,
  { principal, signalId, to }: { principal: Principal; signalId: string; to: ConfidenceRestored },
): Promise<SignalRow> {
  const now = ctx.now();
  const ws = principal.workspaceId;
  return ctx.database.db.transaction(async (tx) => {
    const row = await findSignal(tx, ws, signalId, { lock: true });
    if (!row) throw notFound(`signal ${signalId}`, 'signalId');
    if (row.kind !== 'complaint' || row.confidenceRestored === null) {
      throw new AppError(
        'invalid_transition',
        `confidenceRestored: only a complaint has it; signal ${row.id} is a ${row.kind}`,
        { field: 'confidenceRestored' },
      );
    }
    const payload = parsePayload('complaint', row.payload);
    const change = decideConfidenceChange(
      { confidenceRestored: row.confidenceRestored, confidenceChanges: payload.confidenceChanges },
      to,
      now,
      principal.userId,
    );
    if (!change) return row;
    return updateSignal(tx, ws, row.id, {
      confidenceRestored: change.confidenceRestored,
      payload: { ...payload, confidenceChanges: change.confidenceChanges },
      updatedAt: now,
    });
  });
}
