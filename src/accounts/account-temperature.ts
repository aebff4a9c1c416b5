// Relationship temperature is set by people after meaningful interactions, never guessed, and every
// setting is kept: the history row and the account's current temperature change in one transaction.
import { and, desc, eq, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { canWriteOwned, type Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { accounts, accountTemperatureHistory } from '../db/schema.js';
import { notFound } from '../errors.js';
import { isUuid } from '../workspaces/workspaces.repo.js';
import type { Temperature } from './account.js';
import type { AccountRow, TemperatureEntryRow } from './accounts.presenter.js';
import { decodeCursor, encodeCursor } from './keyset.js';
import { requireAccount } from './read-accounts.js';
import { forbiddenToWrite } from './update-account.js';

/**
 * Records a temperature reading. The same temperature again is recorded too: confirming that an
 * account is still warm is what keeps `temperatureUpdatedAt` recent before a commercial ask.
 */
export async function setAccountTemperature(
  ctx: AppContext,
  {
    principal,
    accountId,
    temperature,
    note,
  }: { principal: Principal; accountId: string; temperature: Temperature; note: string },
): Promise<{ account: AccountRow; entry: TemperatureEntryRow }> {
  const now = ctx.now();
  return ctx.database.db.transaction(async (tx) => {
    const where = and(eq(accounts.workspaceId, principal.workspaceId), eq(accounts.id, accountId));
    // The lock orders concurrent readings: the account's temperature is always its latest entry.
    const [current] = isUuid(accountId) ? await tx.select().from(accounts).where(where).for('update') : [];
    if (!current) throw notFound(`account ${accountId}`, 'accountId');
    if (!canWriteOwned(principal, 'account', current.ownerId)) throw forbiddenToWrite(principal, accountId);
    const [entry] = await tx
      .insert(accountTemperatureHistory)
      .values({
        workspaceId: principal.workspaceId,
        id: uuidv7(),
        accountId,
        temperature,
        note,
        setBy: principal.userId,
        setAt: now,
      })
      .returning();
    const [account] = await tx
      .update(accounts)
      .set({ temperature, temperatureUpdatedAt: now })
      .where(where)
      .returning();
    return { account: account!, entry: entry! };
  });
}

const HISTORY_SORT = '-setAt';

/** An account's temperature readings, newest first, with a keyset cursor. */
export async function listTemperatureHistory(
  ctx: AppContext,
  {
    principal,
    accountId,
    cursor,
    limit = 50,
  }: { principal: Principal; accountId: string; cursor?: string | undefined; limit?: number },
): Promise<{ data: TemperatureEntryRow[]; nextCursor: string | null }> {
  const db = ctx.database.db;
  await requireAccount(db, principal, accountId);
  const h = accountTemperatureHistory;
  const after =
    cursor === undefined
      ? undefined
      : decodeCursor(cursor, HISTORY_SORT, (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)), {
          nullable: false,
        });
  const rows = await db
    .select({
      entry: h,
      key: sql<string>`to_char(${h.setAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(h)
    .where(
      and(
        eq(h.workspaceId, principal.workspaceId),
        eq(h.accountId, accountId),
        after ? sql`(${h.setAt}, ${h.id}) < (${after.v}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(h.setAt), desc(h.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map((r) => r.entry),
    nextCursor:
      rows.length > limit && last ? encodeCursor({ s: HISTORY_SORT, v: last.key, id: last.entry.id }) : null,
  };
}
