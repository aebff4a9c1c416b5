// The webhook subscriptions API: create (secret once), list, get, revoke, the delivery log with
// every attempt, and replay from the log (same webhook-id). Both engines.
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspaces } from '../src/db/schema.js';
import { claimDue, enqueueWebhookEvent, enqueueWebhookEvents } from '../src/delivery/outbox.js';
import { runDeliveriesOnce } from '../src/delivery/worker.js';
import { buildServer } from '../src/http/server.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildWorkspace, tokenHeaders } from './support/factories.js';
import { send } from './support/http.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/receivers.js';

let db: TestDb;
let app: FastifyInstance;
let rx: WebhookReceiver;
let ws: string;
let admin: { authorization: string };

beforeAll(async () => {
  db = await openTestDb();
  app = await buildServer(db.ctx);
  const w = await buildWorkspace(db.ctx);
  ws = w.workspaceId;
  await db.database.db
    .update(workspaces)
    .set({ allowPrivateWebhookTargets: true })
    .where(eq(workspaces.id, ws));
  admin = await tokenHeaders(db.ctx, ws, w.adminId);
  rx = await startWebhookReceiver({ now: () => db.clock.now, status: (_r, n) => (n === 0 ? 503 : 200) });
});
afterAll(async () => {
  await rx.close();
  await app.close();
  await db.close();
});

describe(`webhook subscriptions API (${ENGINE})`, () => {
  it('refuses a URL that is not http(s), naming the field', async () => {
    const res = await send(app, {
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: admin,
      payload: { url: 'file:///etc/passwd' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json_.problems.map((p: { field: string }) => p.field)).toContain('url');
  });

  it('refuses a URL carrying credentials (user:password@), naming the field', async () => {
    for (const url of ['https://user:secret@hooks.example.com/x', 'https://token@hooks.example.com/x']) {
      const res = await send(app, {
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: admin,
        payload: { url },
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json_.field).toBe('url');
      expect(res.body).not.toContain('secret@');
    }
    const list = await send(app, { method: 'GET', url: '/api/v1/webhooks', headers: admin });
    expect(list.json_.data).toHaveLength(0);
  });

  it('creates, lists, logs every attempt, replays with the same webhook-id, and revokes', async () => {
    const created = await send(app, {
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: admin,
      payload: { url: rx.url, eventTypes: ['reminder.overdue'], description: 'Ops bridge' },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json_.secret).toMatch(/^whsec_/);
    rx.secret = created.json_.secret;
    const id = created.json_.id as string;
    const list = await send(app, { method: 'GET', url: '/api/v1/webhooks', headers: admin });
    expect(list.json_.data).toHaveLength(1);
    expect(JSON.stringify(list.json_)).not.toContain('whsec_');
    const one = await send(app, { method: 'GET', url: `/api/v1/webhooks/${id}`, headers: admin });
    expect(one.json_).toMatchObject({ id, status: 'active', eventTypes: ['reminder.overdue'] });
    expect(one.json_.secret).toBeUndefined();

    await db.database.db.transaction(async (tx) => {
      await enqueueWebhookEvent(tx, {
        workspaceId: ws,
        key: 'promise:p1:overdue:1',
        reminderId: null,
        eventType: 'reminder.overdue',
        data: { p: 1 },
      });
      // Not subscribed to this type.
      await enqueueWebhookEvent(tx, {
        workspaceId: ws,
        key: 'promise:p1:due:1',
        reminderId: null,
        eventType: 'reminder.due',
        data: {},
      });
    });
    await runDeliveriesOnce(db.ctx, { random: () => 0 });
    await runDeliveriesOnce(db.ctx, { now: new Date(db.clock.now.getTime() + 60_000) });
    const log = await send(app, { method: 'GET', url: `/api/v1/webhooks/${id}/deliveries`, headers: admin });
    expect(log.statusCode, log.body).toBe(200);
    expect(log.json_.data).toHaveLength(1);
    const d = log.json_.data[0];
    expect(d).toMatchObject({ status: 'delivered', attempts: 2, eventType: 'reminder.overdue' });
    expect(d.log.map((a: { outcome: string; httpStatus: number }) => [a.outcome, a.httpStatus])).toEqual([
      ['retry', 503],
      ['success', 200],
    ]);

    const replay = await send(app, {
      method: 'POST',
      url: `/api/v1/webhooks/${id}/deliveries/${d.id}/replay`,
      headers: admin,
    });
    expect(replay.statusCode, replay.body).toBe(202);
    expect(replay.json_.status).toBe('pending');
    await runDeliveriesOnce(db.ctx, {});
    const after = await send(app, {
      method: 'GET',
      url: `/api/v1/webhooks/${id}/deliveries`,
      headers: admin,
    });
    expect(after.json_.data[0]).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(after.json_.data[0].log).toHaveLength(3);
    // The same message, the same webhook-id, every time.
    expect(rx.received.map((r) => r.id)).toEqual([d.id, d.id, d.id]);
    expect(rx.received.every((r) => r.verified)).toBe(true);
    expect(new Set(rx.received.map((r) => r.body)).size).toBe(1);

    const revoked = await send(app, { method: 'DELETE', url: `/api/v1/webhooks/${id}`, headers: admin });
    expect(revoked.statusCode).toBe(204);
    const again = await send(app, { method: 'DELETE', url: `/api/v1/webhooks/${id}`, headers: admin });
    expect(again.statusCode).toBe(404);
    const noReplay = await send(app, {
      method: 'POST',
      url: `/api/v1/webhooks/${id}/deliveries/${d.id}/replay`,
      headers: admin,
    });
    expect(noReplay.statusCode).toBe(409);
    const n = await db.database.db.transaction((tx) =>
      enqueueWebhookEvent(tx, {
        workspaceId: ws,
        key: 'promise:p2:overdue:1',
        reminderId: null,
        eventType: 'reminder.overdue',
        data: {},
      }),
    );
    expect(n).toBe(0);
  });

  it('another workspace’s subscription is a 404 like a missing one', async () => {
    const other = await buildWorkspace(db.ctx);
    const h = await tokenHeaders(db.ctx, other.workspaceId, other.adminId);
    const [mine] = (await send(app, { method: 'GET', url: '/api/v1/webhooks', headers: admin })).json_.data;
    const res = await send(app, { method: 'GET', url: `/api/v1/webhooks/${mine.id}/deliveries`, headers: h });
    expect(res.statusCode).toBe(404);
    expect(res.json_.field).toBe('webhookId');
  });

  it('replaying a delivery that is being sent right now is a 409; once its lease has run out, it is replayed', async () => {
    const created = await send(app, {
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: admin,
      payload: { url: 'http://127.0.0.1:1/never-sent', eventTypes: ['reminder.lease'] },
    });
    const id = created.json_.id as string;
    await db.database.db.transaction((tx) =>
      enqueueWebhookEvent(tx, {
        workspaceId: ws,
        key: 'lease:1',
        reminderId: null,
        eventType: 'reminder.lease',
        data: {},
      }),
    );
    const mine = (rows: { workspaceId: string; id: string }[]) => rows.filter((r) => r.workspaceId === ws);
    // A worker claimed it two minutes ago and died: its lease ran out a minute ago.
    const [dead] = mine(
      await db.database.db.transaction((tx) =>
        claimDue(tx, new Date(db.clock.now.getTime() - 120_000), 100, 60_000),
      ),
    );
    const replay = () =>
      send(app, {
        method: 'POST',
        url: `/api/v1/webhooks/${id}/deliveries/${dead!.id}/replay`,
        headers: admin,
      });
    const ok = await replay();
    expect(ok.statusCode, ok.body).toBe(202);
    // Claimed now: being sent until the lease ends.
    const [live] = mine(await db.database.db.transaction((tx) => claimDue(tx, db.clock.now, 100, 60_000)));
    expect(live!.id).toBe(dead!.id);
    const busy = await replay();
    expect(busy.statusCode, busy.body).toBe(409);
    expect(busy.json_.detail).toContain(
      `being sent now; try again after ${new Date(db.clock.now.getTime() + 60_000).toISOString()}`,
    );
  });
  it('pages through a log whose deliveries share one instant (a batch sent in one transaction): each once', async () => {
    const created = await send(app, {
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: admin,
      payload: { url: rx.url, eventTypes: ['reminder.due'], description: 'Batch log' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json_.id as string;
    // One transaction, one statement: every row's created_at is the transaction's now(), to the
    // microsecond, so a page boundary falls among rows with the same instant.
    await db.database.db.transaction((tx) =>
      enqueueWebhookEvents(
        tx,
        Array.from({ length: 7 }, (_, n) => ({
          workspaceId: ws,
          key: `promise:batch-${n}:due:1`,
          reminderId: null,
          eventType: 'reminder.due',
          data: { n },
        })),
      ),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await send(app, {
        method: 'GET',
        url: `/api/v1/webhooks/${id}/deliveries?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        headers: admin,
      });
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...(res.json_.data as { id: string }[]).map((d) => d.id));
      cursor = res.json_.nextCursor as string | null;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    // A cursor this list did not make is a 400 naming it, never a 500 from the database.
    for (const at of ['2026-13-01T00:00:00Z', '2026-12-04 19:34:12.310873+99', 'yesterday', 7]) {
      const forged = Buffer.from(JSON.stringify({ at, id: seen[0] })).toString('base64url');
      const res = await send(app, {
        method: 'GET',
        url: `/api/v1/webhooks/${id}/deliveries?cursor=${forged}`,
        headers: admin,
      });
      expect(res.statusCode, `${at}: ${res.body}`).toBe(400);
      expect(res.json_.field).toBe('cursor');
    }
  });
});
