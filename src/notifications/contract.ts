// The seams between the three parts of proactive follow-up, as types only:
//   src/reminders/     decides WHEN something is due to be said (the scheduler) and WHAT it says;
//   src/notifications/ decides TO WHOM and HOW: inbox items, each user's channels and quiet hours;
//   src/delivery/      SENDS it: email (SMTP), Slack-compatible webhooks, signed outbound webhooks,
//                      with retries, an attempt log and replay.
// Each part calls the next inside the caller's transaction, so a fired reminder, its inbox items
// and its pending deliveries commit together or not at all (a transactional outbox).
import type { Tx } from '../db/connect.js';

/** What a notification is about. */
export const REMINDER_KINDS = [
  // promise
  'checkpoint_internal_check_in', // default 50% of the timeline, to the owner
  'checkpoint_customer_update_required', // default 80%, to the owner
  'due', // at the due instant, to the owner
  'overdue', // escalation: to the owner and the escalation target (owner's manager), then daily
  // account
  'renewal_prep', // 30 and 7 days before the renewal date, to the account owner
  'inactivity', // no product activity for the workspace's threshold (default 14 days)
  'payment_failed', // a billing signal, to the account owner
  // user
  'digest', // daily: due within 48 hours, overdue, unread
] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

export type SubjectType = 'promise' | 'account' | 'signal' | 'user';

/** Rendered content, written by src/reminders/messages.ts (pure). */
export interface MessageContent {
  /** One line: the email subject, the inbox title, the Slack headline. */
  title: string;
  /** Plain text body: what was promised, to whom, why the customer cares, what is due. */
  text: string;
  /** HTML body of the same content (every interpolated value escaped). */
  html: string;
}

/**
 * A reminder that fired (or an event-driven notice such as payment_failed), to be told to users.
 * `key` is the effect's identity — `${subjectType}:${subjectId}:${kind}:${version}` — unique per
 * workspace: a retry, a crash between claim and send, or a second instance produces the same key
 * and therefore nothing new.
 */
export interface Notification {
  workspaceId: string;
  /** The fired reminder row (reminders.id). */
  reminderId: string;
  key: string;
  kind: ReminderKind;
  subjectType: SubjectType;
  subjectId: string;
  /** Users to tell (deduplicated by notify). */
  recipientIds: string[];
  content: MessageContent;
  /** The JSON sent to outbound webhook subscribers as `data` (Standard Webhooks payload). */
  data: Record<string, unknown>;
  /** When it was due to fire, and when it did (lateness = firedAt − dueAt). */
  dueAt: Date;
  firedAt: Date;
}

/** One message to send on one channel. `key` is unique per workspace (notification key + channel + target). */
export interface DeliveryRequest {
  workspaceId: string;
  key: string;
  channel: 'email' | 'slack' | 'webhook';
  /** email: the user id (address read at send time); slack: the user id; webhook: the subscription id. */
  targetId: string;
  reminderId: string | null;
  /** The Standard Webhooks `type` (e.g. `reminder.overdue`) and the message. */
  eventType: string;
  content: MessageContent;
  data: Record<string, unknown>;
  /** Not before this instant (quiet hours). */
  notBefore: Date;
}

/** notify (src/notifications/notify.ts): inbox items for every recipient + deliveries by their preferences. */
export type Notify = (tx: Tx, n: Notification) => Promise<{ inboxItems: number; deliveries: number }>;
/** enqueueDeliveries (src/delivery/outbox.ts): insert pending deliveries; an existing key is left alone. */
export type EnqueueDeliveries = (tx: Tx, deliveries: DeliveryRequest[]) => Promise<number>;
/**
 * enqueueWebhookEvent (src/delivery/outbox.ts): one pending webhook delivery per active
 * subscription of the workspace whose event types include `eventType` (key + subscription id).
 */
export type EnqueueWebhookEvent = (
  tx: Tx,
  e: {
    workspaceId: string;
    key: string;
    reminderId: string | null;
    eventType: string;
    data: Record<string, unknown>;
    /** The event's instant (e.g. the reminder's firedAt): due then. Absent: due at once. */
    at?: Date;
  },
) => Promise<number>;
/** notifyAll (src/notifications/notify.ts): notify for a batch, in a fixed number of statements. */
export type NotifyAll = (
  tx: Tx,
  ns: readonly Notification[],
) => Promise<{ inboxItems: number; deliveries: number }>;
