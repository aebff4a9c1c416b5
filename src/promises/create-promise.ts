import { uuidv7 } from 'uuidv7';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { chainEvent } from '../ledger/chain.js';
import { planSla } from '../sla/plan-sla.js';
import {
  findAccount,
  findActivePromiseType,
  findContact,
  findUserForShare,
} from '../workspaces/workspaces.repo.js';
import { decideCreate, evolve, type NewPromise } from './promise.js';
import { insertEvent, insertProjection, type StoredPromise } from './promises.repo.js';

export type CreatePromiseInput = Omit<
  NewPromise,
  'workspaceId' | 'id' | 'dueAt' | 'slaPolicyId' | 'dueFromPolicy' | 'checkpoints'
> & {
  id?: string;
  /** Optional when an SLA policy matches: the due date is then the policy's target from now. */
  dueAt?: Date | undefined;
};

/** Creates a promise: its `created` event and its projection row, in one transaction. */
export async function createPromise(
  ctx: AppContext,
  { principal, input }: { principal: Principal; input: CreatePromiseInput },
): Promise<StoredPromise> {
  return ctx.database.db.transaction(async (tx) => {
    const ws = { id: principal.workspaceId };
    const actor = { id: principal.userId };
    const account = await findAccount(tx, ws.id, input.accountId);
    if (!account) throw notFound(`account ${input.accountId}`, 'accountId');
    if (input.contactId) {
      const contact = await findContact(tx, ws.id, input.contactId);
      if (!contact) throw notFound(`contact ${input.contactId}`, 'contactId');
      if (contact.accountId !== account.id) {
        throw new AppError(
          'validation_failed',
          `contactId: contact ${input.contactId} is not at account ${account.id}`,
          {
            field: 'contactId',
          },
        );
      }
    }
    if (!(await findActivePromiseType(tx, ws.id, input.typeKey))) {
      throw new AppError('validation_failed', `typeKey: unknown promise type "${input.typeKey}"`, {
        field: 'typeKey',
      });
    }
    const owner = await findUserForShare(tx, ws.id, input.ownerId);
    const id = input.id ?? uuidv7();
    const now = ctx.now();
    const sla = await planSla(tx, {
      workspaceId: ws.id,
      typeKey: input.typeKey,
      tier: account.tier,
      priority: input.priority ?? null,
      dueAt: input.dueAt,
      now,
    });
    const decision = decideCreate({ ...input, ...sla, workspaceId: ws.id, id }, owner && { ...owner });
    const event = chainEvent(undefined, {
      workspaceId: ws.id,
      promiseId: id,
      id: uuidv7(),
      type: decision.type,
      actorId: actor.id,
      occurredAt: now.toISOString(),
      payload: decision.payload,
    });
    const state = evolve(
      undefined,
      { type: event.type, payload: event.payload, occurredAt: now, actorId: actor.id },
      { workspaceId: ws.id, promiseId: id },
    );
    await insertProjection(tx, state, event.seq, event.hash);
    await insertEvent(tx, event);
    return { state, version: event.seq, headHash: event.hash };
  });
}
