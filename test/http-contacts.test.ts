// Contacts through HTTP against a real database: a contact's account is always one of the caller's
// workspace, so a contact can neither be created at nor moved to another workspace's account.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { openTestDb, type TestDb } from './support/db.js';
import { buildAccount, promiseBody } from './support/factories.js';
import { type Json, send } from './support/http.js';
import { buildRoles, type Roles, refused, req, walk } from './support/records.js';

const MISSING_ID = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

let db: TestDb;
let app: FastifyInstance;
let ws: Roles;
let other: Roles;
let accountA: string;
let accountB: string;
let otherAccount: { accountId: string; contactId: string };

beforeAll(async () => {
  db = await openTestDb(undefined, new Date('2026-11-02T09:00:00Z'));
  app = await buildServer(db.ctx);
  ws = await buildRoles(db.ctx);
  other = await buildRoles(db.ctx);
  // buildAccount adds one contact, "Maya Chen", to each account.
  accountA = (await buildAccount(db.ctx, { workspaceId: ws.workspaceId, ownerId: ws.ids.member })).accountId;
  accountB = (await buildAccount(db.ctx, { workspaceId: ws.workspaceId, ownerId: ws.ids.member2 })).accountId;
  otherAccount = await buildAccount(db.ctx, { workspaceId: other.workspaceId, ownerId: other.ids.member });
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

async function create(body: Record<string, unknown>, headers = ws.as.member): Promise<Json> {
  const res = await send(app, req('POST', '/api/v1/contacts', headers, body));
  expect(res.statusCode, res.body).toBe(201);
  return res.json_;
}

describe('contacts', () => {
  let ravi: Json;

  it('a member adds a contact at an account: 201 and the presented shape', async () => {
    ravi = await create({
      accountId: accountA,
      name: ' Ravi Patel ',
      email: 'ravi@northwind.example',
      title: 'VP Ops',
    });
    expect(ravi).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      workspaceId: ws.workspaceId,
      accountId: accountA,
      name: 'Ravi Patel',
      email: 'ravi@northwind.example',
      title: 'VP Ops',
      createdAt: '2026-11-02T09:00:00.000Z',
    });
    const got = await send(app, req('GET', `/api/v1/contacts/${ravi.id}`, ws.as.viewer));
    expect(got.statusCode).toBe(200);
    expect(got.json_).toEqual(ravi);
  });

  it('lists an account’s contacts by name, page by page, to every role', async () => {
    await create({ accountId: accountA, name: 'Ada Lovelace' });
    await create({ accountId: accountA, name: 'Zoe Quinn' }, ws.as.manager);
    const { rows, pages } = await walk(app, `/api/v1/accounts/${accountA}/contacts`, ws.as.viewer, 2);
    expect(rows.map((c) => c.name)).toEqual(['Ada Lovelace', 'Maya Chen', 'Ravi Patel', 'Zoe Quinn']);
    expect(pages).toBe(2);
    expect(rows.every((c) => c.accountId === accountA)).toBe(true);
    const read = await send(app, req('GET', `/api/v1/accounts/${accountA}/contacts`, ws.as.adminRead));
    expect(read.json_.data).toHaveLength(4);
  });

  it('a viewer and a read-only token may not add or change contacts: 403, nothing written', async () => {
    await refused(
      app,
      db,
      req('POST', '/api/v1/contacts', ws.as.viewer, { accountId: accountA, name: 'X' }),
      403,
      null,
    );
    await refused(
      app,
      db,
      req('POST', '/api/v1/contacts', ws.as.adminRead, { accountId: accountA, name: 'X' }),
      403,
      null,
    );
    await refused(
      app,
      db,
      req('PATCH', `/api/v1/contacts/${ravi.id}`, ws.as.viewer, { name: 'X' }),
      403,
      null,
    );
  });

  it('an account of another workspace in the body is "not found" (404 naming accountId), like a missing one', async () => {
    const a = await refused(
      app,
      db,
      req('POST', '/api/v1/contacts', ws.as.admin, { accountId: otherAccount.accountId, name: 'Intruder' }),
      404,
      'accountId',
    );
    const b = await refused(
      app,
      db,
      req('POST', '/api/v1/contacts', ws.as.admin, { accountId: MISSING_ID, name: 'Nobody' }),
      404,
      'accountId',
    );
    expect(a.detail.replace(otherAccount.accountId, 'X')).toBe(b.detail.replace(MISSING_ID, 'X'));
  });

  it('another workspace’s contact and account are not found for reading, listing and changing', async () => {
    await refused(
      app,
      db,
      req('GET', `/api/v1/contacts/${otherAccount.contactId}`, ws.as.admin),
      404,
      'contactId',
    );
    await refused(
      app,
      db,
      req('GET', `/api/v1/accounts/${otherAccount.accountId}/contacts`, ws.as.admin),
      404,
      'accountId',
    );
    await refused(
      app,
      db,
      req('PATCH', `/api/v1/contacts/${otherAccount.contactId}`, ws.as.admin, { name: 'Mine' }),
      404,
      'contactId',
    );
  });

  it.each([
    ['a workspace id', { workspaceId: MISSING_ID }, 'workspaceId'],
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['an empty name', { name: '' }, 'name'],
    ['an account id of the wrong shape', { accountId: '42' }, 'accountId'],
  ])('creating with %s: 400 naming the field', async (_what, change, field) => {
    await refused(
      app,
      db,
      req('POST', '/api/v1/contacts', ws.as.member, { accountId: accountA, name: 'Pat', ...change }),
      400,
      field,
    );
  });

  it('changes name, email and title; null clears', async () => {
    const res = await send(
      app,
      req('PATCH', `/api/v1/contacts/${ravi.id}`, ws.as.member2, {
        title: null,
        email: 'r.patel@northwind.example',
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_).toMatchObject({
      id: ravi.id,
      name: 'Ravi Patel',
      email: 'r.patel@northwind.example',
      title: null,
    });
  });

  it('moves a contact to another account of the workspace', async () => {
    const c = await create({ accountId: accountA, name: 'Mover' });
    const res = await send(
      app,
      req('PATCH', `/api/v1/contacts/${c.id}`, ws.as.member, { accountId: accountB }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_.accountId).toBe(accountB);
    const [row] = await db.database.raw<{ account_id: string }>(
      'select account_id from contacts where workspace_id = $1 and id = $2',
      [ws.workspaceId, c.id],
    );
    expect(row?.account_id).toBe(accountB);
  });

  it('moving a contact to another workspace’s account is impossible: 404 naming accountId, nothing changed', async () => {
    await refused(
      app,
      db,
      req('PATCH', `/api/v1/contacts/${ravi.id}`, ws.as.admin, { accountId: otherAccount.accountId }),
      404,
      'accountId',
    );
    await refused(
      app,
      db,
      req('PATCH', `/api/v1/contacts/${ravi.id}`, ws.as.admin, { workspaceId: other.workspaceId }),
      400,
      'workspaceId',
    );
  });

  it('a contact named by a promise stays at the promise’s account: 409 naming accountId', async () => {
    const body = promiseBody(db.ctx, { accountId: accountA, ownerId: ws.ids.member }, { contactId: ravi.id });
    const p = await send(app, req('POST', '/api/v1/promises', ws.as.member, body));
    expect(p.statusCode, p.body).toBe(201);
    const res = await refused(
      app,
      db,
      req('PATCH', `/api/v1/contacts/${ravi.id}`, ws.as.manager, { accountId: accountB }),
      409,
      'accountId',
    );
    expect(res.code).toBe('conflict');
    // Other changes to that contact are still fine.
    const ok = await send(app, req('PATCH', `/api/v1/contacts/${ravi.id}`, ws.as.manager, { title: 'COO' }));
    expect(ok.statusCode, ok.body).toBe(200);
  });
});
