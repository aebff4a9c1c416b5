// Accounts through HTTP against a real database (PGlite, or Postgres with TEST_DATABASE_URL): roles,
// workspace isolation, validation, temperature history, and the list's filters, sorts and cursor.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { openTestDb, type TestDb } from './support/db.js';
import { buildAccount, promiseBody } from './support/factories.js';
import { type Json, send } from './support/http.js';
import { buildRoles, type Roles, refused, req, walk } from './support/records.js';

const DAY = 86_400_000;
const T0 = new Date('2026-11-02T09:00:00Z');
const MISSING_ID = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const URL_ = '/api/v1/accounts';

let db: TestDb;
let app: FastifyInstance;
let ws: Roles;
let other: Roles;
/** An account of the other workspace, and its owner. */
let otherAccount: { accountId: string; ownerId: string };

beforeAll(async () => {
  db = await openTestDb(undefined, T0);
  app = await buildServer(db.ctx);
  ws = await buildRoles(db.ctx);
  other = await buildRoles(db.ctx);
  otherAccount = await buildAccount(db.ctx, { workspaceId: other.workspaceId, ownerId: other.ids.member });
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

const valid = (o: Record<string, unknown> = {}) => ({
  name: 'Northwind Analytics',
  tier: 'enterprise',
  arrMinor: 12_000_000,
  currency: 'EUR',
  contractStart: '2026-01-15',
  renewalDate: '2027-01-14',
  lifecycleStage: 'adopt',
  ownerId: ws.ids.member,
  domain: 'Northwind.example',
  externalId: `crm-${Math.random().toString(36).slice(2)}`,
  ...o,
});

async function create(body: Record<string, unknown>, headers = ws.as.manager): Promise<Json> {
  const res = await send(app, req('POST', URL_, headers, body));
  expect(res.statusCode, res.body).toBe(201);
  return res.json_;
}

describe('creating an account', () => {
  it('a manager creates one: 201, the presented shape, and the row as stored', async () => {
    db.clock.now = T0;
    const body = valid({ name: '  Northwind Analytics  ' });
    const a = await create(body);
    expect(a).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      workspaceId: ws.workspaceId,
      name: 'Northwind Analytics',
      domain: 'northwind.example',
      externalId: body.externalId,
      tier: 'enterprise',
      arrMinor: 12_000_000,
      currency: 'EUR',
      contractStart: '2026-01-15',
      renewalDate: '2027-01-14',
      lifecycleStage: 'adopt',
      ownerId: ws.ids.member,
      temperature: null,
      temperatureUpdatedAt: null,
      lastActivityAt: null,
      createdAt: T0.toISOString(),
    });
    const [row] = await db.database.raw<Record<string, unknown>>(
      'select workspace_id, name, arr_minor, currency, renewal_date from accounts where workspace_id = $1 and id = $2',
      [ws.workspaceId, a.id],
    );
    expect(row).toEqual({
      workspace_id: ws.workspaceId,
      name: 'Northwind Analytics',
      arr_minor: 12_000_000,
      currency: 'EUR',
      renewal_date: '2027-01-14',
    });
  });

  it('an admin may create one too; defaults are ARR 0 USD, stage land', async () => {
    const a = await create({ name: 'Tiny Co', tier: 'smb', ownerId: ws.ids.admin }, ws.as.admin);
    expect(a).toMatchObject({ arrMinor: 0, currency: 'USD', lifecycleStage: 'land', contractStart: null });
  });

  it.each([
    ['member', 'member'],
    ['viewer', 'viewer'],
    ['read-only token of an admin', 'adminRead'],
  ] as const)('a %s may not create one: 403, nothing written', async (_who, key) => {
    await refused(app, db, req('POST', URL_, ws.as[key], valid()), 403, null);
  });

  it('without a credential: 401', async () => {
    await refused(app, db, { method: 'POST', url: URL_, payload: valid() }, 401, 'Authorization');
  });

  it.each([
    ['negative ARR', { arrMinor: -1 }, 'arrMinor'],
    ['fractional ARR', { arrMinor: 10.5 }, 'arrMinor'],
    ['ARR as a string', { arrMinor: '100' }, 'arrMinor'],
    ['ARR beyond a safe integer', { arrMinor: 2 ** 60 }, 'arrMinor'],
    ['ARR without its currency', { currency: undefined }, 'currency'],
    ['lowercase currency', { currency: 'usd' }, 'currency'],
    ['a currency that is not ISO 4217', { currency: 'ABC' }, 'currency'],
    ['an impossible date', { contractStart: '2026-02-30' }, 'contractStart'],
    ['a date-time instead of a date', { renewalDate: '2027-01-14T00:00:00Z' }, 'renewalDate'],
    [
      'renewal before the contract starts',
      { contractStart: '2026-06-01', renewalDate: '2026-05-31' },
      'renewalDate',
    ],
    ['an unknown lifecycle stage', { lifecycleStage: 'churned' }, 'lifecycleStage'],
    ['an unknown tier', { tier: 'gold' }, 'tier'],
    ['a temperature (set through its own endpoint)', { temperature: 'warm' }, 'temperature'],
    ['a workspace id', { workspaceId: MISSING_ID }, 'workspaceId'],
    ['an id', { id: MISSING_ID }, 'id'],
    ['a domain with a scheme', { domain: 'https://acme.com' }, 'domain'],
    ['an empty name', { name: '   ' }, 'name'],
    ['no name', { name: undefined }, 'name'],
    ['no owner', { ownerId: undefined }, 'ownerId'],
    ['an owner id of the wrong shape', { ownerId: 'alice' }, 'ownerId'],
  ])('%s: 400 naming the field, nothing written', async (_what, change, field) => {
    const res = await refused(app, db, req('POST', URL_, ws.as.manager, valid(change)), 400, field);
    expect(res.code).toBe('validation_failed');
  });

  it('an owner of another workspace is "not found" (404 naming ownerId), like a missing one', async () => {
    const a = await refused(
      app,
      db,
      req('POST', URL_, ws.as.manager, valid({ ownerId: other.ids.member })),
      404,
      'ownerId',
    );
    const b = await refused(
      app,
      db,
      req('POST', URL_, ws.as.manager, valid({ ownerId: MISSING_ID })),
      404,
      'ownerId',
    );
    expect(a.detail.replace(other.ids.member, 'X')).toBe(b.detail.replace(MISSING_ID, 'X'));
  });

  it('a deactivated owner: 400 naming ownerId', async () => {
    await refused(
      app,
      db,
      req('POST', URL_, ws.as.manager, valid({ ownerId: ws.ids.inactive })),
      400,
      'ownerId',
    );
  });

  it('a second account with one external id: 409 naming externalId; another workspace may use it', async () => {
    const body = valid({ externalId: 'sf-0001' });
    await create(body);
    const res = await refused(
      app,
      db,
      req('POST', URL_, ws.as.manager, valid({ externalId: 'sf-0001' })),
      409,
      'externalId',
    );
    expect(res.code).toBe('conflict');
    await create({ ...body, ownerId: other.ids.member }, other.as.manager);
  });
});

describe('reading one account', () => {
  it('shows open and overdue promise counts (closed and paused ones are not overdue)', async () => {
    db.clock.now = T0;
    const a = await create(valid({ ownerId: ws.ids.member }));
    const team = { accountId: a.id, ownerId: ws.ids.member };
    const mk = async (days: number) => {
      const res = await send(
        app,
        req('POST', '/api/v1/promises', ws.as.member, promiseBody(db.ctx, team, { days })),
      );
      expect(res.statusCode, res.body).toBe(201);
      return res.json_.id as string;
    };
    await mk(1);
    await mk(1);
    const paused = await mk(1);
    const cancelled = await mk(1);
    await mk(10);
    const act = async (id: string, action: string, body: unknown) => {
      const res = await send(app, req('POST', `/api/v1/promises/${id}/${action}`, ws.as.member, body));
      expect(res.statusCode, res.body).toBe(200);
    };
    await act(paused, 'pause', { cause: 'customer', note: 'Waiting for their sample' });
    await act(cancelled, 'cancel', { reason: 'Not needed' });
    db.clock.now = new Date(T0.getTime() + 2 * DAY);
    const res = await send(app, req('GET', `${URL_}/${a.id}`, ws.as.viewer));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_).toMatchObject({ id: a.id, name: a.name, promises: { open: 4, overdue: 2 } });
    // The list gives every account on the page the same counts, zeros for one with no promise.
    const empty = await create(valid({ ownerId: ws.ids.member }));
    const list = await send(app, req('GET', `${URL_}?limit=500`, ws.as.viewer));
    expect(list.statusCode, list.body).toBe(200);
    const listed = new Map(
      (list.json_.data as { id: string; promises: unknown }[]).map((x) => [x.id, x.promises]),
    );
    expect(listed.get(a.id)).toEqual({ open: 4, overdue: 2 });
    expect(listed.get(empty.id)).toEqual({ open: 0, overdue: 0 });
    db.clock.now = T0;
  });

  it('another workspace’s account answers exactly like a missing one: 404 naming accountId', async () => {
    const a = await refused(
      app,
      db,
      req('GET', `${URL_}/${otherAccount.accountId}`, ws.as.admin),
      404,
      'accountId',
    );
    const b = await refused(app, db, req('GET', `${URL_}/${MISSING_ID}`, ws.as.admin), 404, 'accountId');
    expect(a.detail.replace(otherAccount.accountId, 'X')).toBe(b.detail.replace(MISSING_ID, 'X'));
    await refused(app, db, req('GET', `${URL_}/not-a-uuid`, ws.as.admin), 400, 'accountId');
  });
});

describe('changing an account', () => {
  let owned: Json;
  let others: Json;
  beforeAll(async () => {
    owned = await create(valid({ ownerId: ws.ids.member, name: 'Owned by member' }));
    others = await create(valid({ ownerId: ws.ids.member2, name: 'Owned by member2' }));
  });
  const patch = (id: string, headers: Roles['as'][keyof Roles['as']], body: unknown) =>
    req('PATCH', `${URL_}/${id}`, headers, body);

  it('its owner (a member) may change it', async () => {
    const res = await send(
      app,
      patch(owned.id, ws.as.member, { lifecycleStage: 'expand', arrMinor: 15_000_000, domain: null }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_).toMatchObject({
      id: owned.id,
      lifecycleStage: 'expand',
      arrMinor: 15_000_000,
      currency: 'EUR',
      domain: null,
    });
    const [row] = await db.database.raw<{ lifecycle_stage: string; arr_minor: number }>(
      'select lifecycle_stage, arr_minor from accounts where workspace_id = $1 and id = $2',
      [ws.workspaceId, owned.id],
    );
    expect(row).toEqual({ lifecycle_stage: 'expand', arr_minor: 15_000_000 });
  });

  it('a member may not change someone else’s account; a viewer and a read token none: 403, nothing written', async () => {
    await refused(app, db, patch(others.id, ws.as.member, { name: 'Mine now' }), 403, null);
    await refused(app, db, patch(owned.id, ws.as.viewer, { name: 'Viewer edit' }), 403, null);
    await refused(app, db, patch(owned.id, ws.as.adminRead, { name: 'Read token edit' }), 403, null);
  });

  it('a manager and an admin may change any account, including its owner', async () => {
    const res = await send(app, patch(others.id, ws.as.manager, { ownerId: ws.ids.member }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_.ownerId).toBe(ws.ids.member);
    const back = await send(
      app,
      patch(others.id, ws.as.admin, { ownerId: ws.ids.member2, tier: 'strategic' }),
    );
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json_).toMatchObject({ ownerId: ws.ids.member2, tier: 'strategic' });
  });

  it.each([
    ['its id', { id: MISSING_ID }, 'id'],
    ['account_id', { account_id: MISSING_ID }, 'account_id'],
    ['its workspace', { workspaceId: MISSING_ID }, 'workspaceId'],
    ['its temperature', { temperature: 'warm' }, 'temperature'],
    ['nothing at all', {}, 'body'],
    ['a negative ARR', { arrMinor: -5 }, 'arrMinor'],
  ])('writing %s: 400 naming the field, nothing written', async (_what, body, field) => {
    await refused(app, db, patch(owned.id, ws.as.manager, body), 400, field);
  });

  it('a renewal date before the stored contract start: 400 naming renewalDate', async () => {
    await refused(app, db, patch(owned.id, ws.as.manager, { renewalDate: '2025-12-31' }), 400, 'renewalDate');
    await refused(
      app,
      db,
      patch(owned.id, ws.as.manager, { contractStart: '2027-02-01' }),
      400,
      'renewalDate',
    );
  });

  it('an owner of another workspace: 404 naming ownerId; another workspace’s account: 404 naming accountId', async () => {
    await refused(app, db, patch(owned.id, ws.as.manager, { ownerId: other.ids.member }), 404, 'ownerId');
    await refused(
      app,
      db,
      patch(otherAccount.accountId, ws.as.admin, { name: 'Taken over' }),
      404,
      'accountId',
    );
    await refused(app, db, patch(MISSING_ID, ws.as.admin, { name: 'Nobody' }), 404, 'accountId');
  });
});

describe('relationship temperature', () => {
  let account: Json;
  beforeAll(async () => {
    account = await create(valid({ ownerId: ws.ids.member, name: 'Temperature Co' }));
  });
  const setT = (id: string, headers: Roles['as'][keyof Roles['as']], body: unknown) =>
    req('POST', `${URL_}/${id}/temperature`, headers, body);

  it('the owner records a reading: history row and account change together', async () => {
    db.clock.now = new Date(T0.getTime() + DAY);
    const res = await send(
      app,
      setT(account.id, ws.as.member, { temperature: 'strained', note: 'Export bug hit their board deck' }),
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json_).toMatchObject({
      id: account.id,
      temperature: 'strained',
      temperatureUpdatedAt: db.clock.now.toISOString(),
      temperatureChange: {
        accountId: account.id,
        temperature: 'strained',
        note: 'Export bug hit their board deck',
        setBy: ws.ids.member,
        setAt: db.clock.now.toISOString(),
      },
    });
    const rows = await db.database.raw<{ temperature: string; set_by: string }>(
      'select temperature, set_by from account_temperature_history where workspace_id = $1 and account_id = $2',
      [ws.workspaceId, account.id],
    );
    expect(rows).toEqual([{ temperature: 'strained', set_by: ws.ids.member }]);
  });

  it('a manager records the next; the history lists both, newest first, page by page', async () => {
    db.clock.now = new Date(T0.getTime() + 2 * DAY);
    const res = await send(
      app,
      setT(account.id, ws.as.manager, { temperature: 'neutral', note: 'Fix shipped, call went well' }),
    );
    expect(res.statusCode, res.body).toBe(201);
    db.clock.now = new Date(T0.getTime() + 3 * DAY);
    // The same temperature again is a reading too: it keeps temperatureUpdatedAt recent.
    expect(
      (await send(app, setT(account.id, ws.as.admin, { temperature: 'neutral', note: 'QBR' }))).statusCode,
    ).toBe(201);
    const { rows, pages } = await walk(app, `${URL_}/${account.id}/temperature-history`, ws.as.viewer, 1);
    expect(pages).toBe(3);
    expect(rows.map((r) => [r.temperature, r.note])).toEqual([
      ['neutral', 'QBR'],
      ['neutral', 'Fix shipped, call went well'],
      ['strained', 'Export bug hit their board deck'],
    ]);
    const got = await send(app, req('GET', `${URL_}/${account.id}`, ws.as.viewer));
    expect(got.json_).toMatchObject({
      temperature: 'neutral',
      temperatureUpdatedAt: new Date(T0.getTime() + 3 * DAY).toISOString(),
    });
  });

  it('a member who does not own the account, a viewer, a read token: 403, nothing written', async () => {
    const body = { temperature: 'fragile', note: 'Guess' };
    await refused(app, db, setT(account.id, ws.as.member2, body), 403, null);
    await refused(app, db, setT(account.id, ws.as.viewer, body), 403, null);
    await refused(app, db, setT(account.id, ws.as.adminRead, body), 403, null);
  });

  it.each([
    ['an unknown temperature', { temperature: 'hot', note: 'x' }, 'temperature'],
    ['no note', { temperature: 'warm' }, 'note'],
    ['an extra field', { temperature: 'warm', note: 'x', setBy: MISSING_ID }, 'setBy'],
  ])('%s: 400 naming the field', async (_what, body, field) => {
    await refused(app, db, setT(account.id, ws.as.member, body), 400, field);
  });

  it('another workspace’s account: 404 for the reading and the history', async () => {
    await refused(
      app,
      db,
      setT(otherAccount.accountId, ws.as.admin, { temperature: 'warm', note: 'x' }),
      404,
      'accountId',
    );
    await refused(
      app,
      db,
      req('GET', `${URL_}/${otherAccount.accountId}/temperature-history`, ws.as.admin),
      404,
      'accountId',
    );
  });
});

describe('the account list', () => {
  // A workspace of its own, so every expectation is exact.
  let L: Roles;
  const id: Record<string, string> = {};
  const names = (rows: Json[]) => rows.map((r) => r.name as string);

  beforeAll(async () => {
    db.clock.now = T0;
    L = await buildRoles(db.ctx);
    const fixtures: [string, Record<string, unknown>, string | null][] = [
      [
        'alpha',
        {
          tier: 'smb',
          arrMinor: 300,
          lifecycleStage: 'land',
          renewalDate: '2026-11-02',
          ownerId: L.ids.member,
        },
        'warm',
      ],
      [
        'bravo',
        {
          tier: 'enterprise',
          arrMinor: 100,
          lifecycleStage: 'adopt',
          renewalDate: '2026-11-20',
          ownerId: L.ids.member,
        },
        'fragile',
      ],
      [
        'charlie',
        {
          tier: 'enterprise',
          arrMinor: 100,
          lifecycleStage: 'expand',
          renewalDate: null,
          ownerId: L.ids.member2,
        },
        'strained',
      ],
      [
        'delta',
        {
          tier: 'strategic',
          arrMinor: 900,
          lifecycleStage: 'renew',
          renewalDate: '2027-03-01',
          ownerId: L.ids.manager,
        },
        null,
      ],
      [
        'echo 100%',
        {
          tier: 'smb',
          arrMinor: 0,
          lifecycleStage: 'land',
          renewalDate: '2026-12-02',
          ownerId: L.ids.member2,
        },
        'warm',
      ],
      [
        'foxtrot_x',
        {
          tier: 'mid_market',
          arrMinor: 500,
          lifecycleStage: 'adopt',
          renewalDate: '2026-11-01',
          ownerId: L.ids.member,
        },
        'neutral',
      ],
      [
        'golf',
        {
          tier: 'mid_market',
          arrMinor: 500,
          lifecycleStage: 'adopt',
          renewalDate: null,
          ownerId: L.ids.manager,
        },
        null,
      ],
    ];
    for (const [i, [name, o, temperature]] of fixtures.entries()) {
      db.clock.now = new Date(T0.getTime() + (i % 3) * 60_000); // ties on createdAt on purpose
      const res = await send(
        app,
        req('POST', URL_, L.as.manager, { name, currency: 'USD', contractStart: '2026-01-01', ...o }),
      );
      expect(res.statusCode, res.body).toBe(201);
      id[name] = res.json_.id;
      if (temperature) {
        const t = await send(
          app,
          req('POST', `${URL_}/${res.json_.id}/temperature`, L.as.manager, { temperature, note: 'Call' }),
        );
        expect(t.statusCode, t.body).toBe(201);
      }
    }
    db.clock.now = T0;
  });

  const list = async (qs: string, headers: Roles['as'][keyof Roles['as']] = L.as.viewer) => {
    const res = await send(app, req('GET', `${URL_}${qs}`, headers));
    expect(res.statusCode, res.body).toBe(200);
    return res.json_;
  };

  it('by name by default, only this workspace’s accounts, with a total on request', async () => {
    const page = await list('?count=true');
    expect(names(page.data)).toEqual([
      'alpha',
      'bravo',
      'charlie',
      'delta',
      'echo 100%',
      'foxtrot_x',
      'golf',
    ]);
    expect(page).toMatchObject({ nextCursor: null, total: 7 });
    expect(page.data.every((a: Json) => a.workspaceId === L.workspaceId)).toBe(true);
    expect(page.data[0].promises).toEqual({ open: 0, overdue: 0 });
  });

  it.each([
    ['?owner=me', 'member', ['alpha', 'bravo', 'foxtrot_x']],
    ['?tier=enterprise,strategic', 'viewer', ['bravo', 'charlie', 'delta']],
    ['?stage=adopt&tier=mid_market', 'viewer', ['foxtrot_x', 'golf']],
    ['?temperature=warm,strained', 'viewer', ['alpha', 'charlie', 'echo 100%']],
    ['?renewalFrom=2026-11-02&renewalTo=2026-12-02', 'viewer', ['alpha', 'bravo', 'echo 100%']],
    ['?renewingWithinDays=30', 'viewer', ['alpha', 'bravo', 'echo 100%']],
    ['?renewingWithinDays=29', 'viewer', ['alpha', 'bravo']],
    ['?renewingWithinDays=30&renewalFrom=2026-11-03', 'viewer', ['bravo', 'echo 100%']],
    ['?q=ECH', 'viewer', ['echo 100%']],
    ['?q=%25', 'viewer', ['echo 100%']],
    ['?q=_', 'viewer', ['foxtrot_x']],
    ['?q=t_x', 'viewer', ['foxtrot_x']],
    ['?q=a%25', 'viewer', []],
    ['?q=l', 'viewer', ['alpha', 'charlie', 'delta', 'golf']],
  ])('%s (as %s)', async (qs, who, expected) => {
    expect(names((await list(qs, L.as[who as 'viewer'])).data)).toEqual(expected);
  });

  it('an owner filter naming a user of this workspace or of another one', async () => {
    expect(names((await list(`?owner=${L.ids.manager}`)).data)).toEqual(['delta', 'golf']);
    const foreign = await list(`?owner=${other.ids.member}&count=true`);
    expect(foreign).toEqual({ data: [], nextCursor: null, total: 0 });
    // The other workspace does have accounts owned by that user.
    const theirs = await send(
      app,
      req('GET', `${URL_}?owner=${other.ids.member}&count=true`, other.as.viewer),
    );
    expect(theirs.json_.total).toBeGreaterThan(0);
  });

  it('"today" for renewingWithinDays is the workspace’s date: in Auckland it is already 3 November', async () => {
    db.clock.now = new Date('2026-11-02T12:00:00Z'); // 01:00 on 3 November in Auckland (UTC+13)
    expect(names((await list('?renewingWithinDays=0')).data)).toEqual(['alpha']);
    await db.database.raw(`update workspaces set time_zone = 'Pacific/Auckland' where id = $1`, [
      L.workspaceId,
    ]);
    try {
      expect(names((await list('?renewingWithinDays=0')).data)).toEqual([]);
      expect(names((await list('?renewingWithinDays=17')).data)).toEqual(['bravo']);
    } finally {
      await db.database.raw(`update workspaces set time_zone = 'UTC' where id = $1`, [L.workspaceId]);
      db.clock.now = T0;
    }
  });

  it.each([
    ['name', ['alpha', 'bravo', 'charlie', 'delta', 'echo 100%', 'foxtrot_x', 'golf']],
    ['-name', ['golf', 'foxtrot_x', 'echo 100%', 'delta', 'charlie', 'bravo', 'alpha']],
    // Ties broken by id (creation order); accounts without a renewal date last either way.
    ['renewalDate', ['foxtrot_x', 'alpha', 'bravo', 'echo 100%', 'delta', 'charlie', 'golf']],
    ['-renewalDate', ['delta', 'echo 100%', 'bravo', 'alpha', 'foxtrot_x', 'charlie', 'golf']],
    ['arr', ['echo 100%', 'bravo', 'charlie', 'alpha', 'foxtrot_x', 'golf', 'delta']],
    ['-arr', ['delta', 'foxtrot_x', 'golf', 'alpha', 'bravo', 'charlie', 'echo 100%']],
    ['createdAt', ['alpha', 'delta', 'golf', 'bravo', 'echo 100%', 'charlie', 'foxtrot_x']],
    ['-createdAt', ['charlie', 'foxtrot_x', 'bravo', 'echo 100%', 'alpha', 'delta', 'golf']],
  ])('sort=%s, and walking it two at a time gives the same order', async (sort, expected) => {
    expect(names((await list(`?sort=${sort}`)).data)).toEqual(expected);
    const { rows, pages } = await walk(app, `${URL_}?sort=${sort}`, L.as.viewer, 2);
    expect(names(rows)).toEqual(expected);
    expect(pages).toBe(4);
  });

  it('a walk with a filter stays inside the filter; an account added mid-walk behind the cursor is not repeated', async () => {
    const first = await list('?tier=enterprise,smb&limit=2');
    expect(names(first.data)).toEqual(['alpha', 'bravo']);
    const res = await send(
      app,
      req('POST', URL_, L.as.manager, { name: 'aardvark', tier: 'smb', ownerId: L.ids.member }),
    );
    expect(res.statusCode).toBe(201);
    const rest = await list(`?tier=enterprise,smb&limit=2&cursor=${first.nextCursor}`);
    expect(names(rest.data)).toEqual(['charlie', 'echo 100%']);
    expect(rest.nextCursor).toBeNull();
  });

  it.each([
    ['?sort=tier', 'sort'],
    ['?sort=-', 'sort'],
    ['?tier=gold', 'tier'],
    ['?stage=churned', 'stage'],
    ['?temperature=hot', 'temperature'],
    ['?owner=bob', 'owner'],
    ['?renewalFrom=2026-13-01', 'renewalFrom'],
    ['?renewalFrom=2026-12-01&renewalTo=2026-11-01', 'renewalTo'],
    ['?renewingWithinDays=-1', 'renewingWithinDays'],
    ['?limit=0', 'limit'],
    ['?limit=501', 'limit'],
    ['?q=', 'q'],
    ['?workspaceId=x', 'workspaceId'],
    ['?cursor=not-a-cursor', 'cursor'],
  ])('%s: 400 naming %s', async (qs, field) => {
    await refused(app, db, req('GET', `${URL_}${qs}`, L.as.viewer), 400, field);
  });

  it('a cursor made for one sort is refused under another', async () => {
    const page = await list('?sort=name&limit=2');
    await refused(
      app,
      db,
      req('GET', `${URL_}?sort=-name&cursor=${page.nextCursor}`, L.as.viewer),
      400,
      'cursor',
    );
    await refused(
      app,
      db,
      req('GET', `${URL_}?sort=arr&cursor=${page.nextCursor}`, L.as.viewer),
      400,
      'cursor',
    );
  });

  it('reads are open to every role and to read tokens; anonymous callers get 401', async () => {
    for (const who of ['admin', 'manager', 'member', 'viewer', 'adminRead'] as const) {
      expect((await send(app, req('GET', URL_, L.as[who]))).statusCode).toBe(200);
    }
    await refused(app, db, { method: 'GET', url: URL_ }, 401, 'Authorization');
  });
});
