// Inbound integrations through HTTP against a real database (PGlite in memory, or Postgres when
// TEST_DATABASE_URL is set): admins manage them; senders post Standard Webhooks-signed events that
// become signals. Every refused delivery is checked against every table of the database.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { signDelivery } from '../src/integrations/signature.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildAccount, buildUser, tokenHeaders } from './support/factories.js';
import { type Json, type Res, send } from './support/http.js';
import { buildRoles, type Roles } from './support/records.js';

const T0 = new Date('2026-11-02T09:00:00Z');
const MISSING_ID = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

/** Tables a request may touch while being refused (token use is recorded at most once a minute). */
const BOOKKEEPING = new Set([
  'sessions',
  'api_tokens',
  'security_events',
  'idempotency_keys',
  'schema_migrations',
]);

let db: TestDb;
let app: FastifyInstance;
let a: Roles;
let b: Roles;
/** Workspace A's account (external id cus_A1, domain northwind.example) and its contact's email. */
let accountA: string;
let contactA: string;
let accountB: string;
let seq = 0;

interface Integration {
  id: string;
  secret: string;
}

/** Every row of every table (but bookkeeping), hashed: equal fingerprints mean nothing was written. */
async function fingerprint(o: { except?: string[] } = {}): Promise<Record<string, string>> {
  const tables = await db.database.raw<{ table_name: string }>(
    `select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
  );
  const out: Record<string, string> = {};
  for (const { table_name } of tables) {
    if (BOOKKEEPING.has(table_name) || o.except?.includes(table_name)) continue;
    const [row] = await db.database.raw<{ h: string | null; n: number }>(
      `select md5(string_agg(t::text, '|' order by t::text)) as h, count(*)::int as n from ${table_name} t`,
    );
    out[table_name] = `${row?.n}:${row?.h}`;
  }
  return out;
}

const eventId = () => `evt_${++seq}_${Math.random().toString(36).slice(2, 10)}`;
const nowSeconds = () => Math.floor(db.clock.now.getTime() / 1000);

/** A delivery as a sender makes it: signed with the secret (or overridden parts). */
async function deliver(
  integration: Integration,
  payload: unknown,
  o: {
    id?: string;
    timestamp?: number;
    secret?: string;
    /** Sign this body but send `payload` (a tampered body). */
    signedBody?: string;
    headers?: Record<string, string | undefined>;
    contentType?: string;
  } = {},
): Promise<Res> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const id = o.id ?? eventId();
  const timestamp = o.timestamp ?? nowSeconds();
  const headers: Record<string, string> = {
    'content-type': o.contentType ?? 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signDelivery(o.secret ?? integration.secret, id, timestamp, o.signedBody ?? body),
  };
  for (const [k, v] of Object.entries(o.headers ?? {})) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  return send(app, { method: 'POST', url: `/api/v1/inbound/${integration.id}`, headers, payload: body });
}

async function createIntegration(
  roles: Roles,
  kind: string,
  name = `${kind} ${seq++}`,
): Promise<Integration> {
  const res = await send(app, {
    method: 'POST',
    url: '/api/v1/integrations',
    headers: roles.as.admin,
    payload: { kind, name },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json_.id, secret: res.json_.secret };
}

const ticket = (data: Record<string, unknown> = {}) => ({
  type: 'ticket.created',
  timestamp: '2026-11-02T08:30:00Z',
  data: {
    ticketId: 'T-1042',
    requester: { email: 'maya@northwind.example', name: 'Maya Chen' },
    subject: 'Exports still time out',
    category: 'Reporting exports',
    description: 'The regional export has failed three times this week.',
    accountExternalId: 'cus_A1',
    ...data,
  },
});

async function signal(roles: Roles, id: string): Promise<Json> {
  const res = await send(app, { method: 'GET', url: `/api/v1/signals/${id}`, headers: roles.as.admin });
  expect(res.statusCode, res.body).toBe(200);
  return res.json_;
}

async function countSignals(workspaceId: string): Promise<number> {
  const [row] = await db.database.raw<{ n: number }>(
    'select count(*)::int as n from signals where workspace_id = $1',
    [workspaceId],
  );
  return row!.n;
}

/** A delivery that must be refused with `status` naming `field`, writing nothing at all. */
async function refusedUnlogged(send_: () => Promise<Res>, status: number, field: string | null) {
  const before = await fingerprint();
  const res = await send_();
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json_.field, res.body).toBe(field);
  expect(await fingerprint()).toEqual(before);
  return res.json_;
}

/** An authenticated delivery refused with `status` naming `field`: only its delivery log row is written. */
async function refusedLogged(
  integration: Integration,
  send_: () => Promise<Res>,
  status: number,
  field: string,
) {
  const before = await fingerprint({ except: ['integration_deliveries'] });
  const [{ n: logged }] = (await db.database.raw<{ n: number }>(
    'select count(*)::int as n from integration_deliveries where integration_id = $1',
    [integration.id],
  )) as [{ n: number }];
  const res = await send_();
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json_.field, res.body).toBe(field);
  expect(await fingerprint({ except: ['integration_deliveries'] })).toEqual(before);
  const rows = await db.database.raw<{ status: string; http_status: number; error: string }>(
    'select status, http_status, error from integration_deliveries where integration_id = $1 order by received_at, id',
    [integration.id],
  );
  expect(rows).toHaveLength(logged + 1);
  expect(rows.at(-1)).toMatchObject({ status: 'rejected', http_status: status });
  expect(rows.at(-1)!.error).toContain(field);
  return res.json_;
}

beforeAll(async () => {
  db = await openTestDb(undefined, T0);
  app = await buildServer(db.ctx);
  a = await buildRoles(db.ctx);
  b = await buildRoles(db.ctx);
  const accA = await buildAccount(db.ctx, { workspaceId: a.workspaceId, ownerId: a.ids.member });
  accountA = accA.accountId;
  contactA = accA.contactId;
  await db.database.raw(
    `update accounts set external_id = 'cus_A1', domain = 'Northwind.example' where workspace_id = $1 and id = $2`,
    [a.workspaceId, accountA],
  );
  await db.database.raw(
    `update contacts set email = 'Maya@northwind.example' where workspace_id = $1 and id = $2`,
    [a.workspaceId, contactA],
  );
  const accB = await buildAccount(db.ctx, { workspaceId: b.workspaceId, ownerId: b.ids.member });
  accountB = accB.accountId;
  await db.database.raw(
    `update accounts set external_id = 'cus_B1', domain = 'contoso.example' where workspace_id = $1 and id = $2`,
    [b.workspaceId, accountB],
  );
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe(`inbound integrations (${ENGINE})`, () => {
  it('an admin creates an integration and sees its secret once; list and get never show it', async () => {
    const res = await send(app, {
      method: 'POST',
      url: '/api/v1/integrations',
      headers: a.as.admin,
      payload: { kind: 'helpdesk', name: 'Zendesk' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json_;
    expect(created).toMatchObject({
      kind: 'helpdesk',
      name: 'Zendesk',
      status: 'active',
      endpoint: `/api/v1/inbound/${created.id}`,
      eventTypes: ['ticket.created'],
      createdBy: a.ids.admin,
      revokedAt: null,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const list = await send(app, { method: 'GET', url: '/api/v1/integrations', headers: a.as.admin });
    expect(list.statusCode).toBe(200);
    expect(list.json_.data.map((i: Json) => i.id)).toContain(created.id);
    const one = await send(app, {
      method: 'GET',
      url: `/api/v1/integrations/${created.id}`,
      headers: a.as.admin,
    });
    expect(one.json_).toMatchObject({ id: created.id, status: 'active' });
    for (const body of [list.body, one.body]) {
      expect(body).not.toContain(created.secret);
      expect(body).not.toContain('secret"');
    }
  });

  it('only admins manage integrations: manager, member, viewer and a read-only token get 403 and write nothing', async () => {
    const integration = await createIntegration(a, 'billing');
    for (const who of [a.as.manager, a.as.member, a.as.viewer, a.as.adminRead]) {
      for (const [method, url, payload] of [
        ['POST', '/api/v1/integrations', { kind: 'survey', name: 'Typeform' }],
        ['GET', '/api/v1/integrations', undefined],
        ['GET', `/api/v1/integrations/${integration.id}`, undefined],
        ['DELETE', `/api/v1/integrations/${integration.id}`, undefined],
        ['GET', `/api/v1/integrations/${integration.id}/deliveries`, undefined],
      ] as const) {
        const before = await fingerprint();
        const res = await send(app, { method, url, headers: who, ...(payload ? { payload } : {}) });
        expect(res.statusCode, `${method} ${url} ${res.body}`).toBe(403);
        expect(await fingerprint()).toEqual(before);
      }
    }
    const anonymous = await send(app, { method: 'GET', url: '/api/v1/integrations' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('a signed help-desk ticket becomes a complaint on the account named by external id', async () => {
    const integration = await createIntegration(a, 'helpdesk');
    const id = eventId();
    const res = await deliver(integration, ticket(), { id });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_).toMatchObject({ duplicate: false, kind: 'complaint', accountId: accountA });
    const s = await signal(a, res.json_.signalId);
    expect(s).toMatchObject({
      kind: 'complaint',
      accountId: accountA,
      contactId: contactA,
      occurredAt: '2026-11-02T08:30:00.000Z',
      externalId: `${integration.id}/${id}`,
      concernKey: 'reporting_exports',
      concern: 'The regional export has failed three times this week.',
      summary: 'Ticket T-1042: Exports still time out',
      confidenceRestored: 'unknown',
      recordedBy: a.ids.admin,
    });
  });

  it('matches by the requester email’s domain when no external id is sent; no match is a 422 naming the field', async () => {
    const integration = await createIntegration(a, 'helpdesk');
    const { accountExternalId: _omit, ...data } = ticket().data;
    const res = await deliver(integration, { type: 'ticket.created', data });
    expect(res.statusCode, res.body).toBe(200);
    expect((await signal(a, res.json_.signalId)).accountId).toBe(accountA);

    await refusedLogged(
      integration,
      () =>
        deliver(integration, {
          type: 'ticket.created',
          data: { ...data, requester: { email: 'x@nowhere.example' } },
        }),
      422,
      'data.requester.email',
    );
    await refusedLogged(
      integration,
      () => deliver(integration, ticket({ accountExternalId: 'cus_unknown' })),
      422,
      'data.accountExternalId',
    );
  });

  it('a replay of the same event id is ignored: 200 {"duplicate": true}, never a second signal', async () => {
    const integration = await createIntegration(a, 'helpdesk');
    const id = eventId();
    const first = await deliver(integration, ticket(), { id });
    expect(first.statusCode, first.body).toBe(200);
    const signals = await countSignals(a.workspaceId);
    // The sender's retry: same id, fresh timestamp and signature, a minute later.
    db.clock.now = new Date(T0.getTime() + 60_000);
    try {
      const replay = await deliver(integration, ticket(), { id });
      expect(replay.statusCode, replay.body).toBe(200);
      expect(replay.json_).toMatchObject({ duplicate: true, signalId: first.json_.signalId });
      // Even with another body: the id is the event.
      const other = await deliver(integration, ticket({ subject: 'Something else' }), { id });
      expect(other.json_).toMatchObject({ duplicate: true });
    } finally {
      db.clock.now = T0;
    }
    expect(await countSignals(a.workspaceId)).toBe(signals);
    // The same event id at another integration is another event.
    const second = await createIntegration(a, 'helpdesk');
    const elsewhere = await deliver(second, ticket(), { id });
    expect(elsewhere.json_).toMatchObject({ duplicate: false });
    expect(await countSignals(a.workspaceId)).toBe(signals + 1);
  });

  it('concurrent deliveries of one event id record one signal', async () => {
    const integration = await createIntegration(a, 'product_usage');
    const id = eventId();
    const before = await countSignals(a.workspaceId);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        deliver(integration, { type: 'usage.activity', data: { accountExternalId: 'cus_A1' } }, { id }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(results.filter((r) => r.json_.duplicate === false)).toHaveLength(1);
    expect(new Set(results.map((r) => r.json_.signalId)).size).toBe(1);
    expect(await countSignals(a.workspaceId)).toBe(before + 1);
  });

  it('a tampered body, a wrong secret, an old or future timestamp or a missing header is a 401 and writes nothing', async () => {
    const integration = await createIntegration(a, 'helpdesk');
    const other = await createIntegration(a, 'helpdesk');
    const body = ticket();
    const tampered = JSON.stringify(ticket({ accountExternalId: 'cus_A1', subject: 'Forged' }));
    await refusedUnlogged(
      () => deliver(integration, tampered, { signedBody: JSON.stringify(body) }),
      401,
      'webhook-signature',
    );
    await refusedUnlogged(
      () => deliver(integration, body, { secret: other.secret }),
      401,
      'webhook-signature',
    );
    await refusedUnlogged(
      () => deliver(integration, body, { timestamp: nowSeconds() - 6 * 60 }),
      401,
      'webhook-timestamp',
    );
    await refusedUnlogged(
      () => deliver(integration, body, { timestamp: nowSeconds() + 6 * 60 }),
      401,
      'webhook-timestamp',
    );
    await refusedUnlogged(
      () => deliver(integration, body, { headers: { 'webhook-timestamp': 'yesterday' } }),
      401,
      'webhook-timestamp',
    );
    for (const header of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      await refusedUnlogged(
        () => deliver(integration, body, { headers: { [header]: undefined } }),
        401,
        header,
      );
    }
    await refusedUnlogged(
      () => deliver(integration, body, { headers: { 'webhook-signature': 'v1,not-a-signature' } }),
      401,
      'webhook-signature',
    );
    // A signature for another event id does not carry over.
    const id = eventId();
    const sig = signDelivery(integration.secret, 'evt_other', nowSeconds(), JSON.stringify(body));
    await refusedUnlogged(
      () => deliver(integration, body, { id, headers: { 'webhook-signature': sig } }),
      401,
      'webhook-signature',
    );
    // Garbage with a bad signature is refused as unauthenticated, before the body is read.
    await refusedUnlogged(
      () => deliver(integration, '{not json', { headers: { 'webhook-signature': 'v1,AAAA' } }),
      401,
      'webhook-signature',
    );
    // Headers are checked before an API token or session would matter: a valid admin token is not a signature.
    await refusedUnlogged(
      () => deliver(integration, body, { headers: { 'webhook-signature': undefined, ...a.as.admin } }),
      401,
      'webhook-signature',
    );
  });

  it('a revoked or unknown integration answers 404 and writes nothing', async () => {
    const integration = await createIntegration(a, 'survey');
    const nps = { type: 'nps.response', data: { accountExternalId: 'cus_A1', score: 9 } };
    const revoke = await send(app, {
      method: 'DELETE',
      url: `/api/v1/integrations/${integration.id}`,
      headers: a.as.admin,
    });
    expect(revoke.statusCode, revoke.body).toBe(204);
    await refusedUnlogged(() => deliver(integration, nps), 404, 'integrationId');
    await refusedUnlogged(() => deliver({ ...integration, id: MISSING_ID }, nps), 404, 'integrationId');
    const again = await send(app, {
      method: 'DELETE',
      url: `/api/v1/integrations/${integration.id}`,
      headers: a.as.admin,
    });
    expect(again.statusCode).toBe(404);
    const shown = await send(app, {
      method: 'GET',
      url: `/api/v1/integrations/${integration.id}`,
      headers: a.as.admin,
    });
    expect(shown.json_).toMatchObject({ status: 'revoked', revokedBy: a.ids.admin });
    expect(shown.json_.revokedAt).toBe(T0.toISOString());
    // Creating and revoking are in the security audit log.
    const log = await send(app, {
      method: 'GET',
      url: '/api/v1/audit/security-events?limit=500',
      headers: a.as.admin,
    });
    const mine = log.json_.data.filter(
      (e: { detail: { integrationId?: string } }) => e.detail.integrationId === integration.id,
    );
    expect(mine.map((e: { kind: string }) => e.kind).sort()).toEqual([
      'integration.created',
      'integration.revoked',
    ]);
    const badId = await send(app, {
      method: 'POST',
      url: '/api/v1/inbound/not-a-uuid',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(badId.statusCode).toBe(400);
  });

  it('an integration of workspace B writes only into B, even when it names A’s account', async () => {
    const integrationB = await createIntegration(b, 'helpdesk');
    const beforeA = await countSignals(a.workspaceId);
    await refusedLogged(integrationB, () => deliver(integrationB, ticket()), 422, 'data.accountExternalId');
    const { accountExternalId: _omit, ...byEmail } = ticket().data;
    await refusedLogged(
      integrationB,
      () => deliver(integrationB, { type: 'ticket.created', data: byEmail }),
      422,
      'data.requester.email',
    );
    const ok = await deliver(integrationB, ticket({ accountExternalId: 'cus_B1' }));
    expect(ok.statusCode, ok.body).toBe(200);
    const [row] = await db.database.raw<{ workspace_id: string; account_id: string }>(
      'select workspace_id, account_id from signals where id = $1',
      [ok.json_.signalId],
    );
    expect(row).toEqual({ workspace_id: b.workspaceId, account_id: accountB });
    expect(await countSignals(a.workspaceId)).toBe(beforeA);
    // A's admin cannot see, read the log of, or revoke B's integration: 404 like a missing one.
    for (const [method, url] of [
      ['GET', `/api/v1/integrations/${integrationB.id}`],
      ['GET', `/api/v1/integrations/${integrationB.id}/deliveries`],
      ['DELETE', `/api/v1/integrations/${integrationB.id}`],
    ] as const) {
      const before = await fingerprint();
      const res = await send(app, { method, url, headers: a.as.admin });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(await fingerprint()).toEqual(before);
    }
    const list = await send(app, { method: 'GET', url: '/api/v1/integrations', headers: a.as.admin });
    expect(list.json_.data.map((i: Json) => i.id)).not.toContain(integrationB.id);
  });

  it('billing events become payment failed / recovered and renewal outcomes', async () => {
    const integration = await createIntegration(a, 'billing');
    const failed = await deliver(integration, {
      type: 'payment.failed',
      data: { accountExternalId: 'cus_A1', amountMinor: 120_000, currency: 'EUR', invoiceId: 'in_77' },
    });
    expect(failed.statusCode, failed.body).toBe(200);
    expect(await signal(a, failed.json_.signalId)).toMatchObject({
      kind: 'billing',
      event: 'payment_failed',
      amountMinor: 120_000,
      currency: 'EUR',
      reference: 'in_77',
    });
    const recovered = await deliver(integration, {
      type: 'payment.recovered',
      data: { customerEmail: 'billing@northwind.example' },
    });
    expect(await signal(a, recovered.json_.signalId)).toMatchObject({
      kind: 'billing',
      event: 'payment_recovered',
    });
    const churned = await deliver(integration, {
      type: 'renewal.churned',
      data: { accountExternalId: 'cus_A1', arrBeforeMinor: 4_000_000 },
    });
    expect(await signal(a, churned.json_.signalId)).toMatchObject({
      kind: 'renewal_outcome',
      outcome: 'churned',
      arrBeforeMinor: 4_000_000,
      arrAfterMinor: 0,
      currency: 'USD',
    });
    // A renewal needs the ARR after it: named as the payload field.
    await refusedLogged(
      integration,
      () =>
        deliver(integration, {
          type: 'renewal.renewed',
          data: { accountExternalId: 'cus_A1', arrBeforeMinor: 1 },
        }),
      400,
      'data.arrAfterMinor',
    );
  });

  it('product usage advances the account’s last activity (never back)', async () => {
    const integration = await createIntegration(a, 'product_usage');
    db.clock.now = new Date(T0.getTime() + 3_600_000);
    try {
      const res = await deliver(integration, {
        type: 'usage.activity',
        timestamp: '2026-11-02T10:30:00+01:00',
        data: { userEmail: 'ops@northwind.example', activity: 'report_exported', count: 3 },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(await signal(a, res.json_.signalId)).toMatchObject({
        kind: 'product_activity',
        activity: 'report_exported',
        count: 3,
        occurredAt: '2026-11-02T09:30:00.000Z',
      });
      const lastActivity = async () =>
        (await send(app, { method: 'GET', url: `/api/v1/accounts/${accountA}`, headers: a.as.admin })).json_
          .lastActivityAt;
      expect(await lastActivity()).toBe('2026-11-02T09:30:00.000Z');
      // A late-arriving older event is recorded but does not move the last activity back.
      const older = await deliver(integration, {
        type: 'usage.activity',
        timestamp: '2026-11-01T12:00:00Z',
        data: { accountExternalId: 'cus_A1' },
      });
      expect(older.statusCode, older.body).toBe(200);
      expect(await lastActivity()).toBe('2026-11-02T09:30:00.000Z');
    } finally {
      db.clock.now = T0;
    }
  });

  it('survey responses become NPS (a detractor gets a follow-up promise) and CSAT', async () => {
    const integration = await createIntegration(a, 'survey');
    const nps = await deliver(integration, {
      type: 'nps.response',
      data: { respondent: { email: 'maya@northwind.example' }, score: 3, comment: 'Exports keep failing' },
    });
    expect(nps.statusCode, nps.body).toBe(200);
    expect(nps.json_.followUpPromiseId).toEqual(expect.any(String));
    expect(await signal(a, nps.json_.signalId)).toMatchObject({
      kind: 'nps',
      score: 3,
      category: 'detractor',
      contactId: contactA,
      followUpPromiseId: nps.json_.followUpPromiseId,
    });
    const csat = await deliver(integration, {
      type: 'csat.response',
      data: { accountExternalId: 'cus_A1', score: 5 },
    });
    expect(await signal(a, csat.json_.signalId)).toMatchObject({ kind: 'csat', score: 5, satisfied: true });
  });

  it('bad payloads are 400s naming the field, logged as rejected, and record nothing', async () => {
    const integration = await createIntegration(a, 'survey');
    const nps = (data: Record<string, unknown>) => ({
      type: 'nps.response',
      data: { accountExternalId: 'cus_A1', score: 9, ...data },
    });
    await refusedLogged(integration, () => deliver(integration, nps({ score: 11 })), 400, 'data.score');
    await refusedLogged(integration, () => deliver(integration, nps({ mood: 'happy' })), 400, 'data.mood');
    await refusedLogged(integration, () => deliver(integration, { ...nps({}), extra: 1 }), 400, 'extra');
    await refusedLogged(integration, () => deliver(integration, ticket()), 400, 'type');
    await refusedLogged(integration, () => deliver(integration, '{"type": "nps.response",'), 400, 'body');
    await refusedLogged(
      integration,
      () => deliver(integration, { type: 'nps.response', data: { score: 9 } }),
      400,
      'data.accountExternalId',
    );
    await refusedLogged(
      integration,
      () => deliver(integration, { ...nps({}), timestamp: '2026-11-02 08:00' }),
      400,
      'timestamp',
    );
    await refusedLogged(
      integration,
      () => deliver(integration, { ...nps({}), timestamp: '2026-11-03T09:00:00Z' }),
      400,
      'timestamp',
    );
    // Not JSON at all: the route accepts application/json only.
    const before = await fingerprint();
    const res = await deliver(integration, 'score=9', { contentType: 'text/plain' });
    expect(res.statusCode).toBe(415);
    expect(await fingerprint()).toEqual(before);
  });

  it('the delivery log lists processed, duplicate and rejected deliveries, newest first, by cursor', async () => {
    const integration = await createIntegration(a, 'product_usage');
    const activity = { type: 'usage.activity', data: { accountExternalId: 'cus_A1' } };
    const id = eventId();
    const processed = await deliver(integration, activity, { id });
    db.clock.now = new Date(T0.getTime() + 1000);
    await deliver(integration, activity, { id });
    db.clock.now = new Date(T0.getTime() + 2000);
    await deliver(
      integration,
      { type: 'usage.activity', data: { accountExternalId: 'cus_nope' } },
      { id: 'evt_nope' },
    );
    await deliver(integration, activity, { headers: { 'webhook-signature': 'v1,AAAA' } }); // not logged
    db.clock.now = T0;
    const url = `/api/v1/integrations/${integration.id}/deliveries`;
    const page1 = await send(app, { method: 'GET', url: `${url}?limit=2`, headers: a.as.admin });
    expect(page1.statusCode, page1.body).toBe(200);
    expect(page1.json_.data).toMatchObject([
      {
        eventId: 'evt_nope',
        eventType: 'usage.activity',
        status: 'rejected',
        httpStatus: 422,
        signalId: null,
      },
      { eventId: id, status: 'duplicate', httpStatus: 200, error: null, signalId: processed.json_.signalId },
    ]);
    expect(page1.json_.data[0].error).toMatch(
      /data\.accountExternalId: no account has external id "cus_nope"/,
    );
    const page2 = await send(app, {
      method: 'GET',
      url: `${url}?limit=2&cursor=${page1.json_.nextCursor}`,
      headers: a.as.admin,
    });
    expect(page2.json_).toMatchObject({
      data: [
        {
          eventId: id,
          status: 'processed',
          signalId: processed.json_.signalId,
          receivedAt: T0.toISOString(),
        },
      ],
      nextCursor: null,
    });
    const bad = await send(app, { method: 'GET', url: `${url}?cursor=nonsense`, headers: a.as.admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json_.field).toBe('cursor');
  });

  it('an integration stops when its creator is deactivated or loses the admin role (403, nothing recorded)', async () => {
    for (const change of ['deactivate', 'demote'] as const) {
      const second = (await buildUser(db.ctx, { workspaceId: a.workspaceId, role: 'admin' })).userId;
      const headers = await tokenHeaders(db.ctx, a.workspaceId, second);
      const res = await send(app, {
        method: 'POST',
        url: '/api/v1/integrations',
        headers,
        payload: { kind: 'survey', name: 'Delighted' },
      });
      const integration = { id: res.json_.id, secret: res.json_.secret };
      const csat = { type: 'csat.response', data: { accountExternalId: 'cus_A1', score: 4 } };
      expect((await deliver(integration, csat)).statusCode).toBe(200);
      await db.database.raw(
        change === 'deactivate'
          ? 'update users set active = false where workspace_id = $1 and id = $2'
          : `update users set role = 'manager' where workspace_id = $1 and id = $2`,
        [a.workspaceId, second],
      );
      const before = await fingerprint({ except: ['integration_deliveries'] });
      const refused = await deliver(integration, csat);
      expect(refused.statusCode, refused.body).toBe(403);
      expect(refused.json_.detail).toMatch(/suspended/);
      expect(await fingerprint({ except: ['integration_deliveries'] })).toEqual(before);
      const shown = await send(app, {
        method: 'GET',
        url: `/api/v1/integrations/${integration.id}`,
        headers: a.as.admin,
      });
      expect(shown.json_.status).toBe('suspended');
    }
  });
});
