// Notification preferences, pure: the defaults, which channels a kind goes out on, quiet hours
// (which may cross midnight and DST changes) and the daily digest's schedule. Time is passed in;
// every instant ↔ wall-clock conversion goes through src/time/zone.ts (Temporal).
import { Temporal } from 'temporal-polyfill';
import { daysFromCivil, formatDate, localBoundary } from '../time/zone.js';
import { REMINDER_KINDS, type ReminderKind } from './contract.js';

export const CHANNELS = ['email', 'slack'] as const;
export type Channel = (typeof CHANNELS)[number];

/** `HH:MM`, 00:00–23:59. */
export const HHMM_RE = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/**
 * Defaults (a user without a stored row, or a kind the user never changed): every kind goes to the
 * inbox; email too, except the 50% internal check-in (a nudge for the owner's own planning) and the
 * `due` reminder (the morning digest already lists what is due within 48 hours, and the overdue
 * escalation follows by email). Slack is opt-in: it needs the user's incoming-webhook URL.
 */
export const DEFAULT_CHANNELS: Readonly<Record<ReminderKind, readonly Channel[]>> = {
  checkpoint_internal_check_in: [],
  checkpoint_customer_update_required: ['email'],
  due: [],
  overdue: ['email'],
  renewal_prep: ['email'],
  inactivity: ['email'],
  payment_failed: ['email'],
  digest: ['email'],
};
export const DEFAULT_DIGEST_TIME = '08:00';

/** What is stored (notification_preferences); `channels` holds only the kinds the user changed. */
export interface StoredPreferences {
  channels: Partial<Record<string, Channel[]>>;
  quietStart: string | null;
  quietEnd: string | null;
  timeZone: string | null;
  digestEnabled: boolean;
  digestTime: string;
  slackWebhookUrl: string | null;
}

/** The preferences in force: every kind resolved, the zone resolved. */
export interface Preferences {
  channels: Record<ReminderKind, Channel[]>;
  quiet: { start: string; end: string } | null;
  /** The user's own zone, or null to follow the workspace's. */
  timeZone: string | null;
  digestEnabled: boolean;
  digestTime: string;
  slackWebhookUrl: string | null;
}

export function resolvePreferences(stored: StoredPreferences | null | undefined): Preferences {
  const channels = {} as Record<ReminderKind, Channel[]>;
  for (const kind of REMINDER_KINDS) {
    const chosen = stored?.channels[kind];
    channels[kind] = chosen ? CHANNELS.filter((c) => chosen.includes(c)) : [...DEFAULT_CHANNELS[kind]];
  }
  return {
    channels,
    quiet: stored?.quietStart && stored.quietEnd ? { start: stored.quietStart, end: stored.quietEnd } : null,
    timeZone: stored?.timeZone ?? null,
    digestEnabled: stored?.digestEnabled ?? true,
    digestTime: stored?.digestTime ?? DEFAULT_DIGEST_TIME,
    slackWebhookUrl: stored?.slackWebhookUrl ?? null,
  };
}

/** The channels a notification of `kind` goes out on (beside the inbox). Slack needs its URL. */
export function channelsFor(prefs: Preferences, kind: ReminderKind): Channel[] {
  return prefs.channels[kind].filter((c) => c !== 'slack' || prefs.slackWebhookUrl !== null);
}

export const minuteOfDay = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The local date (epoch day) and the wall-clock milliseconds since its midnight at an instant. */
function wallAt(zone: string, instant: Date): { day: number; ms: number } {
  const z = Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(zone);
  return {
    day: daysFromCivil(z.year, z.month, z.day),
    ms: ((z.hour * 60 + z.minute) * 60 + z.second) * 1000 + z.millisecond,
  };
}

/** The local date `YYYY-MM-DD` of an instant in a zone. */
export const localDate = (zone: string, instant: Date): string => formatDate(wallAt(zone, instant).day);

/**
 * Whether the wall clock of `zone` at `instant` reads a time inside [start, end). When start > end
 * the window crosses midnight (22:00–07:00 is quiet at 23:00 and at 06:59).
 */
export function isQuiet(quiet: Preferences['quiet'], zone: string, instant: Date): boolean {
  if (!quiet) return false;
  const t = wallAt(zone, instant).ms;
  const s = minuteOfDay(quiet.start) * 60_000;
  const e = minuteOfDay(quiet.end) * 60_000;
  return s < e ? t >= s && t < e : t >= s || t < e;
}

/**
 * The first instant at or after `notBefore` at which the wall clock of `zone` reads local date
 * `day` at `minute`: the first such instant when the time occurs twice (fall back), unless that one
 * is already past, then the second; the end of the gap when it does not occur (spring forward).
 */
function wallInstant(zone: string, day: number, minute: number, notBefore: number): number {
  const first = localBoundary(zone, day, minute);
  if (first >= notBefore) return first;
  const { year, month, day: dom } = Temporal.Instant.fromEpochMilliseconds(first).toZonedDateTimeISO(zone);
  const wall = new Temporal.PlainDateTime(year, month, dom, Math.floor(minute / 60), minute % 60);
  // Both occurrences past cannot happen for a quiet instant (its wall clock still reads before the
  // end); answering `notBefore` keeps the result ≥ the instant whatever a zone's rules do.
  return Math.max(wall.toZonedDateTime(zone, { disambiguation: 'later' }).epochMilliseconds, notBefore);
}

/**
 * When quiet hours that contain `instant` end: the first instant from which the wall clock reads
 * the end time (for a window crossing midnight entered before midnight, the next day's). An instant
 * outside quiet hours is its own answer. Laws (tested): result ≥ instant; the result is not quiet;
 * every instant from `instant` up to the result is quiet.
 */
export function endOfQuietHours(quiet: Preferences['quiet'], zone: string, instant: Date): Date {
  let at = instant;
  // A transition can skip the end time altogether (a gap over the end, e.g. midnight in
  // America/Santiago): then the window goes on to the next day's end. Few iterations at most.
  for (let i = 0; i < 4 && quiet && isQuiet(quiet, zone, at); i++) {
    const { day, ms } = wallAt(zone, at);
    const s = minuteOfDay(quiet.start);
    const e = minuteOfDay(quiet.end);
    // Crossing midnight and entered before midnight: the window ends tomorrow.
    const endDay = s > e && ms >= s * 60_000 ? day + 1 : day;
    at = new Date(wallInstant(zone, endDay, e, at.getTime()));
  }
  return at;
}

/**
 * The first digest instant strictly after `after`. One per local date: a digest time that occurs
 * twice (fall back) fires at its first occurrence; one skipped by spring-forward fires when the gap
 * ends.
 */
export function nextDigestAt(digestTime: string, zone: string, after: Date): Date {
  const m = minuteOfDay(digestTime);
  const { day } = wallAt(zone, after);
  for (let d = day; d <= day + 2; d++) {
    const t = localBoundary(zone, d, m);
    if (t > after.getTime()) return new Date(t);
  }
  /* v8 ignore next */
  throw new Error('no digest instant within two days');
}

/** The latest digest instant at or before `at` (the occurrence a late run stands for). */
export function previousDigestAt(digestTime: string, zone: string, at: Date): Date {
  const m = minuteOfDay(digestTime);
  const { day } = wallAt(zone, at);
  for (let d = day; d >= day - 2; d--) {
    const t = localBoundary(zone, d, m);
    if (t <= at.getTime()) return new Date(t);
  }
  /* v8 ignore next */
  throw new Error('no digest instant within two days');
}
