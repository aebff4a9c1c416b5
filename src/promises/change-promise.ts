import { uuidv7 } from 'uuidv7';
import { can, canWriteOwned, type Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { type ChainedEvent, chainEvent } from '../ledger/chain.js';
import { withSlaFacts } from '../sla/plan-sla.js';
import { findActivePromiseType, findContact, findUser, isUuid } from '../workspaces/workspaces.repo.js';
import { decide, evolve, type PromiseCommand } from './promise.js';
import { insertEvent, lockPromise, type StoredPromise, updateProjection } from './promises.repo.js';

/** Commands as callers give them: an owner change names the new owner by id only. */
export type PromiseCommandInput =
  | Exclude<PromiseCommand, { kind: 'change_owner' }>
  | { kind: 'change_owner'; ownerId: string; reason?: string | undefined };

/**
 * The one way to change a promise: lock its row, decide with the pure rules, append the event to
 * its chain and write the new projection, all in one transaction. A rule violation throws before
 * anything is written.
 */
export async function changePromise(
  ctx: AppContext,
  {
    principal,
    promiseId,
    command,
  }: { principal: Principal; promiseId: string; command: PromiseCommandInput },
): Promise<{ promise: StoredPromise; event: ChainedEvent }> {
  return ctx.database.db.transaction(async (tx) => {
    const ws = { id: principal.workspaceId };
    const actor = { id: principal.userId };
    const stored = isUuid(promiseId) ? await lockPromise(tx, ws.id, promiseId) : undefined;
    if (!stored) throw notFound(`promise ${promiseId}`, 'promiseId');
    // Comments are open to everyone who may capture promises; every other change needs the
    // right to write this promise (its owner, or a role/grant that writes any promise).
    const allowed =
      command.kind === 'comment'
        ? can(principal, 'promise.create')
        : canWriteOwned(principal, 'promise', stored.state.ownerId);
    if (!allowed) {
      throw new AppError(
        'forbidden',
        "not allowed: only the promise's owner, a manager or an admin (or a member granted write_others) may change it",
      );
    }

    let cmd: PromiseCommand;
    if (command.kind === 'change_owner') {
      const owner = await findUser(tx, ws.id, command.ownerId);
      cmd = { ...command, owner: owner && { ...owner } };
    } else {
      cmd = command;
    }
    if (cmd.kind === 'edit') {
      const { typeKey, contactId } = cmd.changes;
      if (typeKey !== undefined && !(await findActivePromiseType(tx, ws.id, typeKey))) {
        throw new AppError('validation_failed', `typeKey: unknown promise type "${typeKey}"`, {
          field: 'typeKey',
        });
      }
      if (contactId) {
        const contact = await findContact(tx, ws.id, contactId);
        if (!contact || contact.accountId !== stored.state.accountId) {
          throw new AppError(
            'validation_failed',
            `contactId: no contact ${contactId} at this promise's account`,
            {
              field: 'contactId',
            },
          );
        }
      }
    }

    const now = ctx.now();
    // A promise with an SLA policy: the event also records its business-time due date (src/sla).
    const decision = await withSlaFacts(tx, stored.state, decide(stored.state, cmd, now), now, actor.id);
    const event = chainEvent(
      { seq: stored.version, hash: stored.headHash },
      {
        workspaceId: ws.id,
        promiseId: stored.state.id,
        id: uuidv7(),
        type: decision.type,
        actorId: actor.id,
        occurredAt: now.toISOString(),
        payload: decision.payload,
      },
    );
    const state = evolve(
      stored.state,
      { type: event.type, payload: event.payload, occurredAt: now, actorId: actor.id },
      { workspaceId: ws.id, promiseId: stored.state.id },
    );
    await insertEvent(tx, event);
    await updateProjection(tx, state, event.seq, event.hash, stored.remindersFiredThrough);
    return { promise: { state, version: event.seq, headHash: event.hash }, event };
  });
}
