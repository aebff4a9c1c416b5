import { uuidv7 } from 'uuidv7';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import type { Tx } from '../db/connect.js';
import { promiseTypes } from '../db/schema.js';
import { AppError, invalid, notFound } from '../errors.js';
import { createPromiseInTx } from '../promises/create-promise-in-tx.js';
import { findPromise, type StoredPromise } from '../promises/promises.repo.js';
import { firePaymentFailed, rescheduleAccount } from '../reminders/account-reminders.js';
import { findAccount, findActivePromiseType, findContact, findUser } from '../workspaces/workspaces.repo.js';
import { findRepeat, repeatWindowStart } from './complaint-memory.js';
import { decideRecord, type SignalInput } from './signal.js';
import {
  advanceLastActivity,
  complaintsOnConcern,
  findByExternalId,
  insertSignal,
  type SignalRow,
} from './signals.repo.js';
import { planNpsFollowUp, TESTIMONIAL_TYPE } from './surveys.js';

export interface RecordedSignal {
  signal: SignalRow;
  /** The promise the signal made us create (an NPS detractor's call, a promoter's testimonial ask). */
  followUpPromise: StoredPromise | null;
}

/**
 * Records a signal in one transaction with everything it implies: complaint memory (a repeat of
 * the same concern within 45 days is linked), an NPS follow-up promise, the account's last product
 * activity. Ids in the input are looked up in the principal's workspace only.
 */
export async function recordSignal(
  ctx: AppContext,
  { principal, input }: { principal: Principal; input: SignalInput },
): Promise<RecordedSignal> {
  const now = ctx.now();
  const ws = principal.workspaceId;
  return ctx.database.db.transaction(async (tx) => {
    const account = await findAccount(tx, ws, input.accountId);
    if (!account) throw notFound(`account ${input.accountId}`, 'accountId');
    const contact = input.contactId ? await findContact(tx, ws, input.contactId) : undefined;
    if (input.contactId) {
      if (!contact) throw notFound(`contact ${input.contactId}`, 'contactId');
      if (contact.accountId !== account.id) {
        throw invalid('contactId', `contact ${input.contactId} is not at account ${account.id}`);
      }
    }
    if (input.externalId !== undefined && (await findByExternalId(tx, ws, input.kind, input.externalId))) {
      throw new AppError(
        'conflict',
        `externalId: a ${input.kind} with external id ${input.externalId} was already recorded`,
        {
          field: 'externalId',
        },
      );
    }
    const fields = decideRecord(input, now, account);

    if (fields.promiseId) {
      const promise = await findPromise(tx, ws, fields.promiseId);
      if (!promise) throw notFound(`promise ${fields.promiseId}`, 'promiseId');
      if (promise.state.accountId !== account.id) {
        throw invalid('promiseId', `promise ${fields.promiseId} is not a promise to account ${account.id}`);
      }
    }

    let repeatOfId: string | null = null;
    if (fields.kind === 'complaint' && fields.concernKey) {
      const earlier = await complaintsOnConcern(
        tx,
        ws,
        account.id,
        fields.concernKey,
        repeatWindowStart(fields.occurredAt),
        fields.occurredAt,
      );
      repeatOfId = findRepeat(
        { concernKey: fields.concernKey, occurredAt: fields.occurredAt },
        earlier,
      ).repeatOfId;
    }

    let followUpPromise: StoredPromise | null = null;
    if (fields.kind === 'nps' && fields.score !== null) {
      const owner = await findUser(tx, ws, account.ownerId);
      const manager = owner?.managerId ? await findUser(tx, ws, owner.managerId) : undefined;
      const plan = planNpsFollowUp({
        score: fields.score,
        comment: (fields.payload.comment as string | null) ?? null,
        respondedAt: fields.occurredAt,
        customerName: contact ? `${contact.name} (${account.name})` : account.name,
        owner,
        manager,
        recorderId: principal.userId,
      });
      if (plan && (plan.reason !== 'testimonial_ask' || (await testimonialTypeActive(tx, ws)))) {
        const { reason: _reason, ...promise } = plan;
        followUpPromise = await createPromiseInTx(
          ctx,
          tx,
          { principal, input: { ...promise, accountId: account.id, contactId: contact?.id ?? null } },
          (f) => `followUpPromise.${f}`,
        );
      }
    }

    if (fields.kind === 'product_activity') {
      await advanceLastActivity(tx, ws, account.id, fields.occurredAt);
      // Activity pushes the inactivity reminder out.
      await rescheduleAccount(tx, ws, account.id, now);
    }

    const signal = await insertSignal(tx, {
      workspaceId: ws,
      id: uuidv7(),
      kind: fields.kind,
      accountId: account.id,
      contactId: contact?.id ?? null,
      occurredAt: fields.occurredAt,
      externalId: input.externalId ?? null,
      concernKey: fields.concernKey,
      confidenceRestored: fields.confidenceRestored,
      repeatOfId,
      status: fields.status,
      score: fields.score,
      billingEvent: fields.billingEvent,
      renewalOutcome: fields.renewalOutcome,
      arrBeforeMinor: fields.arrBeforeMinor,
      arrAfterMinor: fields.arrAfterMinor,
      currency: fields.currency,
      promiseId: fields.promiseId,
      followUpPromiseId: followUpPromise?.state.id ?? null,
      payload: fields.payload,
      recordedBy: principal.userId,
      recordedAt: now,
      updatedAt: now,
    });
    if (fields.kind === 'billing' && fields.billingEvent === 'payment_failed') {
      // Told to the account owner now, with the signal (its key makes a replay tell nothing new).
      await firePaymentFailed(
        tx,
        {
          workspaceId: ws,
          signalId: signal.id,
          account: { id: account.id, name: account.name, ownerId: account.ownerId },
          amountMinor: (fields.payload.amountMinor as number | null) ?? null,
          currency: (fields.payload.currency as string | null) ?? null,
          reference: (fields.payload.reference as string | null) ?? null,
          occurredAt: fields.occurredAt,
        },
        now,
      );
    }
    return { signal, followUpPromise };
  });
}

/**
 * The testimonial-ask promise type, added to the workspace the first time it is needed. An admin
 * who deactivates it switches testimonial asks off.
 */
async function testimonialTypeActive(tx: Tx, workspaceId: string): Promise<boolean> {
  await tx
    .insert(promiseTypes)
    .values({ workspaceId, key: TESTIMONIAL_TYPE.key, label: TESTIMONIAL_TYPE.label, builtin: false })
    .onConflictDoNothing();
  return (await findActivePromiseType(tx, workspaceId, TESTIMONIAL_TYPE.key)) !== undefined;
}
