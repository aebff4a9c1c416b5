// Saved views through HTTP against a real database: a named filter + sort over promises, private
// (its creator only) or shared (the workspace); running one is the promise list with its parameters.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { openTestDb, type TestDb } from './support/db.js';
import { buildAccount, promiseBody } from './support/factories.js';
import { type Json, send } from './support/http.js';
import { buildRoles, type Roles, refused, req, walk } from './support/records.js';

const URL_ = '/api/v1/views';
const MISSING_ID = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

let db: TestDb;
let app: FastifyInstance;
let ws: Roles;
let other: Roles;
let otherView: Json;
/** Promise ids by name: the member's (m1–m3, one kept) and member2's (n1). */
const p: Record<string, string> = {};

beforeAll(async () => {
  db = await openTestDb(undefined, new Date('2026-11-02T09:00:00Z'));
  app = await buildServer(db.ctx);
  ws = await buildRoles(db.ctx);
  other = await buildRoles(db.ctx);
  const acc = await buildAccount(db.ctx, { workspaceId: ws.workspaceId, ownerId: ws.ids.member });
  const mk = async (name: string, ownerId: string, headers: Roles['as']['member'], days: number) => {
    const res = await send(
      app,
      req(
        'POST',
        '/api/v1/promises',
        headers,
        promiseBody(db.ctx, { accountId: acc.accountId, ownerId }, { days }),
      ),
    );
    expect(res.statusCode, res.body).toBe(201);
    p[name] = res.json_.id;
  };
  await mk('m1', ws.ids.member, ws.as.member, 3);
  await mk('m2', ws.ids.member, ws.as.member, 1);
  await mk('m3', ws.ids.member, ws.as.member, 2);
  await mk('n1', ws.ids.member2, ws.as.member2, 4);
  const kept = await send(
    app,
    req('POST', `/api/v1/promises/${p.m3}/keep`, ws.as.member, {
      proof: { kind: 'email_sent', note: 'Sent' },
      recoveryStrength: 'task_closed',
    }),
  );
  expect(kept.statusCode, kept.body).toBe(200);
  const o = await send(
    app,
    req('POST', URL_, other.as.manager, { name: 'Theirs', visibility: 'shared', query: {} }),
  );
  expect(o.statusCode, o.body).toBe(201);
  otherView = o.json_;
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

async function create(body: Record<string, unknown>, headers: Roles['as']['member']): Promise<Json> {
  const res = await send(app, req('POST', URL_, headers, body));
  expect(res.statusCode, res.body).toBe(201);
  return res.json_;
}
const ids = (rows: Json[]) => rows.map((r) => r.id as string);

describe('private views', () => {
  let mine: Json;

  it('a member saves one: 201; JSON numbers, booleans and lists are stored as the list’s query strings', async () => {
    mine = await create(
      {
        name: 'My open work',
        query: { owner: 'me', status: ['open'], dueWithinDays: 30, overdue: false, sort: '-dueAt' },
      },
      ws.as.member,
    );
    expect(mine).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      workspaceId: ws.workspaceId,
      name: 'My open work',
      visibility: 'private',
      query: { owner: 'me', status: 'open', dueWithinDays: '30', overdue: 'false', sort: '-dueAt' },
      createdBy: ws.ids.member,
      updatedBy: ws.ids.member,
      createdAt: '2026-11-02T09:00:00.000Z',
      updatedAt: '2026-11-02T09:00:00.000Z',
    });
  });

  it('running it lists what GET /api/v1/promises lists with the same parameters', async () => {
    const run = await send(app, req('GET', `${URL_}/${mine.id}/promises?count=true`, ws.as.member));
    expect(run.statusCode, run.body).toBe(200);
    expect(ids(run.json_.data)).toEqual([p.m1, p.m2]);
    expect(run.json_.total).toBe(2);
    const direct = await send(
      app,
      req(
        'GET',
        '/api/v1/promises?owner=me&status=open&dueWithinDays=30&overdue=false&sort=-dueAt',
        ws.as.member,
      ),
    );
    expect(ids(run.json_.data)).toEqual(ids(direct.json_.data));
    const { rows, pages } = await walk(app, `${URL_}/${mine.id}/promises`, ws.as.member, 1);
    expect(ids(rows)).toEqual([p.m1, p.m2]);
    expect(pages).toBe(2);
  });

  it('only its creator sees it: anyone else (an admin too) gets 404, as for another workspace’s view', async () => {
    for (const who of ['member2', 'manager', 'admin', 'viewer'] as const) {
      await refused(app, db, req('GET', `${URL_}/${mine.id}`, ws.as[who]), 404, 'viewId');
      await refused(app, db, req('GET', `${URL_}/${mine.id}/promises`, ws.as[who]), 404, 'viewId');
      // A viewer may write no view at all: refused before the view is looked up.
      const [status, field] = who === 'viewer' ? [403, null] : [404, 'viewId'];
      await refused(
        app,
        db,
        req('PATCH', `${URL_}/${mine.id}`, ws.as[who], { name: 'Hijacked' }),
        status,
        field,
      );
      await refused(app, db, req('DELETE', `${URL_}/${mine.id}`, ws.as[who]), status, field);
      const list = await send(app, req('GET', URL_, ws.as[who]));
      expect(ids(list.json_.data)).not.toContain(mine.id);
    }
    const list = await send(app, req('GET', URL_, ws.as.member));
    expect(ids(list.json_.data)).toContain(mine.id);
  });

  it('its creator renames it and changes its filter', async () => {
    db.clock.now = new Date('2026-11-02T10:00:00Z');
    const res = await send(
      app,
      req('PATCH', `${URL_}/${mine.id}`, ws.as.member, {
        name: 'Everything of mine',
        query: { owner: 'me' },
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_).toMatchObject({
      name: 'Everything of mine',
      query: { owner: 'me' },
      updatedAt: '2026-11-02T10:00:00.000Z',
    });
    const run = await send(app, req('GET', `${URL_}/${mine.id}/promises`, ws.as.member));
    expect(new Set(ids(run.json_.data))).toEqual(new Set([p.m1, p.m2, p.m3]));
  });

  it('viewers and read-only tokens cannot save views: 403, nothing written', async () => {
    await refused(app, db, req('POST', URL_, ws.as.viewer, { name: 'Mine', query: {} }), 403, null);
    await refused(app, db, req('POST', URL_, ws.as.adminRead, { name: 'Mine', query: {} }), 403, null);
  });

  it('its creator deletes it: 204, then it is gone', async () => {
    const v = await create({ name: 'Temporary', query: {} }, ws.as.member2);
    const res = await send(app, req('DELETE', `${URL_}/${v.id}`, ws.as.member2));
    expect(res.statusCode, res.body).toBe(204);
    await refused(app, db, req('GET', `${URL_}/${v.id}`, ws.as.member2), 404, 'viewId');
  });
});

describe('shared views', () => {
  let shared: Json;

  it('a member may not share a view: 403 naming visibility, nothing written', async () => {
    await refused(
      app,
      db,
      req('POST', URL_, ws.as.member, { name: 'Team', visibility: 'shared', query: {} }),
      403,
      'visibility',
    );
  });

  it('a manager shares one; every role sees and runs it, "me" being whoever runs it', async () => {
    shared = await create(
      { name: 'Open promises of mine', visibility: 'shared', query: { owner: 'me', status: 'open' } },
      ws.as.manager,
    );
    const asMember = await send(app, req('GET', `${URL_}/${shared.id}/promises`, ws.as.member));
    expect(ids(asMember.json_.data)).toEqual([p.m2, p.m1]);
    const asMember2 = await send(app, req('GET', `${URL_}/${shared.id}/promises`, ws.as.member2));
    expect(ids(asMember2.json_.data)).toEqual([p.n1]);
    const asViewer = await send(app, req('GET', `${URL_}/${shared.id}`, ws.as.viewer));
    expect(asViewer.statusCode).toBe(200);
    const asReadToken = await send(app, req('GET', `${URL_}/${shared.id}/promises`, ws.as.adminRead));
    expect(asReadToken.statusCode).toBe(200);
  });

  it('members may not change or delete it; a member may not share a private view: 403', async () => {
    await refused(
      app,
      db,
      req('PATCH', `${URL_}/${shared.id}`, ws.as.member, { name: 'Mine' }),
      403,
      'visibility',
    );
    await refused(app, db, req('DELETE', `${URL_}/${shared.id}`, ws.as.member), 403, 'visibility');
    const v = await create({ name: 'Private', query: {} }, ws.as.member);
    await refused(
      app,
      db,
      req('PATCH', `${URL_}/${v.id}`, ws.as.member, { visibility: 'shared' }),
      403,
      'visibility',
    );
  });

  it('another manager or an admin may change it, but only its creator may make it private', async () => {
    const res = await send(
      app,
      req('PATCH', `${URL_}/${shared.id}`, ws.as.admin, { name: 'Open promises (mine)' }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_).toMatchObject({
      name: 'Open promises (mine)',
      createdBy: ws.ids.manager,
      updatedBy: ws.ids.admin,
    });
    await refused(
      app,
      db,
      req('PATCH', `${URL_}/${shared.id}`, ws.as.admin, { visibility: 'private' }),
      403,
      'visibility',
    );
    const priv = await send(
      app,
      req('PATCH', `${URL_}/${shared.id}`, ws.as.manager, { visibility: 'private' }),
    );
    expect(priv.statusCode, priv.body).toBe(200);
    await refused(app, db, req('GET', `${URL_}/${shared.id}`, ws.as.admin), 404, 'viewId');
  });

  it('another workspace’s shared view is not found for anything', async () => {
    await refused(app, db, req('GET', `${URL_}/${otherView.id}`, ws.as.admin), 404, 'viewId');
    await refused(app, db, req('GET', `${URL_}/${otherView.id}/promises`, ws.as.admin), 404, 'viewId');
    await refused(
      app,
      db,
      req('PATCH', `${URL_}/${otherView.id}`, ws.as.admin, { name: 'Mine' }),
      404,
      'viewId',
    );
    await refused(app, db, req('DELETE', `${URL_}/${otherView.id}`, ws.as.admin), 404, 'viewId');
    await refused(app, db, req('GET', `${URL_}/${MISSING_ID}`, ws.as.admin), 404, 'viewId');
    const list = await send(app, req('GET', URL_, ws.as.admin));
    expect(ids(list.json_.data)).not.toContain(otherView.id);
  });

  it('a view filtering on another workspace’s owner or account finds nothing', async () => {
    const v = await create({ name: 'Foreign owner', query: { owner: other.ids.member } }, ws.as.admin);
    const run = await send(app, req('GET', `${URL_}/${v.id}/promises?count=true`, ws.as.admin));
    expect(run.json_).toEqual({ data: [], nextCursor: null, total: 0 });
    const w = await create({ name: 'Foreign account', query: { account: MISSING_ID } }, ws.as.admin);
    const run2 = await send(app, req('GET', `${URL_}/${w.id}/promises?count=true`, ws.as.admin));
    expect(run2.json_.total).toBe(0);
  });
});

describe('what a view may hold', () => {
  it.each([
    ['an unknown status', { status: 'lost' }, 'query.status'],
    ['an unknown parameter', { colour: 'red' }, 'query.colour'],
    ['a cursor (given when run)', { cursor: 'abc' }, 'query.cursor'],
    ['a limit (given when run)', { limit: 10 }, 'query.limit'],
    ['a bad sort', { sort: 'priority' }, 'query.sort'],
    ['a due date without an offset', { dueFrom: '2026-11-02T09:00:00' }, 'query.dueFrom'],
    ['an owner of the wrong shape', { owner: 'alice' }, 'query.owner'],
  ])('%s: 400 naming the field, nothing written', async (_what, query, field) => {
    await refused(app, db, req('POST', URL_, ws.as.member, { name: 'Bad', query }), 400, field);
  });

  it.each([
    ['no name', { query: {} }, 'name'],
    ['no query', { name: 'x' }, 'query'],
    ['an unknown visibility', { name: 'x', query: {}, visibility: 'team' }, 'visibility'],
    ['a creator', { name: 'x', query: {}, createdBy: MISSING_ID }, 'createdBy'],
    ['a workspace id', { name: 'x', query: {}, workspaceId: MISSING_ID }, 'workspaceId'],
    ['a nested object as a value', { name: 'x', query: { status: { in: ['open'] } } }, 'query.status'],
  ])('%s: 400 naming the field', async (_what, body, field) => {
    await refused(app, db, req('POST', URL_, ws.as.member, body), 400, field);
  });

  it('a stored filter that no longer passes the list’s rules is reported when run, naming the field', async () => {
    const v = await create({ name: 'Aging', query: { status: 'open' } }, ws.as.member);
    await db.database.raw(
      `update saved_views set query = '{"status":"lost"}' where workspace_id = $1 and id = $2`,
      [ws.workspaceId, v.id],
    );
    const res = await send(app, req('GET', `${URL_}/${v.id}/promises`, ws.as.member));
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json_).toMatchObject({ code: 'validation_failed', field: 'query.status' });
    expect(res.json_.detail).toMatch(/edit it/);
  });

  it('run parameters are validated: 400 naming limit or cursor', async () => {
    const v = await create({ name: 'All', query: {} }, ws.as.member);
    await refused(app, db, req('GET', `${URL_}/${v.id}/promises?limit=0`, ws.as.member), 400, 'limit');
    await refused(app, db, req('GET', `${URL_}/${v.id}/promises?cursor=zzz`, ws.as.member), 400, 'cursor');
    await refused(app, db, req('GET', `${URL_}/${v.id}/promises?status=open`, ws.as.member), 400, 'status');
  });
});
