// The scheduled review digests: every Monday 08:00 the weekly review of the week that ended, every
// 1st 08:00 the monthly review of the month that ended, in each workspace's zone, emailed (plain
// text and HTML) to its active managers and admins through the delivery outbox.
//
// Once per (workspace, kind, reviewed period): the review is computed first (reads only, outside
// any transaction), then one transaction inserts the row keyed by its primary key
// (workspace_id, kind, period_key) with `on conflict do nothing` and, only if that row is new,
// enqueues one email per recipient. A second instance, a retry or a restart computes the same key
// and adds nothing; nothing is sent inside the transaction (the delivery worker sends later).
// A review more than REVIEW_GRACE_MS late (the process was down, or the feature was just
// deployed mid-week) is skipped; the next one comes as scheduled.
import { sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { AppContext } from '../context.js';
import { enqueueDeliveries } from '../delivery/outbox.js';
import { canonicalZone } from '../time/zone.js';
import {
  latestReviewOccurrence,
  REVIEW_KINDS,
  type ReviewKind,
  type ReviewOccurrence,
  reviewDigestKey,
  reviewIsDue,
} from './report-rules.js';
import { reviewDigestFacts, reviewDigestMessage } from './review-digest-message.js';
import { monthlyReview, weeklyReview } from './reviews.js';

export interface ReviewDigestPass {
  /** (workspace, kind) pairs whose review was due and not yet recorded. */
  due: number;
  /** Reviews recorded by this pass (new keys). */
  fired: number;
  /** Emails enqueued. */
  emails: number;
}

type Rows<T> = { rows: T[] };
const rowsOf = <T>(res: unknown): T[] => (res as Rows<T>).rows;
const iso = (d: Date) => d.toISOString();

/** Keys this process has seen recorded already (so a pass does not ask again every second). */
const seen = new WeakMap<AppContext, Set<string>>();
const seenKey = (workspaceId: string, kind: string, periodKey: string) =>
  `${workspaceId}/${kind}/${periodKey}`;

interface Candidate {
  workspaceId: string;
  workspaceName: string;
  zone: string;
  occurrence: ReviewOccurrence;
}

/** The API path of the full review a digest stands for. */
export const reviewLink = (kind: ReviewKind, firstDay: string) =>
  `/api/v1/reports/reviews/${kind}?date=${firstDay}`;

/**
 * One pass at `now` (default: the context's clock): records and enqueues every review digest that
 * is due and not yet recorded. Call it from the scheduler loop, a CLI, or a test.
 */
export async function runReviewDigestsOnce(
  ctx: AppContext,
  opts: { now?: Date; kinds?: readonly ReviewKind[] } = {},
): Promise<ReviewDigestPass> {
  const now = opts.now ?? ctx.now();
  const kinds = opts.kinds ?? REVIEW_KINDS;
  const known = seen.get(ctx) ?? new Set<string>();
  seen.set(ctx, known);

  const workspaces = rowsOf<{ id: string; name: string; time_zone: string; created_at: Date | string }>(
    await ctx.database.db.execute(sql`select id, name, time_zone, created_at from workspaces order by id`),
  );
  // Occurrences depend on the zone only: computed once per zone.
  const byZone = new Map<string, ReviewOccurrence[]>();
  const candidates: Candidate[] = [];
  for (const w of workspaces) {
    const zone = canonicalZone(w.time_zone) ?? 'UTC';
    let occ = byZone.get(zone);
    if (!occ) {
      occ = kinds.map((k) => latestReviewOccurrence(k, zone, now));
      byZone.set(zone, occ);
    }
    for (const o of occ) {
      // A workspace created after the instant has nothing to review for that period.
      if (!reviewIsDue(o, now) || o.scheduledAt.getTime() < new Date(w.created_at).getTime()) continue;
      if (known.has(seenKey(w.id, o.kind, o.reviewed.key))) continue;
      candidates.push({ workspaceId: w.id, workspaceName: w.name, zone, occurrence: o });
    }
  }
  if (candidates.length === 0) return { due: 0, fired: 0, emails: 0 };

  const recorded = rowsOf<{ workspace_id: string; kind: string; period_key: string }>(
    await ctx.database.db.execute(sql`
      select d.workspace_id, d.kind, d.period_key
        from review_digests d
        join unnest(${sql.param(candidates.map((c) => c.workspaceId))}::uuid[],
                    ${sql.param(candidates.map((c) => c.occurrence.kind))}::text[],
                    ${sql.param(candidates.map((c) => c.occurrence.reviewed.key))}::text[])
          as t(workspace_id, kind, period_key)
          on d.workspace_id = t.workspace_id and d.kind = t.kind and d.period_key = t.period_key`),
  );
  for (const r of recorded) known.add(seenKey(r.workspace_id, r.kind, r.period_key));

  const pass: ReviewDigestPass = { due: 0, fired: 0, emails: 0 };
  for (const c of candidates) {
    const o = c.occurrence;
    const k = seenKey(c.workspaceId, o.kind, o.reviewed.key);
    if (known.has(k)) continue;
    pass.due++;
    const [fired, emails] = await fireReviewDigest(ctx, c, now);
    pass.fired += fired;
    pass.emails += emails;
    known.add(k);
  }
  return pass;
}

/** Computes one review, then records it and enqueues its emails in one transaction (if its key is new). */
async function fireReviewDigest(ctx: AppContext, c: Candidate, now: Date): Promise<[number, number]> {
  const o = c.occurrence;
  const base = { workspaceId: c.workspaceId, zone: c.zone, now };
  const review =
    o.kind === 'weekly'
      ? await weeklyReview(ctx, base, o.reviewed)
      : await monthlyReview(ctx, base, o.reviewed);
  const recipients = rowsOf<{ id: string }>(
    await ctx.database.db.execute(sql`
      select id from users
       where workspace_id = ${c.workspaceId} and active and role in ('admin', 'manager')
       order by id`),
  ).map((r) => r.id);
  const { content, data } = reviewDigestMessage(
    reviewDigestFacts(review, {
      kind: o.kind,
      workspaceName: c.workspaceName,
      link: reviewLink(o.kind, o.reviewed.firstDay),
    }),
  );
  const key = reviewDigestKey(o.kind, o.reviewed.key);
  return ctx.database.db.transaction(async (tx) => {
    const inserted = rowsOf<{ id: string }>(
      await tx.execute(sql`
        insert into review_digests (workspace_id, kind, period_key, id, scheduled_at, fired_at, recipient_ids)
        values (${c.workspaceId}, ${o.kind}, ${o.reviewed.key}, ${uuidv7()}, ${iso(o.scheduledAt)}::timestamptz,
                ${iso(now)}::timestamptz, ${sql.param(recipients)}::uuid[])
        on conflict (workspace_id, kind, period_key) do nothing
        returning id`),
    );
    if (inserted.length === 0) return [0, 0] as [number, number];
    const emails = await enqueueDeliveries(
      tx,
      recipients.map((userId) => ({
        workspaceId: c.workspaceId,
        key: `${key}:email:${userId}`,
        channel: 'email' as const,
        targetId: userId,
        reminderId: null,
        eventType: `review.${o.kind}`,
        content,
        data: { ...data, key, userId },
        notBefore: now,
      })),
    );
    return [1, emails] as [number, number];
  });
}
