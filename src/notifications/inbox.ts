// The user's inbox: list (newest first, keyset cursor), unread count, and the four marks (read,
// unread, snooze, done). Every query is by (principal's workspace, principal's user): another
// user's item is a 404 exactly like a missing one.
import { and, count, desc, eq, gt, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { decodeTimeIdCursor, encodeCursor } from '../db/cursor.js';
import { inboxItems } from '../db/schema.js';
import { invalid, notFound } from '../errors.js';
import { presentInboxItem } from './notifications.presenter.js';

export interface InboxFilter {
  /** Only unread items. */
  unread?: boolean | undefined;
  /** Include items snoozed until later than now (hidden by default). */
  includeSnoozed?: boolean | undefined;
  /** Include items marked done (hidden by default). */
  includeDone?: boolean | undefined;
  cursor?: string | undefined;
  limit: number;
}

const mine = (p: Principal) => [eq(inboxItems.workspaceId, p.workspaceId), eq(inboxItems.userId, p.userId)];
const notSnoozed = (now: Date) => or(isNull(inboxItems.snoozedUntil), lte(inboxItems.snoozedUntil, now))!;

export async function listInbox(
  ctx: AppContext,
  { principal, filter }: { principal: Principal; filter: InboxFilter },
) {
  const now = ctx.now();
  const c: SQL[] = mine(principal);
  if (!filter.includeDone) c.push(isNull(inboxItems.doneAt));
  if (!filter.includeSnoozed) c.push(notSnoozed(now));
  if (filter.unread) c.push(isNull(inboxItems.readAt));
  if (filter.cursor) {
    const after = decodeTimeIdCursor(filter.cursor);
    c.push(
      sql`(${inboxItems.createdAt}, ${inboxItems.id}) < (${new Date(after.t).toISOString()}::timestamptz, ${after.id}::uuid)`,
    );
  }
  const rows = await ctx.database.db
    .select()
    .from(inboxItems)
    .where(and(...c))
    .orderBy(desc(inboxItems.createdAt), desc(inboxItems.id))
    .limit(filter.limit + 1);
  const data = rows.slice(0, filter.limit);
  const last = data[data.length - 1];
  return {
    data: data.map((r) => presentInboxItem(r, now)),
    nextCursor:
      rows.length > filter.limit && last
        ? encodeCursor({ t: last.createdAt.toISOString(), id: last.id })
        : null,
  };
}

/** Unread, not done, not snoozed: what the badge shows. */
export async function countUnread(ctx: AppContext, { principal }: { principal: Principal }) {
  const [row] = await ctx.database.db
    .select({ n: count() })
    .from(inboxItems)
    .where(
      and(...mine(principal), isNull(inboxItems.readAt), isNull(inboxItems.doneAt), notSnoozed(ctx.now())),
    );
  return { unread: row?.n ?? 0 };
}

export type InboxMark =
  | { kind: 'read' }
  | { kind: 'unread' }
  | { kind: 'snooze'; until: Date }
  | { kind: 'done' };

/** Marks one of the user's items. Marking read twice keeps the first read time (idempotent). */
export async function markInboxItem(
  ctx: AppContext,
  { principal, itemId, mark }: { principal: Principal; itemId: string; mark: InboxMark },
) {
  const now = ctx.now();
  if (mark.kind === 'snooze' && mark.until.getTime() <= now.getTime()) {
    throw invalid('until', 'must be in the future');
  }
  const set =
    mark.kind === 'read'
      ? { readAt: sql`coalesce(${inboxItems.readAt}, ${now.toISOString()}::timestamptz)` }
      : mark.kind === 'unread'
        ? { readAt: null }
        : mark.kind === 'snooze'
          ? { snoozedUntil: mark.until }
          : { doneAt: sql`coalesce(${inboxItems.doneAt}, ${now.toISOString()}::timestamptz)` };
  const [row] = await ctx.database.db
    .update(inboxItems)
    .set(set as never)
    .where(and(...mine(principal), eq(inboxItems.id, itemId)))
    .returning();
  if (!row) throw notFound(`inbox item ${itemId}`, 'itemId');
  return presentInboxItem(row, now);
}

/** Items not yet shown to the user again after a snooze (for tests and the digest). */
export const snoozedAfter = (now: Date) => gt(inboxItems.snoozedUntil, now);
