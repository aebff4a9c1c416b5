import { can, type Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { AppError, notFound } from '../errors.js';
import type { CreatePromiseInput } from '../promises/create-promise.js';
import { createPromiseInTx } from '../promises/create-promise-in-tx.js';
import type { StoredPromise } from '../promises/promises.repo.js';
import { checkCanClose, decideClose, type EscalationState, FOLLOW_UP_DEFAULTS } from './escalation.js';
import { parsePayload } from './signal.js';
import { findSignal, type SignalRow, updateSignal } from './signals.repo.js';

/** The follow-up promise as the closer gives it: a promise without its account (the escalation's). */
export type FollowUpInput = Omit<CreatePromiseInput, 'accountId' | 'typeKey'> & {
  typeKey?: string | undefined;
};

/** The escalation state of a signal row; any other kind of signal is refused. */
export function escalationOf(row: SignalRow): EscalationState {
  if (row.kind !== 'escalation' || row.status === null) {
    throw new AppError('invalid_transition', `kind: signal ${row.id} is a ${row.kind}, not an escalation`, {
      field: 'kind',
    });
  }
  return {
    status: row.status,
    closedAt: row.closedAt,
    reopenedAt: row.reopenedAt,
    reopenCount: row.reopenCount,
    followUpPromiseId: row.followUpPromiseId,
    history: parsePayload('escalation', row.payload).history,
  };
}

/**
 * Closes an escalation together with its follow-up promise to the customer (workflow 7): the
 * promise, its ledger event and the closing commit in one transaction, or nothing does.
 */
export async function closeEscalation(
  ctx: AppContext,
  {
    principal,
    signalId,
    followUp,
    resolution,
  }: {
    principal: Principal;
    signalId: string;
    followUp: FollowUpInput | undefined;
    resolution?: string | undefined;
  },
): Promise<{ signal: SignalRow; followUpPromise: StoredPromise }> {
  if (!can(principal, 'promise.create')) {
    throw new AppError('forbidden', 'not allowed: promise.create (closing an escalation creates a promise)');
  }
  const now = ctx.now();
  const ws = principal.workspaceId;
  return ctx.database.db.transaction(async (tx) => {
    const row = await findSignal(tx, ws, signalId, { lock: true });
    if (!row) throw notFound(`signal ${signalId}`, 'signalId');
    const state = escalationOf(row);
    // Checked before anything is created: a closed escalation is refused whatever the body says.
    checkCanClose(state, followUp !== undefined);
    const followUpPromise = await createPromiseInTx(
      ctx,
      tx,
      {
        principal,
        input: {
          ...FOLLOW_UP_DEFAULTS,
          contactId: row.contactId,
          ...followUp!,
          typeKey: followUp!.typeKey ?? FOLLOW_UP_DEFAULTS.typeKey,
          accountId: row.accountId,
        },
      },
      (f) => `followUpPromise.${f}`,
    );
    const next = decideClose(state, {
      at: now,
      by: principal.userId,
      followUpPromiseId: followUpPromise.state.id,
      resolution,
    });
    const signal = await updateSignal(tx, ws, row.id, {
      status: next.status,
      closedAt: next.closedAt,
      followUpPromiseId: next.followUpPromiseId,
      payload: { ...row.payload, history: next.history },
      updatedAt: now,
    });
    return { signal, followUpPromise };
  });
}
