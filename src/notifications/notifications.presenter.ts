// The JSON shapes of inbox items and notification preferences (never raw rows).
import type { inboxItems, notificationPreferences } from '../db/schema.js';
import { canonicalZone } from '../time/zone.js';
import { REMINDER_KINDS } from './contract.js';
import type { Preferences } from './preferences.js';

type InboxRow = typeof inboxItems.$inferSelect;
type PreferencesRow = typeof notificationPreferences.$inferSelect;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function presentInboxItem(r: InboxRow, now: Date) {
  return {
    id: r.id,
    kind: r.kind,
    subject: { type: r.subjectType, id: r.subjectId },
    reminderId: r.reminderId,
    title: r.title,
    text: r.text,
    createdAt: r.createdAt.toISOString(),
    read: r.readAt !== null,
    readAt: iso(r.readAt),
    snoozedUntil:
      r.snoozedUntil && r.snoozedUntil.getTime() > now.getTime() ? r.snoozedUntil.toISOString() : null,
    done: r.doneAt !== null,
    doneAt: iso(r.doneAt),
  };
}

/** Kinds a user sets channels for (the digest is switched with digestEnabled and goes by email). */
export const CONFIGURABLE_KINDS = REMINDER_KINDS.filter((k) => k !== 'digest');

/** The Slack URL is a credential (anyone holding it can post): only its host is shown back. */
const slackHost = (url: string | null) => {
  if (!url) return null;
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
};

export function presentPreferences(p: Preferences, row: PreferencesRow | null, workspaceZone: string) {
  return {
    /** Every kind always reaches the inbox; these are the channels beside it. */
    channels: Object.fromEntries(CONFIGURABLE_KINDS.map((k) => [k, p.channels[k]])),
    quietHours: p.quiet,
    timeZone: p.timeZone,
    effectiveTimeZone: (p.timeZone && canonicalZone(p.timeZone)) || canonicalZone(workspaceZone) || 'UTC',
    digestEnabled: p.digestEnabled,
    digestTime: p.digestTime,
    slackWebhook: { configured: p.slackWebhookUrl !== null, host: slackHost(p.slackWebhookUrl) },
    nextDigestAt: iso(row?.nextDigestAt),
    updatedAt: iso(row?.updatedAt),
  };
}
