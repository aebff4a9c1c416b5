import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentileOfSorted } from './measure.js';
import {
  AGE_BUCKETS,
  AGE_EDGES_DAYS,
  addOutcome,
  bandOf,
  bucketOf,
  bucketsFromCumulative,
  countAtMost,
  fulfilmentRate,
  interpolate,
  locateIndex,
  percentileIndices,
  summariseAges,
  zeroCounts,
} from './rollups.js';

describe('fulfilment counts', () => {
  it('kept on time / (on time + late + broken + open past due); paused, cancelled, not yet due excluded', () => {
    const c = zeroCounts();
    // 2 on time, 1 late, 1 broken, 1 past due → 2/5 = 40 %; the rest must not move it.
    for (const [o, n] of [
      ['kept_on_time', 2],
      ['kept_late', 1],
      ['broken', 1],
      ['open_past_due', 1],
      ['paused', 7],
      ['cancelled', 9],
      ['open_not_due', 4],
    ] as const)
      addOutcome(c, o, n);
    expect(fulfilmentRate(c)).toEqual({ numerator: 2, denominator: 5, percent: 40 });
    expect(fulfilmentRate(zeroCounts())).toEqual({ numerator: 0, denominator: 0, percent: null });
    expect(() => addOutcome(c, 'open', 1)).toThrow(/unknown/);
  });
});

describe('overdue ages from per-day counts', () => {
  it('locateIndex finds the day and offset of the i-th promise in due order', () => {
    const days = [
      { day: '2026-01-01', n: 2 },
      { day: '2026-01-03', n: 0 },
      { day: '2026-01-04', n: 3 },
    ];
    expect(locateIndex(days, 0)).toEqual({ day: '2026-01-01', offset: 0 });
    expect(locateIndex(days, 1)).toEqual({ day: '2026-01-01', offset: 1 });
    expect(locateIndex(days, 2)).toEqual({ day: '2026-01-04', offset: 0 });
    expect(locateIndex(days, 4)).toEqual({ day: '2026-01-04', offset: 2 });
    expect(locateIndex(days, 5)).toBeNull();
    expect(locateIndex(days, -1)).toBeNull();
  });

  it('bandOf: the k-th age of running ∪ frozen is the (k − below)-th of its band, placed without reading', () => {
    // Days of 1,000 ms; day d starts at d × 1000. Running promises fall in their day (the last one up
    // to now); frozen ages are anywhere, some exactly on a day-start age (ties across the boundary).
    const DAY = 1000;
    const key = (d: number) => String(d).padStart(5, '0');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: DAY - 1 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: DAY }),
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 45 * DAY }),
            fc.integer({ min: 0, max: 45 }).map((d) => -d),
          ),
          {
            maxLength: 12,
          },
        ),
        (dayNums, offsets, intoToday, frozenRaw) => {
          const sortedDays = [...dayNums].sort((a, b) => a - b);
          const today = (sortedDays[sortedDays.length - 1] ?? 0) + (sortedDays.length % 2);
          const now = today * DAY + intoToday;
          const dues: number[] = [];
          offsets.forEach((o, i) => {
            if (sortedDays.length === 0) return;
            const d = sortedDays[i % sortedDays.length]!;
            const due = d * DAY + o;
            if (due < now) dues.push(due);
          });
          const days = sortedDays
            .map((d) => ({ day: key(d), n: dues.filter((x) => Math.floor(x / DAY) === d).length }))
            .filter((d) => d.n > 0);
          const ageAtDayStart = (day: string) => now - Number(day) * DAY;
          // A negative raw value −d stands for the age exactly at the start of day d.
          const frozen = frozenRaw.map((f) => (f < 0 ? now + f * DAY : f)).sort((a, b) => a - b);
          const running = dues.map((x) => now - x).sort((a, b) => a - b);
          const union = [...running, ...frozen].sort((a, b) => a - b);
          for (let k = 0; k < union.length; k++) {
            const b = bandOf(k, days, ageAtDayStart, frozen);
            const band = [
              ...running.slice(b.runFrom, b.runFrom + b.runCount),
              ...frozen.slice(b.frozenFrom, b.frozenTo),
            ].sort((x, y) => x - y);
            expect(b.below).toBe(b.runFrom + b.frozenFrom);
            expect(k - b.below).toBeGreaterThanOrEqual(0);
            expect(band[k - b.below]).toBe(union[k]);
          }
        },
      ),
      { numRuns: 500 },
    );
    expect(countAtMost([1, 2, 2, 5], 2)).toBe(3);
    expect(countAtMost([], 2)).toBe(0);
  });

  it('percentile through due-order indices equals percentile_cont of the ages', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 1, maxLength: 60 }),
        fc.constantFrom(0, 0.5, 0.9, 1),
        (dues, p) => {
          const now = 20_000_000;
          const ascendingDues = [...dues].sort((a, b) => a - b);
          const ages = ascendingDues.map((d) => now - d).sort((a, b) => a - b);
          const ix = percentileIndices(dues.length, p)!;
          const got = interpolate(now - ascendingDues[ix.lo]!, now - ascendingDues[ix.hi]!, ix.frac);
          expect(got).toBeCloseTo(percentileOfSorted(ages, p)!, 6);
        },
      ),
    );
    expect(percentileIndices(0, 0.5)).toBeNull();
  });

  it('buckets from "at least X days" counts equal bucketing each age (lower edges inclusive)', () => {
    expect(bucketOf(0.99)).toBe('under1d');
    expect(bucketOf(1)).toBe('d1to3');
    expect(bucketOf(89.9)).toBe('d30to90');
    expect(bucketOf(90)).toBe('d90plus');
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 200, noNaN: true }), { maxLength: 50 }), (ages) => {
        const atLeast = AGE_EDGES_DAYS.map((e) => ages.filter((a) => a >= e).length);
        expect(bucketsFromCumulative(ages.length, atLeast)).toEqual(summariseAges(ages).buckets);
        const total = AGE_BUCKETS.reduce((s, b) => s + summariseAges(ages).buckets[b], 0);
        expect(total).toBe(ages.length);
      }),
    );
  });
});
