// The outbox: pending deliveries are rows, written in the caller's transaction (a fired reminder,
// its inbox items and its deliveries commit together), claimed by workers with
// FOR UPDATE SKIP LOCKED under a lease, and settled with every attempt logged. SQL only; the rules
// (backoff, verdicts) are in rules.ts, the sending in channels.ts, the loop in worker.ts.
import { and, eq, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Queryable, Tx } from '../db/connect.js';
import { deliveries, deliveryAttempts } from '../db/schema.js';
import type { EnqueueDeliveries, EnqueueWebhookEvent } from '../notifications/contract.js';
import { isHttpStatus } from './rules.js';

export type DeliveryRow = typeof deliveries.$inferSelect;
export type AttemptRow = typeof deliveryAttempts.$inferSelect;

/** Rows per INSERT: well under the 65,535 bind parameters of one statement. */
const INSERT_CHUNK = 1000;

type Rows<T> = { rows: T[] };

/** Inserts pending deliveries; a key the workspace already has is left alone. Returns how many were new. */
export const enqueueDeliveries: EnqueueDeliveries = async (tx, requests) => {
  let inserted = 0;
  for (let i = 0; i < requests.length; i += INSERT_CHUNK) {
    const chunk = requests.slice(i, i + INSERT_CHUNK);
    const rows = await tx
      .insert(deliveries)
      .values(
        chunk.map((r) => ({
          workspaceId: r.workspaceId,
          id: uuidv7(),
          key: r.key,
          channel: r.channel,
          targetId: r.targetId,
          reminderId: r.reminderId,
          eventType: r.eventType,
          content: r.content,
          data: r.data,
          status: 'pending' as const,
          attempts: 0,
          notBefore: r.notBefore,
          nextAttemptAt: r.notBefore,
          createdAt: sql`now()` as unknown as Date,
        })),
      )
      .onConflictDoNothing({ target: [deliveries.workspaceId, deliveries.key] })
      .returning({ id: deliveries.id });
    inserted += rows.length;
  }
  return inserted;
};

/**
 * One pending webhook delivery per active subscription of the workspace whose event types include
 * the event's (or that take all), keyed `${key}:webhook:${subscriptionId}`. One INSERT … SELECT.
 * Due at `at` (the event's instant); without it, due at once whatever the worker's clock says.
 */
export const enqueueWebhookEvent: EnqueueWebhookEvent = (tx, e) => enqueueWebhookEvents(tx, [e]);

/**
 * Claims up to `limit` due pending deliveries across workspaces (the deliveries_due_idx exception)
 * and leases them: next_attempt_at moves to the lease's end, so a worker that dies leaves the row
 * to be claimed again then (with the same id, hence the same webhook-id). Commits at once: nothing
 * is sent while a transaction is open.
 */
export async function claimDue(tx: Tx, now: Date, limit: number, leaseMs: number): Promise<DeliveryRow[]> {
  const until = new Date(now.getTime() + leaseMs);
  const res = await tx.execute(sql`
    with due as (
      select workspace_id, id from deliveries
       where status = 'pending' and next_attempt_at <= ${now.toISOString()}::timestamptz
       order by next_attempt_at
       limit ${limit}
       for update skip locked)
    update deliveries d
       set locked_until = ${until.toISOString()}::timestamptz,
           next_attempt_at = ${until.toISOString()}::timestamptz,
           attempts = d.attempts + 1
      from due
     where d.workspace_id = due.workspace_id and d.id = due.id
    returning d.workspace_id, d.id, d.key, d.channel, d.target_id, d.reminder_id, d.event_type, d.content,
              d.data, d.attempts, d.not_before, d.created_at`);
  return (res as unknown as Rows<Record<string, unknown>>).rows.map((r) => ({
    workspaceId: r.workspace_id as string,
    id: r.id as string,
    key: r.key as string,
    channel: r.channel as DeliveryRow['channel'],
    targetId: r.target_id as string,
    reminderId: (r.reminder_id as string | null) ?? null,
    eventType: r.event_type as string,
    content: (typeof r.content === 'string' ? JSON.parse(r.content) : r.content) as DeliveryRow['content'],
    data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as DeliveryRow['data'],
    status: 'pending',
    attempts: Number(r.attempts),
    notBefore: new Date(r.not_before as string),
    nextAttemptAt: until,
    lockedUntil: until,
    lastError: null,
    deliveredAt: null,
    createdAt: new Date(r.created_at as string),
  }));
}

export interface AttemptResult {
  delivery: Pick<DeliveryRow, 'workspaceId' | 'id' | 'attempts'>;
  outcome: 'success' | 'retry' | 'failed' | 'dropped';
  startedAt: Date;
  finishedAt: Date;
  httpStatus: number | null;
  error: string | null;
  /** For a retry: when to try again. */
  nextAttemptAt: Date | null;
}

// C0 control characters other than tab and newline, and DEL: PostgreSQL refuses NUL in text, and
// the rest are noise from a receiver's body.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Error text as stored: no control characters (a receiver's body may carry NUL), at most 2,000 characters. */
export function cleanError(error: string | null): string | null {
  return error === null ? null : error.replace(CONTROL, '').slice(0, 2000);
}

/** The status column holds 100–599 only: anything else (already refused by safe-fetch) is stored as null. */
function cleanStatus(status: number | null): number | null {
  return status !== null && isHttpStatus(status) ? status : null;
}

/**
 * Logs each attempt and settles its delivery, a batch in at most three statements. Only a row
 * still pending under this very attempt is changed: a worker whose lease ran out (and whose row
 * another worker claimed) logs its attempt — a success too — but the row's outcome is that of its
 * latest claim, so it cannot be overwritten by an older one, and a delivered row is never delivered
 * twice. Error text and statuses are cleaned first: one receiver's odd answer must not fail the
 * whole batch's transaction (and have every result of the batch sent again).
 */
export async function recordAttempts(tx: Tx, results: readonly AttemptResult[]): Promise<void> {
  for (let i = 0; i < results.length; i += INSERT_CHUNK) {
    const chunk = results.slice(i, i + INSERT_CHUNK);
    const errorOf = (r: AttemptResult) => cleanError(r.error);
    await tx.insert(deliveryAttempts).values(
      chunk.map((r) => ({
        workspaceId: r.delivery.workspaceId,
        id: uuidv7(),
        deliveryId: r.delivery.id,
        attempt: r.delivery.attempts,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        outcome: r.outcome,
        httpStatus: cleanStatus(r.httpStatus),
        error: errorOf(r),
        durationMs: Math.max(0, r.finishedAt.getTime() - r.startedAt.getTime()),
      })),
    );
    const col = <T>(rs: AttemptResult[], f: (r: AttemptResult) => T) => sql.param(rs.map(f));
    const ok = chunk.filter((r) => r.outcome === 'success');
    if (ok.length > 0) {
      // A success from an expired lease whose row was claimed again is logged (above) but does not
      // settle the row: the newer claim's own result does, so the row is delivered once.
      await tx.execute(sql`
        update deliveries d
           set status = 'delivered', delivered_at = t.finished_at, locked_until = null, last_error = null
          from unnest(${col(ok, (r) => r.delivery.workspaceId)}::uuid[], ${col(ok, (r) => r.delivery.id)}::uuid[],
                      ${col(ok, (r) => r.delivery.attempts)}::int[],
                      ${col(ok, (r) => r.finishedAt.toISOString())}::timestamptz[])
            as t(workspace_id, id, attempts, finished_at)
         where d.workspace_id = t.workspace_id and d.id = t.id and d.status = 'pending' and d.attempts = t.attempts`);
    }
    const rest = chunk.filter((r) => r.outcome !== 'success');
    if (rest.length > 0) {
      // Only a row still pending under this very attempt: an expired lease cannot overwrite a newer one.
      await tx.execute(sql`
        update deliveries d
           set status = case when t.outcome = 'retry' then 'pending' else t.outcome end,
               next_attempt_at = case when t.outcome = 'retry' then t.next_attempt_at else d.next_attempt_at end,
               locked_until = null, last_error = t.error
          from unnest(${col(rest, (r) => r.delivery.workspaceId)}::uuid[], ${col(rest, (r) => r.delivery.id)}::uuid[],
                      ${col(rest, (r) => r.delivery.attempts)}::int[], ${col(rest, (r) => r.outcome)}::text[],
                      ${col(rest, (r) => (r.nextAttemptAt ?? r.finishedAt).toISOString())}::timestamptz[],
                      ${col(rest, errorOf)}::text[])
            as t(workspace_id, id, attempts, outcome, next_attempt_at, error)
         where d.workspace_id = t.workspace_id and d.id = t.id and d.status = 'pending' and d.attempts = t.attempts`);
    }
  }
}

export async function findDelivery(q: Queryable, workspaceId: string, id: string) {
  const [row] = await q
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.workspaceId, workspaceId), eq(deliveries.id, id)))
    .limit(1);
  return row;
}

/**
 * enqueueWebhookEvent for many events at once (the scheduler's batch): one INSERT … SELECT joining
 * the events to their workspaces' active subscriptions, the same keys and due instants.
 */
export async function enqueueWebhookEvents(
  tx: Tx,
  events: readonly Parameters<EnqueueWebhookEvent>[1][],
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < events.length; i += INSERT_CHUNK) {
    const chunk = events.slice(i, i + INSERT_CHUNK);
    const res = await tx.execute(sql`
      insert into deliveries (workspace_id, id, key, channel, target_id, reminder_id, event_type, content, data,
                              status, attempts, not_before, next_attempt_at, created_at)
      select s.workspace_id, gen_random_uuid(), e.key || ':webhook:' || s.id::text, 'webhook', s.id,
             e.reminder_id, e.event_type, jsonb_build_object('title', e.event_type, 'text', '', 'html', ''),
             e.data, 'pending', 0, coalesce(e.at, 'epoch'), coalesce(e.at, 'epoch'), coalesce(e.at, now())
        from unnest(${sql.param(chunk.map((e) => e.workspaceId))}::uuid[],
                    ${sql.param(chunk.map((e) => e.key))}::text[],
                    ${sql.param(chunk.map((e) => e.reminderId))}::uuid[],
                    ${sql.param(chunk.map((e) => e.eventType))}::text[],
                    ${sql.param(chunk.map((e) => JSON.stringify(e.data)))}::jsonb[],
                    ${sql.param(chunk.map((e) => (e.at ? e.at.toISOString() : null)))}::timestamptz[])
          as e(workspace_id, key, reminder_id, event_type, data, at)
        join webhook_subscriptions s
          on s.workspace_id = e.workspace_id and s.revoked_at is null
         and (cardinality(s.event_types) = 0 or e.event_type = any(s.event_types))
      on conflict (workspace_id, key) do nothing
      returning id`);
    inserted += (res as unknown as Rows<{ id: string }>).rows.length;
  }
  return inserted;
}
