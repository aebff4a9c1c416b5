// Promise types: eight built in, more added by admins. A type in use is never removed (promises and
// their ledger name it); deactivating one only stops new promises from using it.
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/connect.js';
import { promises, promiseTypes } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import type { PromiseTypeRow } from './promise-types.presenter.js';

const byKey = (p: Principal, key: string) =>
  and(eq(promiseTypes.workspaceId, p.workspaceId), eq(promiseTypes.key, key));

async function lockType(q: Queryable, p: Principal, key: string): Promise<PromiseTypeRow> {
  const [row] = await q.select().from(promiseTypes).where(byKey(p, key)).for('update');
  if (!row) throw notFound(`promise type "${key}"`, 'key');
  return row;
}

/** The workspace's types, active first, then by label. */
export async function listPromiseTypes(
  ctx: AppContext,
  { principal, active }: { principal: Principal; active?: boolean | undefined },
): Promise<PromiseTypeRow[]> {
  return ctx.database.db
    .select()
    .from(promiseTypes)
    .where(
      and(
        eq(promiseTypes.workspaceId, principal.workspaceId),
        active === undefined ? undefined : eq(promiseTypes.active, active),
      ),
    )
    .orderBy(desc(promiseTypes.active), asc(promiseTypes.label), asc(promiseTypes.key));
}

export async function getPromiseType(
  ctx: AppContext,
  { principal, key }: { principal: Principal; key: string },
): Promise<PromiseTypeRow> {
  const [row] = await ctx.database.db.select().from(promiseTypes).where(byKey(principal, key));
  if (!row) throw notFound(`promise type "${key}"`, 'key');
  return row;
}

export async function createPromiseType(
  ctx: AppContext,
  { principal, key, label }: { principal: Principal; key: string; label: string },
): Promise<PromiseTypeRow> {
  return ctx.database.db.transaction(async (tx) => {
    // ON CONFLICT keeps a concurrent duplicate from aborting the transaction with a raw 23505.
    const [row] = await tx
      .insert(promiseTypes)
      .values({ workspaceId: principal.workspaceId, key, label, builtin: false, active: true })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError('conflict', `key: a promise type "${key}" already exists`, { field: 'key' });
    return row;
  });
}

/** Renames and/or (de)activates a type; built-in ones included. */
export async function updatePromiseType(
  ctx: AppContext,
  {
    principal,
    key,
    changes,
  }: {
    principal: Principal;
    key: string;
    changes: { label?: string | undefined; active?: boolean | undefined };
  },
): Promise<PromiseTypeRow> {
  return ctx.database.db.transaction(async (tx) => {
    const current = await lockType(tx, principal, key);
    const set: Partial<PromiseTypeRow> = {};
    if (changes.label !== undefined) set.label = changes.label;
    if (changes.active !== undefined) set.active = changes.active;
    if (Object.keys(set).length === 0) return current;
    const [row] = await tx.update(promiseTypes).set(set).where(byKey(principal, key)).returning();
    return row!;
  });
}

/**
 * Deletes a type added by mistake. Built-in types and types any promise uses (open or closed: the
 * ledger names them) can only be deactivated.
 */
export async function deletePromiseType(
  ctx: AppContext,
  { principal, key }: { principal: Principal; key: string },
): Promise<void> {
  await ctx.database.db.transaction(async (tx) => {
    const current = await lockType(tx, principal, key);
    if (current.builtin) {
      throw new AppError('conflict', `key: "${key}" is built in; deactivate it instead of deleting it`, {
        field: 'key',
      });
    }
    const [used] = await tx
      .select({ id: promises.id })
      .from(promises)
      .where(and(eq(promises.workspaceId, principal.workspaceId), eq(promises.typeKey, key)))
      .limit(1);
    if (used) {
      throw new AppError(
        'conflict',
        `key: promises of type "${key}" exist; deactivate it instead of deleting it`,
        {
          field: 'key',
        },
      );
    }
    await tx.delete(promiseTypes).where(byKey(principal, key));
  });
}
