// The promise lifecycle through HTTP (Fastify inject) against a real database: PGlite in memory, or
// Postgres when TEST_DATABASE_URL is set. Every write is checked against the rows it left behind.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { GENESIS_HASH } from '../src/ledger/chain.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildPromise, buildTeam, promiseBody, tokenHeaders } from './support/factories.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = new Date('2026-11-02T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const iso = (ms: number) => at(ms).toISOString();

let db: TestDb;
let app: FastifyInstance;
let team: Awaited<ReturnType<typeof buildTeam>>;
const base = '/api/v1/promises';
/** One write API token per user of the team, made on first use. */
const tokens = new Map<string, { authorization: string }>();
async function as(userId: string) {
  let h = tokens.get(userId);
  if (!h) {
    h = await tokenHeaders(db.ctx, team.workspaceId, userId);
    tokens.set(userId, h);
  }
  return h;
}

beforeAll(async () => {
  db = await openTestDb(undefined, T0);
  app = await buildServer(db.ctx);
  team = await buildTeam(db.ctx);
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

type Json = Record<string, unknown> & {
  id?: string;
  history?: Json[];
  event?: Json;
  data?: Json[];
  payload?: Json;
};

async function call(opts: InjectOptions): Promise<LightMyRequestResponse & { body_: Json }> {
  const res = await app.inject(opts);
  return Object.assign(res, { body_: res.json() as Json });
}
const post = async (path: string, payload: unknown, actor: string) =>
  call({
    method: 'POST',
    url: `${base}${path}`,
    headers: await as(actor),
    payload: payload as object,
  });
/** Reads as the team's owner (every member reads every promise of the workspace). */
const get = async (path: string) =>
  call({ method: 'GET', url: `${base}${path}`, headers: await as(team.ownerId) });

/** What the database holds for one promise: its projection's head and its ledger rows. */
async function stored(promiseId: string) {
  const [row] = await db.database.raw<{ version: number; head_hash: string; status: string }>(
    'select version, head_hash, status from promises where workspace_id = $1 and id = $2',
    [team.workspaceId, promiseId],
  );
  const [events] = await db.database.raw<{ n: number; max: number | null }>(
    'select count(*)::int as n, max(seq)::int as max from promise_events where workspace_id = $1 and promise_id = $2',
    [team.workspaceId, promiseId],
  );
  return { ...row, events: events?.n, maxSeq: events?.max };
}

/** Everything a denied write might have touched: every ledger row and every projection head. */
async function snapshot() {
  const [events] = await db.database.raw<{ n: number }>('select count(*)::int as n from promise_events');
  const heads = await db.database.raw(
    'select id, version, head_hash, status, owner_id, due_at, paused_at, paused_ms, renegotiation_count, updated_at from promises order by id',
  );
  return { events: events?.n, heads };
}

/** A denied write: the status, a problem+json body naming the field, and no row changed. */
async function expectDenied(
  send: () => Promise<LightMyRequestResponse>,
  status: number,
  code: string,
  field: string | null,
) {
  const before = await snapshot();
  const res = await send();
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, code, field });
  expect(body.detail).toEqual(expect.any(String));
  expect(body.detail.length).toBeGreaterThan(0);
  expect(await snapshot()).toEqual(before);
  return body;
}

describe('the life of a promise, through the API', () => {
  let id: string;
  let dueAt: string;

  it('creates a promise: 201 with the presented shape, one ledger event', async () => {
    db.clock.now = at(0);
    const res = await post(
      '',
      {
        ...promiseBody(db.ctx, team),
        contactId: team.contactId,
        typeKey: 'support_resolution',
        dueAt: '2026-11-07T17:30:00+01:00',
        emotion: 'blocked',
        consequence: 'renewal_risk',
        source: 'support',
        riskIndicators: ['external_dependency'],
      },
      team.ownerId,
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const p = res.body_;
    expect(p).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      workspaceId: team.workspaceId,
      accountId: team.accountId,
      contactId: team.contactId,
      typeKey: 'support_resolution',
      promiseMade: 'Send Maya a 2-minute video showing how to filter exports by region',
      customerReason: 'She defends the rollout in Monday’s leadership meeting',
      ownerId: team.ownerId,
      dueAt: '2026-11-07T16:30:00.000Z',
      effectiveDueAt: '2026-11-07T16:30:00.000Z',
      status: 'open',
      overdue: false,
      emotion: 'blocked',
      consequence: 'renewal_risk',
      source: 'support',
      riskIndicators: ['external_dependency'],
      priority: null,
      slaPolicyId: null,
      // No SLA policy in this workspace: no clock. The indicator is not one of the risk matrix's.
      sla: null,
      risk: { level: 'low', reasons: [], buffer: null, unscored: ['external_dependency'] },
      paused: false,
      pausedAt: null,
      pauseCause: null,
      pausedMs: 0,
      renegotiationCount: 0,
      proof: null,
      recoveryStrength: null,
      keptLate: null,
      closedAt: null,
      closeReason: null,
      createdBy: team.ownerId,
      createdAt: iso(0),
      updatedAt: iso(0),
      version: 1,
      headHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    id = p.id as string;
    dueAt = p.dueAt as string;
    expect(await stored(id)).toEqual({
      version: 1,
      head_hash: p.headHash,
      status: 'open',
      events: 1,
      maxSeq: 1,
    });
  });

  it('reads it back with its verified history', async () => {
    const res = await get(`/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    const p = res.body_;
    expect(p).toMatchObject({ id, status: 'open', version: 1, verified: true });
    expect(p.history).toHaveLength(1);
    expect(p.history?.[0]).toEqual({
      seq: 1,
      id: expect.any(String),
      type: 'created',
      actorId: team.ownerId,
      occurredAt: iso(0),
      payload: expect.objectContaining({ promiseMade: p.promiseMade, dueAt, ownerId: team.ownerId }),
      prevHash: GENESIS_HASH,
      hash: p.headHash,
    });
  });

  it('lists it among the owner’s promises due in the next 7 days, and not others', async () => {
    const later = await buildPromise(db.ctx, {
      workspaceId: team.workspaceId,
      ownerId: team.ownerId,
      accountId: team.accountId,
      dueAt: at(10 * DAY),
    });
    const sooner = await buildPromise(db.ctx, {
      workspaceId: team.workspaceId,
      ownerId: team.ownerId,
      accountId: team.accountId,
      dueAt: at(2 * DAY),
    });
    await buildPromise(db.ctx, { workspaceId: team.workspaceId, ownerId: team.colleagueId, dueAt: at(DAY) });

    const week = await get(`?owner=${team.ownerId}&status=open&dueWithinDays=7`);
    expect(week.statusCode, week.body).toBe(200);
    expect(week.body_.data?.map((p) => p.id)).toEqual([sooner.promiseId, id]);
    expect(week.body_.data?.[1]).toMatchObject({ id, ownerId: team.ownerId, dueAt, status: 'open' });

    const fortnight = await get(`?owner=${team.ownerId}&status=open&dueWithinDays=14`);
    expect(fortnight.body_.data?.map((p) => p.id)).toEqual([sooner.promiseId, id, later.promiseId]);

    const first = await get(`?owner=${team.ownerId}&status=open&dueWithinDays=14&limit=1`);
    expect(first.body_.data?.map((p) => p.id)).toEqual([sooner.promiseId]);

    const byColleague = await get(`?owner=${team.colleagueId}&status=open&dueWithinDays=7`);
    expect(byColleague.body_.data?.map((p) => p.id)).not.toContain(id);
  });

  it('edits it: an `edited` event with from/to per field', async () => {
    db.clock.now = at(HOUR);
    const res = await post(
      `/${id}/edit`,
      {
        changes: { promiseMade: 'Send Maya a Loom on filtering exports by region', emotion: 'urgent' },
        reason: 'Maya asked for a Loom',
      },
      team.ownerId,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body_).toMatchObject({
      id,
      promiseMade: 'Send Maya a Loom on filtering exports by region',
      emotion: 'urgent',
      customerReason: 'She defends the rollout in Monday’s leadership meeting',
      version: 2,
      updatedAt: iso(HOUR),
    });
    expect(res.body_.event).toMatchObject({
      seq: 2,
      type: 'edited',
      actorId: team.ownerId,
      payload: {
        changes: {
          promiseMade: {
            from: 'Send Maya a 2-minute video showing how to filter exports by region',
            to: 'Send Maya a Loom on filtering exports by region',
          },
          emotion: { from: 'blocked', to: 'urgent' },
        },
        reason: 'Maya asked for a Loom',
      },
    });
    expect(await stored(id)).toMatchObject({ version: 2, events: 2 });
  });

  it('reassigns it to another active user, whose due list it moves to', async () => {
    const res = await post(
      `/${id}/reassign`,
      { ownerId: team.colleagueId, reason: 'Owner on leave' },
      team.ownerId,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body_).toMatchObject({ ownerId: team.colleagueId, version: 3 });
    expect(res.body_.event).toMatchObject({
      seq: 3,
      type: 'owner_changed',
      payload: { from: team.ownerId, to: team.colleagueId, reason: 'Owner on leave' },
    });
    const colleagues = await get(`?owner=${team.colleagueId}&status=open&dueWithinDays=7`);
    expect(colleagues.body_.data?.map((p) => p.id)).toContain(id);
    const owners = await get(`?owner=${team.ownerId}&status=open&dueWithinDays=7`);
    expect(owners.body_.data?.map((p) => p.id)).not.toContain(id);
  });

  it('renegotiates the due date with the customer: counted, with who agreed', async () => {
    db.clock.now = at(2 * HOUR);
    const res = await post(
      `/${id}/renegotiate`,
      {
        dueAt: iso(6 * DAY),
        agreedBy: 'Maya Chen (VP Operations)',
        reason: 'Export sample arrives Thursday',
      },
      team.colleagueId,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body_).toMatchObject({
      dueAt: iso(6 * DAY),
      effectiveDueAt: iso(6 * DAY),
      renegotiationCount: 1,
      version: 4,
    });
    expect(res.body_.event).toMatchObject({
      seq: 4,
      type: 'renegotiated',
      actorId: team.colleagueId,
      payload: { fromDueAt: dueAt, toDueAt: iso(6 * DAY), agreedBy: 'Maya Chen (VP Operations)' },
    });
  });

  it('pauses the clock for a customer-caused delay, then resumes it, pushing the due date back', async () => {
    db.clock.now = at(DAY);
    // A delay on our side is not a pause: refused, naming the field and the way out; nothing written.
    const refused = await expectDenied(
      () => post(`/${id}/pause`, { cause: 'us', note: 'We are short-staffed this week' }, team.colleagueId),
      400,
      'validation_failed',
      'cause',
    );
    expect(refused.detail).toMatch(/only a customer-caused delay pauses the clock.*renegotiate/);
    const paused = await post(
      `/${id}/pause`,
      { cause: 'customer', note: 'Waiting for Maya’s export sample' },
      team.colleagueId,
    );
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.body_).toMatchObject({
      paused: true,
      pausedAt: iso(DAY),
      pauseCause: 'customer',
      pausedMs: 0,
      effectiveDueAt: null,
      version: 5,
    });
    expect(paused.body_.event).toMatchObject({ seq: 5, type: 'paused', payload: { cause: 'customer' } });

    db.clock.now = at(3 * DAY + 30 * 60_000);
    const resumed = await post(`/${id}/resume`, { note: 'Sample received' }, team.colleagueId);
    expect(resumed.statusCode, resumed.body).toBe(200);
    const pausedMs = 2 * DAY + 30 * 60_000;
    expect(resumed.body_).toMatchObject({
      paused: false,
      pausedAt: null,
      pauseCause: null,
      pausedMs,
      dueAt: iso(6 * DAY),
      effectiveDueAt: iso(6 * DAY + pausedMs),
      version: 6,
    });
    expect(resumed.body_.event).toMatchObject({ seq: 6, type: 'resumed', payload: { pausedMs } });

    // The stored projection says the same (pausedMs is a bigint column).
    const read = await get(`/${id}`);
    expect(read.body_).toMatchObject({ pausedMs, effectiveDueAt: iso(6 * DAY + pausedMs), verified: true });
  });

  it('takes a comment (201) without changing the promise', async () => {
    const res = await post(
      `/${id}/comments`,
      { text: '  Maya confirmed the sample is complete.  ' },
      team.ownerId,
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body_).toMatchObject({ status: 'open', ownerId: team.colleagueId, version: 7 });
    expect(res.body_.event).toMatchObject({
      seq: 7,
      type: 'commented',
      actorId: team.ownerId,
      payload: { text: 'Maya confirmed the sample is complete.' },
    });
  });

  it('keeps it with proof: on time against the pause-adjusted due date', async () => {
    // After the agreed due date (day 6) but before it plus the pause (day 8 10:30).
    db.clock.now = at(7 * DAY);
    const res = await post(
      `/${id}/keep`,
      {
        proof: { kind: 'loom_recorded', url: 'https://loom.example/share/abc123' },
        recoveryStrength: 'confidence_restored',
      },
      team.colleagueId,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body_).toMatchObject({
      status: 'kept',
      keptLate: false,
      overdue: false,
      proof: { kind: 'loom_recorded', note: null, url: 'https://loom.example/share/abc123' },
      recoveryStrength: 'confidence_restored',
      closedAt: iso(7 * DAY),
      version: 8,
    });
    expect(res.body_.event).toMatchObject({ seq: 8, type: 'kept', payload: { late: false } });
  });

  it('has a hash-chained history of every step, seq 1..n, that verifies', async () => {
    const res = await get(`/${id}`);
    expect(res.statusCode).toBe(200);
    const history = res.body_.history ?? [];
    expect(res.body_.verified).toBe(true);
    expect(history.map((e) => e.type)).toEqual([
      'created',
      'edited',
      'owner_changed',
      'renegotiated',
      'paused',
      'resumed',
      'commented',
      'kept',
    ]);
    expect(history.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    history.forEach((e, i) => {
      expect(e.prevHash).toBe(i === 0 ? GENESIS_HASH : history[i - 1]?.hash);
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    });
    expect(res.body_.headHash).toBe(history[7]?.hash);
    expect(await stored(id)).toEqual({
      version: 8,
      head_hash: res.body_.headHash,
      status: 'kept',
      events: 8,
      maxSeq: 8,
    });
  });

  it('reports a promise kept after its due date as kept late', async () => {
    db.clock.now = at(0);
    const created = await post('', promiseBody(db.ctx, team, { days: 1 }), team.ownerId);
    expect(created.statusCode, created.body).toBe(201);
    db.clock.now = at(DAY + 1);
    const res = await post(
      `/${created.body_.id}/keep`,
      {
        proof: { kind: 'email_sent', note: 'Sent the walkthrough to Maya' },
        recoveryStrength: 'task_closed',
      },
      team.ownerId,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body_).toMatchObject({
      status: 'kept',
      keptLate: true,
      proof: { kind: 'email_sent', note: 'Sent the walkthrough to Maya', url: null },
      recoveryStrength: 'task_closed',
    });
  });

  it('resumes with no body at all (every resume field is optional)', async () => {
    db.clock.now = at(0);
    const created = await post('', promiseBody(db.ctx, team, { days: 3 }), team.ownerId);
    await post(`/${created.body_.id}/pause`, { cause: 'customer', note: 'Waiting for access' }, team.ownerId);
    db.clock.now = at(DAY);
    const res = await call({
      method: 'POST',
      url: `${base}/${created.body_.id}/resume`,
      headers: await as(team.ownerId),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body_).toMatchObject({ paused: false, pausedMs: DAY, effectiveDueAt: iso(4 * DAY) });
  });

  it('breaks a promise, with a reason', async () => {
    db.clock.now = at(0);
    const { promiseId } = await buildPromise(db.ctx, {
      workspaceId: team.workspaceId,
      ownerId: team.ownerId,
    });
    db.clock.now = at(6 * DAY);
    const res = await post(
      `/${promiseId}/break`,
      { reason: 'Engineering could not ship the fix' },
      team.ownerId,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body_).toMatchObject({
      status: 'broken',
      closeReason: 'Engineering could not ship the fix',
      closedAt: iso(6 * DAY),
      keptLate: null,
      version: 2,
    });
    expect(res.body_.event).toMatchObject({ seq: 2, type: 'broken' });
    expect(await stored(promiseId)).toMatchObject({ status: 'broken', version: 2, events: 2 });
  });

  it('cancels a promise, with a reason (and refuses a cancel without one)', async () => {
    const { promiseId } = await buildPromise(db.ctx, {
      workspaceId: team.workspaceId,
      ownerId: team.ownerId,
    });
    for (const payload of [{}, { reason: '   ' }]) {
      await expectDenied(
        () => post(`/${promiseId}/cancel`, payload, team.ownerId),
        400,
        'validation_failed',
        'reason',
      );
    }
    const res = await post(`/${promiseId}/cancel`, { reason: 'Customer no longer needs it' }, team.ownerId);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body_).toMatchObject({
      status: 'cancelled',
      closeReason: 'Customer no longer needs it',
      version: 2,
    });
    expect(await stored(promiseId)).toMatchObject({ status: 'cancelled', version: 2, events: 2 });
  });
});

describe('the ledger under load and with unusual text', () => {
  it('serialises concurrent writes to one promise: every write lands, the chain has no gap', async () => {
    const { promiseId } = await buildPromise(db.ctx, {
      workspaceId: team.workspaceId,
      ownerId: team.ownerId,
    });
    const writes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        post(`/${promiseId}/comments`, { text: `Note ${i}` }, team.ownerId),
      ),
    );
    expect(writes.map((w) => w.statusCode)).toEqual(Array(12).fill(201));
    expect(new Set(writes.map((w) => w.body_.event?.seq))).toEqual(
      new Set(Array.from({ length: 12 }, (_, i) => i + 2)),
    );
    const read = await get(`/${promiseId}`);
    expect(read.body_.verified).toBe(true);
    expect(read.body_.history?.map((e) => e.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(await stored(promiseId)).toMatchObject({ version: 13, events: 13, maxSeq: 13 });
  });

  it('stores any well-formed text exactly and still verifies its chain', async () => {
    const promiseMade =
      'Résumé “quotes” \\ back\\slash \u2028 line sep, emoji 🎉, 中文, RTL שלום, e\u0301 \t tab';
    const res = await post('', promiseBody(db.ctx, team, { promiseMade }), team.ownerId);
    expect(res.statusCode, res.body).toBe(201);
    const id = res.body_.id;
    await post(`/${id}/comments`, { text: '{"json": "inside", "n": 1e400}' }, team.ownerId);
    const read = await get(`/${id}`);
    expect(read.body_.promiseMade).toBe(promiseMade);
    expect(read.body_.history?.[0]?.payload?.promiseMade).toBe(promiseMade);
    expect(read.body_.verified).toBe(true);
  });
});

describe('illegal transitions: 409 problem+json, nothing written', () => {
  async function promiseIn(state: 'open' | 'paused' | 'kept' | 'broken' | 'cancelled') {
    const { promiseId } = await buildPromise(db.ctx, {
      workspaceId: team.workspaceId,
      ownerId: team.ownerId,
    });
    const actions = {
      open: undefined,
      paused: ['pause', { cause: 'customer', note: 'Waiting on the customer' }],
      kept: ['keep', { proof: { kind: 'email_sent', note: 'Done' }, recoveryStrength: 'task_closed' }],
      broken: ['break', { reason: 'Could not do it' }],
      cancelled: ['cancel', { reason: 'Not needed' }],
    } as const;
    const action = actions[state];
    if (action) {
      const res = await post(`/${promiseId}/${action[0]}`, action[1], team.ownerId);
      expect(res.statusCode, res.body).toBe(200);
    }
    return promiseId;
  }

  const cases = [
    {
      from: 'kept',
      action: 'keep',
      body: { proof: { kind: 'other', note: 'Again' }, recoveryStrength: 'task_closed' },
    },
    { from: 'paused', action: 'pause', body: { cause: 'customer', note: 'Again' } },
    { from: 'open', action: 'resume', body: {} },
    { from: 'cancelled', action: 'renegotiate', body: { dueAt: '2026-12-24T12:00:00Z', agreedBy: 'Maya' } },
    { from: 'broken', action: 'break', body: { reason: 'Again' } },
    { from: 'kept', action: 'edit', body: { changes: { promiseMade: 'Something else' } } },
    { from: 'cancelled', action: 'reassign', body: 'to the colleague' },
    {
      from: 'broken',
      action: 'keep',
      body: { proof: { kind: 'other', note: 'Late' }, recoveryStrength: 'task_closed' },
    },
  ] as const;

  for (const c of cases) {
    it(`${c.action} ${c.from === 'open' ? 'an' : 'a'} ${c.from} promise → 409`, async () => {
      const promiseId = await promiseIn(c.from);
      const before = await stored(promiseId);
      const body = c.body === 'to the colleague' ? { ownerId: team.colleagueId } : c.body;
      const problem = await expectDenied(
        () => post(`/${promiseId}/${c.action}`, body, team.ownerId),
        409,
        'invalid_transition',
        'status',
      );
      expect(problem.type).toBe('https://promise-ledger.dev/problems/invalid_transition');
      expect(problem.detail).toMatch(
        c.from === 'open' ? /not paused/ : new RegExp(c.from === 'paused' ? 'paused' : c.from),
      );
      expect(await stored(promiseId)).toEqual(before);
    });
  }
});

describe('service endpoints', () => {
  it('GET /healthz is 200 and names the database', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: ENGINE, time: db.clock.now.toISOString() });
  });

  it.each([
    ['GET', '/api/v1/nope'],
    ['GET', '/api/v2/promises'],
    // The workspace is never in the URL any more: the old routes are gone.
    ['GET', '/api/v1/workspaces/acme/promises'],
    ['DELETE', '/api/v1/promises/0199a1b2-0000-7000-8000-000000000000'],
    ['POST', '/healthz'],
  ] as const)('%s %s is a 404 problem+json', async (method, url) => {
    const res = await app.inject({ method, url });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      status: 404,
      code: 'not_found',
      detail: expect.stringContaining(url),
    });
  });

  it('answers a malformed URL with a 400 problem+json', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/promises/%E0%A4%A',
      headers: await as(team.ownerId),
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 400, code: 'bad_request' });
  });
});
