// Remedies: the schedule's steps, the broken case, rounding, the approval limit, and the law that a
// later delay never earns a smaller credit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { remedyScheduleSchema } from './policy.js';
import { computeRemedy, creditPercentFor } from './remedy.js';

// 10% for 1–2 business days late (8-hour days), 25% beyond.
const SCHEDULE = [
  { fromBusinessMinutesLate: 480, creditPercent: 10 },
  { fromBusinessMinutesLate: 960, creditPercent: 25 },
];

describe('remedy schedule', () => {
  it.each([
    [0, 0],
    [-5, 0],
    [1, 0],
    [479.99, 0],
    [480, 10],
    [959, 10],
    [960, 25],
    [100_000, 25],
  ])('%d business minutes late → %d percent', (delay, percent) => {
    expect(creditPercentFor(SCHEDULE, delay)).toBe(percent);
  });

  it('a broken promise earns the largest credit, whatever the delay', () => {
    const r = computeRemedy({
      schedule: SCHEDULE,
      basis: 'broken',
      delayMinutes: 0,
      baseAmountMinor: 100_000,
      approvalLimitMinor: null,
    });
    expect(r).toMatchObject({ creditPercent: 25, amountMinor: 25_000, needsApproval: false });
  });

  it('rounds half up to a minor unit, and needs approval only above the limit', () => {
    const at = (limit: number | null) =>
      computeRemedy({
        schedule: SCHEDULE,
        basis: 'kept_late',
        delayMinutes: 600,
        baseAmountMinor: 12_345,
        approvalLimitMinor: limit,
      });
    expect(at(null)).toMatchObject({ amountMinor: 1235, needsApproval: false });
    expect(at(1235).needsApproval).toBe(false);
    expect(at(1234).needsApproval).toBe(true);
  });

  it('the schema refuses a schedule whose credit goes down, or whose steps are out of order', () => {
    const bad = remedyScheduleSchema.safeParse([
      { fromBusinessMinutesLate: 480, creditPercent: 25 },
      { fromBusinessMinutesLate: 960, creditPercent: 10 },
    ]);
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual([1, 'creditPercent']);
    const order = remedyScheduleSchema.safeParse([
      { fromBusinessMinutesLate: 960, creditPercent: 10 },
      { fromBusinessMinutesLate: 480, creditPercent: 25 },
    ]);
    expect(order.error?.issues[0]?.path).toEqual([1, 'fromBusinessMinutesLate']);
  });

  it('law: the remedy is non-decreasing in the delay, for every valid schedule', () => {
    const schedule = fc
      .uniqueArray(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 6 })
      .chain((froms) =>
        fc
          .array(fc.integer({ min: 1, max: 100 }), { minLength: froms.length, maxLength: froms.length })
          .map((ps) => {
            const sortedFrom = [...froms].sort((a, b) => a - b);
            const sortedPct = [...ps].sort((a, b) => a - b);
            return sortedFrom.map((f, i) => ({ fromBusinessMinutesLate: f, creditPercent: sortedPct[i]! }));
          }),
      );
    fc.assert(
      fc.property(
        schedule,
        fc.double({ min: -10, max: 200_000, noNaN: true }),
        fc.double({ min: -10, max: 200_000, noNaN: true }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (s, x, y, base) => {
          expect(remedyScheduleSchema.safeParse(s).success).toBe(true);
          const [lo, hi] = x <= y ? [x, y] : [y, x];
          const a = computeRemedy({
            schedule: s,
            basis: 'kept_late',
            delayMinutes: lo,
            baseAmountMinor: base,
            approvalLimitMinor: null,
          });
          const b = computeRemedy({
            schedule: s,
            basis: 'kept_late',
            delayMinutes: hi,
            baseAmountMinor: base,
            approvalLimitMinor: null,
          });
          expect(b.creditPercent).toBeGreaterThanOrEqual(a.creditPercent);
          expect(b.amountMinor).toBeGreaterThanOrEqual(a.amountMinor);
          const broken = computeRemedy({
            schedule: s,
            basis: 'broken',
            delayMinutes: lo,
            baseAmountMinor: base,
            approvalLimitMinor: null,
          });
          expect(broken.creditPercent).toBeGreaterThanOrEqual(b.creditPercent);
        },
      ),
      { numRuns: 500 },
    );
  });
});
