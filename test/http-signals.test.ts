// Signals through HTTP against a real database (PGlite in memory, or Postgres when TEST_DATABASE_URL
// is set): complaint memory, escalations that close only with a follow-up promise, NPS follow-ups,
// product activity, lists, isolation and roles. Every refused write is checked against the rows.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { openTestDb, type TestDb } from './support/db.js';
import {
  buildAccount,
  buildPromise,
  buildTeam,
  buildTeamWithManager,
  buildUser,
  promiseBody,
  tokenHeaders,
} from './support/factories.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = new Date('2026-11-02T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const iso = (ms: number) => at(ms).toISOString();
const MISSING_ID = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

type Headers = { authorization: string };
// biome-ignore lint/suspicious/noExplicitAny: test JSON
type Json = Record<string, any>;

let db: TestDb;
let app: FastifyInstance;
let team: Awaited<ReturnType<typeof buildTeamWithManager>>;
/** The account owner's manager (team.ownerId reports to them). */
let managerId: string;
let viewerId: string;
let other: Awaited<ReturnType<typeof buildTeam>>;
let otherPromiseId: string;
let otherSignalId: string;
let as: { owner: Headers; manager: Headers; viewer: Headers; readToken: Headers; other: Headers };

beforeAll(async () => {
  db = await openTestDb(undefined, T0);
  app = await buildServer(db.ctx);
  team = await buildTeamWithManager(db.ctx);
  managerId = team.managerId;
  viewerId = (await buildUser(db.ctx, { workspaceId: team.workspaceId, role: 'viewer' })).userId;
  other = await buildTeam(db.ctx);
  otherPromiseId = (await buildPromise(db.ctx, { workspaceId: other.workspaceId, ownerId: other.ownerId }))
    .promiseId;
  as = {
    owner: await tokenHeaders(db.ctx, team.workspaceId, team.ownerId),
    manager: await tokenHeaders(db.ctx, team.workspaceId, managerId),
    viewer: await tokenHeaders(db.ctx, team.workspaceId, viewerId),
    readToken: await tokenHeaders(db.ctx, team.workspaceId, team.ownerId, 'read'),
    other: await tokenHeaders(db.ctx, other.workspaceId, other.ownerId),
  };
  const res = await post('/api/v1/signals', as.other, {
    kind: 'escalation',
    accountId: other.accountId,
    politicalRisk: 'Their CFO signed against advice',
    desiredReassurance: 'A date',
  });
  otherSignalId = res.json().id;
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

async function call(opts: InjectOptions): Promise<LightMyRequestResponse & { body_: Json }> {
  const res = await app.inject(opts);
  let body_: Json = {};
  try {
    body_ = res.json();
  } catch {
    /* not JSON */
  }
  return Object.assign(res, { body_ });
}
const post = (url: string, headers: Headers, payload?: unknown) =>
  call({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const patch = (url: string, headers: Headers, payload: unknown) =>
  call({ method: 'PATCH', url, headers, payload: payload as object });
const get = (url: string, headers: Headers = as.owner) => call({ method: 'GET', url, headers });

/** Every row a signal write might touch, in every workspace. */
async function snapshot() {
  const q = (sql: string) => db.database.raw(sql);
  return {
    signals: await q('select * from signals order by workspace_id, id'),
    promises: await q('select workspace_id, id, version, head_hash from promises order by id'),
    events: await q('select count(*)::int as n from promise_events'),
    activity: await q('select id, last_activity_at from accounts order by id'),
    types: await q('select workspace_id, key, active from promise_types order by workspace_id, key'),
  };
}

/** A refused write: the status, problem+json naming `field`, and no row changed anywhere. */
async function expectRefused(
  send: () => Promise<LightMyRequestResponse>,
  status: number,
  field: string | null,
) {
  const before = await snapshot();
  const res = await send();
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.field, res.body).toBe(field);
  expect(await snapshot()).toEqual(before);
  return body;
}

const complaint = (o: Json = {}) => ({
  kind: 'complaint',
  accountId: team.accountId,
  concernKey: 'Reporting exports',
  concern: 'Finance cannot trust the export totals before month end',
  ...o,
});
const escalation = (o: Json = {}) => ({
  kind: 'escalation',
  accountId: team.accountId,
  summary: 'Second outage in a month; the COO called our CEO',
  politicalRisk: 'Our champion defended the purchase to the board',
  desiredReassurance: 'A named executive and a written root-cause plan',
  ...o,
});
const followUp = (o: Json = {}) => {
  // Type and source are left to the escalation defaults (executive_response, escalation).
  const { accountId: _a, typeKey: _t, ...body } = promiseBody(db.ctx, team, { days: 3 });
  return { ...body, promiseMade: 'Send the COO the written root-cause plan', ...o };
};

describe('complaint memory (workflow 6)', () => {
  let first: Json;

  it('records a complaint with its normalised concern; confidence restored starts unknown', async () => {
    const res = await post(
      '/api/v1/signals',
      as.owner,
      complaint({ occurredAt: iso(-100 * DAY), summary: 'Ticket #4411' }),
    );
    expect(res.statusCode, res.body).toBe(201);
    first = res.body_;
    expect(first).toMatchObject({
      kind: 'complaint',
      accountId: team.accountId,
      concernKey: 'reporting_exports',
      concern: 'Finance cannot trust the export totals before month end',
      summary: 'Ticket #4411',
      confidenceRestored: 'unknown',
      repeat: false,
      repeatOfId: null,
      occurredAt: iso(-100 * DAY),
      recordedBy: team.ownerId,
      recordedAt: T0.toISOString(),
    });
    const [row] = await db.database.raw(
      'select kind, concern_key, repeat_of_id from signals where workspace_id = $1 and id = $2',
      [team.workspaceId, first.id],
    );
    expect(row).toEqual({ kind: 'complaint', concern_key: 'reporting_exports', repeat_of_id: null });
  });

  it('the same concern exactly 45 days later is a repeat, pointing at the earlier complaint', async () => {
    const res = await post(
      '/api/v1/signals',
      as.owner,
      complaint({ concernKey: 'reporting-exports', occurredAt: iso(-55 * DAY) }),
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body_).toMatchObject({ repeat: true, repeatOfId: first.id, concernKey: 'reporting_exports' });
    const [row] = await db.database.raw(
      'select repeat_of_id from signals where workspace_id = $1 and id = $2',
      [team.workspaceId, res.body_.id],
    );
    expect(row).toEqual({ repeat_of_id: first.id });
  });

  it('46 days later is not a repeat, nor is another concern or another account', async () => {
    const a = await post(
      '/api/v1/signals',
      as.owner,
      complaint({ concernKey: 'SSO login loop', occurredAt: iso(-100 * DAY) }),
    );
    const b = await post(
      '/api/v1/signals',
      as.owner,
      complaint({ concernKey: 'sso_login_loop', occurredAt: iso(-54 * DAY) }),
    );
    expect(a.statusCode, a.body).toBe(201);
    expect(b.statusCode, b.body).toBe(201);
    expect(b.body_).toMatchObject({ concernKey: 'sso_login_loop', repeat: false, repeatOfId: null });
    const elsewhere = await buildAccount(db.ctx, { workspaceId: team.workspaceId, ownerId: team.ownerId });
    const c = await post(
      '/api/v1/signals',
      as.owner,
      complaint({ accountId: elsewhere.accountId, occurredAt: iso(-60 * DAY) }),
    );
    expect(c.body_).toMatchObject({ repeat: false });
  });

  it('"customer confidence restored?" is updated later; each change is kept', async () => {
    const res = await patch(`/api/v1/signals/${first.id}`, as.owner, { confidenceRestored: 'yes' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body_).toMatchObject({
      confidenceRestored: 'yes',
      confidenceChanges: [{ from: 'unknown', to: 'yes', at: T0.toISOString(), by: team.ownerId }],
    });
    expect((await get(`/api/v1/signals/${first.id}`)).body_.confidenceRestored).toBe('yes');
    const [row] = await db.database.raw(
      'select confidence_restored from signals where workspace_id = $1 and id = $2',
      [team.workspaceId, first.id],
    );
    expect(row).toEqual({ confidence_restored: 'yes' });
    await expectRefused(
      () => patch(`/api/v1/signals/${first.id}`, as.owner, { confidenceRestored: 'maybe' }),
      400,
      'confidenceRestored',
    );
  });
});

describe('executive escalation (workflow 7)', () => {
  let esc: Json;

  it('opens an escalation with its political risk and desired reassurance', async () => {
    const res = await post('/api/v1/signals', as.owner, escalation({ contactId: team.contactId }));
    expect(res.statusCode, res.body).toBe(201);
    esc = res.body_;
    expect(esc).toMatchObject({
      kind: 'escalation',
      status: 'open',
      politicalRisk: 'Our champion defended the purchase to the board',
      desiredReassurance: 'A named executive and a written root-cause plan',
      closedAt: null,
      reopenCount: 0,
      followUpPromiseId: null,
      history: [],
    });
  });

  it('closing without a follow-up promise is refused (400) and writes nothing', async () => {
    await expectRefused(() => post(`/api/v1/signals/${esc.id}/close`, as.owner, {}), 400, 'followUpPromise');
    await expectRefused(
      () => post(`/api/v1/signals/${esc.id}/close`, as.owner, { resolution: 'Fixed internally' }),
      400,
      'followUpPromise',
    );
  });

  it('closing with an invalid follow-up promise writes nothing either (no promise, no event)', async () => {
    await expectRefused(
      () =>
        post(`/api/v1/signals/${esc.id}/close`, as.owner, {
          followUpPromise: followUp({ ownerId: team.inactiveId }),
        }),
      400,
      'followUpPromise.ownerId',
    );
    await expectRefused(
      () =>
        post(`/api/v1/signals/${esc.id}/close`, as.owner, {
          followUpPromise: followUp({ typeKey: 'no_such_type' }),
        }),
      400,
      'followUpPromise.typeKey',
    );
    await expectRefused(
      () =>
        post(`/api/v1/signals/${esc.id}/close`, as.owner, {
          followUpPromise: followUp({ accountId: other.accountId }),
        }),
      400,
      'followUpPromise.accountId',
    );
  });

  it('closing with one creates the promise with its ledger event, in the same transaction', async () => {
    db.clock.now = at(HOUR);
    const res = await post(`/api/v1/signals/${esc.id}/close`, as.owner, {
      followUpPromise: followUp(),
      resolution: 'Root cause fixed; failover tested',
    });
    expect(res.statusCode, res.body).toBe(200);
    const p = res.body_.followUpPromise;
    expect(res.body_).toMatchObject({ status: 'closed', closedAt: iso(HOUR), followUpPromiseId: p.id });
    expect(res.body_.history).toEqual([
      {
        action: 'closed',
        at: iso(HOUR),
        by: team.ownerId,
        followUpPromiseId: p.id,
        resolution: 'Root cause fixed; failover tested',
      },
    ]);
    expect(p).toMatchObject({
      accountId: team.accountId,
      contactId: team.contactId,
      typeKey: 'executive_response',
      source: 'escalation',
      consequence: 'executive_escalation',
      ownerId: team.ownerId,
      promiseMade: 'Send the COO the written root-cause plan',
      status: 'open',
      version: 1,
    });
    const [promise] = await db.database.raw(
      'select source, type_key, owner_id from promises where workspace_id = $1 and id = $2',
      [team.workspaceId, p.id],
    );
    expect(promise).toEqual({ source: 'escalation', type_key: 'executive_response', owner_id: team.ownerId });
    const events = await db.database.raw<{ type: string; seq: number }>(
      'select type, seq from promise_events where workspace_id = $1 and promise_id = $2',
      [team.workspaceId, p.id],
    );
    expect(events).toEqual([{ type: 'created', seq: 1 }]);
    const [row] = await db.database.raw(
      'select status, follow_up_promise_id from signals where workspace_id = $1 and id = $2',
      [team.workspaceId, esc.id],
    );
    expect(row).toEqual({ status: 'closed', follow_up_promise_id: p.id });
    const history = await get(`/api/v1/promises/${p.id}`);
    expect(history.body_).toMatchObject({ verified: true, history: [{ type: 'created' }] });
  });

  it('a closed escalation cannot be closed again (409), nothing written', async () => {
    await expectRefused(
      () => post(`/api/v1/signals/${esc.id}/close`, as.owner, { followUpPromise: followUp() }),
      409,
      'status',
    );
  });

  it('reopening is recorded with its time; within 60 days it counts as reopened', async () => {
    db.clock.now = at(10 * DAY);
    const res = await post(`/api/v1/signals/${esc.id}/reopen`, as.owner, { reason: 'Outage again' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body_).toMatchObject({
      status: 'open',
      reopenedAt: iso(10 * DAY),
      reopenCount: 1,
      reopenedWithin60Days: true,
      closedAt: iso(HOUR),
    });
    expect(res.body_.history[1]).toEqual({
      action: 'reopened',
      at: iso(10 * DAY),
      by: team.ownerId,
      reason: 'Outage again',
    });
    await expectRefused(() => post(`/api/v1/signals/${esc.id}/reopen`, as.owner), 409, 'status');
    // Closing again needs a new follow-up promise; the signal keeps the latest.
    const again = await post(`/api/v1/signals/${esc.id}/close`, as.owner, {
      followUpPromise: followUp({ typeKey: 'risk_review' }),
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.body_.history.map((h: Json) => h.action)).toEqual(['closed', 'reopened', 'closed']);
    expect(again.body_.followUpPromiseId).toBe(again.body_.followUpPromise.id);
    db.clock.now = T0;
  });

  it('only escalations close or reopen; only complaints take "confidence restored"', async () => {
    const c = await post('/api/v1/signals', as.owner, complaint({ concernKey: 'onboarding_delay' }));
    await expectRefused(
      () => post(`/api/v1/signals/${c.body_.id}/close`, as.owner, { followUpPromise: followUp() }),
      409,
      'kind',
    );
    await expectRefused(() => post(`/api/v1/signals/${c.body_.id}/reopen`, as.owner), 409, 'kind');
    await expectRefused(
      () => patch(`/api/v1/signals/${esc.id}`, as.owner, { confidenceRestored: 'yes' }),
      409,
      'confidenceRestored',
    );
  });
});

describe('surveys (workflow 11)', () => {
  it('an NPS detractor creates a call within 24 hours owned by the account owner’s manager', async () => {
    const respondedAt = -2 * HOUR;
    const res = await post('/api/v1/signals', as.owner, {
      kind: 'nps',
      accountId: team.accountId,
      contactId: team.contactId,
      score: 4,
      comment: 'Exports keep timing out',
      occurredAt: iso(respondedAt),
    });
    expect(res.statusCode, res.body).toBe(201);
    const p = res.body_.followUpPromise;
    expect(res.body_).toMatchObject({
      kind: 'nps',
      score: 4,
      category: 'detractor',
      followUpPromiseId: p.id,
    });
    expect(p).toMatchObject({
      ownerId: managerId,
      typeKey: 'executive_response',
      source: 'survey',
      dueAt: iso(respondedAt + 24 * HOUR),
      contactId: team.contactId,
      accountId: team.accountId,
    });
    expect(p.promiseMade).toMatch(/within 24 hours/);
    expect(p.customerReason).toMatch(/Exports keep timing out/);
    const [row] = await db.database.raw<{ owner_id: string; due_at: Date }>(
      'select owner_id, due_at from promises where workspace_id = $1 and id = $2',
      [team.workspaceId, p.id],
    );
    expect(row?.owner_id).toBe(managerId);
    expect(new Date(row!.due_at).toISOString()).toBe(iso(respondedAt + 24 * HOUR));
    const [events] = await db.database.raw(
      'select count(*)::int as n from promise_events where workspace_id = $1 and promise_id = $2',
      [team.workspaceId, p.id],
    );
    expect(events).toEqual({ n: 1 });
  });

  it('without a manager, the account owner owns the detractor call', async () => {
    const lone = await buildAccount(db.ctx, { workspaceId: team.workspaceId, ownerId: team.colleagueId });
    const res = await post('/api/v1/signals', as.owner, { kind: 'nps', accountId: lone.accountId, score: 0 });
    expect(res.body_.followUpPromise).toMatchObject({
      ownerId: team.colleagueId,
      typeKey: 'executive_response',
    });
  });

  it('a promoter creates a testimonial ask owned by the account owner; a passive nothing', async () => {
    const res = await post('/api/v1/signals', as.manager, {
      kind: 'nps',
      accountId: team.accountId,
      score: 10,
      comment: 'Love it',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body_).toMatchObject({ category: 'promoter' });
    expect(res.body_.followUpPromise).toMatchObject({
      ownerId: team.ownerId,
      typeKey: 'testimonial_request',
      source: 'survey',
      dueAt: iso(7 * DAY),
    });
    expect(res.body_.followUpPromise.promiseMade).toMatch(/testimonial/);
    const passive = await post('/api/v1/signals', as.owner, {
      kind: 'nps',
      accountId: team.accountId,
      score: 8,
    });
    expect(passive.statusCode).toBe(201);
    expect(passive.body_).toMatchObject({ category: 'passive', followUpPromiseId: null });
    expect(passive.body_.followUpPromise).toBeUndefined();
  });

  it('CSAT 1–5 with a comment; out-of-range scores are refused naming score', async () => {
    const res = await post('/api/v1/signals', as.owner, {
      kind: 'csat',
      accountId: team.accountId,
      score: 4,
      comment: 'Quick fix',
    });
    expect(res.body_).toMatchObject({ kind: 'csat', score: 4, satisfied: true, comment: 'Quick fix' });
    await expectRefused(
      () => post('/api/v1/signals', as.owner, { kind: 'csat', accountId: team.accountId, score: 6 }),
      400,
      'score',
    );
    await expectRefused(
      () => post('/api/v1/signals', as.owner, { kind: 'nps', accountId: team.accountId, score: 11 }),
      400,
      'score',
    );
    await expectRefused(
      () => post('/api/v1/signals', as.owner, { kind: 'nps', accountId: team.accountId, score: 3.5 }),
      400,
      'score',
    );
  });
});

describe('the other kinds', () => {
  it('product activity moves the account’s last activity forward, never back', async () => {
    const acc = await buildAccount(db.ctx, { workspaceId: team.workspaceId, ownerId: team.ownerId });
    const lastActivity = async () =>
      (
        await db.database.raw<{ t: string | null }>(
          `select to_char(last_activity_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as t from accounts where workspace_id = $1 and id = $2`,
          [team.workspaceId, acc.accountId],
        )
      )[0]?.t;
    const send = (ms: number) =>
      post('/api/v1/signals', as.owner, {
        kind: 'product_activity',
        accountId: acc.accountId,
        activity: 'report_exported',
        count: 3,
        occurredAt: iso(ms),
      });
    expect((await send(-3 * DAY)).body_).toMatchObject({
      kind: 'product_activity',
      activity: 'report_exported',
      count: 3,
    });
    expect(await lastActivity()).toBe('2026-10-30T09:00:00');
    await send(-5 * DAY);
    expect(await lastActivity()).toBe('2026-10-30T09:00:00');
    await send(-1 * DAY);
    expect(await lastActivity()).toBe('2026-11-01T09:00:00');
  });

  it('customer chased us about a promise; billing events; renewal outcomes with ARR before and after', async () => {
    const promise = await buildPromise(db.ctx, { workspaceId: team.workspaceId, ownerId: team.ownerId });
    const chased = await post('/api/v1/signals', as.owner, {
      kind: 'customer_chased',
      accountId: promise.accountId,
      promiseId: promise.promiseId,
      channel: 'email',
      note: 'Maya asked where the video is',
    });
    expect(chased.statusCode, chased.body).toBe(201);
    expect(chased.body_).toMatchObject({ promiseId: promise.promiseId, channel: 'email' });
    const listed = await get(`/api/v1/signals?promise=${promise.promiseId}`);
    expect(listed.body_.data.map((s: Json) => s.id)).toEqual([chased.body_.id]);

    const failed = await post('/api/v1/signals', as.owner, {
      kind: 'billing',
      accountId: team.accountId,
      event: 'payment_failed',
      amountMinor: 120_000,
      reference: 'in_1234',
    });
    expect(failed.body_).toMatchObject({
      event: 'payment_failed',
      amountMinor: 120_000,
      currency: 'USD',
      reference: 'in_1234',
    });

    const churned = await post('/api/v1/signals', as.owner, {
      kind: 'renewal_outcome',
      accountId: team.accountId,
      outcome: 'churned',
      arrBeforeMinor: 4_000_000,
    });
    expect(churned.body_).toMatchObject({
      outcome: 'churned',
      arrBeforeMinor: 4_000_000,
      arrAfterMinor: 0,
      arrChangeMinor: -4_000_000,
    });
    const [row] = await db.database.raw(
      'select renewal_outcome, arr_before_minor, arr_after_minor, currency from signals where workspace_id = $1 and id = $2',
      [team.workspaceId, churned.body_.id],
    );
    expect(row).toEqual({
      renewal_outcome: 'churned',
      arr_before_minor: 4_000_000,
      arr_after_minor: 0,
      currency: 'USD',
    });
    await expectRefused(
      () =>
        post('/api/v1/signals', as.owner, {
          kind: 'renewal_outcome',
          accountId: team.accountId,
          outcome: 'renewed',
          arrBeforeMinor: -1,
        }),
      400,
      'arrBeforeMinor',
    );
    // A promise of this workspace, but to another account.
    const elsewhere = (await buildPromise(db.ctx, { workspaceId: team.workspaceId })).promiseId;
    await expectRefused(
      () =>
        post('/api/v1/signals', as.owner, {
          kind: 'customer_chased',
          accountId: team.accountId,
          promiseId: elsewhere,
        }),
      400,
      'promiseId',
    );
  });

  it('the same external id twice is refused (409), the first kept', async () => {
    const body = { kind: 'csat', accountId: team.accountId, score: 2, externalId: 'zendesk:884' };
    expect((await post('/api/v1/signals', as.owner, body)).statusCode).toBe(201);
    await expectRefused(() => post('/api/v1/signals', as.owner, body), 409, 'externalId');
  });
});

describe('lists', () => {
  it('filters by account, kind and time window, newest first, and pages with a cursor', async () => {
    const acc = await buildAccount(db.ctx, { workspaceId: team.workspaceId, ownerId: team.ownerId });
    const ids: string[] = [];
    for (const [i, kind] of ['csat', 'complaint', 'csat', 'billing', 'csat'].entries()) {
      const body =
        kind === 'csat'
          ? { kind, score: 5 }
          : kind === 'complaint'
            ? complaint({ concernKey: 'slow_support' })
            : { kind, event: 'payment_recovered' };
      const res = await post('/api/v1/signals', as.owner, {
        ...body,
        accountId: acc.accountId,
        occurredAt: iso(-(10 - i) * DAY),
      });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.body_.id);
    }
    const all = await get(`/api/v1/accounts/${acc.accountId}/signals`);
    expect(all.statusCode, all.body).toBe(200);
    expect(all.body_.data.map((s: Json) => s.id)).toEqual([...ids].reverse());

    const csat = await get(`/api/v1/signals?account=${acc.accountId}&kind=csat`);
    expect(csat.body_.data.map((s: Json) => s.id)).toEqual([ids[4], ids[2], ids[0]]);
    const twoKinds = await get(`/api/v1/signals?account=${acc.accountId}&kind=complaint,billing`);
    expect(twoKinds.body_.data.map((s: Json) => s.id)).toEqual([ids[3], ids[1]]);
    const window = await get(
      `/api/v1/signals?account=${acc.accountId}&since=${encodeURIComponent(iso(-9 * DAY))}&until=${encodeURIComponent(iso(-7 * DAY))}`,
    );
    expect(window.body_.data.map((s: Json) => s.id)).toEqual([ids[2], ids[1]]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: LightMyRequestResponse & { body_: Json } = await get(
        `/api/v1/accounts/${acc.accountId}/signals?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.statusCode, page.body).toBe(200);
      seen.push(...page.body_.data.map((s: Json) => s.id));
      cursor = page.body_.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect((await get('/api/v1/signals?cursor=nonsense')).body_.field).toBe('cursor');
  });

  it('repeat complaints and open escalations are filterable', async () => {
    const repeats = await get(`/api/v1/signals?account=${team.accountId}&kind=complaint&repeat=true`);
    expect(repeats.body_.data.length).toBe(1);
    expect(repeats.body_.data[0]).toMatchObject({ repeat: true, concernKey: 'reporting_exports' });
    const concern = await get(
      `/api/v1/signals?account=${team.accountId}&concern=${encodeURIComponent('Reporting Exports')}`,
    );
    expect(concern.body_.data.length).toBe(2);
    const closed = await get('/api/v1/signals?kind=escalation&status=closed');
    expect(closed.body_.data.every((s: Json) => s.status === 'closed')).toBe(true);
  });
});

describe('isolation: another workspace’s records answer 404 like missing ones', () => {
  it('a signal of another workspace is not found, for reading and for every write', async () => {
    for (const id of [otherSignalId, MISSING_ID]) {
      const res = await get(`/api/v1/signals/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.body_).toMatchObject({
        code: 'not_found',
        field: 'signalId',
        detail: `signal ${id} not found`,
      });
      await expectRefused(
        () => post(`/api/v1/signals/${id}/close`, as.owner, { followUpPromise: followUp() }),
        404,
        'signalId',
      );
      await expectRefused(() => post(`/api/v1/signals/${id}/reopen`, as.owner), 404, 'signalId');
      await expectRefused(
        () => patch(`/api/v1/signals/${id}`, as.owner, { confidenceRestored: 'no' }),
        404,
        'signalId',
      );
    }
  });

  it('an accountId, contactId or promiseId of another workspace in a body is a 404', async () => {
    await expectRefused(
      () => post('/api/v1/signals', as.owner, complaint({ accountId: other.accountId })),
      404,
      'accountId',
    );
    await expectRefused(
      () => post('/api/v1/signals', as.owner, complaint({ accountId: MISSING_ID })),
      404,
      'accountId',
    );
    await expectRefused(
      () => post('/api/v1/signals', as.owner, complaint({ contactId: other.contactId })),
      404,
      'contactId',
    );
    await expectRefused(
      () =>
        post('/api/v1/signals', as.owner, {
          kind: 'customer_chased',
          accountId: team.accountId,
          promiseId: otherPromiseId,
        }),
      404,
      'promiseId',
    );
    await expectRefused(
      () => post('/api/v1/signals', as.owner, complaint({ workspaceId: other.workspaceId })),
      400,
      'workspaceId',
    );
  });

  it('lists never show another workspace: its account filters to nothing, its account route is a 404', async () => {
    const filtered = await get(`/api/v1/signals?account=${other.accountId}`);
    expect(filtered.statusCode).toBe(200);
    expect(filtered.body_.data).toEqual([]);
    const mine = await get('/api/v1/signals?limit=500');
    expect(mine.body_.data.some((s: Json) => s.id === otherSignalId)).toBe(false);
    expect((await get(`/api/v1/accounts/${other.accountId}/signals`)).statusCode).toBe(404);
    expect((await get(`/api/v1/accounts/${MISSING_ID}/signals`)).body_).toMatchObject({ field: 'accountId' });
  });
});

describe('bad input', () => {
  it('unknown fields, an unknown kind, missing fields and naive dates are 400s naming the field', async () => {
    await expectRefused(
      () => post('/api/v1/signals', as.owner, complaint({ severity: 'high' })),
      400,
      'severity',
    );
    await expectRefused(
      () => post('/api/v1/signals', as.owner, { kind: 'tweet', accountId: team.accountId }),
      400,
      'kind',
    );
    await expectRefused(() => post('/api/v1/signals', as.owner, { accountId: team.accountId }), 400, 'kind');
    await expectRefused(
      () => post('/api/v1/signals', as.owner, complaint({ concern: undefined })),
      400,
      'concern',
    );
    await expectRefused(
      () => post('/api/v1/signals', as.owner, complaint({ concernKey: '???' })),
      400,
      'concernKey',
    );
    await expectRefused(
      () => post('/api/v1/signals', as.owner, complaint({ occurredAt: '2026-10-01T10:00:00' })),
      400,
      'occurredAt',
    );
    await expectRefused(
      () => post('/api/v1/signals', as.owner, complaint({ occurredAt: iso(2 * DAY) })),
      400,
      'occurredAt',
    );
    await expectRefused(
      () => post('/api/v1/signals', as.owner, escalation({ politicalRisk: '   ' })),
      400,
      'politicalRisk',
    );
    await expectRefused(
      () =>
        post(`/api/v1/signals/${MISSING_ID}/close`, as.owner, { followUpPromise: followUp({ bogus: 1 }) }),
      400,
      'followUpPromise.bogus',
    );
  });
});

describe('roles', () => {
  it('a viewer and a read-only token can read but not write', async () => {
    expect((await get('/api/v1/signals', as.viewer)).statusCode).toBe(200);
    expect((await get('/api/v1/signals', as.readToken)).statusCode).toBe(200);
    const esc = await post('/api/v1/signals', as.owner, escalation());
    for (const who of [as.viewer, as.readToken]) {
      await expectRefused(() => post('/api/v1/signals', who, complaint()), 403, null);
      await expectRefused(
        () => post(`/api/v1/signals/${esc.body_.id}/close`, who, { followUpPromise: followUp() }),
        403,
        null,
      );
      await expectRefused(() => post(`/api/v1/signals/${esc.body_.id}/reopen`, who), 403, null);
      await expectRefused(
        () => patch(`/api/v1/signals/${esc.body_.id}`, who, { confidenceRestored: 'yes' }),
        403,
        null,
      );
    }
  });

  it('without credentials every signal route is a 401', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/signals' });
    expect(res.statusCode).toBe(401);
    const before = await snapshot();
    const write = await app.inject({ method: 'POST', url: '/api/v1/signals', payload: complaint() });
    expect(write.statusCode).toBe(401);
    expect(await snapshot()).toEqual(before);
  });
});
