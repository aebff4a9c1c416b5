// notify: tells the recipients of a fired reminder, inside the scheduler's transaction. One inbox
// item per (deduplicated, active) recipient, then a delivery per channel each recipient has on for
// the kind — held until their quiet hours end — and one outbound webhook event per notification.
// Everything is keyed, so a retried notification writes nothing new.
import { sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Tx } from '../db/connect.js';
import { inboxItems } from '../db/schema.js';
import { enqueueDeliveries, enqueueWebhookEvents } from '../delivery/outbox.js';
import { canonicalZone } from '../time/zone.js';
import type { DeliveryRequest, Notification, Notify } from './contract.js';
import { channelsFor, endOfQuietHours, resolvePreferences, type StoredPreferences } from './preferences.js';

/** The inbox item's key: one per notification and user. */
export const inboxKey = (notificationKey: string, userId: string) => `${notificationKey}:${userId}`;
/** A delivery's key: notification key + channel + target (contract.ts). */
export const deliveryKey = (notificationKey: string, channel: string, userId: string) =>
  `${notificationKey}:${channel}:${userId}`;

/** The user's zone, else the workspace's, else UTC (a stored zone the runtime no longer knows). */
export const zoneFor = (userZone: string | null, workspaceZone: string | null) =>
  (userZone && canonicalZone(userZone)) || (workspaceZone && canonicalZone(workspaceZone)) || 'UTC';

/** One notification: notifyAll of one. */
export const notify: Notify = (tx, n: Notification) => notifyAll(tx, [n]);

/**
 * notify for a whole batch of notifications (the scheduler's): the same rows, keys and rules, in
 * four statements whatever the batch size — recipients with their preferences, inbox items,
 * deliveries, webhook events — instead of four per notification.
 */
export async function notifyAll(
  tx: Tx,
  ns: readonly Notification[],
): Promise<{ inboxItems: number; deliveries: number }> {
  if (ns.length === 0) return { inboxItems: 0, deliveries: 0 };
  const pairs = new Map<string, { workspaceId: string; userId: string }>();
  for (const n of ns) {
    for (const u of n.recipientIds)
      pairs.set(`${n.workspaceId}/${u}`, { workspaceId: n.workspaceId, userId: u });
  }
  const recipients = new Map<string, { prefs: ReturnType<typeof resolvePreferences>; zone: string }>();
  if (pairs.size > 0) {
    const list = [...pairs.values()];
    const res = await tx.execute(sql`
      select u.workspace_id, u.id as user_id, w.time_zone as workspace_zone, np.user_id is not null as has_prefs,
             np.channels, np.quiet_start, np.quiet_end, np.time_zone, np.digest_enabled, np.digest_time,
             np.slack_webhook_url
        from unnest(${sql.param(list.map((p) => p.workspaceId))}::uuid[],
                    ${sql.param(list.map((p) => p.userId))}::uuid[]) as t(workspace_id, user_id)
        join users u on u.workspace_id = t.workspace_id and u.id = t.user_id and u.active
        join workspaces w on w.id = u.workspace_id
        left join notification_preferences np on np.workspace_id = u.workspace_id and np.user_id = u.id`);
    for (const r of (res as unknown as { rows: RecipientRow[] }).rows) {
      const prefs = resolvePreferences(
        r.has_prefs
          ? {
              channels: (typeof r.channels === 'string' ? JSON.parse(r.channels) : r.channels) ?? {},
              quietStart: r.quiet_start,
              quietEnd: r.quiet_end,
              timeZone: r.time_zone,
              digestEnabled: r.digest_enabled ?? true,
              digestTime: r.digest_time ?? '08:00',
              slackWebhookUrl: r.slack_webhook_url,
            }
          : null,
      );
      recipients.set(`${r.workspace_id}/${r.user_id}`, {
        prefs,
        zone: zoneFor(prefs.timeZone, r.workspace_zone),
      });
    }
  }
  const items: (typeof inboxItems.$inferInsert)[] = [];
  for (const n of ns) {
    for (const userId of new Set(n.recipientIds)) {
      if (!recipients.has(`${n.workspaceId}/${userId}`)) continue;
      items.push({
        workspaceId: n.workspaceId,
        id: uuidv7(),
        userId,
        reminderId: n.reminderId,
        key: inboxKey(n.key, userId),
        kind: n.kind,
        subjectType: n.subjectType,
        subjectId: n.subjectId,
        title: n.content.title.slice(0, 500) || n.kind,
        text: n.content.text.slice(0, 20_000),
        createdAt: n.firedAt,
      });
    }
  }
  const fresh = new Set<string>();
  for (let i = 0; i < items.length; i += 1000) {
    const created = await tx
      .insert(inboxItems)
      .values(items.slice(i, i + 1000))
      .onConflictDoNothing({ target: [inboxItems.workspaceId, inboxItems.key] })
      .returning({ workspaceId: inboxItems.workspaceId, key: inboxItems.key });
    for (const c of created) fresh.add(`${c.workspaceId}/${c.key}`);
  }
  const requests: DeliveryRequest[] = [];
  for (const n of ns) {
    for (const userId of new Set(n.recipientIds)) {
      const r = recipients.get(`${n.workspaceId}/${userId}`);
      // A recipient whose item existed was told already (same transaction as its deliveries).
      if (!r || !fresh.has(`${n.workspaceId}/${inboxKey(n.key, userId)}`)) continue;
      const notBefore = endOfQuietHours(r.prefs.quiet, r.zone, n.firedAt);
      for (const channel of channelsFor(r.prefs, n.kind)) {
        requests.push({
          workspaceId: n.workspaceId,
          key: deliveryKey(n.key, channel, userId),
          channel,
          targetId: userId,
          reminderId: n.reminderId,
          eventType: `reminder.${n.kind}`,
          content: n.content,
          data: n.data,
          notBefore,
        });
      }
    }
  }
  let deliveriesCreated = requests.length > 0 ? await enqueueDeliveries(tx, requests) : 0;
  deliveriesCreated += await enqueueWebhookEvents(
    tx,
    ns.map((n) => ({
      workspaceId: n.workspaceId,
      key: n.key,
      reminderId: n.reminderId,
      eventType: `reminder.${n.kind}`,
      data: n.data,
      at: n.firedAt,
    })),
  );
  return { inboxItems: fresh.size, deliveries: deliveriesCreated };
}

interface RecipientRow {
  workspace_id: string;
  user_id: string;
  workspace_zone: string | null;
  has_prefs: boolean;
  channels: StoredPreferences['channels'] | string | null;
  quiet_start: string | null;
  quiet_end: string | null;
  time_zone: string | null;
  digest_enabled: boolean | null;
  digest_time: string | null;
  slack_webhook_url: string | null;
}
