// Two scheduler processes (each with its delivery worker) over the same 5,000 due reminders on one
// Postgres database: each reminder is fired exactly once (5,000 rows in `reminders`, one key each),
// has exactly one webhook delivery with one successful attempt, and reaches the receiver under one
// webhook-id, once. Postgres only: PGlite is one process's database.
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestDb, POSTGRES_URL, SKIP_POSTGRES_REASON, type TestDb } from './support/db.js';
import { deliveredOncePerKey, seedDueReminders, spawnChild, startReceiver } from './support/reminder-load.js';

const N = 5000;

if (!POSTGRES_URL) console.log(`test/reminders-two-instances.test.ts: ${SKIP_POSTGRES_REASON}`);

let db: TestDb | undefined;
const children: ChildProcess[] = [];
let closeReceiver: (() => Promise<void>) | undefined;
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await closeReceiver?.();
  await db?.close();
});

describe.skipIf(!POSTGRES_URL)('two scheduler instances on one Postgres database', () => {
  it('fire and deliver each of 5,000 reminders exactly once', async () => {
    let secret = '';
    const receiver = await startReceiver(() => secret);
    closeReceiver = receiver.close;
    db = await openTestDb();
    const seeded = await seedDueReminders({ database: db.database, now: () => new Date() }, N, receiver.url);
    secret = seeded.secret;

    // Small batches, so the two claim side by side many times.
    const a = spawnChild({ DATABASE_URL: db.url!, CHILD_BATCH: '50' });
    const b = spawnChild({ DATABASE_URL: db.url!, CHILD_BATCH: '50' });
    children.push(a.child, b.child);
    const [codeA, codeB] = await Promise.all([a.exited, b.exited]);
    expect(codeA, a.output()).toBe(0);
    expect(codeB, b.output()).toBe(0);
    // Both did part of the work.
    expect(a.fired(), a.output()).toBeGreaterThan(0);
    expect(b.fired(), b.output()).toBeGreaterThan(0);
    expect(a.fired() + b.fired()).toBe(N);

    const { reminders, log } = await deliveredOncePerKey(db.database, seeded.workspaceId);
    expect(reminders).toHaveLength(N);
    expect(new Set(reminders.map((r) => r.key)).size).toBe(N);
    expect(log).toHaveLength(N);
    expect(new Set(log.map((d) => d.key)).size).toBe(N);
    expect(log.filter((d) => d.status !== 'delivered' || d.successes !== 1)).toEqual([]);
    // The receiver: every request verified, each webhook-id once, each reminder once.
    expect(receiver.got.rejected).toBe(0);
    expect(receiver.got.requests).toBe(N);
    expect(new Set(receiver.got.byWebhookId.values()).size).toBe(N);
  }, 300_000);
});
