// notify (inbox items + deliveries by preference and quiet hours), the inbox API and the
// notification preferences API, through HTTP against a real database.
import type { FastifyInstance } from 'fastify';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reminders, webhookSubscriptions } from '../src/db/schema.js';
import { buildServer } from '../src/http/server.js';
import type { Notification } from '../src/notifications/contract.js';
import { notify, notifyAll } from '../src/notifications/notify.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildUser, buildWorkspace, tokenHeaders } from './support/factories.js';
import { type Json, send } from './support/http.js';

type H = { authorization: string };

describe(`notifications: notify, inbox, preferences (${ENGINE})`, () => {
  let db: TestDb;
  let app: FastifyInstance;
  let ws: string;
  const u: Record<'a' | 'b' | 'off' | 'c', string> = { a: '', b: '', off: '', c: '' };
  const as: Record<'a' | 'b' | 'c', H> = {} as never;
  let aRead: H;

  beforeAll(async () => {
    db = await openTestDb();
    app = await buildServer(db.ctx);
    ws = (await buildWorkspace(db.ctx)).workspaceId;
    u.a = (await buildUser(db.ctx, { workspaceId: ws })).userId;
    u.b = (await buildUser(db.ctx, { workspaceId: ws })).userId;
    u.c = (await buildUser(db.ctx, { workspaceId: ws, role: 'viewer' })).userId;
    u.off = (await buildUser(db.ctx, { workspaceId: ws, active: false })).userId;
    as.a = await tokenHeaders(db.ctx, ws, u.a);
    as.b = await tokenHeaders(db.ctx, ws, u.b);
    as.c = await tokenHeaders(db.ctx, ws, u.c);
    aRead = await tokenHeaders(db.ctx, ws, u.a, 'read');
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const rows = (sqlText: string, params: unknown[] = []) => db.database.raw<Json>(sqlText, params);

  /** A fired reminder row (inbox items reference it) and its notification. */
  async function fired(o: Partial<Notification> & { firedAt: Date }): Promise<Notification> {
    const id = uuidv7();
    const key = o.key ?? `promise:${uuidv7()}:${o.kind ?? 'overdue'}:${o.firedAt.getTime()}`;
    await db.database.db.insert(reminders).values({
      workspaceId: ws,
      id,
      key,
      subjectType: 'promise',
      subjectId: o.subjectId ?? uuidv7(),
      kind: o.kind ?? 'overdue',
      dueAt: o.firedAt,
      firedAt: o.firedAt,
      latenessMs: 0,
      recipientIds: o.recipientIds ?? [],
    });
    return {
      workspaceId: ws,
      reminderId: id,
      key,
      kind: 'overdue',
      subjectType: 'promise',
      subjectId: uuidv7(),
      recipientIds: [u.a],
      content: {
        title: 'Overdue by 1 day: Send the export guide — Acme',
        text: 'Promised: …',
        html: '<p>…</p>',
      },
      data: { promiseId: 'x' },
      dueAt: o.firedAt,
      ...o,
    };
  }
  const tell = (n: Notification) => db.database.db.transaction((tx) => notify(tx, n));

  describe('notify', () => {
    it('one inbox item per active recipient (deduplicated), deliveries by preference, held through quiet hours', async () => {
      // B: email and Slack for overdue, quiet 22:00–07:00 in New York.
      const put = await send(app, {
        method: 'PUT',
        url: '/api/v1/me/notification-preferences',
        headers: as.b,
        payload: {
          channels: { overdue: ['email', 'slack'] },
          quietHours: { start: '22:00', end: '07:00' },
          timeZone: 'America/New_York',
          slackWebhookUrl: 'https://hooks.example.test/services/T1/B2/c3',
        },
      });
      expect(put.statusCode, put.body).toBe(200);
      await db.database.db.insert(webhookSubscriptions).values({
        workspaceId: ws,
        id: uuidv7(),
        url: 'https://receiver.example.test/hook',
        secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
        eventTypes: ['reminder.overdue'],
        createdBy: u.a,
        createdAt: db.ctx.now(),
      });
      // 22:30 in New York (EST, UTC−5) on 2026-11-02.
      const firedAt = new Date('2026-11-03T03:30:00Z');
      const n = await fired({ firedAt, recipientIds: [u.a, u.a, u.b, u.off] });
      expect(await tell(n)).toEqual({ inboxItems: 2, deliveries: 4 });

      const items = await rows(
        `select user_id, key, title from inbox_items where reminder_id = $1 order by key`,
        [n.reminderId],
      );
      expect(items.map((i: Json) => i.user_id).sort()).toEqual([u.a, u.b].sort());
      expect(items.every((i: Json) => i.title === n.content.title)).toBe(true);
      const ds = await rows(
        `select channel, target_id, not_before, event_type, key from deliveries where reminder_id = $1 order by channel, key`,
        [n.reminderId],
      );
      const byChannel = ds.map((d: Json) => [
        d.channel,
        d.target_id === u.a ? 'a' : d.target_id === u.b ? 'b' : 'sub',
        new Date(d.not_before).toISOString(),
      ]);
      expect(byChannel).toEqual(
        expect.arrayContaining([
          ['email', 'a', firedAt.toISOString()],
          // B is asleep: 07:00 EST next morning.
          ['email', 'b', '2026-11-03T12:00:00.000Z'],
          ['slack', 'b', '2026-11-03T12:00:00.000Z'],
        ]),
      );
      expect(byChannel.filter((d: string[]) => d[0] === 'webhook')).toHaveLength(1);
      expect(ds.every((d: Json) => d.event_type === 'reminder.overdue')).toBe(true);

      // The same notification again (a retry): nothing new anywhere.
      expect(await tell(n)).toEqual({ inboxItems: 0, deliveries: 0 });
      expect(await rows(`select id from deliveries where reminder_id = $1`, [n.reminderId])).toHaveLength(4);
    });

    it('notifyAll over a batch writes exactly what notify writes one notification at a time', async () => {
      // The scheduler tells a whole batch at once; the result must not depend on that.
      // Users of their own (the inbox tests below count u.a's items): x on defaults, y with email
      // and Slack for overdue and quiet hours in New York.
      const x = (await buildUser(db.ctx, { workspaceId: ws })).userId;
      const y = (await buildUser(db.ctx, { workspaceId: ws })).userId;
      await db.database.raw(
        `insert into notification_preferences (workspace_id, user_id, channels, quiet_start, quiet_end, time_zone, slack_webhook_url)
         values ($1, $2, '{"overdue": ["email", "slack"], "due": ["email"]}', '22:00', '07:00', 'America/New_York',
                 'https://hooks.example.test/services/T1/B2/c3')`,
        [ws, y],
      );
      const at = new Date('2026-11-03T03:30:00Z');
      const shapes: Partial<Notification>[] = [
        { recipientIds: [x, y] },
        { recipientIds: [y, y, u.off], kind: 'due' },
        { recipientIds: [], kind: 'renewal_prep' },
        { recipientIds: [x], kind: 'checkpoint_customer_update_required' },
      ];
      const make = () => Promise.all(shapes.map((o) => fired({ ...o, firedAt: at })));
      const batch = await make();
      const single = await make();
      const together = await db.database.db.transaction((tx) => notifyAll(tx, batch));
      let items = 0;
      let deliveries = 0;
      for (const n of single) {
        const r = await tell(n);
        items += r.inboxItems;
        deliveries += r.deliveries;
      }
      expect(together).toEqual({ inboxItems: items, deliveries });
      const written = async (n: Notification) => ({
        inbox: (
          await rows('select user_id, kind, title from inbox_items where reminder_id = $1 order by user_id', [
            n.reminderId,
          ])
        ).map((r: Json) => [r.user_id, r.kind, r.title]),
        deliveries: (
          await rows(
            `select channel, target_id, not_before, event_type, replace(key, $2, '') as k from deliveries
              where reminder_id = $1 order by channel, target_id`,
            [n.reminderId, n.key],
          )
        ).map((r: Json) => [r.channel, r.target_id, new Date(r.not_before).toISOString(), r.event_type, r.k]),
      });
      for (let i = 0; i < shapes.length; i++) {
        expect(await written(batch[i]!), `notification ${i}`).toEqual(await written(single[i]!));
      }
      // And a retried batch writes nothing.
      expect(await db.database.db.transaction((tx) => notifyAll(tx, batch))).toEqual({
        inboxItems: 0,
        deliveries: 0,
      });
    });

    it('a kind whose channels are off by default reaches the inbox only', async () => {
      const n = await fired({ firedAt: db.ctx.now(), kind: 'due', recipientIds: [u.a] });
      expect(await tell({ ...n, kind: 'due' })).toEqual({ inboxItems: 1, deliveries: 0 });
    });
  });

  describe('inbox', () => {
    let itemId: string;
    it('lists the user’s own items and counts the unread', async () => {
      const list = await send(app, { method: 'GET', url: '/api/v1/me/inbox', headers: as.a });
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json_.data.length).toBe(2);
      expect(list.json_.data[0]).toMatchObject({ read: false, done: false, snoozedUntil: null });
      itemId = list.json_.data.find((i: Json) => i.kind === 'overdue').id;
      const count = await send(app, { method: 'GET', url: '/api/v1/me/inbox/count', headers: as.a });
      expect(count.json_).toEqual({ unread: 2 });
      const none = await send(app, { method: 'GET', url: '/api/v1/me/inbox', headers: as.c });
      expect(none.json_.data).toEqual([]);
    });

    it('read, unread, snooze and done; snoozed and done items leave the list and the count', async () => {
      const url = (what: string) => `/api/v1/me/inbox/${itemId}/${what}`;
      const count = async () =>
        (await send(app, { method: 'GET', url: '/api/v1/me/inbox/count', headers: as.a })).json_.unread;
      const read = await send(app, { method: 'POST', url: url('read'), headers: as.a });
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json_.read).toBe(true);
      const firstRead = read.json_.readAt;
      db.clock.now = new Date(db.clock.now.getTime() + 60_000);
      expect((await send(app, { method: 'POST', url: url('read'), headers: as.a })).json_.readAt).toBe(
        firstRead,
      );
      expect(await count()).toBe(1);
      const unreadOnly = await send(app, {
        method: 'GET',
        url: '/api/v1/me/inbox?unread=true',
        headers: as.a,
      });
      expect(unreadOnly.json_.data.map((i: Json) => i.id)).not.toContain(itemId);
      expect((await send(app, { method: 'POST', url: url('unread'), headers: as.a })).json_.read).toBe(false);
      expect(await count()).toBe(2);

      const until = new Date(db.clock.now.getTime() + 3_600_000).toISOString();
      const snooze = await send(app, {
        method: 'POST',
        url: url('snooze'),
        headers: as.a,
        payload: { until },
      });
      expect(snooze.statusCode, snooze.body).toBe(200);
      expect(snooze.json_.snoozedUntil).toBe(until);
      expect(await count()).toBe(1);
      const hidden = await send(app, { method: 'GET', url: '/api/v1/me/inbox', headers: as.a });
      expect(hidden.json_.data.map((i: Json) => i.id)).not.toContain(itemId);
      const shown = await send(app, {
        method: 'GET',
        url: '/api/v1/me/inbox?includeSnoozed=true',
        headers: as.a,
      });
      expect(shown.json_.data.map((i: Json) => i.id)).toContain(itemId);
      // When the snooze ends the item is back.
      db.clock.now = new Date(db.clock.now.getTime() + 3_600_001);
      expect(await count()).toBe(2);

      const past = await send(app, {
        method: 'POST',
        url: url('snooze'),
        headers: as.a,
        payload: { until: '2020-01-01T00:00:00Z' },
      });
      expect(past.statusCode).toBe(400);
      expect(past.json_.field).toBe('until');
      const naive = await send(app, {
        method: 'POST',
        url: url('snooze'),
        headers: as.a,
        payload: { until: '2030-01-01T00:00:00' },
      });
      expect(naive.statusCode).toBe(400);
      expect(naive.json_.field).toBe('until');

      const done = await send(app, { method: 'POST', url: url('done'), headers: as.a });
      expect(done.json_.done).toBe(true);
      expect(await count()).toBe(1);
      const list = await send(app, { method: 'GET', url: '/api/v1/me/inbox', headers: as.a });
      expect(list.json_.data.map((i: Json) => i.id)).not.toContain(itemId);
      const all = await send(app, { method: 'GET', url: '/api/v1/me/inbox?includeDone=true', headers: as.a });
      expect(all.json_.data.map((i: Json) => i.id)).toContain(itemId);
    });

    it('another user’s item is a 404 like a missing one, and is left unchanged; a read-only token cannot mark', async () => {
      const before = await rows(`select * from inbox_items where id = $1`, [itemId]);
      for (const what of ['read', 'unread', 'done']) {
        const theirs = await send(app, {
          method: 'POST',
          url: `/api/v1/me/inbox/${itemId}/${what}`,
          headers: as.b,
        });
        const missing = await send(app, {
          method: 'POST',
          url: `/api/v1/me/inbox/${uuidv7()}/${what}`,
          headers: as.b,
        });
        expect(theirs.statusCode).toBe(404);
        expect(theirs.json_.code).toBe(missing.json_.code);
        expect(theirs.json_.field).toBe('itemId');
      }
      const ro = await send(app, { method: 'POST', url: `/api/v1/me/inbox/${itemId}/read`, headers: aRead });
      expect(ro.statusCode).toBe(403);
      expect(await rows(`select * from inbox_items where id = $1`, [itemId])).toEqual(before);
    });

    it('pages newest first with an opaque cursor; a forged cursor is a 400 naming it', async () => {
      for (let i = 0; i < 3; i++) {
        db.clock.now = new Date(db.clock.now.getTime() + 1000);
        await tell(await fired({ firedAt: db.clock.now, recipientIds: [u.c] }));
      }
      const p1 = await send(app, { method: 'GET', url: '/api/v1/me/inbox?limit=2', headers: as.c });
      expect(p1.json_.data).toHaveLength(2);
      expect(p1.json_.nextCursor).toEqual(expect.any(String));
      const p2 = await send(app, {
        method: 'GET',
        url: `/api/v1/me/inbox?limit=2&cursor=${p1.json_.nextCursor}`,
        headers: as.c,
      });
      expect(p2.json_.data).toHaveLength(1);
      expect(p2.json_.nextCursor).toBeNull();
      const times = [...p1.json_.data, ...p2.json_.data].map((i: Json) => i.createdAt);
      expect(times).toEqual([...times].sort().reverse());
      const bad = await send(app, { method: 'GET', url: '/api/v1/me/inbox?cursor=nope', headers: as.c });
      expect(bad.statusCode).toBe(400);
      expect(bad.json_.field).toBe('cursor');
    });
  });

  describe('preferences', () => {
    const put = (headers: H, payload: unknown) =>
      send(app, {
        method: 'PUT',
        url: '/api/v1/me/notification-preferences',
        headers,
        payload: payload as object,
      });

    it('defaults until changed; a change keeps the fields not sent', async () => {
      const get = await send(app, {
        method: 'GET',
        url: '/api/v1/me/notification-preferences',
        headers: as.c,
      });
      expect(get.statusCode, get.body).toBe(200);
      expect(get.json_).toMatchObject({
        channels: { overdue: ['email'], due: [], checkpoint_internal_check_in: [] },
        quietHours: null,
        timeZone: null,
        effectiveTimeZone: 'UTC',
        digestEnabled: true,
        digestTime: '08:00',
        slackWebhook: { configured: false, host: null },
      });
      expect(get.json_.channels).not.toHaveProperty('digest');
      const changed = await put(as.c, { digestTime: '07:15', timeZone: 'europe/paris' });
      expect(changed.statusCode, changed.body).toBe(200);
      expect(changed.json_).toMatchObject({
        digestTime: '07:15',
        timeZone: 'Europe/Paris',
        digestEnabled: true,
      });
      const again = await put(as.c, { channels: { due: ['email'] } });
      expect(again.json_).toMatchObject({
        digestTime: '07:15',
        channels: { due: ['email'], overdue: ['email'] },
      });
      // B's Slack URL is shown back by host only.
      const b = await send(app, { method: 'GET', url: '/api/v1/me/notification-preferences', headers: as.b });
      expect(b.json_.slackWebhook).toEqual({ configured: true, host: 'hooks.example.test' });
      expect(b.body).not.toContain('services/T1');
    });

    it('bad input is refused naming the field, and nothing is written', async () => {
      const before = await rows(`select * from notification_preferences where user_id = $1`, [u.c]);
      const cases: [unknown, string][] = [
        [{ channels: { due: ['slack'] } }, 'slackWebhookUrl'],
        [{ slackWebhookUrl: 'ftp://hooks.example.test/x' }, 'slackWebhookUrl'],
        [{ slackWebhookUrl: 'https://user:pw@hooks.example.test/x' }, 'slackWebhookUrl'],
        [{ slackWebhookUrl: 'not a url' }, 'slackWebhookUrl'],
        [{ timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
        [{ timeZone: '+02:00' }, 'timeZone'],
        [{ quietHours: { start: '22:00', end: '22:00' } }, 'quietHours.end'],
        [{ quietHours: { start: '22:00' } }, 'quietHours.end'],
        [{ quietHours: { start: '24:00', end: '07:00' } }, 'quietHours.start'],
        [{ digestTime: '8:00' }, 'digestTime'],
        [{ digestEnabled: 'yes' }, 'digestEnabled'],
        [{ channels: { due: ['pager'] } }, 'channels.due.0'],
        [{ channels: { due: ['email', 'email'] } }, 'channels.due'],
        [{ channels: { digest: ['email'] } }, 'channels.digest'],
        [{ channels: { bogus: [] } }, 'channels.bogus'],
        [{ workspaceId: ws }, 'workspaceId'],
      ];
      for (const [payload, field] of cases) {
        const res = await put(as.c, payload);
        expect(res.statusCode, `${JSON.stringify(payload)} → ${res.body}`).toBe(400);
        expect(
          res.json_.problems.map((p: Json) => p.field),
          JSON.stringify(payload),
        ).toContain(field);
      }
      const ro = await put(aRead, { digestTime: '09:00' });
      expect(ro.statusCode).toBe(403);
      expect(await rows(`select * from notification_preferences where user_id = $1`, [u.c])).toEqual(before);
    });

    it('quiet hours can be cleared; Slack can be turned off again', async () => {
      const res = await put(as.b, {
        quietHours: null,
        channels: { overdue: ['email'] },
        slackWebhookUrl: null,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json_).toMatchObject({ quietHours: null, slackWebhook: { configured: false } });
      // Clearing the URL while a kind still uses Slack is refused.
      await put(as.b, { slackWebhookUrl: 'https://hooks.example.test/y', channels: { due: ['slack'] } });
      const refused = await put(as.b, { slackWebhookUrl: null });
      expect(refused.statusCode).toBe(400);
      expect(refused.json_.field).toBe('slackWebhookUrl');
    });
  });
});
