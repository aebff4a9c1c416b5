// GET /api/v1/promises?riskLevel=…: the computed risk level as a filter, on a real database.
// The level is worked out per promise (src/sla/risk.ts), so the list reads rows in batches and
// filters them in process; these tests check the answer against the level each promise is
// presented with, the pagination across the per-request read limit, and the count.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { changePromise } from '../src/promises/change-promise.js';
import { createPromise } from '../src/promises/create-promise.js';
import { RISK_SCAN_MAX } from '../src/promises/read-promises.js';
import { openTestDb, type TestDb } from './support/db.js';
import { buildTeam, principalFor, tokenHeaders } from './support/factories.js';
import { type Json, send } from './support/http.js';

const HOUR = 3_600_000;
const T0 = new Date('2026-11-02T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

let db: TestDb;
let app: FastifyInstance;
let team: Awaited<ReturnType<typeof buildTeam>>;
let headers: { authorization: string };
const names = new Map<string, string>();

// The workspace's default calendar is open 24×7, so business minutes are elapsed minutes.
// Six support_resolution promises were kept 10 h after they were made: 80% of them took up to
// 600 minutes (nearest rank of 6 is the 5th; all are 600), with 6 ≥ 5 samples, so the buffer of
// every support_resolution promise is measured: (promised − 600) / promised, high under 20%.
//   high1: support_resolution due 11 h after creation → 660 min, buffer 60/660 = 9.1% → high
//   high2: product_follow_up with unclear_scope (a high indicator)                    → high
//   med1:  product_follow_up with several_team_members (a medium indicator)           → medium
//   low1:  support_resolution due 48 h after creation → 2880 min, buffer 79.2%        → low
//   low2:  product_follow_up, no indicators, no measured buffer (no kept history)     → low
//   kept1…kept6: support_resolution due 24 h after creation → 1440 min, buffer 58.3%  → low
beforeAll(async () => {
  db = await openTestDb(undefined, T0);
  app = await buildServer(db.ctx);
  team = await buildTeam(db.ctx);
  const principal = await principalFor(db.ctx, team.workspaceId, team.ownerId);
  const make = async (name: string, typeKey: string, dueH: number, riskIndicators: string[] = []) => {
    const stored = await createPromise(db.ctx, {
      principal,
      input: {
        accountId: team.accountId,
        typeKey,
        promiseMade: `Promise ${name}`,
        customerReason: 'The customer depends on it',
        ownerId: team.ownerId,
        dueAt: new Date(db.clock.now.getTime() + dueH * HOUR),
        riskIndicators,
        source: 'support',
      },
    });
    names.set(stored.state.id, name);
    return stored.state.id;
  };
  for (let i = 1; i <= 6; i++) {
    db.clock.now = at(i * 60_000);
    const id = await make(`kept${i}`, 'support_resolution', 24);
    db.clock.now = at(i * 60_000 + 10 * HOUR);
    await changePromise(db.ctx, {
      principal,
      promiseId: id,
      command: { kind: 'keep', proof: { kind: 'email_sent', note: 'Done' }, recoveryStrength: 'task_closed' },
    });
  }
  db.clock.now = at(11 * HOUR);
  await make('high1', 'support_resolution', 11);
  await make('high2', 'product_follow_up', 30, ['unclear_scope']);
  await make('med1', 'product_follow_up', 30, ['several_team_members']);
  await make('low1', 'support_resolution', 48);
  await make('low2', 'product_follow_up', 30);
  db.clock.now = at(12 * HOUR);
  headers = await tokenHeaders(db.ctx, team.workspaceId, team.ownerId);
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

type Page = { data: Json[]; nextCursor: string | null; total?: number };

async function list(query: string): Promise<Page> {
  const res = await send(app, { method: 'GET', url: `/api/v1/promises?${query}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json_ as Page;
}

/** Every page of a query: the names in order, and the pages' sizes. */
async function walk(query: string, limit: number) {
  const seen: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await list(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    for (const p of page.data) seen.push(names.get(p.id as string) ?? `clone:${p.id}`);
    sizes.push(page.data.length);
    cursor = page.nextCursor;
  } while (cursor);
  return { seen, sizes };
}

describe('riskLevel filter', () => {
  it.each([
    ['riskLevel=high', 'high1,high2'],
    ['riskLevel=medium', 'med1'],
    ['riskLevel=high,medium', 'high1,high2,med1'],
    ['riskLevel=low&status=open', 'low1,low2'],
    ['riskLevel=low', 'kept1,kept2,kept3,kept4,kept5,kept6,low1,low2'],
    ['riskLevel=high&type=product_follow_up', 'high2'],
    ['riskLevel=medium&status=kept', ''],
  ])('%s → %s', async (query, expected) => {
    const { seen } = await walk(`${query}&sort=createdAt`, 500);
    expect(seen.sort().join(',')).toBe(expected);
  });

  it('lists exactly the promises presented with that level', async () => {
    const all = (await list('limit=500')).data;
    expect(all).toHaveLength(11);
    // The levels worked out in the fixture's comments.
    expect(
      Object.fromEntries(all.map((p) => [names.get(p.id as string), (p.risk as { level: string }).level])),
    ).toEqual({
      high1: 'high',
      high2: 'high',
      med1: 'medium',
      low1: 'low',
      low2: 'low',
      ...Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`kept${i}`, 'low'])),
    });
    for (const level of ['low', 'medium', 'high']) {
      const expected = all.filter((p) => (p.risk as { level: string }).level === level).map((p) => p.id);
      const listed = (await list(`riskLevel=${level}&limit=500`)).data;
      expect(listed.map((p) => p.id)).toEqual(expected);
      for (const p of listed) expect((p.risk as { level: string }).level).toBe(level);
    }
  });

  it('pages in the requested order with full pages, each promise once', async () => {
    const { seen, sizes } = await walk('riskLevel=low&sort=-dueAt', 3);
    expect(sizes).toEqual([3, 3, 2]);
    expect(new Set(seen).size).toBe(8);
    const due = (await list('riskLevel=low&sort=-dueAt&limit=500')).data.map((p) => p.dueAt as string);
    expect([...due].sort().reverse()).toEqual(due);
  });

  it('count=true counts the matches, not the rows read', async () => {
    expect((await list('riskLevel=high&count=true&limit=1')).total).toBe(2);
    expect((await list('riskLevel=low&status=open&count=true')).total).toBe(2);
    expect((await list('riskLevel=medium&status=kept&count=true')).total).toBe(0);
  });

  it('an unknown level is a 400 naming riskLevel', async () => {
    const res = await send(app, { method: 'GET', url: '/api/v1/promises?riskLevel=extreme', headers });
    expect(res.statusCode).toBe(400);
    expect(res.json_).toMatchObject({ code: 'validation_failed', field: 'riskLevel' });
  });

  it('past the per-request read limit a short page hands back a cursor, and the walk still finds every match once', async () => {
    // Clones of low2 (low risk), made earlier than everything else so an ascending walk by
    // creation reads all of them before the high-risk promises.
    const raw = db.database.raw.bind(db.database);
    const cols = (
      await raw<{ column_name: string }>(
        `select column_name from information_schema.columns
          where table_schema = current_schema() and table_name = 'promises' and column_name <> 'id'`,
      )
    ).map((c) => c.column_name);
    const low2 = [...names].find(([, n]) => n === 'low2')![0];
    const clones = RISK_SCAN_MAX + 700;
    await raw(
      `insert into promises (id, ${cols.join(', ')})
       select gen_random_uuid(), ${cols.join(', ')} from promises, generate_series(1, $3)
        where workspace_id = $1 and id = $2`,
      [team.workspaceId, low2, clones],
    );
    await raw(
      `update promises set created_at = $3::timestamptz - interval '1 day'
        where workspace_id = $1 and id <> $2 and promise_made = 'Promise low2'`,
      [team.workspaceId, low2, T0.toISOString()],
    );
    const { seen, sizes } = await walk('riskLevel=high&sort=createdAt', 50);
    expect(seen.sort()).toEqual(['high1', 'high2']);
    // The first request stops reading after RISK_SCAN_MAX clones with nothing found: an empty
    // page, with a cursor to continue from.
    expect(sizes[0]).toBe(0);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(2);
    // Counted in batches of 5,000 by id: every row once, whichever batch it falls in.
    expect((await list('riskLevel=high&count=true&limit=1')).total).toBe(2);
    expect((await list('riskLevel=low&count=true&limit=1')).total).toBe(clones + 8);
  });
});
