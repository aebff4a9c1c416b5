// Outbound webhooks end to end: the outbox, the worker and a real HTTP receiver that verifies
// signatures with the independent `standardwebhooks` package. Both engines.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, deliveryAttempts, workspaces } from '../src/db/schema.js';
import { createSubscription } from '../src/delivery/manage-webhooks.js';
import { claimDue, enqueueWebhookEvent, recordAttempts } from '../src/delivery/outbox.js';
import { safePost } from '../src/delivery/safe-fetch.js';
import { runDeliveriesOnce } from '../src/delivery/worker.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildWorkspace, principalFor } from './support/factories.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/receivers.js';

let db: TestDb;
const servers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  for (const s of servers) await s.close();
  await db.close();
});

const at = (ms: number) => new Date(db.clock.now.getTime() + ms);

async function workspace(allowPrivate = true) {
  const w = await buildWorkspace(db.ctx);
  await db.database.db
    .update(workspaces)
    .set({ allowPrivateWebhookTargets: allowPrivate })
    .where(eq(workspaces.id, w.workspaceId));
  return { ...w, principal: await principalFor(db.ctx, w.workspaceId, w.adminId) };
}

async function receiver(opts: Parameters<typeof startWebhookReceiver>[0] = {}): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver({ now: () => db.clock.now, ...opts });
  servers.push(r);
  return r;
}

/** A raw TCP server: answers the first bytes of each connection with `answer`, verbatim. */
async function tcpServer(answer: string | Buffer): Promise<string> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A raw HTTP server for misbehaving receivers. */
async function rawServer(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function subscribe(w: Awaited<ReturnType<typeof workspace>>, url: string, eventTypes: string[] = []) {
  return createSubscription(db.ctx, { principal: w.principal, input: { url, eventTypes } });
}

let seq = 0;
async function fire(workspaceId: string, eventType = 'reminder.overdue', data: Record<string, unknown> = {}) {
  const key = `promise:${crypto.randomUUID()}:overdue:${++seq}`;
  const n = await db.database.db.transaction((tx) =>
    enqueueWebhookEvent(tx, {
      workspaceId,
      key,
      reminderId: null,
      eventType,
      data: { n: seq, ...data },
      at: db.clock.now,
    }),
  );
  return { key, n };
}

async function deliveriesOf(workspaceId: string) {
  return db.database.db.select().from(deliveries).where(eq(deliveries.workspaceId, workspaceId));
}
async function attemptsOf(workspaceId: string, deliveryId: string) {
  return db.database.db
    .select()
    .from(deliveryAttempts)
    .where(and(eq(deliveryAttempts.workspaceId, workspaceId), eq(deliveryAttempts.deliveryId, deliveryId)))
    .orderBy(deliveryAttempts.attempt);
}

/** Runs the worker until nothing due is left at `now`. */
async function drain(now = db.clock.now, opts: Parameters<typeof runDeliveriesOnce>[1] = {}) {
  let total = 0;
  for (;;) {
    const s = await runDeliveriesOnce(db.ctx, { now, transports: { httpTimeoutMs: 500 }, ...opts });
    total += s.claimed;
    if (s.claimed === 0) return total;
  }
}

describe(`outbound webhooks (${ENGINE})`, () => {
  it('a 2xx delivers once, signed and verified by an independent verifier, and is never retried', async () => {
    const w = await workspace();
    const r = await receiver();
    const sub = await subscribe(w, r.url);
    r.secret = sub.secret;
    expect((await fire(w.workspaceId, 'reminder.overdue', { promiseId: 'p1' })).n).toBe(1);
    expect(await drain()).toBe(1);
    const [d] = await deliveriesOf(w.workspaceId);
    expect(d!.status).toBe('delivered');
    expect(r.received).toHaveLength(1);
    const got = r.received[0]!;
    expect(got.verified).toBe(true);
    expect(got.id).toBe(d!.id);
    expect(got.json).toEqual({
      type: 'reminder.overdue',
      timestamp: d!.createdAt.toISOString(),
      data: { n: seq, promiseId: 'p1' },
    });
    expect(got.headers['content-type']).toBe('application/json');
    // Nothing is due again, however much later.
    expect(await drain(at(3 * 86_400_000))).toBe(0);
    expect(r.received).toHaveLength(1);
    const log = await attemptsOf(w.workspaceId, d!.id);
    expect(log.map((a) => [a.attempt, a.outcome, a.httpStatus])).toEqual([[1, 'success', 200]]);
  });

  it('a 500 is retried after the backoff with the same webhook-id, then succeeds', async () => {
    const w = await workspace();
    const r = await receiver({ status: (_req, n) => (n === 0 ? 500 : 204) });
    r.secret = (await subscribe(w, r.url)).secret;
    await fire(w.workspaceId);
    const first = await runDeliveriesOnce(db.ctx, { now: db.clock.now, random: () => 0 });
    expect(first).toMatchObject({ claimed: 1, retried: 1 });
    const [d] = await deliveriesOf(w.workspaceId);
    expect(d!.status).toBe('pending');
    expect(d!.lastError).toMatch(/HTTP 500/);
    const wait = d!.nextAttemptAt.getTime() - db.clock.now.getTime();
    expect(wait).toBeGreaterThanOrEqual(30_000);
    expect(wait).toBeLessThan(40_000);
    // Not before the backoff has passed.
    expect(await drain(at(10_000))).toBe(0);
    expect(await drain(at(45_000))).toBe(1);
    const [after] = await deliveriesOf(w.workspaceId);
    expect(after!.status).toBe('delivered');
    expect(r.received.map((x) => x.id)).toEqual([d!.id, d!.id]);
    expect(r.received.every((x) => x.verified)).toBe(true);
    expect(r.unique.size).toBe(1);
    const log = await attemptsOf(w.workspaceId, d!.id);
    expect(log.map((a) => [a.attempt, a.outcome, a.httpStatus])).toEqual([
      [1, 'retry', 500],
      [2, 'success', 204],
    ]);
  });

  it('a tampered signature is rejected by the receiver’s verifier; the 401 drops the delivery', async () => {
    const w = await workspace();
    const r = await receiver();
    const sub = await subscribe(w, r.url);
    r.secret = sub.secret;
    await fire(w.workspaceId);
    await drain();
    const good = r.received[0]!;
    const headers = {
      'webhook-id': good.id!,
      'webhook-timestamp': good.timestamp!,
      'webhook-signature': good.signature!,
    };
    const wh = new Webhook(sub.secret);
    (wh as unknown as { verifyTimestamp: (h: string) => Date }).verifyTimestamp = (h) =>
      new Date(Number(h) * 1000);
    expect(() => wh.verify(good.body, headers)).not.toThrow();
    expect(() => wh.verify(good.body.replace('"n":', '"m":'), headers)).toThrow();
    expect(() => wh.verify(good.body, { ...headers, 'webhook-id': `${good.id}x` })).toThrow();

    // A receiver holding another secret answers 401: not retryable.
    const other = await receiver({ secret: (await subscribe(w, 'http://127.0.0.1:1/unused')).secret });
    const w2 = await workspace();
    const sub2 = await subscribe(w2, other.url);
    expect(sub2.secret).not.toBe(other.secret);
    await fire(w2.workspaceId);
    await drain();
    expect(other.received[0]!.verified).toBe(false);
    const [d] = await deliveriesOf(w2.workspaceId);
    expect(d!.status).toBe('dropped');
    expect(d!.lastError).toMatch(/HTTP 401/);
  });

  it('a URL resolving to a private address is refused without the workspace allowance, and nothing is sent', async () => {
    const w = await workspace(false);
    const r = await receiver();
    const port = new URL(r.url).port;
    await subscribe(w, `http://localhost:${port}/hooks`);
    await subscribe(w, `http://[::ffff:127.0.0.1]:${port}/hooks`);
    await fire(w.workspaceId);
    expect(await drain()).toBe(2);
    const rows = await deliveriesOf(w.workspaceId);
    expect(rows.map((d) => d.status)).toEqual(['dropped', 'dropped']);
    for (const d of rows) expect(d.lastError).toMatch(/refused: .* resolves to .*(loopback|127\.0\.0\.1)/);
    expect(r.received).toHaveLength(0);
  });

  it('every redirect hop is checked again: a redirect to an unreachable address is refused even when private targets are allowed', async () => {
    const base = await rawServer((_req, res) => res.writeHead(307, { location: 'http://224.0.0.1/x' }).end());
    const res = await safePost(`${base}/start`, '{}', {}, { allowPrivate: true });
    expect(res.verdict).toBe('drop');
    expect(res.error).toMatch(/224\.0\.0\.1/);
    expect(res.hops).toEqual([`${base}/start`, 'http://224.0.0.1/x']);
    // And without the allowance, a redirect to localhost is refused before anything is sent there.
    let reached = 0;
    const target = await rawServer((_req, res2) => {
      reached++;
      res2.writeHead(200).end();
    });
    const hop = await rawServer((_req, res2) =>
      res2.writeHead(302, { location: target.replace('127.0.0.1', 'localhost') }).end(),
    );
    const refused = await safePost(hop, '{}', {}, { allowPrivate: false });
    expect(refused.verdict).toBe('drop');
    expect(reached).toBe(0);
  });

  it('a redirect loop and too many redirects are dropped with the reason', async () => {
    const loop = await rawServer((req, res) =>
      res.writeHead(302, { location: req.url === '/a' ? '/b' : '/a' }).end(),
    );
    const looped = await safePost(`${loop}/a`, '{}', {}, { allowPrivate: true });
    expect(looped).toMatchObject({ verdict: 'drop', status: 302 });
    expect(looped.error).toMatch(/redirect loop/);
    const chain = await rawServer((req, res) =>
      res.writeHead(308, { location: `/${Number(req.url!.slice(1)) + 1}` }).end(),
    );
    const long = await safePost(`${chain}/1`, '{}', {}, { allowPrivate: true });
    expect(long.verdict).toBe('drop');
    expect(long.error).toMatch(/too many redirects/);
    expect(long.hops).toHaveLength(4);
    // Through the worker: dropped, logged.
    const w = await workspace();
    await subscribe(w, `${loop}/a`);
    await fire(w.workspaceId);
    await drain();
    const [d] = await deliveriesOf(w.workspaceId);
    expect(d!.status).toBe('dropped');
    expect((await attemptsOf(w.workspaceId, d!.id))[0]).toMatchObject({
      outcome: 'dropped',
      httpStatus: 302,
    });
  });

  it('a 10 MB response body is not buffered: at most 64 KB is read', async () => {
    let written = 0;
    const big = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (written < 10 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => {});
      pump();
    });
    const t0 = performance.now();
    const res = await safePost(big, '{}', {}, { allowPrivate: true });
    expect(res.verdict).toBe('success');
    expect(res.body.length).toBeLessThanOrEqual(64 * 1024);
    expect(performance.now() - t0).toBeLessThan(5_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(written).toBeLessThan(10 * 1024 * 1024);
  });

  it('a receiver that hangs times out and is retried, while the rest of the batch is delivered', async () => {
    const w = await workspace();
    const hang = await rawServer(() => {
      // never answers
    });
    const ok = await receiver();
    await subscribe(w, `${hang}/slow`);
    const good = await subscribe(w, ok.url);
    ok.secret = good.secret;
    await fire(w.workspaceId);
    await fire(w.workspaceId);
    const t0 = performance.now();
    const s = await runDeliveriesOnce(db.ctx, { now: db.clock.now, transports: { httpTimeoutMs: 300 } });
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(s).toMatchObject({ claimed: 4, delivered: 2, retried: 2 });
    const slow = (await deliveriesOf(w.workspaceId)).filter((d) => d.status === 'pending');
    expect(slow).toHaveLength(2);
    for (const d of slow) expect(d.lastError).toMatch(/timed out/);
    expect(ok.unique.size).toBe(2);
  });

  it('a worker that dies after claiming leaves the lease to expire; the row is re-sent with the same webhook-id', async () => {
    const w = await workspace();
    const r = await receiver();
    r.secret = (await subscribe(w, r.url)).secret;
    await fire(w.workspaceId);
    // Claim as a worker that then crashes: the lease is set, nothing recorded.
    const { claimDue } = await import('../src/delivery/outbox.js');
    const claimed = await db.database.db.transaction((tx) => claimDue(tx, db.clock.now, 10, 60_000));
    expect(claimed.filter((d) => d.workspaceId === w.workspaceId)).toHaveLength(1);
    await drain(at(30_000));
    expect(r.received).toHaveLength(0);
    await drain(at(61_000));
    const [d] = await deliveriesOf(w.workspaceId);
    expect(d).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(r.received.map((x) => x.id)).toEqual([d!.id]);
  });

  it('enqueueing the same key again writes nothing; subscriptions filter by event type', async () => {
    const w = await workspace();
    const all = await receiver();
    const some = await receiver();
    await subscribe(w, all.url);
    await subscribe(w, some.url, ['reminder.due']);
    const key = `promise:${crypto.randomUUID()}:due:1`;
    const enq = () =>
      db.database.db.transaction((tx) =>
        enqueueWebhookEvent(tx, {
          workspaceId: w.workspaceId,
          key,
          reminderId: null,
          eventType: 'reminder.overdue',
          data: {},
        }),
      );
    expect(await enq()).toBe(1);
    expect(await enq()).toBe(0);
    const rows = await deliveriesOf(w.workspaceId);
    expect(rows).toHaveLength(1);
  });

  it('a batch claims no more rows than it sends at once, so none waits for a slot while its lease runs down', async () => {
    await drain();
    const w = await workspace();
    const r = await receiver();
    r.secret = (await subscribe(w, r.url)).secret;
    for (let i = 0; i < 5; i++) await fire(w.workspaceId);
    const s = await runDeliveriesOnce(db.ctx, { now: db.clock.now, batchSize: 200, concurrency: 2 });
    expect(s).toMatchObject({ claimed: 2, delivered: 2 });
    expect(await drain()).toBe(3);
    expect(r.unique.size).toBe(5);
  });

  it('a success from a lease that ran out is logged, but the row is settled by its newer claim: delivered once', async () => {
    await drain();
    const w = await workspace();
    await subscribe(w, 'http://127.0.0.1:1/never-sent');
    await fire(w.workspaceId);
    const mine = <T extends { workspaceId: string }>(rows: T[]) =>
      rows.filter((d) => d.workspaceId === w.workspaceId);
    const [first] = mine(await db.database.db.transaction((tx) => claimDue(tx, db.clock.now, 10, 60_000)));
    const [second] = mine(await db.database.db.transaction((tx) => claimDue(tx, at(61_000), 10, 60_000)));
    expect([first!.attempts, second!.attempts]).toEqual([1, 2]);
    const success = (d: typeof first, ms: number) => ({
      delivery: d!,
      outcome: 'success' as const,
      startedAt: at(ms),
      finishedAt: at(ms + 100),
      httpStatus: 200,
      error: null,
      nextAttemptAt: null,
    });
    // The first worker's late success: logged, the row still the second claim's.
    await db.database.db.transaction((tx) => recordAttempts(tx, [success(first, 70_000)]));
    let [d] = await deliveriesOf(w.workspaceId);
    expect(d).toMatchObject({ status: 'pending', attempts: 2 });
    await db.database.db.transaction((tx) => recordAttempts(tx, [success(second, 71_000)]));
    [d] = await deliveriesOf(w.workspaceId);
    expect(d).toMatchObject({ status: 'delivered', attempts: 2, deliveredAt: at(71_100) });
    const log = await attemptsOf(w.workspaceId, d!.id);
    expect(log.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'success'],
      [2, 'success'],
    ]);
  });

  it('a receiver answering status 999 or a body with NUL bytes does not sink the batch: the rest settle', async () => {
    await drain();
    const w = await workspace();
    const weird = await tcpServer('HTTP/1.1 999 Weird\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    const body = Buffer.from('bad\u0000body\u0007 here', 'utf8');
    const nul = await tcpServer(
      Buffer.concat([
        Buffer.from(`HTTP/1.1 500 Oops\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`),
        body,
      ]),
    );
    const ok = await receiver();
    const weirdSub = await subscribe(w, `${weird}/hook`);
    const nulSub = await subscribe(w, `${nul}/hook`);
    ok.secret = (await subscribe(w, ok.url)).secret;
    await fire(w.workspaceId);
    const s = await runDeliveriesOnce(db.ctx, { now: db.clock.now, random: () => 0 });
    expect(s).toMatchObject({ claimed: 3, delivered: 1, dropped: 1, retried: 1 });
    expect(ok.unique.size).toBe(1);
    const rows = await deliveriesOf(w.workspaceId);
    const of = (id: string) => rows.find((d) => d.targetId === id)!;
    expect(of(weirdSub.id)).toMatchObject({ status: 'dropped', lastError: 'invalid HTTP status 999' });
    expect((await attemptsOf(w.workspaceId, of(weirdSub.id).id))[0]).toMatchObject({
      outcome: 'dropped',
      httpStatus: null,
    });
    expect(of(nulSub.id)).toMatchObject({ status: 'pending', lastError: 'HTTP 500: badbody here' });
    expect((await attemptsOf(w.workspaceId, of(nulSub.id).id))[0]).toMatchObject({
      outcome: 'retry',
      httpStatus: 500,
      error: 'HTTP 500: badbody here',
    });
  });

  it('an out-of-range status or a control character reaching the log is cleaned, not a failed transaction', async () => {
    const w = await workspace();
    await subscribe(w, 'http://127.0.0.1:1/never-sent');
    await fire(w.workspaceId);
    const [d] = (await db.database.db.transaction((tx) => claimDue(tx, db.clock.now, 100, 60_000))).filter(
      (x) => x.workspaceId === w.workspaceId,
    );
    await db.database.db.transaction((tx) =>
      recordAttempts(tx, [
        {
          delivery: d!,
          outcome: 'dropped',
          startedAt: db.clock.now,
          finishedAt: at(5),
          httpStatus: 999,
          error: 'tab\tnew\nline\u0000nul\u001besc\u007fdel',
          nextAttemptAt: null,
        },
      ]),
    );
    const [a] = await attemptsOf(w.workspaceId, d!.id);
    expect(a).toMatchObject({ httpStatus: null, error: 'tab\tnew\nlinenulescdel' });
  });

  it('a send abandoned at its deadline is aborted: the connection to the receiver is closed at once', async () => {
    await drain();
    const w = await workspace();
    let open = 0;
    const server = http.createServer(() => {
      // never answers
    });
    server.on('connection', (socket) => {
      open++;
      socket.once('close', () => open--);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    });
    await subscribe(w, `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`);
    await fire(w.workspaceId);
    const t0 = performance.now();
    const s = await runDeliveriesOnce(db.ctx, {
      now: db.clock.now,
      sendDeadlineMs: 300,
      transports: { httpTimeoutMs: 10_000 },
    });
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(s).toMatchObject({ claimed: 1, retried: 1 });
    const [d] = await deliveriesOf(w.workspaceId);
    expect(d!.lastError).toBe('no answer within 300 ms');
    // The worker moved on, and so did the connection (not left until the 10 s HTTP timeout).
    for (let i = 0; i < 50 && open > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(open).toBe(0);
  });

  it('a DNS lookup that never answers is bounded and retried; an abort ends the wait too', async () => {
    const never = () => new Promise<never>(() => {});
    const t0 = performance.now();
    const res = await safePost(
      'http://hooks.example.test/x',
      '{}',
      {},
      {
        allowPrivate: false,
        resolve: never,
        dnsTimeoutMs: 100,
      },
    );
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(res).toMatchObject({ verdict: 'retry', status: null });
    expect(res.error).toBe('cannot resolve hooks.example.test: no answer within 100 ms');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const aborted = await safePost(
      'http://hooks.example.test/x',
      '{}',
      {},
      {
        allowPrivate: false,
        resolve: never,
        dnsTimeoutMs: 10_000,
        signal: abort.signal,
      },
    );
    expect(aborted).toMatchObject({ verdict: 'retry', error: 'aborted while resolving hooks.example.test' });
  });

  it('the allowance does not open link-local (cloud metadata) or IPv4-compatible IPv6 addresses', async () => {
    const w = await workspace(true);
    const r = await receiver();
    const port = new URL(r.url).port;
    await subscribe(w, 'http://169.254.169.254/latest/meta-data/');
    await subscribe(w, `http://[::7f00:1]:${port}/hooks`);
    await subscribe(w, `http://[fe80::1]:${port}/hooks`);
    await fire(w.workspaceId);
    await drain();
    const rows = await deliveriesOf(w.workspaceId);
    expect(rows.map((d) => d.status)).toEqual(['dropped', 'dropped', 'dropped']);
    for (const d of rows) expect(d.lastError).toMatch(/^refused: .*, which is never delivered to$/);
    expect(r.received).toHaveLength(0);
  });
});
