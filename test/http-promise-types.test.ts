// Promise types through HTTP against a real database: admins add, rename and (de)activate them;
// built-in and used types are never deleted; a deactivated type cannot be used for a new promise.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { BUILTIN_PROMISE_TYPES } from '../src/promises/promise.js';
import { openTestDb, type TestDb } from './support/db.js';
import { buildAccount, promiseBody } from './support/factories.js';
import { send } from './support/http.js';
import { buildRoles, type Roles, refused, req } from './support/records.js';

const URL_ = '/api/v1/promise-types';

let db: TestDb;
let app: FastifyInstance;
let ws: Roles;
let other: Roles;
let team: { accountId: string; ownerId: string };

beforeAll(async () => {
  db = await openTestDb(undefined, new Date('2026-11-02T09:00:00Z'));
  app = await buildServer(db.ctx);
  ws = await buildRoles(db.ctx);
  other = await buildRoles(db.ctx);
  team = await buildAccount(db.ctx, { workspaceId: ws.workspaceId, ownerId: ws.ids.member });
  // A type only the other workspace has.
  const res = await send(app, req('POST', URL_, other.as.admin, { key: 'theirs_only', label: 'Theirs' }));
  expect(res.statusCode, res.body).toBe(201);
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

const newPromise = (typeKey: string) =>
  send(app, req('POST', '/api/v1/promises', ws.as.member, promiseBody(db.ctx, team, { typeKey })));

describe('promise types', () => {
  it('every role reads the eight built-in types', async () => {
    const res = await send(app, req('GET', URL_, ws.as.viewer));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_.data).toHaveLength(8);
    expect(new Set(res.json_.data.map((t: { key: string }) => t.key))).toEqual(
      new Set(Object.keys(BUILTIN_PROMISE_TYPES)),
    );
    expect(res.json_.data[0]).toEqual({
      key: 'billing_clarification',
      label: 'Billing clarification',
      builtin: true,
      active: true,
    });
  });

  it('an admin adds one: 201; it can be used for a promise at once', async () => {
    const res = await send(
      app,
      req('POST', URL_, ws.as.admin, { key: 'security_review', label: 'Security review' }),
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json_).toEqual({
      key: 'security_review',
      label: 'Security review',
      builtin: false,
      active: true,
    });
    expect((await newPromise('security_review')).statusCode).toBe(201);
  });

  it.each([
    ['manager', 'manager'],
    ['member', 'member'],
    ['viewer', 'viewer'],
    ['read-only token of an admin', 'adminRead'],
  ] as const)('a %s may not add, change or delete types: 403, nothing written', async (_who, key) => {
    await refused(app, db, req('POST', URL_, ws.as[key], { key: 'nope', label: 'Nope' }), 403, null);
    await refused(app, db, req('PATCH', `${URL_}/security_review`, ws.as[key], { active: false }), 403, null);
    await refused(app, db, req('DELETE', `${URL_}/security_review`, ws.as[key]), 403, null);
  });

  it.each([
    ['a key with capitals', { key: 'Security', label: 'x' }, 'key'],
    ['a key starting with a digit', { key: '1abc', label: 'x' }, 'key'],
    ['a key of 64 characters', { key: `a${'b'.repeat(63)}`, label: 'x' }, 'key'],
    ['no label', { key: 'no_label' }, 'label'],
    ['a builtin flag', { key: 'sneaky', label: 'x', builtin: true }, 'builtin'],
    [
      'a workspace id',
      { key: 'sneaky', label: 'x', workspaceId: '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' },
      'workspaceId',
    ],
  ])('%s: 400 naming the field', async (_what, body, field) => {
    await refused(app, db, req('POST', URL_, ws.as.admin, body), 400, field);
  });

  it('a key that exists (added or built in): 409 naming key', async () => {
    await refused(
      app,
      db,
      req('POST', URL_, ws.as.admin, { key: 'security_review', label: 'Again' }),
      409,
      'key',
    );
    await refused(
      app,
      db,
      req('POST', URL_, ws.as.admin, { key: 'risk_review', label: 'Again' }),
      409,
      'key',
    );
  });

  it('another workspace may have a type of the same key; theirs stays invisible here', async () => {
    const res = await send(
      app,
      req('POST', URL_, other.as.admin, { key: 'security_review', label: 'Their security' }),
    );
    expect(res.statusCode, res.body).toBe(201);
    await refused(app, db, req('GET', `${URL_}/theirs_only`, ws.as.admin), 404, 'key');
    await refused(app, db, req('PATCH', `${URL_}/theirs_only`, ws.as.admin, { label: 'Mine' }), 404, 'key');
    await refused(app, db, req('DELETE', `${URL_}/theirs_only`, ws.as.admin), 404, 'key');
    const p = await newPromise('theirs_only');
    expect(p.statusCode).toBe(400);
    expect(p.json_.field).toBe('typeKey');
  });

  it('renaming keeps the key', async () => {
    const res = await send(
      app,
      req('PATCH', `${URL_}/security_review`, ws.as.admin, { label: 'Security & compliance review' }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_).toEqual({
      key: 'security_review',
      label: 'Security & compliance review',
      builtin: false,
      active: true,
    });
  });

  it('a deactivated built-in type cannot be used for new promises; only this workspace’s changes', async () => {
    const off = await send(app, req('PATCH', `${URL_}/roadmap_update`, ws.as.admin, { active: false }));
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json_).toMatchObject({ key: 'roadmap_update', builtin: true, active: false });
    const refusedPromise = await newPromise('roadmap_update');
    expect(refusedPromise.statusCode, refusedPromise.body).toBe(400);
    expect(refusedPromise.json_.field).toBe('typeKey');
    const inactive = await send(app, req('GET', `${URL_}?active=false`, ws.as.member));
    expect(inactive.json_.data.map((t: { key: string }) => t.key)).toEqual(['roadmap_update']);
    const theirs = await send(app, req('GET', `${URL_}/roadmap_update`, other.as.viewer));
    expect(theirs.json_.active).toBe(true);
    const on = await send(app, req('PATCH', `${URL_}/roadmap_update`, ws.as.admin, { active: true }));
    expect(on.json_.active).toBe(true);
    expect((await newPromise('roadmap_update')).statusCode).toBe(201);
  });

  it('built-in types and types in use are never deleted: 409 naming key', async () => {
    const a = await refused(app, db, req('DELETE', `${URL_}/support_resolution`, ws.as.admin), 409, 'key');
    expect(a.detail).toMatch(/built in; deactivate it/);
    const b = await refused(app, db, req('DELETE', `${URL_}/security_review`, ws.as.admin), 409, 'key');
    expect(b.detail).toMatch(/promises of type "security_review" exist/);
  });

  it('an unused added type can be deleted: 204, then it is gone', async () => {
    expect(
      (await send(app, req('POST', URL_, ws.as.admin, { key: 'typo_tpye', label: 'Typo' }))).statusCode,
    ).toBe(201);
    const res = await send(app, req('DELETE', `${URL_}/typo_tpye`, ws.as.admin));
    expect(res.statusCode, res.body).toBe(204);
    expect(res.body).toBe('');
    await refused(app, db, req('GET', `${URL_}/typo_tpye`, ws.as.admin), 404, 'key');
  });

  it.each([
    ['nothing to change', {}, 'body'],
    ['a key change', { key: 'renamed' }, 'key'],
    ['a builtin flag', { builtin: false }, 'builtin'],
    ['a non-boolean active', { active: 'no' }, 'active'],
  ])('changing with %s: 400 naming the field', async (_what, body, field) => {
    await refused(app, db, req('PATCH', `${URL_}/security_review`, ws.as.admin, body), 400, field);
  });
});
