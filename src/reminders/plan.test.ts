import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccountPlanInput,
  accountReminders,
  nextAccountReminder,
  nextPromiseReminder,
  type PromisePlanInput,
  promiseMilestones,
  reminderKey,
  shiftByPauses,
} from './plan.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = new Date('2026-11-02T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function promise(o: Partial<PromisePlanInput> = {}): PromisePlanInput {
  const dueAt = o.dueAt ?? at(10 * DAY);
  return {
    status: 'open',
    createdAt: T0,
    dueAt,
    effectiveDueAt: dueAt,
    checkpoints: null,
    pauses: [],
    pausedAt: null,
    ...o,
  };
}

/** Walks the sequence from the beginning with a clock that never lets anything elapse unseen. */
function walk(s: PromisePlanInput, n: number) {
  const out: { kind: string; at: number }[] = [];
  let after: Date | null = null;
  for (let i = 0; i < n; i++) {
    const r = nextPromiseReminder(s, after, after ?? new Date(0));
    if (!r) break;
    out.push({ kind: r.kind, at: r.at.getTime() - T0.getTime() });
    after = r.at;
  }
  return out;
}

describe('promise reminders', () => {
  it('default checkpoints at 50% and 80%, due, overdue an hour later, then daily', () => {
    expect(walk(promise(), 6)).toEqual([
      { kind: 'checkpoint_internal_check_in', at: 5 * DAY },
      { kind: 'checkpoint_customer_update_required', at: 8 * DAY },
      { kind: 'due', at: 10 * DAY },
      { kind: 'overdue', at: 10 * DAY + HOUR },
      { kind: 'overdue', at: 11 * DAY + HOUR },
      { kind: 'overdue', at: 12 * DAY + HOUR },
    ]);
  });

  it('uses the stored policy checkpoints, moved by the wall time paused before them', () => {
    const s = promise({
      checkpoints: [
        { percent: 25, action: 'internal_check_in', at: at(2 * DAY).toISOString() },
        { percent: 75, action: 'customer_update_required', at: at(6 * DAY).toISOString() },
      ],
      pauses: [{ start: at(3 * DAY).toISOString(), end: at(4 * DAY).toISOString() }],
      effectiveDueAt: at(11 * DAY),
    });
    expect(promiseMilestones(s).map((m) => [m.kind, m.at.getTime() - T0.getTime()])).toEqual([
      ['checkpoint_internal_check_in', 2 * DAY],
      ['checkpoint_customer_update_required', 7 * DAY],
      ['due', 11 * DAY],
    ]);
  });

  it('a pause starting after an instant that earlier pauses pushed past it still moves it', () => {
    const pauses = [
      { start: at(1 * DAY).toISOString(), end: at(3 * DAY).toISOString() },
      { start: at(5 * DAY).toISOString(), end: at(6 * DAY).toISOString() },
    ];
    // 4d + 2d (first pause) = 6d, past the second pause's start: + 1d.
    expect(shiftByPauses(at(4 * DAY).getTime(), pauses) - T0.getTime()).toBe(7 * DAY);
  });

  it('nothing for a paused or closed promise', () => {
    expect(
      nextPromiseReminder(promise({ pausedAt: at(DAY), effectiveDueAt: null }), null, at(DAY)),
    ).toBeNull();
    for (const status of ['kept', 'broken', 'cancelled'] as const) {
      expect(nextPromiseReminder(promise({ status }), null, T0)).toBeNull();
    }
  });

  it('a process down over several reminders gets only the latest of them', () => {
    const s = promise();
    const r = nextPromiseReminder(s, at(5 * DAY), at(10 * DAY + 30 * 60_000));
    expect(r?.kind).toBe('due');
    const later = nextPromiseReminder(s, null, at(13 * DAY + 2 * HOUR));
    expect(later?.kind).toBe('overdue');
    expect(later?.at.getTime()).toBe(at(13 * DAY + HOUR).getTime());
    expect(later?.detail?.overdueDay).toBe(4);
  });

  it('keys carry the instant, so a moved due date gives new keys and a retry the same one', () => {
    const a = nextPromiseReminder(promise(), null, T0)!;
    const b = nextPromiseReminder(promise({ dueAt: at(12 * DAY), effectiveDueAt: at(12 * DAY) }), null, T0)!;
    expect(reminderKey('promise', 'p1', a)).toBe(
      `promise:p1:checkpoint_internal_check_in:${at(5 * DAY).getTime()}`,
    );
    expect(reminderKey('promise', 'p1', a)).toBe(
      reminderKey('promise', 'p1', nextPromiseReminder(promise(), null, T0)!),
    );
    expect(reminderKey('promise', 'p1', b)).not.toBe(reminderKey('promise', 'p1', a));
  });

  it('a promise created already past due is overdue at once, without checkpoints', () => {
    const s = promise({ dueAt: at(-2 * DAY), effectiveDueAt: at(-2 * DAY) });
    expect(promiseMilestones(s).map((m) => m.kind)).toEqual(['due']);
    expect(nextPromiseReminder(s, null, T0)?.kind).toBe('overdue');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const arbPromise: fc.Arbitrary<PromisePlanInput> = fc
  .record({
    dueDays: fc.integer({ min: -5 * 24, max: 60 * 24 }).map((h) => h * HOUR),
    withPolicy: fc.boolean(),
    cps: fc.array(fc.record({ pct: fc.integer({ min: 1, max: 99 }), internal: fc.boolean() }), {
      maxLength: 3,
    }),
    pauses: fc.array(
      fc.record({ start: fc.integer({ min: 0, max: 40 * 24 }), len: fc.integer({ min: 1, max: 72 }) }),
      {
        maxLength: 3,
      },
    ),
    status: fc.constantFrom('open', 'open', 'open', 'kept', 'broken', 'cancelled'),
    paused: fc.boolean(),
  })
  .map(({ dueDays, withPolicy, cps, pauses, status, paused }) => {
    const sorted = [...pauses].sort((a, b) => a.start - b.start);
    const spans: { start: string; end: string | null }[] = [];
    let cursor = 0;
    let pausedMs = 0;
    for (const p of sorted) {
      const start = Math.max(cursor, p.start * HOUR);
      const end = start + p.len * HOUR;
      spans.push({ start: at(start).toISOString(), end: at(end).toISOString() });
      pausedMs += end - start;
      cursor = end;
    }
    const isPaused = paused && status === 'open';
    if (isPaused) spans.push({ start: at(cursor + HOUR).toISOString(), end: null });
    const dueAt = at(dueDays);
    return {
      status: status as PromisePlanInput['status'],
      createdAt: T0,
      dueAt,
      effectiveDueAt: isPaused ? null : at(dueDays + pausedMs),
      checkpoints: withPolicy
        ? cps.map((c) => ({
            percent: c.pct,
            action: c.internal ? 'internal_check_in' : 'customer_update_required',
            at: at(Math.round((Math.max(dueDays, 0) * c.pct) / 100)).toISOString(),
          }))
        : null,
      pauses: spans,
      pausedAt: isPaused ? at(cursor + HOUR) : null,
    };
  });

const arbInstant = fc.integer({ min: -10 * 24, max: 90 * 24 }).map((h) => at(h * HOUR + 17_000));
const arbAfter = fc.option(arbInstant, { nil: null });

describe('promise reminder properties', () => {
  it('the next reminder is always strictly after `after`', () => {
    fc.assert(
      fc.property(arbPromise, arbAfter, arbInstant, (s, after, now) => {
        const r = nextPromiseReminder(s, after, now);
        return r === null || after === null || r.at.getTime() > after.getTime();
      }),
    );
  });

  it('successive calls walk a strictly increasing sequence', () => {
    fc.assert(
      fc.property(arbPromise, arbInstant, (s, now) => {
        let after: Date | null = null;
        for (let i = 0; i < 12; i++) {
          const r = nextPromiseReminder(s, after, now);
          if (!r) return true;
          if (after && r.at.getTime() <= after.getTime()) return false;
          after = r.at;
        }
        return true;
      }),
    );
  });

  it('nothing for paused or closed promises', () => {
    fc.assert(
      fc.property(arbPromise, arbAfter, arbInstant, (s, after, now) => {
        fc.pre(s.status !== 'open' || s.pausedAt !== null);
        return nextPromiseReminder(s, after, now) === null;
      }),
    );
  });

  it('when something is already due, the answer is due too, and it is the latest due one', () => {
    fc.assert(
      fc.property(arbPromise, arbAfter, arbInstant, (s, after, now) => {
        const r = nextPromiseReminder(s, after, now);
        if (!r) return true;
        // Everything strictly after `after` up to `now`, by walking one by one with a late clock.
        const elapsed: number[] = [];
        let cursor = after;
        for (let i = 0; i < 500; i++) {
          const x = nextPromiseReminder(s, cursor, cursor ?? new Date(-8.64e15));
          if (!x || x.at.getTime() > now.getTime()) break;
          elapsed.push(x.at.getTime());
          cursor = x.at;
        }
        if (elapsed.length === 0) return r.at.getTime() > now.getTime();
        return r.at.getTime() === Math.max(...elapsed);
      }),
    );
  });

  it('without anything due, the answer is the first upcoming reminder', () => {
    fc.assert(
      fc.property(arbPromise, arbInstant, (s, after) => {
        const r = nextPromiseReminder(s, after, after);
        const milestones = promiseMilestones(s).filter((m) => m.at.getTime() > after.getTime());
        if (s.status !== 'open' || s.pausedAt) return r === null;
        if (!r) return false;
        return milestones.length === 0 || r.at.getTime() <= milestones[0]!.at.getTime();
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Accounts

function account(o: Partial<AccountPlanInput> = {}): AccountPlanInput {
  return {
    createdAt: new Date('2026-01-01T00:00:00Z'),
    renewalDate: '2026-12-31',
    lastActivityAt: new Date('2026-11-20T15:00:00Z'),
    timeZone: 'Europe/Berlin',
    inactivityDays: 14,
    ...o,
  };
}

describe('account reminders', () => {
  it('renewal preparation 30 and 7 days before, at 09:00 in the workspace zone; inactivity after the threshold', () => {
    const now = new Date('2026-11-25T00:00:00Z');
    expect(accountReminders(account(), now).map((r) => [r.kind, r.at.toISOString()])).toEqual([
      ['renewal_prep', '2026-12-01T08:00:00.000Z'],
      ['inactivity', '2026-12-04T15:00:00.000Z'],
      ['renewal_prep', '2026-12-24T08:00:00.000Z'],
    ]);
  });

  it('without activity, inactivity counts from creation; a renewal already begun is not prepared', () => {
    const now = new Date('2027-01-02T00:00:00Z');
    const r = accountReminders(
      account({ lastActivityAt: null, createdAt: new Date('2026-12-20T00:00:00Z') }),
      now,
    );
    expect(r.map((x) => [x.kind, x.at.toISOString()])).toEqual([['inactivity', '2027-01-03T00:00:00.000Z']]);
  });

  it('missed renewal and inactivity reminders are each told once (latest of each kind)', () => {
    const now = new Date('2026-12-25T00:00:00Z');
    const first = nextAccountReminder(account(), null, now)!;
    expect([first.kind, first.at.toISOString()]).toEqual(['inactivity', '2026-12-04T15:00:00.000Z']);
    const second = nextAccountReminder(account(), first.at, now)!;
    expect([second.kind, second.at.toISOString()]).toEqual(['renewal_prep', '2026-12-24T08:00:00.000Z']);
    expect(nextAccountReminder(account(), second.at, now)).toBeNull();
  });

  it('successive calls walk a strictly increasing sequence (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 800 }),
        fc.option(fc.integer({ min: 0, max: 700 }), { nil: null }),
        fc.integer({ min: 1, max: 365 }),
        fc.integer({ min: 0, max: 900 }),
        (renewalIn, activityAt, threshold, nowDay) => {
          const base = Date.parse('2026-01-01T00:00:00Z');
          const renewal = new Date(base + renewalIn * DAY).toISOString().slice(0, 10);
          const a = account({
            renewalDate: renewal,
            lastActivityAt: activityAt === null ? null : new Date(base + activityAt * DAY + 3 * HOUR),
            inactivityDays: threshold,
            timeZone: 'America/New_York',
          });
          const now = new Date(base + nowDay * DAY);
          let after: Date | null = null;
          for (let i = 0; i < 6; i++) {
            const r = nextAccountReminder(a, after, now);
            if (!r) return true;
            if (after && r.at.getTime() <= after.getTime()) return false;
            after = r.at;
          }
          return true;
        },
      ),
    );
  });
});
