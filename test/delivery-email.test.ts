// Email and Slack-compatible deliveries against real receivers started in-process: an SMTP server
// (smtp-server, messages parsed with mailparser) and an HTTP receiver. Both engines.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, deliveryAttempts, users, workspaces } from '../src/db/schema.js';
import { createSubscription } from '../src/delivery/manage-webhooks.js';
import { enqueueDeliveries, enqueueWebhookEvent } from '../src/delivery/outbox.js';
import { runDeliveriesOnce } from '../src/delivery/worker.js';
import type { DeliveryRequest } from '../src/notifications/contract.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildUser, buildWorkspace, principalFor } from './support/factories.js';
import { startSmtpServer, startWebhookReceiver } from './support/receivers.js';

let db: TestDb;
const closers: { close(): Promise<void> }[] = [];
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  for (const c of closers) await c.close();
  await db.close();
});

const FROM = 'Promise Ledger <reminders@ledger.test>';
const content = {
  title: 'Overdue: send the SSO guide to Acme',
  text: 'You promised Maya Chen (Acme) the SSO guide by 2 Nov. Their IT review is on Monday.',
  html: '<p>You promised <b>Maya Chen</b> (Acme) the SSO guide by 2 Nov. Their IT review is on Monday.</p>',
};

async function person(email?: string) {
  const w = await buildWorkspace(db.ctx);
  await db.database.db
    .update(workspaces)
    .set({ allowPrivateWebhookTargets: true })
    .where(eq(workspaces.id, w.workspaceId));
  const { userId } = await buildUser(db.ctx, { workspaceId: w.workspaceId });
  if (email !== undefined) {
    await db.database.db
      .update(users)
      .set({ email })
      .where(and(eq(users.workspaceId, w.workspaceId), eq(users.id, userId)));
  }
  const [u] = await db.database.db
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, w.workspaceId), eq(users.id, userId)));
  return { ...w, userId, email: u!.email, name: u!.name };
}

function request(p: { workspaceId: string; userId: string }, channel: 'email' | 'slack'): DeliveryRequest {
  return {
    workspaceId: p.workspaceId,
    key: `promise:${crypto.randomUUID()}:overdue:1:${channel}:${p.userId}`,
    channel,
    targetId: p.userId,
    reminderId: null,
    eventType: 'reminder.overdue',
    content,
    data: {},
    notBefore: db.clock.now,
  };
}

async function enqueue(...reqs: DeliveryRequest[]) {
  return db.database.db.transaction((tx) => enqueueDeliveries(tx, reqs));
}
async function rowsOf(workspaceId: string) {
  return db.database.db.select().from(deliveries).where(eq(deliveries.workspaceId, workspaceId));
}

describe(`email and Slack deliveries (${ENGINE})`, () => {
  it('sends the message over SMTP: subject, plain text, HTML, From, To and our headers', async () => {
    const smtp = await startSmtpServer();
    closers.push(smtp);
    const p = await person();
    expect(await enqueue(request(p, 'email'))).toBe(1);
    const s = await runDeliveriesOnce(db.ctx, { transports: { smtpUrl: smtp.url, mailFrom: FROM } });
    expect(s).toMatchObject({ claimed: 1, delivered: 1 });
    expect(smtp.messages).toHaveLength(1);
    const m = smtp.messages[0]!;
    const [d] = await rowsOf(p.workspaceId);
    expect(m.subject).toBe(content.title);
    expect(m.text?.trim()).toBe(content.text);
    expect(m.html).toContain('<b>Maya Chen</b>');
    expect(m.from?.value[0]).toMatchObject({ address: 'reminders@ledger.test', name: 'Promise Ledger' });
    expect((m.to as { value: { address: string }[] }).value[0]!.address).toBe(p.email);
    expect(m.messageId).toBe(`<${d!.id}@promise-ledger>`);
    expect(m.headers.get('x-promise-ledger-delivery')).toBe(d!.id);
    expect(d!.status).toBe('delivered');
  });

  it('a server that refuses (5xx) schedules a retry with backoff, logged with the reason', async () => {
    const smtp = await startSmtpServer({ mode: 'refuse' });
    closers.push(smtp);
    const p = await person();
    await enqueue(request(p, 'email'));
    const s = await runDeliveriesOnce(db.ctx, { transports: { smtpUrl: smtp.url }, random: () => 0.5 });
    expect(s).toMatchObject({ claimed: 1, retried: 1 });
    const [d] = await rowsOf(p.workspaceId);
    expect(d!.status).toBe('pending');
    expect(d!.lastError).toMatch(/554/);
    const wait = d!.nextAttemptAt.getTime() - db.clock.now.getTime();
    expect(wait).toBeGreaterThanOrEqual(33_000);
    expect(wait).toBeLessThan(34_000 + 5_000);
    const [a] = await db.database.db
      .select()
      .from(deliveryAttempts)
      .where(eq(deliveryAttempts.deliveryId, d!.id));
    expect(a).toMatchObject({ attempt: 1, outcome: 'retry' });
    expect(smtp.messages).toHaveLength(0);
  });

  it('a server that hangs times out and is retried; other deliveries in the batch still go out', async () => {
    const hang = await startSmtpServer({ mode: 'hang' });
    closers.push(hang);
    const hook = await startWebhookReceiver({ now: () => db.clock.now });
    closers.push(hook);
    const p = await person();
    const sub = await createSubscription(db.ctx, {
      principal: await principalFor(db.ctx, p.workspaceId, p.adminId),
      input: { url: hook.url, eventTypes: [] },
    });
    hook.secret = sub.secret;
    await enqueue(request(p, 'email'));
    await db.database.db.transaction((tx) =>
      enqueueWebhookEvent(tx, {
        workspaceId: p.workspaceId,
        key: `k:${crypto.randomUUID()}`,
        reminderId: null,
        eventType: 'reminder.overdue',
        data: {},
      }),
    );
    const t0 = performance.now();
    const s = await runDeliveriesOnce(db.ctx, { transports: { smtpUrl: hang.url, smtpTimeoutMs: 300 } });
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(s).toMatchObject({ claimed: 2, delivered: 1, retried: 1 });
    const rows = await rowsOf(p.workspaceId);
    expect(rows.find((d) => d.channel === 'email')!.lastError).toMatch(/timeout|ETIMEDOUT/i);
    expect(rows.find((d) => d.channel === 'webhook')!.status).toBe('delivered');
    expect(hook.unique.size).toBe(1);
  });

  it('an invalid email address is dropped with a clear reason and never sent; so is a refused recipient', async () => {
    const smtp = await startSmtpServer();
    closers.push(smtp);
    const bad = await person('maya chen@acme.test');
    await enqueue(request(bad, 'email'));
    const s = await runDeliveriesOnce(db.ctx, { transports: { smtpUrl: smtp.url } });
    expect(s).toMatchObject({ claimed: 1, dropped: 1 });
    const [d] = await rowsOf(bad.workspaceId);
    expect(d!.status).toBe('dropped');
    expect(d!.lastError).toMatch(/invalid email address/);
    expect(smtp.messages).toHaveLength(0);

    const rejecting = await startSmtpServer({ mode: 'reject-recipient' });
    closers.push(rejecting);
    const gone = await person();
    await enqueue(request(gone, 'email'));
    await runDeliveriesOnce(db.ctx, { transports: { smtpUrl: rejecting.url } });
    const [g] = await rowsOf(gone.workspaceId);
    expect(g!.status).toBe('dropped');
    expect(g!.lastError).toMatch(/recipient refused.*550/);
  });

  it('a Slack-compatible webhook gets {text, blocks}; without a Slack URL the delivery is dropped', async () => {
    const slack = await startWebhookReceiver();
    closers.push(slack);
    const p = await person();
    await db.database.raw(
      'insert into notification_preferences (workspace_id, user_id, slack_webhook_url) values ($1, $2, $3)',
      [p.workspaceId, p.userId, slack.url],
    );
    const none = await person();
    await enqueue(request(p, 'slack'), request(none, 'slack'));
    await runDeliveriesOnce(db.ctx, {});
    expect(slack.received).toHaveLength(1);
    const body = slack.received[0]!.json as { text: string; blocks: unknown[] };
    expect(body.text).toContain(content.title);
    expect(body.text).toContain('Their IT review is on Monday');
    expect(body.blocks).toHaveLength(1);
    expect((await rowsOf(p.workspaceId))[0]!.status).toBe('delivered');
    const [n] = await rowsOf(none.workspaceId);
    expect(n!.status).toBe('dropped');
    expect(n!.lastError).toMatch(/no Slack webhook URL/);
  });

  it('an email abandoned at the send deadline is aborted: its SMTP connection is closed at once', async () => {
    const hang = await startSmtpServer({ mode: 'hang' });
    closers.push(hang);
    const p = await person();
    await enqueue(request(p, 'email'));
    const t0 = performance.now();
    const s = await runDeliveriesOnce(db.ctx, {
      sendDeadlineMs: 300,
      transports: { smtpUrl: hang.url, smtpTimeoutMs: 10_000 },
    });
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(s).toMatchObject({ claimed: 1, retried: 1 });
    const [d] = await rowsOf(p.workspaceId);
    expect(d!.lastError).toBe('no answer within 300 ms');
    // Not left open until the 10 s greeting timeout.
    for (let i = 0; i < 50 && hang.openConnections() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(hang.openConnections()).toBe(0);
  });
});
