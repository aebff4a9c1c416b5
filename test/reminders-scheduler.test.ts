// The reminder scheduler against a real database (PGlite in memory, or Postgres when
// TEST_DATABASE_URL is set): people act through the HTTP API, the test moves the clock and runs
// the scheduler's pass, and checks the `reminders` table (one row per fired effect) and the
// promise's and account's next reminder instant.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { runSchedulerOnce } from '../src/reminders/scheduler.js';
import { openTestDb, type TestDb } from './support/db.js';
import { buildTeamWithManager, promiseBody, tokenHeaders } from './support/factories.js';
import { type Json, send } from './support/http.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = new Date('2026-11-02T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

let db: TestDb;
let app: FastifyInstance;
let team: Awaited<ReturnType<typeof buildTeamWithManager>>;
let managerId: string;
let owner: { authorization: string };
/** Accounts are created by a manager (members may not), owned by `team.ownerId`. */
let manager: { authorization: string };

beforeAll(async () => {
  db = await openTestDb(undefined, T0);
  app = await buildServer(db.ctx);
  team = await buildTeamWithManager(db.ctx);
  managerId = team.managerId;
  owner = await tokenHeaders(db.ctx, team.workspaceId, team.ownerId);
  manager = await tokenHeaders(db.ctx, team.workspaceId, managerId);
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

beforeEach(() => {
  db.clock.now = T0;
});

async function post(url: string, payload: Record<string, unknown>, headers = owner): Promise<Json> {
  const res = await send(app, { method: 'POST', url, headers, payload });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json_;
}

const createPromise = async (days = 10) =>
  (await post('/api/v1/promises', promiseBody(db.ctx, team, { days }))).id as string;

interface ReminderRow {
  key: string;
  kind: string;
  due_at: Date;
  fired_at: Date;
  lateness_ms: number;
  recipient_ids: string[];
}
const reminders = (subjectId: string) =>
  db.database.raw<ReminderRow>(
    `select key, kind, due_at, fired_at, lateness_ms, recipient_ids from reminders
      where workspace_id = $1 and subject_id = $2 order by due_at`,
    [team.workspaceId, subjectId],
  );
async function nextAt(table: 'promises' | 'accounts', id: string): Promise<number | null> {
  const [row] = await db.database.raw<{ next_reminder_at: Date | null }>(
    `select next_reminder_at from ${table} where workspace_id = $1 and id = $2`,
    [team.workspaceId, id],
  );
  return row?.next_reminder_at ? row.next_reminder_at.getTime() - T0.getTime() : null;
}
/** Runs the scheduler at T0 + ms; returns the reminders fired for `subjectId` by that pass. */
async function runAt(ms: number, subjectId: string) {
  db.clock.now = at(ms);
  const before = (await reminders(subjectId)).length;
  await runSchedulerOnce(db.ctx);
  return (await reminders(subjectId)).slice(before);
}

describe('promise reminders', () => {
  it('fire at 50%, 80%, due, overdue (owner + manager), then daily; each exactly once', async () => {
    const id = await createPromise(10);
    expect(await nextAt('promises', id)).toBe(5 * DAY);

    expect(await runAt(5 * DAY - 1, id)).toEqual([]);
    const half = await runAt(5 * DAY, id);
    expect(half.map((r) => [r.kind, r.recipient_ids, r.lateness_ms])).toEqual([
      ['checkpoint_internal_check_in', [team.ownerId], 0],
    ]);
    expect(half[0]!.key).toBe(`promise:${id}:checkpoint_internal_check_in:${at(5 * DAY).getTime()}`);
    // Running again fires nothing twice.
    expect(await runAt(5 * DAY, id)).toEqual([]);
    expect(await nextAt('promises', id)).toBe(8 * DAY);

    expect((await runAt(8 * DAY, id)).map((r) => r.kind)).toEqual(['checkpoint_customer_update_required']);
    expect((await runAt(10 * DAY, id)).map((r) => r.kind)).toEqual(['due']);
    const overdue = await runAt(10 * DAY + HOUR, id);
    expect(overdue.map((r) => r.kind)).toEqual(['overdue']);
    expect(new Set(overdue[0]!.recipient_ids)).toEqual(new Set([team.ownerId, managerId]));
    expect(await runAt(10 * DAY + 2 * HOUR, id)).toEqual([]);
    expect((await runAt(11 * DAY + HOUR, id)).map((r) => r.kind)).toEqual(['overdue']);
    expect(await nextAt('promises', id)).toBe(12 * DAY + HOUR);

    const all = await reminders(id);
    expect(all).toHaveLength(5);
    expect(new Set(all.map((r) => r.key)).size).toBe(5);
    // notify told the manager in their inbox (the escalations).
    const [inbox] = await db.database.raw<{ n: number }>(
      `select count(*)::int as n from inbox_items where workspace_id = $1 and user_id = $2 and subject_id = $3`,
      [team.workspaceId, managerId, id],
    );
    expect(inbox!.n).toBe(2);
  });

  it('pause cancels pending reminders, resume reschedules them (moved by the pause)', async () => {
    const id = await createPromise(10);
    db.clock.now = at(DAY);
    await post(`/api/v1/promises/${id}/pause`, {
      cause: 'customer',
      note: 'Waiting for their export sample',
    });
    expect(await nextAt('promises', id)).toBeNull();
    expect(await runAt(6 * DAY, id)).toEqual([]);
    db.clock.now = at(3 * DAY);
    await post(`/api/v1/promises/${id}/resume`, {});
    // 50% was at day 5; the two paused days move it to day 7.
    expect(await nextAt('promises', id)).toBe(7 * DAY);
    expect((await runAt(7 * DAY, id)).map((r) => r.kind)).toEqual(['checkpoint_internal_check_in']);
  });

  it('keeping the promise cancels what was pending', async () => {
    const id = await createPromise(10);
    db.clock.now = at(2 * DAY);
    await post(`/api/v1/promises/${id}/keep`, {
      proof: { kind: 'email_sent', note: 'Sent the video' },
      recoveryStrength: 'task_closed',
    });
    expect(await nextAt('promises', id)).toBeNull();
    expect(await runAt(20 * DAY, id)).toEqual([]);
  });

  it('renegotiating reschedules to the new timeline', async () => {
    const id = await createPromise(10);
    expect((await runAt(5 * DAY, id)).map((r) => r.kind)).toEqual(['checkpoint_internal_check_in']);
    db.clock.now = at(6 * DAY);
    await post(`/api/v1/promises/${id}/renegotiate`, {
      dueAt: at(20 * DAY).toISOString(),
      agreedBy: 'Maya Chen',
    });
    // The new timeline: 50% of creation → day 20 is day 10, 80% day 16, due day 20.
    expect(await nextAt('promises', id)).toBe(10 * DAY);
    expect(await runAt(8 * DAY, id)).toEqual([]);
    expect((await runAt(16 * DAY, id)).map((r) => [r.kind, r.due_at.getTime() - T0.getTime()])).toEqual([
      ['checkpoint_customer_update_required', 16 * DAY],
    ]);
    expect((await runAt(20 * DAY, id)).map((r) => r.kind)).toEqual(['due']);
  });

  it('a process down over several reminders fires only the latest, once, with its lateness', async () => {
    const id = await createPromise(10);
    const fired = await runAt(12 * DAY + 3 * HOUR, id);
    expect(fired.map((r) => [r.kind, r.due_at.getTime() - T0.getTime(), r.lateness_ms])).toEqual([
      ['overdue', 12 * DAY + HOUR, 2 * HOUR],
    ]);
    expect(await runAt(12 * DAY + 3 * HOUR, id)).toEqual([]);
    expect(await nextAt('promises', id)).toBe(13 * DAY + HOUR);
  });

  it('a row that cannot be planned is logged and pushed back an hour; the rest of its batch fires', async () => {
    const good = [await createPromise(10), await createPromise(10)];
    const bad = await createPromise(10);
    // A stored checkpoint that is not an object (the column's check only asks for an array): the
    // plan throws on it. The bad row is the oldest due, so it heads every claim.
    await db.database.raw(
      `update promises set checkpoints = '[null]'::jsonb, next_reminder_at = $3
        where workspace_id = $1 and id = $2`,
      [team.workspaceId, bad, at(5 * DAY - 60_000)],
    );
    const logged: { message: string; err: unknown }[] = [];
    db.clock.now = at(5 * DAY);
    const pass = await runSchedulerOnce(db.ctx, {
      batchSize: 2,
      log: (message, err) => logged.push({ message, err }),
    });
    expect(pass.promises.failed).toBe(1);
    for (const id of good) {
      expect((await reminders(id)).map((r) => r.kind)).toEqual(['checkpoint_internal_check_in']);
      expect(await nextAt('promises', id)).toBe(8 * DAY);
    }
    expect(await reminders(bad)).toEqual([]);
    expect(await nextAt('promises', bad)).toBe(5 * DAY + HOUR);
    const [row] = await db.database.raw<{ reminders_fired_through: Date | null }>(
      'select reminders_fired_through from promises where workspace_id = $1 and id = $2',
      [team.workspaceId, bad],
    );
    expect(row!.reminders_fired_through).toBeNull();
    expect(logged).toHaveLength(1);
    expect(logged[0]!.message).toContain(bad);
    expect(logged[0]!.message).toContain(team.workspaceId);
    expect(logged[0]!.err).toBeInstanceOf(TypeError);

    // Not claimed again before the hour is up; then tried (and set aside) again.
    expect(
      (await runSchedulerOnce(db.ctx, { log: (message, err) => logged.push({ message, err }) })).promises
        .failed,
    ).toBeUndefined();
    db.clock.now = at(5 * DAY + HOUR);
    await runSchedulerOnce(db.ctx, { log: (message, err) => logged.push({ message, err }) });
    expect(logged).toHaveLength(2);
    expect(await nextAt('promises', bad)).toBe(5 * DAY + 2 * HOUR);
    // Out of the way of the tests that follow.
    await db.database.raw('update promises set next_reminder_at = null where workspace_id = $1 and id = $2', [
      team.workspaceId,
      bad,
    ]);
  });
});

describe('account reminders', () => {
  it('renewal preparation and inactivity, moved by product activity', async () => {
    const acc = await post(
      '/api/v1/accounts',
      {
        name: 'Globex',
        tier: 'enterprise',
        ownerId: team.ownerId,
        renewalDate: '2026-12-31',
      },
      manager,
    );
    // Nothing heard since creation: inactivity after 14 days comes first.
    expect(await nextAt('accounts', acc.id)).toBe(14 * DAY);
    db.clock.now = at(5 * DAY);
    await post('/api/v1/signals', { kind: 'product_activity', accountId: acc.id, activity: 'export_run' });
    expect(await nextAt('accounts', acc.id)).toBe(19 * DAY);
    expect(await runAt(14 * DAY, acc.id)).toEqual([]);
    const inactive = await runAt(19 * DAY, acc.id);
    expect(inactive.map((r) => [r.kind, r.recipient_ids])).toEqual([['inactivity', [team.ownerId]]]);
    // Renewal preparation: 30 days before 2026-12-31, at 09:00 in the workspace's zone (UTC).
    expect((await nextAt('accounts', acc.id))! + T0.getTime()).toBe(Date.parse('2026-12-01T09:00:00Z'));
    const prep = await runAt(Date.parse('2026-12-01T09:00:00Z') - T0.getTime(), acc.id);
    expect(prep.map((r) => r.kind)).toEqual(['renewal_prep']);
    expect((await nextAt('accounts', acc.id))! + T0.getTime()).toBe(Date.parse('2026-12-24T09:00:00Z'));
  });

  it('a moved renewal date moves its preparation', async () => {
    const acc = await post(
      '/api/v1/accounts',
      {
        name: 'Initech',
        tier: 'smb',
        ownerId: team.ownerId,
        renewalDate: '2026-11-20',
      },
      manager,
    );
    // 7 days before 2026-11-20 (the 30-day one was before the account existed).
    expect((await nextAt('accounts', acc.id))! + T0.getTime()).toBe(Date.parse('2026-11-13T09:00:00Z'));
    const res = await send(app, {
      method: 'PATCH',
      url: `/api/v1/accounts/${acc.id}`,
      headers: owner,
      payload: { renewalDate: '2027-03-01' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await nextAt('accounts', acc.id)).toBe(14 * DAY);
  });

  it('a failed payment is told to the account owner at once, once', async () => {
    const acc = await post(
      '/api/v1/accounts',
      { name: 'Umbrella', tier: 'smb', ownerId: team.ownerId },
      manager,
    );
    const signal = await post('/api/v1/signals', {
      kind: 'billing',
      event: 'payment_failed',
      accountId: acc.id,
      amountMinor: 125_000,
      currency: 'USD',
      reference: 'inv_42',
    });
    const rows = await reminders(signal.id);
    expect(rows.map((r) => [r.key, r.kind, r.recipient_ids])).toEqual([
      [`signal:${signal.id}:payment_failed:1`, 'payment_failed', [team.ownerId]],
    ]);
    const recovered = await post('/api/v1/signals', {
      kind: 'billing',
      event: 'payment_recovered',
      accountId: acc.id,
    });
    expect(await reminders(recovered.id)).toEqual([]);
  });
});
