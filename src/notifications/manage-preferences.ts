// A user reads and changes their own notification preferences. Fields not sent keep their value.
// Changing the digest time or the zone clears `next_digest_at`, so the digest's next claim plans
// it afresh in the new zone (a digest already sent today is not sent again: same key).
import { and, eq } from 'drizzle-orm';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/connect.js';
import { notificationPreferences, workspaces } from '../db/schema.js';
import { invalid } from '../errors.js';
import { presentPreferences } from './notifications.presenter.js';
import { type Channel, resolvePreferences, type StoredPreferences } from './preferences.js';

export interface PreferencesInput {
  channels?: Partial<Record<string, Channel[]>> | undefined;
  quietHours?: { start: string; end: string } | null | undefined;
  timeZone?: string | null | undefined;
  digestEnabled?: boolean | undefined;
  digestTime?: string | undefined;
  slackWebhookUrl?: string | null | undefined;
}

async function load(q: Queryable, p: Principal) {
  const [row] = await q
    .select({ prefs: notificationPreferences, workspaceZone: workspaces.timeZone })
    .from(workspaces)
    .leftJoin(
      notificationPreferences,
      and(
        eq(notificationPreferences.workspaceId, workspaces.id),
        eq(notificationPreferences.userId, p.userId),
      ),
    )
    .where(eq(workspaces.id, p.workspaceId));
  return { stored: row?.prefs ?? null, workspaceZone: row?.workspaceZone ?? 'UTC' };
}

export async function getPreferences(ctx: AppContext, { principal }: { principal: Principal }) {
  const { stored, workspaceZone } = await load(ctx.database.db, principal);
  return presentPreferences(resolvePreferences(stored as StoredPreferences | null), stored, workspaceZone);
}

export async function updatePreferences(
  ctx: AppContext,
  { principal, input }: { principal: Principal; input: PreferencesInput },
) {
  return ctx.database.db.transaction(async (tx) => {
    const { stored, workspaceZone } = await load(tx, principal);
    const current: StoredPreferences = stored ?? {
      channels: {},
      quietStart: null,
      quietEnd: null,
      timeZone: null,
      digestEnabled: true,
      digestTime: '08:00',
      slackWebhookUrl: null,
    };
    const next: StoredPreferences = {
      channels: input.channels ? { ...current.channels, ...input.channels } : current.channels,
      quietStart: input.quietHours === undefined ? current.quietStart : (input.quietHours?.start ?? null),
      quietEnd: input.quietHours === undefined ? current.quietEnd : (input.quietHours?.end ?? null),
      timeZone: input.timeZone === undefined ? current.timeZone : input.timeZone,
      digestEnabled: input.digestEnabled ?? current.digestEnabled,
      digestTime: input.digestTime ?? current.digestTime,
      slackWebhookUrl: input.slackWebhookUrl === undefined ? current.slackWebhookUrl : input.slackWebhookUrl,
    };
    if (!next.slackWebhookUrl) {
      const wantsSlack = Object.entries(next.channels).find(([, chs]) => chs?.includes('slack'));
      if (wantsSlack) {
        throw invalid(
          'slackWebhookUrl',
          `channels.${wantsSlack[0]} includes slack: set a Slack-compatible incoming-webhook URL first`,
        );
      }
    }
    const reschedule = next.digestTime !== current.digestTime || next.timeZone !== current.timeZone;
    const now = ctx.now();
    const values = {
      channels: next.channels as Record<string, Channel[]>,
      quietStart: next.quietStart,
      quietEnd: next.quietEnd,
      timeZone: next.timeZone,
      digestEnabled: next.digestEnabled,
      digestTime: next.digestTime,
      slackWebhookUrl: next.slackWebhookUrl,
      updatedAt: now,
    };
    const [row] = await tx
      .insert(notificationPreferences)
      .values({ workspaceId: principal.workspaceId, userId: principal.userId, ...values })
      .onConflictDoUpdate({
        target: [notificationPreferences.workspaceId, notificationPreferences.userId],
        set: { ...values, ...(reschedule ? { nextDigestAt: null } : {}) },
      })
      .returning();
    return presentPreferences(resolvePreferences(row as StoredPreferences), row ?? null, workspaceZone);
  });
}
