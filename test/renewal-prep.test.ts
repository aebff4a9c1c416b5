// Renewal preparation ("You asked, we did") through HTTP: which kept promises fall in a period of
// local dates (a New York workspace, so the day boundaries are not UTC's), what each line says, the
// default period, bad dates, workspace scoping, and the PDF's text.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { changePromise, type PromiseCommandInput } from '../src/promises/change-promise.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import {
  buildAccount,
  buildPromise,
  buildUser,
  buildWorkspace,
  principalFor,
  tokenHeaders,
} from './support/factories.js';
import { type Json, send } from './support/http.js';
import { pdfText } from './support/pdf.js';

const D = (s: string) => new Date(s);
const NOW = D('2026-11-15T12:00:00Z');

describe(`renewal prep: "You asked, we did" (${ENGINE})`, () => {
  let db: TestDb;
  let app: FastifyInstance;
  let ws: string;
  let owner: string;
  let colleague: string;
  let account: string;
  let contact: string;
  let otherAccount: string;
  let foreignAccount: string;
  let h: Json;
  const ids: Record<string, string> = {};

  const at = (iso: string) => {
    db.clock.now = D(iso);
  };
  const get = (url: string, headers: Json = h) => send(app, { method: 'GET', url, headers });
  const keep = (note: string, o: { url?: string; restored?: boolean } = {}): PromiseCommandInput => ({
    kind: 'keep',
    proof: { kind: 'email_sent', note, ...(o.url ? { url: o.url } : {}) },
    recoveryStrength: o.restored ? 'confidence_restored' : 'task_closed',
  });

  beforeAll(async () => {
    db = await openTestDb(undefined, D('2026-05-01T00:00:00Z'));
    app = await buildServer(db.ctx);
    ({ workspaceId: ws, adminId: owner } = await buildWorkspace(db.ctx, { name: 'Acme Success' }));
    await db.database.raw(`update workspaces set time_zone = 'America/New_York' where id = $1`, [ws]);
    colleague = (await buildUser(db.ctx, { workspaceId: ws, role: 'manager' })).userId;
    await db.database.raw(`update users set name = 'Ada Keeper' where id = $1`, [colleague]);
    ({ accountId: account, contactId: contact } = await buildAccount(db.ctx, {
      workspaceId: ws,
      ownerId: owner,
    }));
    otherAccount = (await buildAccount(db.ctx, { workspaceId: ws, ownerId: owner })).accountId;
    const other = await buildWorkspace(db.ctx);
    foreignAccount = (await buildAccount(db.ctx, { workspaceId: other.workspaceId })).accountId;

    const promise = async (key: string, accountId: string, promiseMade: string, due: string) => {
      ids[key] = (
        await buildPromise(db.ctx, {
          workspaceId: ws,
          ownerId: owner,
          accountId,
          contactId: accountId === account ? contact : null,
          promiseMade,
          customerReason: `Reason for ${key}`,
          dueAt: D(due),
        })
      ).promiseId;
    };
    const change = async (actor: string, key: string, command: PromiseCommandInput) =>
      changePromise(db.ctx, {
        principal: await principalFor(db.ctx, ws, actor),
        promiseId: ids[key] as string,
        command,
      });

    at('2026-06-01T14:00:00Z');
    await promise('onTime', account, 'Walk Maya through the regional export filter', '2026-06-20T16:00:00Z');
    await promise('late', account, 'Fix the invoice address', '2026-07-10T16:00:00Z');
    await promise('broken', account, 'Ship SSO by July', '2026-07-31T16:00:00Z');
    await promise('open', account, 'Quarterly roadmap call', '2026-12-01T16:00:00Z');
    await promise('edge', account, 'Send the audit log export', '2026-09-05T16:00:00Z');
    await promise('elsewhere', otherAccount, 'Another customer’s promise', '2026-06-20T16:00:00Z');

    at('2026-06-15T13:00:00Z');
    await change(owner, 'onTime', keep('Recorded a walkthrough video', { url: 'https://example.test/v/1' }));
    at('2026-07-15T13:00:00Z');
    await change(
      colleague,
      'late',
      keep('Corrected the address and re-sent invoice 1042', { restored: true }),
    );
    at('2026-07-20T13:00:00Z');
    await change(owner, 'broken', { kind: 'break', reason: 'Vendor slipped' });
    // 03:00 UTC on 1 September is 23:00 on 31 August in New York: in August, locally.
    at('2026-09-01T03:00:00Z');
    await change(owner, 'edge', keep('Exported and shared the audit log'));
    at('2026-06-16T13:00:00Z');
    await change(owner, 'elsewhere', keep('Done elsewhere'));

    at(NOW.toISOString());
    h = await tokenHeaders(db.ctx, ws, owner, 'read');
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('defaults to the last 12 months and lists the kept promises oldest first, with what was asked and done', async () => {
    const res = await get(`/api/v1/accounts/${account}/renewal-prep`);
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json_;
    // Today in New York is 2026-11-15; a year before is 2025-11-15.
    expect(r.from).toBe('2025-11-15');
    expect(r.to).toBe('2026-11-15');
    expect(r.zone).toBe('America/New_York');
    expect(r.account).toMatchObject({ id: account });
    expect(r.items.map((i: Json) => i.promiseId)).toEqual([ids.onTime, ids.late, ids.edge]);
    // Three kept, the invoice one after its due date, one that restored confidence.
    expect(r.summary).toEqual({ kept: 3, keptOnTime: 2, keptLate: 1, confidenceRestored: 1 });
    expect(r.items[0]).toMatchObject({
      promiseMade: 'Walk Maya through the regional export filter',
      customerReason: 'Reason for onTime',
      contactId: contact,
      contactName: 'Maya Chen',
      ownerId: owner,
      askedAt: '2026-06-01T14:00:00.000Z',
      dueAt: '2026-06-20T16:00:00.000Z',
      keptAt: '2026-06-15T13:00:00.000Z',
      keptLate: false,
      keptById: owner,
      proof: { kind: 'email_sent', note: 'Recorded a walkthrough video', url: 'https://example.test/v/1' },
      recoveryStrength: 'task_closed',
    });
    expect(r.items[1]).toMatchObject({
      keptAt: '2026-07-15T13:00:00.000Z',
      keptLate: true,
      keptById: colleague,
      keptByName: 'Ada Keeper',
      proof: { kind: 'email_sent', note: 'Corrected the address and re-sent invoice 1042', url: null },
      recoveryStrength: 'confidence_restored',
    });
  });

  it('counts a promise in the local day it was kept (the workspace zone, not UTC)', async () => {
    const aug = await get(`/api/v1/accounts/${account}/renewal-prep?from=2026-06-16&to=2026-08-31`);
    expect(aug.statusCode, aug.body).toBe(200);
    expect(aug.json_.items.map((i: Json) => i.promiseId)).toEqual([ids.late, ids.edge]);
    const sep = await get(`/api/v1/accounts/${account}/renewal-prep?from=2026-09-01&to=2026-11-15`);
    expect(sep.json_.items).toEqual([]);
    expect(sep.json_.summary).toEqual({ kept: 0, keptOnTime: 0, keptLate: 0, confidenceRestored: 0 });
    // Both ends are inclusive: the one day of 15 June holds the first promise.
    const day = await get(`/api/v1/accounts/${account}/renewal-prep?from=2026-06-15&to=2026-06-15`);
    expect(day.json_.items.map((i: Json) => i.promiseId)).toEqual([ids.onTime]);
  });

  it('refuses bad dates with 400 naming the field', async () => {
    for (const [query, field] of [
      ['from=2026-02-30&to=2026-03-01', 'from'],
      ['from=yesterday', 'from'],
      // Outside the years the measures accept (it would read the account's whole history).
      ['from=0001-01-01&to=2026-01-01', 'from'],
      ['from=2026-01-01&to=2026-13-01', 'to'],
      ['from=2026-05-01&to=2026-04-30', 'to'],
      ['format=docx', 'format'],
    ] as const) {
      const res = await get(`/api/v1/accounts/${account}/renewal-prep?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json_.problems[0].field, query).toBe(field);
    }
  });

  it('answers 404 for another workspace’s account and for an unknown one', async () => {
    const foreign = await get(`/api/v1/accounts/${foreignAccount}/renewal-prep`);
    expect(foreign.statusCode).toBe(404);
    const unknown = await get('/api/v1/accounts/01890000-0000-7000-8000-000000000000/renewal-prep');
    expect(unknown.statusCode).toBe(404);
  });

  it('renders the report as a PDF with each promise, what we did and the proof', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/accounts/${account}/renewal-prep?format=pdf`,
      headers: h,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/pdf/);
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="renewal-prep-2025-11-15-to-2026-11-15.pdf"',
    );
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(res.rawPayload).replace(/\s+/g, ' ');
    expect(text).toContain('You asked, we did');
    expect(text).toContain('Walk Maya through the regional export filter');
    expect(text).toContain('Recorded a walkthrough video');
    expect(text).toContain('example.test/v/1');
    expect(text).toContain('3 promises kept, 2 on time');
    expect(text).not.toContain('Ship SSO by July');
    expect(text).not.toContain('Another customer');
    // Accept: application/pdf selects the PDF too.
    const accepted = await app.inject({
      method: 'GET',
      url: `/api/v1/accounts/${account}/renewal-prep`,
      headers: { ...h, accept: 'application/pdf' },
    });
    expect(accepted.headers['content-type']).toMatch(/^application\/pdf/);
  });
});
