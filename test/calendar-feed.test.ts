// The calendar feed: a secret, revocable .ics URL per user, parsed with an independent parser
// (node-ical), listing exactly the user's open promises (due instant + upcoming checkpoints; a
// paused one at its original due date). A refused link is in the security log with its reason; the
// secret never reaches the server log.
import type { FastifyInstance } from 'fastify';
import ical from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { formatFeedToken } from '../src/notifications/calendar-feed.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildPromise, buildUser, buildWorkspace, tokenHeaders } from './support/factories.js';
import { type Json, send } from './support/http.js';

const PUBLIC_URL = 'https://crm.example.test';

describe(`calendar feed (${ENGINE})`, () => {
  let db: TestDb;
  let app: FastifyInstance;
  let ws: string;
  let owner: string;
  let other: string;
  let h: { authorization: string };
  const ids: Record<string, string> = {};
  const names: Record<string, string> = {};

  beforeAll(async () => {
    db = await openTestDb();
    app = await buildServer(db.ctx, { publicUrl: PUBLIC_URL });
    ws = (await buildWorkspace(db.ctx)).workspaceId;
    owner = (await buildUser(db.ctx, { workspaceId: ws })).userId;
    other = (await buildUser(db.ctx, { workspaceId: ws })).userId;
    h = await tokenHeaders(db.ctx, ws, owner);
    const make = async (key: string, ownerId: string, days: number) => {
      const p = await buildPromise(db.ctx, {
        workspaceId: ws,
        ownerId,
        promiseMade: `Promise ${key}: send the export guide`,
        customerReason: `Reason ${key}: they report on Monday`,
        dueAt: new Date(db.ctx.now().getTime() + days * 86_400_000),
      });
      ids[key] = p.promiseId;
      const [acc] = await db.database.raw<{ name: string }>(`select name from accounts where id = $1`, [
        p.accountId,
      ]);
      names[key] = acc!.name;
    };
    await make('open1', owner, 5);
    await make('open2', owner, 10);
    await make('kept', owner, 5);
    await make('paused', owner, 5);
    await make('theirs', other, 5);
    const keep = await send(app, {
      method: 'POST',
      url: `/api/v1/promises/${ids.kept}/keep`,
      headers: h,
      payload: { proof: { kind: 'email_sent', note: 'Sent' }, recoveryStrength: 'task_closed' },
    });
    expect(keep.statusCode, keep.body).toBe(200);
    const pause = await send(app, {
      method: 'POST',
      url: `/api/v1/promises/${ids.paused}/pause`,
      headers: h,
      payload: { cause: 'customer', note: 'Waiting for their data' },
    });
    expect(pause.statusCode, pause.body).toBe(200);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const path = (url: string) => url.slice(PUBLIC_URL.length);
  /** The feed is text/calendar (a refusal is problem+json): parsed as JSON only when it is JSON. */
  const fetchFeed = async (url: string) => {
    const res = await app.inject({ method: 'GET', url: path(url) });
    const isJson = /json/.test(String(res.headers['content-type']));
    return Object.assign(res, { json_: isJson ? (res.json() as Json) : null });
  };
  const create = async () => {
    const res = await send(app, { method: 'POST', url: '/api/v1/me/calendar-feed', headers: h });
    expect(res.statusCode, res.body).toBe(201);
    return res.json_.url as string;
  };

  it('lists exactly the user’s open promises, at their due instant, with their upcoming checkpoints', async () => {
    const url = await create();
    expect(url).toMatch(
      /^https:\/\/crm\.example\.test\/calendar\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\.ics$/,
    );
    const res = await fetchFeed(url);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.body).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(res.body).toContain('X-WR-CALNAME:');
    expect(res.body).toMatch(/REFRESH-INTERVAL;VALUE=DURATION:PT15M/);

    const parsed = ical.sync.parseICS(res.body);
    const events = Object.values(parsed).filter((c) => c?.type === 'VEVENT') as Json[];
    const due = events.filter((e) => e.uid.endsWith('-due@promise-ledger'));
    expect(due.map((e) => e.uid).sort()).toEqual(
      [
        `${ids.open1}-due@promise-ledger`,
        `${ids.open2}-due@promise-ledger`,
        `${ids.paused}-due@promise-ledger`,
      ].sort(),
    );
    const [p1] = await db.database.raw<Json>(`select effective_due_at from promises where id = $1`, [
      ids.open1,
    ]);
    const e1 = due.find((e) => e.uid.startsWith(ids.open1!))!;
    expect(new Date(e1.start).toISOString()).toBe(new Date(p1.effective_due_at).toISOString());
    expect(e1.summary).toContain('Promise open1: send the export guide');
    expect(e1.summary).toContain(names.open1);
    expect(e1.description).toContain('Reason open1: they report on Monday');
    expect(typeof e1.url === 'string' ? e1.url : e1.url?.val).toBe(
      `${PUBLIC_URL}/api/v1/promises/${ids.open1}`,
    );
    expect(new Date(e1.dtstamp).toISOString()).toBe(db.ctx.now().toISOString());

    // Default checkpoints (50% and 80% of the timeline), both still ahead.
    const checkpoints = events.filter((e) => e.uid.includes('-checkpoint-'));
    expect(checkpoints.map((e) => e.uid).sort()).toEqual(
      [
        `${ids.open1}-checkpoint-50@promise-ledger`,
        `${ids.open1}-checkpoint-80@promise-ledger`,
        `${ids.open2}-checkpoint-50@promise-ledger`,
        `${ids.open2}-checkpoint-80@promise-ledger`,
      ].sort(),
    );
    for (const e of checkpoints) expect(new Date(e.start).getTime()).toBeGreaterThan(db.ctx.now().getTime());
    // Paused: still open, so listed — at its original due date, marked paused, without checkpoints.
    const [pp] = await db.database.raw<Json>(`select due_at, effective_due_at from promises where id = $1`, [
      ids.paused,
    ]);
    expect(pp.effective_due_at).toBeNull();
    const ep = due.find((e) => e.uid.startsWith(ids.paused!))!;
    expect(new Date(ep.start).toISOString()).toBe(new Date(pp.due_at).toISOString());
    expect(ep.summary).toMatch(/^Paused: Promise paused: send the export guide/);
    expect(e1.summary).toMatch(/^Due: /);
    expect(events.filter((e) => e.uid.startsWith(ids.paused!))).toHaveLength(1);
    // Not the kept one, not another user's.
    for (const key of ['kept', 'theirs']) expect(res.body).not.toContain(ids[key]);

    const [feed] = await db.database.raw<Json>(`select last_used_at from calendar_feeds where user_id = $1`, [
      owner,
    ]);
    expect(new Date(feed.last_used_at).toISOString()).toBe(db.ctx.now().toISOString());
  });

  it('a passed checkpoint leaves the feed; the UIDs stay the same from one fetch to the next', async () => {
    const url = await create();
    const first = ical.sync.parseICS((await fetchFeed(url)).body);
    db.clock.now = new Date(db.clock.now.getTime() + 3 * 86_400_000); // past 50% of open1 (5 days)
    const later = ical.sync.parseICS((await fetchFeed(url)).body);
    expect(Object.keys(later)).not.toContain(`${ids.open1}-checkpoint-50@promise-ledger`);
    expect(Object.keys(later)).toContain(`${ids.open1}-checkpoint-80@promise-ledger`);
    for (const uid of Object.keys(later)) if (uid.includes('@')) expect(Object.keys(first)).toContain(uid);
  });

  it('rotating replaces the link; a revoked, replaced or unknown link is a 404 problem', async () => {
    const old = await create();
    const fresh = await create();
    expect(fresh).not.toBe(old);
    const replaced = await fetchFeed(old);
    expect(replaced.statusCode).toBe(404);
    expect(replaced.headers['content-type']).toMatch(/problem\+json/);
    expect(replaced.json_.detail).toMatch(/revoked|replaced/);
    expect((await fetchFeed(fresh)).statusCode).toBe(200);

    const del = await send(app, { method: 'DELETE', url: '/api/v1/me/calendar-feed', headers: h });
    expect(del.statusCode, del.body).toBe(204);
    expect((await fetchFeed(fresh)).statusCode).toBe(404);
    const revokedAt = db.clock.now.toISOString();
    const again = await send(app, { method: 'DELETE', url: '/api/v1/me/calendar-feed', headers: h });
    expect(again.statusCode).toBe(404);

    // A forged secret for a real user, garbage, and another user's ids with this secret.
    const secret = fresh.slice(-47, -4);
    for (const token of [
      formatFeedToken(ws, owner, 'A'.repeat(43)),
      'nonsense',
      formatFeedToken(ws, other, secret),
    ]) {
      const res = await fetchFeed(`${PUBLIC_URL}/calendar/${token}.ics`);
      expect(res.statusCode, token).toBe(404);
      expect(res.json_.code).toBe('not_found');
    }

    // Each refusal of an existing feed is in the security log with its reason (a second one with
    // the same reason within the hour is not: a client polls a dead link every few minutes);
    // tokens naming no feed are only logged. Never the secret.
    const refusals = await db.database.raw<Json>(
      `select user_id, detail from security_events
        where workspace_id = $1 and kind = 'calendar_feed.refused' order by occurred_at, id`,
      [ws],
    );
    expect(refusals).toEqual([
      { user_id: owner, detail: { reason: 'secret_mismatch' } },
      { user_id: owner, detail: { reason: 'revoked', revokedAt } },
    ]);
    expect(JSON.stringify(refusals)).not.toContain(secret);
  });

  it('a read-only token cannot create or revoke a feed; the feed of a deactivated user stops', async () => {
    const ro = await tokenHeaders(db.ctx, ws, owner, 'read');
    expect(
      (await send(app, { method: 'POST', url: '/api/v1/me/calendar-feed', headers: ro })).statusCode,
    ).toBe(403);
    expect(
      (await send(app, { method: 'DELETE', url: '/api/v1/me/calendar-feed', headers: ro })).statusCode,
    ).toBe(403);
    const url = await create();
    await db.database.raw(`update users set active = false where id = $1`, [owner]);
    expect((await fetchFeed(url)).statusCode).toBe(404);
    const [deactivated] = await db.database.raw<Json>(
      `select detail from security_events
        where workspace_id = $1 and kind = 'calendar_feed.refused' and user_id = $2
        order by occurred_at desc, id desc limit 1`,
      [ws, owner],
    );
    expect(deactivated.detail).toEqual({ reason: 'user_deactivated' });
    await db.database.raw(`update users set active = true where id = $1`, [owner]);
    expect((await fetchFeed(url)).statusCode).toBe(200);
  });

  it('the feed’s secret never reaches the server log; a refusal is a warn line with its reason', async () => {
    const lines: string[] = [];
    const logged = await buildServer(db.ctx, {
      publicUrl: PUBLIC_URL,
      logLevel: 'debug',
      logStream: { write: (line: string) => void lines.push(line) },
    });
    try {
      const url = await create();
      const secret = url.slice(-47, -4);
      const ok = await logged.inject({ method: 'GET', url: path(url) });
      expect(ok.statusCode, ok.body).toBe(200);
      await create(); // replaces the link: the old one is refused
      const refused = await logged.inject({ method: 'GET', url: `${path(url)}?x=1` });
      expect(refused.statusCode).toBe(404);
      const text = lines.join('');
      expect(text).not.toContain(secret);
      expect(text).not.toContain(url.slice(PUBLIC_URL.length + '/calendar/'.length, -4));
      const entries = lines.map((l) => JSON.parse(l) as Json);
      expect(entries.some((e) => e.req?.url === '/calendar/[redacted].ics')).toBe(true);
      const warn = entries.find((e) => e.level === 40 && /calendar feed refused/.test(e.msg));
      expect(warn).toMatchObject({ reason: 'secret_mismatch', workspaceId: ws, userId: owner });
    } finally {
      await logged.close();
    }
  });
});
