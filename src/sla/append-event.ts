// Appending an SLA or remedy event to a promise's ledger stream, the way changePromise does: the
// caller has locked the promise row and decided; this chains the event, folds it into the state
// and writes both, in the caller's transaction.
import { uuidv7 } from 'uuidv7';
import type { Queryable } from '../db/connect.js';
import { type ChainedEvent, chainEvent } from '../ledger/chain.js';
import { type Decision, evolve } from '../promises/promise.js';
import { insertEvent, type StoredPromise, updateProjection } from '../promises/promises.repo.js';

export async function appendEvent(
  q: Queryable,
  stored: StoredPromise,
  decision: Decision,
  actorId: string,
  now: Date,
): Promise<{ promise: StoredPromise; event: ChainedEvent }> {
  const ids = { workspaceId: stored.state.workspaceId, promiseId: stored.state.id };
  const event = chainEvent(
    { seq: stored.version, hash: stored.headHash },
    {
      ...ids,
      id: uuidv7(),
      type: decision.type,
      actorId,
      occurredAt: now.toISOString(),
      payload: decision.payload,
    },
  );
  const state = evolve(
    stored.state,
    { type: event.type, payload: event.payload, occurredAt: now, actorId },
    ids,
  );
  await insertEvent(q, event);
  await updateProjection(q, state, event.seq, event.hash);
  return { promise: { state, version: event.seq, headHash: event.hash }, event };
}
