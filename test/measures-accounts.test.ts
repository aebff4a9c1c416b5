// Account measures through HTTP against a real database (PGlite, or Postgres when TEST_DATABASE_URL
// is set): gross churn, NRR, LTV, renewal-save rate, cohort retention and health. Every expected
// value is worked out in the comments from the definition (PRODUCT.md), not from the code.
import type { FastifyInstance } from 'fastify';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Temperature, Tier } from '../src/accounts/account.js';
import { setAccountTemperature } from '../src/accounts/account-temperature.js';
import type { Principal } from '../src/auth/policy.js';
import { accounts } from '../src/db/schema.js';
import { buildServer } from '../src/http/server.js';
import { createPromise } from '../src/promises/create-promise.js';
import { recordSignal } from '../src/signals/record-signal.js';
import type { SignalInput } from '../src/signals/signal.js';
import { openTestDb, type TestDb } from './support/db.js';
import { buildUser, buildWorkspace, principalFor, tokenHeaders } from './support/factories.js';
import { type Json, send } from './support/http.js';

const NOW = new Date('2026-11-15T12:00:00Z');

let db: TestDb;
let app: FastifyInstance;

beforeAll(async () => {
  db = await openTestDb(undefined, new Date('2026-01-01T00:00:00Z'));
  app = await buildServer(db.ctx);
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

interface Ws {
  workspaceId: string;
  adminId: string;
  admin: Principal;
  headers: { authorization: string };
}

async function workspace(): Promise<Ws> {
  const { workspaceId, adminId } = await buildWorkspace(db.ctx);
  return {
    workspaceId,
    adminId,
    admin: await principalFor(db.ctx, workspaceId, adminId),
    headers: await tokenHeaders(db.ctx, workspaceId, adminId),
  };
}

/** An account row as an import would create it: the fixture sets start, ARR and renewal exactly. */
async function account(
  ws: Ws,
  o: {
    tier?: Tier;
    arr?: number;
    currency?: string;
    contractStart?: string | null;
    createdAt?: string;
    renewalDate?: string | null;
    temperature?: Temperature | null;
    ownerId?: string;
  },
): Promise<string> {
  const id = uuidv7();
  await db.database.db.insert(accounts).values({
    workspaceId: ws.workspaceId,
    id,
    name: `Account ${id.slice(-6)}`,
    tier: o.tier ?? 'mid_market',
    arrMinor: o.arr ?? 0,
    currency: o.currency ?? 'USD',
    contractStart: o.contractStart ?? null,
    renewalDate: o.renewalDate ?? null,
    lifecycleStage: 'adopt',
    ownerId: o.ownerId ?? ws.adminId,
    temperature: o.temperature === undefined ? 'neutral' : o.temperature,
    createdAt: new Date(o.createdAt ?? '2024-01-01T00:00:00Z'),
  });
  return id;
}

async function signal(ws: Ws, input: SignalInput) {
  db.clock.now = NOW;
  return recordSignal(db.ctx, { principal: ws.admin, input });
}
const renewal = (
  ws: Ws,
  accountId: string,
  at: string,
  outcome: 'renewed' | 'churned',
  before: number,
  after: number,
  currency?: string,
) =>
  signal(ws, {
    kind: 'renewal_outcome',
    accountId,
    occurredAt: new Date(at),
    outcome,
    arrBeforeMinor: before,
    arrAfterMinor: after,
    ...(currency ? { currency } : {}),
  });

async function temperature(ws: Ws, accountId: string, at: string, t: Temperature) {
  db.clock.now = new Date(at);
  await setAccountTemperature(db.ctx, { principal: ws.admin, accountId, temperature: t, note: 'call' });
  db.clock.now = NOW;
}

async function get(ws: Ws, url: string) {
  db.clock.now = NOW;
  return send(app, { method: 'GET', url, headers: ws.headers });
}
const row = (body: Json, period: string, extra: Record<string, unknown> = {}) =>
  body.rows.find(
    (r: Json) => r.period === period && Object.entries(extra).every(([k, v]) => r[k] === v),
  ) as Json;

// -----------------------------------------------------------------------------------------------
// Gross churn, NRR, LTV. One workspace (UTC); the periods asked for are September and October 2026.
//
//   account  start        ARR now     outcomes
//   A1 ent   2025-01-10   150000 USD  renewed 2026-10-05  100000 → 150000 (expansion 50000)
//   A2 smb   2025-03-01    60000 USD  renewed 2026-10-12   80000 →  60000 (contraction 20000)
//   A3 mid   2025-06-01    50000 USD  churned 2026-10-20   50000 →      0
//   A4 mid   2025-02-01        0 USD  (none: a customer with no ARR)
//   A5 mid   2026-10-15    30000 USD  churned 2026-10-28 (started within October)
//   A6 mid   2024-01-01    40000 USD  churned 2026-08-15 (lost before September)
//   A7 str   2025-01-01   200000 EUR  renewed 2026-10-03  200000 → 220000 EUR
describe('gross churn, NRR and LTV', () => {
  let ws: Ws;
  beforeAll(async () => {
    ws = await workspace();
    const a1 = await account(ws, { tier: 'enterprise', arr: 150000, contractStart: '2025-01-10' });
    const a2 = await account(ws, { tier: 'smb', arr: 60000, contractStart: '2025-03-01' });
    const a3 = await account(ws, { arr: 50000, contractStart: '2025-06-01' });
    await account(ws, { arr: 0, contractStart: '2025-02-01' });
    const a5 = await account(ws, { arr: 30000, contractStart: '2026-10-15' });
    const a6 = await account(ws, { arr: 40000, contractStart: '2024-01-01' });
    const a7 = await account(ws, {
      tier: 'strategic',
      arr: 200000,
      currency: 'EUR',
      contractStart: '2025-01-01',
    });
    await renewal(ws, a1, '2026-10-05T10:00:00Z', 'renewed', 100000, 150000);
    await renewal(ws, a2, '2026-10-12T10:00:00Z', 'renewed', 80000, 60000);
    await renewal(ws, a3, '2026-10-20T10:00:00Z', 'churned', 50000, 0);
    await renewal(ws, a5, '2026-10-28T10:00:00Z', 'churned', 30000, 0);
    await renewal(ws, a6, '2026-08-15T10:00:00Z', 'churned', 40000, 0);
    await renewal(ws, a7, '2026-10-03T10:00:00Z', 'renewed', 200000, 220000, 'EUR');
  });
  const range = 'from=2026-09-01&to=2026-10-31&period=month';

  it('gross churn: customers lost in the period / customers at its start', async () => {
    const res = await get(ws, `/api/v1/measures/gross-churn?${range}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_.measure).toBe('gross_churn');
    expect(res.json_.rows).toHaveLength(2);
    // September: customers at Sep 1 = A1, A2, A3, A4, A7 (A5 not started; A6 churned in August) = 5;
    // nobody lost in September → 0 / 5 = 0 %.
    expect(row(res.json_, '2026-09')).toMatchObject({ customersAtStart: 5, customersLost: 0, percent: 0 });
    // October: the same 5 at Oct 1; lost: A3 (churned Oct 20). A5 started and churned within
    // October, so it is in neither → 1 / 5 = 20 %.
    expect(row(res.json_, '2026-10')).toMatchObject({
      customersAtStart: 5,
      customersLost: 1,
      numerator: 1,
      denominator: 5,
      percent: 20,
    });
    expect(res.json_.noData).toBe(false);
  });

  it('gross churn by tier: October mid-market is A3, A4 at the start, A3 lost → 50 %', async () => {
    const res = await get(ws, `/api/v1/measures/gross-churn?${range}&by=tier`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_.columns.slice(0, 4)).toEqual(['period', 'periodStart', 'dimension', 'label']);
    expect(row(res.json_, '2026-10', { dimension: 'mid_market' })).toMatchObject({
      label: 'Mid-market',
      customersAtStart: 2,
      customersLost: 1,
      percent: 50,
    });
    // Enterprise: A1 only, renewed → 0 / 1.
    expect(row(res.json_, '2026-10', { dimension: 'enterprise' })).toMatchObject({
      customersAtStart: 1,
      percent: 0,
    });
  });

  it('zero customers at the start is "no data": percent null, never NaN', async () => {
    // December 2023: the earliest start is A6 on 2024-01-01, so nobody was a customer.
    const res = await get(ws, '/api/v1/measures/gross-churn?from=2023-12-01&to=2023-12-31');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_.rows).toEqual([
      expect.objectContaining({ period: '2023-12', customersAtStart: 0, customersLost: 0, percent: null }),
    ]);
    expect(res.json_.noData).toBe(true);
    const n = await get(ws, '/api/v1/measures/nrr?from=2023-12-01&to=2023-12-31');
    expect(n.json_.noData).toBe(true);
    expect(n.json_.rows.every((r: Json) => r.percent === null && r.startArrMinor === 0)).toBe(true);
    const l = await get(ws, '/api/v1/measures/ltv?from=2023-12-01&to=2023-12-31');
    expect(l.json_.noData).toBe(true);
    expect(l.json_.rows.every((r: Json) => r.ltvMinor === null && r.averageArrMinor === null)).toBe(true);
  });

  it('NRR per currency, with expansion, contraction and churn in one period and a customer with no ARR', async () => {
    const res = await get(ws, `/api/v1/measures/nrr?${range}`);
    expect(res.statusCode, res.body).toBe(200);
    // Currencies are never added: one row per currency (EUR, USD) per period.
    expect(res.json_.rows).toHaveLength(4);
    // October USD. Customers at Oct 1: A1, A2, A3, A4. Start ARR: no outcome before Oct 1, so the
    // ARR before the first outcome after it: A1 100000 (not its current 150000), A2 80000, A3 50000;
    // A4 has no outcome: its current ARR, 0 (a customer with no ARR, counted).
    // start = 230000; expansion = 150000 − 100000 = 50000; contraction = 80000 − 60000 = 20000;
    // churned = 50000 (A3). NRR = (230000 + 50000 − 20000 − 50000) / 230000 = 210000 / 230000
    // = 91.304…% → 91.3.
    expect(row(res.json_, '2026-10', { currency: 'USD' })).toMatchObject({
      customersAtStart: 4,
      startArrMinor: 230000,
      expansionMinor: 50000,
      contractionMinor: 20000,
      churnedArrMinor: 50000,
      numerator: 210000,
      denominator: 230000,
      percent: 91.3,
    });
    // October EUR: A7, 200000 → 220000: (200000 + 20000) / 200000 = 110 %.
    expect(row(res.json_, '2026-10', { currency: 'EUR' })).toMatchObject({
      customersAtStart: 1,
      startArrMinor: 200000,
      expansionMinor: 20000,
      percent: 110,
    });
    // September: no renewals → 100 % in both currencies.
    expect(row(res.json_, '2026-09', { currency: 'USD' })).toMatchObject({
      startArrMinor: 230000,
      percent: 100,
    });
  });

  it('NRR of customers whose only one has no ARR is "no data", not a division by zero', async () => {
    const solo = await workspace();
    await account(solo, { arr: 0, contractStart: '2025-02-01' });
    const res = await get(solo, '/api/v1/measures/nrr?from=2026-10-01&to=2026-10-31');
    // One customer at the start with 0 ARR: start ARR 0 → percent null.
    expect(res.json_.rows).toEqual([
      expect.objectContaining({ currency: 'USD', customersAtStart: 1, startArrMinor: 0, percent: null }),
    ]);
    const churn = await get(solo, '/api/v1/measures/gross-churn?from=2026-10-01&to=2026-10-31');
    expect(row(churn.json_, '2026-10')).toMatchObject({ customersAtStart: 1, percent: 0 });
  });

  it('LTV = average revenue per account / churn rate, null when nobody churned', async () => {
    const res = await get(ws, `/api/v1/measures/ltv?${range}`);
    expect(res.statusCode, res.body).toBe(200);
    // October USD: 4 customers, start ARR 230000 → average 57500; October has 31 days, so revenue
    // per account = 57500 × 31 / 365 = 4883.56 → 4884; churn rate = 1 / 4 = 0.25;
    // LTV = 4883.5616… / 0.25 = 19534.25 → 19534.
    expect(row(res.json_, '2026-10', { currency: 'USD' })).toMatchObject({
      customersAtStart: 4,
      customersLost: 1,
      churnPercent: 25,
      averageArrMinor: 57500,
      periodDays: 31,
      revenuePerAccountMinor: 4884,
      ltvMinor: 19534,
    });
    // EUR in October and everything in September: nobody churned → null ("no data"), not Infinity.
    expect(row(res.json_, '2026-10', { currency: 'EUR' }).ltvMinor).toBeNull();
    expect(row(res.json_, '2026-09', { currency: 'USD' })).toMatchObject({ churnPercent: 0, ltvMinor: null });
    expect(res.json_.noData).toBe(false);
  });

  it('CSV export: the rows, one column per `columns` entry', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/measures/gross-churn?${range}&format=csv`,
      headers: ws.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.body.trim().split('\n')).toEqual([
      'period,periodStart,customersAtStart,customersLost,numerator,denominator,percent',
      '2026-09,2026-09-01T00:00:00.000Z,5,0,0,5,0',
      '2026-10,2026-10-01T00:00:00.000Z,5,1,1,5,20',
    ]);
    const accept = await app.inject({
      method: 'GET',
      url: `/api/v1/measures/nrr?${range}`,
      headers: { ...ws.headers, accept: 'text/csv' },
    });
    expect(accept.body.split('\n')[0]).toBe(
      'period,periodStart,currency,customersAtStart,startArrMinor,expansionMinor,contractionMinor,churnedArrMinor,numerator,denominator,percent',
    );
  });

  it('refuses an inverted range and an unknown dimension with a problem naming the parameter', async () => {
    const inverted = await get(ws, '/api/v1/measures/gross-churn?from=2026-10-31&to=2026-09-01');
    expect(inverted.statusCode).toBe(400);
    expect(inverted.headers['content-type']).toMatch(/problem\+json/);
    expect(inverted.json_.field).toBe('to');
    for (const m of ['renewal-save-rate', 'gross-churn', 'nrr', 'ltv', 'cohort-retention']) {
      const bad = await get(ws, `/api/v1/measures/${m}?by=colour`);
      expect(bad.statusCode, m).toBe(400);
      expect(bad.body, m).toMatch(/by/);
    }
  });
});

// -----------------------------------------------------------------------------------------------
// Renewal-save rate, October and November 2026 (UTC), now = 2026-11-15 12:00.
//
//   R1 strained since 09-20, renewal date 10-10, renewed 10-09        → at risk (temperature), saved
//   R2 fragile since 09-01, warm from 10-20, churned 10-15            → at risk (fragile at 10-15), lost
//   R3 warm, open renewal-risk promise since 09-25, renewal 10-20,
//      no outcome                                                     → at risk (flagged), not saved
//   R4 warm, payment failed 10-01 and recovered 10-03, renewed 10-18  → not at risk (recovered)
//   R5 neutral, payment failed 10-02 (never recovered), renewed 10-22 → at risk (flagged), saved
//   R6 warm since 09-01, renewed 10-12, strained only from 10-25      → not at risk at its renewal
//   R7 strained since 09-01, renewal date 11-25, no outcome yet       → November: pending
//   R8 strained since 09-01, renewal date 11-02, renewed early 10-30  → October: at risk, saved; the
//      date in November is the same renewal (answered within 90 days) → not counted again in November
//
//   October: at risk R1, R2, R3, R5, R8 = 5 (temperature R1, R2, R8; flagged R3, R5); renewed R1, R5,
//   R8 = 3 → 60 %. November: no at-risk renewal with an answer; R7 pending → percent null.
describe('renewal-save rate', () => {
  let ws: Ws;
  beforeAll(async () => {
    ws = await workspace();
    const r1 = await account(ws, { renewalDate: '2026-10-10', temperature: null });
    const r2 = await account(ws, { temperature: null });
    const r3 = await account(ws, { renewalDate: '2026-10-20', temperature: null });
    const r4 = await account(ws, { temperature: null });
    const r5 = await account(ws, {});
    const r6 = await account(ws, { temperature: null });
    const r7 = await account(ws, { renewalDate: '2026-11-25', temperature: null });
    const r8 = await account(ws, { renewalDate: '2026-11-02', temperature: null });
    await temperature(ws, r2, '2026-09-01T09:00:00Z', 'fragile');
    await temperature(ws, r3, '2026-09-01T09:00:00Z', 'warm');
    await temperature(ws, r4, '2026-09-01T09:00:00Z', 'warm');
    await temperature(ws, r6, '2026-09-01T09:00:00Z', 'warm');
    await temperature(ws, r7, '2026-09-01T09:00:00Z', 'strained');
    await temperature(ws, r8, '2026-09-01T09:00:00Z', 'strained');
    await temperature(ws, r1, '2026-09-20T09:00:00Z', 'strained');
    db.clock.now = new Date('2026-09-25T09:00:00Z');
    await createPromise(db.ctx, {
      principal: ws.admin,
      input: {
        accountId: r3,
        typeKey: 'risk_review',
        promiseMade: 'Review the renewal risks with their CFO',
        customerReason: 'Their CFO doubts the value before renewing',
        ownerId: ws.adminId,
        dueAt: new Date('2026-12-20T12:00:00Z'),
        source: 'renewal',
        consequence: 'renewal_risk',
      },
    });
    await temperature(ws, r2, '2026-10-20T09:00:00Z', 'warm');
    await temperature(ws, r6, '2026-10-25T09:00:00Z', 'strained');
    await renewal(ws, r1, '2026-10-09T10:00:00Z', 'renewed', 50000, 50000);
    await renewal(ws, r2, '2026-10-15T10:00:00Z', 'churned', 50000, 0);
    await signal(ws, {
      kind: 'billing',
      accountId: r4,
      event: 'payment_failed',
      occurredAt: new Date('2026-10-01T10:00:00Z'),
    });
    await signal(ws, {
      kind: 'billing',
      accountId: r4,
      event: 'payment_recovered',
      occurredAt: new Date('2026-10-03T10:00:00Z'),
    });
    await renewal(ws, r4, '2026-10-18T10:00:00Z', 'renewed', 50000, 50000);
    await signal(ws, {
      kind: 'billing',
      accountId: r5,
      event: 'payment_failed',
      occurredAt: new Date('2026-10-02T10:00:00Z'),
    });
    await renewal(ws, r5, '2026-10-22T10:00:00Z', 'renewed', 50000, 55000);
    await renewal(ws, r6, '2026-10-12T10:00:00Z', 'renewed', 50000, 50000);
    await renewal(ws, r8, '2026-10-30T10:00:00Z', 'renewed', 40000, 40000);
  });

  it('at-risk renewals that renewed / all at-risk renewals, risk judged at the renewal instant', async () => {
    const res = await get(ws, '/api/v1/measures/renewal-save-rate?from=2026-10-01&to=2026-11-30');
    expect(res.statusCode, res.body).toBe(200);
    // October: at risk R1, R2, R8 (temperature) and R3, R5 (flagged) = 5; renewed R1, R5, R8 = 3 → 60 %.
    expect(row(res.json_, '2026-10')).toMatchObject({
      atRiskRenewals: 5,
      atRiskByTemperature: 3,
      atRiskFlagged: 2,
      renewed: 3,
      churned: 1,
      noOutcome: 1,
      pending: 0,
      numerator: 3,
      denominator: 5,
      percent: 60,
    });
    // November: R7's renewal (11-25) is still ahead → pending, nothing to rate: percent null. R8's
    // date (11-02) was answered by its October renewal: not a second renewal here.
    expect(row(res.json_, '2026-11')).toMatchObject({
      atRiskRenewals: 0,
      noOutcome: 0,
      pending: 1,
      percent: null,
    });
  });
});

// -----------------------------------------------------------------------------------------------
// Cohort retention, cohorts August–October 2026, now = 2026-11-15 12:00 (UTC).
//
//   C1 start 08-05                      never churned
//   C2 start 08-20                      churned 09-10
//   C3 created 08-25 10:00 (no contract start)   churned 10-31 23:00 UTC
//   C4 start 09-02                      never churned
//   C5 start 09-30                      churned 11-05
describe('cohort retention', () => {
  let ws: Ws;
  beforeAll(async () => {
    ws = await workspace();
    await account(ws, { contractStart: '2026-08-05', arr: 1000 });
    const c2 = await account(ws, { contractStart: '2026-08-20', arr: 1000 });
    const c3 = await account(ws, { contractStart: null, createdAt: '2026-08-25T10:00:00Z', arr: 1000 });
    await account(ws, { contractStart: '2026-09-02', arr: 1000 });
    const c5 = await account(ws, { contractStart: '2026-09-30', arr: 1000 });
    await renewal(ws, c2, '2026-09-10T10:00:00Z', 'churned', 1000, 0);
    await renewal(ws, c3, '2026-10-31T23:00:00Z', 'churned', 1000, 0);
    await renewal(ws, c5, '2026-11-05T10:00:00Z', 'churned', 1000, 0);
  });

  const triangle = (body: Json) =>
    body.rows.map((r: Json) => [r.period, r.monthIndex, r.retained, r.size, r.percent]);

  it('is a triangle: each cohort at each month end since, up to now', async () => {
    const res = await get(ws, '/api/v1/measures/cohort-retention?from=2026-08-01&to=2026-10-31');
    expect(res.statusCode, res.body).toBe(200);
    expect(triangle(res.json_)).toEqual([
      // August: C1, C2, C3. Sep 1: all 3; Oct 1: C2 lost → 2; Nov 1: C3 lost Oct 31 → 1;
      // the current month, as of now: 1.
      ['2026-08', 0, 3, 3, 100],
      ['2026-08', 1, 2, 3, 66.67],
      ['2026-08', 2, 1, 3, 33.33],
      ['2026-08', 3, 1, 3, 33.33],
      // September: C4, C5. Oct 1: 2; Nov 1: 2; now: C5 lost Nov 5 → 1.
      ['2026-09', 0, 2, 2, 100],
      ['2026-09', 1, 2, 2, 100],
      ['2026-09', 2, 1, 2, 50],
      // October: nobody started → size 0, percent null ("no data"), never NaN.
      ['2026-10', 0, 0, 0, null],
      ['2026-10', 1, 0, 0, null],
    ]);
    expect(row(res.json_, '2026-08', { monthIndex: 3 }).asOf).toBe(NOW.toISOString());
    expect(row(res.json_, '2026-08', { monthIndex: 2 }).asOf).toBe('2026-11-01T00:00:00.000Z');
  });

  it('refuses answers over the row budget, naming what to change, before building them', async () => {
    // 1,994 daily cohorts since 2021-06-01, each measured at some 30–66 month ends: > 50,000 rows.
    const daily = await get(ws, '/api/v1/measures/cohort-retention?period=day&from=2021-06-01&to=2026-11-15');
    expect(daily.statusCode, daily.body).toBe(400);
    expect(daily.json_.field).toBe('from');
    expect(daily.json_.detail).toMatch(/50000 rows/);
    // Daily cohorts since 2024-01-01: about 1,050 cohorts × 12–35 month ends ≈ 25,000 rows answer;
    // split by tier (4 groups) they would be about 100,000: refused, naming `by`.
    const range = 'period=day&from=2024-01-01&to=2026-11-15';
    const whole = await get(ws, `/api/v1/measures/cohort-retention?${range}`);
    expect(whole.statusCode, whole.body).toBe(200);
    expect(whole.json_.rows.length).toBeGreaterThan(12_500);
    expect(whole.json_.rows.length).toBeLessThanOrEqual(50_000);
    const split = await get(ws, `/api/v1/measures/cohort-retention?${range}&by=tier`);
    expect(split.statusCode, split.body).toBe(400);
    expect(split.json_.field).toBe('by');
  });

  it('re-buckets when the workspace zone changes', async () => {
    // In Europe/Berlin (UTC+1 in winter) November starts at 10-31 23:00 UTC: C3's churn at that
    // instant is not before the Nov 1 month end, so August keeps 2 of 3 at index 2 (66.67 %).
    const patch = await send(app, {
      method: 'PATCH',
      url: '/api/v1/workspace',
      headers: ws.headers,
      payload: { timeZone: 'Europe/Berlin' },
    });
    expect(patch.statusCode, patch.body).toBe(200);
    const res = await get(ws, '/api/v1/measures/cohort-retention?from=2026-08-01&to=2026-08-31');
    expect(res.json_.zone).toBe('Europe/Berlin');
    expect(row(res.json_, '2026-08', { monthIndex: 2 })).toMatchObject({
      asOf: '2026-10-31T23:00:00.000Z',
      retained: 2,
      percent: 66.67,
    });
  });
});

// -----------------------------------------------------------------------------------------------
// Health, now = 2026-11-15 12:00 UTC, default weights (recency 20, frequency 15, core usage 15,
// tickets 15, open promises 5, overdue promises 15, temperature 15; sum 100).
describe('health score', () => {
  let ws: Ws;
  let h1: string;
  let h2: string;
  let memberHeaders: { authorization: string };
  beforeAll(async () => {
    ws = await workspace();
    h1 = await account(ws, { temperature: null });
    h2 = await account(ws, {}); // neutral, nothing else
    const activity = (at: string, count?: number) =>
      signal(ws, {
        kind: 'product_activity',
        accountId: h1,
        occurredAt: new Date(at),
        activity: 'report_exported',
        ...(count === undefined ? {} : { count }),
      });
    await activity('2026-10-01T10:00:00Z', 100); // 45 days ago: outside the 30-day window
    await activity('2026-10-20T09:00:00Z'); // counts 1
    await activity('2026-10-20T15:00:00Z', 4); // same day
    await activity('2026-11-01T10:00:00Z', 15);
    await activity('2026-11-08T12:00:00Z', 10); // the latest: 7 days before now
    const complaint = (at: string) =>
      signal(ws, {
        kind: 'complaint',
        accountId: h1,
        occurredAt: new Date(at),
        concernKey: 'exports',
        concern: 'Exports time out',
      });
    await complaint('2026-07-01T10:00:00Z'); // 137 days ago: outside the 90 days
    await complaint('2026-10-01T10:00:00Z');
    await signal(ws, {
      kind: 'escalation',
      accountId: h1,
      occurredAt: new Date('2026-11-10T10:00:00Z'),
      politicalRisk: 'Their VP is watching',
      desiredReassurance: 'A date',
    });
    db.clock.now = new Date('2026-11-01T09:00:00Z');
    const promise = (due: string) =>
      createPromise(db.ctx, {
        principal: ws.admin,
        input: {
          accountId: h1,
          typeKey: 'product_follow_up',
          promiseMade: 'Fix the export timeouts',
          customerReason: 'Month-end reporting depends on it',
          ownerId: ws.adminId,
          dueAt: new Date(due),
          source: 'support',
        },
      });
    await promise('2026-11-10T12:00:00Z'); // overdue now
    await promise('2026-12-01T12:00:00Z');
    await temperature(ws, h1, '2026-11-02T09:00:00Z', 'strained');
    const member = await buildUser(db.ctx, { workspaceId: ws.workspaceId, role: 'member' });
    memberHeaders = await tokenHeaders(db.ctx, ws.workspaceId, member.userId);
  });

  // H1: recency 7 days → 100 − 7·100/28 = 75; frequency: active days in the last 30 (since 10-16
  // 12:00) = 10-20, 11-01, 11-08 = 3 → 15; core usage = 1 + 4 + 15 + 10 = 30 events → 30; tickets in
  // 90 days = complaint 10-01 + escalation 11-10 = 2 → 50; open promises 2 → 80; overdue 1 → 75;
  // strained → 35. Score = 0.20·75 + 0.15·15 + 0.15·30 + 0.15·50 + 0.05·80 + 0.15·75 + 0.15·35
  // = 15 + 2.25 + 4.5 + 7.5 + 4 + 11.25 + 5.25 = 49.75.
  // H2: no activity → 0, 0, 0; tickets 0 → 100; promises 0 → 100, 100; neutral → 70.
  // Score = 0 + 0 + 0 + 15 + 5 + 15 + 10.5 = 45.5.
  it('scores each account with an explainable breakdown that sums to the score', async () => {
    const res = await get(ws, '/api/v1/measures/health');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_.total).toBe(2);
    // Lowest first: H2 (45.5), then H1 (49.75).
    expect(res.json_.accounts.map((a: Json) => [a.accountId, a.score])).toEqual([
      [h2, 45.5],
      [h1, 49.75],
    ]);
    const one = res.json_.accounts[1];
    expect(one.breakdown.map((p: Json) => [p.component, p.raw, p.score, p.weight, p.contribution])).toEqual([
      ['recency', 7, 75, 0.2, 15],
      ['frequency', 3, 15, 0.15, 2.25],
      ['coreUsage', 30, 30, 0.15, 4.5],
      ['tickets', 2, 50, 0.15, 7.5],
      ['openPromises', 2, 80, 0.05, 4],
      ['overduePromises', 1, 75, 0.15, 11.25],
      ['temperature', 'strained', 35, 0.15, 5.25],
    ]);
    const sum = one.breakdown.reduce((s: number, p: Json) => s + p.contribution, 0);
    expect(sum).toBeCloseTo(one.score, 9);
    expect(res.json_.rows[1]).toMatchObject({
      accountId: h1,
      score: 49.75,
      recencyRaw: 7,
      recencyContribution: 15,
    });

    const desc = await get(ws, '/api/v1/measures/health?sort=-score&limit=1');
    expect(desc.json_.accounts.map((a: Json) => a.accountId)).toEqual([h1]);
    expect(desc.json_.total).toBe(2);
    const only = await get(ws, `/api/v1/measures/health?accountId=${h2}`);
    expect(only.json_.rows.map((r: Json) => r.accountId)).toEqual([h2]);
    const missing = await get(ws, `/api/v1/measures/health?accountId=${uuidv7()}`);
    expect(missing.statusCode).toBe(404);
  });

  it('weights change the score; only settings managers may set them, and not to nothing', async () => {
    const before = await get(ws, '/api/v1/measures/health/weights');
    expect(before.json_).toMatchObject({ isDefault: true, weights: { recency: 20, temperature: 15 } });
    const only = { recency: 0, frequency: 0, coreUsage: 0, tickets: 0, openPromises: 0, overduePromises: 0 };
    const put = (headers: Record<string, string>, payload: object) =>
      send(app, { method: 'PUT', url: '/api/v1/measures/health/weights', headers, payload });
    expect((await put(memberHeaders, { ...only, temperature: 1 })).statusCode).toBe(403);
    const zero = await put(ws.headers, { ...only, temperature: 0 });
    expect(zero.statusCode).toBe(400);
    expect(zero.body).toMatch(/weights/);
    const negative = await put(ws.headers, { ...only, temperature: -1 });
    expect(negative.statusCode).toBe(400);
    expect(negative.body).toMatch(/temperature/);

    const ok = await put(ws.headers, { ...only, temperature: 3 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json_).toMatchObject({ isDefault: false, normalised: { temperature: 1, recency: 0 } });
    // All the weight on temperature: H1 (strained) = 35, H2 (neutral) = 70; H1 now comes first.
    const res = await get(ws, '/api/v1/measures/health');
    expect(res.json_.accounts.map((a: Json) => [a.accountId, a.score])).toEqual([
      [h1, 35],
      [h2, 70],
    ]);
    const csv = await app.inject({
      method: 'GET',
      url: '/api/v1/measures/health?format=csv',
      headers: ws.headers,
    });
    const lines = csv.body.trim().split('\n');
    expect(lines[0]!.startsWith('accountId,accountName,tier,ownerId,score,recencyRaw,')).toBe(true);
    expect(lines[1]!.startsWith(`${h1},`)).toBe(true);
    expect(lines).toHaveLength(3);
  });
});
