// The customer-signal measures through HTTP against a real database (PGlite, or Postgres with
// TEST_DATABASE_URL). Each measure gets a small hand-built fixture in a workspace of its own, built
// through the API with the settable clock; every expected value is worked out in the comments from
// the definition (PRODUCT.md, and the precision each measure's `definition` adds), not copied from
// the implementation. Also: the 45-day boundary (exactly, +1 ms, −1 ms), empty periods (zeros and
// percent null, never NaN), zero respondents, a time-zone change re-bucketing periods, bad input, CSV.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { openTestDb, type TestDb } from './support/db.js';
import { buildUser, buildWorkspace, tokenHeaders } from './support/factories.js';
import { type Json, send } from './support/http.js';

const DAY = 86_400_000;
const isoOf = (t: number) => new Date(t).toISOString();

type Headers = { authorization: string };

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

const at = (iso: string) => {
  db.clock.now = new Date(iso);
};

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, headers: Headers, payload?: unknown) {
  return send(app, {
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function ok(method: 'GET' | 'POST' | 'PATCH', url: string, headers: Headers, payload?: unknown) {
  const res = await call(method, url, headers, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json_ as Json;
}

/**
 * A workspace with its admin, two account owners (the first reports to a manager, the second to
 * nobody) and one account per given tier, owned by the first owner, then the second, alternately.
 */
async function workspace(tiers: string[], accountFields: Json[] = []) {
  const ws = await buildWorkspace(db.ctx);
  const admin = await tokenHeaders(db.ctx, ws.workspaceId, ws.adminId);
  const managerId = (await buildUser(db.ctx, { workspaceId: ws.workspaceId, role: 'manager' })).userId;
  const owner1 = (await buildUser(db.ctx, { workspaceId: ws.workspaceId, managerId })).userId;
  const owner2 = (await buildUser(db.ctx, { workspaceId: ws.workspaceId })).userId;
  const accounts: string[] = [];
  for (const [i, tier] of tiers.entries()) {
    const body = await ok('POST', '/api/v1/accounts', admin, {
      name: `Account ${i}`,
      tier,
      ownerId: i % 2 === 0 ? owner1 : owner2,
      ...(accountFields[i] ?? {}),
    });
    accounts.push(body.id);
  }
  return { ...ws, admin, managerId, owner1, owner2, accounts };
}

const complaint = (accountId: string, concernKey: string, occurredAt: string) => ({
  kind: 'complaint',
  accountId,
  concernKey,
  concern: `The customer's concern: ${concernKey}`,
  occurredAt,
});
const escalation = (accountId: string, occurredAt?: string) => ({
  kind: 'escalation',
  accountId,
  politicalRisk: 'Our champion defended the purchase to the board',
  desiredReassurance: 'A named executive and a written plan',
  ...(occurredAt ? { occurredAt } : {}),
});
const promise = (accountId: string, ownerId: string, o: Json = {}) => ({
  accountId,
  typeKey: 'product_follow_up',
  promiseMade: 'Send a 2-minute video showing how to filter exports by region',
  customerReason: 'She defends the rollout in Monday’s leadership meeting',
  ownerId,
  dueAt: isoOf(db.clock.now.getTime() + 20 * DAY),
  ...o,
});

/** The measure's rows as { period/dimension → row } for compact assertions. */
const byKey = (body: Json) =>
  Object.fromEntries(
    (body.rows as Json[]).map((r) => [r.dimension === undefined ? r.period : `${r.period} ${r.label}`, r]),
  );

// ── Repeat complaints, "already told you", and a time-zone change ───────────────────────────────────
describe('repeat complaint rate (45 days) and "already told you" escalations', () => {
  let w: Awaited<ReturnType<typeof workspace>>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // X: enterprise, owned by owner1 (team: the manager). Y: smb, owned by owner2 (no manager: "(none)").
    w = await workspace(['enterprise', 'smb']);
    const [X, Y] = w.accounts as [string, string];
    at('2026-12-31T00:00:00Z');
    // Recorded in the order they happened, so complaint memory sees each one's predecessors.
    const fixture: [string, string, string, string][] = [
      ['c1', X, 'exports', '2026-03-01T10:00:00.000Z'],
      ['c3', Y, 'exports', '2026-03-01T10:00:00.000Z'], // same concern, other account: no link to c1
      ['c6', Y, 'billing', '2026-03-20T00:00:00.000Z'],
      ['c9', Y, 'onboarding', '2026-04-01T02:00:00.000Z'], // 31 March 22:00 in New York
      ['c2', X, 'exports', '2026-04-15T10:00:00.000Z'], // c1 + 45 d exactly
      ['c4', Y, 'exports', '2026-04-15T10:00:00.001Z'], // c3 + 45 d + 1 ms
      ['c5', X, 'billing', '2026-04-15T12:00:00.000Z'], // X's first billing complaint
      ['c7', Y, 'billing', '2026-05-03T23:59:59.999Z'], // c6 + 45 d − 1 ms
      ['c8', X, 'exports', '2026-05-10T00:00:00.000Z'], // c2 + 24 d 14 h
    ];
    for (const [name, account, concern, occurredAt] of fixture) {
      ids[name] = (await ok('POST', '/api/v1/signals', w.admin, complaint(account, concern, occurredAt))).id;
    }
    const escalations: [string, string, string][] = [
      ['e1', X, '2026-04-20T00:00:00.000Z'],
      ['e2', Y, '2026-04-20T00:00:00.000Z'],
      ['e3', Y, '2026-05-04T00:00:00.000Z'],
      ['e4', X, '2026-06-24T00:00:00.001Z'], // c8 + 45 d + 1 ms
      ['e5', X, '2026-06-24T00:00:00.000Z'], // c8 + 45 d exactly
    ];
    for (const [name, account, occurredAt] of escalations) {
      ids[name] = (await ok('POST', '/api/v1/signals', w.admin, escalation(account, occurredAt))).id;
    }
  });

  it('complaint memory flags exactly the complaints the measure counts as repeats', async () => {
    // withinRepeatWindow: gap in [0, 45 d] — c2 (exactly 45 d) and c7 (45 d − 1 ms) repeat, c4 (45 d + 1 ms) does not.
    const repeatOf = async (name: string) =>
      (await ok('GET', `/api/v1/signals/${ids[name]}`, w.admin)).repeatOfId as string | null;
    expect(await repeatOf('c2')).toBe(ids.c1);
    expect(await repeatOf('c4')).toBeNull();
    expect(await repeatOf('c7')).toBe(ids.c6);
    expect(await repeatOf('c8')).toBe(ids.c2);
    expect(await repeatOf('c3')).toBeNull();
    expect(await repeatOf('c5')).toBeNull();
  });

  it('by month, with an empty month (zeros, percent null)', async () => {
    const body = await ok(
      'GET',
      '/api/v1/measures/repeat-complaint-rate?from=2026-03-01&to=2026-06-30&period=month',
      w.admin,
    );
    expect(body).toMatchObject({
      measure: 'repeat_complaint_rate',
      zone: 'UTC',
      period: 'month',
      noData: false,
    });
    expect(body.columns).toEqual([
      'period',
      'periodStart',
      'numerator',
      'denominator',
      'percent',
      'complaints',
      'repeatComplaints',
    ]);
    // March: c1, c3, c6 — nobody complained on those concerns before → 0 / 3 = 0 %.
    // April: c2 (repeat: c1 exactly 45 d before), c4 (c3 is 45 d + 1 ms before: no), c5 (X's first billing),
    //        c9 (Y's first onboarding) → 1 / 4 = 25 %.
    // May:   c7 (c6 is 45 d − 1 ms before: repeat), c8 (c2 24 d before: repeat) → 2 / 2 = 100 %.
    // June:  no complaints → 0 / 0, percent null.
    expect(body.rows).toEqual([
      {
        period: '2026-03',
        periodStart: '2026-03-01T00:00:00.000Z',
        numerator: 0,
        denominator: 3,
        percent: 0,
        complaints: 3,
        repeatComplaints: 0,
      },
      {
        period: '2026-04',
        periodStart: '2026-04-01T00:00:00.000Z',
        numerator: 1,
        denominator: 4,
        percent: 25,
        complaints: 4,
        repeatComplaints: 1,
      },
      {
        period: '2026-05',
        periodStart: '2026-05-01T00:00:00.000Z',
        numerator: 2,
        denominator: 2,
        percent: 100,
        complaints: 2,
        repeatComplaints: 2,
      },
      {
        period: '2026-06',
        periodStart: '2026-06-01T00:00:00.000Z',
        numerator: 0,
        denominator: 0,
        percent: null,
        complaints: 0,
        repeatComplaints: 0,
      },
    ]);
  });

  it('by tier and by team', async () => {
    const tier = byKey(
      await ok(
        'GET',
        '/api/v1/measures/repeat-complaint-rate?from=2026-04-01&to=2026-04-30&by=tier',
        w.admin,
      ),
    );
    // April, enterprise (X): c2 repeat, c5 not → 1 / 2 = 50 %. smb (Y): c4, c9 → 0 / 2 = 0 %.
    // Every tier gets its row: strategic and mid-market have no complaints → percent null.
    expect(tier['2026-04 Enterprise']).toMatchObject({
      dimension: 'enterprise',
      numerator: 1,
      denominator: 2,
      percent: 50,
    });
    expect(tier['2026-04 SMB']).toMatchObject({ dimension: 'smb', numerator: 0, denominator: 2, percent: 0 });
    expect(tier['2026-04 Strategic']).toMatchObject({ numerator: 0, denominator: 0, percent: null });
    expect(tier['2026-04 Mid-market']).toMatchObject({ numerator: 0, denominator: 0, percent: null });

    const team = (
      await ok('GET', '/api/v1/measures/repeat-complaint-rate?from=2026-05-01&to=2026-05-31&by=team', w.admin)
    ).rows as Json[];
    // May: c8 on X (owner1 → the manager's team) 1 / 1; c7 on Y (owner2 has no manager → "(none)") 1 / 1.
    expect(team.find((r) => r.dimension === w.managerId)).toMatchObject({
      numerator: 1,
      denominator: 1,
      percent: 100,
    });
    expect(team.find((r) => r.dimension === null)).toMatchObject({
      label: '(none)',
      numerator: 1,
      denominator: 1,
    });
  });

  it('"already told you" escalations per month, and per month over a week and a quarter', async () => {
    const body = await ok(
      'GET',
      '/api/v1/measures/already-told-you?from=2026-03-01&to=2026-06-30&period=month',
      w.admin,
    );
    expect(body.columns).toEqual([
      'period',
      'periodStart',
      'alreadyToldYou',
      'escalations',
      'days',
      'perMonth',
    ]);
    // An escalation counts when its account had a repeat complaint in [t − 45 d, t]:
    // e1 (X, 20 Apr): c2 (15 Apr) is a repeat → yes.  e2 (Y, 20 Apr): Y's c4, c6, c9 are not repeats → no.
    // e3 (Y, 4 May): c7 (3 May 23:59:59.999, repeat) → yes.
    // e5 (X, 24 Jun 00:00): c8 (10 May 00:00, repeat) is exactly 45 d before → yes.
    // e4 (X, 24 Jun 00:00:00.001): c8 is 45 d + 1 ms before, c2 older → no.
    // In a calendar month perMonth is the count itself.
    expect(
      body.rows.map((r: Json) => [r.period, r.alreadyToldYou, r.escalations, r.days, r.perMonth]),
    ).toEqual([
      ['2026-03', 0, 0, 31, 0],
      ['2026-04', 1, 2, 30, 1],
      ['2026-05', 1, 1, 31, 1],
      ['2026-06', 1, 2, 30, 1],
    ]);
    // ISO week 2026-W17 (Mon 20 – Sun 26 April, 7 days): e1 → 1 × 30.4375 / 7 = 4.348… → 4.35.
    const week = await ok(
      'GET',
      '/api/v1/measures/already-told-you?from=2026-04-20&to=2026-04-26&period=week',
      w.admin,
    );
    expect(week.rows).toEqual([
      {
        period: '2026-W17',
        periodStart: '2026-04-20T00:00:00.000Z',
        alreadyToldYou: 1,
        escalations: 2,
        days: 7,
        perMonth: 4.35,
      },
    ]);
    // 2026-Q2 (91 days): e1, e3, e5 → 3 × 30.4375 / 91 = 1.0034… → 1 (five escalations).
    const quarter = await ok(
      'GET',
      '/api/v1/measures/already-told-you?from=2026-04-01&to=2026-06-30&period=quarter',
      w.admin,
    );
    expect(quarter.rows[0]).toMatchObject({
      period: '2026-Q2',
      alreadyToldYou: 3,
      escalations: 5,
      days: 91,
      perMonth: 1,
    });
  });

  it('CSV export: the columns as header, one line per row, an empty cell for a null percent', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/measures/repeat-complaint-rate?from=2026-05-01&to=2026-06-30&format=csv',
      headers: w.admin,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="repeat_complaint_rate.csv"');
    expect(res.body.trim().split('\n')).toEqual([
      'period,periodStart,numerator,denominator,percent,complaints,repeatComplaints',
      '2026-05,2026-05-01T00:00:00.000Z,2,2,100,2,2',
      '2026-06,2026-06-01T00:00:00.000Z,0,0,,0,0',
    ]);
    // Accept: text/csv selects CSV too.
    const accept = await app.inject({
      method: 'GET',
      url: '/api/v1/measures/already-told-you?from=2026-04-01&to=2026-04-30',
      headers: { ...w.admin, accept: 'text/csv' },
    });
    expect(accept.body.trim().split('\n')).toEqual([
      'period,periodStart,alreadyToldYou,escalations,days,perMonth',
      '2026-04,2026-04-01T00:00:00.000Z,1,2,30,1',
    ]);
  });

  it('bad input: an inverted range, an unknown dimension, an unknown parameter — problem+json naming the field', async () => {
    for (const [url, field] of [
      ['/api/v1/measures/repeat-complaint-rate?from=2026-06-01&to=2026-05-01', 'to'],
      ['/api/v1/measures/repeat-complaint-rate?by=planet', 'by'],
      ['/api/v1/measures/nps?by=type', 'by'], // type splits promises, not survey responses
      ['/api/v1/measures/already-told-you?from=2026-06-01', 'to'],
      ['/api/v1/measures/csat?from=2026-02-30x&to=2026-03-01', 'from'],
      ['/api/v1/measures/escalations-reopened?colour=red', 'colour'],
    ] as const) {
      const res = await call('GET', url, w.admin);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json_.field, url).toBe(field);
    }
  });

  it('a workspace time-zone change re-buckets the periods (New York)', async () => {
    await ok('PATCH', '/api/v1/workspace', w.admin, { timeZone: 'America/New_York' });
    const body = await ok(
      'GET',
      '/api/v1/measures/repeat-complaint-rate?from=2026-03-01&to=2026-05-31&period=month',
      w.admin,
    );
    expect(body.zone).toBe('America/New_York');
    // c9 (1 April 02:00 UTC) is 31 March 22:00 in New York: March now has c1, c3, c6, c9 → 0 / 4;
    // April keeps c2 (repeat), c4, c5 → 1 / 3 = 33.33 %; May is unchanged, 2 / 2.
    expect(
      body.rows.map((r: Json) => [r.period, r.periodStart, r.numerator, r.denominator, r.percent]),
    ).toEqual([
      ['2026-03', '2026-03-01T05:00:00.000Z', 0, 4, 0],
      ['2026-04', '2026-04-01T04:00:00.000Z', 1, 3, 33.33],
      ['2026-05', '2026-05-01T04:00:00.000Z', 2, 2, 100],
    ]);
  });
});

// ── Escalations reopened within 60 days ────────────────────────────────────────────────────────────
describe('escalations reopened within 60 days', () => {
  it('counts closings per period, a reopening at exactly 60 days as within, 60 d + 1 ms as not', async () => {
    const w = await workspace(['strategic']);
    const [P] = w.accounts as [string];
    const followUp = () => ({
      followUpPromise: {
        promiseMade: 'Send the COO the written root-cause plan',
        customerReason: 'The COO has to report to the board',
        ownerId: w.owner1,
        dueAt: isoOf(db.clock.now.getTime() + 3 * DAY),
      },
    });
    at('2026-07-01T09:00:00Z');
    const A = (await ok('POST', '/api/v1/signals', w.admin, escalation(P))).id;
    at('2026-07-02T09:00:00Z');
    const B = (await ok('POST', '/api/v1/signals', w.admin, escalation(P))).id;
    at('2026-07-03T09:00:00Z');
    const C = (await ok('POST', '/api/v1/signals', w.admin, escalation(P))).id;
    at('2026-07-10T00:00:00Z');
    await ok('POST', `/api/v1/signals/${A}/close`, w.admin, followUp());
    at('2026-07-15T00:00:00Z');
    await ok('POST', `/api/v1/signals/${B}/close`, w.admin, followUp());
    at('2026-08-05T00:00:00Z');
    await ok('POST', `/api/v1/signals/${C}/close`, w.admin, followUp());
    at('2026-09-08T00:00:00Z'); // A's closing + 60 d exactly
    await ok('POST', `/api/v1/signals/${A}/reopen`, w.admin, { reason: 'Outage again' });
    at('2026-09-13T00:00:00.001Z'); // B's closing + 60 d + 1 ms
    await ok('POST', `/api/v1/signals/${B}/reopen`, w.admin, { reason: 'Outage again' });
    at('2026-09-20T00:00:00Z');
    await ok('POST', `/api/v1/signals/${A}/close`, w.admin, followUp());

    const body = await ok(
      'GET',
      '/api/v1/measures/escalations-reopened?from=2026-07-01&to=2026-10-31&period=month',
      w.admin,
    );
    // July: A closed 10 Jul (reopened 60 d later: within), B closed 15 Jul (reopened 60 d + 1 ms later: not) → 1 / 2 = 50 %.
    // August: C closed, never reopened → 0 / 1. September: A's second closing, not reopened → 0 / 1.
    // October: nothing closed → 0 / 0, percent null.
    expect(
      body.rows.map((r: Json) => [
        r.period,
        r.numerator,
        r.denominator,
        r.percent,
        r.closedEscalations,
        r.reopenedWithin60Days,
      ]),
    ).toEqual([
      ['2026-07', 1, 2, 50, 2, 1],
      ['2026-08', 0, 1, 0, 1, 0],
      ['2026-09', 0, 1, 0, 1, 0],
      ['2026-10', 0, 0, null, 0, 0],
    ]);
    // The whole quarter Q3: A (closed twice: 10 Jul, reopened within; 20 Sep) counts once, reopened; B not; C not → 1 / 3.
    const q3 = await ok(
      'GET',
      '/api/v1/measures/escalations-reopened?from=2026-07-01&to=2026-09-30&period=quarter&by=tier',
      w.admin,
    );
    expect(byKey(q3)['2026-Q3 Strategic']).toMatchObject({ numerator: 1, denominator: 3, percent: 33.33 });
  });
});

// ── Proactive update rate ──────────────────────────────────────────────────────────────────────────
describe('proactive update rate', () => {
  it('an update to the customer before any chase is proactive; a chase at the same instant is not', async () => {
    const w = await workspace(['mid_market', 'mid_market']);
    const [A, B] = w.accounts as [string, string];
    at('2026-07-01T00:00:00Z');
    const p: Record<string, string> = {};
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      p[name] = (
        await ok(
          'POST',
          '/api/v1/promises',
          w.admin,
          promise(A, w.owner1, name === 'p2' ? { typeKey: 'support_resolution' } : {}),
        )
      ).id;
    }
    p.p6 = (await ok('POST', '/api/v1/promises', w.admin, promise(B, w.owner2))).id;
    const update = (name: string, audience?: 'customer' | 'internal') =>
      ok('POST', `/api/v1/promises/${p[name]}/comments`, w.admin, {
        text: 'Sent Maya the status of the export fix',
        ...(audience ? { audience } : {}),
      });
    const chase = (accountId: string, promiseId: string | null, occurredAt?: string) =>
      ok('POST', '/api/v1/signals', w.admin, {
        kind: 'customer_chased',
        accountId,
        ...(promiseId ? { promiseId } : {}),
        ...(occurredAt ? { occurredAt } : {}),
      });

    at('2026-07-05T10:00:00Z');
    const first = await update('p1', 'customer');
    // The audience is in the event only when it is the customer (an internal comment keeps the old shape).
    expect(first.event).toMatchObject({
      type: 'commented',
      payload: { text: expect.any(String), audience: 'customer' },
    });
    at('2026-07-06T00:00:00Z');
    await chase(A, p.p1!); // after p1's update
    at('2026-07-07T00:00:00Z');
    await chase(A, p.p2!, '2026-07-03T00:00:00Z'); // before p2's update
    await update('p2', 'customer');
    at('2026-07-08T00:00:00Z');
    await update('p3', 'customer');
    await chase(A, p.p3!); // the same instant as p3's update
    at('2026-07-09T00:00:00Z');
    expect((await update('p4')).event.payload).toEqual({ text: 'Sent Maya the status of the export fix' });
    expect((await update('p4', 'internal')).event.payload).toEqual({
      text: 'Sent Maya the status of the export fix',
    });
    at('2026-07-31T23:00:00Z');
    await update('p5', 'customer');
    at('2026-08-01T00:00:00Z');
    await chase(B, null); // a chase about the account, not a promise: not counted
    at('2026-08-02T00:00:00Z');
    await update('p5', 'customer'); // p5's second update: p5 stays in July
    at('2026-08-10T00:00:00Z');
    await update('p6', 'customer');
    const bad = await call('POST', `/api/v1/promises/${p.p6}/comments`, w.admin, {
      text: 'x',
      audience: 'everyone',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json_.field).toBe('audience');

    const body = await ok(
      'GET',
      '/api/v1/measures/proactive-update-rate?from=2026-07-01&to=2026-09-30&period=month',
      w.admin,
    );
    // July (first customer updates): p1 (chased after: proactive), p2 (chased 3 Jul, updated 7 Jul: not),
    //   p3 (chase at the same instant: not), p5 (no chase: proactive) → 2 / 4 = 50 %; p4 has internal comments only.
    // August: p6 (the 1 Aug chase names no promise) → 1 / 1 = 100 %. September: none → percent null.
    expect(
      body.rows.map((r: Json) => [r.period, r.numerator, r.denominator, r.percent, r.chasedFirst]),
    ).toEqual([
      ['2026-07', 2, 4, 50, 2],
      ['2026-08', 1, 1, 100, 0],
      ['2026-09', 0, 0, null, 0],
    ]);
    const byType = byKey(
      await ok(
        'GET',
        '/api/v1/measures/proactive-update-rate?from=2026-07-01&to=2026-07-31&by=type',
        w.admin,
      ),
    );
    // July by type: product follow-up p1, p3, p5 → 2 / 3 = 66.67 %; support resolution p2 → 0 / 1.
    expect(byType['2026-07 Product follow-up']).toMatchObject({
      dimension: 'product_follow_up',
      numerator: 2,
      denominator: 3,
      percent: 66.67,
    });
    expect(byType['2026-07 Support resolution']).toMatchObject({ numerator: 0, denominator: 1, percent: 0 });
    const byOwner = (
      await ok(
        'GET',
        '/api/v1/measures/proactive-update-rate?from=2026-08-01&to=2026-08-31&by=owner',
        w.admin,
      )
    ).rows as Json[];
    // August: p6 is owner2's promise → owner2 1 / 1 (only owners with data get rows).
    expect(byOwner).toEqual([expect.objectContaining({ dimension: w.owner2, numerator: 1, denominator: 1 })]);
  });
});

// ── Expectation mismatch rate (first 30 days) ──────────────────────────────────────────────────────
describe('expectation mismatch rate (first 30 days)', () => {
  it('new accounts by contract start (else creation); mismatch complaints and broken handoff promises in [start, start + 30 d]', async () => {
    const w = await workspace([]);
    const account = async (name: string, contractStart: string | null) =>
      (
        await ok('POST', '/api/v1/accounts', w.admin, {
          name,
          tier: 'smb',
          ownerId: w.owner1,
          ...(contractStart ? { contractStart } : {}),
        })
      ).id as string;
    at('2026-08-20T00:00:00Z');
    const a1 = await account('a1', '2026-09-01'); // created in August, starts 1 Sep → new in September
    at('2026-08-25T00:00:00Z');
    const a6 = await account('a6', null); // new in August
    at('2026-08-26T00:00:00Z');
    const a2 = await account('a2', '2026-09-10');
    at('2026-09-15T12:00:00Z');
    const a3 = await account('a3', null); // starts 15 Sep 12:00
    at('2026-09-15T13:00:00Z');
    const handoff = await ok('POST', '/api/v1/handoffs', w.admin, {
      accountId: a3,
      toUserId: w.owner1,
      items: [
        {
          believesWeWill: 'Migrate their three years of invoices by the end of the month',
          customerReason: 'Their auditors start in October',
          dueAt: '2026-09-30T00:00:00Z',
        },
      ],
    });
    const done = await ok('POST', `/api/v1/handoffs/${handoff.id}/complete`, w.admin);
    at('2026-09-16T00:00:00Z');
    const a4 = await account('a4', null);
    at('2026-09-17T00:00:00Z');
    await ok('POST', '/api/v1/signals', w.admin, complaint(a4, 'exports', '2026-09-17T00:00:00Z')); // not a mismatch concern
    at('2026-09-18T00:00:00Z');
    const plain = await ok('POST', '/api/v1/promises', w.admin, promise(a4, w.owner1));
    await ok('POST', `/api/v1/promises/${plain.id}/break`, w.admin, { reason: 'Team reassigned' }); // not a handoff promise
    at('2026-09-20T00:00:00Z');
    await ok('POST', `/api/v1/promises/${done.promises[0].id}/break`, w.admin, { reason: 'Importer failed' });
    at('2026-09-30T00:00:00Z');
    const a5 = await account('a5', '2026-10-05'); // new in October
    at('2026-10-04T00:00:00Z');
    await ok(
      'POST',
      '/api/v1/signals',
      w.admin,
      complaint(a5, 'Expectation mismatch', '2026-10-04T00:00:00Z'),
    ); // before its start
    at('2026-10-10T00:00:00.001Z');
    // a1 starts 1 Sep 00:00 UTC: 1 Oct 00:00 is start + 30 d exactly (counts).
    await ok(
      'POST',
      '/api/v1/signals',
      w.admin,
      complaint(a1, 'Expectation mismatch', '2026-10-01T00:00:00Z'),
    );
    // a2 starts 10 Sep: 10 Oct 00:00:00.001 is start + 30 d + 1 ms (does not count).
    await ok(
      'POST',
      '/api/v1/signals',
      w.admin,
      complaint(a2, 'expectation-mismatch reporting', '2026-10-10T00:00:00.001Z'),
    );
    at('2026-10-20T00:00:00Z');

    const body = await ok(
      'GET',
      '/api/v1/measures/expectation-mismatch-rate?from=2026-08-01&to=2026-11-30&period=month',
      w.admin,
    );
    // August: a6 → 0 / 1.
    // September: a1 (mismatch complaint at start + 30 d), a2 (complaint at + 30 d + 1 ms: no), a3 (its handoff
    //   promise broken 5 days after start), a4 (an "exports" complaint, a broken non-handoff promise: no) → 2 / 4 = 50 %.
    // October: a5 (its mismatch complaint came before its start) → 0 / 1; on 20 Oct it is still in its first 30 days.
    // November: no new accounts → 0 / 0, null.
    expect(
      body.rows.map((r: Json) => [
        r.period,
        r.numerator,
        r.denominator,
        r.percent,
        r.withMismatchComplaint,
        r.withBrokenHandoffPromise,
        r.stillInFirst30Days,
      ]),
    ).toEqual([
      ['2026-08', 0, 1, 0, 0, 0, 0],
      ['2026-09', 2, 4, 50, 1, 1, 0],
      ['2026-10', 0, 1, 0, 0, 0, 1],
      ['2026-11', 0, 0, null, 0, 0, 0],
    ]);
    expect(a6).toBeTruthy();
  });
});

// ── NPS and CSAT ───────────────────────────────────────────────────────────────────────────────────
describe('NPS and CSAT', () => {
  let w: Awaited<ReturnType<typeof workspace>>;
  beforeAll(async () => {
    w = await workspace(['enterprise', 'smb']);
    const [X, Y] = w.accounts as [string, string];
    at('2026-12-31T00:00:00Z');
    const survey = (kind: string, accountId: string, score: number, day: string) =>
      ok('POST', '/api/v1/signals', w.admin, { kind, accountId, score, occurredAt: `${day}T12:00:00Z` });
    for (const s of [10, 9, 9, 6]) await survey('nps', X, s, '2026-11-05');
    for (const s of [3, 7, 8]) await survey('nps', Y, s, '2026-11-20');
    for (const s of [5, 4, 3]) await survey('csat', X, s, '2026-11-06');
    await survey('csat', Y, 1, '2026-11-07');
  });

  it('NPS by month with zero respondents in December', async () => {
    const body = await ok('GET', '/api/v1/measures/nps?from=2026-11-01&to=2026-12-31', w.admin);
    expect(body.noData).toBe(false);
    // November: 10, 9, 9, 6, 3, 7, 8 → 7 respondents; promoters (9–10) 3, passives (7–8) 2, detractors (0–6) 2.
    // NPS = 3/7 − 2/7 = 14.2857… % → 14.29; promoters 42.86 %, detractors 28.57 %.
    // December: no respondents → NPS null (no data), never NaN.
    expect(body.rows).toEqual([
      {
        period: '2026-11',
        periodStart: '2026-11-01T00:00:00.000Z',
        respondents: 7,
        promoters: 3,
        passives: 2,
        detractors: 2,
        promoterPercent: 42.86,
        detractorPercent: 28.57,
        nps: 14.29,
      },
      {
        period: '2026-12',
        periodStart: '2026-12-01T00:00:00.000Z',
        respondents: 0,
        promoters: 0,
        passives: 0,
        detractors: 0,
        promoterPercent: null,
        detractorPercent: null,
        nps: null,
      },
    ]);
  });

  it('NPS by segment (the account tier)', async () => {
    const seg = byKey(
      await ok('GET', '/api/v1/measures/nps?from=2026-11-01&to=2026-11-30&by=segment', w.admin),
    );
    // Enterprise (X): 10, 9, 9, 6 → (3 − 1) / 4 = 50. SMB (Y): 3, 7, 8 → (0 − 1) / 3 = −33.33.
    expect(seg['2026-11 Enterprise']).toMatchObject({ dimension: 'enterprise', respondents: 4, nps: 50 });
    expect(seg['2026-11 SMB']).toMatchObject({ dimension: 'smb', respondents: 3, nps: -33.33 });
    expect(seg['2026-11 Strategic']).toMatchObject({ respondents: 0, nps: null });
  });

  it('CSAT by month and by tier', async () => {
    const body = await ok('GET', '/api/v1/measures/csat?from=2026-11-01&to=2026-12-31', w.admin);
    // November: 5, 4, 3, 1 → 4–5: 2 of 4 = 50 %. December: none → null.
    expect(
      body.rows.map((r: Json) => [r.period, r.numerator, r.denominator, r.percent, r.responses, r.satisfied]),
    ).toEqual([
      ['2026-11', 2, 4, 50, 4, 2],
      ['2026-12', 0, 0, null, 0, 0],
    ]);
    const tier = byKey(
      await ok('GET', '/api/v1/measures/csat?from=2026-11-01&to=2026-11-30&by=tier', w.admin),
    );
    // Enterprise: 5, 4, 3 → 2 / 3 = 66.67 %. SMB: 1 → 0 / 1 = 0 %.
    expect(tier['2026-11 Enterprise']).toMatchObject({ numerator: 2, denominator: 3, percent: 66.67 });
    expect(tier['2026-11 SMB']).toMatchObject({ numerator: 0, denominator: 1, percent: 0 });
  });

  it('a range with no data at all: every measure answers zeros, percent null and noData true', async () => {
    for (const path of [
      'repeat-complaint-rate',
      'expectation-mismatch-rate',
      'escalations-reopened',
      'already-told-you',
      'proactive-update-rate',
      'nps',
      'csat',
    ]) {
      const res = await call('GET', `/api/v1/measures/${path}?from=2025-01-01&to=2025-03-31`, w.admin);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
      const body = res.json_ as Json;
      expect(body.noData, path).toBe(true);
      expect(
        body.rows.map((r: Json) => r.period),
        path,
      ).toEqual(['2025-01', '2025-02', '2025-03']);
      for (const r of body.rows) {
        for (const c of ['percent', 'nps', 'promoterPercent'])
          if (c in r) expect(r[c], `${path} ${c}`).toBeNull();
        expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
      }
    }
  });

  it('a viewer may read the measures; a caller without a token may not', async () => {
    const viewerId = (await buildUser(db.ctx, { workspaceId: w.workspaceId, role: 'viewer' })).userId;
    const viewer = await tokenHeaders(db.ctx, w.workspaceId, viewerId, 'read');
    expect((await call('GET', '/api/v1/measures/nps?from=2026-11-01&to=2026-11-30', viewer)).statusCode).toBe(
      200,
    );
    const anon = await send(app, { method: 'GET', url: '/api/v1/measures/nps' });
    expect(anon.statusCode).toBe(401);
  });
});
