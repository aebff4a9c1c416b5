// GET /api/v1/promises: filters, sorts, keyset pagination and counts, against a fixed set of
// promises whose every filterable field is known, on a real database (PGlite or Postgres).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { changePromise, type PromiseCommandInput } from '../src/promises/change-promise.js';
import { createPromise } from '../src/promises/create-promise.js';
import type { Emotion } from '../src/promises/promise.js';
import { openTestDb, type TestDb } from './support/db.js';
import { buildAccount, buildPromise, buildTeam, principalFor, tokenHeaders } from './support/factories.js';
import { type Json, send } from './support/http.js';

const HOUR = 3_600_000;
const T0 = new Date('2026-11-02T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
/** The lists are read two days after the promises were made. */
const NOW = at(48 * HOUR);
const MISSING_ID = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

let db: TestDb;
let app: FastifyInstance;
let team: Awaited<ReturnType<typeof buildTeam>>;
let warmAccount: string;
let fragileAccount: string;
let asOwner: { authorization: string };
let asColleague: { authorization: string };
let otherWs: Awaited<ReturnType<typeof buildPromise>>;

type Name = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'l' | 'm';
/** Letter → promise id (and back). */
const ids = {} as Record<Name, string>;
const names = new Map<string, string>();

interface Fixture {
  owner: 'owner' | 'colleague';
  account: 'warm' | 'fragile';
  type: string;
  emotion: Emotion | null;
  risk: string[];
  dueH: number;
  createdMin: number;
  /** What happens to it after creation, and when (hours after T0). */
  after?: { atH: number; command: PromiseCommandInput };
}

// Read at NOW = T0 + 48 h. Ties on purpose: b, l, m share a due date; several share createdAt and
// updatedAt. h and i are paused (no effective due date). e and f are closed after their due date.
const FIXTURES: Record<Name, Fixture> = {
  a: {
    owner: 'owner',
    account: 'warm',
    type: 'product_follow_up',
    emotion: 'blocked',
    risk: ['external_dependency'],
    dueH: 24,
    createdMin: 0,
  },
  b: {
    owner: 'owner',
    account: 'warm',
    type: 'support_resolution',
    emotion: 'urgent',
    risk: [],
    dueH: 72,
    createdMin: 1,
  },
  c: {
    owner: 'owner',
    account: 'fragile',
    type: 'support_resolution',
    emotion: null,
    risk: ['exec_visibility'],
    dueH: 288,
    createdMin: 2,
  },
  d: {
    owner: 'colleague',
    account: 'fragile',
    type: 'executive_response',
    emotion: 'politically_exposed',
    risk: ['external_dependency', 'exec_visibility'],
    dueH: 95,
    createdMin: 3,
  },
  e: {
    owner: 'colleague',
    account: 'warm',
    type: 'product_follow_up',
    emotion: 'confused',
    risk: [],
    dueH: 24,
    createdMin: 3,
    after: {
      atH: 30,
      command: { kind: 'keep', proof: { kind: 'email_sent', note: 'Sent' }, recoveryStrength: 'task_closed' },
    },
  },
  f: {
    owner: 'owner',
    account: 'fragile',
    type: 'risk_review',
    emotion: null,
    risk: [],
    dueH: 36,
    createdMin: 3,
    after: { atH: 40, command: { kind: 'break', reason: 'Could not do it' } },
  },
  g: {
    owner: 'colleague',
    account: 'warm',
    type: 'training_resource',
    emotion: null,
    risk: [],
    dueH: 120,
    createdMin: 4,
    after: { atH: 1, command: { kind: 'cancel', reason: 'Not needed' } },
  },
  h: {
    owner: 'owner',
    account: 'warm',
    type: 'product_follow_up',
    emotion: 'blocked',
    risk: [],
    dueH: 60,
    createdMin: 4,
    after: { atH: 1, command: { kind: 'pause', cause: 'customer', note: 'Waiting for the export sample' } },
  },
  i: {
    owner: 'colleague',
    account: 'fragile',
    type: 'billing_clarification',
    emotion: 'urgent',
    risk: [],
    dueH: 480,
    createdMin: 5,
    after: { atH: 1, command: { kind: 'pause', cause: 'customer', note: 'Waiting for their finance team' } },
  },
  j: {
    owner: 'owner',
    account: 'warm',
    type: 'onboarding_change',
    emotion: 'excited',
    risk: [],
    dueH: 144,
    createdMin: 5,
  },
  l: {
    owner: 'owner',
    account: 'fragile',
    type: 'support_resolution',
    emotion: 'urgent',
    risk: [],
    dueH: 72,
    createdMin: 6,
  },
  m: {
    owner: 'colleague',
    account: 'warm',
    type: 'support_resolution',
    emotion: null,
    risk: [],
    dueH: 72,
    createdMin: 6,
  },
};

beforeAll(async () => {
  db = await openTestDb(undefined, T0);
  app = await buildServer(db.ctx);
  team = await buildTeam(db.ctx);
  warmAccount = team.accountId;
  fragileAccount = (await buildAccount(db.ctx, { workspaceId: team.workspaceId, ownerId: team.colleagueId }))
    .accountId;
  await db.database.raw("update accounts set temperature = 'warm' where workspace_id = $1 and id = $2", [
    team.workspaceId,
    warmAccount,
  ]);
  await db.database.raw("update accounts set temperature = 'fragile' where workspace_id = $1 and id = $2", [
    team.workspaceId,
    fragileAccount,
  ]);
  const people = { owner: team.ownerId, colleague: team.colleagueId };
  const principal = {
    owner: await principalFor(db.ctx, team.workspaceId, team.ownerId),
    colleague: await principalFor(db.ctx, team.workspaceId, team.colleagueId),
  };
  const entries = Object.entries(FIXTURES) as [Name, Fixture][];
  for (const [name, f] of [...entries].sort((x, y) => x[1].createdMin - y[1].createdMin)) {
    db.clock.now = at(f.createdMin * 60_000);
    const stored = await createPromise(db.ctx, {
      principal: principal[f.owner],
      input: {
        accountId: f.account === 'warm' ? warmAccount : fragileAccount,
        typeKey: f.type,
        promiseMade: `Promise ${name}`,
        customerReason: 'The customer depends on it',
        ownerId: people[f.owner],
        dueAt: at(f.dueH * HOUR),
        emotion: f.emotion,
        riskIndicators: f.risk,
        source: 'success',
      },
    });
    ids[name] = stored.state.id;
    names.set(stored.state.id, name);
  }
  for (const [name, f] of entries
    .filter(([, x]) => x.after)
    .sort((x, y) => x[1].after!.atH - y[1].after!.atH)) {
    db.clock.now = at(f.after!.atH * HOUR);
    await changePromise(db.ctx, {
      principal: principal[f.owner],
      promiseId: ids[name],
      command: f.after!.command,
    });
  }
  // Another workspace, whose promise (same type, due in the same window) must never show.
  otherWs = await buildPromise(db.ctx, { dueAt: at(72 * HOUR) });
  db.clock.now = NOW;
  asOwner = await tokenHeaders(db.ctx, team.workspaceId, team.ownerId);
  asColleague = await tokenHeaders(db.ctx, team.workspaceId, team.colleagueId);
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

async function list(query: string, headers: Record<string, string> = asOwner) {
  const res = await send(app, { method: 'GET', url: `/api/v1/promises${query ? `?${query}` : ''}`, headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json_ as { data: Json[]; nextCursor: string | null; total?: number };
}

/** The letters of the promises a query lists (every page), sorted, for set comparisons. */
async function lettersOf(query: string, headers?: Record<string, string>): Promise<string> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await list(`${query}&limit=500${cursor ? `&cursor=${cursor}` : ''}`, headers);
    for (const p of page.data) seen.push(names.get(p.id) ?? `foreign:${p.id}`);
    cursor = page.nextCursor;
  } while (cursor);
  return seen.sort().join('');
}

describe('filters', () => {
  it.each([
    ['(none)', 'abcdefghijlm'],
    ['owner=me', 'abcfhjl'],
    ['owner=$colleague', 'degim'],
    ['account=$warm', 'abeghjm'],
    ['account=$fragile', 'cdfil'],
    ['status=open', 'abcdhijlm'],
    ['status=kept,broken', 'ef'],
    ['status=cancelled', 'g'],
    ['type=support_resolution', 'bclm'],
    ['type=product_follow_up,risk_review', 'aefh'],
    ['emotion=urgent', 'bil'],
    ['emotion=blocked,confused', 'aeh'],
    ['temperature=fragile', 'cdfil'],
    ['temperature=warm', 'abeghjm'],
    ['temperature=warm,fragile', 'abcdefghijlm'],
    ['temperature=neutral', ''],
    ['risk=external_dependency', 'ad'],
    ['risk=exec_visibility,external_dependency', 'acd'],
    ['risk=nobody_uses_this', ''],
    // Due windows run from now (T0+48h): b, l, m at +72h; d at +95h; g (cancelled) +120h; j +144h.
    ['dueWithinDays=1', ''],
    ['dueWithinDays=2', 'bdlm'],
    ['dueWithinDays=7', 'bdgjlm'],
    ['dueWithinDays=7&status=open', 'bdjlm'],
    // Overdue: open and past its effective due date. Closed promises past due (e, f) are not.
    ['overdue=true', 'a'],
    ['overdue=false', 'bcdefghijlm'],
    ['paused=true', 'hi'],
    ['paused=false', 'abcdefgjlm'],
    ['owner=me&status=open&dueWithinDays=7', 'bjl'],
    ['owner=me&type=support_resolution&emotion=urgent&temperature=fragile', 'l'],
    ['status=open&overdue=false&paused=false', 'bcdjlm'],
    [`dueFrom=${at(60 * HOUR).toISOString()}&dueTo=${at(96 * HOUR).toISOString()}`, 'bdlm'],
  ])('%s → %s', async (query, expected) => {
    const q =
      query === '(none)'
        ? 'sort=dueAt'
        : query
            .replace('$colleague', team.colleagueId)
            .replace('$warm', warmAccount)
            .replace('$fragile', fragileAccount);
    expect(await lettersOf(q)).toBe(expected);
  });

  it('owner=me is the caller: the colleague’s "me" is the colleague', async () => {
    expect(await lettersOf('owner=me', asColleague)).toBe('degim');
  });

  it('repeated parameters combine like commas', async () => {
    expect(await lettersOf('status=kept&status=broken')).toBe('ef');
    expect(await lettersOf('emotion=urgent&emotion=blocked,confused')).toBe('abehil');
  });

  it('another workspace’s ids in filters find nothing, exactly like ids that do not exist', async () => {
    for (const query of [`owner=${otherWs.ownerId}`, `account=${otherWs.accountId}`]) {
      const foreign = await list(`${query}&count=true`);
      expect(foreign).toEqual({ data: [], nextCursor: null, total: 0 });
      const missing = await list(`${query.replace(/=.*/, `=${MISSING_ID}`)}&count=true`);
      expect(missing).toEqual(foreign);
    }
  });

  it('every listed promise has the presented shape', async () => {
    const page = await list(`status=open&owner=me&limit=1&sort=dueAt`);
    expect(page.data).toHaveLength(1);
    expect(page.data[0]).toMatchObject({
      id: ids.a,
      workspaceId: team.workspaceId,
      accountId: warmAccount,
      ownerId: team.ownerId,
      status: 'open',
      overdue: true,
      riskIndicators: ['external_dependency'],
      version: 1,
      headHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});

describe('count', () => {
  it('count=true adds the total matching the filter, whatever the page size', async () => {
    const page = await list('status=open&limit=2&count=true');
    expect(page.data).toHaveLength(2);
    expect(page.total).toBe(9);
    expect(page.nextCursor).toEqual(expect.any(String));
    // The total does not shrink on later pages (it is the filter's, not the remainder's).
    const next = await list(`status=open&limit=2&count=true&cursor=${page.nextCursor}`);
    expect(next.total).toBe(9);
    expect((await list('overdue=true&count=true')).total).toBe(1);
    expect((await list('temperature=neutral&count=true')).total).toBe(0);
  });

  it('without count=true (or with count=false) there is no total', async () => {
    expect(await list('status=open')).not.toHaveProperty('total');
    expect(await list('status=open&count=false')).not.toHaveProperty('total');
  });
});

describe('sorting and cursor pagination', () => {
  const KEYS = ['effectiveDueAt', 'dueAt', 'createdAt', 'updatedAt'] as const;
  type Row = { id: string } & Record<(typeof KEYS)[number], number | null>;
  let rows: Row[];

  beforeAll(async () => {
    const raw = await db.database.raw<{
      id: string;
      effective_due_at: Date | null;
      due_at: Date;
      created_at: Date;
      updated_at: Date;
    }>('select id, effective_due_at, due_at, created_at, updated_at from promises where workspace_id = $1', [
      team.workspaceId,
    ]);
    const ms = (d: Date | string | null) => (d === null ? null : new Date(d).getTime());
    rows = raw.map((r) => ({
      id: r.id,
      effectiveDueAt: ms(r.effective_due_at),
      dueAt: ms(r.due_at),
      createdAt: ms(r.created_at),
      updatedAt: ms(r.updated_at),
    }));
    expect(rows).toHaveLength(12);
  });

  /** The documented order: the key (missing values last, either direction), then id ascending. */
  function expected(key: (typeof KEYS)[number], desc: boolean, keep: (name: string) => boolean = () => true) {
    return rows
      .filter((r) => keep(names.get(r.id)!))
      .sort((x, y) => {
        const a = x[key];
        const b = y[key];
        if (a !== b) {
          if (a === null) return 1;
          if (b === null) return -1;
          return desc ? b - a : a - b;
        }
        return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
      })
      .map((r) => names.get(r.id)!);
  }

  async function walk(query: string, limit: number) {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(
        `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.data.length).toBeLessThanOrEqual(limit);
      if (page.nextCursor) expect(page.data).toHaveLength(limit);
      seen.push(...page.data.map((p) => names.get(p.id) ?? `foreign:${p.id}`));
      cursor = page.nextCursor;
      pages += 1;
      expect(pages).toBeLessThan(50);
    } while (cursor);
    return seen;
  }

  it('the fixture has the ties and missing values the walks must get through', () => {
    const dueTies = expected('dueAt', false).filter((n) => FIXTURES[n as Name].dueH === 72);
    expect(dueTies).toHaveLength(3);
    expect(
      rows
        .filter((r) => r.effectiveDueAt === null)
        .map((r) => names.get(r.id))
        .sort(),
    ).toEqual(['h', 'i']);
    expect(new Set(rows.map((r) => r.updatedAt)).size).toBeLessThan(rows.length);
  });

  for (const key of KEYS) {
    for (const desc of [false, true]) {
      const sort = `${desc ? '-' : ''}${key}`;
      it(`sort=${sort}: every page size walks every promise once, in order`, async () => {
        const want = expected(key, desc);
        // One page of everything is the reference order.
        expect((await list(`sort=${sort}&limit=500`)).data.map((p) => names.get(p.id))).toEqual(want);
        for (const limit of [1, 2, 5, 11, 12]) {
          const seen = await walk(`sort=${sort}`, limit);
          expect(seen, `limit ${limit}`).toEqual(want);
          expect(new Set(seen).size).toBe(seen.length);
        }
      });
    }
  }

  it('the default order is effectiveDueAt ascending, paused promises (no effective due date) last', async () => {
    const all = (await list('limit=500')).data.map((p) => names.get(p.id));
    expect(all).toEqual(expected('effectiveDueAt', false));
    expect(all.slice(-2).sort()).toEqual(['h', 'i']);
  });

  it('a filtered walk through paused promises, descending, has no gap and no duplicate', async () => {
    const mine = (n: string) => FIXTURES[n as Name].owner === 'owner';
    for (const limit of [1, 2, 3]) {
      const seen = await walk('sort=-effectiveDueAt&owner=me', limit);
      expect(seen).toEqual(expected('effectiveDueAt', true, mine));
      expect(seen.at(-1)).toBe('h');
    }
    for (const limit of [1, 2]) {
      const seen = await walk('sort=effectiveDueAt&paused=true', limit);
      expect(seen).toEqual(expected('effectiveDueAt', false, (n) => n === 'h' || n === 'i'));
    }
  });

  it('a promise created mid-walk does not duplicate or skip the ones already listed', async () => {
    const first = await list('sort=createdAt&limit=4');
    const want = expected('createdAt', false);
    expect(first.data.map((p) => names.get(p.id))).toEqual(want.slice(0, 4));
    db.clock.now = at(7 * HOUR);
    const extra = await createPromise(db.ctx, {
      principal: await principalFor(db.ctx, team.workspaceId, team.ownerId),
      input: {
        accountId: warmAccount,
        typeKey: 'product_follow_up',
        promiseMade: 'Made during the walk',
        customerReason: 'Testing keyset pagination',
        ownerId: team.ownerId,
        dueAt: at(100 * HOUR),
      },
    });
    db.clock.now = NOW;
    names.set(extra.state.id, 'x');
    const rest: string[] = [];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await list(`sort=createdAt&limit=4&cursor=${encodeURIComponent(cursor)}`);
      rest.push(...page.data.map((p) => names.get(p.id)!));
      cursor = page.nextCursor;
    }
    // Created last, so it comes at the end, and nothing already seen comes again.
    expect(rest).toEqual([...want.slice(4), 'x']);
  });
});

describe('bad query values: 400 naming the parameter', () => {
  it.each([
    ['owner', 'owner=bob'],
    ['owner', 'owner=ME'],
    ['account', 'account=acme'],
    ['status', 'status=bogus'],
    ['status', 'status=open,bogus'],
    ['status', 'status='],
    ['status', 'status=,'],
    ['type', 'type=Support-Resolution'],
    ['emotion', 'emotion=happy'],
    ['source', 'source=fax'],
    ['temperature', 'temperature=hot'],
    ['risk', 'risk=BAD!'],
    ['dueWithinDays', 'dueWithinDays=0'],
    ['dueWithinDays', 'dueWithinDays=2.5'],
    ['dueFrom', 'dueFrom=2026-12-01'],
    ['dueTo', 'dueTo=2026-12-01T10:00:00'],
    ['overdue', 'overdue=yes'],
    ['paused', 'paused=1'],
    ['count', 'count=maybe'],
    ['sort', 'sort=name'],
    ['sort', 'sort=--dueAt'],
    ['sort', 'sort=-'],
    ['sort', 'sort=dueAt,createdAt'],
    ['limit', 'limit=0'],
    ['limit', 'limit=501'],
    ['cursor', 'cursor=garbage'],
    ['cursor', `cursor=${Buffer.from('{"v":"yesterday","id":"x"}').toString('base64url')}`],
    ['cursor', `cursor=${Buffer.from('[1,2]').toString('base64url')}`],
    ['cursor', `cursor=${'a'.repeat(501)}`],
    ['workspaceId', 'workspaceId=abc'],
  ])('%s: %s', async (field, query) => {
    const res = await send(app, { method: 'GET', url: `/api/v1/promises?${query}`, headers: asOwner });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json_).toMatchObject({ status: 400, code: 'validation_failed', field });
    expect(res.json_.detail).toContain(field);
  });

  it('a cursor from one sort is refused by another (it would skip or repeat rows)', async () => {
    const page = await list('sort=dueAt&limit=2');
    const res = await send(app, {
      method: 'GET',
      url: `/api/v1/promises?sort=-createdAt&limit=2&cursor=${page.nextCursor}`,
      headers: asOwner,
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json_).toMatchObject({ field: 'cursor' });
  });
});
