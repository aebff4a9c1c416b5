import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reopenedWithin } from '../signals/escalation.js';
import type { EscalationTransition } from '../signals/signal.js';
import { npsCategory } from '../signals/surveys.js';
import {
  accountStart,
  assembleRows,
  closings,
  isMismatchConcern,
  isProactive,
  npsOf,
  periodsContaining,
  perMonth,
  withinFirstDays,
} from './customer-rules.js';
import { type Period, periodsCovering } from './period.js';

const DAY = 86_400_000;
const USER = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const PROMISE = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';

describe('periodsContaining', () => {
  const months = periodsCovering('2026-01-01', '2026-12-31', 'month', 'Europe/Paris');

  it('finds the one period of a sorted, disjoint list (start inclusive, end exclusive)', () => {
    expect(periodsContaining(months, months[2]!.start.getTime())).toEqual([2]);
    expect(periodsContaining(months, months[2]!.start.getTime() - 1)).toEqual([1]);
    expect(periodsContaining(months, months[11]!.end.getTime())).toEqual([]);
    expect(periodsContaining(months, months[0]!.start.getTime() - 1)).toEqual([]);
  });

  it('agrees with a linear scan, for request periods and for overlapping windows', () => {
    const overlapping: Period[] = [months[0]!, { ...months[0]!, key: 'again' }, months[1]!];
    fc.assert(
      fc.property(
        fc.integer({ min: months[0]!.start.getTime() - 40 * DAY, max: months[11]!.end.getTime() + 40 * DAY }),
        (t) => {
          for (const list of [months, overlapping]) {
            const linear = list.flatMap((p, i) => (p.start.getTime() <= t && t < p.end.getTime() ? [i] : []));
            expect(periodsContaining(list, t)).toEqual(linear);
          }
        },
      ),
    );
  });
});

describe('escalation closings', () => {
  const closed = (at: number): EscalationTransition => ({
    action: 'closed',
    at: new Date(at).toISOString(),
    by: USER,
    followUpPromiseId: PROMISE,
    resolution: null,
  });
  const reopened = (at: number): EscalationTransition => ({
    action: 'reopened',
    at: new Date(at).toISOString(),
    by: USER,
    reason: null,
  });

  it('a reopening exactly 60 days after the closing is within; 1 ms later is not', () => {
    expect(closings([closed(0), reopened(60 * DAY)])).toEqual([{ at: 0, reopenedWithin: true }]);
    expect(closings([closed(0), reopened(60 * DAY + 1)])).toEqual([{ at: 0, reopenedWithin: false }]);
    expect(closings([closed(0)])).toEqual([{ at: 0, reopenedWithin: false }]);
  });

  it('agrees with escalation.ts reopenedWithin on any alternating history', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 120 * DAY }), { maxLength: 8 }), (gaps) => {
        let t = Date.parse('2026-01-01T00:00:00Z');
        const history = gaps.map((g, i) => {
          t += g;
          return i % 2 === 0 ? closed(t) : reopened(t);
        });
        expect(closings(history).some((c) => c.reopenedWithin)).toBe(reopenedWithin(history));
      }),
    );
  });
});

describe('first 30 days, proactive updates, mismatch concerns', () => {
  it('an account starts at the start of its contract day in the zone, else at its creation', () => {
    const created = new Date('2026-09-15T12:00:00Z');
    expect(accountStart('2026-09-01', created, 'UTC').toISOString()).toBe('2026-09-01T00:00:00.000Z');
    expect(accountStart('2026-09-01', created, 'America/New_York').toISOString()).toBe(
      '2026-09-01T04:00:00.000Z',
    );
    expect(accountStart(null, created, 'UTC')).toBe(created);
  });

  it('the first 30 days include both ends', () => {
    const start = new Date('2026-09-01T00:00:00Z');
    expect(withinFirstDays(start, start)).toBe(true);
    expect(withinFirstDays(start, new Date(start.getTime() + 30 * DAY))).toBe(true);
    expect(withinFirstDays(start, new Date(start.getTime() + 30 * DAY + 1))).toBe(false);
    expect(withinFirstDays(start, new Date(start.getTime() - 1))).toBe(false);
  });

  it('an update is proactive when every chase came strictly after it', () => {
    const u = new Date('2026-07-05T10:00:00Z');
    expect(isProactive(u, [])).toBe(true);
    expect(isProactive(u, [new Date(u.getTime() + 1)])).toBe(true);
    expect(isProactive(u, [new Date(u.getTime())])).toBe(false);
    expect(isProactive(u, [new Date(u.getTime() + DAY), new Date(u.getTime() - 1)])).toBe(false);
  });

  it('mismatch concerns: the key itself or a more specific one', () => {
    expect(isMismatchConcern('expectation_mismatch')).toBe(true);
    expect(isMismatchConcern('expectation_mismatch_reporting')).toBe(true);
    expect(isMismatchConcern('expectation_mismatched')).toBe(false);
    expect(isMismatchConcern('exports')).toBe(false);
  });
});

describe('NPS and per month', () => {
  it('NPS is % promoters − % detractors, null without respondents', () => {
    expect(npsOf({ promoters: 0, passives: 0, detractors: 0 })).toEqual({
      respondents: 0,
      promoterPercent: null,
      detractorPercent: null,
      nps: null,
    });
    expect(npsOf({ promoters: 3, passives: 2, detractors: 2 })).toEqual({
      respondents: 7,
      promoterPercent: 42.86,
      detractorPercent: 28.57,
      nps: 14.29,
    });
  });

  it('matches the categories of surveys.ts and stays within [−100, 100]', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 50 }), (scores) => {
        const c = { promoters: 0, passives: 0, detractors: 0 };
        for (const s of scores) c[`${npsCategory(s)}s` as keyof typeof c] += 1;
        const r = npsOf(c);
        expect(r.respondents).toBe(scores.length);
        expect(r.nps).toBeGreaterThanOrEqual(-100);
        expect(r.nps).toBeLessThanOrEqual(100);
        const exact = ((c.promoters - c.detractors) / scores.length) * 100;
        expect(Math.abs((r.nps as number) - exact)).toBeLessThanOrEqual(0.005 + 1e-9);
      }),
    );
  });

  it('per month: the count in a calendar month, else scaled by 30.4375 / days', () => {
    expect(perMonth(5, 31, true)).toBe(5);
    expect(perMonth(1, 7, false)).toBe(4.35);
    expect(perMonth(9, 90, false)).toBe(3.04);
    expect(perMonth(0, 0, false)).toBeNull();
  });
});

describe('assembleRows', () => {
  const periods = periodsCovering('2026-01-01', '2026-02-28', 'month', 'UTC');
  const zero = () => ({ n: 0 });
  const cols = (v: { n: number }) => ({ n: v.n });

  it('one row per period without a dimension; a period without data gets zeros', () => {
    expect(
      assembleRows(
        periods,
        undefined,
        [{ period: 1, dimension: null, label: null, values: { n: 2 } }],
        zero,
        cols,
      ),
    ).toEqual([
      { period: '2026-01', periodStart: '2026-01-01T00:00:00.000Z', n: 0 },
      { period: '2026-02', periodStart: '2026-02-01T00:00:00.000Z', n: 2 },
    ]);
  });

  it('every period × every value seen, ordered by label; null is "(none)"; tiers always all four', () => {
    const rows = assembleRows(
      periods,
      'owner',
      [
        { period: 0, dimension: 'u2', label: 'Zoe', values: { n: 1 } },
        { period: 1, dimension: 'u1', label: 'Ann', values: { n: 3 } },
        { period: 1, dimension: null, label: null, values: { n: 4 } },
      ],
      zero,
      cols,
    );
    expect(rows.map((r) => [r.period, r.dimension, r.label, r.n])).toEqual([
      ['2026-01', null, '(none)', 0],
      ['2026-01', 'u1', 'Ann', 0],
      ['2026-01', 'u2', 'Zoe', 1],
      ['2026-02', null, '(none)', 4],
      ['2026-02', 'u1', 'Ann', 3],
      ['2026-02', 'u2', 'Zoe', 0],
    ]);
    const tiers = assembleRows(periods.slice(0, 1), 'tier', [], zero, cols);
    expect(tiers.map((r) => r.label)).toEqual(['Strategic', 'Enterprise', 'Mid-market', 'SMB']);
  });
});
