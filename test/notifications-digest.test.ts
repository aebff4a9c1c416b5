// The daily digest: scheduled per user at their digest time in their zone, claimed like the
// reminders, recorded once per local date under `user:<id>:digest:<date>`, sent by email only.
import type { FastifyInstance } from 'fastify';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reminders } from '../src/db/schema.js';
import { buildServer } from '../src/http/server.js';
import { runDigestsOnce } from '../src/notifications/digest.js';
import { notify } from '../src/notifications/notify.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildPromise, buildUser, buildWorkspace, tokenHeaders } from './support/factories.js';
import { type Json, send } from './support/http.js';

const D = (s: string) => new Date(s);

describe(`daily digest (${ENGINE})`, () => {
  let db: TestDb;
  let app: FastifyInstance;
  let ws: string;
  let admin: string;
  let a: string;
  let b: string;
  let off: string;
  const p: Record<string, string> = {};

  beforeAll(async () => {
    // 2026-11-02 09:00Z = 10:00 in Berlin (CET, UTC+1).
    db = await openTestDb(undefined, D('2026-11-02T09:00:00Z'));
    app = await buildServer(db.ctx);
    ({ workspaceId: ws, adminId: admin } = await buildWorkspace(db.ctx));
    await db.database.raw(`update workspaces set time_zone = 'Europe/Berlin' where id = $1`, [ws]);
    a = (await buildUser(db.ctx, { workspaceId: ws })).userId;
    b = (await buildUser(db.ctx, { workspaceId: ws })).userId;
    off = (await buildUser(db.ctx, { workspaceId: ws })).userId;
    const make = async (key: string, days: number) => {
      p[key] = (
        await buildPromise(db.ctx, {
          workspaceId: ws,
          ownerId: a,
          promiseMade: `Promise ${key}`,
          dueAt: new Date(db.ctx.now().getTime() + days * 86_400_000),
        })
      ).promiseId;
    };
    await make('overdue', 1); // due 2026-11-03 09:00Z
    await make('soon', 3); // due 2026-11-05 09:00Z
    await make('later', 6);
    // Another user's promise due soon: not in A's digest.
    await buildPromise(db.ctx, {
      workspaceId: ws,
      ownerId: b,
      promiseMade: 'Promise of B',
      dueAt: D('2026-11-04T12:00:00Z'),
    });
    await db.database.raw(`update users set active = false where id = $1`, [off]);
    // One unread inbox item for A.
    const reminderId = uuidv7();
    const key = `promise:${p.soon}:checkpoint_customer_update_required:1`;
    const firedAt = db.ctx.now();
    await db.database.db.insert(reminders).values({
      workspaceId: ws,
      id: reminderId,
      key,
      subjectType: 'promise',
      subjectId: p.soon!,
      kind: 'checkpoint_customer_update_required',
      dueAt: firedAt,
      firedAt,
      latenessMs: 0,
      recipientIds: [a],
    });
    await db.database.db.transaction((tx) =>
      notify(tx, {
        workspaceId: ws,
        reminderId,
        key,
        kind: 'checkpoint_customer_update_required',
        subjectType: 'promise',
        subjectId: p.soon!,
        recipientIds: [a],
        content: { title: 'Customer update required', text: 'x', html: 'x' },
        data: {},
        dueAt: firedAt,
        firedAt,
      }),
    );
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const prefs = async (userId: string) =>
    (await db.database.raw<Json>(`select * from notification_preferences where user_id = $1`, [userId]))[0];
  const digests = (userId: string) =>
    db.database.raw<Json>(
      `select key, due_at, fired_at, lateness_ms from reminders where kind = 'digest' and subject_id = $1 order by key`,
      [userId],
    );
  const emails = (userId: string) =>
    db.database.raw<Json>(
      `select key, channel, target_id, event_type, content, data, not_before from deliveries
        where workspace_id = $1 and target_id = $2 and event_type = 'reminder.digest' order by key`,
      [ws, userId],
    );

  it('the first pass gives every active user a schedule at their digest time in their zone, and sends nothing', async () => {
    const pass = await runDigestsOnce(db.ctx, { now: db.ctx.now() });
    expect(pass.fired).toBe(0);
    expect(pass.claimed).toBeGreaterThanOrEqual(2);
    // 08:00 in Berlin on the next day.
    expect(new Date((await prefs(a)).next_digest_at).toISOString()).toBe('2026-11-03T07:00:00.000Z');
    expect(new Date((await prefs(b)).next_digest_at).toISOString()).toBe('2026-11-03T07:00:00.000Z');
    expect(await prefs(off)).toBeUndefined();
  });

  it('after a day of downtime: one digest for the latest day — overdue with its age, due within 48 hours, unread', async () => {
    const now = D('2026-11-04T07:00:05Z');
    const pass = await runDigestsOnce(db.ctx, { now });
    // A, B and the admin.
    expect(pass).toMatchObject({ fired: 3, emails: 2 });
    const [rec] = await digests(a);
    expect(rec.key).toBe(`user:${a}:digest:2026-11-04`);
    expect(new Date(rec.due_at).toISOString()).toBe('2026-11-04T07:00:00.000Z');
    expect(Number(rec.lateness_ms)).toBe(5000);

    const [mail] = await emails(a);
    expect(mail).toMatchObject({
      channel: 'email',
      target_id: a,
      key: `user:${a}:digest:2026-11-04:email:${a}`,
    });
    expect(new Date(mail.not_before).toISOString()).toBe(now.toISOString());
    const text: string = mail.content.text;
    expect(mail.content.title).toBe(
      'Your promises for 2026-11-04: 1 overdue, 1 due within 48 hours, 1 unread',
    );
    expect(text).toMatch(
      /Overdue \(1\)\n {2}- Promise overdue — .* \(due 2026-11-03 10:00:00\+01:00, 22 hours overdue\)/,
    );
    expect(text).toMatch(/Due within 48 hours \(1\)\n {2}- Promise soon — .*in 1 day\)/);
    expect(text).toContain('Unread in your inbox: 1');
    expect(text).not.toContain('Promise later');
    expect(text).not.toContain('Promise of B');
    expect(mail.data).toMatchObject({ overduePromiseIds: [p.overdue], dueSoonPromiseIds: [p.soon] });

    // B's digest lists B's promise only.
    const [bMail] = await emails(b);
    expect(bMail.content.text).toContain('Promise of B');
    expect(bMail.content.text).not.toContain('Promise overdue');
    // The admin has nothing to hear about: the day is recorded, no email goes out.
    expect(await digests(admin)).toHaveLength(1);
    expect(await emails(admin)).toHaveLength(0);
    expect(new Date((await prefs(a)).next_digest_at).toISOString()).toBe('2026-11-05T07:00:00.000Z');
    expect(new Date((await prefs(a)).digest_fired_through).toISOString()).toBe('2026-11-04T07:00:00.000Z');
  });

  it('once per day: a second pass, a replayed claim and concurrent passes add nothing', async () => {
    const now = D('2026-11-04T07:30:00Z');
    expect(await runDigestsOnce(db.ctx, { now })).toMatchObject({ claimed: 0, fired: 0 });
    // As if a crash lost the schedule update, or another instance claims the same day again.
    await db.database.raw(
      `update notification_preferences set next_digest_at = $1 where user_id in ($2, $3)`,
      ['2026-11-04T07:00:00Z', a, b],
    );
    const passes = await Promise.all([runDigestsOnce(db.ctx, { now }), runDigestsOnce(db.ctx, { now })]);
    expect(passes.reduce((n, x) => n + x.fired, 0)).toBe(0);
    expect(await digests(a)).toHaveLength(1);
    expect(await emails(a)).toHaveLength(1);
  });

  it('the next day fires again; quiet hours hold the email; a disabled digest is not claimed', async () => {
    const h = await tokenHeaders(db.ctx, ws, a);
    const put = await send(app, {
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      headers: h,
      payload: { quietHours: { start: '07:00', end: '09:30' } },
    });
    expect(put.statusCode, put.body).toBe(200);
    const bh = await tokenHeaders(db.ctx, ws, b);
    await send(app, {
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      headers: bh,
      payload: { digestEnabled: false },
    });
    const pass = await runDigestsOnce(db.ctx, { now: D('2026-11-05T07:00:00Z') });
    // A and the admin (nothing to say); not B.
    expect(pass).toMatchObject({ fired: 2, emails: 1 });
    const mails = await emails(a);
    expect(mails.map((m: Json) => m.key)).toEqual([
      `user:${a}:digest:2026-11-04:email:${a}`,
      `user:${a}:digest:2026-11-05:email:${a}`,
    ]);
    // 09:30 in Berlin.
    expect(new Date(mails[1].not_before).toISOString()).toBe('2026-11-05T08:30:00.000Z');
    expect(await digests(b)).toHaveLength(1);
  });

  it('changing the digest time plans the next one afresh, without a second digest the same day', async () => {
    const h = await tokenHeaders(db.ctx, ws, a);
    const put = await send(app, {
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      headers: h,
      payload: { digestTime: '17:00' },
    });
    expect(put.json_.nextDigestAt).toBeNull();
    await runDigestsOnce(db.ctx, { now: D('2026-11-05T09:00:00Z') });
    expect(new Date((await prefs(a)).next_digest_at).toISOString()).toBe('2026-11-05T16:00:00.000Z');
    // 17:00 today: the date already had its digest.
    expect(await runDigestsOnce(db.ctx, { now: D('2026-11-05T16:00:00Z') })).toMatchObject({ fired: 0 });
    expect(await digests(a)).toHaveLength(2);
    expect(new Date((await prefs(a)).next_digest_at).toISOString()).toBe('2026-11-06T16:00:00.000Z');
  });
});
