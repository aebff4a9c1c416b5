// The authorisation matrix, generated from the route table: every API route × every kind of
// caller, asserting the status, and re-reading the whole database after each refused request to
// prove nothing changed. Then the tenant-isolation cases peers have shipped bugs for.
import type { FastifyInstance } from 'fastify';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, canWriteOwned, type Principal } from '../src/auth/policy.js';
import { invitations, promiseTypes, savedViews } from '../src/db/schema.js';
import { apiRoutes, buildServer } from '../src/http/server.js';
import { changePromise } from '../src/promises/change-promise.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import {
  buildAccount,
  buildPromise,
  buildWorkspace,
  principalFor,
  tokenHeaders,
} from './support/factories.js';
import { send } from './support/http.js';
import { buildRoles, type Roles } from './support/records.js';

/** Tables whose rows a request may legitimately touch while being refused (bookkeeping). */
const BOOKKEEPING = new Set([
  'sessions',
  'api_tokens',
  'security_events',
  'idempotency_keys',
  'schema_migrations',
]);

async function fingerprint(db: TestDb): Promise<Record<string, string>> {
  const tables = await db.database.raw<{ table_name: string }>(
    `select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
  );
  const out: Record<string, string> = {};
  for (const { table_name } of tables) {
    if (BOOKKEEPING.has(table_name)) continue;
    const [row] = await db.database.raw<{ h: string | null; n: number }>(
      `select md5(string_agg(t::text, '|' order by t::text)) as h, count(*)::int as n from ${table_name} t`,
    );
    out[table_name] = `${row?.n}:${row?.h}`;
  }
  return out;
}

type Caller = 'anonymous' | 'viewer' | 'member' | 'manager' | 'admin' | 'readToken' | 'writeToken';
const CALLERS: Caller[] = ['anonymous', 'viewer', 'member', 'manager', 'admin', 'readToken', 'writeToken'];

describe(`authorisation matrix (${ENGINE})`, () => {
  let db: TestDb;
  let app: FastifyInstance;
  let r: Roles;
  let other: { workspaceId: string; adminId: string; headers: { authorization: string } };
  const principals: Partial<Record<Caller, Principal>> = {};
  const headers: Partial<Record<Caller, { authorization: string }>> = {};
  /** Path parameters naming real records of workspace A, owned by member2 (not `member`). */
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await openTestDb();
    app = await buildServer(db.ctx, { signingKeyFile: `/tmp/pl-matrix-${uuidv7()}.pem` });
    r = await buildRoles(db.ctx);
    const ws = r.workspaceId;
    for (const [caller, user, scope] of [
      ['viewer', r.ids.viewer, 'write'],
      ['member', r.ids.member, 'write'],
      ['manager', r.ids.manager, 'write'],
      ['admin', r.ids.admin, 'write'],
      ['readToken', r.ids.admin, 'read'],
      ['writeToken', r.ids.manager, 'write'],
    ] as const) {
      principals[caller] = await principalFor(db.ctx, ws, user, scope);
      headers[caller] = await tokenHeaders(db.ctx, ws, user, scope);
    }
    const p = await buildPromise(db.ctx, { workspaceId: ws, ownerId: r.ids.member2 });
    ids.promiseId = p.promiseId;
    ids.accountId = p.accountId;
    ids.contactId = p.contactId;
    ids.userId = r.ids.member2;
    ids.key = 'a_only_type';
    await db.database.db.insert(promiseTypes).values({ workspaceId: ws, key: ids.key, label: 'Only in A' });
    const m2 = await principalFor(db.ctx, ws, r.ids.member2);
    const t = await (await import('../src/auth/api-tokens.js')).createApiToken(db.ctx, m2, {
      name: 'm2',
      scope: 'read',
    });
    ids.tokenId = t.id;
    ids.sessionId = uuidv7();
    ids.viewId = uuidv7();
    await db.database.db.insert(savedViews).values({
      workspaceId: ws,
      id: ids.viewId,
      name: 'Shared view',
      visibility: 'shared',
      query: { status: 'open' },
      createdBy: r.ids.admin,
      updatedBy: r.ids.admin,
      createdAt: db.ctx.now(),
      updatedAt: db.ctx.now(),
    } as never);
    ids.invitationId = uuidv7();
    await db.database.db.insert(invitations).values({
      workspaceId: ws,
      id: ids.invitationId,
      email: 'invited@example.test',
      role: 'member',
      invitedBy: r.ids.admin,
      secretHash: '0'.repeat(64),
      createdAt: db.ctx.now(),
      expiresAt: new Date(db.ctx.now().getTime() + 86_400_000),
    });
    const signal = await send(app, {
      method: 'POST',
      url: '/api/v1/signals',
      headers: r.as.admin,
      payload: { kind: 'customer_chased', accountId: p.accountId, note: 'Maya chased us' },
    });
    ids.signalId = signal.json_?.id ?? uuidv7();
    const handoff = await send(app, {
      method: 'POST',
      url: '/api/v1/handoffs',
      headers: r.as.admin,
      payload: {
        accountId: p.accountId,
        toUserId: r.ids.member2,
        items: [
          {
            customerBelieves: 'Configure SSO',
            customerReason: 'Their IT requires it',
            dueAt: '2026-12-01T12:00:00Z',
          },
        ],
      },
    });
    ids.handoffId = handoff.json_?.id ?? uuidv7();

    const b = await buildWorkspace(db.ctx);
    other = { ...b, headers: await tokenHeaders(db.ctx, b.workspaceId, b.adminId) };
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  /** Valid bodies where the refusal depends on the record (ownership is checked after validation). */
  const SAMPLES: Record<string, unknown> = {
    'promises.edit': { changes: { emotion: 'urgent' } },
    'promises.reassign': { ownerId: '{member}' },
    'promises.renegotiate': { dueAt: '2026-12-20T12:00:00Z', agreedBy: 'Maya Chen' },
    'promises.pause': { cause: 'customer', note: 'Waiting for their data' },
    'promises.resume': {},
    'promises.keep': { proof: { kind: 'email_sent', note: 'Sent' }, recoveryStrength: 'task_closed' },
    'promises.break': { reason: 'Vendor slipped' },
    'promises.cancel': { reason: 'No longer needed' },
    'accounts.update': { name: 'Renamed' },
    'accounts.temperature.set': { temperature: 'strained', note: 'Tense call' },
    'views.update': { name: 'Renamed view' },
    'measures.health.weights.set': {
      recency: 20,
      frequency: 15,
      coreUsage: 15,
      tickets: 15,
      openPromises: 5,
      overduePromises: 15,
      temperature: 15,
    },
  };
  const sample = (id: string, route: { body?: unknown }) => {
    if (!route.body) return {};
    const body = SAMPLES[id] ?? {};
    return { payload: JSON.parse(JSON.stringify(body).replaceAll('{member}', r.ids.member)) as object };
  };

  const fill = (url: string) => url.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? uuidv7());

  function expected(
    route: ReturnType<typeof apiRoutes>[number],
    caller: Caller,
  ): 'unauthenticated' | 'forbidden' | 'allowed' {
    if (route.auth === 'public') return 'allowed';
    const p = principals[caller as Exclude<Caller, 'anonymous'>];
    if (!p) return 'unauthenticated';
    if (route.auth === 'authenticated') return 'allowed';
    if (!can(p, route.auth)) return 'forbidden';
    // Owner-scoped writes on member2's records: the owner, or a role that writes any.
    if (route.auth === 'promise.write_own')
      return canWriteOwned(p, 'promise', ids.userId!) ? 'allowed' : 'forbidden';
    if (route.auth === 'account.write_own')
      return canWriteOwned(p, 'account', ids.userId!) ? 'allowed' : 'forbidden';
    if (route.url.startsWith('/api/v1/views/:viewId') && route.method !== 'GET') {
      return can(p, 'view.write_shared') ? 'allowed' : 'forbidden';
    }
    return 'allowed';
  }

  it('covers every route of the API', () => {
    expect(apiRoutes(db.ctx).length).toBeGreaterThan(50);
  });

  for (const caller of CALLERS) {
    it(`every route answers ${caller} as the policy table says, and refusals write nothing`, async () => {
      for (const route of apiRoutes(db.ctx)) {
        const want = expected(route, caller);
        const before = want === 'allowed' ? undefined : await fingerprint(db);
        const res = await send(app, {
          method: route.method,
          url: fill(route.url),
          headers: headers[caller as Exclude<Caller, 'anonymous'>] ?? {},
          ...sample(route.id, route),
        });
        const label = `${caller} ${route.method} ${route.url} → ${res.statusCode} ${res.body.slice(0, 200)}`;
        if (want === 'unauthenticated') expect(res.statusCode, label).toBe(401);
        else if (want === 'forbidden') expect(res.statusCode, label).toBe(403);
        else expect([401, 403], label).not.toContain(res.statusCode);
        if (res.statusCode >= 400) expect(res.headers['content-type'], label).toMatch(/problem\+json/);
        if (before) expect(await fingerprint(db), label).toEqual(before);
      }
    });
  }

  it('a user of another workspace gets 404 for every record of this one, exactly like a missing id, and nothing changes', async () => {
    const before = await fingerprint(db);
    for (const route of apiRoutes(db.ctx)) {
      if (!route.url.includes(':') || route.auth === 'public') continue;
      const theirs = await send(app, {
        method: route.method,
        url: fill(route.url),
        headers: other.headers,
        ...(route.body ? { payload: {} } : {}),
      });
      const label = `${route.method} ${route.url} → ${theirs.statusCode} ${theirs.body.slice(0, 200)}`;
      // With a body the request may already fail validation; it must never succeed or reveal.
      if (route.body) expect([400, 404], label).toContain(theirs.statusCode);
      else expect(theirs.statusCode, label).toBe(404);
    }
    // The same for requests with valid bodies on the main records.
    const valid: [string, string, unknown][] = [
      ['POST', `/api/v1/promises/${ids.promiseId}/comments`, { text: 'hello from elsewhere' }],
      ['POST', `/api/v1/promises/${ids.promiseId}/cancel`, { reason: 'not yours' }],
      ['POST', `/api/v1/promises/${ids.promiseId}/reassign`, { ownerId: other.adminId }],
      ['PATCH', `/api/v1/accounts/${ids.accountId}`, { name: 'Taken over' }],
      ['POST', `/api/v1/accounts/${ids.accountId}/temperature`, { temperature: 'fragile', note: 'x' }],
      ['PATCH', `/api/v1/contacts/${ids.contactId}`, { name: 'Taken over' }],
      ['PATCH', `/api/v1/users/${ids.userId}`, { role: 'viewer' }],
      ['PATCH', `/api/v1/views/${ids.viewId}`, { name: 'Taken over' }],
      ['DELETE', `/api/v1/views/${ids.viewId}`, undefined],
      ['POST', `/api/v1/handoffs/${ids.handoffId}/complete`, undefined],
    ];
    for (const [method, url, payload] of valid) {
      const res = await send(app, {
        method: method as 'POST',
        url,
        headers: other.headers,
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      const missing = await send(app, {
        method: method as 'POST',
        url: url.replace(/[0-9a-f-]{36}/, uuidv7()),
        headers: other.headers,
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(404);
      expect(res.json_.code).toBe(missing.json_.code);
      expect(res.json_.field).toBe(missing.json_.field);
    }
    expect(await fingerprint(db)).toEqual(before);
  });

  it('two related ids where one belongs to another workspace are refused, naming it, and nothing is written', async () => {
    const mine = await buildAccount(db.ctx, { workspaceId: other.workspaceId, ownerId: other.adminId });
    const before = await fingerprint(db);
    const promise = (accountId: string, ownerId: string) => ({
      accountId,
      ownerId,
      typeKey: 'product_follow_up',
      promiseMade: 'Send the export guide',
      customerReason: 'They report on Monday',
      dueAt: '2026-12-01T12:00:00Z',
    });
    const cases: [unknown, number, string][] = [
      [promise(ids.accountId!, other.adminId), 404, 'accountId'], // their account, my owner
      [promise(mine.accountId, r.ids.member2), 400, 'ownerId'], // my account, their owner
      [{ ...promise(mine.accountId, other.adminId), contactId: ids.contactId }, 404, 'contactId'],
      [{ ...promise(mine.accountId, other.adminId), workspaceId: r.workspaceId }, 400, 'workspaceId'],
      [{ ...promise(mine.accountId, other.adminId), workspace_id: r.workspaceId }, 400, 'workspace_id'],
    ];
    for (const [payload, status, field] of cases) {
      const res = await send(app, {
        method: 'POST',
        url: '/api/v1/promises',
        headers: other.headers,
        payload: payload as object,
      });
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json_.problems.map((p: { field: string }) => p.field)).toContain(field);
    }
    const contact = await send(app, {
      method: 'POST',
      url: '/api/v1/contacts',
      headers: other.headers,
      payload: { accountId: ids.accountId, name: 'Spy' },
    });
    expect(contact.statusCode, contact.body).toBe(404);
    const signal = await send(app, {
      method: 'POST',
      url: '/api/v1/signals',
      headers: other.headers,
      payload: { kind: 'customer_chased', accountId: ids.accountId, note: 'x' },
    });
    expect(signal.statusCode, signal.body).toBe(404);
    expect(await fingerprint(db)).toEqual(before);
  });

  it('filters, sorts and counts on another workspace’s ids reveal nothing', async () => {
    for (const url of [
      `/api/v1/promises?owner=${r.ids.member2}&count=true`,
      `/api/v1/promises?account=${ids.accountId}&count=true`,
      `/api/v1/promises?owner=${r.ids.member2}&sort=-createdAt&count=true`,
      `/api/v1/accounts?owner=${r.ids.member2}&count=true`,
      `/api/v1/signals?account=${ids.accountId}`,
    ]) {
      const res = await send(app, { method: 'GET', url, headers: other.headers });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      expect(res.json_.data, url).toEqual([]);
      if ('total' in res.json_) expect(res.json_.total, url).toBe(0);
    }
  });

  it('the token of a removed user stops working at once', async () => {
    const { userId } = await (await import('./support/factories.js')).buildUser(db.ctx, {
      workspaceId: r.workspaceId,
    });
    const h = await tokenHeaders(db.ctx, r.workspaceId, userId);
    expect((await send(app, { method: 'GET', url: '/api/v1/promises', headers: h })).statusCode).toBe(200);
    const off = await send(app, {
      method: 'PATCH',
      url: `/api/v1/users/${userId}`,
      headers: r.as.admin,
      payload: { active: false },
    });
    expect(off.statusCode, off.body).toBe(200);
    const after = await send(app, { method: 'GET', url: '/api/v1/promises', headers: h });
    expect(after.statusCode).toBe(401);
    const write = await send(app, {
      method: 'POST',
      url: `/api/v1/promises/${ids.promiseId}/comments`,
      headers: h,
      payload: { text: 'still here?' },
    });
    expect(write.statusCode).toBe(401);
    void changePromise;
  });
});
