// Helpers for the HTTP tests of accounts, contacts, promise types and saved views: a workspace with
// one user per role (each with an API token), and "refused" — a request that must fail with a
// problem+json naming the field, leaving every table these routes write exactly as it was.
import type { FastifyInstance, InjectOptions } from 'fastify';
import { expect } from 'vitest';
import type { AppContext } from '../../src/context.js';
import type { TestDb } from './db.js';
import { buildUser, buildWorkspace, tokenHeaders } from './factories.js';
import { type Json, send } from './http.js';

export type Headers = { authorization: string };

/** A workspace with an admin, a manager, two members, a viewer and a deactivated member. */
export async function buildRoles(ctx: AppContext) {
  const ws = await buildWorkspace(ctx);
  const { workspaceId } = ws;
  const user = async (role: 'manager' | 'member' | 'viewer', active = true) =>
    (await buildUser(ctx, { workspaceId, role, active })).userId;
  const ids = {
    admin: ws.adminId,
    manager: await user('manager'),
    member: await user('member'),
    member2: await user('member'),
    viewer: await user('viewer'),
    inactive: await user('member', false),
  };
  const as = {
    admin: await tokenHeaders(ctx, workspaceId, ids.admin),
    manager: await tokenHeaders(ctx, workspaceId, ids.manager),
    member: await tokenHeaders(ctx, workspaceId, ids.member),
    member2: await tokenHeaders(ctx, workspaceId, ids.member2),
    viewer: await tokenHeaders(ctx, workspaceId, ids.viewer),
    /** The admin's read-only token: may read everything, write nothing. */
    adminRead: await tokenHeaders(ctx, workspaceId, ids.admin, 'read'),
  };
  return { ...ws, ids, as };
}
export type Roles = Awaited<ReturnType<typeof buildRoles>>;

const TABLES: Record<string, string> = {
  accounts: 'workspace_id, id',
  account_temperature_history: 'workspace_id, id',
  contacts: 'workspace_id, id',
  promise_types: 'workspace_id, key',
  saved_views: 'workspace_id, id',
  promises: 'workspace_id, id',
  promise_events: 'workspace_id, promise_id, seq',
};

/** Every row of every table these routes could write, in every workspace. */
export async function snapshot(db: TestDb) {
  const out: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(TABLES)) {
    out[table] = await db.database.raw(`select * from ${table} order by ${order}`);
  }
  return out;
}

/** A request that must be refused with `status`, naming `field` (null: none), and write nothing. */
export async function refused(
  app: FastifyInstance,
  db: TestDb,
  opts: InjectOptions,
  status: number,
  field: string | null,
): Promise<Json> {
  const before = await snapshot(db);
  const res = await send(app, opts);
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json_).toMatchObject({ status, code: expect.any(String), detail: expect.any(String) });
  expect(res.json_.field, res.body).toBe(field);
  if (field !== null) expect(res.json_.problems.map((p: { field: string }) => p.field)).toContain(field);
  expect(await snapshot(db)).toEqual(before);
  return res.json_;
}

/** Request options with a JSON body (when given) and the caller's token. */
export const req = (
  method: InjectOptions['method'],
  url: string,
  headers: Headers,
  payload?: unknown,
): InjectOptions =>
  payload === undefined ? { method, url, headers } : { method, url, headers, payload: payload as object };

/** Walks a cursor-paginated list to its end and returns every row (fails on a repeated id). */
export async function walk(
  app: FastifyInstance,
  url: string,
  headers: Headers,
  limit: number,
): Promise<{ rows: Json[]; pages: number }> {
  const rows: Json[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await send(app, {
      method: 'GET',
      url: `${url}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_.data.length).toBeLessThanOrEqual(limit);
    rows.push(...res.json_.data);
    cursor = res.json_.nextCursor;
    pages += 1;
    expect(pages).toBeLessThan(1000);
  } while (cursor !== null);
  expect(new Set(rows.map((r) => r.id ?? r.key)).size).toBe(rows.length);
  return { rows, pages };
}
