import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { recordSecurityEvent } from '../audit/security-log.js';
import type { AppContext } from '../context.js';
import { invitations, users } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { hashPassword } from '../users/passwords.js';
import { isUuid } from '../workspaces/workspaces.repo.js';
import type { Principal, Role } from './policy.js';
import { formatSecret, newSecret, parseSecret, secretMatches } from './secrets.js';

const PREFIX = 'pli';
const VALID_MS = 7 * 86_400_000;

/** Invites a person by email with a role; the returned token is shown once. */
export async function createInvitation(ctx: AppContext, p: Principal, input: { email: string; role: Role }) {
  const db = ctx.database.db;
  const email = input.email.trim().toLowerCase();
  const [existing] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.workspaceId, p.workspaceId), sql`lower(${users.email}) = ${email}`))
    .limit(1);
  if (existing)
    throw new AppError('conflict', `email: ${email} is already a user of this workspace`, { field: 'email' });
  const id = uuidv7();
  const { secret, hash } = newSecret();
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + VALID_MS);
  await db.transaction(async (tx) => {
    await tx.insert(invitations).values({
      workspaceId: p.workspaceId,
      id,
      email,
      role: input.role,
      invitedBy: p.userId,
      secretHash: hash,
      createdAt: now,
      expiresAt,
    });
    await recordSecurityEvent(tx, {
      workspaceId: p.workspaceId,
      kind: 'invitation.created',
      at: now,
      actorId: p.userId,
      detail: { invitationId: id, email, role: input.role },
    });
  });
  return {
    id,
    email,
    role: input.role,
    expiresAt: expiresAt.toISOString(),
    token: formatSecret(PREFIX, p.workspaceId, id, secret),
  };
}

/** Accepts an invitation: creates the user with the invited role. */
export async function acceptInvitation(
  ctx: AppContext,
  input: { token: string; name: string; password: string },
) {
  const parsed = parseSecret(PREFIX, input.token);
  const invalid = () =>
    new AppError('validation_failed', 'token: this invitation is invalid, used, revoked or expired', {
      field: 'token',
    });
  if (!parsed) throw invalid();
  if (input.password.length < 12) {
    throw new AppError('validation_failed', 'password: must be at least 12 characters', {
      field: 'password',
    });
  }
  const passwordHash = await hashPassword(input.password);
  const now = ctx.now();
  return ctx.database.db.transaction(async (tx) => {
    const [inv] = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.workspaceId, parsed.workspaceId), eq(invitations.id, parsed.id)))
      .for('update');
    if (
      !inv ||
      !secretMatches(parsed.secret, inv.secretHash) ||
      inv.acceptedAt ||
      inv.revokedAt ||
      inv.expiresAt <= now
    ) {
      throw invalid();
    }
    const userId = uuidv7();
    await tx.insert(users).values({
      workspaceId: inv.workspaceId,
      id: userId,
      email: inv.email,
      name: input.name,
      role: inv.role,
      passwordHash,
    });
    await tx
      .update(invitations)
      .set({ acceptedAt: now, acceptedUserId: userId })
      .where(and(eq(invitations.workspaceId, inv.workspaceId), eq(invitations.id, inv.id)));
    await recordSecurityEvent(tx, {
      workspaceId: inv.workspaceId,
      kind: 'invitation.accepted',
      at: now,
      userId,
      detail: { invitationId: inv.id, role: inv.role },
    });
    return { workspaceId: inv.workspaceId, userId, email: inv.email, role: inv.role };
  });
}

export function presentInvitation(inv: typeof invitations.$inferSelect, now: Date) {
  return {
    id: inv.id,
    email: inv.email,
    role: inv.role,
    invitedBy: inv.invitedBy,
    createdAt: inv.createdAt.toISOString(),
    expiresAt: inv.expiresAt.toISOString(),
    status: inv.acceptedAt
      ? ('accepted' as const)
      : inv.revokedAt
        ? ('revoked' as const)
        : inv.expiresAt <= now
          ? ('expired' as const)
          : ('pending' as const),
    acceptedAt: inv.acceptedAt?.toISOString() ?? null,
    acceptedUserId: inv.acceptedUserId,
    revokedAt: inv.revokedAt?.toISOString() ?? null,
  };
}

/** The workspace's invitations, newest first (never their tokens). */
export async function listInvitations(ctx: AppContext, p: Principal) {
  return ctx.database.db
    .select()
    .from(invitations)
    .where(eq(invitations.workspaceId, p.workspaceId))
    .orderBy(desc(invitations.createdAt), desc(invitations.id));
}

/** Withdraws an invitation that has not been accepted yet; its token stops working. */
export async function revokeInvitation(ctx: AppContext, p: Principal, invitationId: string) {
  const missing = () => notFound(`pending invitation ${invitationId}`, 'invitationId');
  if (!isUuid(invitationId)) throw missing();
  const now = ctx.now();
  await ctx.database.db.transaction(async (tx) => {
    const done = await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(
        and(
          eq(invitations.workspaceId, p.workspaceId),
          eq(invitations.id, invitationId),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      )
      .returning({ id: invitations.id, email: invitations.email });
    if (done.length === 0) throw missing();
    await recordSecurityEvent(tx, {
      workspaceId: p.workspaceId,
      kind: 'invitation.revoked',
      at: now,
      actorId: p.userId,
      detail: { invitationId, email: done[0]!.email },
    });
  });
}
