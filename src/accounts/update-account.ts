import { and, eq } from 'drizzle-orm';
import { canWriteOwned, type Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { accounts, workspaces } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { rescheduleAccount } from '../reminders/account-reminders.js';
import { isUuid } from '../workspaces/workspaces.repo.js';
import { checkContractPeriod } from './account.js';
import type { AccountRow } from './accounts.presenter.js';
import { externalIdConflict, type NewAccount, requireActiveOwner } from './create-account.js';

/** What PATCH may change; the id, the workspace and the temperature (its own endpoint) are not here. */
export type AccountChanges = { [K in keyof NewAccount]?: NewAccount[K] | undefined };

const WRITABLE = [
  'name',
  'domain',
  'externalId',
  'tier',
  'arrMinor',
  'currency',
  'contractStart',
  'renewalDate',
  'lifecycleStage',
  'ownerId',
] as const satisfies readonly (keyof NewAccount)[];

export function forbiddenToWrite(p: Principal, accountId: string): AppError {
  return new AppError(
    'forbidden',
    `not allowed: account.write_any (account ${accountId} is owned by someone else and the ${p.role} role may write only its own)`,
  );
}

/** Changes an account: its owner, or anyone who may write every account. */
export async function updateAccount(
  ctx: AppContext,
  { principal, accountId, changes }: { principal: Principal; accountId: string; changes: AccountChanges },
): Promise<AccountRow> {
  try {
    return await ctx.database.db.transaction(async (tx) => {
      // Workspace first, then the account, as a zone change does (it locks the workspace, then
      // re-plans every account). Taking the account first would let a tier change's rollup trigger
      // wait for the workspace while the zone change waits for this account: a deadlock.
      await tx
        .select({ id: workspaces.id })
        .from(workspaces)
        .where(eq(workspaces.id, principal.workspaceId))
        .for('share');
      const where = and(eq(accounts.workspaceId, principal.workspaceId), eq(accounts.id, accountId));
      const [current] = isUuid(accountId) ? await tx.select().from(accounts).where(where).for('update') : [];
      if (!current) throw notFound(`account ${accountId}`, 'accountId');
      if (!canWriteOwned(principal, 'account', current.ownerId)) throw forbiddenToWrite(principal, accountId);
      if (changes.ownerId !== undefined && changes.ownerId !== current.ownerId) {
        await requireActiveOwner(tx, principal.workspaceId, changes.ownerId);
      }
      checkContractPeriod(
        changes.contractStart === undefined ? current.contractStart : changes.contractStart,
        changes.renewalDate === undefined ? current.renewalDate : changes.renewalDate,
      );
      const set: Partial<typeof accounts.$inferInsert> = {};
      for (const key of WRITABLE) {
        if (changes[key] !== undefined) Object.assign(set, { [key]: changes[key] });
      }
      if (Object.keys(set).length === 0) return current;
      const [row] = await tx.update(accounts).set(set).where(where).returning();
      // A moved renewal date moves its preparation reminders.
      if ('renewalDate' in set) await rescheduleAccount(tx, principal.workspaceId, accountId, ctx.now());
      return row!;
    });
  } catch (err) {
    throw externalIdConflict(err, changes.externalId) ?? err;
  }
}
