import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { formatDate, parseDate } from '../time/zone.js';
import {
  delayPatterns,
  impactWindows,
  latestReviewOccurrence,
  type MissCount,
  percentChange,
  reviewDigestKey,
  reviewIsDue,
} from './report-rules.js';

const D = (s: string) => new Date(s);

describe('impact windows', () => {
  it('are the 90 local days before the pivot and the 90 from it, at local midnights', () => {
    // Pivot 2026-06-01 in Berlin (CEST, UTC+2); now long after.
    const w = impactWindows('2026-06-01', D('2026-12-01T12:00:00Z'), 'Europe/Berlin');
    // 2026-06-01 − 90 days = 2026-03-03 (March 31 + April 30 + May 31 = 92; 92 − 90 = 2 days into March → 03-03).
    expect(w.before).toMatchObject({ key: 'before', firstDay: '2026-03-03', endDay: '2026-06-01' });
    // Berlin is still CET (UTC+1) on 2026-03-03: midnight = 2026-03-02T23:00Z.
    expect(w.before.start.toISOString()).toBe('2026-03-02T23:00:00.000Z');
    expect(w.before.end.toISOString()).toBe('2026-05-31T22:00:00.000Z');
    // 2026-06-01 + 90 days = 2026-08-30 (June 30 + July 31 = 61; 90 − 61 = 29 → August 30).
    expect(w.after).toMatchObject({ key: 'after', firstDay: '2026-06-01', endDay: '2026-08-30' });
    expect(w.after.start.getTime()).toBe(w.before.end.getTime());
    expect(w).toMatchObject({ beforeDays: 90, afterDays: 90, afterClipped: false });
  });

  it('clip the after window to the end of today when the pivot is recent; a pivot of today is allowed', () => {
    // 2026-12-01T01:30Z is still 2026-11-30 in New York (UTC−5): today = 2026-11-30.
    const w = impactWindows('2026-11-01', D('2026-12-01T01:30:00Z'), 'America/New_York');
    // 2026-11-01 .. 2026-11-30 inclusive = 30 days; ends at the start of 2026-12-01 local.
    expect(w.after).toMatchObject({ firstDay: '2026-11-01', endDay: '2026-12-01' });
    expect(w.after.end.toISOString()).toBe('2026-12-01T05:00:00.000Z');
    expect(w).toMatchObject({ afterDays: 30, afterClipped: true });
    expect(impactWindows('2026-11-30', D('2026-12-01T01:30:00Z'), 'America/New_York').afterDays).toBe(1);
  });

  it('refuse a pivot in the future, an impossible date, or a very old one with a 422 naming pivot', () => {
    const now = D('2026-12-01T01:30:00Z');
    for (const bad of ['2026-12-01', '2026-02-30', 'soon', '1900-01-01']) {
      let err: unknown;
      try {
        impactWindows(bad, now, 'America/New_York');
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(AppError);
      expect((err as AppError).field, bad).toBe('pivot');
    }
    // In Tokyo it is already 2026-12-01: the same pivot is today there.
    expect(impactWindows('2026-12-01', now, 'Asia/Tokyo').afterDays).toBe(1);
  });

  it('law: two adjacent windows, before 90 days, after 1..90 days, ending no later than tomorrow', () => {
    const base = parseDate('2020-01-01') as number;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 400 }), (p, ahead) => {
        const pivot = formatDate(base + p);
        const now = new Date((base + p + ahead) * 86_400_000 + 12 * 3_600_000);
        const w = impactWindows(pivot, now, 'UTC');
        expect(w.before.endEpochDay).toBe(w.after.firstEpochDay);
        expect(w.before.endEpochDay - w.before.firstEpochDay).toBe(90);
        expect(w.afterDays).toBe(Math.min(90, ahead + 1));
        expect(w.after.end.getTime()).toBeLessThanOrEqual((base + p + ahead + 1) * 86_400_000);
      }),
    );
  });
});

describe('percent change', () => {
  it('(after − before) / before × 100, null without a base', () => {
    // Seed: escalations 22 → 9 per month: (9 − 22) / 22 = −59.09 %.
    expect(percentChange(22, 9)).toBe(-59.09);
    expect(percentChange(50, 59)).toBe(18);
    expect(percentChange(0, 5)).toBeNull();
    expect(percentChange(null, 5)).toBeNull();
    expect(percentChange(5, null)).toBeNull();
    expect(percentChange(10, 0)).toBe(-100);
  });
  it('law: never NaN or infinite', () => {
    fc.assert(
      fc.property(
        fc.option(fc.double({ noNaN: true, min: -1e6, max: 1e6 })),
        fc.option(fc.double({ noNaN: true, min: -1e6, max: 1e6 })),
        (a, b) => {
          const c = percentChange(a, b);
          expect(c === null || Number.isFinite(c)).toBe(true);
        },
      ),
    );
  });
});

describe('recurring delay patterns', () => {
  const c = (dimension: 'type' | 'owner', value: string, misses: number[]): MissCount[] =>
    misses.map((m, week) => ({ dimension, value, label: value.toUpperCase(), week, misses: m }));

  it('reports recurring (misses in ≥ 3 of 4 weeks) and growing (w−2 < w−1 < this week) groups only', () => {
    const out = delayPatterns([
      ...c('type', 'billing', [1, 0, 1, 1]), // 3 weeks with misses: recurring; 0 < 1 but 1 = 1: not growing
      ...c('type', 'roadmap', [0, 0, 1, 2]), // 2 weeks: not recurring; 0 < 1 < 2: growing
      ...c('type', 'support', [2, 2, 0, 0]), // 2 weeks, falling: neither
      ...c('type', 'training', [0, 1, 1, 0]), // neither
      ...c('owner', 'u1', [1, 1, 2, 3]), // both
      ...c('owner', 'u2', [5, 0, 0, 0]), // neither
    ]);
    expect(out.map((p) => [p.dimension, p.value, p.recurring, p.growing, p.weeksWithMisses])).toEqual([
      ['owner', 'u1', true, true, 4],
      // types: most misses in the reviewed week first (roadmap 2, billing 1).
      ['type', 'roadmap', false, true, 2],
      ['type', 'billing', true, false, 3],
    ]);
    expect(out[0]?.misses).toEqual([1, 1, 2, 3]);
  });

  it('adds up counts of one group and week, ignores weeks outside the four', () => {
    const out = delayPatterns([
      { dimension: 'type', value: 'x', label: 'X', week: 3, misses: 1 },
      { dimension: 'type', value: 'x', label: 'X', week: 3, misses: 1 },
      { dimension: 'type', value: 'x', label: 'X', week: 2, misses: 1 },
      { dimension: 'type', value: 'x', label: 'X', week: 4, misses: 9 },
    ]);
    // [0, 0, 1, 2]: growing.
    expect(out).toEqual([
      {
        dimension: 'type',
        value: 'x',
        label: 'X',
        misses: [0, 0, 1, 2],
        weeksWithMisses: 2,
        recurring: false,
        growing: true,
      },
    ]);
    expect(delayPatterns([])).toEqual([]);
  });
});

describe('review digest occurrences', () => {
  it('weekly: Monday 08:00 local reviews the ISO week before; before 08:00 it is still last week’s', () => {
    // Monday 2026-11-30 08:00 in Berlin (CET) = 07:00Z.
    const o = latestReviewOccurrence('weekly', 'Europe/Berlin', D('2026-11-30T07:00:00Z'));
    expect(o.scheduledAt.toISOString()).toBe('2026-11-30T07:00:00.000Z');
    // The week of Monday 2026-11-23 .. Sunday 2026-11-29 is ISO week 48.
    expect(o.reviewed).toMatchObject({ key: '2026-W48', firstDay: '2026-11-23', endDay: '2026-11-30' });
    const early = latestReviewOccurrence('weekly', 'Europe/Berlin', D('2026-11-30T06:59:59Z'));
    expect(early.scheduledAt.toISOString()).toBe('2026-11-23T07:00:00.000Z');
    expect(early.reviewed.key).toBe('2026-W47');
    expect(reviewDigestKey('weekly', o.reviewed.key)).toBe('review:weekly:2026-W48');
  });

  it('monthly: the 1st 08:00 local reviews the month before, across a DST change', () => {
    // 2026-11-01 08:00 in New York is EST (DST ended 2026-11-01 02:00): 13:00Z.
    const o = latestReviewOccurrence('monthly', 'America/New_York', D('2026-11-15T00:00:00Z'));
    expect(o.scheduledAt.toISOString()).toBe('2026-11-01T13:00:00.000Z');
    expect(o.reviewed).toMatchObject({ key: '2026-10', firstDay: '2026-10-01', endDay: '2026-11-01' });
    // October 1st 00:00 EDT = 04:00Z; November 1st 00:00 EDT = 04:00Z too (DST ends at 02:00).
    expect(o.reviewed.start.toISOString()).toBe('2026-10-01T04:00:00.000Z');
    expect(o.reviewed.end.toISOString()).toBe('2026-11-01T04:00:00.000Z');
    // January: reviews December of the year before.
    const jan = latestReviewOccurrence('monthly', 'UTC', D('2027-01-01T08:00:00Z'));
    expect(jan.reviewed.key).toBe('2026-12');
  });

  it('is due from its instant for 48 hours', () => {
    const o = latestReviewOccurrence('weekly', 'UTC', D('2026-11-30T08:00:00Z'));
    expect(reviewIsDue(o, D('2026-11-30T08:00:00Z'))).toBe(true);
    expect(reviewIsDue(o, D('2026-12-02T08:00:00Z'))).toBe(true);
    expect(reviewIsDue(o, D('2026-12-02T08:00:01Z'))).toBe(false);
  });
});
