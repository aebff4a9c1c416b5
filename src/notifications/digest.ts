// The daily digest, scheduled like the reminders: each user's preferences row stores the instant of
// their next digest (`next_digest_at`); any number of processes claim due rows with
// FOR UPDATE SKIP LOCKED, record the effect under the key `user:<id>:digest:<local date>` in
// `reminders` (a second instance, a retry or a crash before commit yields the same key, hence
// nothing new), enqueue one email and store the next instant — all in one transaction. A process
// that was down sends one digest for the latest missed day, not one per day.
import { sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { AppContext } from '../context.js';
import type { Tx } from '../db/connect.js';
import { enqueueDeliveries } from '../delivery/outbox.js';
import { type DigestPromise, DUE_SOON_MS, digestIsEmpty, digestMessage, LIST_MAX } from './digest-message.js';
import { deliveryKey, zoneFor } from './notify.js';
import {
  endOfQuietHours,
  localDate,
  nextDigestAt,
  previousDigestAt,
  resolvePreferences,
  type StoredPreferences,
} from './preferences.js';

export interface DigestPass {
  /** Rows claimed (due, or needing their first schedule). */
  claimed: number;
  /** Digests recorded (new keys). */
  fired: number;
  /** Emails enqueued (a digest with nothing to say sends none). */
  emails: number;
}

/** Users claimed per digest transaction. */
export const DIGEST_BATCH = 200;

export const digestKey = (userId: string, date: string) => `user:${userId}:digest:${date}`;

type Rows<T> = { rows: T[] };
const rowsOf = <T>(res: unknown): T[] => (res as Rows<T>).rows;
const iso = (d: Date) => d.toISOString();

interface ClaimedRow {
  workspace_id: string;
  user_id: string;
  channels: StoredPreferences['channels'];
  quiet_start: string | null;
  quiet_end: string | null;
  time_zone: string | null;
  digest_enabled: boolean;
  digest_time: string;
  slack_webhook_url: string | null;
  next_digest_at: Date | string | null;
  workspace_zone: string | null;
  user_name: string;
  user_active: boolean;
}

/**
 * Gives every active user without a preferences row one with the defaults (so the digest claim
 * finds them); `next_digest_at` stays null until the first claim computes it in their zone.
 */
async function seedMissingRows(ctx: AppContext, now: Date, limit: number): Promise<void> {
  await ctx.database.db.execute(sql`
    insert into notification_preferences (workspace_id, user_id, updated_at)
    select u.workspace_id, u.id, ${iso(now)}::timestamptz
      from users u
     where u.active
       and not exists (select 1 from notification_preferences p
                        where p.workspace_id = u.workspace_id and p.user_id = u.id)
     limit ${limit}
    on conflict do nothing`);
}

async function loadPromises(
  tx: Tx,
  row: ClaimedRow,
  range: { from?: Date; to: Date; order: 'asc' | 'desc' },
): Promise<{ list: DigestPromise[]; total: number }> {
  const rows = rowsOf<{
    id: string;
    promise_made: string;
    customer_reason: string;
    account_name: string | null;
    effective_due_at: Date | string;
    total: number;
  }>(
    await tx.execute(sql`
      select p.id, p.promise_made, p.customer_reason, a.name as account_name, p.effective_due_at,
             count(*) over () as total
        from promises p
        left join accounts a on a.workspace_id = p.workspace_id and a.id = p.account_id
       where p.workspace_id = ${row.workspace_id} and p.owner_id = ${row.user_id} and p.status = 'open'
         and p.effective_due_at < ${iso(range.to)}::timestamptz
         ${range.from ? sql`and p.effective_due_at >= ${iso(range.from)}::timestamptz` : sql``}
       order by p.effective_due_at ${range.order === 'asc' ? sql`asc` : sql`desc`}, p.id
       limit ${LIST_MAX}`),
  );
  return {
    list: rows.map((r) => ({
      promiseId: r.id,
      promiseMade: r.promise_made,
      customerReason: r.customer_reason,
      accountName: r.account_name ?? '',
      dueAt: new Date(r.effective_due_at),
    })),
    total: Number(rows[0]?.total ?? 0),
  };
}

async function countUnreadFor(tx: Tx, row: ClaimedRow, now: Date): Promise<number> {
  const [r] = rowsOf<{ n: number }>(
    await tx.execute(sql`
      select count(*)::int as n from inbox_items
       where workspace_id = ${row.workspace_id} and user_id = ${row.user_id}
         and read_at is null and done_at is null
         and (snoozed_until is null or snoozed_until <= ${iso(now)}::timestamptz)`),
  );
  return r?.n ?? 0;
}

/** Fires one claimed user's digest (if its key is new); returns [fired, emails]. */
async function fireDigest(tx: Tx, row: ClaimedRow, zone: string, now: Date): Promise<[number, number]> {
  const prefs = resolvePreferences({
    channels: row.channels,
    quietStart: row.quiet_start,
    quietEnd: row.quiet_end,
    timeZone: row.time_zone,
    digestEnabled: row.digest_enabled,
    digestTime: row.digest_time,
    slackWebhookUrl: row.slack_webhook_url,
  });
  // The occurrence this run stands for: the latest digest time at or before now.
  const scheduled = previousDigestAt(prefs.digestTime, zone, now);
  const date = localDate(zone, scheduled);
  const key = digestKey(row.user_id, date);
  const reminderId = uuidv7();
  const inserted = rowsOf<{ id: string }>(
    await tx.execute(sql`
      insert into reminders (workspace_id, id, key, subject_type, subject_id, kind, due_at, fired_at,
                             lateness_ms, recipient_ids)
      values (${row.workspace_id}, ${reminderId}, ${key}, 'user', ${row.user_id}, 'digest',
              ${iso(scheduled)}::timestamptz, ${iso(now)}::timestamptz,
              ${Math.max(0, now.getTime() - scheduled.getTime())}, array[${row.user_id}]::uuid[])
      on conflict (workspace_id, key) do nothing
      returning id`),
  );
  if (inserted.length === 0) return [0, 0];
  const [overdue, dueSoon, unread] = [
    await loadPromises(tx, row, { to: now, order: 'asc' }),
    await loadPromises(tx, row, { from: now, to: new Date(now.getTime() + DUE_SOON_MS), order: 'asc' }),
    await countUnreadFor(tx, row, now),
  ];
  const facts = {
    userName: row.user_name,
    zone,
    date,
    now,
    dueSoon: dueSoon.list,
    dueSoonTotal: dueSoon.total,
    overdue: overdue.list,
    overdueTotal: overdue.total,
    unread,
  };
  if (digestIsEmpty(facts)) return [1, 0];
  const { content, data } = digestMessage(facts);
  const emails = await enqueueDeliveries(tx, [
    {
      workspaceId: row.workspace_id,
      key: deliveryKey(key, 'email', row.user_id),
      channel: 'email',
      targetId: row.user_id,
      reminderId,
      eventType: 'reminder.digest',
      content,
      data: { ...data, reminderId, key, userId: row.user_id },
      notBefore: endOfQuietHours(prefs.quiet, zone, now),
    },
  ]);
  return [1, emails];
}

/**
 * One pass: claims up to `batchSize` users whose digest is due (or not yet scheduled), fires each
 * due one once, and stores each one's next digest instant. Call it from the scheduler loop.
 */
export async function runDigestsOnce(
  ctx: AppContext,
  opts: { now?: Date; batchSize?: number } = {},
): Promise<DigestPass> {
  const now = opts.now ?? ctx.now();
  const batchSize = opts.batchSize ?? DIGEST_BATCH;
  await seedMissingRows(ctx, now, batchSize);
  return ctx.database.db.transaction(async (tx) => {
    const claimed = rowsOf<ClaimedRow>(
      await tx.execute(sql`
        with due as (
          select workspace_id, user_id from notification_preferences
           where digest_enabled and (next_digest_at is null or next_digest_at <= ${iso(now)}::timestamptz)
           order by next_digest_at nulls first
           limit ${batchSize}
           for update skip locked
        )
        select p.workspace_id, p.user_id, p.channels, p.quiet_start, p.quiet_end, p.time_zone,
               p.digest_enabled, p.digest_time, p.slack_webhook_url, p.next_digest_at,
               w.time_zone as workspace_zone, u.name as user_name, u.active as user_active
          from due
          join notification_preferences p on p.workspace_id = due.workspace_id and p.user_id = due.user_id
          join users u on u.workspace_id = p.workspace_id and u.id = p.user_id
          join workspaces w on w.id = p.workspace_id`),
    );
    let fired = 0;
    let emails = 0;
    for (const row of claimed) {
      const zone = zoneFor(row.time_zone, row.workspace_zone);
      // A row seen for the first time is only scheduled; a deactivated user is skipped but stays
      // scheduled (reactivated, they get the next one).
      if (row.next_digest_at !== null && row.user_active) {
        const [f, e] = await fireDigest(tx, row, zone, now);
        fired += f;
        emails += e;
      }
      const next = nextDigestAt(row.digest_time, zone, now);
      await tx.execute(sql`
        update notification_preferences
           set next_digest_at = ${iso(next)}::timestamptz,
               digest_fired_through = case when ${row.next_digest_at !== null && row.user_active}
                 then ${iso(previousDigestAt(row.digest_time, zone, now))}::timestamptz
                 else digest_fired_through end
         where workspace_id = ${row.workspace_id} and user_id = ${row.user_id}`);
    }
    return { claimed: claimed.length, fired, emails };
  });
}
