// The promise rollups under concurrent writers (PostgreSQL only: PGlite has one connection). A tier
// change, a zone change and a promise write on the same account or workspace, interleaved on two
// connections: whichever commits second must see what the first wrote, so the rollup equals its
// recomputation from the promises afterwards, and the zone change's rebuild never fails.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateAccount } from '../src/accounts/update-account.js';
import type { Principal } from '../src/auth/policy.js';
import { createPromise } from '../src/promises/create-promise.js';
import { updateWorkspaceSettings } from '../src/workspaces/workspace-settings.js';
import { openTestDb, POSTGRES_URL, SKIP_POSTGRES_REASON, type TestDb } from './support/db.js';
import { buildAccount, buildWorkspace, principalFor } from './support/factories.js';

if (!POSTGRES_URL) console.log(`test/measures-rollups-concurrency.test.ts: ${SKIP_POSTGRES_REASON}`);

const NOW = new Date('2026-03-05T10:30:00Z');
const DAY = 86_400_000;

describe.skipIf(!POSTGRES_URL)('promise rollups under concurrent tier, zone and promise writes', () => {
  let db: TestDb;
  let other: pg.Client;

  beforeAll(async () => {
    db = await openTestDb('postgres', NOW);
    other = new pg.Client({ connectionString: db.url });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await db?.close();
  });

  async function setUp() {
    const { workspaceId, adminId } = await buildWorkspace(db.ctx);
    const admin: Principal = await principalFor(db.ctx, workspaceId, adminId);
    const { accountId } = await buildAccount(db.ctx, { workspaceId, ownerId: adminId });
    const create = (days: number) =>
      createPromise(db.ctx, {
        principal: admin,
        input: {
          accountId,
          typeKey: 'product_follow_up',
          promiseMade: 'Send the export filter walkthrough',
          customerReason: 'Their leadership meeting is on Monday',
          ownerId: adminId,
          dueAt: new Date(NOW.getTime() + days * DAY),
          source: 'success',
        },
      });
    // Some promises already there (one late evening UTC, so a zone change moves its day).
    const first = await create(2);
    await create(-3);
    await create(0.55);
    return { workspaceId, admin, accountId, create, promiseId: first.state.id };
  }

  /** The stored rollup equals a rebuild from the promises (rows with a count, in key order). */
  async function expectConsistent(workspaceId: string) {
    const rows = () =>
      db.database.raw(
        `select dim, grain, due_day::text, dim_value, outcome, n from promise_rollups
          where workspace_id = $1 and n <> 0 order by 1, 2, 3, 4, 5`,
        [workspaceId],
      );
    const stored = await rows();
    await db.database.raw('select promise_rollups_rebuild($1)', [workspaceId]);
    expect(stored).toEqual(await rows());
  }

  /** Waits until some other session of this database waits for a lock (at most `ms`). */
  async function someoneWaits(ms = 15_000) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const [r] = await db.database.raw<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`,
      );
      if (r!.n > 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return false;
  }

  it('a tier change in flight and a promise created on the same account', async () => {
    const { workspaceId, accountId, create } = await setUp();
    await other.query('begin');
    await other.query(`update accounts set tier = 'strategic' where workspace_id = $1 and id = $2`, [
      workspaceId,
      accountId,
    ]);
    const creating = create(4);
    expect(await someoneWaits()).toBe(true); // the promise's trigger waits for the tier change
    await other.query('commit');
    await creating;
    await expectConsistent(workspaceId);
  });

  it('a promise write in flight and a tier change of its account', async () => {
    const { workspaceId, admin, accountId, promiseId } = await setUp();
    await other.query('begin');
    await other.query(`update promises set source = 'support' where workspace_id = $1 and id = $2`, [
      workspaceId,
      promiseId,
    ]);
    const changing = updateAccount(db.ctx, { principal: admin, accountId, changes: { tier: 'smb' } });
    expect(await someoneWaits()).toBe(true);
    await other.query('commit');
    await changing;
    await expectConsistent(workspaceId);
  });

  it('a promise write in flight and a zone change: the rebuild sees it and does not fail', async () => {
    const { workspaceId, admin, promiseId } = await setUp();
    await other.query('begin');
    await other.query(`update promises set source = 'support' where workspace_id = $1 and id = $2`, [
      workspaceId,
      promiseId,
    ]);
    const changing = updateWorkspaceSettings(db.ctx, {
      principal: admin,
      changes: { timeZone: 'Pacific/Kiritimati' },
    });
    expect(await someoneWaits()).toBe(true);
    await other.query('commit');
    await changing;
    await expectConsistent(workspaceId);
  });

  it('a zone change in flight and a tier change: the tier change waits for it, no deadlock', async () => {
    const { workspaceId, admin, accountId } = await setUp();
    // The zone change's order: the workspace row, then (re-planning reminders) every account row.
    await other.query('begin');
    await other.query('select 1 from workspaces where id = $1 for no key update', [workspaceId]);
    const changing = updateAccount(db.ctx, { principal: admin, accountId, changes: { tier: 'smb' } });
    expect(await someoneWaits()).toBe(true);
    // Had the tier change locked its account before waiting, this would close a cycle (40P01).
    await other.query(`update accounts set next_reminder_at = null where workspace_id = $1 and id = $2`, [
      workspaceId,
      accountId,
    ]);
    await other.query(`update workspaces set time_zone = 'Asia/Kolkata' where id = $1`, [workspaceId]);
    await other.query('commit');
    expect((await changing).tier).toBe('smb');
    await expectConsistent(workspaceId);
  });

  it('a zone change in flight and a promise created meanwhile', async () => {
    const { workspaceId, create } = await setUp();
    await other.query('begin');
    await other.query(`update workspaces set time_zone = 'Asia/Kolkata' where id = $1`, [workspaceId]);
    const creating = create(1);
    expect(await someoneWaits()).toBe(true);
    await other.query('commit');
    await creating;
    await expectConsistent(workspaceId);
  });
});
