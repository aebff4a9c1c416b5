// Property: after any sequence of promise life events (creates, keeps on time or late, breaks,
// cancels, renegotiations, pauses and resumes — including pauses of promises already past due —,
// owner, type and source changes), account tier changes and workspace zone changes, all through the
// use cases, (1) the promise_rollups rows equal a GROUP BY of the promises written here from the
// definition, independently of the migration, and (2) fulfilment() and overdueAge() answer what a
// from-scratch computation of their definitions answers.
//
// Whether a paused promise is still past due, and its frozen overdue age, come from a model kept
// here from the commands that succeeded (due date, time spent paused, when the current pause
// began), not from the projection's columns or the migration's rule: "due" is the due date pushed
// back by every completed pause, and a promise paused after that instant stays open past due with
// the age it had when paused. (The workspace's calendar is 24×7, so SLA time is wall-clock time.)
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateAccount } from '../src/accounts/update-account.js';
import type { Principal } from '../src/auth/policy.js';
import { AppError } from '../src/errors.js';
import { fulfilment } from '../src/measures/fulfilment.js';
import { overdueAge } from '../src/measures/overdue-age.js';
import { periodsCovering } from '../src/measures/period.js';
import { summariseAges } from '../src/measures/rollups.js';
import { changePromise, type PromiseCommandInput } from '../src/promises/change-promise.js';
import { createPromise } from '../src/promises/create-promise.js';
import { PROOF_KINDS } from '../src/promises/promise.js';
import { updateWorkspaceSettings } from '../src/workspaces/workspace-settings.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildAccount, buildUser, buildWorkspace, principalFor } from './support/factories.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BASE = new Date('2026-03-05T10:30:00Z');
const TYPES = ['product_follow_up', 'support_resolution'] as const;
const SOURCES = ['support', 'success'] as const;
const TIERS = ['strategic', 'smb'] as const;
const ZONES = ['UTC', 'America/New_York', 'Pacific/Kiritimati', 'Asia/Kolkata'] as const;

type Cmd =
  | { k: 'create'; account: number; owner: number; type: number; source: number; dueH: number }
  | { k: 'keep' | 'break' | 'cancel' | 'pause' | 'resume'; p: number }
  | { k: 'renegotiate'; p: number; dueH: number }
  | { k: 'owner'; p: number; owner: number }
  | { k: 'edit'; p: number; type?: number; source?: number }
  | { k: 'pauseLate'; p: number }
  | { k: 'advance'; h: number }
  | { k: 'tier'; account: number; tier: number }
  | { k: 'zone'; zone: number };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      k: fc.constant('create' as const),
      account: fc.nat(1),
      owner: fc.nat(2),
      type: fc.nat(1),
      source: fc.nat(1),
      dueH: fc.integer({ min: -5, max: 24 * 12 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constantFrom(
        'keep' as const,
        'break' as const,
        'cancel' as const,
        'pause' as const,
        'resume' as const,
      ),
      p: fc.nat(40),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('renegotiate' as const),
      p: fc.nat(40),
      dueH: fc.integer({ min: 1, max: 24 * 10 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('owner' as const), p: fc.nat(40), owner: fc.nat(2) }) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({ k: fc.constant('edit' as const), p: fc.nat(40), type: fc.nat(1) }),
      fc.record({ k: fc.constant('edit' as const), p: fc.nat(40), source: fc.nat(1) }),
      fc.record({ k: fc.constant('edit' as const), p: fc.nat(40), type: fc.nat(1), source: fc.nat(1) }),
    ),
  },
  // Pause a promise whose due has already passed (a plain `pause` mostly hits promises not yet due).
  { weight: 2, arbitrary: fc.record({ k: fc.constant('pauseLate' as const), p: fc.nat(40) }) },
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('advance' as const), h: fc.integer({ min: 1, max: 120 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('tier' as const), account: fc.nat(1), tier: fc.nat(1) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('zone' as const), zone: fc.nat(ZONES.length - 1) }) },
);

/** The use-case command of a promise-level step. */
function commandFor(
  c: Exclude<Cmd, { k: 'create' | 'advance' | 'tier' | 'zone' }>,
  at: (h: number) => Date,
  owners: string[],
): PromiseCommandInput {
  switch (c.k) {
    case 'edit':
      return {
        kind: 'edit',
        changes: {
          ...(c.type === undefined ? {} : { typeKey: TYPES[c.type]! }),
          ...(c.source === undefined ? {} : { source: SOURCES[c.source]! }),
        },
      };
    case 'keep':
      return { kind: 'keep', proof: { kind: PROOF_KINDS[0], note: 'sent' }, recoveryStrength: 'task_closed' };
    case 'break':
    case 'cancel':
      return { kind: c.k, reason: 'customer went another way' };
    case 'pause':
    case 'pauseLate':
      return { kind: 'pause', cause: 'customer', note: 'waiting for their data' };
    case 'resume':
      return { kind: 'resume' };
    case 'renegotiate':
      return { kind: 'renegotiate', dueAt: at(c.dueH), agreedBy: 'Maya Chen' };
    case 'owner':
      return { kind: 'change_owner', ownerId: owners[c.owner]! };
  }
}

let db: TestDb;
/** How many promises were overdue at the end of each run (the percentile paths need several). */
const overdueSizes: number[] = [];
/** How many paused past-due promises each run ended with (the runs must produce some). */
const pausedLateSizes: number[] = [];

/** What the model knows of one promise: its due, the time its clock was stopped, its current pause. */
interface Model {
  dueAt: number;
  pausedMs: number;
  pausedAt: number | null;
  open: boolean;
}

/** Open promises paused after their due (pushed back by the completed pauses) had passed: id → frozen age (ms). */
function pausedPastDue(model: Map<string, Model>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, m] of model) {
    if (!m.open || m.pausedAt === null) continue;
    const due = m.dueAt + m.pausedMs;
    if (m.pausedAt > due) out.set(id, m.pausedAt - due);
  }
  return out;
}

beforeAll(async () => {
  db = await openTestDb(undefined, BASE);
});
afterAll(async () => {
  await db?.close();
});

/** The rollup recomputed from the promises, with the definition spelled out here (not the migration's functions). */
async function recomputed(workspaceId: string, late: string[]) {
  return db.database.raw<{
    dim: string;
    grain: string;
    due_day: string;
    dim_value: string;
    outcome: string;
    n: number;
  }>(
    `with x as (
       select ((case when p.paused_at is not null then p.due_at + p.paused_ms * interval '1 millisecond'
                     else p.effective_due_at end) at time zone w.time_zone)::date as due_day,
              case when p.status = 'open' and p.paused_at is null then 'open'
                   when p.status = 'open' and p.id = any($2::uuid[]) then 'paused_past_due'
                   when p.status = 'open' then 'paused'
                   when p.status = 'kept' and p.kept_late then 'kept_late'
                   when p.status = 'kept' then 'kept_on_time'
                   else p.status end as outcome,
              p.type_key, p.owner_id::text as owner, a.tier, p.source
         from promises p
         join workspaces w on w.id = p.workspace_id
         join accounts a on a.workspace_id = p.workspace_id and a.id = p.account_id
        where p.workspace_id = $1)
     , g as (select 'day' as grain, due_day, outcome, type_key, owner, tier, source from x
             union all
             select 'month', date_trunc('month', due_day)::date, outcome, type_key, owner, tier, source from x)
     select 'all' as dim, grain, due_day::text, 'all' as dim_value, outcome, count(*)::int8 as n from g group by 2, 3, 5
     union all select 'type', grain, due_day::text, type_key, outcome, count(*) from g group by 2, 3, 4, 5
     union all select 'owner', grain, due_day::text, owner, outcome, count(*) from g group by 2, 3, 4, 5
     union all select 'tier', grain, due_day::text, tier, outcome, count(*) from g group by 2, 3, 4, 5
     union all select 'source', grain, due_day::text, source, outcome, count(*) from g group by 2, 3, 4, 5
     order by 1, 2, 3, 4, 5`,
    [workspaceId, late],
  );
}

async function stored(workspaceId: string) {
  return db.database.raw<{
    dim: string;
    grain: string;
    due_day: string;
    dim_value: string;
    outcome: string;
    n: number;
  }>(
    `select dim, grain, due_day::text, dim_value, outcome, n from promise_rollups
      where workspace_id = $1 and n <> 0 order by 1, 2, 3, 4, 5`,
    [workspaceId],
  );
}

/** Fulfilment counts per period and dimension value, straight from the definition over instants. */
async function fulfilmentFromScratch(
  workspaceId: string,
  by: string | undefined,
  start: Date,
  end: Date,
  now: Date,
  late: string[],
) {
  const v = {
    none: `'all'`,
    type: 'p.type_key',
    owner: 'p.owner_id::text',
    team: `coalesce(u.manager_id::text, '')`,
    tier: 'a.tier',
    source: 'p.source',
  }[by ?? 'none'];
  return db.database.raw<Record<string, number | string>>(
    `select ${v} as v,
            count(*) filter (where p.status = 'kept' and not p.kept_late)::int8 as "keptOnTime",
            count(*) filter (where p.status = 'kept' and p.kept_late)::int8 as "keptLate",
            count(*) filter (where p.status = 'broken')::int8 as broken,
            count(*) filter (where p.status = 'open' and (p.paused_at is null and p.effective_due_at < $4
                                                          or p.id = any($5::uuid[])))::int8 as "openPastDue",
            count(*) filter (where p.status = 'open' and p.paused_at is not null
                                   and not p.id = any($5::uuid[]))::int8 as paused,
            count(*) filter (where p.status = 'cancelled')::int8 as cancelled
       from promises p
       join accounts a on a.workspace_id = p.workspace_id and a.id = p.account_id
       join users u on u.workspace_id = p.workspace_id and u.id = p.owner_id
      where p.workspace_id = $1
        and coalesce(p.effective_due_at, p.due_at + p.paused_ms * interval '1 millisecond') >= $2
        and coalesce(p.effective_due_at, p.due_at + p.paused_ms * interval '1 millisecond') < $3
      group by 1`,
    [workspaceId, start, end, now, late],
  );
}

async function run(cmds: Cmd[]) {
  db.clock.now = BASE;
  const { workspaceId, adminId } = await buildWorkspace(db.ctx);
  const admin: Principal = await principalFor(db.ctx, workspaceId, adminId);
  const manager = (await buildUser(db.ctx, { workspaceId, role: 'manager' })).userId;
  const owners = [
    adminId,
    (await buildUser(db.ctx, { workspaceId, managerId: manager })).userId,
    (await buildUser(db.ctx, { workspaceId, managerId: manager })).userId,
  ];
  const accounts = [
    (await buildAccount(db.ctx, { workspaceId, ownerId: adminId })).accountId,
    (await buildAccount(db.ctx, { workspaceId, ownerId: adminId })).accountId,
  ];
  const ids: string[] = [];
  const model = new Map<string, Model>();
  const at = (h: number) => new Date(db.clock.now.getTime() + h * HOUR);
  for (const c of cmds) {
    const now = db.clock.now.getTime();
    try {
      switch (c.k) {
        case 'create': {
          const s = await createPromise(db.ctx, {
            principal: admin,
            input: {
              accountId: accounts[c.account]!,
              typeKey: TYPES[c.type]!,
              promiseMade: 'Send the export filter walkthrough',
              customerReason: 'Their leadership meeting is on Monday',
              ownerId: owners[c.owner]!,
              dueAt: at(c.dueH),
              source: SOURCES[c.source]!,
            },
          });
          ids.push(s.state.id);
          model.set(s.state.id, { dueAt: at(c.dueH).getTime(), pausedMs: 0, pausedAt: null, open: true });
          break;
        }
        case 'advance':
          db.clock.now = at(c.h);
          break;
        case 'tier':
          await updateAccount(db.ctx, {
            principal: admin,
            accountId: accounts[c.account]!,
            changes: { tier: TIERS[c.tier]! },
          });
          break;
        case 'zone':
          await updateWorkspaceSettings(db.ctx, { principal: admin, changes: { timeZone: ZONES[c.zone]! } });
          break;
        default: {
          // pauseLate: one of the open promises whose clock is running and whose due has passed.
          const pool =
            c.k === 'pauseLate'
              ? ids.filter((id) => {
                  const m = model.get(id)!;
                  return m.open && m.pausedAt === null && m.dueAt + m.pausedMs < now;
                })
              : ids;
          if (pool.length === 0) break;
          const promiseId = pool[c.p % pool.length]!;
          const command = commandFor(c, at, owners);
          await changePromise(db.ctx, { principal: admin, promiseId, command });
          // The command succeeded: what it did to the due and the clock.
          const m = model.get(promiseId)!;
          const closePause = () => {
            if (m.pausedAt !== null) m.pausedMs += now - m.pausedAt;
            m.pausedAt = null;
          };
          if (command.kind === 'pause') m.pausedAt = now;
          else if (command.kind === 'resume') closePause();
          else if (command.kind === 'renegotiate') m.dueAt = command.dueAt.getTime();
          else if (command.kind === 'keep' || command.kind === 'break' || command.kind === 'cancel') {
            closePause();
            m.open = false;
          }
        }
      }
    } catch (e) {
      if (!(e instanceof AppError)) throw e; // a rule refused the command (e.g. keeping a closed promise)
    }
  }
  return { workspaceId, late: pausedPastDue(model) };
}

async function check(workspaceId: string, lateAges: Map<string, number>) {
  const late = [...lateAges.keys()];
  pausedLateSizes.push(late.length);
  expect(await stored(workspaceId)).toEqual(await recomputed(workspaceId, late));

  const [ws] = await db.database.raw<{ zone: string }>(
    'select time_zone as zone from workspaces where id = $1',
    [workspaceId],
  );
  const zone = ws!.zone;
  const now = db.clock.now;
  // Days read the day rows; whole months read the month rows up to the current month, then days.
  for (const granularity of ['day', 'month'] as const) {
    await checkFulfilment(workspaceId, zone, now, granularity, late);
  }
  // Overdue age, whole workspace and by type: the same as sorting every overdue promise's age —
  // clock running: now − effective due; paused past due: the model's age frozen at the pause.
  const running = await db.database.raw<{ type_key: string; due: string | Date }>(
    `select type_key, effective_due_at as due from promises
      where workspace_id = $1 and status = 'open' and paused_at is null and effective_due_at < $2`,
    [workspaceId, now],
  );
  const paused = await db.database.raw<{ id: string; type_key: string }>(
    'select id, type_key from promises where workspace_id = $1 and id = any($2::uuid[])',
    [workspaceId, late],
  );
  const overdue = [
    ...running.map((o) => ({
      type_key: o.type_key,
      ageDays: (now.getTime() - new Date(o.due).getTime()) / DAY,
    })),
    ...paused.map((o) => ({ type_key: o.type_key, ageDays: lateAges.get(o.id)! / DAY })),
  ];
  const r2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
  const expectSummary = (row: Record<string, unknown> | undefined, ages: number[]) => {
    const s = summariseAges(ages);
    expect(row).toMatchObject({
      count: s.count,
      medianDays: r2(s.median),
      p90Days: r2(s.p90),
      maxDays: r2(s.max),
      ...s.buckets,
    });
  };
  overdueSizes.push(overdue.length);
  const all = await overdueAge(db.ctx, { workspaceId, zone, now, periods: [] });
  expectSummary(
    all.rows[0],
    overdue.map((o) => o.ageDays),
  );
  const byType = await overdueAge(db.ctx, { workspaceId, zone, now, periods: [], by: 'type' });
  const types = [...new Set(overdue.map((o) => o.type_key))].sort();
  expect(byType.rows.map((r) => r.dimension).sort()).toEqual(types);
  for (const t of types) {
    expectSummary(
      byType.rows.find((r) => r.dimension === t),
      overdue.filter((o) => o.type_key === t).map((o) => o.ageDays),
    );
  }
}

async function checkFulfilment(
  workspaceId: string,
  zone: string,
  now: Date,
  granularity: 'day' | 'month',
  late: string[],
) {
  const periods = periodsCovering('2026-02-20', '2026-04-10', granularity, zone);
  for (const by of [undefined, 'type', 'owner', 'team', 'tier', 'source']) {
    const result = await fulfilment(db.ctx, { workspaceId, zone, now, periods, granularity, by });
    for (const [i, p] of periods.entries()) {
      const scratch = await fulfilmentFromScratch(workspaceId, by, p.start, p.end, now, late);
      const got = result.rows.filter((r) => r.period === p.key);
      for (const s of scratch) {
        const dim = by === undefined ? undefined : s.v === '' ? null : s.v;
        const row = got.find((r) => by === undefined || r.dimension === dim);
        const expected = {
          keptOnTime: s.keptOnTime,
          keptLate: s.keptLate,
          broken: s.broken,
          openPastDue: s.openPastDue,
          paused: s.paused,
          cancelled: s.cancelled,
        };
        expect(row, `${by} ${p.key} ${s.v} (${i})`).toMatchObject(expected);
      }
      // Rows the scratch query has no group for are all zeros.
      const seen = new Set(scratch.map((s) => (s.v === '' ? null : s.v)));
      for (const r of got.filter((r) => by !== undefined && !seen.has(r.dimension as string | null))) {
        expect(r.denominator, `${by} ${p.key} ${r.dimension}`).toBe(0);
        expect(r.paused).toBe(0);
        expect(r.cancelled).toBe(0);
      }
    }
  }
}

describe(`promise rollups on ${ENGINE}`, () => {
  it('equal a full recomputation after random histories, and the measures equal their definitions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 20, maxLength: 50, size: 'max' }), async (cmds) => {
        const { workspaceId, late } = await run(cmds);
        await check(workspaceId, late);
      }),
      { numRuns: Number(process.env.ROLLUP_RUNS ?? 20), endOnFailure: true },
    );
    // The runs exercised interpolation between distinct overdue ages, not just empty or single sets.
    expect(overdueSizes.filter((n) => n >= 3).length).toBeGreaterThanOrEqual(3);
    // …and promises paused after their due had passed.
    expect(pausedLateSizes.filter((n) => n >= 1).length).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
