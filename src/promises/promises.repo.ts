import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/connect.js';
import { promiseEvents, promises } from '../db/schema.js';
import { type ChainedEvent, canonicalEvent, type EventType, type JsonValue } from '../ledger/chain.js';
import { nextPromiseReminder } from '../reminders/plan.js';
import type { PromiseState } from './promise.js';

export type PromiseRow = typeof promises.$inferSelect;
export interface StoredPromise {
  state: PromiseState;
  version: number;
  headHash: string;
  /** Scheduler bookkeeping (src/reminders): the due instant of the last reminder fired. */
  remindersFiredThrough?: Date | null;
}

export function rowToStored(row: PromiseRow): StoredPromise {
  // The reminder columns are the scheduler's, not promise state: kept out of `state`.
  const { version, headHash, nextReminderAt: _next, remindersFiredThrough, ...rest } = row;
  return { state: rest as unknown as PromiseState, version, headHash, remindersFiredThrough };
}

/**
 * The next reminder instant to store with a projection written at `now` (src/reminders/plan.ts):
 * null when closed or paused, so keeping, breaking, cancelling or pausing cancels what was pending
 * and renegotiating or resuming plans the new timeline.
 */
const nextReminderAt = (s: PromiseState, firedThrough: Date | null, now: Date): Date | null =>
  nextPromiseReminder(s, firedThrough, now)?.at ?? null;

function stateToRow(s: PromiseState, version: number, headHash: string): PromiseRow {
  return { ...s, version, headHash } as PromiseRow;
}

/** Reads one promise and locks its row for the rest of the transaction (serialises its stream). */
export async function lockPromise(
  q: Queryable,
  workspaceId: string,
  id: string,
): Promise<StoredPromise | undefined> {
  const [row] = await q
    .select()
    .from(promises)
    .where(and(eq(promises.workspaceId, workspaceId), eq(promises.id, id)))
    .for('update');
  return row ? rowToStored(row) : undefined;
}

export async function findPromise(
  q: Queryable,
  workspaceId: string,
  id: string,
): Promise<StoredPromise | undefined> {
  const [row] = await q
    .select()
    .from(promises)
    .where(and(eq(promises.workspaceId, workspaceId), eq(promises.id, id)));
  return row ? rowToStored(row) : undefined;
}

export async function insertProjection(q: Queryable, s: PromiseState, version: number, headHash: string) {
  await q
    .insert(promises)
    .values({ ...stateToRow(s, version, headHash), nextReminderAt: nextReminderAt(s, null, s.updatedAt) });
}

/**
 * Writes the projection and reschedules the promise's reminders, both as of `s.updatedAt` (the
 * event's instant). `firedThrough` is the locked row's `reminders_fired_through` (read here when
 * the caller does not have it).
 */
export async function updateProjection(
  q: Queryable,
  s: PromiseState,
  version: number,
  headHash: string,
  firedThrough?: Date | null,
) {
  const { workspaceId, id, ...rest } = stateToRow(s, version, headHash);
  const where = and(eq(promises.workspaceId, workspaceId), eq(promises.id, id));
  let through = firedThrough;
  if (through === undefined) {
    const [row] = await q.select({ t: promises.remindersFiredThrough }).from(promises).where(where);
    through = row?.t ?? null;
  }
  await q
    .update(promises)
    .set({ ...rest, nextReminderAt: nextReminderAt(s, through, s.updatedAt) })
    .where(where);
}

export async function insertEvent(q: Queryable, e: ChainedEvent) {
  await q.insert(promiseEvents).values({ ...e, occurredAt: new Date(e.occurredAt), body: canonicalEvent(e) });
}

export type EventRow = typeof promiseEvents.$inferSelect;

export function eventRowToChained(r: EventRow): ChainedEvent {
  return {
    workspaceId: r.workspaceId,
    promiseId: r.promiseId,
    seq: r.seq,
    id: r.id,
    type: r.type as EventType,
    actorId: r.actorId,
    occurredAt: r.occurredAt.toISOString(),
    payload: r.payload as JsonValue,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

export async function loadStream(
  q: Queryable,
  workspaceId: string,
  promiseId: string,
): Promise<ChainedEvent[]> {
  const rows = await q
    .select()
    .from(promiseEvents)
    .where(and(eq(promiseEvents.workspaceId, workspaceId), eq(promiseEvents.promiseId, promiseId)))
    .orderBy(asc(promiseEvents.seq));
  return rows.map(eventRowToChained);
}

/** Open promises of one owner whose (pause-adjusted) due date falls in [from, to). */
function prepareDueForOwner(db: Db) {
  return db
    .select()
    .from(promises)
    .where(
      and(
        eq(promises.workspaceId, sql.placeholder('workspaceId')),
        eq(promises.ownerId, sql.placeholder('ownerId')),
        eq(promises.status, 'open'),
        gte(promises.effectiveDueAt, sql.placeholder('from')),
        lt(promises.effectiveDueAt, sql.placeholder('to')),
      ),
    )
    .orderBy(asc(promises.effectiveDueAt), asc(promises.id))
    .limit(sql.placeholder('limit'))
    .prepare('due_for_owner');
}

// The owner's daily view is the hottest read: its SQL is built once per database, not per call.
const dueForOwner = new WeakMap<Db, ReturnType<typeof prepareDueForOwner>>();

/** Open promises of one owner whose (pause-adjusted) due date falls in [from, to). */
export async function listOpenDueForOwner(
  db: Db,
  workspaceId: string,
  ownerId: string,
  from: Date,
  to: Date,
  limit: number,
): Promise<PromiseRow[]> {
  let q = dueForOwner.get(db);
  if (!q) {
    q = prepareDueForOwner(db);
    dueForOwner.set(db, q);
  }
  return q.execute({ workspaceId, ownerId, from: from.toISOString(), to: to.toISOString(), limit });
}

/** The same query as raw SQL, the baseline the benchmark compares the use case with. */
export const RAW_DUE_FOR_OWNER_SQL = `select * from promises
  where workspace_id = $1 and owner_id = $2 and status = 'open'
    and effective_due_at >= $3 and effective_due_at < $4
  order by effective_due_at, id limit $5`;

export async function countPromises(q: Queryable, workspaceId: string): Promise<number> {
  const [row] = await q
    .select({ n: sql<number>`count(*)::int` })
    .from(promises)
    .where(eq(promises.workspaceId, workspaceId));
  return row?.n ?? 0;
}
