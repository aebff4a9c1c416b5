// A user's secret calendar feed: create (or rotate) its token, revoke it, and serve the .ics. The
// token is `<workspaceId>.<userId>.<256-bit secret>`, the ids as base64url of their 16 bytes so the
// whole fits a URL path segment (89 characters): the lookup is by (workspace, user), the secret is
// compared by SHA-256 in constant time (src/auth/secrets.ts). The URL is shown once.
import { and, eq, gte, isNull, sql } from 'drizzle-orm';
import { recordSecurityEvent } from '../audit/security-log.js';
import type { Principal } from '../auth/policy.js';
import { newSecret, secretMatches } from '../auth/secrets.js';
import type { AppContext } from '../context.js';
import {
  accounts,
  calendarFeeds,
  contacts,
  promises,
  securityEvents,
  users,
  workspaces,
} from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { buildCalendarFeed, type FeedPromise } from './calendar-ics.js';

export const feedPath = (token: string) => `/calendar/${token}.ics`;

const uuidToB64 = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex').toString('base64url');
const b64ToUuid = (s: string) => {
  const h = Buffer.from(s, 'base64url').toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const TOKEN_RE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export const formatFeedToken = (workspaceId: string, userId: string, secret: string) =>
  `${uuidToB64(workspaceId)}.${uuidToB64(userId)}.${secret}`;

export function parseFeedToken(
  token: string,
): { workspaceId: string; userId: string; secret: string } | null {
  const m = TOKEN_RE.exec(token);
  return m ? { workspaceId: b64ToUuid(m[1]!), userId: b64ToUuid(m[2]!), secret: m[3]! } : null;
}

/** Issues a new token for the caller's feed; any previous token stops working at once. */
export async function createCalendarFeed(
  ctx: AppContext,
  { principal, baseUrl }: { principal: Principal; baseUrl: string },
) {
  const { secret, hash } = newSecret();
  const now = ctx.now();
  await ctx.database.db
    .insert(calendarFeeds)
    .values({ workspaceId: principal.workspaceId, userId: principal.userId, tokenHash: hash, createdAt: now })
    .onConflictDoUpdate({
      target: [calendarFeeds.workspaceId, calendarFeeds.userId],
      set: { tokenHash: hash, createdAt: now, revokedAt: null, lastUsedAt: null },
    });
  const token = formatFeedToken(principal.workspaceId, principal.userId, secret);
  return { url: `${baseUrl}${feedPath(token)}`, createdAt: now.toISOString() };
}

/** Revokes the caller's feed: its URL answers 404 from now on. No active feed → 404. */
export async function revokeCalendarFeed(ctx: AppContext, { principal }: { principal: Principal }) {
  const done = await ctx.database.db
    .update(calendarFeeds)
    .set({ revokedAt: ctx.now() })
    .where(
      and(
        eq(calendarFeeds.workspaceId, principal.workspaceId),
        eq(calendarFeeds.userId, principal.userId),
        isNull(calendarFeeds.revokedAt),
      ),
    )
    .returning({ userId: calendarFeeds.userId });
  if (done.length === 0) throw notFound('an active calendar feed');
}

const unknownFeed = () =>
  new AppError(
    'not_found',
    'calendar feed not found: the link is unknown, was revoked or replaced by a newer one',
    {
      field: 'token',
    },
  );

/** Why a feed link was refused (logged and audited; the response says only "not found"). */
export type FeedRefusal =
  | 'malformed_token'
  | 'unknown_token'
  | 'secret_mismatch'
  | 'revoked'
  | 'user_deactivated';

/** The request logger's `warn` (pino's signature). */
export interface FeedLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** A refused link is audited at most once an hour per user and reason: clients poll a dead link for ever. */
const REFUSAL_AUDIT_EVERY_MS = 3_600_000;

/**
 * Records why a feed link was refused: a warn line every time, and for a feed that exists a
 * `calendar_feed.refused` security event (with workspace, user, reason and IP; never the secret).
 * Tokens naming no feed are only logged: their ids are unverified and may name no workspace.
 */
async function refuse(
  ctx: AppContext,
  r: {
    reason: FeedRefusal;
    workspaceId?: string;
    userId?: string;
    revokedAt?: Date;
    ip?: string | undefined;
    log?: FeedLog | undefined;
  },
): Promise<never> {
  const detail = { reason: r.reason, ...(r.revokedAt ? { revokedAt: r.revokedAt.toISOString() } : {}) };
  r.log?.warn(
    { ...detail, workspaceId: r.workspaceId, userId: r.userId },
    `calendar feed refused: ${r.reason}${r.revokedAt ? ` (revoked at ${r.revokedAt.toISOString()})` : ''}`,
  );
  const known = r.reason !== 'malformed_token' && r.reason !== 'unknown_token';
  if (known && r.workspaceId && r.userId) {
    const now = ctx.now();
    const [recent] = await ctx.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(securityEvents)
      .where(
        and(
          eq(securityEvents.workspaceId, r.workspaceId),
          eq(securityEvents.userId, r.userId),
          eq(securityEvents.kind, 'calendar_feed.refused'),
          gte(securityEvents.occurredAt, new Date(now.getTime() - REFUSAL_AUDIT_EVERY_MS)),
          sql`${securityEvents.detail} ->> 'reason' = ${r.reason}`,
        ),
      );
    if (!recent?.n) {
      await recordSecurityEvent(ctx.database.db, {
        workspaceId: r.workspaceId,
        kind: 'calendar_feed.refused',
        at: now,
        userId: r.userId,
        ip: r.ip ?? null,
        detail,
      });
    }
  }
  throw unknownFeed();
}

/**
 * The .ics text of the feed named by `token`; unknown, revoked or replaced → 404 (the reason is
 * logged through `log` and, for an existing feed, in the security log).
 */
export async function renderCalendarFeed(
  ctx: AppContext,
  { token, baseUrl, log, ip }: { token: string; baseUrl: string; log?: FeedLog; ip?: string },
) {
  const parsed = parseFeedToken(token);
  if (!parsed) return refuse(ctx, { reason: 'malformed_token', log, ip });
  const { workspaceId, userId } = parsed;
  const [feed] = await ctx.database.db
    .select({
      feed: calendarFeeds,
      userName: users.name,
      active: users.active,
      workspaceName: workspaces.name,
    })
    .from(calendarFeeds)
    .innerJoin(
      users,
      and(eq(users.workspaceId, calendarFeeds.workspaceId), eq(users.id, calendarFeeds.userId)),
    )
    .innerJoin(workspaces, eq(workspaces.id, calendarFeeds.workspaceId))
    .where(and(eq(calendarFeeds.workspaceId, workspaceId), eq(calendarFeeds.userId, userId)));
  const who = { workspaceId, userId, log, ip };
  if (!feed) return refuse(ctx, { reason: 'unknown_token', ...who });
  // A wrong secret first: a link replaced by a newer one, or a forged one (they look alike).
  if (!secretMatches(parsed.secret, feed.feed.tokenHash))
    return refuse(ctx, { reason: 'secret_mismatch', ...who });
  if (feed.feed.revokedAt !== null)
    return refuse(ctx, { reason: 'revoked', revokedAt: feed.feed.revokedAt, ...who });
  // A deactivated user's feed stops with their access.
  if (!feed.active) return refuse(ctx, { reason: 'user_deactivated', ...who });
  const now = ctx.now();
  const rows = await ctx.database.db
    .select({ p: promises, accountName: accounts.name, contactName: contacts.name })
    .from(promises)
    .leftJoin(
      accounts,
      and(eq(accounts.workspaceId, promises.workspaceId), eq(accounts.id, promises.accountId)),
    )
    .leftJoin(
      contacts,
      and(eq(contacts.workspaceId, promises.workspaceId), eq(contacts.id, promises.contactId)),
    )
    // Open promises, paused ones included (calendar-ics lists those at their original due date).
    .where(
      and(eq(promises.workspaceId, workspaceId), eq(promises.ownerId, userId), eq(promises.status, 'open')),
    );
  const list: FeedPromise[] = rows.map(({ p, accountName, contactName }) => ({
    id: p.id,
    status: p.status,
    createdAt: p.createdAt,
    dueAt: p.dueAt,
    effectiveDueAt: p.effectiveDueAt,
    checkpoints: p.checkpoints,
    pauses: p.pauses,
    pausedAt: p.pausedAt,
    promiseMade: p.promiseMade,
    customerReason: p.customerReason,
    accountName: accountName ?? '',
    contactName,
    updatedAt: p.updatedAt,
  }));
  await ctx.database.db
    .update(calendarFeeds)
    .set({ lastUsedAt: now })
    .where(and(eq(calendarFeeds.workspaceId, workspaceId), eq(calendarFeeds.userId, userId)));
  return buildCalendarFeed({
    userName: feed.userName,
    workspaceName: feed.workspaceName,
    baseUrl,
    now,
    promises: list,
  });
}
