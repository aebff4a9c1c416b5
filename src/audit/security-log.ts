import { and, desc, eq, gte, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Queryable } from '../db/connect.js';
import { securityEvents } from '../db/schema.js';

export const SECURITY_EVENT_KINDS = [
  'signin.succeeded',
  'signin.failed',
  'signin.locked',
  'signout',
  'session.revoked',
  'token.created',
  'token.used',
  'token.revoked',
  'invitation.created',
  'invitation.accepted',
  'invitation.revoked',
  'user.role_changed',
  'user.deactivated',
  'user.reactivated',
  'integration.created',
  'integration.revoked',
  'webhook.created',
  'webhook.revoked',
  /** A security-relevant workspace setting changed: detail `{field, from, to}`. */
  'settings.changed',
  /** A calendar feed link was refused: detail `{reason, revokedAt?}` (never the secret). */
  'calendar_feed.refused',
  'export',
] as const;
export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

/** Appends to the security audit log (the table rejects updates and deletes). */
export async function recordSecurityEvent(
  q: Queryable,
  e: {
    workspaceId: string;
    kind: SecurityEventKind;
    at: Date;
    userId?: string | null;
    actorId?: string | null;
    ip?: string | null;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  await q.insert(securityEvents).values({
    workspaceId: e.workspaceId,
    id: uuidv7(),
    occurredAt: e.at,
    kind: e.kind,
    userId: e.userId ?? null,
    actorId: e.actorId ?? null,
    ip: e.ip ?? null,
    detail: e.detail ?? {},
  });
}

export async function countRecent(
  q: Queryable,
  workspaceId: string,
  userId: string,
  kind: SecurityEventKind,
  since: Date,
): Promise<number> {
  const [row] = await q
    .select({ n: sql<number>`count(*)::int` })
    .from(securityEvents)
    .where(
      and(
        eq(securityEvents.workspaceId, workspaceId),
        eq(securityEvents.userId, userId),
        eq(securityEvents.kind, kind),
        gte(securityEvents.occurredAt, since),
      ),
    );
  return row?.n ?? 0;
}

export async function listSecurityEvents(q: Queryable, workspaceId: string, limit: number) {
  return q
    .select()
    .from(securityEvents)
    .where(eq(securityEvents.workspaceId, workspaceId))
    .orderBy(desc(securityEvents.occurredAt), desc(securityEvents.id))
    .limit(limit);
}
