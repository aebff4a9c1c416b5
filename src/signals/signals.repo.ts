// SQL for signals. Every statement is scoped by workspace_id first.
import { and, desc, eq, gte, inArray, lt, lte, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../db/connect.js';
import { decodeTimeIdCursor, encodeCursor } from '../db/cursor.js';
import { accounts, signals } from '../db/schema.js';
import { isUuid } from '../workspaces/workspaces.repo.js';
import type { ComplaintFact } from './complaint-memory.js';
import type { SignalKind } from './signal.js';

export type SignalRow = typeof signals.$inferSelect;
export type NewSignalRow = typeof signals.$inferInsert;

export async function insertSignal(q: Queryable, row: NewSignalRow): Promise<SignalRow> {
  const [inserted] = await q.insert(signals).values(row).returning();
  return inserted!;
}

export async function findSignal(
  q: Queryable,
  workspaceId: string,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<SignalRow | undefined> {
  if (!isUuid(id)) return undefined;
  const query = q
    .select()
    .from(signals)
    .where(and(eq(signals.workspaceId, workspaceId), eq(signals.id, id)));
  const [row] = opts.lock ? await query.for('update') : await query;
  return row;
}

export async function findByExternalId(
  q: Queryable,
  workspaceId: string,
  kind: SignalKind,
  externalId: string,
) {
  const [row] = await q
    .select({ id: signals.id })
    .from(signals)
    .where(
      and(eq(signals.workspaceId, workspaceId), eq(signals.kind, kind), eq(signals.externalId, externalId)),
    )
    .limit(1);
  return row;
}

export async function updateSignal(
  q: Queryable,
  workspaceId: string,
  id: string,
  set: Partial<Omit<NewSignalRow, 'workspaceId' | 'id'>>,
): Promise<SignalRow> {
  const [row] = await q
    .update(signals)
    .set(set)
    .where(and(eq(signals.workspaceId, workspaceId), eq(signals.id, id)))
    .returning();
  return row!;
}

/** The account's complaints on one concern that happened in [from, to] (complaint memory). */
export async function complaintsOnConcern(
  q: Queryable,
  workspaceId: string,
  accountId: string,
  concernKey: string,
  from: Date,
  to: Date,
): Promise<ComplaintFact[]> {
  const rows = await q
    .select({ id: signals.id, concernKey: signals.concernKey, occurredAt: signals.occurredAt })
    .from(signals)
    .where(
      and(
        eq(signals.workspaceId, workspaceId),
        eq(signals.accountId, accountId),
        eq(signals.kind, 'complaint'),
        eq(signals.concernKey, concernKey),
        gte(signals.occurredAt, from),
        lte(signals.occurredAt, to),
      ),
    );
  return rows.map((r) => ({ id: r.id, concernKey: r.concernKey!, occurredAt: r.occurredAt }));
}

/** Moves the account's last product activity forward to `at` (never back), race-free in one statement. */
export async function advanceLastActivity(q: Queryable, workspaceId: string, accountId: string, at: Date) {
  await q
    .update(accounts)
    .set({
      lastActivityAt: sql`greatest(coalesce(${accounts.lastActivityAt}, ${at.toISOString()}::timestamptz), ${at.toISOString()}::timestamptz)`,
    })
    .where(and(eq(accounts.workspaceId, workspaceId), eq(accounts.id, accountId)));
}

export interface SignalFilter {
  account?: string | undefined;
  kind?: SignalKind[] | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  concern?: string | undefined;
  status?: 'open' | 'closed' | undefined;
  repeat?: boolean | undefined;
  promise?: string | undefined;
}

/** A page of signals, newest first (occurred_at, then id), with an opaque keyset cursor. */
export async function listSignalRows(
  q: Queryable,
  workspaceId: string,
  f: SignalFilter,
  page: { cursor?: string | undefined; limit: number },
): Promise<{ rows: SignalRow[]; nextCursor: string | null }> {
  const c: SQL[] = [eq(signals.workspaceId, workspaceId)];
  if (f.account) c.push(eq(signals.accountId, f.account));
  if (f.kind?.length) c.push(inArray(signals.kind, f.kind));
  if (f.since) c.push(gte(signals.occurredAt, f.since));
  if (f.until) c.push(lt(signals.occurredAt, f.until));
  if (f.concern) c.push(eq(signals.concernKey, f.concern));
  if (f.status) c.push(eq(signals.status, f.status));
  if (f.repeat === true) c.push(sql`${signals.repeatOfId} is not null`);
  if (f.repeat === false) c.push(eq(signals.kind, 'complaint'), sql`${signals.repeatOfId} is null`);
  if (f.promise) c.push(eq(signals.promiseId, f.promise));
  if (page.cursor) {
    const after = decodeTimeIdCursor(page.cursor);
    c.push(
      sql`(${signals.occurredAt}, ${signals.id}) < (${new Date(after.t).toISOString()}::timestamptz, ${after.id}::uuid)`,
    );
  }
  const rows = await q
    .select()
    .from(signals)
    .where(and(...c))
    .orderBy(desc(signals.occurredAt), desc(signals.id))
    .limit(page.limit + 1);
  const data = rows.slice(0, page.limit);
  const last = data[data.length - 1];
  return {
    rows: data,
    nextCursor:
      rows.length > page.limit && last
        ? encodeCursor({ t: last.occurredAt.toISOString(), id: last.id })
        : null,
  };
}
