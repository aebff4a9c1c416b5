// Crash test: a child process runs the scheduler and the delivery worker over 2,000 due reminders
// and is killed with SIGKILL while the scheduler is firing; a restart is killed while deliveries are
// in flight; a last restart (later: after the dead one's delivery leases ran out) finishes. Every
// reminder reaches the in-test receiver at least once, never under two webhook-ids (0 duplicates
// after the receiver dedupes by webhook-id), and our delivery log shows exactly one successful
// delivery per key. PGlite (a data folder on disk, opened by one process at a time) or Postgres
// (the per-file test database).
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, type Database } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import {
  deliveredOncePerKey,
  seedDueReminders,
  spawnChild,
  startReceiver,
  waitFor,
} from './support/reminder-load.js';

const N = 2000;

let children: ChildProcess[] = [];
let cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const f of cleanup.reverse()) await f();
  children = [];
  cleanup = [];
});

describe(`reminders survive a crash (${ENGINE})`, () => {
  it('SIGKILL mid-run, restart: every reminder delivered, no duplicate after dedupe, one success per key', async () => {
    let secret = '';
    const receiver = await startReceiver(() => secret);
    cleanup.push(receiver.close);

    // The database both processes open, one after the other.
    let env: Record<string, string>;
    let open: () => Promise<Database>;
    let seeded: { workspaceId: string; secret: string };
    if (ENGINE === 'postgres') {
      const db: TestDb = await openTestDb();
      cleanup.push(() => db.close());
      seeded = await seedDueReminders({ database: db.database, now: () => new Date() }, N, receiver.url);
      env = { DATABASE_URL: db.url! };
      open = async () => db.database;
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-crash-'));
      cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      const database = await connect({ dataDir: dir });
      await migrate(database);
      seeded = await seedDueReminders({ database, now: () => new Date() }, N, receiver.url);
      await database.close();
      env = { PL_DATA_DIR: dir };
      open = async () => {
        const d = await connect({ dataDir: dir });
        cleanup.push(() => d.close());
        return d;
      };
    }
    secret = seeded.secret;

    // 1. Killed while the scheduler is firing (some batches committed, one in flight).
    const first = spawnChild(env);
    children.push(first.child);
    await waitFor(() => first.fired() >= 300 || first.child.exitCode !== null, 120_000, 'first batches');
    first.child.kill('SIGKILL');
    await first.exited;
    expect(first.fired(), first.output()).toBeLessThan(N);

    // 2. Restarted, and killed while deliveries are in flight (sent, not all recorded).
    const second = spawnChild(env);
    children.push(second.child);
    const before = receiver.got.requests;
    await waitFor(
      () => receiver.got.requests >= before + 300 || second.child.exitCode !== null,
      120_000,
      'deliveries',
    );
    second.child.kill('SIGKILL');
    await second.exited;
    expect(receiver.got.byWebhookId.size, second.output()).toBeLessThan(N);

    // 3. Restarted two minutes "later" (the dead process's delivery leases have run out): it
    // finishes everything and exits.
    const third = spawnChild({ ...env, CHILD_CLOCK_OFFSET_MS: String(120_000) });
    children.push(third.child);
    expect(await third.exited, third.output()).toBe(0);

    const database = await open();
    const { reminders, log } = await deliveredOncePerKey(database, seeded.workspaceId);
    const keys = new Set(reminders.map((r) => r.key));
    expect(reminders).toHaveLength(N);
    expect(keys.size).toBe(N);

    // At least once: every reminder's key reached the receiver.
    const receivedKeys = new Map<string, Set<string>>();
    for (const [webhookId, key] of receiver.got.byWebhookId) {
      receivedKeys.set(key, (receivedKeys.get(key) ?? new Set()).add(webhookId));
    }
    expect(receiver.got.rejected).toBe(0);
    expect([...keys].filter((k) => !receivedKeys.has(k))).toEqual([]);
    // After deduping by webhook-id, no reminder arrived twice.
    expect([...receivedKeys.values()].filter((ids) => ids.size > 1)).toEqual([]);
    expect(receivedKeys.size).toBe(N);
    // Our log: one webhook delivery per reminder, each with exactly one successful attempt.
    expect(log).toHaveLength(N);
    expect(log.filter((d) => d.status !== 'delivered' || d.successes !== 1)).toEqual([]);
  }, 300_000);
});
