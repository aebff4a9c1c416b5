// Sales-to-onboarding handoffs through HTTP against a real database (PGlite in memory, or Postgres
// when TEST_DATABASE_URL is set): drafts with "Customer believes we will…" items, completion into
// promises owned by the receiver in one transaction, isolation and roles. Refused writes are
// checked against the rows.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { openTestDb, type TestDb } from './support/db.js';
import { buildAccount, buildTeam, buildUser, tokenHeaders } from './support/factories.js';

const DAY = 86_400_000;
const T0 = new Date('2026-11-02T09:00:00Z');
const iso = (ms: number) => new Date(T0.getTime() + ms).toISOString();
const MISSING_ID = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

type Headers = { authorization: string };
// biome-ignore lint/suspicious/noExplicitAny: test JSON
type Json = Record<string, any>;

let db: TestDb;
let app: FastifyInstance;
/** team.ownerId is the seller; the receiver is onboarding. */
let team: Awaited<ReturnType<typeof buildTeam>>;
let receiverId: string;
let viewerId: string;
let other: Awaited<ReturnType<typeof buildTeam>>;
let otherHandoffId: string;
let as: { seller: Headers; receiver: Headers; viewer: Headers; readToken: Headers; other: Headers };

const item = (o: Json = {}) => ({
  believesWeWill: 'Set up SSO with Okta before the go-live on the 20th',
  customerReason: 'IT will not approve the rollout to 400 users without it',
  dueAt: iso(14 * DAY),
  ...o,
});
const handoffBody = (o: Json = {}) => ({
  accountId: team.accountId,
  contactId: team.contactId,
  toUserId: receiverId,
  note: 'Champion is Maya; the CFO was skeptical on price',
  items: [
    item(),
    item({
      believesWeWill: 'Migrate their three years of Salesforce history',
      customerReason: 'Finance reports year-over-year from day one',
      dueAt: iso(30 * DAY),
      typeKey: 'product_follow_up',
      emotion: 'skeptical',
    }),
  ],
  ...o,
});

beforeAll(async () => {
  db = await openTestDb(undefined, T0);
  app = await buildServer(db.ctx);
  team = await buildTeam(db.ctx);
  receiverId = (await buildUser(db.ctx, { workspaceId: team.workspaceId })).userId;
  viewerId = (await buildUser(db.ctx, { workspaceId: team.workspaceId, role: 'viewer' })).userId;
  other = await buildTeam(db.ctx);
  as = {
    seller: await tokenHeaders(db.ctx, team.workspaceId, team.ownerId),
    receiver: await tokenHeaders(db.ctx, team.workspaceId, receiverId),
    viewer: await tokenHeaders(db.ctx, team.workspaceId, viewerId),
    readToken: await tokenHeaders(db.ctx, team.workspaceId, team.ownerId, 'read'),
    other: await tokenHeaders(db.ctx, other.workspaceId, other.ownerId),
  };
  const res = await post('/api/v1/handoffs', as.other, {
    accountId: other.accountId,
    toUserId: other.colleagueId,
    items: [item()],
  });
  expect(res.statusCode, res.body).toBe(201);
  otherHandoffId = res.body_.id;
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
const get = (url: string, headers: Headers = as.seller) => call({ method: 'GET', url, headers });

/** Every row a handoff write might touch, in every workspace. */
async function snapshot() {
  const q = (sql: string) => db.database.raw(sql);
  return {
    handoffs: await q('select * from handoffs order by workspace_id, id'),
    items: await q('select * from handoff_items order by workspace_id, id'),
    promises: await q('select workspace_id, id, version, head_hash from promises order by id'),
    events: await q('select count(*)::int as n from promise_events'),
  };
}

async function expectRefused(
  send: () => Promise<LightMyRequestResponse>,
  status: number,
  field: string | null,
) {
  const before = await snapshot();
  const res = await send();
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json().field, res.body).toBe(field);
  expect(await snapshot()).toEqual(before);
  return res.json();
}

describe('a sales handoff (workflow 5)', () => {
  let handoff: Json;

  it('starts as a draft listing what the customer believes we will do', async () => {
    const res = await post('/api/v1/handoffs', as.seller, handoffBody());
    expect(res.statusCode, res.body).toBe(201);
    handoff = res.body_;
    expect(handoff).toMatchObject({
      accountId: team.accountId,
      contactId: team.contactId,
      fromUserId: team.ownerId,
      toUserId: receiverId,
      status: 'draft',
      createdBy: team.ownerId,
      completedAt: null,
    });
    expect(handoff.items).toEqual([
      {
        id: expect.any(String),
        position: 0,
        believesWeWill: 'Set up SSO with Okta before the go-live on the 20th',
        customerReason: 'IT will not approve the rollout to 400 users without it',
        dueAt: iso(14 * DAY),
        typeKey: null,
        emotion: null,
        promiseId: null,
      },
      expect.objectContaining({
        position: 1,
        typeKey: 'product_follow_up',
        emotion: 'skeptical',
        promiseId: null,
      }),
    ]);
    const rows = await db.database.raw('select status from handoffs where workspace_id = $1 and id = $2', [
      team.workspaceId,
      handoff.id,
    ]);
    expect(rows).toEqual([{ status: 'draft' }]);
    expect((await get(`/api/v1/handoffs/${handoff.id}`)).body_).toEqual(handoff);
  });

  it('a draft can change: note, receiver, and the whole item list', async () => {
    const res = await patch(`/api/v1/handoffs/${handoff.id}`, as.seller, {
      note: 'Champion is Maya',
      items: [
        ...handoffBody().items,
        item({ believesWeWill: 'Train their five admins', typeKey: 'training_resource' }),
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body_.note).toBe('Champion is Maya');
    expect(res.body_.items.map((i: Json) => i.position)).toEqual([0, 1, 2]);
    const back = await patch(`/api/v1/handoffs/${handoff.id}`, as.seller, { items: handoffBody().items });
    expect(back.body_.items).toHaveLength(2);
    const [n] = await db.database.raw(
      'select count(*)::int as n from handoff_items where workspace_id = $1 and handoff_id = $2',
      [team.workspaceId, handoff.id],
    );
    expect(n).toEqual({ n: 2 });
    handoff = back.body_;
  });

  it('completing it creates one promise per item, owned by the receiver, with their ledger events', async () => {
    db.clock.now = new Date(T0.getTime() + 3_600_000);
    // The seller completes it: the promises still belong to the receiver, not to whoever completes.
    const res = await post(`/api/v1/handoffs/${handoff.id}/complete`, as.seller);
    expect(res.statusCode, res.body).toBe(200);
    const done = res.body_;
    expect(done).toMatchObject({
      status: 'completed',
      completedBy: team.ownerId,
      completedAt: iso(3_600_000),
    });
    expect(done.promises).toHaveLength(2);
    for (const p of done.promises) {
      expect(p).toMatchObject({
        ownerId: receiverId,
        source: 'sales_handoff',
        accountId: team.accountId,
        contactId: team.contactId,
        status: 'open',
        version: 1,
      });
    }
    expect(done.promises.map((p: Json) => [p.promiseMade, p.typeKey, p.dueAt, p.emotion])).toEqual([
      ['Set up SSO with Okta before the go-live on the 20th', 'onboarding_change', iso(14 * DAY), null],
      ['Migrate their three years of Salesforce history', 'product_follow_up', iso(30 * DAY), 'skeptical'],
    ]);
    expect(done.items.map((i: Json) => i.promiseId)).toEqual(done.promises.map((p: Json) => p.id));

    const rows = await db.database.raw<{ owner_id: string; source: string }>(
      'select owner_id, source from promises where workspace_id = $1 and id = any($2::uuid[])',
      [team.workspaceId, done.promises.map((p: Json) => p.id)],
    );
    expect(rows).toEqual([
      { owner_id: receiverId, source: 'sales_handoff' },
      { owner_id: receiverId, source: 'sales_handoff' },
    ]);
    const events = await db.database.raw<{ n: number }>(
      `select count(*)::int as n from promise_events where workspace_id = $1 and type = 'created' and promise_id = any($2::uuid[])`,
      [team.workspaceId, done.promises.map((p: Json) => p.id)],
    );
    expect(events).toEqual([{ n: 2 }]);
    const items = await db.database.raw<{ promise_id: string }>(
      'select promise_id from handoff_items where workspace_id = $1 and handoff_id = $2 order by position',
      [team.workspaceId, handoff.id],
    );
    expect(items.map((i) => i.promise_id)).toEqual(done.promises.map((p: Json) => p.id));
    const history = await get(`/api/v1/promises/${done.promises[0].id}`);
    expect(history.body_).toMatchObject({ verified: true, history: [{ type: 'created' }] });
    db.clock.now = T0;
    handoff = done;
  });

  it('a completed handoff cannot change or complete again (409), nothing written', async () => {
    await expectRefused(() => post(`/api/v1/handoffs/${handoff.id}/complete`, as.receiver), 409, 'status');
    await expectRefused(
      () => patch(`/api/v1/handoffs/${handoff.id}`, as.seller, { note: 'late' }),
      409,
      'status',
    );
  });

  it('if any item cannot become a promise, completing creates nothing at all', async () => {
    const res = await post(
      '/api/v1/handoffs',
      as.seller,
      handoffBody({
        items: [item(), item({ typeKey: 'roadmap_update', believesWeWill: 'Share the Q1 roadmap' })],
      }),
    );
    expect(res.statusCode, res.body).toBe(201);
    // The second item's type is switched off after drafting: its promise fails after the first was created.
    await db.database.raw(
      `update promise_types set active = false where workspace_id = $1 and key = 'roadmap_update'`,
      [team.workspaceId],
    );
    try {
      const body = await expectRefused(
        () => post(`/api/v1/handoffs/${res.body_.id}/complete`, as.receiver),
        400,
        'items.1.typeKey',
      );
      expect(body.detail).toMatch(/^items\.1\.typeKey: unknown promise type "roadmap_update"/);
      expect((await get(`/api/v1/handoffs/${res.body_.id}`)).body_).toMatchObject({ status: 'draft' });
    } finally {
      await db.database.raw(
        `update promise_types set active = true where workspace_id = $1 and key = 'roadmap_update'`,
        [team.workspaceId],
      );
    }
  });

  it('a receiver deactivated after drafting cannot receive it (400 naming toUserId)', async () => {
    const leaving = (await buildUser(db.ctx, { workspaceId: team.workspaceId })).userId;
    const res = await post('/api/v1/handoffs', as.seller, handoffBody({ toUserId: leaving }));
    await db.database.raw('update users set active = false where workspace_id = $1 and id = $2', [
      team.workspaceId,
      leaving,
    ]);
    await expectRefused(() => post(`/api/v1/handoffs/${res.body_.id}/complete`, as.seller), 400, 'toUserId');
  });
});

describe('bad input', () => {
  it('a handoff with zero items (or none) cannot be created (400 naming items), nothing written', async () => {
    const body = await expectRefused(
      () => post('/api/v1/handoffs', as.seller, handoffBody({ items: [] })),
      400,
      'items',
    );
    expect(body.detail).toMatch(/at least one/);
    await expectRefused(
      () => post('/api/v1/handoffs', as.seller, handoffBody({ items: undefined })),
      400,
      'items',
    );
  });

  it('nor edited down to zero items', async () => {
    const res = await post('/api/v1/handoffs', as.seller, handoffBody());
    await expectRefused(
      () => patch(`/api/v1/handoffs/${res.body_.id}`, as.seller, { items: [] }),
      400,
      'items',
    );
    await expectRefused(() => patch(`/api/v1/handoffs/${res.body_.id}`, as.seller, {}), 400, 'body');
  });

  it('a handoff whose items were all removed from the database cannot be completed (400 naming items)', async () => {
    const res = await post('/api/v1/handoffs', as.seller, handoffBody());
    await db.database.raw('delete from handoff_items where workspace_id = $1 and handoff_id = $2', [
      team.workspaceId,
      res.body_.id,
    ]);
    await expectRefused(() => post(`/api/v1/handoffs/${res.body_.id}/complete`, as.receiver), 400, 'items');
  });

  it('unknown fields, bad items, an unknown type and an inactive receiver are 400s naming the field', async () => {
    await expectRefused(
      () => post('/api/v1/handoffs', as.seller, handoffBody({ priority: 'high' })),
      400,
      'priority',
    );
    await expectRefused(
      () => post('/api/v1/handoffs', as.seller, handoffBody({ items: [item({ believesWeWill: ' ' })] })),
      400,
      'items.0.believesWeWill',
    );
    await expectRefused(
      () =>
        post('/api/v1/handoffs', as.seller, handoffBody({ items: [item(), item({ dueAt: '2026-12-01' })] })),
      400,
      'items.1.dueAt',
    );
    await expectRefused(
      () =>
        post('/api/v1/handoffs', as.seller, handoffBody({ items: [item({ customerReason: undefined })] })),
      400,
      'items.0.customerReason',
    );
    await expectRefused(
      () =>
        post(
          '/api/v1/handoffs',
          as.seller,
          handoffBody({ items: [item(), item({ typeKey: 'no_such_type' })] }),
        ),
      400,
      'items.1.typeKey',
    );
    await expectRefused(
      () => post('/api/v1/handoffs', as.seller, handoffBody({ toUserId: team.inactiveId })),
      400,
      'toUserId',
    );
  });
});

describe('isolation: another workspace’s records answer 404 like missing ones', () => {
  it('its handoff is not found for reading, editing or completing', async () => {
    for (const id of [otherHandoffId, MISSING_ID]) {
      const res = await get(`/api/v1/handoffs/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.body_).toMatchObject({ field: 'handoffId', detail: `handoff ${id} not found` });
      await expectRefused(() => patch(`/api/v1/handoffs/${id}`, as.seller, { note: 'x' }), 404, 'handoffId');
      await expectRefused(() => post(`/api/v1/handoffs/${id}/complete`, as.seller), 404, 'handoffId');
    }
  });

  it('its account, contact or users inside a body are 404s; a workspaceId in the body is refused', async () => {
    await expectRefused(
      () => post('/api/v1/handoffs', as.seller, handoffBody({ accountId: other.accountId })),
      404,
      'accountId',
    );
    await expectRefused(
      () => post('/api/v1/handoffs', as.seller, handoffBody({ contactId: other.contactId })),
      404,
      'contactId',
    );
    await expectRefused(
      () => post('/api/v1/handoffs', as.seller, handoffBody({ toUserId: other.ownerId })),
      404,
      'toUserId',
    );
    await expectRefused(
      () => post('/api/v1/handoffs', as.seller, handoffBody({ fromUserId: other.ownerId })),
      404,
      'fromUserId',
    );
    await expectRefused(
      () => post('/api/v1/handoffs', as.seller, handoffBody({ workspaceId: other.workspaceId })),
      400,
      'workspaceId',
    );
    const draft = await post('/api/v1/handoffs', as.seller, handoffBody());
    await expectRefused(
      () => patch(`/api/v1/handoffs/${draft.body_.id}`, as.seller, { toUserId: other.colleagueId }),
      404,
      'toUserId',
    );
  });

  it('lists show only this workspace; filtering on another workspace’s account finds nothing', async () => {
    const all = await get('/api/v1/handoffs?limit=200');
    expect(all.body_.data.length).toBeGreaterThan(0);
    expect(all.body_.data.some((h: Json) => h.id === otherHandoffId)).toBe(false);
    expect((await get(`/api/v1/handoffs?account=${other.accountId}`)).body_.data).toEqual([]);
  });
});

describe('lists', () => {
  it('filters by account, status and receiver, newest first, paging with a cursor', async () => {
    const acc = await buildAccount(db.ctx, { workspaceId: team.workspaceId, ownerId: team.ownerId });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      db.clock.now = new Date(T0.getTime() + i * 60_000);
      const res = await post(
        '/api/v1/handoffs',
        as.seller,
        handoffBody({ accountId: acc.accountId, contactId: null }),
      );
      ids.push(res.body_.id);
    }
    db.clock.now = T0;
    await post(`/api/v1/handoffs/${ids[1]}/complete`, as.receiver);
    const drafts = await get(`/api/v1/handoffs?account=${acc.accountId}&status=draft`);
    expect(drafts.body_.data.map((h: Json) => h.id)).toEqual([ids[2], ids[0]]);
    const mine = await get(
      `/api/v1/handoffs?account=${acc.accountId}&toUser=me&status=completed`,
      as.receiver,
    );
    expect(mine.body_.data.map((h: Json) => h.id)).toEqual([ids[1]]);
    expect(mine.body_.data[0].items.every((i: Json) => i.promiseId !== null)).toBe(true);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: LightMyRequestResponse & { body_: Json } = await get(
        `/api/v1/handoffs?account=${acc.accountId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body_.data.map((h: Json) => h.id));
      cursor = page.body_.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });
});

describe('roles', () => {
  it('a viewer and a read-only token can read handoffs but not write them', async () => {
    const draft = await post('/api/v1/handoffs', as.seller, handoffBody());
    for (const who of [as.viewer, as.readToken]) {
      expect((await get(`/api/v1/handoffs/${draft.body_.id}`, who)).statusCode).toBe(200);
      await expectRefused(() => post('/api/v1/handoffs', who, handoffBody()), 403, null);
      await expectRefused(() => patch(`/api/v1/handoffs/${draft.body_.id}`, who, { note: 'x' }), 403, null);
      await expectRefused(() => post(`/api/v1/handoffs/${draft.body_.id}/complete`, who), 403, null);
    }
  });
});
