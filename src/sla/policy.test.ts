// SLA policies: matching order, the facts derived for a promise, and the recompute law — a promise
// recomputed after its calendar or policy changed is in exactly the state of one created under the
// new calendar or policy in the first place, with the same history (pauses included).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Decision,
  decide,
  decideCreate,
  evolve,
  type PromiseCommand,
  type PromiseState,
} from '../promises/promise.js';
import { type Calendar, calendar24x7, type Interval, parseCalendar } from '../time/calendar.js';
import { slaClock } from './clock.js';
import { DEFAULT_CHECKPOINTS, deriveSla, matchPolicy, type SlaPolicy } from './policy.js';
import { recomputeDecision } from './recompute-sla.js';
import { addSlaFacts } from './sla-facts.js';

function weekdays(tz: string, hours: Interval[], holidays: string[] = []): Calendar {
  return parseCalendar({
    tz,
    week: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: [], sun: [] },
    holidays,
  });
}
const NY = weekdays('America/New_York', [['09:00', '17:00']], ['2026-12-25']);

let seq = 0;
function policy(o: Partial<SlaPolicy> = {}): SlaPolicy {
  seq += 1;
  return {
    id: `0190f000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    name: `Policy ${seq}`,
    position: 0,
    isFallback: false,
    active: true,
    match: { typeKeys: [], tiers: [], priorities: [] },
    calendarId: 'cal',
    target: { kind: 'business', minutes: 240 },
    checkpoints: [...DEFAULT_CHECKPOINTS],
    escalation: { to: 'owner_manager' },
    remedySchedule: [],
    approvalLimitMinor: null,
    version: 1,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
    ...o,
  };
}

describe('matching: first match in order wins, the fallback when none does', () => {
  const urgent = policy({
    name: 'urgent support',
    position: 1,
    match: { typeKeys: ['support_resolution'], tiers: [], priorities: ['urgent'] },
  });
  const enterprise = policy({
    name: 'enterprise',
    position: 2,
    match: { typeKeys: [], tiers: ['enterprise', 'strategic'], priorities: [] },
  });
  const support = policy({
    name: 'support',
    position: 3,
    match: { typeKeys: ['support_resolution'], tiers: [], priorities: [] },
  });
  const fallback = policy({ name: 'fallback', position: 0, isFallback: true });
  const inactive = policy({ name: 'inactive', position: 0, active: false });
  const all = [fallback, support, enterprise, inactive, urgent];
  const m = (typeKey: string, tier: string, priority: string | null) =>
    matchPolicy(all, { typeKey, tier, priority })?.name;

  it.each([
    ['support_resolution', 'enterprise', 'urgent', 'urgent support'],
    ['support_resolution', 'enterprise', 'high', 'enterprise'],
    ['support_resolution', 'smb', null, 'support'],
    ['roadmap_update', 'strategic', null, 'enterprise'],
    ['roadmap_update', 'smb', 'urgent', 'fallback'],
  ])('%s / %s / %s → %s', (typeKey, tier, priority, name) => {
    expect(m(typeKey, tier, priority)).toBe(name);
  });

  it('no fallback and no match: none', () => {
    expect(
      matchPolicy([support], { typeKey: 'roadmap_update', tier: 'smb', priority: null }),
    ).toBeUndefined();
  });

  it('equal positions: the older policy first', () => {
    const a = policy({ name: 'a', position: 5 });
    const b = policy({ name: 'b', position: 5 });
    expect(matchPolicy([b, a], { typeKey: 'x', tier: 'smb', priority: null })?.name).toBe('a');
  });
});

describe('the SLA facts a policy gives a promise', () => {
  it('the issue example: 240 business minutes from Friday 16:00 EST is Monday 12:00 EDT; checkpoints in business time', () => {
    const plan = deriveSla(
      { createdAt: new Date('2026-03-06T21:00:00Z'), dueAt: new Date(0), dueFromPolicy: true },
      policy(),
      NY,
    );
    expect(plan.dueAt.toISOString()).toBe('2026-03-09T16:00:00.000Z');
    expect(plan.checkpoints).toEqual([
      // 120 minutes: Friday 16–17, Monday 9–10 (EDT).
      { percent: 50, action: 'internal_check_in', at: '2026-03-09T14:00:00.000Z' },
      { percent: 80, action: 'customer_update_required', at: '2026-03-09T15:12:00.000Z' },
    ]);
  });

  it('an explicit due date is kept; its checkpoints divide the business time up to it', () => {
    const plan = deriveSla(
      {
        createdAt: new Date('2026-03-06T21:00:00Z'),
        dueAt: new Date('2026-03-10T21:00:00Z'),
        dueFromPolicy: false,
      },
      policy(),
      NY,
    );
    // Friday 60 + Monday 480 + Tuesday 480 = 1020 business minutes; 50% = 510 = Friday's 60 and
    // Monday 9:00–16:30 (EDT, 20:30Z).
    expect(plan.dueAt.toISOString()).toBe('2026-03-10T21:00:00.000Z');
    expect(plan.checkpoints[0]!.at).toBe('2026-03-09T20:30:00.000Z');
  });

  it('calendar minutes count every minute, weekends included', () => {
    const plan = deriveSla(
      { createdAt: new Date('2026-03-06T21:00:00Z'), dueAt: new Date(0), dueFromPolicy: true },
      policy({ target: { kind: 'calendar', minutes: 24 * 60 } }),
      NY,
    );
    expect(plan.dueAt.toISOString()).toBe('2026-03-07T21:00:00.000Z');
  });
});

// ------------------------------------------------------------------------------------------------
// The recompute law

const WS = '0190f000-0000-7000-8000-000000000001';
const OWNER = '0190f000-0000-7000-8000-0000000000aa';
const IDS = { workspaceId: WS, promiseId: '0190f000-0000-7000-8000-0000000000cc' };

const CALENDARS: Calendar[] = [
  NY,
  weekdays('America/New_York', [['08:00', '18:00']], ['2026-12-24', '2026-12-25', '2027-01-01']),
  weekdays('Europe/Berlin', [
    ['08:00', '12:00'],
    ['13:00', '17:30'],
  ]),
  weekdays('Australia/Sydney', [
    ['00:00', '06:00'],
    ['22:00', '24:00'],
  ]),
  weekdays('America/Sao_Paulo', [['09:00', '18:00']], ['2026-02-16', '2026-02-17']),
  calendar24x7('Pacific/Apia'),
];

type Step = { kind: 'pause' | 'resume'; at: number };

/** A promise created at `created` under (policy, calendar), then paused and resumed at the steps. */
function history(
  created: Date,
  explicitDue: Date | null,
  p: SlaPolicy,
  cal: Calendar,
  steps: Step[],
): PromiseState {
  const plan = deriveSla(
    { createdAt: created, dueAt: explicitDue ?? created, dueFromPolicy: explicitDue === null },
    p,
    cal,
  );
  const c = decideCreate(
    {
      workspaceId: WS,
      id: IDS.promiseId,
      accountId: '0190f000-0000-7000-8000-0000000000dd',
      typeKey: 'support_resolution',
      promiseMade: 'Fix the SSO loop',
      customerReason: 'Forty users cannot log in',
      ownerId: OWNER,
      dueAt: plan.dueAt,
      slaPolicyId: p.id,
      dueFromPolicy: explicitDue === null,
      checkpoints: plan.checkpoints,
    },
    { id: OWNER, workspaceId: WS, active: true },
  );
  let s = evolve(undefined, { type: c.type, payload: c.payload, occurredAt: created, actorId: OWNER }, IDS);
  for (const step of steps) {
    const at = new Date(step.at);
    const cmd: PromiseCommand =
      step.kind === 'pause'
        ? { kind: 'pause', cause: 'customer', note: 'Waiting on their logs' }
        : { kind: 'resume' };
    const d: Decision = addSlaFacts(s, decide(s, cmd, at), p, cal, at, OWNER);
    s = evolve(s, { type: d.type, payload: d.payload, occurredAt: at, actorId: OWNER }, IDS);
  }
  return s;
}

function recompute(s: PromiseState, p: SlaPolicy, cal: Calendar, now: Date): PromiseState {
  const payload = recomputeDecision(s, p, cal, now, {
    reason: 'calendar_updated',
    calendarId: 'cal',
    calendarVersion: 2,
  });
  if (!payload) return s;
  return evolve(s, { type: 'sla_recomputed', payload, occurredAt: now, actorId: OWNER }, IDS);
}

describe('recompute law', () => {
  it('recompute(after edit) == a fresh computation under the new calendar or policy, pauses kept', () => {
    const START = Date.parse('2026-01-05T00:00:00Z');
    fc.assert(
      fc.property(
        fc.constantFrom(...CALENDARS),
        fc.constantFrom(...CALENDARS),
        fc.integer({ min: 0, max: 300 * 24 * 60 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom<'business' | 'calendar'>('business', 'calendar'),
        fc.option(fc.integer({ min: 60, max: 60 * 24 * 30 }), { nil: null }),
        fc.array(fc.integer({ min: 1, max: 4000 }), { maxLength: 5 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.constantFrom([50, 80], [25, 50, 75], [90]),
        (cal1, cal2, offset, minutes1, minutes2, kind, explicitAfter, gaps, later, percents) => {
          const created = new Date(START + offset * 60_000);
          const explicitDue =
            explicitAfter === null ? null : new Date(created.getTime() + explicitAfter * 60_000);
          // Alternate pause / resume at increasing instants (an odd count leaves it paused).
          let t = created.getTime();
          const steps: Step[] = gaps.map((g, i) => {
            t += g * 60_000;
            return { kind: i % 2 === 0 ? 'pause' : 'resume', at: t };
          });
          const now = new Date(t + later * 60_000);
          const checkpoints = percents.map((percent, i) => ({
            percent,
            action:
              i === percents.length - 1
                ? ('customer_update_required' as const)
                : ('internal_check_in' as const),
          }));
          const before = policy({ target: { kind, minutes: minutes1 } });
          const after = { ...before, target: { kind, minutes: minutes2 }, checkpoints, version: 2 };

          const edited = recompute(history(created, explicitDue, before, cal1, steps), after, cal2, now);
          const fresh = history(created, explicitDue, after, cal2, steps);
          for (const key of [
            'dueAt',
            'effectiveDueAt',
            'checkpoints',
            'pauses',
            'pausedMs',
            'dueFromPolicy',
          ] as const) {
            expect(edited[key], key).toEqual(fresh[key]);
          }
          expect(slaClock(edited, after, cal2, now)).toEqual(slaClock(fresh, after, cal2, now));
          // Recomputing again changes nothing.
          expect(
            recomputeDecision(edited, after, cal2, now, {
              reason: 'again',
              calendarId: 'cal',
              calendarVersion: 2,
            }),
          ).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });
});
