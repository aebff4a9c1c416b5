import { and, asc, eq, sql } from 'drizzle-orm';
import { recordSecurityEvent } from '../audit/security-log.js';
import { GRANTS, type Principal, type Role } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { promises, users } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { isUuid } from '../workspaces/workspaces.repo.js';

export type UserRow = typeof users.$inferSelect;

export function presentUser(u: UserRow) {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    grants: u.grants,
    managerId: u.managerId,
    active: u.active,
    deactivatedAt: u.deactivatedAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
}

export async function listUsers(ctx: AppContext, p: Principal) {
  return ctx.database.db
    .select()
    .from(users)
    .where(eq(users.workspaceId, p.workspaceId))
    .orderBy(asc(users.name));
}

export async function getUser(ctx: AppContext, p: Principal, userId: string) {
  if (!isUuid(userId)) throw notFound(`user ${userId}`, 'userId');
  const [u] = await ctx.database.db
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, p.workspaceId), eq(users.id, userId)));
  if (!u) throw notFound(`user ${userId}`, 'userId');
  return u;
}

export interface UserChanges {
  name?: string | undefined;
  role?: Role | undefined;
  grants?: string[] | undefined;
  managerId?: string | null | undefined;
  active?: boolean | undefined;
}

/** Role, grants, manager and (de)activation; each change of access is in the security log. */
export async function updateUser(ctx: AppContext, p: Principal, userId: string, changes: UserChanges) {
  const now = ctx.now();
  return ctx.database.db.transaction(async (tx) => {
    if (!isUuid(userId)) throw notFound(`user ${userId}`, 'userId');
    // One change of users at a time per workspace: the "keep one active admin" check counts other
    // rows, which a concurrent change (two admins demoting each other) could change under it.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`users:${p.workspaceId}`}))`);
    const [u] = await tx
      .select()
      .from(users)
      .where(and(eq(users.workspaceId, p.workspaceId), eq(users.id, userId)))
      .for('update');
    if (!u) throw notFound(`user ${userId}`, 'userId');
    for (const g of changes.grants ?? []) {
      if (!(GRANTS as readonly string[]).includes(g)) {
        throw new AppError('validation_failed', `grants: unknown grant "${g}"`, { field: 'grants' });
      }
    }
    if (changes.managerId) {
      if (changes.managerId === userId) {
        throw new AppError('validation_failed', 'managerId: a user cannot manage themselves', {
          field: 'managerId',
        });
      }
      const [m] = await tx
        .select()
        .from(users)
        .where(and(eq(users.workspaceId, p.workspaceId), eq(users.id, changes.managerId)));
      if (!m?.active) throw notFound(`manager ${changes.managerId}`, 'managerId');
    }
    const losesAdmin =
      u.role === 'admin' &&
      u.active &&
      ((changes.role && changes.role !== 'admin') || changes.active === false);
    if (losesAdmin) {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(users)
        .where(and(eq(users.workspaceId, p.workspaceId), eq(users.role, 'admin'), eq(users.active, true)));
      if ((row?.n ?? 0) <= 1) {
        const field = changes.active === false ? 'active' : 'role';
        throw new AppError('conflict', `${field}: the workspace must keep at least one active admin`, {
          field,
        });
      }
    }
    if (changes.active === false && u.active) {
      if (userId === p.userId) {
        throw new AppError('conflict', 'active: you cannot deactivate yourself', { field: 'active' });
      }
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(promises)
        .where(
          and(
            eq(promises.workspaceId, p.workspaceId),
            eq(promises.ownerId, userId),
            eq(promises.status, 'open'),
          ),
        );
      if ((row?.n ?? 0) > 0) {
        throw new AppError(
          'conflict',
          `active: ${u.name} owns ${row!.n} open promise(s); reassign them before deactivating (every promise needs an active owner)`,
          { field: 'active' },
        );
      }
    }
    const [updated] = await tx
      .update(users)
      .set({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.role !== undefined ? { role: changes.role } : {}),
        ...(changes.grants !== undefined ? { grants: changes.grants } : {}),
        ...(changes.managerId !== undefined ? { managerId: changes.managerId } : {}),
        ...(changes.active !== undefined
          ? { active: changes.active, deactivatedAt: changes.active ? null : now }
          : {}),
      })
      .where(and(eq(users.workspaceId, p.workspaceId), eq(users.id, userId)))
      .returning();
    const log = (
      kind: 'user.role_changed' | 'user.deactivated' | 'user.reactivated',
      detail: Record<string, unknown>,
    ) =>
      recordSecurityEvent(tx, {
        workspaceId: p.workspaceId,
        kind,
        at: now,
        userId,
        actorId: p.userId,
        detail,
      });
    if (
      (changes.role && changes.role !== u.role) ||
      (changes.grants && changes.grants.join() !== u.grants.join())
    ) {
      await log('user.role_changed', {
        from: { role: u.role, grants: u.grants },
        to: { role: updated!.role, grants: updated!.grants },
      });
    }
    if (changes.active === false && u.active) await log('user.deactivated', {});
    if (changes.active === true && !u.active) await log('user.reactivated', {});
    return updated!;
  });
}
