import type { AppContext } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { type ChainedEvent, verifyStream } from '../ledger/chain.js';
import { findUser, isUuid, requireWorkspace } from '../workspaces/workspaces.repo.js';
import {
  findPromise,
  listOpenDueForOwner,
  loadStream,
  type PromiseRow,
  rowToStored,
  type StoredPromise,
} from './promises.repo.js';

const DAY_MS = 86_400_000;

/** Open promises of one owner due within the next `days` days (overdue ones are a separate view). */
export async function listDuePromises(
  ctx: AppContext,
  {
    workspace,
    ownerId,
    days,
    limit = 200,
  }: { workspace: string; ownerId: string; days: number; limit?: number },
): Promise<StoredPromise[]> {
  const db = ctx.database.db;
  // The hot path is one query: the workspace and owner are only looked up (to tell a 404 from an
  // empty list) when the query finds nothing.
  const workspaceId = isUuid(workspace) ? workspace : (await requireWorkspace(db, workspace)).id;
  const now = ctx.now();
  const rows: PromiseRow[] = isUuid(ownerId)
    ? await listOpenDueForOwner(db, workspaceId, ownerId, now, new Date(now.getTime() + days * DAY_MS), limit)
    : [];
  if (rows.length === 0) {
    const ws = await requireWorkspace(db, workspaceId);
    if (!(await findUser(db, ws.id, ownerId))) throw notFound(`user ${ownerId}`, 'owner');
  }
  return rows.map(rowToStored);
}

export interface PromiseWithHistory {
  promise: StoredPromise;
  events: ChainedEvent[];
  /** The stream's chain recomputed now, and its head equal to the projection's. */
  verified: boolean;
}

export async function getPromiseWithHistory(
  ctx: AppContext,
  { workspace, promiseId }: { workspace: string; promiseId: string },
): Promise<PromiseWithHistory> {
  const db = ctx.database.db;
  const ws = await requireWorkspace(db, workspace);
  if (!isUuid(promiseId))
    throw new AppError('validation_failed', `promiseId: "${promiseId}" is not a UUID`, {
      field: 'promiseId',
    });
  const promise = await findPromise(db, ws.id, promiseId);
  if (!promise) throw notFound(`promise ${promiseId}`, 'promiseId');
  const events = await loadStream(db, ws.id, promiseId);
  const check = verifyStream(events);
  const verified = check.ok && check.head?.hash === promise.headHash && check.head.seq === promise.version;
  return { promise, events, verified };
}
