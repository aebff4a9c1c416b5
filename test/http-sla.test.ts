// SLAs through HTTP against a real database (PGlite, or Postgres with TEST_DATABASE_URL): calendars
// and policies with their bad input, due dates and checkpoints from policies, the clock on every
// promise response, pauses in business time, breaches recorded once, remedies with approval, risk,
// and the acceptance test: 50 open promises with pauses, calendar edited, every state recomputed
// and equal to a fresh computation.
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import type { EventType, JsonValue } from '../src/ledger/chain.js';
import { evolve, type PromiseState } from '../src/promises/promise.js';
import { slaClock } from '../src/sla/clock.js';
import { alwaysOpen, loadKeptHistory } from '../src/sla/promise-sla.js';
import { calendar24x7, parseCalendar } from '../src/time/calendar.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildAccount, tokenHeaders } from './support/factories.js';
import { type Json, send } from './support/http.js';
import { buildRoles, type Headers, type Roles } from './support/records.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Monday 2 March 2026, 09:00 in New York (EST, UTC-5). */
const T0 = new Date('2026-03-02T14:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MISSING = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

const week = (hours: string[][], sat: string[][] = [], sun: string[][] = []) => ({
  mon: hours,
  tue: hours,
  wed: hours,
  thu: hours,
  fri: hours,
  sat,
  sun,
});
const NY_9_17 = { tz: 'America/New_York', week: week([['09:00', '17:00']]), holidays: ['2026-12-25'] };

let db: TestDb;
let app: FastifyInstance;
let ws: Roles;
let account: { accountId: string };

beforeAll(async () => {
  db = await openTestDb(undefined, T0);
  app = await buildServer(db.ctx);
  ws = await buildRoles(db.ctx);
  account = await buildAccount(db.ctx, { workspaceId: ws.workspaceId, ownerId: ws.ids.member });
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

async function call(method: InjectOptions['method'], url: string, headers: Headers, payload?: unknown) {
  return send(app, {
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}
async function ok(
  method: InjectOptions['method'],
  url: string,
  headers: Headers,
  payload?: unknown,
  status = 200,
) {
  const res = await call(method, url, headers, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return res.json_ as Json;
}

/** Everything an SLA write could touch, to prove a refused request wrote nothing. */
async function snapshot() {
  const out: Record<string, unknown> = {};
  for (const t of ['calendars', 'sla_policies', 'promises', 'promise_events']) {
    out[t] = await db.database.raw(`select * from ${t} order by 1, 2, 3`);
  }
  return out;
}

/** A request refused with `status` and a problem naming `field` (checked exactly, or by prefix). */
async function refused(
  method: InjectOptions['method'],
  url: string,
  headers: Headers,
  payload: unknown,
  status: number,
  field: string | RegExp | null,
) {
  const before = await snapshot();
  const res = await call(method, url, headers, payload);
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  if (field instanceof RegExp) expect(res.json_.field, res.body).toMatch(field);
  else expect(res.json_.field, res.body).toBe(field);
  expect(await snapshot()).toEqual(before);
  return res.json_ as Json;
}

const promiseBody = (o: Record<string, unknown> = {}) => ({
  accountId: account.accountId,
  typeKey: 'support_resolution',
  promiseMade: 'Fix the SSO loop and confirm with Maya',
  customerReason: 'Forty users cannot log in before the board demo',
  ownerId: ws.ids.member,
  ...o,
});

describe(`calendars (${ENGINE})`, () => {
  it('every workspace has a default calendar: open 24×7 in its zone', async () => {
    const list = await ok('GET', '/api/v1/calendars', ws.as.viewer);
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({
      isDefault: true,
      weeklyMinutes: 7 * 24 * 60,
      calendar: { tz: 'UTC', week: { mon: [['00:00', '24:00']], sun: [['00:00', '24:00']] }, holidays: [] },
    });
  });

  it('an admin adds one (normalised), anyone reads it, only admins change it', async () => {
    const c = await ok(
      'POST',
      '/api/v1/calendars',
      ws.as.admin,
      {
        name: 'Support hours',
        calendar: { ...NY_9_17, holidays: ['2026-12-25', '2026-07-03', '2026-12-25'] },
      },
      201,
    );
    expect(c).toMatchObject({
      name: 'Support hours',
      isDefault: false,
      weeklyMinutes: 5 * 480,
      version: 1,
      calendar: { tz: 'America/New_York', holidays: ['2026-07-03', '2026-12-25'] },
    });
    expect(await ok('GET', `/api/v1/calendars/${c.id}`, ws.as.member)).toEqual(c);
    await refused('POST', '/api/v1/calendars', ws.as.manager, { name: 'x', calendar: NY_9_17 }, 403, null);
    await refused('PATCH', `/api/v1/calendars/${c.id}`, ws.as.member, { name: 'Mine' }, 403, null);
    const renamed = await ok('PATCH', `/api/v1/calendars/${c.id}`, ws.as.admin, { name: 'Support (NY)' });
    expect(renamed).toMatchObject({
      name: 'Support (NY)',
      version: 2,
      recomputed: { promises: 0, events: 0 },
    });
    await refused('GET', `/api/v1/calendars/${MISSING}`, ws.as.admin, undefined, 404, 'calendarId');
  });

  const bad = (o: Record<string, unknown>) => ({ name: 'Bad', calendar: { ...NY_9_17, ...o } });
  it.each([
    ['an unknown time zone', bad({ tz: 'Mars/Olympus_Mons' }), 'calendar.tz'],
    ['a UTC offset for a zone', bad({ tz: '+05:00' }), 'calendar.tz'],
    [
      'overlapping intervals',
      bad({
        week: week([
          ['09:00', '12:00'],
          ['11:00', '13:00'],
        ]),
      }),
      'calendar.week.mon.1',
    ],
    ['25:00', bad({ week: week([['09:00', '25:00']]) }), 'calendar.week.mon.0.1'],
    ['an interval ending before it starts', bad({ week: week([['17:00', '09:00']]) }), 'calendar.week.mon.0'],
    ['a holiday that is not a date', bad({ holidays: ['christmas'] }), 'calendar.holidays.0'],
    ['a holiday that does not exist', bad({ holidays: ['2026-02-30'] }), 'calendar.holidays.0'],
    [
      'a missing weekday',
      bad({ week: { ...week([['09:00', '17:00']]), sun: undefined } }),
      'calendar.week.sun',
    ],
    ['an unknown key', bad({ holiday: [] }), 'calendar.holiday'],
  ])('%s → 400 naming the field', async (_what, body, field) => {
    await refused('POST', '/api/v1/calendars', ws.as.admin, body, 400, field);
  });

  it('imports .ics holidays (all-day events; timed ones skipped, with the reason)', async () => {
    const c = await ok(
      'POST',
      '/api/v1/calendars',
      ws.as.admin,
      { name: 'Imported', calendar: NY_9_17 },
      201,
    );
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//test//EN',
      'BEGIN:VEVENT',
      'UID:a',
      'DTSTART;VALUE=DATE:20261126',
      'SUMMARY:Thanksgiving',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:b',
      'DTSTART;VALUE=DATE:20260703',
      'DTEND;VALUE=DATE:20260704',
      'SUMMARY:Independence Day (observed)',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:c',
      'DTSTART:20260704T120000Z',
      'SUMMARY:Fireworks',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const r = await ok('POST', `/api/v1/calendars/${c.id}/holidays/import`, ws.as.admin, { ics });
    expect(r.added).toEqual(['2026-07-03', '2026-11-26']);
    expect(r.calendar.holidays).toEqual(['2026-07-03', '2026-11-26', '2026-12-25']);
    expect(r.skipped).toEqual([expect.objectContaining({ summary: 'Fireworks' })]);
    expect(r.version).toBe(2);
    await refused(
      'POST',
      `/api/v1/calendars/${c.id}/holidays/import`,
      ws.as.admin,
      { ics: 'hello' },
      400,
      'ics',
    );
    await refused(
      'POST',
      `/api/v1/calendars/${c.id}/holidays/import`,
      ws.as.admin,
      { ics, from: '2026-13-01' },
      400,
      'from',
    );
  });
});

describe(`business-time arithmetic over HTTP (${ENGINE})`, () => {
  const url = '/api/v1/sla/compute';
  it('adds business minutes across a weekend and a DST change (the issue example), and measures between', async () => {
    const add = await ok('POST', url, ws.as.viewer, {
      op: 'add',
      calendar: NY_9_17,
      start: '2026-03-06T16:00:00-05:00',
      minutes: 240,
    });
    expect(add).toEqual({ result: '2026-03-09T12:00:00-04:00', minutes: 240, tz: 'America/New_York' });
    const between = await ok('POST', url, ws.as.adminRead, {
      op: 'between',
      calendar: NY_9_17,
      start: '2026-03-06T16:00:00-05:00',
      end: '2026-03-09T12:00:00-04:00',
      pauses: [['2026-03-09T09:00:00-04:00', '2026-03-09T10:00:00-04:00']],
    });
    expect(between.minutes).toBe(180);
  });

  it.each([
    [
      'a pause that ends before it starts',
      { op: 'add', minutes: 60, pauses: [['2026-03-06T12:00:00Z', '2026-03-06T11:00:00Z']] },
      'pauses[0]',
    ],
    ['an absurd duration (over 100 years)', { op: 'add', minutes: 60 * 24 * 365.25 * 101 }, 'minutes'],
    ['a negative duration', { op: 'add', minutes: -5 }, 'minutes'],
    [
      'an unknown zone',
      { op: 'add', minutes: 5, calendar: { ...NY_9_17, tz: 'Europe/Atlantis' } },
      'calendar.tz',
    ],
    [
      '25:00',
      { op: 'add', minutes: 5, calendar: { ...NY_9_17, week: week([['25:00', '26:00']]) } },
      /^calendar\.week\.mon/,
    ],
    ['a start without an offset', { op: 'add', minutes: 5, start: '2026-03-06T12:00:00' }, 'start'],
    ['no end for between', { op: 'between' }, 'end'],
    ['neither calendar nor calendarId', { op: 'add', minutes: 5, calendar: undefined }, 'calendarId'],
  ])('%s → 400 naming the field', async (_what, o, field) => {
    await refused(
      'POST',
      url,
      ws.as.member,
      { calendar: NY_9_17, start: '2026-03-06T16:00:00Z', ...o },
      400,
      field,
    );
  });
});

describe(`SLA policies (${ENGINE})`, () => {
  let nyId: string;
  beforeAll(async () => {
    nyId = (
      await ok('POST', '/api/v1/calendars', ws.as.admin, { name: 'NY policies', calendar: NY_9_17 }, 201)
    ).id;
  });

  it.each([
    ['an absurd target', { target: { kind: 'business', minutes: 60_000_000 } }, 'target.minutes'],
    ['a fractional target', { target: { kind: 'business', minutes: 1.5 } }, 'target.minutes'],
    ['an unknown target kind', { target: { kind: 'weekly', minutes: 60 } }, 'target.kind'],
    [
      'checkpoints out of order',
      {
        checkpoints: [
          { percent: 80, action: 'customer_update_required' },
          { percent: 50, action: 'internal_check_in' },
        ],
      },
      'checkpoints.1.percent',
    ],
    [
      'a checkpoint at 100%',
      { checkpoints: [{ percent: 100, action: 'internal_check_in' }] },
      'checkpoints.0.percent',
    ],
    [
      'an unknown checkpoint action',
      { checkpoints: [{ percent: 50, action: 'pray' }] },
      'checkpoints.0.action',
    ],
    [
      'a remedy schedule whose credit goes down',
      {
        remedySchedule: [
          { fromBusinessMinutesLate: 480, creditPercent: 25 },
          { fromBusinessMinutesLate: 960, creditPercent: 10 },
        ],
      },
      'remedySchedule.1.creditPercent',
    ],
    ['an unknown calendar', { calendarId: MISSING }, 'calendarId'],
    ['an unknown escalation user', { escalation: { to: 'user', userId: MISSING } }, 'escalation.userId'],
    ['a negative approval limit', { approvalLimitMinor: -1 }, 'approvalLimitMinor'],
    ['an unknown tier', { match: { tiers: ['platinum'] } }, 'match.tiers.0'],
  ])('%s → 400 naming the field', async (_what, o, field) => {
    await refused(
      'POST',
      '/api/v1/sla-policies',
      ws.as.admin,
      { name: 'Bad', calendarId: nyId, target: { kind: 'business', minutes: 240 }, ...o },
      400,
      field,
    );
  });

  it('a business target on a calendar that is never open is refused', async () => {
    const closed = await ok(
      'POST',
      '/api/v1/calendars',
      ws.as.admin,
      { name: 'Closed', calendar: { tz: 'UTC', week: week([]), holidays: [] } },
      201,
    );
    await refused(
      'POST',
      '/api/v1/sla-policies',
      ws.as.admin,
      { name: 'Never', calendarId: closed.id, target: { kind: 'business', minutes: 60 } },
      400,
      'calendarId',
    );
  });

  it('defaults: checkpoints at 50% and 80%, escalation to the owner’s manager, the default calendar, no guarantee', async () => {
    const p = await ok(
      'POST',
      '/api/v1/sla-policies',
      ws.as.admin,
      { name: 'Inactive default', active: false, target: { kind: 'calendar', minutes: 1440 } },
      201,
    );
    const defaultCalendar = (await ok('GET', '/api/v1/calendars', ws.as.admin)).data.find(
      (c: Json) => c.isDefault,
    );
    expect(p).toMatchObject({
      active: false,
      fallback: false,
      calendarId: defaultCalendar.id,
      match: { typeKeys: [], tiers: [], priorities: [] },
      checkpoints: [
        { percent: 50, action: 'internal_check_in' },
        { percent: 80, action: 'customer_update_required' },
      ],
      escalation: { to: 'owner_manager' },
      remedySchedule: [],
      approvalLimitMinor: null,
    });
    expect(await ok('GET', `/api/v1/sla-policies/${p.id}`, ws.as.viewer)).toEqual(p);
    await refused('POST', '/api/v1/sla-policies', ws.as.manager, { name: 'x', target: p.target }, 403, null);
    await ok('DELETE', `/api/v1/sla-policies/${p.id}`, ws.as.admin, undefined, 204);
  });
});

describe(`promises under SLA policies (${ENGINE})`, () => {
  let nyId: string;
  let urgent: Json;
  let standard: Json;
  const owner = () => ws.as.member;
  const create = async (o: Record<string, unknown> = {}) =>
    ok('POST', '/api/v1/promises', owner(), promiseBody(o), 201);
  const act = (id: string, action: string, payload?: unknown, headers = owner()) =>
    ok('POST', `/api/v1/promises/${id}/${action}`, headers, payload);
  const get = (id: string) => ok('GET', `/api/v1/promises/${id}`, owner());
  const keep = (id: string) =>
    act(id, 'keep', { proof: { kind: 'email_sent', note: 'Sent the fix' }, recoveryStrength: 'task_closed' });

  beforeAll(async () => {
    db.clock.now = T0;
    nyId = (
      await ok('POST', '/api/v1/calendars', ws.as.admin, { name: 'NY support', calendar: NY_9_17 }, 201)
    ).id;
    urgent = await ok(
      'POST',
      '/api/v1/sla-policies',
      ws.as.admin,
      {
        name: 'Urgent support',
        position: 0,
        match: { priorities: ['urgent'] },
        calendarId: nyId,
        target: { kind: 'business', minutes: 120 },
        // 10% from one business day late, 25% from two.
        remedySchedule: [
          { fromBusinessMinutesLate: 480, creditPercent: 10 },
          { fromBusinessMinutesLate: 960, creditPercent: 25 },
        ],
        approvalLimitMinor: 50_000,
        escalation: { to: 'user', userId: ws.ids.manager },
      },
      201,
    );
    standard = await ok(
      'POST',
      '/api/v1/sla-policies',
      ws.as.admin,
      { name: 'Standard', fallback: true, calendarId: nyId, target: { kind: 'business', minutes: 960 } },
      201,
    );
  });

  it('a second fallback policy is a conflict naming fallback', async () => {
    await refused(
      'POST',
      '/api/v1/sla-policies',
      ws.as.admin,
      { name: 'Another', fallback: true, target: { kind: 'business', minutes: 60 } },
      409,
      'fallback',
    );
  });

  it('without dueAt the policy gives the due date: its target in business time; checkpoints stored and chained', async () => {
    db.clock.now = T0;
    const p = await create();
    expect(p.slaPolicyId).toBe(standard.id);
    // 960 business minutes from Monday 09:00: Tuesday 17:00 EST.
    expect(p.dueAt).toBe('2026-03-03T22:00:00.000Z');
    expect(p.effectiveDueAt).toBe('2026-03-03T22:00:00.000Z');
    const checkpoints = [
      // 480 minutes land exactly on Monday's closing time, which is where they are.
      { percent: 50, at: '2026-03-02T22:00:00.000Z', action: 'internal_check_in', reached: false },
      { percent: 80, at: '2026-03-03T18:48:00.000Z', action: 'customer_update_required', reached: false },
    ];
    expect(p.sla).toEqual({
      policyId: standard.id,
      state: 'running',
      budgetMinutes: 960,
      minutesUsed: 0,
      minutesRemaining: 960,
      minutesOver: 0,
      dueAt: '2026-03-03T22:00:00.000Z',
      breachRecordedAt: null,
      checkpoints,
    });
    const h = await get(p.id);
    expect(h.verified).toBe(true);
    expect(h.history[0].payload).toMatchObject({
      slaPolicyId: standard.id,
      dueFromPolicy: true,
      dueAt: '2026-03-03T22:00:00.000Z',
      checkpoints: checkpoints.map(({ reached: _, ...c }) => c),
    });
    const [row] = await db.database.raw<{ checkpoints: unknown; due_from_policy: boolean }>(
      'select checkpoints, due_from_policy from promises where workspace_id = $1 and id = $2',
      [ws.workspaceId, p.id],
    );
    expect(row).toEqual({ checkpoints: checkpoints.map(({ reached: _, ...c }) => c), due_from_policy: true });

    // Later in the day the clock has run.
    db.clock.now = at(5 * HOUR);
    expect((await get(p.id)).sla).toMatchObject({
      state: 'running',
      minutesUsed: 300,
      minutesRemaining: 660,
    });
  });

  it('first match wins: priority urgent gets the urgent policy; an explicit dueAt is kept', async () => {
    db.clock.now = T0;
    const u = await create({ priority: 'urgent' });
    expect(u).toMatchObject({
      priority: 'urgent',
      slaPolicyId: urgent.id,
      dueAt: '2026-03-02T16:00:00.000Z',
    });
    const explicit = await create({ dueAt: '2026-03-06T22:00:00Z' });
    expect(explicit).toMatchObject({ slaPolicyId: standard.id, dueAt: '2026-03-06T22:00:00.000Z' });
    expect(explicit.sla).toMatchObject({ budgetMinutes: 5 * 480, dueAt: '2026-03-06T22:00:00.000Z' });
    expect((await get(explicit.id)).history[0].payload.dueFromPolicy).toBe(false);
    // Editing the priority is recorded; the policy stays the one the promise was created under.
    const edited = await act(u.id, 'edit', { changes: { priority: 'low' } });
    expect(edited).toMatchObject({ priority: 'low', slaPolicyId: urgent.id });
    expect(edited.event.payload.changes).toEqual({ priority: { from: 'urgent', to: 'low' } });
  });

  it('a pause is excluded in business time; resuming moves the due date by the business time paused', async () => {
    db.clock.now = T0;
    const p = await create();
    db.clock.now = at(7 * HOUR); // Monday 16:00
    await act(p.id, 'pause', { cause: 'customer', note: 'Waiting for their IdP logs' });
    db.clock.now = at(9 * HOUR); // Monday 18:00, after hours
    const paused = await get(p.id);
    expect(paused).toMatchObject({ paused: true, effectiveDueAt: null });
    expect(paused.sla).toMatchObject({
      state: 'paused',
      minutesUsed: 420,
      minutesRemaining: 540,
      dueAt: null,
    });
    const resumed = await act(p.id, 'resume');
    // One business hour was paused (16:00–17:00): due Wednesday 10:00 EST, not Tuesday 19:00
    // (due + two wall-clock hours).
    expect(resumed.effectiveDueAt).toBe('2026-03-04T15:00:00.000Z');
    expect(resumed.sla).toMatchObject({
      state: 'running',
      minutesUsed: 420,
      dueAt: '2026-03-04T15:00:00.000Z',
    });
    expect(resumed.event.payload.slaDueAt).toBe('2026-03-04T15:00:00.000Z');
    expect(resumed.pausedMs).toBe(2 * HOUR);
    // The overdue filter agrees with the SLA clock.
    db.clock.now = new Date('2026-03-04T14:30:00Z');
    expect((await get(p.id)).overdue).toBe(false);
    db.clock.now = new Date('2026-03-04T15:30:00Z');
    const late = await get(p.id);
    expect(late.overdue).toBe(true);
    expect(late.sla).toMatchObject({ state: 'breached', minutesOver: 30 });
  });

  it('every promise in a list carries its SLA clock and risk', async () => {
    db.clock.now = at(HOUR);
    const list = await ok('GET', '/api/v1/promises?limit=200&status=open', owner());
    expect(list.data.length).toBeGreaterThan(3);
    for (const p of list.data) {
      expect(p.sla?.policyId, p.id).toBe(p.slaPolicyId);
      expect(['running', 'paused', 'breached']).toContain(p.sla.state);
      expect(['low', 'medium', 'high']).toContain(p.risk.level);
    }
  });

  it('breaches are recorded once: an sla_breached event per promise past its deadline, none for the others', async () => {
    db.clock.now = T0;
    const late = await create({ priority: 'urgent' });
    const pausedEarly = await create({ priority: 'urgent' });
    await act(pausedEarly.id, 'pause', { cause: 'customer', note: 'Waiting' });
    db.clock.now = at(3 * HOUR); // Monday 12:00, an hour past the urgent deadline
    await refused('POST', '/api/v1/sla/breaches', ws.as.manager, undefined, 403, null);
    const first = await ok('POST', '/api/v1/sla/breaches', ws.as.admin);
    expect(first.recorded).toContain(late.id);
    expect(first.recorded).not.toContain(pausedEarly.id);
    const again = await ok('POST', '/api/v1/sla/breaches', ws.as.admin);
    expect(again.recorded).toEqual([]);
    const h = await get(late.id);
    expect(h.sla).toMatchObject({
      state: 'breached',
      minutesOver: 60,
      breachRecordedAt: '2026-03-02T16:00:00.000Z',
    });
    const breaches = h.history.filter((e: Json) => e.type === 'sla_breached');
    expect(breaches).toHaveLength(1);
    expect(breaches[0]).toMatchObject({
      actorId: ws.ids.admin,
      payload: { policyId: urgent.id, breachedAt: '2026-03-02T16:00:00.000Z', minutesOver: 60 },
    });
    expect(h.verified).toBe(true);
  });

  describe('remedies', () => {
    it('kept one business day late: 10% of a month of ARR, within the limit, issued in one step', async () => {
      db.clock.now = T0;
      const p = await create({ priority: 'urgent' });
      db.clock.now = new Date('2026-03-03T16:00:00Z'); // Tuesday 11:00: 600 business minutes used
      const kept = await keep(p.id);
      expect(kept).toMatchObject({ status: 'kept', keptLate: true });
      expect(kept.event.payload).toMatchObject({ late: true, slaMinutesOver: 480 });
      expect(kept.sla).toMatchObject({ state: 'breached', minutesOver: 480 });
      const r = await ok(
        'POST',
        `/api/v1/promises/${p.id}/remedies`,
        owner(),
        { note: 'Credit for the delay' },
        201,
      );
      expect(r.remedy).toMatchObject({
        status: 'issued',
        basis: 'kept_late',
        policyId: urgent.id,
        delayBusinessMinutes: 480,
        creditPercent: 10,
        baseAmountMinor: 333_333,
        amountMinor: 33_333,
        currency: 'USD',
        requestedBy: ws.ids.member,
      });
      expect(r.event.type).toBe('remedy_issued');
      await refused('POST', `/api/v1/promises/${p.id}/remedies`, owner(), {}, 409, 'promiseId');
      expect((await ok('GET', `/api/v1/promises/${p.id}/remedies`, ws.as.viewer)).data).toEqual([r.remedy]);
    });

    it('above the approval limit: requested, then approved by a manager (not by a member), once', async () => {
      db.clock.now = T0;
      const p = await create({ priority: 'urgent' });
      db.clock.now = new Date('2026-03-04T16:00:00Z'); // Wednesday 11:00: 960 business minutes late
      await keep(p.id);
      await refused('POST', `/api/v1/promises/${p.id}/remedies`, ws.as.member2, {}, 403, null);
      const r = await ok('POST', `/api/v1/promises/${p.id}/remedies`, owner(), undefined, 201);
      expect(r.remedy).toMatchObject({ status: 'pending_approval', creditPercent: 25, amountMinor: 83_333 });
      expect(r.event.type).toBe('remedy_requested');
      const approve = `/api/v1/promises/${p.id}/remedies/${r.remedy.id}/approve`;
      await refused('POST', approve, owner(), {}, 403, null);
      const a = await ok('POST', approve, ws.as.manager, { note: 'Approved: renewal at stake' });
      expect(a.remedy).toMatchObject({ status: 'issued', approvedBy: ws.ids.manager, amountMinor: 83_333 });
      expect(a.event).toMatchObject({ type: 'remedy_approved', actorId: ws.ids.manager });
      await refused('POST', approve, ws.as.manager, {}, 409, 'status');
      await refused(
        'POST',
        `/api/v1/promises/${p.id}/remedies/${MISSING}/approve`,
        ws.as.manager,
        {},
        404,
        'remedyId',
      );
      expect((await get(p.id)).verified).toBe(true);
    });

    it('broken: the largest credit of the schedule, on the base given', async () => {
      db.clock.now = T0;
      const p = await create({ priority: 'urgent' });
      db.clock.now = at(30 * MIN);
      await act(p.id, 'break', { reason: 'The vendor withdrew the feature' });
      const r = await ok(
        'POST',
        `/api/v1/promises/${p.id}/remedies`,
        owner(),
        { baseAmountMinor: 100_000 },
        201,
      );
      expect(r.remedy).toMatchObject({
        status: 'issued',
        basis: 'broken',
        creditPercent: 25,
        amountMinor: 25_000,
      });
    });

    it('no remedy when kept on time, still open, or without a guarantee', async () => {
      db.clock.now = T0;
      const onTime = await create({ priority: 'urgent' });
      const open = await create({ priority: 'urgent' });
      const noGuarantee = await create();
      db.clock.now = at(HOUR);
      await keep(onTime.id);
      await refused('POST', `/api/v1/promises/${onTime.id}/remedies`, owner(), {}, 409, 'status');
      await refused('POST', `/api/v1/promises/${open.id}/remedies`, owner(), {}, 409, 'status');
      db.clock.now = at(48 * HOUR);
      await keep(noGuarantee.id);
      await refused('POST', `/api/v1/promises/${noGuarantee.id}/remedies`, owner(), {}, 409, 'slaPolicyId');
      await refused('POST', `/api/v1/promises/${MISSING}/remedies`, owner(), {}, 404, 'promiseId');
    });
  });

  describe('risk', () => {
    it('indicators and the buffer against how long this workspace took to keep promises of the type', async () => {
      // Five kept training_resource promises took 10, 20, 30, 40 and 50 hours (the default
      // calendar is 24×7): the 80th percentile is 40 hours.
      const base = new Date('2026-03-09T14:00:00Z');
      db.clock.now = base;
      const made = [];
      for (let i = 0; i < 5; i++)
        made.push(await create({ typeKey: 'training_resource', dueAt: '2026-04-01T00:00:00Z' }));
      for (let i = 0; i < 5; i++) {
        db.clock.now = new Date(base.getTime() + (i + 1) * 10 * HOUR);
        await keep(made[i].id);
      }
      const now = new Date(base.getTime() + 60 * HOUR);
      db.clock.now = now;
      const iso = (h: number) => new Date(now.getTime() + h * HOUR).toISOString();
      const thin = await create({ typeKey: 'training_resource', dueAt: iso(44) });
      const roomy = await create({
        typeKey: 'training_resource',
        dueAt: iso(60),
        riskIndicators: ['customer_input_required'],
      });
      const vendor = await create({
        typeKey: 'training_resource',
        dueAt: iso(60),
        riskIndicators: ['external_vendor_dependency', 'vibes'],
      });

      const r = await ok('GET', `/api/v1/promises/${thin.id}/risk`, ws.as.viewer);
      expect(r).toMatchObject({
        promiseId: thin.id,
        level: 'high',
        buffer: { promisedMinutes: 2640, p80Minutes: 2400, sampleSize: 5, bufferPercent: 9.1 },
        reasons: [expect.objectContaining({ indicator: 'thin_buffer', level: 'high' })],
      });
      expect(thin.risk).toEqual({ level: r.level, reasons: r.reasons, buffer: r.buffer, unscored: [] });
      expect(roomy.risk).toMatchObject({
        level: 'medium',
        buffer: { bufferPercent: 33.3 },
        reasons: [
          expect.objectContaining({ indicator: 'customer_input_required', level: 'medium' }),
          expect.objectContaining({ indicator: 'adequate_buffer', level: 'low' }),
        ],
      });
      expect(vendor.risk).toMatchObject({ level: 'high', unscored: ['vibes'] });
      const list = await ok('GET', '/api/v1/promises?type=training_resource&status=open', owner());
      expect(Object.fromEntries(list.data.map((p: Json) => [p.id, p.risk.level]))).toEqual({
        [thin.id]: 'high',
        [roomy.id]: 'medium',
        [vendor.id]: 'high',
      });
      await refused('GET', `/api/v1/promises/${MISSING}/risk`, owner(), undefined, 404, 'promiseId');
    });

    it('the history measured in SQL (always-open calendar) equals the one measured interval by interval', async () => {
      // A kept promise that took 55 hours, 10 of them paused: 45 hours (2700 minutes) count, which
      // makes it the 80th percentile of the six (with the pause counted it would be 3000).
      db.clock.now = new Date('2026-03-16T14:00:00Z');
      const p = await create({ typeKey: 'training_resource', dueAt: '2026-04-01T00:00:00Z' });
      db.clock.now = new Date('2026-03-16T15:00:00Z');
      await act(p.id, 'pause', { cause: 'customer', note: 'Waiting' });
      db.clock.now = new Date('2026-03-17T01:00:00Z');
      await act(p.id, 'resume');
      db.clock.now = new Date('2026-03-18T21:00:00Z');
      await keep(p.id);
      const types = ['training_resource', 'support_resolution', 'product_follow_up'];
      const sqlSide = await loadKeptHistory(db.database.db, ws.workspaceId, types, calendar24x7('UTC'));
      // The same hours as two touching intervals a day: not recognised as always open, so measured in JS.
      const split = parseCalendar({
        tz: 'America/New_York',
        week: week(
          [
            ['00:00', '12:00'],
            ['12:00', '24:00'],
          ],
          [['00:00', '24:00']],
          [['00:00', '24:00']],
        ),
        holidays: [],
      });
      expect(alwaysOpen(split)).toBe(false);
      const jsSide = await loadKeptHistory(db.database.db, ws.workspaceId, types, split);
      expect(sqlSide.get('training_resource')).toEqual({ p80Minutes: 45 * 60, sampleSize: 6 });
      expect(sqlSide).toEqual(jsSide);
      expect(sqlSide.size).toBeGreaterThanOrEqual(2);
    });
  });

  it('changing a policy’s target moves the due dates it gave (in the ledger), not the explicit ones', async () => {
    db.clock.now = T0;
    const billing = await ok(
      'POST',
      '/api/v1/sla-policies',
      ws.as.admin,
      {
        name: 'Billing',
        position: 1,
        match: { typeKeys: ['billing_clarification'] },
        calendarId: nyId,
        target: { kind: 'business', minutes: 480 },
      },
      201,
    );
    const fromPolicy = await create({ typeKey: 'billing_clarification' });
    const explicit = await create({ typeKey: 'billing_clarification', dueAt: '2026-03-06T22:00:00Z' });
    expect(fromPolicy).toMatchObject({ slaPolicyId: billing.id, dueAt: '2026-03-02T22:00:00.000Z' });
    const renamed = await ok('PATCH', `/api/v1/sla-policies/${billing.id}`, ws.as.admin, {
      name: 'Billing questions',
    });
    expect(renamed).toMatchObject({ version: 2, recomputed: { promises: 0, events: 0 } });
    db.clock.now = at(HOUR);
    const changed = await ok('PATCH', `/api/v1/sla-policies/${billing.id}`, ws.as.admin, {
      target: { kind: 'business', minutes: 960 },
    });
    expect(changed).toMatchObject({ version: 3, recomputed: { promises: 2, events: 1 } });
    const moved = await get(fromPolicy.id);
    expect(moved).toMatchObject({
      dueAt: '2026-03-03T22:00:00.000Z',
      effectiveDueAt: '2026-03-03T22:00:00.000Z',
    });
    const last = moved.history[moved.history.length - 1];
    expect(last).toMatchObject({
      type: 'sla_recomputed',
      actorId: ws.ids.admin,
      payload: {
        reason: 'policy_updated',
        policyId: billing.id,
        policyVersion: 3,
        fromDueAt: '2026-03-02T22:00:00.000Z',
        toDueAt: '2026-03-03T22:00:00.000Z',
      },
    });
    expect(moved.verified).toBe(true);
    const kept = await get(explicit.id);
    expect(kept.dueAt).toBe('2026-03-06T22:00:00.000Z');
    expect(kept.history.map((e: Json) => e.type)).toEqual(['created']);
    // A used policy is never deleted (its promises' ledgers name it).
    await refused('DELETE', `/api/v1/sla-policies/${billing.id}`, ws.as.admin, undefined, 409, 'policyId');
    await ok('PATCH', `/api/v1/sla-policies/${billing.id}`, ws.as.admin, { active: false });
    expect((await create({ typeKey: 'billing_clarification' })).slaPolicyId).toBe(standard.id);
  });
});

// ------------------------------------------------------------------------------------------------
// Acceptance: 50 open promises with pauses; the calendar is edited; every state is recomputed and
// equal to a fresh computation (the same history in a workspace whose calendar was the edited one
// from the start, and the fold of each promise's own ledger).

describe(`acceptance: a calendar change recomputes 50 open promises exactly (${ENGINE})`, () => {
  const EDITED = {
    tz: 'America/New_York',
    week: week(
      [
        ['08:00', '12:00'],
        ['13:00', '18:00'],
      ],
      [['10:00', '14:00']],
    ),
    holidays: ['2026-03-04'],
  };
  const N = 50;
  const created = (i: number) => at(i * 23 * MIN);
  const pauseAt = (i: number) => new Date(Date.parse('2026-03-03T14:00:00Z') + i * 7 * MIN);
  const resumeAt = (i: number) => new Date(Date.parse('2026-03-03T19:00:00Z') + i * 5 * MIN);
  const NOW = new Date('2026-03-05T21:00:00Z'); // Thursday 16:00

  /** A workspace with one calendar and a fallback policy on it, and the same 50-promise history. */
  async function world(calendar: unknown) {
    const r = await buildRoles(db.ctx);
    const acc = await buildAccount(db.ctx, { workspaceId: r.workspaceId, ownerId: r.ids.member });
    const h = await tokenHeaders(db.ctx, r.workspaceId, r.ids.member);
    db.clock.now = T0;
    const cal = await ok('POST', '/api/v1/calendars', r.as.admin, { name: 'Support', calendar }, 201);
    const policy = await ok(
      'POST',
      '/api/v1/sla-policies',
      r.as.admin,
      { name: 'Standard', fallback: true, calendarId: cal.id, target: { kind: 'business', minutes: 960 } },
      201,
    );
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      db.clock.now = created(i);
      const body = {
        accountId: acc.accountId,
        typeKey: 'support_resolution',
        promiseMade: `Promise ${i}`,
        customerReason: 'They are blocked',
        ownerId: r.ids.member,
        // Every fifth has its own due date; the others get the policy's.
        ...(i % 5 === 0 ? { dueAt: new Date(created(i).getTime() + 3 * 24 * HOUR).toISOString() } : {}),
      };
      ids.push((await ok('POST', '/api/v1/promises', h, body, 201)).id);
    }
    // Half are paused on Tuesday; half of those resumed in the afternoon, the rest still paused.
    for (let i = 0; i < N; i += 2) {
      db.clock.now = pauseAt(i);
      await ok('POST', `/api/v1/promises/${ids[i]}/pause`, h, { cause: 'customer', note: `Waiting ${i}` });
    }
    for (let i = 0; i < N; i += 4) {
      db.clock.now = resumeAt(i);
      await ok('POST', `/api/v1/promises/${ids[i]}/resume`, h);
    }
    return { r, h, cal, policy, ids };
  }

  it('every open promise of the calendar is recomputed, equal to a fresh computation', async () => {
    const edited = await world(NY_9_17);
    const fresh = await world(EDITED);
    db.clock.now = NOW;

    const res = await ok('PATCH', `/api/v1/calendars/${edited.cal.id}`, edited.r.as.admin, {
      calendar: EDITED,
    });
    expect(res.recomputed.promises).toBe(N);
    // Every promise's checkpoints move (the hours changed); recomputing is recorded per promise.
    expect(res.recomputed.events).toBe(N);

    const calendar = parseCalendar(EDITED);
    const policy = {
      target: { kind: 'business' as const, minutes: 960 },
    };
    let paused = 0;
    let breached = 0;
    for (let i = 0; i < N; i++) {
      const a = await ok('GET', `/api/v1/promises/${edited.ids[i]}`, edited.h);
      const b = await ok('GET', `/api/v1/promises/${fresh.ids[i]}`, fresh.h);
      const { policyId: _a, ...slaA } = a.sla;
      const { policyId: _b, ...slaB } = b.sla;
      expect(slaA, `promise ${i}`).toEqual(slaB);
      for (const k of ['dueAt', 'effectiveDueAt', 'paused', 'pausedMs', 'status', 'overdue']) {
        expect(a[k], `promise ${i} ${k}`).toEqual(b[k]);
      }
      expect(a.verified).toBe(true);
      expect(a.history.filter((e: Json) => e.type === 'sla_recomputed')).toHaveLength(1);

      // The projection is the fold of the promise's own ledger, and its clock is slaClock's.
      let s: PromiseState | undefined;
      for (const e of a.history as {
        type: EventType;
        payload: JsonValue;
        occurredAt: string;
        actorId: string;
      }[]) {
        s = evolve(
          s,
          { type: e.type, payload: e.payload, occurredAt: new Date(e.occurredAt), actorId: e.actorId },
          { workspaceId: edited.r.workspaceId, promiseId: a.id },
        );
      }
      expect(s!.dueAt.toISOString()).toBe(a.dueAt);
      expect(s!.effectiveDueAt?.toISOString() ?? null).toBe(a.effectiveDueAt);
      const c = slaClock(s!, policy, calendar, NOW);
      expect({
        state: c.state,
        used: c.minutesUsed,
        over: c.minutesOver,
        dueAt: c.deadline?.toISOString() ?? null,
      }).toEqual({
        state: a.sla.state,
        used: a.sla.minutesUsed,
        over: a.sla.minutesOver,
        dueAt: a.sla.dueAt,
      });
      if (a.sla.state === 'paused') paused += 1;
      if (a.sla.state === 'breached') breached += 1;
    }
    // The scenario exercises the interesting cases.
    expect(paused).toBeGreaterThan(5);
    expect(breached).toBeGreaterThan(5);
  });
});
