// Admin use cases for outbound webhook subscriptions: create (the secret is shown once), list,
// read, revoke, read a subscription's delivery log, and replay a delivery from it. Every lookup is
// by (principal's workspace, id); another workspace's subscription is a 404 like a missing one.
import { and, asc, desc, eq, gt, inArray, isNull, lte, ne, or, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { recordSecurityEvent } from '../audit/security-log.js';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/connect.js';
import { deliveries, deliveryAttempts, webhookSubscriptions } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { isUuid } from '../workspaces/workspaces.repo.js';
import { newWebhookSecret } from './signing.js';
import { presentDelivery, presentSubscription } from './webhooks.presenter.js';

const missing = (id: string) => notFound(`webhook subscription ${id}`, 'webhookId');

/** The security log keeps the host only: paths and queries of webhook URLs often carry tokens. */
function urlHost(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

async function findSubscription(q: Queryable, workspaceId: string, id: string) {
  if (!isUuid(id)) return undefined;
  const [row] = await q
    .select()
    .from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.workspaceId, workspaceId), eq(webhookSubscriptions.id, id)))
    .limit(1);
  return row;
}

/**
 * A subscription URL must be http(s) without credentials: anything else would be dropped at every
 * delivery, and user:pass@ would keep a password in plain text in the subscription (and in logs).
 */
function checkUrl(raw: string): void {
  const bad = (why: string) => new AppError('validation_failed', `url: ${why}`, { field: 'url' });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('must be an http:// or https:// URL');
  if (url.username || url.password) {
    throw bad('must not carry credentials (user:password@); put a token in the path or query instead');
  }
}

export async function createSubscription(
  ctx: AppContext,
  {
    principal,
    input,
  }: { principal: Principal; input: { url: string; eventTypes: string[]; description?: string | undefined } },
) {
  checkUrl(input.url);
  const secret = newWebhookSecret();
  const row = await ctx.database.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(webhookSubscriptions)
      .values({
        workspaceId: principal.workspaceId,
        id: uuidv7(),
        url: input.url,
        secret,
        eventTypes: [...new Set(input.eventTypes)],
        description: input.description ?? null,
        createdBy: principal.userId,
        createdAt: ctx.now(),
      })
      .returning();
    await recordSecurityEvent(tx, {
      workspaceId: principal.workspaceId,
      kind: 'webhook.created',
      at: ctx.now(),
      actorId: principal.userId,
      detail: { webhookId: created!.id, host: urlHost(created!.url) },
    });
    return created!;
  });
  // The only response that carries the secret: the server keeps it to sign, and never returns it.
  return { ...presentSubscription(row), secret };
}

export async function listSubscriptions(ctx: AppContext, { principal }: { principal: Principal }) {
  const rows = await ctx.database.db
    .select()
    .from(webhookSubscriptions)
    .where(eq(webhookSubscriptions.workspaceId, principal.workspaceId))
    .orderBy(desc(webhookSubscriptions.createdAt), asc(webhookSubscriptions.id));
  return rows.map(presentSubscription);
}

export async function getSubscription(
  ctx: AppContext,
  { principal, webhookId }: { principal: Principal; webhookId: string },
) {
  const row = await findSubscription(ctx.database.db, principal.workspaceId, webhookId);
  if (!row) throw missing(webhookId);
  return presentSubscription(row);
}

/** Revokes a subscription: pending deliveries to it are dropped when their turn comes. */
export async function revokeSubscription(
  ctx: AppContext,
  { principal, webhookId }: { principal: Principal; webhookId: string },
): Promise<void> {
  if (!isUuid(webhookId)) throw missing(webhookId);
  await ctx.database.db.transaction(async (tx) => {
    const [done] = await tx
      .update(webhookSubscriptions)
      .set({ revokedAt: ctx.now() })
      .where(
        and(
          eq(webhookSubscriptions.workspaceId, principal.workspaceId),
          eq(webhookSubscriptions.id, webhookId),
          isNull(webhookSubscriptions.revokedAt),
        ),
      )
      .returning({ id: webhookSubscriptions.id, url: webhookSubscriptions.url });
    if (!done) throw missing(webhookId);
    await recordSecurityEvent(tx, {
      workspaceId: principal.workspaceId,
      kind: 'webhook.revoked',
      at: ctx.now(),
      actorId: principal.userId,
      detail: { webhookId: done.id, host: urlHost(done.url) },
    });
  });
}

const badCursor = () =>
  new AppError('validation_failed', 'cursor: not a cursor returned by this list', { field: 'cursor' });

/** A UTC instant to the microsecond (`2026-12-04T19:34:12.310873Z`), or to the millisecond (older cursors). */
const CURSOR_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/**
 * The cursor keeps the last row's created_at to the microsecond, as text: deliveries enqueued in one
 * transaction share its now(), and a millisecond Date would skip the rest of them on the next page.
 */
function decodeCursor(raw: string): { at: string; id: string } {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { at?: unknown; id?: unknown };
    if (
      typeof c.at === 'string' &&
      CURSOR_INSTANT.test(c.at) &&
      !Number.isNaN(Date.parse(c.at)) &&
      typeof c.id === 'string' &&
      isUuid(c.id)
    )
      return { at: c.at, id: c.id };
  } catch {
    // falls through
  }
  throw badCursor();
}

async function attemptsOf(q: Queryable, workspaceId: string, ids: string[]) {
  if (ids.length === 0) return new Map<string, (typeof deliveryAttempts.$inferSelect)[]>();
  const rows = await q
    .select()
    .from(deliveryAttempts)
    .where(and(eq(deliveryAttempts.workspaceId, workspaceId), inArray(deliveryAttempts.deliveryId, ids)))
    .orderBy(asc(deliveryAttempts.deliveryId), asc(deliveryAttempts.attempt), asc(deliveryAttempts.id));
  const by = new Map<string, (typeof deliveryAttempts.$inferSelect)[]>();
  for (const r of rows) by.set(r.deliveryId, [...(by.get(r.deliveryId) ?? []), r]);
  return by;
}

/** The subscription's deliveries, newest first, each with its attempts, a page at a time. */
export async function listSubscriptionDeliveries(
  ctx: AppContext,
  {
    principal,
    webhookId,
    cursor,
    limit,
  }: { principal: Principal; webhookId: string; cursor?: string | undefined; limit: number },
) {
  const db = ctx.database.db;
  const ws = principal.workspaceId;
  if (!(await findSubscription(db, ws, webhookId))) throw missing(webhookId);
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const d = deliveries;
  const rows = await db
    // Formatted here, not by ::text, whose form follows the connection's DateStyle.
    .select({
      row: d,
      at: sql<string>`to_char(${d.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(d)
    .where(
      and(
        eq(d.workspaceId, ws),
        eq(d.targetId, webhookId),
        eq(d.channel, 'webhook'),
        after ? sql`(${d.createdAt}, ${d.id}) < (${after.at}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(d.createdAt), desc(d.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit).map((r) => r.row);
  const lastAt = rows[limit - 1]?.at;
  const attempts = await attemptsOf(
    db,
    ws,
    page.map((r) => r.id),
  );
  const last = page[page.length - 1];
  return {
    data: page.map((r) => presentDelivery(r, attempts.get(r.id) ?? [])),
    nextCursor:
      rows.length > limit && last && lastAt
        ? Buffer.from(JSON.stringify({ at: lastAt, id: last.id })).toString('base64url')
        : null,
  };
}

/**
 * Replays a delivery from the log: it becomes pending again, due now, and the worker sends the
 * same message with the same webhook-id as one more attempt (a failed delivery gets that one
 * attempt, not a fresh budget: a failure ends it again). A delivery still pending is left as it is
 * (it is going to be sent anyway) apart from being due now. One being sent at this moment (its
 * lease has not run out) is a 409: replaying it would send it twice at once.
 */
export async function replayDelivery(
  ctx: AppContext,
  { principal, webhookId, deliveryId }: { principal: Principal; webhookId: string; deliveryId: string },
) {
  const ws = principal.workspaceId;
  return ctx.database.db.transaction(async (tx) => {
    const sub = await findSubscription(tx, ws, webhookId);
    if (!sub) throw missing(webhookId);
    if (sub.revokedAt) {
      throw new AppError('conflict', `webhook subscription ${webhookId} is revoked: nothing is sent to it`, {
        field: 'webhookId',
      });
    }
    if (!isUuid(deliveryId)) throw notFound(`delivery ${deliveryId}`, 'deliveryId');
    const now = ctx.now();
    const ours = and(
      eq(deliveries.workspaceId, ws),
      eq(deliveries.id, deliveryId),
      eq(deliveries.targetId, webhookId),
      eq(deliveries.channel, 'webhook'),
    );
    // One statement decides: a row a worker is sending now (pending, lease not run out) is not touched.
    const [row] = await tx
      .update(deliveries)
      .set({ status: 'pending', deliveredAt: null, nextAttemptAt: now, lockedUntil: null })
      .where(
        and(
          ours,
          or(
            ne(deliveries.status, 'pending'),
            isNull(deliveries.lockedUntil),
            lte(deliveries.lockedUntil, now),
          ),
        ),
      )
      .returning();
    if (!row) {
      const [sending] = await tx
        .select({ lockedUntil: deliveries.lockedUntil })
        .from(deliveries)
        .where(and(ours, eq(deliveries.status, 'pending'), gt(deliveries.lockedUntil, now)))
        .limit(1);
      if (sending?.lockedUntil) {
        throw new AppError(
          'conflict',
          `delivery ${deliveryId} is being sent now; try again after ${sending.lockedUntil.toISOString()}`,
          { field: 'deliveryId' },
        );
      }
      throw notFound(`delivery ${deliveryId}`, 'deliveryId');
    }
    const attempts = await attemptsOf(tx, ws, [row.id]);
    return presentDelivery(row, attempts.get(row.id) ?? []);
  });
}
