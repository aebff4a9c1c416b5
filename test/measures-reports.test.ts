// The impact report and the reviews through HTTP, on hand-built fixtures whose expected values are
// worked out here from the definitions; and the scheduled review digests, emailed once per
// (workspace, kind, period) through the outbox to an in-process SMTP server.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDeliveriesOnce } from '../src/delivery/worker.js';
import { buildServer } from '../src/http/server.js';
import { runReviewDigestsOnce } from '../src/measures/review-digest.js';
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
import { startSmtpServer } from './support/receivers.js';

const D = (s: string) => new Date(s);
const NOW = D('2026-11-15T12:00:00Z');

/** A small RFC 4180 reader: rows of cells, quoted cells may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries((header as string[]).map((h, i) => [h, r[i] ?? ''])));
}

/** The text drawn by an uncompressed pdfkit PDF: the hex strings of its TJ operators, decoded. */
function pdfStrings(pdf: Buffer): string {
  const s = pdf.toString('latin1');
  const lines: string[] = [];
  for (const m of s.matchAll(/\[((?:<[0-9a-f]*>\s*-?[\d.]*\s*)+)\]\s*TJ/g)) {
    const hex = [...(m[1] as string).matchAll(/<([0-9a-f]*)>/g)].map((h) => h[1]).join('');
    lines.push(Buffer.from(hex, 'hex').toString('latin1'));
  }
  return lines.join('\n');
}

describe(`reports: impact and reviews (${ENGINE})`, () => {
  let db: TestDb;
  let app: FastifyInstance;
  // Workspace 1: the impact report. Workspace 2: the reviews and their digests.
  let ws1: string;
  let admin1: string;
  let owner1: string;
  let ws2: string;
  let admin2: string;
  let manager2: string;
  let u1: string;
  let u2: string;
  let h1: { authorization: string };
  let h2: { authorization: string };
  const ids: Record<string, string> = {};

  const at = (iso: string) => {
    db.clock.now = D(iso);
  };
  const change = async (ws: string, actor: string, promiseId: string, command: PromiseCommandInput) =>
    changePromise(db.ctx, { principal: await principalFor(db.ctx, ws, actor), promiseId, command });
  const keep: PromiseCommandInput = {
    kind: 'keep',
    proof: { kind: 'email_sent', note: 'sent' },
    recoveryStrength: 'task_closed',
  };
  const brk: PromiseCommandInput = { kind: 'break', reason: 'could not' };
  /** JSON answers parsed into json_; CSV and PDF answers as they are. */
  const get = async (url: string, headers: Json) => {
    const res = await app.inject({ method: 'GET', url, headers });
    const json = /json/.test(String(res.headers['content-type'] ?? ''));
    return Object.assign(res, { json_: json ? res.json() : null });
  };
  const post = async (url: string, headers: Json, payload: Json) => {
    const res = await send(app, { method: 'POST', url, headers, payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json_;
  };

  beforeAll(async () => {
    db = await openTestDb(undefined, D('2026-05-01T00:00:00Z'));
    app = await buildServer(db.ctx);
    ({ workspaceId: ws1, adminId: admin1 } = await buildWorkspace(db.ctx, { name: 'Acme Success' }));
    ({ workspaceId: ws2, adminId: admin2 } = await buildWorkspace(db.ctx, { name: 'Beta Ops' }));
    // The database stamps created_at with its own clock; the fixture lives in 2026.
    await db.database.raw(`update workspaces set created_at = '2026-05-01T00:00:00Z' where id in ($1, $2)`, [
      ws1,
      ws2,
    ]);
    owner1 = (await buildUser(db.ctx, { workspaceId: ws1 })).userId;
    manager2 = (await buildUser(db.ctx, { workspaceId: ws2, role: 'manager' })).userId;
    await buildUser(db.ctx, { workspaceId: ws2, role: 'manager', active: false });
    u1 = (await buildUser(db.ctx, { workspaceId: ws2 })).userId;
    u2 = (await buildUser(db.ctx, { workspaceId: ws2 })).userId;
    await db.database.raw(`update users set name = 'Uma' where id = $1`, [u1]);
    await db.database.raw(`update users set name = 'Vic' where id = $1`, [u2]);

    // ── Workspace 1: promises for fulfilment (pivot 2026-09-01; before = 06-03..08-31, after = 09-01..11-15).
    const p1 = async (key: string, due: string) => {
      ids[key] = (await buildPromise(db.ctx, { workspaceId: ws1, ownerId: owner1, dueAt: D(due) })).promiseId;
    };
    at('2026-06-01T09:00:00Z');
    await p1('b1', '2026-06-20T12:00:00Z'); // kept on time (06-15)
    await p1('b2', '2026-07-10T12:00:00Z'); // kept late (07-15)
    await p1('b3', '2026-08-01T12:00:00Z'); // broken (08-02)
    await p1('b4', '2026-08-20T12:00:00Z'); // cancelled: excluded
    at('2026-08-25T09:00:00Z');
    await p1('a5', '2026-09-15T12:00:00Z'); // customer update 09-05, kept on time 09-10
    await p1('a6', '2026-10-01T12:00:00Z'); // kept on time 09-30
    await p1('a7', '2026-11-10T12:00:00Z'); // still open at now: open past due
    at('2026-06-15T09:00:00Z');
    await change(ws1, owner1, ids.b1!, keep);
    at('2026-07-15T09:00:00Z');
    await change(ws1, owner1, ids.b2!, keep);
    at('2026-08-02T09:00:00Z');
    await change(ws1, owner1, ids.b3!, brk);
    at('2026-08-05T09:00:00Z');
    await change(ws1, owner1, ids.b4!, { kind: 'cancel', reason: 'not needed' });
    at('2026-09-05T09:00:00Z');
    await change(ws1, owner1, ids.a5!, { kind: 'comment', text: 'Halfway there', audience: 'customer' });
    at('2026-09-10T09:00:00Z');
    await change(ws1, owner1, ids.a5!, keep);
    at('2026-09-30T09:00:00Z');
    await change(ws1, owner1, ids.a6!, keep);

    // ── Workspace 2: promises for the reviews (weeks: W43 10-19..10-25, W44 10-26..11-01,
    // W45 11-02..11-08, W46 11-09..11-15).
    at('2026-10-01T09:00:00Z');
    const p2 = async (key: string, owner: string, typeKey: string, due: string) => {
      ids[key] = (
        await buildPromise(db.ctx, { workspaceId: ws2, ownerId: owner, typeKey, dueAt: D(due) })
      ).promiseId;
    };
    const B = 'billing_clarification';
    const P = 'product_follow_up';
    await p2('w43p', u2, P, '2026-10-20T12:00:00Z'); // kept late 10-22
    await p2('w44b', u1, B, '2026-10-27T12:00:00Z'); // kept late 10-29
    await p2('w44p', u2, P, '2026-10-28T12:00:00Z'); // broken 10-29
    await p2('w45b1', u1, B, '2026-11-03T12:00:00Z'); // broken 11-04
    await p2('w45b2', u1, B, '2026-11-05T12:00:00Z'); // broken 11-06
    await p2('w46b1', u1, B, '2026-11-09T12:00:00Z'); // broken 11-10
    await p2('w46b2', u1, B, '2026-11-10T12:00:00Z'); // open past due
    await p2('w46b3', u1, B, '2026-11-11T12:00:00Z'); // kept late 11-12
    await p2('w46p1', u2, P, '2026-11-12T12:00:00Z'); // broken 11-13
    await p2('w46p2', u2, P, '2026-11-13T12:00:00Z'); // kept on time 11-12
    for (const [when, key, cmd, who] of [
      ['2026-10-22T09:00:00Z', 'w43p', keep, u2],
      ['2026-10-29T09:00:00Z', 'w44b', keep, u1],
      ['2026-10-29T10:00:00Z', 'w44p', brk, u2],
      ['2026-11-04T09:00:00Z', 'w45b1', brk, u1],
      ['2026-11-06T09:00:00Z', 'w45b2', brk, u1],
      ['2026-11-10T09:00:00Z', 'w46b1', brk, u1],
      ['2026-11-12T09:00:00Z', 'w46b3', keep, u1],
      ['2026-11-12T10:00:00Z', 'w46p2', keep, u2],
      ['2026-11-13T13:00:00Z', 'w46p1', brk, u2],
    ] as const) {
      at(when);
      await change(ws2, who, ids[key]!, cmd);
    }
    at('2026-11-15T09:00:00Z');
    // Open, due within 48 hours of NOW (22 h left) and within 7 days (72 h).
    await p2('soon', u1, P, '2026-11-16T10:00:00Z');
    await p2('later', u2, P, '2026-11-18T12:00:00Z');

    at(NOW.toISOString());
    h1 = await tokenHeaders(db.ctx, ws1, admin1, 'read');
    h2 = await tokenHeaders(db.ctx, ws2, admin2, 'read');

    // ── Workspace 1: complaints and escalations (recorded now, occurred in the windows).
    const w = await tokenHeaders(db.ctx, ws1, admin1);
    const A = (await buildAccount(db.ctx, { workspaceId: ws1, ownerId: owner1 })).accountId;
    const Bacc = (await buildAccount(db.ctx, { workspaceId: ws1, ownerId: owner1 })).accountId;
    const C = (await buildAccount(db.ctx, { workspaceId: ws1, ownerId: owner1 })).accountId;
    const complaint = (accountId: string, concernKey: string, occurredAt: string) =>
      post('/api/v1/signals', w, {
        kind: 'complaint',
        accountId,
        concernKey,
        concern: 'Finance cannot trust the export totals',
        occurredAt,
      });
    const escalation = (accountId: string, occurredAt: string) =>
      post('/api/v1/signals', w, {
        kind: 'escalation',
        accountId,
        politicalRisk: 'The champion defended us to the board',
        desiredReassurance: 'A named executive',
        occurredAt,
      });
    await complaint(A, 'exports', '2026-06-10T10:00:00Z');
    await complaint(A, 'exports', '2026-07-20T10:00:00Z'); // 40 days after: repeat
    await complaint(A, 'exports', '2026-08-25T10:00:00Z'); // 36 days after: repeat
    await complaint(Bacc, 'sso', '2026-07-01T10:00:00Z');
    await complaint(A, 'exports', '2026-10-09T10:00:00Z'); // exactly 45 days after 08-25: repeat
    await complaint(Bacc, 'billing', '2026-09-10T10:00:00Z');
    await complaint(Bacc, 'billing', '2026-11-01T10:00:00Z'); // 52 days after: not a repeat
    await complaint(C, 'x', '2026-10-01T10:00:00Z');
    await escalation(A, '2026-07-25T10:00:00Z'); // repeat complaint 07-20 within 45 days: told
    await escalation(Bacc, '2026-07-05T10:00:00Z'); // B's complaint 07-01 is no repeat: not told
    await escalation(A, '2026-10-10T10:00:00Z'); // repeat 10-09: told
    await escalation(A, '2026-10-20T10:00:00Z'); // repeat 10-09: told

    // ── Workspace 2: satisfaction in October.
    const w2 = await tokenHeaders(db.ctx, ws2, admin2);
    const S = (await buildAccount(db.ctx, { workspaceId: ws2, ownerId: u1 })).accountId;
    for (const score of [5, 4, 2]) {
      await post('/api/v1/signals', w2, {
        kind: 'csat',
        accountId: S,
        score,
        occurredAt: '2026-10-10T10:00:00Z',
      });
    }
    for (const score of [10, 9, 7, 3]) {
      await post('/api/v1/signals', w2, {
        kind: 'nps',
        accountId: S,
        score,
        occurredAt: '2026-10-11T10:00:00Z',
      });
    }
    // The responses opened their follow-ups (a detractor's executive response, promoters' testimonial
    // requests): cancelled here, so the hand-worked promise figures above stay as they are.
    const followUps = await db.database.raw<{ id: string }>(
      `select id from promises where workspace_id = $1 and account_id = $2 and status = 'open'`,
      [ws2, S],
    );
    expect(followUps.length).toBeGreaterThan(0);
    for (const f of followUps)
      await change(ws2, admin2, f.id, { kind: 'cancel', reason: 'not part of the fixture' });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  describe('impact report', () => {
    it('puts the headline figures of the 90 days before and after the pivot side by side', async () => {
      const res = await get('/api/v1/reports/impact?pivot=2026-09-01', h1);
      expect(res.statusCode, res.body).toBe(200);
      const r = res.json_;
      // before = 2026-06-03 .. 2026-08-31 (28 days of June + 31 + 31 = 90);
      // after = 2026-09-01 .. 2026-11-15, cut at today: 30 + 31 + 15 = 76 days.
      expect(r.windows.before).toMatchObject({
        from: '2026-06-03',
        to: '2026-08-31',
        days: 90,
        clipped: false,
      });
      expect(r.windows.after).toMatchObject({
        from: '2026-09-01',
        to: '2026-11-15',
        days: 76,
        clipped: true,
      });
      expect(r.workspace.name).toBe('Acme Success');
      const f = Object.fromEntries(r.figures.map((x: Json) => [x.measure, x]));
      expect(r.figures.map((x: Json) => x.measure)).toEqual([
        'repeat_complaint_rate',
        'renewal_save_rate',
        'already_told_you',
        'fulfilment',
        'proactive_update_rate',
      ]);
      // Repeat complaints. Before: 06-10 (first), 07-20 (repeat), 08-25 (repeat), B 07-01 (first):
      // 2 of 4 = 50 %. After: A 10-09 (45 days to the minute after 08-25: repeat), B 09-10, B 11-01
      // (52 days later: not), C 10-01: 1 of 4 = 25 %. Change (25 − 50) / 50 = −50 %: improved.
      expect(f.repeat_complaint_rate).toMatchObject({
        before: 50,
        after: 25,
        changePercent: -50,
        improved: true,
        beforeNumerator: 2,
        beforeDenominator: 4,
        afterNumerator: 1,
        afterDenominator: 4,
        headline: true,
        better: 'lower',
      });
      // "Already told you": before 1 (A 07-25) in 90 days = 1 × 30.4375 / 90 = 0.338… → 0.34 per
      // month; after 2 (A 10-10, 10-20) in 76 days = 60.875 / 76 = 0.801 → 0.8. Change on the exact
      // rates: (2/76 − 1/90) / (1/90) = 180/76 − 1 = 1.3684… → +136.84 %, a worsening.
      expect(f.already_told_you).toMatchObject({
        before: 0.34,
        after: 0.8,
        changePercent: 136.84,
        improved: false,
        beforeNumerator: 1,
        beforeDenominator: 90,
        afterNumerator: 2,
        afterDenominator: 76,
        unit: 'per_month',
      });
      // Fulfilment. Before: b1 on time, b2 late, b3 broken, b4 cancelled (excluded): 1/3 = 33.33 %.
      // After: a5 and a6 on time, a7 open past due: 2/3 = 66.67 %. Change on exact ratios:
      // (2/3 − 1/3) / (1/3) = +100 %.
      expect(f.fulfilment).toMatchObject({
        before: 33.33,
        after: 66.67,
        changePercent: 100,
        improved: true,
        beforeDenominator: 3,
        afterDenominator: 3,
      });
      // No renewals at all: no data in either window, null — never NaN — and no change.
      expect(f.renewal_save_rate).toMatchObject({
        before: null,
        after: null,
        changePercent: null,
        improved: null,
      });
      // Proactive updates: a5's first customer update (09-05) came with no chase: 1/1 in after; none before.
      expect(f.proactive_update_rate).toMatchObject({ before: null, after: 100, changePercent: null });
      expect(r.noData).toBe(false);
      expect(res.body).not.toContain('NaN');
    });

    it('answers CSV, one line per figure', async () => {
      const res = await get('/api/v1/reports/impact?pivot=2026-09-01&format=csv', h1);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      const rows = parseCsv(res.body);
      expect(Object.keys(rows[0]!)).toEqual([
        'measure',
        'label',
        'headline',
        'unit',
        'better',
        'beforeFrom',
        'beforeTo',
        'afterFrom',
        'afterTo',
        'before',
        'after',
        'changePercent',
        'improved',
        'beforeNumerator',
        'beforeDenominator',
        'afterNumerator',
        'afterDenominator',
        'definition',
      ]);
      expect(rows.map((r) => r.measure)).toHaveLength(5);
      expect(rows[0]).toMatchObject({
        measure: 'repeat_complaint_rate',
        before: '50',
        after: '25',
        changePercent: '-50',
      });
      // Nulls are empty cells.
      expect(rows[1]).toMatchObject({
        measure: 'renewal_save_rate',
        before: '',
        after: '',
        changePercent: '',
        improved: '',
      });
    });

    it('answers a PDF with the title, workspace, windows and figures', async () => {
      const res = await get('/api/v1/reports/impact?pivot=2026-09-01&format=pdf', h1);
      expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      const pdf = res.rawPayload;
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.subarray(-6).toString('latin1')).toContain('%%EOF');
      expect(pdf.toString('latin1')).toMatch(/\/Type \/Pages/);
      expect(pdf.toString('latin1')).toMatch(/\/Count [1-9]/);
      // The text, from an uncompressed rendering of the same report.
      const { impactPdf, impactReport } = await import('../src/measures/impact-report.js');
      const report = await impactReport(db.ctx, { workspaceId: ws1, zone: 'UTC', now: NOW }, '2026-09-01');
      const text = pdfStrings(await impactPdf(report, { compress: false }));
      for (const s of [
        'Impact report',
        'Workspace: Acme Success',
        'Before: 2026-06-03 to 2026-08-31 (90 days)',
        'After: 2026-09-01 to 2026-11-15 (76 days, cut at today)',
        'Repeat complaint rate (45 days) *',
        '50%',
        '-50%',
        '2 of 4',
        'Generated at 2026-11-15',
      ]) {
        expect(text).toContain(s);
      }
    });

    it('refuses a pivot in the future (422), a malformed, impossible, out-of-range or missing one (400), naming pivot', async () => {
      for (const q of ['pivot=2026-11-16', 'pivot=2026-02-30', 'pivot=0000-01-01', 'pivot=tomorrow', '']) {
        const res = await get(`/api/v1/reports/impact?${q}`, h1);
        expect(res.statusCode, q).toBe(q === 'pivot=2026-11-16' ? 422 : 400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json_.field ?? '', q).toMatch(/pivot/);
      }
      // Today is allowed: the after window is the one day so far.
      const today = await get('/api/v1/reports/impact?pivot=2026-11-15', h1);
      expect(today.statusCode).toBe(200);
      expect(today.json_.windows.after).toMatchObject({ from: '2026-11-15', to: '2026-11-15', days: 1 });
    });

    it('windows with no data answer nulls, not NaN', async () => {
      const res = await get('/api/v1/reports/impact?pivot=2025-01-01', h1);
      expect(res.statusCode).toBe(200);
      expect(res.json_.noData).toBe(true);
      for (const f of res.json_.figures) {
        expect(f.changePercent, f.measure).toBeNull();
        if (f.unit === 'percent') expect([f.before, f.after], f.measure).toEqual([null, null]);
        // Zero escalations in a window is zero per month.
        else expect([f.before, f.after]).toEqual([0, 0]);
      }
      expect(res.body).not.toContain('NaN');
      const pdf = await get('/api/v1/reports/impact?pivot=2025-01-01&format=pdf', h1);
      expect(pdf.statusCode).toBe(200);
    });
  });

  describe('reviews', () => {
    it('daily: promises due within 48 hours with their owner, and open workload per owner', async () => {
      const res = await get('/api/v1/reports/reviews/daily', h2);
      expect(res.statusCode, res.body).toBe(200);
      const r = res.json_;
      expect(r).toMatchObject({ review: 'daily', period: '2026-11-15', zone: 'UTC' });
      // Only "soon" (2026-11-16 10:00, 22 h from now); "later" is 72 h away; w46b2 is overdue.
      expect(r.sections.due.rows).toEqual([
        expect.objectContaining({ promiseId: ids.soon, ownerId: u1, ownerName: 'Uma', hoursLeft: 22 }),
      ]);
      const wl = Object.fromEntries(r.sections.workload.rows.map((x: Json) => [x.ownerId, x]));
      // Uma: w46b2 (overdue) + soon (due in 22 h, so within 7 days too). Vic: later (72 h).
      expect(wl[u1]).toMatchObject({ open: 2, overdue: 1, dueWithin48h: 1, dueWithin7d: 1, paused: 0 });
      expect(wl[u2]).toMatchObject({ open: 1, overdue: 0, dueWithin48h: 0, dueWithin7d: 1 });
      // Active users with nothing open are listed (resources); the deactivated manager is not.
      expect(wl[manager2]).toMatchObject({ open: 0 });
      expect(r.sections.workload.rows).toHaveLength(4);

      const csv = await get('/api/v1/reports/reviews/daily?format=csv&section=workload', h2);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.body.split('\n')[0]).toBe(
        'ownerId,ownerName,role,active,open,overdue,dueWithin48h,dueWithin7d,paused',
      );
      const due = await get('/api/v1/reports/reviews/daily?format=csv', h2);
      expect(due.body.split('\n')[0]).toMatch(/^promiseId,promiseMade,accountId,accountName,type,/);
    });

    it('weekly: fulfilment by type for the week and recurring delay patterns over four weeks', async () => {
      const res = await get('/api/v1/reports/reviews/weekly?date=2026-11-12', h2);
      expect(res.statusCode, res.body).toBe(200);
      const r = res.json_;
      expect(r).toMatchObject({ review: 'weekly', period: '2026-W46', from: '2026-11-09', to: '2026-11-15' });
      // W46 by type. Billing: w46b1 broken, w46b2 open past due, w46b3 late → 0 of 3.
      // Product: w46p1 broken, w46p2 on time → 1 of 2 = 50 %.
      const byType = Object.fromEntries(r.sections.fulfilment.rows.map((x: Json) => [x.dimension, x]));
      expect(byType.billing_clarification).toMatchObject({ numerator: 0, denominator: 3, percent: 0 });
      expect(byType.product_follow_up).toMatchObject({ numerator: 1, denominator: 2, percent: 50 });
      // Misses (late + broken + open past due) per week W43..W46:
      //   billing / Uma: 0, 1 (w44b late), 2 (w45b1, w45b2), 3 → growing (1 < 2 < 3), 3 weeks → recurring too.
      //   product / Vic: 1 (w43p late), 1 (w44p broken), 0, 1 (w46p1) → recurring (3 weeks), not growing.
      const p = (d: string, v: string) =>
        r.sections.patterns.rows.find((x: Json) => x.dimension === d && x.value === v);
      expect(p('type', 'billing_clarification')).toMatchObject({
        misses3WeeksBefore: 0,
        misses2WeeksBefore: 1,
        missesWeekBefore: 2,
        missesThisWeek: 3,
        weeksWithMisses: 3,
        recurring: true,
        growing: true,
      });
      expect(p('type', 'product_follow_up')).toMatchObject({
        weeksWithMisses: 3,
        recurring: true,
        growing: false,
      });
      expect(p('owner', u1)).toMatchObject({ label: 'Uma', growing: true });
      expect(p('owner', u2)).toMatchObject({ label: 'Vic', recurring: true, growing: false });
      expect(r.sections.patterns.rows).toHaveLength(4);

      const csv = await get('/api/v1/reports/reviews/weekly?date=2026-11-12&format=csv&section=patterns', h2);
      expect(csv.body.split('\n')[0]).toBe(
        'dimension,value,label,misses3WeeksBefore,misses2WeeksBefore,missesWeekBefore,missesThisWeek,weeksWithMisses,recurring,growing',
      );
      // Without a date: last week (today 2026-11-15 is in W46, so W45).
      expect((await get('/api/v1/reports/reviews/weekly', h2)).json_.period).toBe('2026-W45');
    });

    it('monthly: fulfilment, satisfaction beside it, and workload per owner', async () => {
      const res = await get('/api/v1/reports/reviews/monthly?date=2026-10-15', h2);
      expect(res.statusCode, res.body).toBe(200);
      const r = res.json_;
      expect(r).toMatchObject({ review: 'monthly', period: '2026-10', from: '2026-10-01', to: '2026-10-31' });
      // Due in October: w43p (late), w44b (late), w44p (broken): 0 of 3 on time.
      expect(r.sections.fulfilment.rows[0]).toMatchObject({ numerator: 0, denominator: 3, percent: 0 });
      // CSAT 5, 4, 2 → 2 of 3 = 66.67 %. NPS 10, 9, 7, 3 → (2 − 1) / 4 = 25.
      expect(r.sections.satisfaction.rows[0]).toMatchObject({
        fulfilmentPercent: 0,
        csatPercent: 66.67,
        csatSatisfied: 2,
        csatResponses: 3,
        nps: 25,
        npsRespondents: 4,
        promoters: 2,
        passives: 1,
        detractors: 1,
      });
      const wl = Object.fromEntries(r.sections.workload.rows.map((x: Json) => [x.ownerId, x]));
      // Uma: w44b due and kept late; open now w46b2 + soon. Vic: w43p late, w44p broken; open now: later.
      expect(wl[u1]).toMatchObject({ due: 1, kept: 1, keptLate: 1, broken: 0, openNow: 2, overdueNow: 1 });
      expect(wl[u2]).toMatchObject({
        due: 2,
        kept: 1,
        keptLate: 1,
        broken: 1,
        openNow: 1,
        fulfilmentPercent: 0,
      });
      const csv = await get(
        '/api/v1/reports/reviews/monthly?date=2026-10-15&format=csv&section=satisfaction',
        h2,
      );
      expect(csv.body.split('\n')[0]).toBe(
        'period,periodStart,fulfilmentPercent,keptOnTime,fulfilmentDenominator,csatPercent,csatSatisfied,csatResponses,nps,npsRespondents,promoters,passives,detractors',
      );
    });

    it('a month with no data answers zeros and nulls; a future date or an unknown section is a clear 4xx', async () => {
      const empty = await get('/api/v1/reports/reviews/monthly?date=2026-05-15', h2);
      expect(empty.statusCode).toBe(200);
      expect(empty.json_.sections.satisfaction.rows[0]).toMatchObject({
        fulfilmentPercent: null,
        csatPercent: null,
        nps: null,
        csatResponses: 0,
      });
      expect(empty.body).not.toContain('NaN');
      const future = await get('/api/v1/reports/reviews/weekly?date=2026-11-16', h2);
      expect(future.statusCode).toBe(422);
      expect(future.json_.field).toBe('date');
      const bad = await get('/api/v1/reports/reviews/weekly?section=nope', h2);
      expect(bad.statusCode).toBe(400);
    });
  });

  describe('review digests', () => {
    const digests = (ws: string) =>
      db.database.raw<Json>(
        `select kind, period_key, recipient_ids from review_digests where workspace_id = $1 order by kind, period_key`,
        [ws],
      );
    const mails = (ws: string) =>
      db.database.raw<Json>(
        `select key, target_id, event_type, content from deliveries where workspace_id = $1 and event_type like 'review.%' order by key`,
        [ws],
      );

    it('before Monday 08:00 nothing is due; at 08:00 the weekly review of W46 is enqueued once for managers and admins', async () => {
      expect(
        await runReviewDigestsOnce(db.ctx, { now: D('2026-11-16T07:59:59Z'), kinds: ['weekly'] }),
      ).toMatchObject({
        fired: 0,
      });
      // Two instances at once, then again: one record, one email per recipient.
      const passes = await Promise.all([
        runReviewDigestsOnce(db.ctx, { now: D('2026-11-16T08:00:05Z') }),
        runReviewDigestsOnce(db.ctx, { now: D('2026-11-16T08:00:05Z') }),
      ]);
      expect(await digests(ws2)).toEqual([
        { kind: 'weekly', period_key: '2026-W46', recipient_ids: [admin2, manager2].sort() },
      ]);
      expect(passes.reduce((n, p) => n + p.fired, 0)).toBe(2); // one per workspace
      const again = await runReviewDigestsOnce(db.ctx, { now: D('2026-11-16T09:00:00Z') });
      expect(again.fired).toBe(0);
      const m = await mails(ws2);
      expect(m.map((x: Json) => x.target_id).sort()).toEqual([admin2, manager2].sort());
      expect(m[0].key).toMatch(/^review:weekly:2026-W46:email:/);
      expect(m[0].content.title).toBe('Weekly promise review, 2026-W46 — Beta Ops');
      const text: string = m[0].content.text;
      expect(text).toContain('2026-W46: 2026-11-09 to 2026-11-15 (UTC)');
      // W46: billing 0 of 3, product 1 of 2 → 1 of 5 = 20 %.
      expect(text).toContain('Fulfilment this week: 20% (1 of 5 due kept on time)');
      expect(text).toContain('Type Billing clarification: 0, 1, 2, 3 (recurring, growing)');
      expect(text).toContain('Owner Vic: 1, 1, 0, 1 (recurring)');
      expect(text).toContain('Uma: 2 open, 1 overdue, 1 due within 48 hours');
      expect(m[0].content.html).toContain(
        '<h3>Recurring delay patterns (misses per week, oldest first)</h3>',
      );
    });

    it('a review more than 48 hours late is skipped; the monthly review goes out on the 1st and is delivered by SMTP', async () => {
      // October's review was due 2026-11-01 08:00: 48 hours and 1 second later it is stale.
      expect(
        (await runReviewDigestsOnce(db.ctx, { now: D('2026-11-03T08:00:01Z'), kinds: ['monthly'] })).fired,
      ).toBe(0);
      expect((await digests(ws2)).map((d: Json) => d.kind)).toEqual(['weekly']);
      expect(
        (await runReviewDigestsOnce(db.ctx, { now: D('2026-12-01T08:00:00Z'), kinds: ['monthly'] })).fired,
      ).toBe(2);
      expect((await digests(ws2)).map((d: Json) => `${d.kind} ${d.period_key}`)).toEqual([
        'monthly 2026-11',
        'weekly 2026-W46',
      ]);
      const monthly = (await mails(ws2)).filter((x: Json) => x.event_type === 'review.monthly');
      expect(monthly).toHaveLength(2);
      expect(monthly[0].content.title).toBe('Monthly promise review, 2026-11 — Beta Ops');

      const smtp = await startSmtpServer();
      at('2026-12-01T08:00:01Z');
      try {
        const s = await runDeliveriesOnce(db.ctx, {
          transports: { smtpUrl: smtp.url, mailFrom: 'ledger@example.test' },
        });
        expect(s.delivered).toBeGreaterThanOrEqual(4);
        const got = smtp.messages.filter((x) =>
          String(x.subject).startsWith('Monthly promise review, 2026-11 — Beta Ops'),
        );
        expect(got).toHaveLength(2);
        expect(got[0]?.text).toContain('Workload per owner');
        expect(got[0]?.html).toContain('<h2>Monthly promise review for Beta Ops</h2>');
      } finally {
        await smtp.close();
      }
    });
  });
});
