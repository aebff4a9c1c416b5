// Notifications over HTTP: the caller's own inbox, notification preferences and calendar feed,
// and the public .ics endpoint (the secret token is its authentication). Routes parse, authorise,
// call one use case, present.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { instant, uuid } from '../http/schemas.js';
import { canonicalZone } from '../time/zone.js';
import { createCalendarFeed, renderCalendarFeed, revokeCalendarFeed } from './calendar-feed.js';
import { countUnread, type InboxMark, listInbox, markInboxItem } from './inbox.js';
import { getPreferences, updatePreferences } from './manage-preferences.js';
import { CONFIGURABLE_KINDS } from './notifications.presenter.js';
import { CHANNELS, HHMM_RE } from './preferences.js';

export interface NotificationRouteOptions {
  /** The URL users reach the server at (PL_PUBLIC_URL); else the request's origin. */
  publicUrl?: string | undefined;
}

const flag = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .optional();
const hhmm = z.string().regex(HHMM_RE, 'must be a local time HH:MM from 00:00 to 23:59');
const channelList = z
  .array(z.enum(CHANNELS))
  .max(CHANNELS.length)
  .refine((a) => new Set(a).size === a.length, 'must not repeat a channel');

/** A Slack-compatible incoming-webhook URL: http(s), a host, no credentials in it. */
const slackUrl = z
  .string()
  .max(2000, 'must be at most 2000 characters')
  .refine((s) => {
    try {
      const u = new URL(s);
      return (
        (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '' && !u.username && !u.password
      );
    } catch {
      return false;
    }
  }, 'must be an https:// (or http://) incoming-webhook URL without credentials');

const PreferencesBody = z.strictObject({
  channels: z
    .strictObject(Object.fromEntries(CONFIGURABLE_KINDS.map((k) => [k, channelList.optional()])))
    .optional(),
  quietHours: z
    .strictObject({ start: hhmm, end: hhmm })
    .refine((q) => q.start !== q.end, { message: 'must differ from start', path: ['end'] })
    .nullable()
    .optional(),
  timeZone: z
    .string()
    .max(100)
    .transform((tz, c) => {
      const id = canonicalZone(tz);
      if (!id) {
        c.addIssue({ code: 'custom', message: 'must be an IANA time zone such as Europe/Paris' });
        return z.NEVER;
      }
      return id;
    })
    .nullable()
    .optional(),
  digestEnabled: z.boolean().optional(),
  digestTime: hhmm.optional(),
  slackWebhookUrl: slackUrl.nullable().optional(),
});

const itemParams = z.strictObject({ itemId: uuid() });

/** PL_PUBLIC_URL when set, else the origin the request came to (no trailing slash). */
const baseUrlOf = (req: FastifyRequest, publicUrl: string | undefined) =>
  (publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');

export function notificationRoutes(ctx: AppContext, opts: NotificationRouteOptions = {}): AnyRoute[] {
  const mark = (id: string, path: string, summary: string, m: InboxMark) =>
    route({
      id,
      method: 'POST',
      url: `/api/v1/me/inbox/:itemId/${path}`,
      auth: 'notifications.manage_own',
      summary,
      tags: ['notifications'],
      params: itemParams,
      handler: async ({ principal, params }) =>
        markInboxItem(ctx, { principal, itemId: params.itemId, mark: m }),
    });
  return [
    route({
      id: 'inbox.list',
      method: 'GET',
      url: '/api/v1/me/inbox',
      auth: 'records.read',
      summary:
        'Your inbox, newest first: one item per reminder that reached you. Done and snoozed items are hidden ' +
        'unless includeDone / includeSnoozed=true; unread=true shows unread only. Keyset pagination (cursor).',
      tags: ['notifications'],
      query: z.strictObject({
        unread: flag,
        includeSnoozed: flag,
        includeDone: flag,
        cursor: z.string().max(500).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      handler: async ({ principal, query }) => listInbox(ctx, { principal, filter: query }),
    }),
    route({
      id: 'inbox.count',
      method: 'GET',
      url: '/api/v1/me/inbox/count',
      auth: 'records.read',
      summary: 'How many of your inbox items are unread (not done, not snoozed).',
      tags: ['notifications'],
      handler: async ({ principal }) => countUnread(ctx, { principal }),
    }),
    mark('inbox.read', 'read', 'Mark one of your inbox items read (again: no change).', { kind: 'read' }),
    mark('inbox.unread', 'unread', 'Mark one of your inbox items unread.', { kind: 'unread' }),
    mark(
      'inbox.done',
      'done',
      'Mark one of your inbox items done: it leaves the inbox (includeDone shows it).',
      {
        kind: 'done',
      },
    ),
    route({
      id: 'inbox.snooze',
      method: 'POST',
      url: '/api/v1/me/inbox/:itemId/snooze',
      auth: 'notifications.manage_own',
      summary: 'Snooze one of your inbox items until an instant in the future (ISO 8601 with an offset).',
      tags: ['notifications'],
      params: itemParams,
      body: z.strictObject({ until: instant() }),
      handler: async ({ principal, params, body }) =>
        markInboxItem(ctx, { principal, itemId: params.itemId, mark: { kind: 'snooze', until: body.until } }),
    }),
    route({
      id: 'notificationPreferences.get',
      method: 'GET',
      url: '/api/v1/me/notification-preferences',
      auth: 'records.read',
      summary:
        'Your notification preferences: channels (email, slack) per reminder kind beside the inbox, quiet hours ' +
        'in your zone, the daily digest. Defaults apply until you change them.',
      tags: ['notifications'],
      handler: async ({ principal }) => getPreferences(ctx, { principal }),
    }),
    route({
      id: 'notificationPreferences.update',
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      auth: 'notifications.manage_own',
      summary:
        'Change your notification preferences; fields not sent keep their value. channels: {kind: ["email", ' +
        '"slack"]} per kind; quietHours {start, end} local HH:MM (may cross midnight) or null; timeZone (IANA) or ' +
        'null for the workspace’s; digestEnabled; digestTime HH:MM; slackWebhookUrl (needed for slack) or null.',
      tags: ['notifications'],
      body: PreferencesBody,
      handler: async ({ principal, body }) => updatePreferences(ctx, { principal, input: body }),
    }),
    route({
      id: 'calendarFeed.create',
      method: 'POST',
      url: '/api/v1/me/calendar-feed',
      auth: 'notifications.manage_own',
      // Not replayable: a stored response would keep the secret URL for a day.
      idempotent: false,
      status: 201,
      summary:
        'Create your calendar feed, or replace its link (the old one stops working). The response carries the ' +
        'secret .ics URL once; subscribe to it in a calendar client. It lists your open promises’ due dates and ' +
        'upcoming checkpoints.',
      tags: ['notifications'],
      handler: async ({ principal, req }) =>
        createCalendarFeed(ctx, { principal, baseUrl: baseUrlOf(req, opts.publicUrl) }),
    }),
    route({
      id: 'calendarFeed.revoke',
      method: 'DELETE',
      url: '/api/v1/me/calendar-feed',
      auth: 'notifications.manage_own',
      status: 204,
      summary: 'Revoke your calendar feed: its link answers 404 from now on.',
      tags: ['notifications'],
      handler: async ({ principal }) => {
        await revokeCalendarFeed(ctx, { principal });
        return null;
      },
    }),
    route({
      id: 'calendarFeed.ics',
      method: 'GET',
      url: '/calendar/:token.ics',
      // The secret token in the URL is the authentication (calendar clients send no credentials).
      auth: 'public',
      summary:
        'A user’s calendar feed (text/calendar, RFC 5545): one event per open promise at its due instant and ' +
        'one per upcoming checkpoint. Unknown, replaced or revoked link → 404.',
      tags: ['notifications'],
      params: z.strictObject({ token: z.string().max(300) }),
      handler: async ({ params, req, reply }) => {
        const ics = await renderCalendarFeed(ctx, {
          token: params.token,
          baseUrl: baseUrlOf(req, opts.publicUrl),
          // A refusal's reason goes to the log and the security log, not to the caller.
          log: req.log,
          ip: req.ip,
        });
        reply.type('text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300');
        return ics;
      },
    }),
  ];
}
