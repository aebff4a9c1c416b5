// SQL for handoffs and their items. Every statement is scoped by workspace_id first.
import { and, asc, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../db/connect.js';
import { decodeTimeIdCursor, encodeCursor } from '../db/cursor.js';
import { handoffItems, handoffs } from '../db/schema.js';
import { isUuid } from '../workspaces/workspaces.repo.js';

export type HandoffRow = typeof handoffs.$inferSelect;
export type HandoffItemRow = typeof handoffItems.$inferSelect;

export async function insertHandoff(q: Queryable, row: HandoffRow): Promise<void> {
  await q.insert(handoffs).values(row);
}

export async function findHandoff(
  q: Queryable,
  workspaceId: string,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<HandoffRow | undefined> {
  if (!isUuid(id)) return undefined;
  const query = q
    .select()
    .from(handoffs)
    .where(and(eq(handoffs.workspaceId, workspaceId), eq(handoffs.id, id)));
  const [row] = opts.lock ? await query.for('update') : await query;
  return row;
}

export async function updateHandoffRow(
  q: Queryable,
  workspaceId: string,
  id: string,
  set: Partial<Omit<HandoffRow, 'workspaceId' | 'id'>>,
): Promise<HandoffRow> {
  const [row] = await q
    .update(handoffs)
    .set(set)
    .where(and(eq(handoffs.workspaceId, workspaceId), eq(handoffs.id, id)))
    .returning();
  return row!;
}

export async function insertItems(q: Queryable, rows: HandoffItemRow[]): Promise<void> {
  if (rows.length > 0) await q.insert(handoffItems).values(rows);
}

/** Drops a draft's items (a PATCH replaces the list). Never called on a completed handoff. */
export async function deleteItems(q: Queryable, workspaceId: string, handoffId: string): Promise<void> {
  await q
    .delete(handoffItems)
    .where(and(eq(handoffItems.workspaceId, workspaceId), eq(handoffItems.handoffId, handoffId)));
}

export async function itemsOf(
  q: Queryable,
  workspaceId: string,
  handoffIds: string[],
): Promise<HandoffItemRow[]> {
  if (handoffIds.length === 0) return [];
  return q
    .select()
    .from(handoffItems)
    .where(and(eq(handoffItems.workspaceId, workspaceId), inArray(handoffItems.handoffId, handoffIds)))
    .orderBy(asc(handoffItems.handoffId), asc(handoffItems.position));
}

export async function setItemPromise(q: Queryable, workspaceId: string, itemId: string, promiseId: string) {
  await q
    .update(handoffItems)
    .set({ promiseId })
    .where(and(eq(handoffItems.workspaceId, workspaceId), eq(handoffItems.id, itemId)));
}

export interface HandoffFilter {
  account?: string | undefined;
  status?: 'draft' | 'completed' | undefined;
  toUser?: string | undefined;
  fromUser?: string | undefined;
}

/** A page of handoffs, newest first (created_at, then id), with an opaque keyset cursor. */
export async function listHandoffRows(
  q: Queryable,
  workspaceId: string,
  f: HandoffFilter,
  page: { cursor?: string | undefined; limit: number },
): Promise<{ rows: HandoffRow[]; nextCursor: string | null }> {
  const c: SQL[] = [eq(handoffs.workspaceId, workspaceId)];
  if (f.account) c.push(eq(handoffs.accountId, f.account));
  if (f.status) c.push(eq(handoffs.status, f.status));
  if (f.toUser) c.push(eq(handoffs.toUserId, f.toUser));
  if (f.fromUser) c.push(eq(handoffs.fromUserId, f.fromUser));
  if (page.cursor) {
    const after = decodeTimeIdCursor(page.cursor);
    c.push(
      sql`(${handoffs.createdAt}, ${handoffs.id}) < (${new Date(after.t).toISOString()}::timestamptz, ${after.id}::uuid)`,
    );
  }
  const rows = await q
    .select()
    .from(handoffs)
    .where(and(...c))
    .orderBy(desc(handoffs.createdAt), desc(handoffs.id))
    .limit(page.limit + 1);
  const data = rows.slice(0, page.limit);
  const last = data[data.length - 1];
  return {
    rows: data,
    nextCursor:
      rows.length > page.limit && last
        ? encodeCursor({ t: last.createdAt.toISOString(), id: last.id })
        : null,
  };
}
