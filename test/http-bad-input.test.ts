// Bad input through HTTP against a real database: every refusal is a 4xx problem+json that names
// the field at fault, and every refused write leaves the database exactly as it was.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT, buildServer } from '../src/http/server.js';
import { openTestDb, type TestDb } from './support/db.js';
import { buildPromise, buildTeam, buildUser, promiseBody, tokenHeaders } from './support/factories.js';

let db: TestDb;
let app: FastifyInstance;
let team: Awaited<ReturnType<typeof buildTeam>>;
let other: Awaited<ReturnType<typeof buildTeam>>;
/** An open promise of `team`, and one of the other workspace. */
let promiseId: string;
let otherPromiseId: string;
const base = '/api/v1/promises';
/** Write API tokens of `team`'s owner and of the other workspace's owner. */
let ownerAuth: { authorization: string };
let otherAuth: { authorization: string };

const MISSING_ID = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

beforeAll(async () => {
  db = await openTestDb();
  app = await buildServer(db.ctx);
  team = await buildTeam(db.ctx);
  other = await buildTeam(db.ctx);
  promiseId = (await buildPromise(db.ctx, { workspaceId: team.workspaceId, ownerId: team.ownerId }))
    .promiseId;
  otherPromiseId = (await buildPromise(db.ctx, { workspaceId: other.workspaceId, ownerId: other.ownerId }))
    .promiseId;
  ownerAuth = await tokenHeaders(db.ctx, team.workspaceId, team.ownerId);
  otherAuth = await tokenHeaders(db.ctx, other.workspaceId, other.ownerId);
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

/** Every ledger row and every projection head, in every workspace. */
async function snapshot() {
  const [events] = await db.database.raw<{ n: number }>('select count(*)::int as n from promise_events');
  const heads = await db.database.raw(
    'select workspace_id, id, version, head_hash, updated_at from promises order by id',
  );
  return { events: events?.n, heads };
}

interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  field: string | null;
  problems: { field: string; message: string }[];
}

/** Sends a request that must be refused with `status`, naming `field`, and must write nothing. */
async function refused(opts: InjectOptions, status: number, field: string | null | 'any'): Promise<Problem> {
  const before = await snapshot();
  const res: LightMyRequestResponse = await app.inject(opts);
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as Problem;
  expect(body).toMatchObject({ status, code: expect.any(String), detail: expect.any(String) });
  expect(body.detail.length).toBeGreaterThan(0);
  expect(Array.isArray(body.problems)).toBe(true);
  if (field !== 'any') expect(body.field).toBe(field);
  if (field !== null && field !== 'any') expect(body.problems.map((p) => p.field)).toContain(field);
  expect(await snapshot()).toEqual(before);
  return body;
}

const asOwner = (): Record<string, string> => ownerAuth;
const create = (payload: unknown, headers: Record<string, string> = asOwner()): InjectOptions => ({
  method: 'POST',
  url: base,
  headers,
  payload: payload as object,
});
const act = (action: string, payload: unknown, id = promiseId): InjectOptions => ({
  method: 'POST',
  url: `${base}/${id}/${action}`,
  headers: asOwner(),
  payload: payload as object,
});
const validKeep = { proof: { kind: 'email_sent', note: 'Sent it' }, recoveryStrength: 'task_closed' };

describe('the request reaches a real workspace and promise', () => {
  it('a valid request in this setup succeeds (the refusals below are about the one thing changed)', async () => {
    const res = await app.inject(create(promiseBody(db.ctx, team)));
    expect(res.statusCode, res.body).toBe(201);
  });

  it("a token of another workspace sees this workspace's promise as 404, exactly like a missing one", async () => {
    // The workspace comes from the credential: the other workspace's owner asks for our promise.
    const foreign = await refused(
      { method: 'GET', url: `${base}/${promiseId}`, headers: otherAuth },
      404,
      'promiseId',
    );
    const missing = await refused(
      { method: 'GET', url: `${base}/${MISSING_ID}`, headers: otherAuth },
      404,
      'promiseId',
    );
    expect(JSON.parse(JSON.stringify(foreign).replaceAll(promiseId, MISSING_ID))).toEqual(missing);
    for (const [action, body] of [
      ['comments', { text: 'Hello' }],
      ['keep', validKeep],
      ['reassign', { ownerId: other.ownerId }],
    ] as const) {
      const f = await refused({ ...act(action, body), headers: otherAuth }, 404, 'promiseId');
      const m = await refused({ ...act(action, body, MISSING_ID), headers: otherAuth }, 404, 'promiseId');
      expect(JSON.parse(JSON.stringify(f).replaceAll(promiseId, MISSING_ID))).toEqual(m);
    }
    // Creating with our account: to them it does not exist.
    await refused(create(promiseBody(db.ctx, team), otherAuth), 404, 'accountId');
    // Their list never shows our promises, whatever the filters name.
    const list = await app.inject({
      method: 'GET',
      url: `${base}?owner=${team.ownerId}&account=${team.accountId}&count=true`,
      headers: otherAuth,
    });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toEqual({ data: [], nextCursor: null, total: 0 });
  });

  it('an id containing NUL is refused, not a server error', async () => {
    await refused({ method: 'GET', url: `${base}/a%00b`, headers: asOwner() }, 400, 'promiseId');
    await refused({ ...act('comments', { text: 'Hi' }), url: `${base}/%00/comments` }, 400, 'promiseId');
    await refused({ method: 'GET', url: `${base}?owner=a%00b`, headers: asOwner() }, 400, 'owner');
    await refused({ method: 'GET', url: '/api/v1/users/%00', headers: asOwner() }, 400, 'userId');
  });

  it('a path parameter longer than any id is a problem+json, not a bare error', async () => {
    await refused({ method: 'GET', url: `${base}/${'a'.repeat(101)}`, headers: asOwner() }, 414, 'url');
    await refused(act('comments', { text: 'Hi' }, 'a'.repeat(101)), 414, 'url');
  });

  it('a promise of another workspace is 404, exactly like a missing one', async () => {
    const missing = await refused(
      { method: 'GET', url: `${base}/${MISSING_ID}`, headers: asOwner() },
      404,
      'promiseId',
    );
    const foreign = await refused(
      { method: 'GET', url: `${base}/${otherPromiseId}`, headers: asOwner() },
      404,
      'promiseId',
    );
    expect(JSON.parse(JSON.stringify(foreign).replaceAll(otherPromiseId, MISSING_ID))).toEqual(missing);

    for (const [action, body] of [
      ['comments', { text: 'Hello' }],
      ['keep', validKeep],
      ['cancel', { reason: 'Not needed' }],
    ] as const) {
      const m = await refused(act(action, body, MISSING_ID), 404, 'promiseId');
      const f = await refused(act(action, body, otherPromiseId), 404, 'promiseId');
      expect(JSON.parse(JSON.stringify(f).replaceAll(otherPromiseId, MISSING_ID))).toEqual(m);
    }
  });

  it('a promise id that is not a UUID is 400 naming promiseId', async () => {
    for (const id of ['42', 'not-a-uuid', `${promiseId}x`]) {
      await refused({ method: 'GET', url: `${base}/${id}`, headers: asOwner() }, 400, 'promiseId');
      await refused(act('comments', { text: 'Hello' }, id), 400, 'promiseId');
    }
  });
});

describe('creating a promise', () => {
  it('lists every missing required field', async () => {
    const all = await refused(create({}), 400, 'accountId');
    expect(all.code).toBe('validation_failed');
    // dueAt may be left out when an SLA policy gives it (src/sla), so the schema does not require it.
    expect(all.problems.map((p) => p.field).sort()).toEqual(
      ['accountId', 'customerReason', 'ownerId', 'promiseMade', 'typeKey'].sort(),
    );
    for (const p of all.problems) expect(p.message).toBe('is required');

    const { promiseMade: _a, dueAt: _b, ...rest } = promiseBody(db.ctx, team);
    const some = await refused(create(rest), 400, 'promiseMade');
    expect(some.problems.map((p) => p.field)).toEqual(['promiseMade']);
  });

  it('without dueAt and without an SLA policy to derive it from: 400 naming dueAt', async () => {
    const { dueAt: _b, ...rest } = promiseBody(db.ctx, team);
    const res = await refused(create(rest), 400, 'dueAt');
    expect(res.detail).toMatch(/^dueAt: is required: no SLA policy matches/);
  });

  it.each([
    'next friday',
    '2026-13-01T00:00:00Z',
    '2026-02-30T10:00:00Z',
    '2026-12-01T24:00:00Z',
    '2026-12-01T10:00:60Z',
    '2026-12-01T10:00:00+25:00',
    '',
    '2026-12-01',
    // Outside the years the database stores, directly or once the offset is applied.
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00+01:00',
    '9999-12-31T23:59:59-01:00',
  ])('dueAt %j is not a date-time: 400 naming dueAt', async (dueAt) => {
    await refused(create(promiseBody(db.ctx, team, { dueAt })), 400, 'dueAt');
    await refused(act('renegotiate', { dueAt, agreedBy: 'Maya Chen' }), 400, 'dueAt');
  });

  it('dueAt without an offset is refused (a naive local time is ambiguous)', async () => {
    const p = await refused(
      create(promiseBody(db.ctx, team, { dueAt: '2026-12-01T10:00:00' })),
      400,
      'dueAt',
    );
    expect(p.problems[0]?.message).toMatch(/offset/);
    await refused(create(promiseBody(db.ctx, team, { dueAt: 1796126400000 })), 400, 'dueAt');
  });

  it('an owner from another workspace is 400 naming ownerId', async () => {
    const p = await refused(create(promiseBody(db.ctx, team, { ownerId: other.ownerId })), 400, 'ownerId');
    expect(p.code).toBe('validation_failed');
    await refused(create(promiseBody(db.ctx, team, { ownerId: MISSING_ID })), 400, 'ownerId');
    await refused(act('reassign', { ownerId: other.ownerId }), 400, 'ownerId');
  });

  it('a deactivated owner is 400 naming ownerId', async () => {
    const p = await refused(create(promiseBody(db.ctx, team, { ownerId: team.inactiveId })), 400, 'ownerId');
    expect(p.detail).toMatch(/deactivated/);
    await refused(act('reassign', { ownerId: team.inactiveId }), 400, 'ownerId');
  });

  it('an account from another workspace is 404 naming accountId', async () => {
    const p = await refused(
      create(promiseBody(db.ctx, team, { accountId: other.accountId })),
      404,
      'accountId',
    );
    expect(p.code).toBe('not_found');
  });

  it('a contact of another workspace or account, and an unknown type, are refused', async () => {
    await refused(create(promiseBody(db.ctx, team, { contactId: other.contactId })), 404, 'contactId');
    const acc2 = await buildPromise(db.ctx, { workspaceId: team.workspaceId, ownerId: team.ownerId });
    await refused(create(promiseBody(db.ctx, team, { contactId: acc2.contactId })), 400, 'contactId');
    await refused(create(promiseBody(db.ctx, team, { typeKey: 'no_such_type' })), 400, 'typeKey');
  });

  it('unknown fields are rejected, not ignored, and named', async () => {
    await refused(create(promiseBody(db.ctx, team, { status: 'kept' })), 400, 'status');
    await refused(create(promiseBody(db.ctx, team, { workspaceId: other.workspaceId })), 400, 'workspaceId');
    await refused(act('edit', { changes: { dueAt: '2026-12-24T12:00:00Z' } }), 400, 'changes.dueAt');
    await refused(
      act('keep', { ...validKeep, proof: { ...validKeep.proof, signedBy: 'me' } }),
      400,
      'proof.signedBy',
    );
    // The workspace is never chosen by the request: not in the body (above), not in the query.
    await refused(
      { method: 'GET', url: `${base}?workspace=${other.workspaceId}`, headers: asOwner() },
      400,
      'workspace',
    );
    await refused(
      { method: 'GET', url: `${base}?workspaceId=${other.workspaceId}`, headers: asOwner() },
      400,
      'workspaceId',
    );
  });

  it('empty or whitespace-only text is refused', async () => {
    for (const blank of ['', '   ', '\n\t ']) {
      await refused(create(promiseBody(db.ctx, team, { promiseMade: blank })), 400, 'promiseMade');
      await refused(create(promiseBody(db.ctx, team, { customerReason: blank })), 400, 'customerReason');
      await refused(act('edit', { changes: { promiseMade: blank } }), 400, 'changes.promiseMade');
      await refused(act('comments', { text: blank }), 400, 'text');
    }
    await refused(act('edit', { changes: {} }), 400, 'changes');
  });

  it('text containing NUL or a lone surrogate is refused', async () => {
    const p = await refused(
      create(promiseBody(db.ctx, team, { promiseMade: 'Send\u0000 it' })),
      400,
      'promiseMade',
    );
    expect(p.problems[0]?.message).toMatch(/NUL/);
    await refused(
      create(promiseBody(db.ctx, team, { customerReason: 'broken \ud800 text' })),
      400,
      'customerReason',
    );
    await refused(act('comments', { text: 'a\u0000b' }), 400, 'text');
    await refused(act('pause', { cause: 'customer', note: '\u0000' }), 400, 'note');
  });

  it('text over its length limit is refused', async () => {
    await refused(create(promiseBody(db.ctx, team, { promiseMade: 'x'.repeat(2001) })), 400, 'promiseMade');
  });
});

describe('closing and changing a promise', () => {
  it('keep without a proof note or URL is 400', async () => {
    await refused(
      act('keep', { proof: { kind: 'email_sent' }, recoveryStrength: 'task_closed' }),
      400,
      'proof.note',
    );
    await refused(
      act('keep', { proof: { kind: 'email_sent', note: '  ' }, recoveryStrength: 'task_closed' }),
      400,
      'proof.note',
    );
    await refused(act('keep', { recoveryStrength: 'task_closed' }), 400, 'proof');
    await refused(
      act('keep', { proof: { kind: 'email_sent', url: 'not a url' }, recoveryStrength: 'task_closed' }),
      400,
      'proof.url',
    );
    await refused(
      act('keep', { proof: { kind: 'telepathy', note: 'x' }, recoveryStrength: 'task_closed' }),
      400,
      'proof.kind',
    );
    await refused(act('keep', { proof: validKeep.proof }), 400, 'recoveryStrength');
  });

  it('renegotiate without agreedBy is 400', async () => {
    await refused(act('renegotiate', { dueAt: '2026-12-24T12:00:00Z' }), 400, 'agreedBy');
    await refused(act('renegotiate', { dueAt: '2026-12-24T12:00:00Z', agreedBy: '  ' }), 400, 'agreedBy');
  });

  it('pause needs a known cause and a note', async () => {
    await refused(act('pause', { cause: 'weather', note: 'Storm' }), 400, 'cause');
    await refused(act('pause', { cause: 'customer' }), 400, 'note');
  });
});

describe('the shape of the request', () => {
  it('malformed JSON is 400 naming the body', async () => {
    for (const payload of ['{"promiseMade": ', '{accountId: 1}', "{'a': 1}", '']) {
      const p = await refused(
        { method: 'POST', url: base, headers: { ...asOwner(), 'content-type': 'application/json' }, payload },
        400,
        'body',
      );
      expect(p.code).toBe('bad_request');
    }
  });

  it('a body that is not a JSON object is 400', async () => {
    for (const payload of ['[]', '"text"', '42', 'null']) {
      await refused(
        { method: 'POST', url: base, headers: { ...asOwner(), 'content-type': 'application/json' }, payload },
        400,
        'body',
      );
    }
  });

  it('a content type other than JSON is 415', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'multipart/form-data',
    ]) {
      const p = await refused(
        {
          method: 'POST',
          url: base,
          headers: { ...asOwner(), 'content-type': type },
          payload: JSON.stringify(promiseBody(db.ctx, team)),
        },
        415,
        'Content-Type',
      );
      expect(p.code).toBe('unsupported_media_type');
    }
  });

  it('a body over 256 KiB is 413; one just under the limit is read', async () => {
    const sized = (bytes: number) => {
      const body = JSON.stringify(promiseBody(db.ctx, team, { customerReason: '' }));
      return body.replace('"customerReason":""', `"customerReason":"${'x'.repeat(bytes - body.length)}"`);
    };
    expect(BODY_LIMIT).toBe(256 * 1024);
    const over = sized(BODY_LIMIT + 1);
    expect(Buffer.byteLength(over)).toBe(BODY_LIMIT + 1);
    const p = await refused(
      {
        method: 'POST',
        url: base,
        headers: { ...asOwner(), 'content-type': 'application/json' },
        payload: over,
      },
      413,
      'body',
    );
    expect(p.code).toBe('payload_too_large');
    // At the limit the body is parsed, and refused for what it says instead.
    await refused(
      {
        method: 'POST',
        url: base,
        headers: { ...asOwner(), 'content-type': 'application/json' },
        payload: sized(BODY_LIMIT),
      },
      400,
      'customerReason',
    );
  });
});

describe('who is acting', () => {
  it('no credentials is 401 naming Authorization, for reads and writes', async () => {
    const p = await refused(create(promiseBody(db.ctx, team), {}), 401, 'Authorization');
    expect(p.code).toBe('unauthenticated');
    expect(p.detail).toMatch(/Authorization: Bearer/);
    await refused({ ...act('comments', { text: 'Hello' }), headers: {} }, 401, 'Authorization');
    await refused({ method: 'GET', url: base }, 401, 'Authorization');
    await refused({ method: 'GET', url: `${base}/${promiseId}` }, 401, 'Authorization');
    // The old X-User-Id header authenticates nobody.
    await refused(create(promiseBody(db.ctx, team), { 'x-user-id': team.ownerId }), 401, 'Authorization');
  });

  it('an Authorization header that is not a valid API token is 401 naming Authorization', async () => {
    const good = ownerAuth.authorization.slice('Bearer '.length);
    const [prefix, ws, id, secret] = good.split('.');
    const flipped = `${secret!.startsWith('A') ? 'B' : 'A'}${secret!.slice(1)}`;
    for (const authorization of [
      '',
      '   ',
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from('admin:secret').toString('base64')}`,
      'Bearer not-a-token',
      `Bearer ${prefix}.${ws}.${id}.${flipped}`, // right token, wrong secret
      `Bearer ${prefix}.${other.workspaceId}.${id}.${secret}`, // moved to another workspace
      `Bearer ${prefix}.${ws}.${MISSING_ID}.${secret}`,
      `Bearer pls.${ws}.${id}.${secret}`, // a session-shaped value is not a token
    ]) {
      const p = await refused(create(promiseBody(db.ctx, team), { authorization }), 401, 'Authorization');
      expect(p.code).toBe('unauthenticated');
      await refused(
        { method: 'GET', url: `${base}/${promiseId}`, headers: { authorization } },
        401,
        'Authorization',
      );
    }
  });

  it("a token of another workspace's user finds nothing of this workspace (404), and writes nothing", async () => {
    await refused({ ...act('keep', validKeep), headers: otherAuth }, 404, 'promiseId');
    await refused({ ...act('cancel', { reason: 'Not needed' }), headers: otherAuth }, 404, 'promiseId');
    await refused(create(promiseBody(db.ctx, team), otherAuth), 404, 'accountId');
    // Even with an account of their own, they cannot give our user the promise.
    await refused(create(promiseBody(db.ctx, other, { ownerId: team.ownerId }), otherAuth), 400, 'ownerId');
  });

  it('a token of a deactivated user is refused with 401', async () => {
    const inactive = await tokenHeaders(db.ctx, team.workspaceId, team.inactiveId);
    const p = await refused(create(promiseBody(db.ctx, team), inactive), 401, 'Authorization');
    expect(p.code).toBe('unauthenticated');
    await refused({ ...act('keep', validKeep), headers: inactive }, 401, 'Authorization');
    await refused({ method: 'GET', url: `${base}/${promiseId}`, headers: inactive }, 401, 'Authorization');

    // A user deactivated after their token was made: it stops working at once.
    const { userId } = await buildUser(db.ctx, { workspaceId: team.workspaceId });
    const headers = await tokenHeaders(db.ctx, team.workspaceId, userId);
    expect((await app.inject({ method: 'GET', url: `${base}/${promiseId}`, headers })).statusCode).toBe(200);
    await db.database.raw('update users set active = false where workspace_id = $1 and id = $2', [
      team.workspaceId,
      userId,
    ]);
    await refused({ method: 'GET', url: `${base}/${promiseId}`, headers }, 401, 'Authorization');
  });

  it('authorisation comes before validation: a bad body from nobody is 401, not a description of the schema', async () => {
    await refused(create({ nonsense: true }, {}), 401, 'Authorization');
    await refused({ ...act('keep', { proof: 'none' }), headers: {} }, 401, 'Authorization');
  });
});

describe('listing promises: query parameters', () => {
  const list = (query: string): InjectOptions => ({
    method: 'GET',
    url: `${base}?${query}`,
    headers: asOwner(),
  });

  it('owner is "me" or a user id; a user of another workspace lists exactly like a missing one', async () => {
    await refused(list('owner='), 400, 'owner');
    await refused(list('owner=someone'), 400, 'owner');
    const mine = await app.inject(list('owner=me'));
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().data.map((p: { id: string }) => p.id)).toContain(promiseId);
    const foreign = await app.inject(list(`owner=${other.ownerId}&count=true`));
    const missing = await app.inject(list(`owner=${MISSING_ID}&count=true`));
    expect(foreign.statusCode).toBe(200);
    expect(foreign.json()).toEqual({ data: [], nextCursor: null, total: 0 });
    expect(foreign.body).toBe(missing.body);
  });

  it.each([
    ['limit', 'limit=0'],
    ['limit', 'limit=501'],
    ['limit', 'limit=-1'],
    ['limit', 'limit=1.5'],
    ['limit', 'limit=abc'],
    ['limit', 'limit='],
    ['dueWithinDays', 'dueWithinDays=0'],
    ['dueWithinDays', 'dueWithinDays=367'],
    ['dueWithinDays', 'dueWithinDays=seven'],
  ])('%s out of range (%s) is 400', async (field, query) => {
    await refused(list(`owner=${team.ownerId}&${query}`), 400, field);
  });

  it('the bounds themselves are accepted', async () => {
    const res = await app.inject(list(`owner=${team.ownerId}&limit=500&dueWithinDays=366`));
    expect(res.statusCode, res.body).toBe(200);
    const one = await app.inject(list(`owner=${team.ownerId}&limit=1&dueWithinDays=1`));
    expect(one.statusCode, one.body).toBe(200);
  });
});
