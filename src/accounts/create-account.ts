import { uuidv7 } from 'uuidv7';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/connect.js';
import { accounts } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { rescheduleAccount } from '../reminders/account-reminders.js';
import { findUser } from '../workspaces/workspaces.repo.js';
import { checkContractPeriod, type LifecycleStage, type Tier } from './account.js';
import type { AccountRow } from './accounts.presenter.js';

export interface NewAccount {
  name: string;
  domain?: string | null | undefined;
  externalId?: string | null | undefined;
  tier: Tier;
  arrMinor?: number | undefined;
  currency?: string | undefined;
  contractStart?: string | null | undefined;
  renewalDate?: string | null | undefined;
  lifecycleStage?: LifecycleStage | undefined;
  ownerId: string;
}

/** An account needs an active owner of its own workspace (another workspace's user is "not found"). */
export async function requireActiveOwner(q: Queryable, workspaceId: string, ownerId: string): Promise<void> {
  const owner = await findUser(q, workspaceId, ownerId);
  if (!owner) throw notFound(`user ${ownerId}`, 'ownerId');
  if (!owner.active) {
    throw new AppError(
      'validation_failed',
      `ownerId: user ${ownerId} is deactivated; an account needs an active owner`,
      {
        field: 'ownerId',
      },
    );
  }
}

const causeCode = (err: unknown): string | undefined => {
  const e = err as { code?: unknown; constraint?: unknown; cause?: { code?: unknown; constraint?: unknown } };
  return String(e.code ?? e.cause?.code ?? '') || undefined;
};
const constraintOf = (err: unknown): string | undefined => {
  const e = err as { constraint?: unknown; cause?: { constraint?: unknown } };
  const c = e.constraint ?? e.cause?.constraint;
  return typeof c === 'string' ? c : undefined;
};

/** The database's answer to a second account with one external id, as a conflict naming the field. */
export function externalIdConflict(
  err: unknown,
  externalId: string | null | undefined,
): AppError | undefined {
  if (
    causeCode(err) === '23505' &&
    (constraintOf(err) ?? 'accounts_external_id_key') === 'accounts_external_id_key'
  ) {
    return new AppError('conflict', `externalId: another account already has external id "${externalId}"`, {
      field: 'externalId',
    });
  }
  return undefined;
}

export async function createAccount(
  ctx: AppContext,
  { principal, input }: { principal: Principal; input: NewAccount },
): Promise<AccountRow> {
  checkContractPeriod(input.contractStart ?? null, input.renewalDate ?? null);
  const now = ctx.now();
  try {
    return await ctx.database.db.transaction(async (tx) => {
      await requireActiveOwner(tx, principal.workspaceId, input.ownerId);
      const [row] = await tx
        .insert(accounts)
        .values({
          workspaceId: principal.workspaceId,
          id: uuidv7(),
          name: input.name,
          domain: input.domain ?? null,
          externalId: input.externalId ?? null,
          tier: input.tier,
          arrMinor: input.arrMinor ?? 0,
          currency: input.currency ?? 'USD',
          contractStart: input.contractStart ?? null,
          renewalDate: input.renewalDate ?? null,
          lifecycleStage: input.lifecycleStage ?? 'land',
          ownerId: input.ownerId,
          createdAt: now,
        })
        .returning();
      // Renewal preparation and inactivity reminders start with the account.
      await rescheduleAccount(tx, principal.workspaceId, row!.id, now);
      return row!;
    });
  } catch (err) {
    throw externalIdConflict(err, input.externalId) ?? err;
  }
}
