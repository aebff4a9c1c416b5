// Creating promises as one step of a larger write (closing an escalation, completing a handoff,
// an NPS follow-up): the same createPromise, run inside the caller's transaction, so the promise,
// its ledger event and the caller's rows commit or roll back together.
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import type { Db, Tx } from '../db/connect.js';
import { AppError } from '../errors.js';
import { type CreatePromiseInput, createPromise } from './create-promise.js';
import type { StoredPromise } from './promises.repo.js';

/**
 * A context whose database is the open transaction `tx`. createPromise's own `transaction()` then
 * becomes a savepoint of `tx` (Drizzle nests transactions as savepoints on both drivers).
 */
export function withinTransaction(ctx: AppContext, tx: Tx): AppContext {
  return { database: { ...ctx.database, db: tx as unknown as Db }, now: ctx.now };
}

/**
 * createPromise inside `tx`. A field error is renamed to the caller's field (`rename` maps a promise
 * field such as `ownerId` to what the caller's body calls it, e.g. `followUpPromise.ownerId`).
 */
export async function createPromiseInTx(
  ctx: AppContext,
  tx: Tx,
  args: { principal: Principal; input: CreatePromiseInput },
  rename: (field: string) => string,
): Promise<StoredPromise> {
  try {
    return await createPromise(withinTransaction(ctx, tx), args);
  } catch (err) {
    if (err instanceof AppError && err.field !== undefined) {
      const field = rename(err.field);
      const prefix = `${err.field}: `;
      const what = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
      throw new AppError(err.code, `${field}: ${what}`, { field, cause: err });
    }
    throw err;
  }
}
