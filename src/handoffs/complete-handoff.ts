import type { Principal } from '../auth/policy.js';
import { can } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { createPromiseInTx } from '../promises/create-promise-in-tx.js';
import type { Emotion } from '../promises/promise.js';
import type { StoredPromise } from '../promises/promises.repo.js';
import { findUser } from '../workspaces/workspaces.repo.js';
import { checkCanComplete, itemField, itemPromise } from './handoff.js';
import { findHandoff, itemsOf, setItemPromise, updateHandoffRow } from './handoffs.repo.js';
import type { HandoffWithItems } from './manage-handoffs.js';

/**
 * Completes a draft handoff: one promise per item, owned by the receiver (source sales_handoff),
 * each with its ledger event, the promise ids on the items and the handoff completed — all in one
 * transaction. If any item cannot become a promise, nothing is created.
 */
export async function completeHandoff(
  ctx: AppContext,
  { principal, handoffId }: { principal: Principal; handoffId: string },
): Promise<HandoffWithItems & { promises: StoredPromise[] }> {
  if (!can(principal, 'promise.create')) {
    throw new AppError('forbidden', 'not allowed: promise.create (completing a handoff creates promises)');
  }
  const now = ctx.now();
  const ws = principal.workspaceId;
  return ctx.database.db.transaction(async (tx) => {
    const current = await findHandoff(tx, ws, handoffId, { lock: true });
    if (!current) throw notFound(`handoff ${handoffId}`, 'handoffId');
    const items = await itemsOf(tx, ws, [current.id]);
    checkCanComplete(current, items, await findUser(tx, ws, current.toUserId));
    const promises: StoredPromise[] = [];
    for (const [index, item] of items.entries()) {
      const promise = await createPromiseInTx(
        ctx,
        tx,
        {
          principal,
          input: itemPromise(current, {
            believesWeWill: item.believesWeWill,
            customerReason: item.customerReason,
            dueAt: item.dueAt,
            typeKey: item.typeKey,
            emotion: item.emotion as Emotion | null,
          }),
        },
        (f) => itemField(index, f),
      );
      await setItemPromise(tx, ws, item.id, promise.state.id);
      promises.push(promise);
    }
    const handoff = await updateHandoffRow(tx, ws, current.id, {
      status: 'completed',
      completedAt: now,
      completedBy: principal.userId,
      updatedAt: now,
    });
    return { handoff, items: await itemsOf(tx, ws, [current.id]), promises };
  });
}
