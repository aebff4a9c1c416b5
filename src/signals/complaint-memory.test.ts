import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ComplaintFact,
  findRepeat,
  normaliseConcernKey,
  REPEAT_WINDOW_DAYS,
  repeatWindowStart,
  withinRepeatWindow,
} from './complaint-memory.js';

const DAY = 86_400_000;
const T0 = new Date('2026-11-02T09:00:00Z');
const daysBefore = (d: number, extraMs = 0) => new Date(T0.getTime() - d * DAY - extraMs);
const id = (n: number) => `0190f000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const complaint = (n: number, concernKey: string, occurredAt: Date): ComplaintFact => ({
  id: id(n),
  concernKey,
  occurredAt,
});

describe('normaliseConcernKey', () => {
  it('reduces what people type to one key', () => {
    expect(normaliseConcernKey('Reporting exports')).toBe('reporting_exports');
    expect(normaliseConcernKey('  reporting-exports!! ')).toBe('reporting_exports');
    expect(normaliseConcernKey('REPORTING__EXPORTS')).toBe('reporting_exports');
    expect(normaliseConcernKey('Données exportées')).toBe('donnees_exportees');
    expect(normaliseConcernKey('SSO / login loop')).toBe('sso_login_loop');
    expect(normaliseConcernKey('!!!')).toBe('');
    expect(normaliseConcernKey('x'.repeat(100))).toHaveLength(63);
  });

  it('is idempotent and always yields a storable key or nothing', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        const k = normaliseConcernKey(s);
        expect(normaliseConcernKey(k)).toBe(k);
        expect(k === '' || /^[a-z0-9][a-z0-9_]{0,62}$/.test(k)).toBe(true);
        expect(k.endsWith('_')).toBe(false);
      }),
    );
  });
});

describe('the 45-day repeat rule', () => {
  it('a complaint exactly 45 days after one on the same concern is a repeat', () => {
    const earlier = complaint(1, 'reporting_exports', daysBefore(45));
    expect(findRepeat({ concernKey: 'reporting_exports', occurredAt: T0 }, [earlier])).toEqual({
      repeat: true,
      repeatOfId: earlier.id,
    });
  });

  it('one millisecond past 45 days is not, nor is 46 days', () => {
    for (const earlier of [
      complaint(1, 'reporting_exports', daysBefore(45, 1)),
      complaint(2, 'reporting_exports', daysBefore(46)),
    ]) {
      expect(findRepeat({ concernKey: 'reporting_exports', occurredAt: T0 }, [earlier])).toEqual({
        repeat: false,
        repeatOfId: null,
      });
    }
  });

  it('another concern is not a repeat, nor a complaint that happened later, nor the complaint itself', () => {
    const others = [
      complaint(1, 'billing_errors', daysBefore(3)),
      complaint(2, 'reporting_exports', new Date(T0.getTime() + DAY)),
      complaint(3, 'reporting_exports', T0),
    ];
    expect(findRepeat({ id: id(3), concernKey: 'reporting_exports', occurredAt: T0 }, others).repeat).toBe(
      false,
    );
  });

  it('points at the most recent earlier complaint on the concern', () => {
    const others = [
      complaint(1, 'reporting_exports', daysBefore(40)),
      complaint(2, 'reporting_exports', daysBefore(2)),
      complaint(3, 'reporting_exports', daysBefore(20)),
    ];
    expect(findRepeat({ concernKey: 'reporting_exports', occurredAt: T0 }, others).repeatOfId).toBe(id(2));
  });

  it('the window start is 45 days back', () => {
    expect(repeatWindowStart(T0)).toEqual(daysBefore(REPEAT_WINDOW_DAYS));
    expect(withinRepeatWindow(daysBefore(0), T0)).toBe(true);
  });

  const facts = fc.array(
    fc.record({
      n: fc.integer({ min: 1, max: 10_000 }),
      concernKey: fc.constantFrom('reporting_exports', 'billing_errors', 'sso'),
      offsetMs: fc.integer({ min: -10 * DAY, max: 60 * DAY }),
    }),
    { maxLength: 20 },
  );
  const toFacts = (xs: { n: number; concernKey: string; offsetMs: number }[]) =>
    xs.map((x, i) => complaint(x.n * 100 + i, x.concernKey, new Date(T0.getTime() - x.offsetMs)));

  it('is a repeat exactly when a same-concern complaint happened 0–45 days before', () => {
    fc.assert(
      fc.property(facts, (xs) => {
        const others = toFacts(xs);
        const verdict = findRepeat({ concernKey: 'reporting_exports', occurredAt: T0 }, others);
        const expected = xs.some(
          (x) => x.concernKey === 'reporting_exports' && x.offsetMs >= 0 && x.offsetMs <= 45 * DAY,
        );
        expect(verdict.repeat).toBe(expected);
        if (verdict.repeat) {
          const hit = others.find((o) => o.id === verdict.repeatOfId)!;
          expect(hit.concernKey).toBe('reporting_exports');
          expect(withinRepeatWindow(hit.occurredAt, T0)).toBe(true);
        }
      }),
    );
  });

  it('does not depend on when it happens, nor on the order complaints are loaded in', () => {
    fc.assert(
      fc.property(facts, fc.integer({ min: -1e12, max: 1e12 }), (xs, shift) => {
        const others = toFacts(xs);
        const moved = others.map((o) => ({ ...o, occurredAt: new Date(o.occurredAt.getTime() + shift) }));
        const a = findRepeat({ concernKey: 'reporting_exports', occurredAt: T0 }, others);
        const b = findRepeat(
          { concernKey: 'reporting_exports', occurredAt: new Date(T0.getTime() + shift) },
          [...moved].reverse(),
        );
        expect(b).toEqual(a);
      }),
    );
  });
});
