import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { notFound } from '../errors.js';
import { findAccount } from '../workspaces/workspaces.repo.js';
import { normaliseConcernKey } from './complaint-memory.js';
import { findSignal, listSignalRows, type SignalFilter, type SignalRow } from './signals.repo.js';

export async function getSignal(
  ctx: AppContext,
  { principal, signalId }: { principal: Principal; signalId: string },
) {
  const row = await findSignal(ctx.database.db, principal.workspaceId, signalId);
  if (!row) throw notFound(`signal ${signalId}`, 'signalId');
  return row;
}

export interface SignalPage {
  data: SignalRow[];
  nextCursor: string | null;
}

/**
 * Signals of the workspace, newest first. A filter on an account of another workspace finds
 * nothing, like one on an account that does not exist.
 */
export async function listSignals(
  ctx: AppContext,
  {
    principal,
    filter,
    cursor,
    limit,
  }: { principal: Principal; filter: SignalFilter; cursor?: string | undefined; limit: number },
): Promise<SignalPage> {
  const f = { ...filter, ...(filter.concern ? { concern: normaliseConcernKey(filter.concern) } : {}) };
  const { rows, nextCursor } = await listSignalRows(ctx.database.db, principal.workspaceId, f, {
    cursor,
    limit,
  });
  return { data: rows, nextCursor };
}

/** One account's signals (its timeline); an account of another workspace is a 404. */
export async function listAccountSignals(
  ctx: AppContext,
  args: {
    principal: Principal;
    accountId: string;
    filter: SignalFilter;
    cursor?: string | undefined;
    limit: number;
  },
): Promise<SignalPage> {
  if (!(await findAccount(ctx.database.db, args.principal.workspaceId, args.accountId))) {
    throw notFound(`account ${args.accountId}`, 'accountId');
  }
  return listSignals(ctx, { ...args, filter: { ...args.filter, account: args.accountId } });
}
