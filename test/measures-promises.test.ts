// The promise measures through HTTP on a hand-built fixture, every expected value worked out below
// from the definitions in PRODUCT.md (not copied from an answer): fulfilment by month and by type,
// owner, team and tier; overdue age; open promises per account; due in the next 7 days; cancelled
// excluded, renegotiated due dates, pauses excluded from age, kept late, open past due vs open not
// yet due, an empty period, bad input, CSV export, and a zone change re-bucketing the periods.
//
// Workspace zone America/New_York (EST, UTC−5 all January). "Now" = 2026-01-20T17:00Z (12:00 NY).
// Owners: A (member, manager M), B (member2, no manager). Accounts X (mid_market), Y (→ strategic).
//
//  #    type                owner acct due (UTC)                what happens                      Jan-NY outcome
//  P1   product_follow_up   A     X    01-06 17:00              kept 01-06 15:00 (before due)     kept on time
//  P2   product_follow_up   A     X    01-07 17:00              kept 01-08 18:00 (after due)      kept late
//  P3   support_resolution  B     Y    01-08 17:00              broken 01-09                      broken
//  P4   support_resolution  B     X    01-09 17:00              cancelled 01-07                   cancelled (excluded)
//  P5   product_follow_up   A     X    01-10 17:00              renegotiated to 02-03 17:00       → February, not yet due
//  P6   product_follow_up   B     Y    01-12 17:00              open                              open past due (8 d)
//  P7   support_resolution  A     X    01-14 17:00              paused 01-10, still paused        paused (excluded)
//  P8   product_follow_up   A     X    01-13 17:00              paused 01-11 17:00, resumed       open past due: effective
//                                                               01-13 17:00 (2 days)              due 01-15 17:00 (5 d)
//  P9   product_follow_up   B     X    01-25 17:00              open                              open, not yet due
//  P10  product_follow_up   A     X    01-01 04:30 (= 12-31     kept 2025-12-31 20:00             December in NY,
//                                      23:30 NY)                                                  January in UTC
//  P11  risk_review         B     X    01-20 14:00 (today 9:00) open                              open past due (3 h)
//  P12  risk_review         B     X    01-20 20:00 (today 15:00) open                             open, not yet due
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../src/auth/policy.js';
import { users } from '../src/db/schema.js';
import { buildServer } from '../src/http/server.js';
import { overdueAge } from '../src/measures/overdue-age.js';
import { workloadNow } from '../src/measures/reviews.js';
import { changePromise, type PromiseCommandInput } from '../src/promises/change-promise.js';
import { createPromise } from '../src/promises/create-promise.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildAccount, principalFor } from './support/factories.js';
import { type Json, send } from './support/http.js';
import { buildRoles, type Roles } from './support/records.js';

const T0 = new Date('2025-12-29T15:00:00Z');
const NOW = new Date('2026-01-20T17:00:00Z');

let db: TestDb;
let app: FastifyInstance;
let ws: Roles;
let admin: Principal;
let X: string;
let Y: string;
const P: Record<string, string> = {};

async function get(url: string, status = 200) {
  const res = await send(app, { method: 'GET', url, headers: ws.as.viewer });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(status);
  return res;
}
const rowsOf = async (url: string) => (await get(url)).json_ as Json;

async function create(name: string, o: { type: string; owner: string; account: string; due: string }) {
  const s = await createPromise(db.ctx, {
    principal: admin,
    input: {
      accountId: o.account,
      typeKey: o.type,
      promiseMade: `Fixture promise ${name}`,
      customerReason: 'The customer defends the rollout internally',
      ownerId: o.owner,
      dueAt: new Date(o.due),
      source: 'success',
    },
  });
  P[name] = s.state.id;
}
async function at(iso: string, name: string, command: PromiseCommandInput) {
  db.clock.now = new Date(iso);
  await changePromise(db.ctx, { principal: admin, promiseId: P[name]!, command });
}
const keep: PromiseCommandInput = {
  kind: 'keep',
  proof: { kind: 'email_sent', note: 'sent' },
  recoveryStrength: 'task_closed',
};

beforeAll(async () => {
  db = await openTestDb(undefined, T0);
  app = await buildServer(db.ctx);
  ws = await buildRoles(db.ctx);
  admin = await principalFor(db.ctx, ws.workspaceId, ws.ids.admin);
  await send(app, {
    method: 'PATCH',
    url: '/api/v1/workspace',
    headers: ws.as.admin,
    payload: { timeZone: 'America/New_York' },
  });
  await db.database.db
    .update(users)
    .set({ managerId: ws.ids.manager })
    .where(and(eq(users.workspaceId, ws.workspaceId), eq(users.id, ws.ids.member)));
  X = (await buildAccount(db.ctx, { workspaceId: ws.workspaceId, ownerId: ws.ids.member })).accountId;
  Y = (await buildAccount(db.ctx, { workspaceId: ws.workspaceId, ownerId: ws.ids.member2 })).accountId;
  const A = ws.ids.member;
  const B = ws.ids.member2;
  const pf = 'product_follow_up';
  const sr = 'support_resolution';
  await create('P1', { type: pf, owner: A, account: X, due: '2026-01-06T17:00:00Z' });
  await create('P2', { type: pf, owner: A, account: X, due: '2026-01-07T17:00:00Z' });
  await create('P3', { type: sr, owner: B, account: Y, due: '2026-01-08T17:00:00Z' });
  await create('P4', { type: sr, owner: B, account: X, due: '2026-01-09T17:00:00Z' });
  await create('P5', { type: pf, owner: A, account: X, due: '2026-01-10T17:00:00Z' });
  await create('P6', { type: pf, owner: B, account: Y, due: '2026-01-12T17:00:00Z' });
  await create('P7', { type: sr, owner: A, account: X, due: '2026-01-14T17:00:00Z' });
  await create('P8', { type: pf, owner: A, account: X, due: '2026-01-13T17:00:00Z' });
  await create('P9', { type: pf, owner: B, account: X, due: '2026-01-25T17:00:00Z' });
  await create('P10', { type: pf, owner: A, account: X, due: '2026-01-01T04:30:00Z' });
  await create('P11', { type: 'risk_review', owner: B, account: X, due: '2026-01-20T14:00:00Z' });
  await create('P12', { type: 'risk_review', owner: B, account: X, due: '2026-01-20T20:00:00Z' });
  // Account Y becomes strategic after its promises exist (the tier rows move with it).
  const tier = await send(app, {
    method: 'PATCH',
    url: `/api/v1/accounts/${Y}`,
    headers: ws.as.admin,
    payload: { tier: 'strategic' },
  });
  expect(tier.statusCode, tier.body).toBe(200);
  await at('2025-12-31T20:00:00Z', 'P10', keep);
  await at('2026-01-06T15:00:00Z', 'P1', keep);
  await at('2026-01-06T15:00:00Z', 'P5', {
    kind: 'renegotiate',
    dueAt: new Date('2026-02-03T17:00:00Z'),
    agreedBy: 'Maya Chen',
  });
  await at('2026-01-07T15:00:00Z', 'P4', { kind: 'cancel', reason: 'no longer needed' });
  await at('2026-01-08T18:00:00Z', 'P2', keep);
  await at('2026-01-09T17:00:00Z', 'P3', { kind: 'break', reason: 'the fix slipped to the next release' });
  await at('2026-01-10T17:00:00Z', 'P7', {
    kind: 'pause',
    cause: 'customer',
    note: 'waiting for their logs',
  });
  await at('2026-01-11T17:00:00Z', 'P8', { kind: 'pause', cause: 'customer', note: 'waiting for sign-off' });
  await at('2026-01-13T17:00:00Z', 'P8', { kind: 'resume' });
  db.clock.now = NOW;
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

const RANGE = 'from=2025-12-01&to=2026-02-28&period=month';

describe(`promise measures over HTTP on ${ENGINE}`, () => {
  it('fulfilment by month: cancelled and paused excluded, renegotiated date counts, empty month is no data', async () => {
    const r = await rowsOf(`/api/v1/measures/fulfilment?${RANGE}`);
    expect(r.zone).toBe('America/New_York');
    expect(r.columns.slice(0, 2)).toEqual(['period', 'periodStart']);
    // December (NY): only P10, kept on time → 1 / 1 = 100 %.
    expect(r.rows[0]).toMatchObject({ period: '2025-12', keptOnTime: 1, denominator: 1, percent: 100 });
    // January: kept on time P1; kept late P2; broken P3; open past due P6, P8 (effective due 01-15)
    // and P11 (due 09:00 today); cancelled P4 and paused P7 excluded; P9 and P12 not yet due.
    // 1 / (1 + 1 + 1 + 3) = 16.67 %.
    expect(r.rows[1]).toEqual({
      period: '2026-01',
      periodStart: '2026-01-01T05:00:00.000Z',
      keptOnTime: 1,
      keptLate: 1,
      broken: 1,
      openPastDue: 3,
      paused: 1,
      cancelled: 1,
      openNotDue: 2,
      numerator: 1,
      denominator: 6,
      percent: 16.67,
    });
    // February: P5 (renegotiated from 01-10 to 02-03) is open and not yet due → 0 / 0: no data.
    expect(r.rows[2]).toMatchObject({ period: '2026-02', openNotDue: 1, denominator: 0, percent: null });
    expect(r.noData).toBe(false);
  });

  it('fulfilment by type, owner, team and tier (January)', async () => {
    const jan = async (by: string) =>
      (
        (await rowsOf(`/api/v1/measures/fulfilment?from=2026-01-01&to=2026-01-31&by=${by}`)).rows as Json[]
      ).map((x) => [x.dimension, x.numerator, x.denominator, x.percent]);
    // product_follow_up: P1 kept on time, P2 late, P6 and P8 past due → 1/4 = 25 %;
    // support_resolution: P3 broken (P4 cancelled, P7 paused) → 0/1; risk_review: P11 past due → 0/1.
    expect(await jan('type')).toEqual(
      expect.arrayContaining([
        ['product_follow_up', 1, 4, 25],
        ['support_resolution', 0, 1, 0],
        ['risk_review', 0, 1, 0],
      ]),
    );
    // A: P1, P2, P8 (P7 paused) → 1/3 = 33.33 %; B: P3 broken, P6 and P11 past due → 0/3.
    expect(await jan('owner')).toEqual(
      expect.arrayContaining([
        [ws.ids.member, 1, 3, 33.33],
        [ws.ids.member2, 0, 3, 0],
      ]),
    );
    // Team = the owner's manager: M has A; B has no manager → dimension null, label (none).
    const team = (await rowsOf('/api/v1/measures/fulfilment?from=2026-01-01&to=2026-01-31&by=team'))
      .rows as Json[];
    expect(team.map((x) => [x.dimension, x.label, x.percent])).toEqual(
      expect.arrayContaining([
        [ws.ids.manager, expect.any(String), 33.33],
        [null, '(none)', 0],
      ]),
    );
    // Y became strategic after its promises were made: P3 broken, P6 past due → 0/2;
    // mid_market: P1 on time, P2 late, P8 and P11 past due → 1/4 = 25 %.
    expect(await jan('tier')).toEqual(
      expect.arrayContaining([
        ['strategic', 0, 2, 0],
        ['mid_market', 1, 4, 25],
      ]),
    );
  });

  it('a range with no promises answers zeros and no data, not an error', async () => {
    const r = await rowsOf('/api/v1/measures/fulfilment?from=2024-01-01&to=2024-03-31&period=month');
    expect(r.rows).toHaveLength(3);
    for (const row of r.rows) expect(row).toMatchObject({ numerator: 0, denominator: 0, percent: null });
    expect(r.noData).toBe(true);
    // By a dimension: still one all-zero row per period (no value to split by), not `rows: []`.
    for (const by of ['type', 'owner', 'team', 'tier', 'source']) {
      const b = await rowsOf(
        `/api/v1/measures/fulfilment?from=2024-01-01&to=2024-03-31&period=month&by=${by}`,
      );
      expect(b.rows.map((x: Json) => [x.period, x.dimension, x.label, x.denominator, x.percent])).toEqual([
        ['2024-01', null, '(all)', 0, null],
        ['2024-02', null, '(all)', 0, null],
        ['2024-03', null, '(all)', 0, null],
      ]);
      expect(b.noData).toBe(true);
    }
  });

  it('dates outside 1900–9998 or not on the calendar are a 400 naming the field', async () => {
    for (const [query, field] of [
      ['from=9999-12-01&to=9999-12-31', 'from'],
      ['from=2026-01-01&to=9999-12-31', 'to'],
      ['from=0000-01-01&to=0000-02-01', 'from'],
      ['from=1899-12-31&to=1900-01-31', 'from'],
      ['from=2026-02-30&to=2026-03-31', 'from'],
    ] as const) {
      for (const period of ['day', 'week', 'month', 'quarter']) {
        const res = await get(`/api/v1/measures/fulfilment?${query}&period=${period}`, 400);
        expect(res.json_.field, `${query} ${period}`).toBe(field);
      }
    }
    const far = await get('/api/v1/measures/fulfilment?from=9999-12-01&to=9999-12-31', 400);
    expect(far.body).toMatch(/1900-01-01 to 9998-12-31/);
    expect(far.body).not.toMatch(/2000/);
    // The last accepted dates work, and their periods end in 9999.
    const last = await rowsOf('/api/v1/measures/fulfilment?from=9998-12-01&to=9998-12-31&period=quarter');
    expect(last.rows.map((x: Json) => x.period)).toEqual(['9998-Q4']);
    // 1900-01-01 is a Monday: one ISO week.
    const first = await rowsOf('/api/v1/measures/fulfilment?from=1900-01-01&to=1900-01-07&period=week');
    expect(first.rows.map((x: Json) => x.period)).toEqual(['1900-W01']);
  });

  it('bad input: inverted range, unknown dimension, limit too large are 400 naming the field', async () => {
    const inverted = await get('/api/v1/measures/fulfilment?from=2026-02-01&to=2026-01-01', 400);
    expect(inverted.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(inverted.json_.field).toBe('to');
    const unknown = await get('/api/v1/measures/fulfilment?by=planet', 400);
    expect(unknown.json_.field).toBe('by');
    expect((await get('/api/v1/measures/overdue-age?by=tier', 400)).json_.field).toBe('by');
    expect((await get('/api/v1/measures/open-promises?limit=501', 400)).json_.field).toBe('limit');
  });

  it('overdue age: pauses excluded, paused promises are not overdue', async () => {
    // Overdue now: P6 due 01-12 17:00 → 8 d; P8 due 01-13 17:00 + 2 d paused → 01-15 17:00 → 5 d
    // (7 d if the pause counted); P11 due today 14:00 → 3 h = 0.125 d. P7 is paused: not overdue.
    // Sorted [0.125, 5, 8]: median 5; p90 at position 0.9 × 2 = 1.8 → 5 + 0.8 × 3 = 7.4; max 8.
    const r = await rowsOf('/api/v1/measures/overdue-age');
    expect(r.rows).toEqual([
      {
        count: 3,
        medianDays: 5,
        p90Days: 7.4,
        maxDays: 8,
        under1d: 1,
        d1to3: 0,
        d3to7: 1,
        d7to14: 1,
        d14to30: 0,
        d30to90: 0,
        d90plus: 0,
      },
    ]);
    // By type: product_follow_up [5, 8] → median 6.5, p90 5 + 0.9 × 3 = 7.7; risk_review [0.125] → 0.13.
    const byType = (await rowsOf('/api/v1/measures/overdue-age?by=type')).rows as Json[];
    expect(byType.map((x) => [x.dimension, x.count, x.medianDays, x.p90Days, x.maxDays])).toEqual(
      expect.arrayContaining([
        ['product_follow_up', 2, 6.5, 7.7, 8],
        ['risk_review', 1, 0.13, 0.13, 0.13],
      ]),
    );
    expect(byType).toHaveLength(2);
  });

  it('open promises per account, and due in the next 7 days per local day', async () => {
    // X: P5, P7, P8, P9, P11, P12 open (6); overdue P8, P11; paused P7; next due P12 today 20:00Z.
    // Y: P6 open and overdue, nothing upcoming. Summary: 2 accounts, 7 open, mean = median = 3.5.
    const r = await rowsOf('/api/v1/measures/open-promises');
    expect(r.rows.map((x: Json) => [x.accountId, x.open, x.overdue, x.paused, x.nextDueAt])).toEqual([
      [X, 6, 2, 1, '2026-01-20T20:00:00.000Z'],
      [Y, 1, 1, 0, null],
    ]);
    expect(r.summary).toEqual({ accounts: 2, openPromises: 7, meanPerAccount: 3.5, medianPerAccount: 3.5 });
    // From now to the end of 01-26 (NY): P12 today (15:00 NY), P9 on 01-25. P7 paused has no due.
    const due = await rowsOf('/api/v1/measures/due-next-7-days');
    expect(due.rows.map((x: Json) => [x.period, x.due])).toEqual([
      ['2026-01-20', 1],
      ['2026-01-21', 0],
      ['2026-01-22', 0],
      ['2026-01-23', 0],
      ['2026-01-24', 0],
      ['2026-01-25', 1],
      ['2026-01-26', 0],
    ]);
  });

  it('CSV export: the same rows, one line each', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/measures/fulfilment?${RANGE}&format=csv`,
      headers: ws.as.viewer,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.trim().split('\n');
    expect(lines[0]).toBe(
      'period,periodStart,keptOnTime,keptLate,broken,openPastDue,paused,cancelled,openNotDue,numerator,denominator,percent',
    );
    expect(lines[2]).toBe('2026-01,2026-01-01T05:00:00.000Z,1,1,1,3,1,1,2,1,6,16.67');
    expect(lines[3]).toBe('2026-02,2026-02-01T05:00:00.000Z,0,0,0,0,0,0,1,0,0,');
  });

  it('a zone change re-buckets the periods (last: it changes the workspace)', async () => {
    const res = await send(app, {
      method: 'PATCH',
      url: '/api/v1/workspace',
      headers: ws.as.admin,
      payload: { timeZone: 'UTC' },
    });
    expect(res.statusCode, res.body).toBe(200);
    // P10 is due 2026-01-01 04:30Z: 12-31 in New York, 01-01 in UTC. December empties (0/0), and
    // January gains a kept-on-time promise: 2 / (2 + 1 + 1 + 3) = 28.57 %.
    const r = await rowsOf(`/api/v1/measures/fulfilment?${RANGE}`);
    expect(r.zone).toBe('UTC');
    expect(r.rows[0]).toMatchObject({ period: '2025-12', denominator: 0, percent: null });
    expect(r.rows[1]).toMatchObject({
      period: '2026-01',
      periodStart: '2026-01-01T00:00:00.000Z',
      keptOnTime: 2,
      numerator: 2,
      denominator: 7,
      percent: 28.57,
    });
  });
});

// A promise paused after its due had passed is still open and past due: PRODUCT.md counts "still
// open past due" in fulfilment's denominator, and its overdue age excludes the pause (frozen at the
// age it had when paused). Own workspace (UTC); owner = member; account Z. "Now" 2026-01-20T12:00Z.
//
//  #   type                due (UTC)     what happens                                         now
//  Q1  product_follow_up   01-05 12:00   paused 01-15 12:00 (10 d late), still paused         past due, age 10 d (frozen)
//  Q2  product_follow_up   01-18 12:00   paused 01-10 12:00 (before its due), still paused    paused, not overdue
//  Q3  support_resolution  01-17 12:00   open                                                 past due, age 3 d
//  Q4  support_resolution  01-08 12:00   paused 01-06 → 01-07 12:00 (1 d: due → 01-09 12:00), past due, age 3 d (frozen)
//                                        paused again 01-12 12:00 (3 d late), still paused
describe(`a promise paused after its due on ${ENGINE}`, () => {
  const NOW2 = new Date('2026-01-20T12:00:00Z');
  let w: Roles;
  let Z: string;
  let boss: Principal;
  const Q: Record<string, string> = {};
  const pause: PromiseCommandInput = { kind: 'pause', cause: 'customer', note: 'waiting for their sign-off' };
  const get2 = async (url: string) => {
    const res = await send(app, { method: 'GET', url, headers: w.as.viewer });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json_ as Json;
  };
  const step = async (iso: string, name: string, command: PromiseCommandInput) => {
    db.clock.now = new Date(iso);
    await changePromise(db.ctx, { principal: boss, promiseId: Q[name]!, command });
  };

  beforeAll(async () => {
    const saved = db.clock.now;
    db.clock.now = new Date('2026-01-01T00:00:00Z');
    w = await buildRoles(db.ctx);
    boss = await principalFor(db.ctx, w.workspaceId, w.ids.admin);
    Z = (await buildAccount(db.ctx, { workspaceId: w.workspaceId, ownerId: w.ids.member })).accountId;
    for (const [name, typeKey, due] of [
      ['Q1', 'product_follow_up', '2026-01-05T12:00:00Z'],
      ['Q2', 'product_follow_up', '2026-01-18T12:00:00Z'],
      ['Q3', 'support_resolution', '2026-01-17T12:00:00Z'],
      ['Q4', 'support_resolution', '2026-01-08T12:00:00Z'],
    ] as const) {
      const s = await createPromise(db.ctx, {
        principal: boss,
        input: {
          accountId: Z,
          typeKey,
          promiseMade: `Fixture promise ${name}`,
          customerReason: 'The customer defends the rollout internally',
          ownerId: w.ids.member,
          dueAt: new Date(due),
          source: 'success',
        },
      });
      Q[name] = s.state.id;
    }
    await step('2026-01-06T12:00:00Z', 'Q4', pause);
    await step('2026-01-07T12:00:00Z', 'Q4', { kind: 'resume' });
    await step('2026-01-10T12:00:00Z', 'Q2', pause);
    await step('2026-01-12T12:00:00Z', 'Q4', pause);
    await step('2026-01-15T12:00:00Z', 'Q1', pause);
    db.clock.now = NOW2;
    return () => {
      db.clock.now = saved;
    };
  });

  it('fulfilment counts it as open past due (only Q2, paused before its due, is excluded)', async () => {
    const r = await get2('/api/v1/measures/fulfilment?from=2026-01-01&to=2026-01-31&period=month');
    expect(r.rows[0]).toMatchObject({
      period: '2026-01',
      openPastDue: 3,
      paused: 1,
      openNotDue: 0,
      numerator: 0,
      denominator: 3,
      percent: 0,
    });
    const byType = (await get2('/api/v1/measures/fulfilment?from=2026-01-01&to=2026-01-31&by=type'))
      .rows as Json[];
    expect(byType.map((x) => [x.dimension, x.openPastDue, x.paused, x.denominator])).toEqual(
      expect.arrayContaining([
        ['product_follow_up', 1, 1, 1],
        ['support_resolution', 2, 0, 2],
      ]),
    );
  });

  it('overdue age includes it with its age frozen at the pause', async () => {
    // Ages [10 (Q1, frozen), 3 (Q3), 3 (Q4, frozen)] → sorted [3, 3, 10]: median 3; p90 at 0.9 × 2
    // = 1.8 → 3 + 0.8 × 7 = 8.6; max 10; buckets 3–7: 2, 7–14: 1.
    const expected = {
      count: 3,
      medianDays: 3,
      p90Days: 8.6,
      maxDays: 10,
      under1d: 0,
      d1to3: 0,
      d3to7: 2,
      d7to14: 1,
      d14to30: 0,
      d30to90: 0,
      d90plus: 0,
    };
    expect((await get2('/api/v1/measures/overdue-age')).rows).toEqual([expected]);
    const byOwner = (await get2('/api/v1/measures/overdue-age?by=owner')).rows as Json[];
    expect(byOwner).toEqual([{ dimension: w.ids.member, label: expect.any(String), ...expected }]);
    // By type: product_follow_up has only the frozen Q1 → [10]; support_resolution [3, 3].
    const byType = (await get2('/api/v1/measures/overdue-age?by=type')).rows as Json[];
    expect(byType.map((x) => [x.dimension, x.count, x.medianDays, x.p90Days, x.maxDays])).toEqual([
      ['product_follow_up', 1, 10, 10, 10],
      ['support_resolution', 2, 3, 3, 3],
    ]);
    // Five days later Q3 (clock running) is 8 days overdue; Q1 and Q4 are still 10 and 3:
    // [3, 8, 10] → median 8, p90 8 + 0.8 × 2 = 9.6, max 10.
    db.clock.now = new Date('2026-01-25T12:00:00Z');
    try {
      expect((await get2('/api/v1/measures/overdue-age')).rows[0]).toMatchObject({
        count: 3,
        medianDays: 8,
        p90Days: 9.6,
        maxDays: 10,
      });
    } finally {
      db.clock.now = NOW2;
    }
  });

  it('overdue age stays exact with thousands of promises paused after their due', async () => {
    // 1,700 copies of Q1 (paused 10 days late) — more frozen ages than one SQL select list may hold.
    const raw = db.ctx.database.raw.bind(db.ctx.database);
    const cols = (
      await raw<{ column_name: string }>(
        `select column_name from information_schema.columns
          where table_schema = current_schema() and table_name = 'promises' and column_name <> 'id'`,
      )
    ).map((c) => c.column_name);
    await raw(
      `insert into promises (id, ${cols.join(', ')})
       select gen_random_uuid(), ${cols.join(', ')} from promises, generate_series(1, 1700)
        where workspace_id = $1 and id = $2`,
      [w.workspaceId, Q['Q1']],
    );
    try {
      // Ages: 1,701 × 10 (frozen) and 2 × 3 → median 10, max 10; 7–14 d: 1,701.
      expect((await get2('/api/v1/measures/overdue-age')).rows[0]).toMatchObject({
        count: 1703,
        medianDays: 10,
        maxDays: 10,
        d3to7: 2,
        d7to14: 1701,
      });
    } finally {
      await raw(`delete from promises where workspace_id = $1 and promise_made = $2 and id <> $3`, [
        w.workspaceId,
        'Fixture promise Q1',
        Q['Q1'],
      ]);
    }
  });

  it('open promises per account and the workload count it overdue (and paused)', async () => {
    // Open Q1–Q4; overdue Q1, Q3, Q4; paused (clock stopped, overdue or not) Q1, Q2, Q4.
    const r = await get2('/api/v1/measures/open-promises');
    expect(r.rows.map((x: Json) => [x.accountId, x.open, x.overdue, x.paused])).toEqual([[Z, 4, 3, 3]]);
    const workload = await workloadNow(db.ctx, { workspaceId: w.workspaceId, zone: 'UTC', now: NOW2 });
    expect(workload.find((x) => x.ownerId === w.ids.member)).toMatchObject({
      open: 4,
      overdue: 3,
      paused: 3,
    });
  });

  it('overdue age answers from the exact query when the rollup is out of step, never an error', async () => {
    const q = { workspaceId: w.workspaceId, zone: 'UTC', now: NOW2, periods: [] };
    const before = await overdueAge(db.ctx, q);
    // Five phantom open promises on Q3's day: the rollup path finds no promise at an index it needs.
    await db.database.raw(
      `update promise_rollups set n = n + 5
        where workspace_id = $1 and dim = 'all' and grain = 'day' and outcome = 'open' and due_day = '2026-01-17'`,
      [w.workspaceId],
    );
    try {
      const after = await overdueAge(db.ctx, q);
      expect(after.rows).toEqual(before.rows);
      expect(after.rows[0]).toMatchObject({ count: 3, medianDays: 3, p90Days: 8.6, maxDays: 10 });
    } finally {
      await db.database.raw('select promise_rollups_rebuild($1)', [w.workspaceId]);
    }
  });
});
