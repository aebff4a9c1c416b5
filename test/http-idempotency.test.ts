// Idempotency-Key on POST: the first response is stored and replayed, the same key with other
// parameters is a 422, concurrent requests with one key have one effect, and keys are per user.
// Against a real database (PGlite, or Postgres with TEST_DATABASE_URL); the database is checked.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { openTestDb, type TestDb } from './support/db.js';
import { buildPromise, buildTeam, promiseBody, tokenHeaders } from './support/factories.js';
import { buildUserWithPassword, type Json, send, signInAs } from './support/http.js';

const T0 = new Date('2026-11-02T09:00:00Z');
const HOUR = 3_600_000;

let db: TestDb;
let app: FastifyInstance;
let team: Awaited<ReturnType<typeof buildTeam>>;
let asOwner: { authorization: string };
let asColleague: { authorization: string };

beforeAll(async () => {
  db = await openTestDb(undefined, T0);
  app = await buildServer(db.ctx);
  team = await buildTeam(db.ctx);
  asOwner = await tokenHeaders(db.ctx, team.workspaceId, team.ownerId);
  asColleague = await tokenHeaders(db.ctx, team.workspaceId, team.colleagueId);
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** A body whose promiseMade is unique, so the rows it created can be counted. */
function uniqueBody(extra: Record<string, unknown> = {}) {
  return promiseBody(db.ctx, team, { promiseMade: `Idempotent promise ${randomUUID()}`, ...extra });
}

const create = (body: unknown, key: string | undefined, headers: Record<string, string> = asOwner) =>
  send(app, {
    method: 'POST',
    url: '/api/v1/promises',
    headers: { ...headers, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: body as Json,
  });

async function promisesMade(promiseMade: unknown): Promise<number> {
  const [row] = await db.database.raw<{ n: number }>(
    'select count(*)::int as n from promises where workspace_id = $1 and promise_made = $2',
    [team.workspaceId, promiseMade],
  );
  return Number(row?.n);
}

async function eventsOf(promiseId: string): Promise<number> {
  const [row] = await db.database.raw<{ n: number }>(
    'select count(*)::int as n from promise_events where workspace_id = $1 and promise_id = $2',
    [team.workspaceId, promiseId],
  );
  return Number(row?.n);
}

describe('Idempotency-Key on POST /api/v1/promises', () => {
  it('the same key and body replays the first response: same id, one promise, idempotent-replayed: true', async () => {
    const body = uniqueBody();
    const key = randomUUID();
    const first = await create(body, key);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await create(body, key);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toMatch(/^application\/json/);
    expect(again.json_).toEqual(first.json_);
    // Replayed even after time has passed (the response, not a fresh read, comes back).
    db.clock.now = new Date(T0.getTime() + 23 * HOUR);
    const later = await create(body, key);
    expect(later.json_).toEqual(first.json_);
    expect(later.headers['idempotent-replayed']).toBe('true');
    db.clock.now = T0;
    expect(await promisesMade(body.promiseMade)).toBe(1);
    // Without a key, the same body is a second promise.
    const unkeyed = await create(body, undefined);
    expect(unkeyed.statusCode).toBe(201);
    expect(unkeyed.json_.id).not.toBe(first.json_.id);
    expect(await promisesMade(body.promiseMade)).toBe(2);
  });

  it('the same key with a different body is 422 naming Idempotency-Key, and nothing is written', async () => {
    const body = uniqueBody();
    const key = randomUUID();
    expect((await create(body, key)).statusCode).toBe(201);
    for (const changed of [
      { ...body, dueAt: new Date(T0.getTime() + 9 * 86_400_000).toISOString() },
      { ...body, emotion: 'urgent' },
      { ...body, promiseMade: `${body.promiseMade} (edited)` },
    ]) {
      const res = await create(changed, key);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json_).toMatchObject({ code: 'idempotency_key_reused', field: 'Idempotency-Key' });
      expect(res.json_.detail).toMatch(/Idempotency-Key/);
    }
    expect(await promisesMade(body.promiseMade)).toBe(1);
    expect(await promisesMade(`${body.promiseMade} (edited)`)).toBe(0);
    // The same key on another route is another request too.
    const elsewhere = await send(app, {
      method: 'POST',
      url: `/api/v1/promises/${(await buildPromise(db.ctx, { workspaceId: team.workspaceId, ownerId: team.ownerId })).promiseId}/comments`,
      headers: { ...asOwner, 'idempotency-key': key },
      payload: { text: 'Hello' },
    });
    expect(elsewhere.statusCode).toBe(422);
  });

  it('the same body in another key order or spacing is the same request', async () => {
    const body = uniqueBody();
    const key = randomUUID();
    const first = await create(body, key);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const res = await send(app, {
      method: 'POST',
      url: '/api/v1/promises',
      headers: { ...asOwner, 'idempotency-key': key, 'content-type': 'application/json' },
      payload: JSON.stringify(reordered, null, 2),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(res.json_.id).toBe(first.json_.id);
  });

  it('20 concurrent POSTs with one key create exactly one promise, and all 20 answers carry its id', async () => {
    const body = uniqueBody();
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 20 }, () => create(body, key)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    const ids = new Set(results.map((r) => r.json_.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
    expect(await promisesMade(body.promiseMade)).toBe(1);
    const [id] = [...ids] as string[];
    expect(await eventsOf(id!)).toBe(1);
    const [row] = await db.database.raw<{ state: string; status_code: number }>(
      'select state, status_code from idempotency_keys where workspace_id = $1 and principal_id = $2 and key = $3',
      [team.workspaceId, team.ownerId, key],
    );
    expect(row).toEqual({ state: 'done', status_code: 201 });
  });

  it('a 4xx first response is stored and replayed, not re-run once the cause is gone', async () => {
    // An inactive owner is refused by the use case (after validation): 400 naming ownerId.
    const body = uniqueBody({ ownerId: team.inactiveId });
    const key = randomUUID();
    const first = await create(body, key);
    expect(first.statusCode, first.body).toBe(400);
    expect(first.json_).toMatchObject({ field: 'ownerId' });
    await db.database.raw('update users set active = true where workspace_id = $1 and id = $2', [
      team.workspaceId,
      team.inactiveId,
    ]);
    try {
      const again = await create(body, key);
      expect(again.statusCode, again.body).toBe(400);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(again.json_).toEqual(first.json_);
      expect(await promisesMade(body.promiseMade)).toBe(0);
      // A new key runs it again, and now it succeeds.
      expect((await create(body, randomUUID())).statusCode).toBe(201);
    } finally {
      await db.database.raw('update users set active = false where workspace_id = $1 and id = $2', [
        team.workspaceId,
        team.inactiveId,
      ]);
    }
  });

  it('a body refused by validation does not use up the key', async () => {
    const body = uniqueBody();
    const key = randomUUID();
    const bad = await create({ ...body, dueAt: 'tomorrow' }, key);
    expect(bad.statusCode).toBe(400);
    const good = await create(body, key);
    expect(good.statusCode, good.body).toBe(201);
    expect(good.headers['idempotent-replayed']).toBeUndefined();
  });

  it('keys are per user: two users with one key and one body make two promises', async () => {
    const body = uniqueBody();
    const key = randomUUID();
    const a = await create(body, key, asOwner);
    const b = await create(body, key, asColleague);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(a.json_.id).not.toBe(b.json_.id);
    expect(b.json_.createdBy).toBe(team.colleagueId);
    expect(await promisesMade(body.promiseMade)).toBe(2);
    // A user's credentials share their keys: a session replays what the user's token did.
    const u = await buildUserWithPassword(db.ctx, { workspaceId: team.workspaceId });
    const shared = uniqueBody();
    const viaToken = await create(shared, key, await tokenHeaders(db.ctx, team.workspaceId, u.userId));
    const s = await signInAs(app, { workspace: team.slug, email: u.email });
    const viaSession = await create(shared, key, s.write);
    expect(viaToken.statusCode).toBe(201);
    expect(viaSession.headers['idempotent-replayed']).toBe('true');
    expect(viaSession.json_.id).toBe(viaToken.json_.id);
  });

  it('a key is kept for 24 hours; after that it may be used again', async () => {
    const body = uniqueBody();
    const key = randomUUID();
    const first = await create(body, key);
    db.clock.now = new Date(T0.getTime() + 24 * HOUR + 1);
    try {
      const fresh = await create(body, key);
      expect(fresh.statusCode).toBe(201);
      expect(fresh.headers['idempotent-replayed']).toBeUndefined();
      expect(fresh.json_.id).not.toBe(first.json_.id);
    } finally {
      db.clock.now = T0;
    }
  });

  it('an Idempotency-Key that is empty, too long or not visible ASCII is 400 naming it', async () => {
    for (const key of ['', 'k'.repeat(201), 'clé-é']) {
      const body = uniqueBody();
      const res = await create(body, key);
      expect(res.statusCode, `${JSON.stringify(key)}: ${res.body}`).toBe(400);
      expect(res.json_).toMatchObject({ field: 'Idempotency-Key' });
      expect(await promisesMade(body.promiseMade)).toBe(0);
    }
  });
});

describe('routes that answer with a one-time secret', () => {
  it('never store their response: an API token or invitation secret is not kept in plain text', async () => {
    const key = randomUUID();
    const admin = await tokenHeaders(db.ctx, team.workspaceId, team.adminId);
    const made: string[] = [];
    for (let i = 0; i < 2; i++) {
      const t = await send(app, {
        method: 'POST',
        url: '/api/v1/auth/tokens',
        headers: { ...admin, 'idempotency-key': key },
        payload: { name: 'CI', scope: 'read' },
      });
      expect(t.statusCode, t.body).toBe(201);
      expect(t.headers['idempotent-replayed']).toBeUndefined();
      made.push(t.json_.token);
      const inv = await send(app, {
        method: 'POST',
        url: '/api/v1/invitations',
        headers: { ...admin, 'idempotency-key': `${key}-inv` },
        payload: { email: `invitee-${i}@example.test`, role: 'member' },
      });
      expect(inv.statusCode, inv.body).toBe(201);
      made.push(inv.json_.token);
    }
    expect(new Set(made).size).toBe(4);
    const stored = await db.database.raw<{ response: unknown }>('select response from idempotency_keys');
    const all = JSON.stringify(stored);
    for (const secret of made) expect(all).not.toContain(secret.split('.')[3]);
  });
});

describe('Idempotency-Key on promise actions', () => {
  it('a replayed comment is added once', async () => {
    const { promiseId } = await buildPromise(db.ctx, {
      workspaceId: team.workspaceId,
      ownerId: team.ownerId,
    });
    const key = randomUUID();
    const post = () =>
      send(app, {
        method: 'POST',
        url: `/api/v1/promises/${promiseId}/comments`,
        headers: { ...asOwner, 'idempotency-key': key },
        payload: { text: 'Called Maya' },
      });
    const results = await Promise.all([post(), post(), post()]);
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    expect(new Set(results.map((r) => r.json_.event.id)).size).toBe(1);
    expect(await eventsOf(promiseId)).toBe(2);
  });
});
