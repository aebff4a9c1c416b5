import { and, asc, desc, eq, gte, isNull, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { recordSecurityEvent } from '../audit/security-log.js';
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/connect.js';
import { securityEvents, sessions, users } from '../db/schema.js';
import { AppError } from '../errors.js';
import { checkPassword, hashPassword } from '../users/passwords.js';
import { isUuid, requireWorkspace } from '../workspaces/workspaces.repo.js';
import type { Principal, Role } from './policy.js';
import { formatSecret, newSecret, parseSecret, secretMatches } from './secrets.js';

export const SESSION_COOKIE = 'pl_session';
const PREFIX = 'pls';

export interface SessionPolicy {
  /** A session unused for this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, used or not. */
  absoluteMs: number;
  /** Failed sign-ins per account per hour before it is locked. */
  maxFailuresPerHour: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleMs: 12 * 3_600_000,
  absoluteMs: 14 * 86_400_000,
  maxFailuresPerHour: 100,
};

const WRONG = 'the workspace, email or password is wrong';
const HOUR_MS = 3_600_000;

/**
 * Every refused sign-in looks the same, whichever part was wrong: same status, message and (no)
 * field, so the answer does not tell an attacker which workspaces and emails exist.
 */
const wrong = () => new AppError('unauthenticated', WRONG);

/** A hash to check passwords against when there is no user, so unknown emails take as long. */
let dummyHash: Promise<string> | undefined;
const spendPasswordCheck = async (password: string) => {
  dummyHash ??= hashPassword(newSecret().secret);
  await checkPassword(password, await dummyHash);
};

export interface SignedIn {
  cookieValue: string;
  csrfToken: string;
  sessionId: string;
  expiresAt: Date;
  user: { id: string; workspaceId: string; name: string; email: string; role: Role };
}

/** Failed sign-ins of one user since `since`, oldest first. */
async function recentFailures(
  q: Queryable,
  workspaceId: string,
  userId: string,
  since: Date,
): Promise<Date[]> {
  const rows = await q
    .select({ at: securityEvents.occurredAt })
    .from(securityEvents)
    .where(
      and(
        eq(securityEvents.workspaceId, workspaceId),
        eq(securityEvents.userId, userId),
        eq(securityEvents.kind, 'signin.failed'),
        gte(securityEvents.occurredAt, since),
      ),
    )
    .orderBy(asc(securityEvents.occurredAt));
  return rows.map((r) => r.at);
}

function lockedError(failures: Date[], max: number): AppError {
  // Unlocked once enough of the hour's failures have aged out to bring the count under the limit.
  const until = new Date(failures[failures.length - max]!.getTime() + HOUR_MS);
  return new AppError(
    'too_many_requests',
    `this account is locked after ${failures.length} failed sign-ins in the last hour; ` +
      `try again after ${until.toISOString()}`,
  );
}

export async function signIn(
  ctx: AppContext,
  input: {
    workspace: string;
    email: string;
    password: string;
    ip?: string | undefined;
    userAgent?: string | undefined;
    policy?: SessionPolicy;
  },
): Promise<SignedIn> {
  const policy = input.policy ?? DEFAULT_SESSION_POLICY;
  const db = ctx.database.db;
  const now = ctx.now();
  const ip = input.ip ?? null;
  const since = new Date(now.getTime() - HOUR_MS);
  const ws = await requireWorkspace(db, input.workspace).catch((err) => {
    if (err instanceof AppError && err.code === 'not_found') return undefined;
    throw err;
  });
  const [user] = ws
    ? await db
        .select()
        .from(users)
        .where(
          and(eq(users.workspaceId, ws.id), sql`lower(${users.email}) = ${input.email.trim().toLowerCase()}`),
        )
        .limit(1)
    : [];
  if (!ws || !user) {
    await spendPasswordCheck(input.password);
    if (ws) {
      await recordSecurityEvent(db, {
        workspaceId: ws.id,
        kind: 'signin.failed',
        at: now,
        ip,
        detail: { email: input.email.slice(0, 320), reason: 'unknown email' },
      });
    }
    throw wrong();
  }
  const lockEvent = (q: Queryable) =>
    recordSecurityEvent(q, { workspaceId: ws.id, kind: 'signin.locked', at: now, userId: user.id, ip });
  // A locked account is refused before any password work is spent on it.
  const before = await recentFailures(db, ws.id, user.id, since);
  if (before.length >= policy.maxFailuresPerHour) {
    await lockEvent(db);
    throw lockedError(before, policy.maxFailuresPerHour);
  }
  let ok = false;
  if (user.active && user.passwordHash !== null) ok = await checkPassword(input.password, user.passwordHash);
  else await spendPasswordCheck(input.password);

  // The decision is taken again with the user's row locked: concurrent attempts on one account
  // queue here, so each sees the failures of the ones before it and the limit holds exactly.
  const id = uuidv7();
  const { secret, hash } = newSecret();
  const csrfToken = newSecret().secret;
  const expiresAt = new Date(now.getTime() + policy.absoluteMs);
  const outcome = await db.transaction(async (tx) => {
    await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.workspaceId, ws.id), eq(users.id, user.id)))
      .for('update');
    const failures = await recentFailures(tx, ws.id, user.id, since);
    if (failures.length >= policy.maxFailuresPerHour) {
      await lockEvent(tx);
      return { kind: 'locked', failures } as const;
    }
    if (!ok) {
      await recordSecurityEvent(tx, {
        workspaceId: ws.id,
        kind: 'signin.failed',
        at: now,
        userId: user.id,
        ip,
        detail: {
          reason: !user.active
            ? 'deactivated user'
            : user.passwordHash === null
              ? 'no password set'
              : 'wrong password',
        },
      });
      return { kind: 'failed' } as const;
    }
    await tx.insert(sessions).values({
      workspaceId: ws.id,
      id,
      userId: user.id,
      secretHash: hash,
      csrfToken,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      userAgent: input.userAgent?.slice(0, 500) ?? null,
      ip,
    });
    await recordSecurityEvent(tx, {
      workspaceId: ws.id,
      kind: 'signin.succeeded',
      at: now,
      userId: user.id,
      ip,
      detail: { sessionId: id },
    });
    return { kind: 'signed_in' } as const;
  });
  if (outcome.kind === 'locked') throw lockedError(outcome.failures, policy.maxFailuresPerHour);
  if (outcome.kind === 'failed') throw wrong();
  return {
    cookieValue: formatSecret(PREFIX, ws.id, id, secret),
    csrfToken,
    sessionId: id,
    expiresAt,
    user: { id: user.id, workspaceId: ws.id, name: user.name, email: user.email, role: user.role },
  };
}

export interface SessionPrincipal extends Principal {
  sessionId: string;
  csrfToken: string;
}

/** The principal of a session cookie, or undefined when it is unknown, expired, idle or revoked. */
export async function resolveSession(
  ctx: AppContext,
  cookieValue: string | undefined,
  policy: SessionPolicy = DEFAULT_SESSION_POLICY,
): Promise<SessionPrincipal | undefined> {
  const parsed = parseSecret(PREFIX, cookieValue);
  if (!parsed) return undefined;
  const db = ctx.database.db;
  const [row] = await db
    .select({ s: sessions, u: users })
    .from(sessions)
    .innerJoin(users, and(eq(users.workspaceId, sessions.workspaceId), eq(users.id, sessions.userId)))
    .where(and(eq(sessions.workspaceId, parsed.workspaceId), eq(sessions.id, parsed.id)))
    .limit(1);
  if (!row || !secretMatches(parsed.secret, row.s.secretHash)) return undefined;
  const now = ctx.now();
  if (
    row.s.revokedAt ||
    row.s.expiresAt <= now ||
    now.getTime() - row.s.lastSeenAt.getTime() > policy.idleMs
  ) {
    return undefined;
  }
  if (!row.u.active) return undefined;
  // One write a minute at most per session, not one per request.
  if (now.getTime() - row.s.lastSeenAt.getTime() > 60_000) {
    await db
      .update(sessions)
      .set({ lastSeenAt: now })
      .where(and(eq(sessions.workspaceId, parsed.workspaceId), eq(sessions.id, parsed.id)));
  }
  return {
    workspaceId: row.u.workspaceId,
    userId: row.u.id,
    role: row.u.role,
    grants: row.u.grants,
    via: 'session',
    scope: 'write',
    sessionId: row.s.id,
    csrfToken: row.s.csrfToken,
  };
}

/** The principal's sessions that still work (not revoked, not past their idle or absolute end). */
export async function listOwnSessions(
  ctx: AppContext,
  p: Principal,
  policy: SessionPolicy = DEFAULT_SESSION_POLICY,
) {
  const rows = await ctx.database.db
    .select()
    .from(sessions)
    .where(
      and(eq(sessions.workspaceId, p.workspaceId), eq(sessions.userId, p.userId), isNull(sessions.revokedAt)),
    )
    .orderBy(desc(sessions.createdAt));
  const now = ctx.now();
  return rows.filter((s) => s.expiresAt > now && now.getTime() - s.lastSeenAt.getTime() <= policy.idleMs);
}

export async function revokeOwnSession(
  ctx: AppContext,
  p: Principal,
  sessionId: string,
  ip?: string,
  kind: 'session.revoked' | 'signout' = 'session.revoked',
): Promise<void> {
  const db = ctx.database.db;
  if (!isUuid(sessionId))
    throw new AppError('not_found', `session ${sessionId} not found`, { field: 'sessionId' });
  await db.transaction(async (tx) => {
    const done = await tx
      .update(sessions)
      .set({ revokedAt: ctx.now() })
      .where(
        and(
          eq(sessions.workspaceId, p.workspaceId),
          eq(sessions.id, sessionId),
          eq(sessions.userId, p.userId),
          isNull(sessions.revokedAt),
        ),
      )
      .returning({ id: sessions.id });
    if (done.length === 0)
      throw new AppError('not_found', `session ${sessionId} not found`, { field: 'sessionId' });
    await recordSecurityEvent(tx, {
      workspaceId: p.workspaceId,
      kind,
      at: ctx.now(),
      userId: p.userId,
      actorId: p.userId,
      ip: ip ?? null,
      detail: { sessionId },
    });
  });
}
