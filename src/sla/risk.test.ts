// Promise risk: the seed-004 matrix and the measured buffer.
import { describe, expect, it } from 'vitest';
import { assessRisk, MIN_HISTORY, p80Rank, percentile80, summarize } from './risk.js';

const assess = (indicators: string[], promisedMinutes: number | null = null, history: number[] = []) =>
  assessRisk({ indicators, typeKey: 'support_resolution', promisedMinutes, history: summarize(history) });

describe('percentile80 (nearest rank)', () => {
  it.each([
    [[], null],
    [[5], 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 8],
    [[10, 1, 9, 2, 8], 9],
    [[3, 3, 3], 3],
  ])('%j → %j', (values, p) => {
    expect(percentile80(values)).toBe(p);
  });

  it('the rank is ceil(4n/5), in integer arithmetic (the SQL of promise-sla.ts uses the same formula)', () => {
    expect([1, 2, 3, 4, 5, 10, 15].map(p80Rank)).toEqual([1, 2, 3, 4, 4, 8, 12]);
    for (let n = 1; n <= 1000; n++) expect(p80Rank(n)).toBe(Math.ceil((4 * n) / 5));
  });
});

describe('risk level', () => {
  it('nothing known: low, no reasons', () => {
    expect(assess([])).toEqual({ level: 'low', reasons: [], buffer: null, unscored: [] });
  });

  it('a medium indicator: medium', () => {
    const r = assess(['customer_input_required', 'several_team_members']);
    expect(r.level).toBe('medium');
    expect(r.reasons.map((x) => x.indicator)).toEqual(['customer_input_required', 'several_team_members']);
  });

  it('any high indicator: high, listed first', () => {
    const r = assess(['high_demand_season', 'external_vendor_dependency']);
    expect(r.level).toBe('high');
    expect(r.reasons[0]).toEqual({
      indicator: 'external_vendor_dependency',
      level: 'high',
      detail: 'Depends on an external vendor',
    });
  });

  it.each(['external_vendor_dependency', 'new_skill', 'full_refund_guarantee', 'unclear_scope'])(
    '%s alone is high',
    (i) => expect(assess([i]).level).toBe('high'),
  );

  it('unknown indicators are listed, not scored', () => {
    expect(assess(['moon_phase'])).toMatchObject({ level: 'low', unscored: ['moon_phase'] });
  });
});

describe('buffer against the workspace history', () => {
  const history = [60, 70, 80, 90, 100]; // p80 = 90

  it(`not measured with fewer than ${MIN_HISTORY} kept promises`, () => {
    expect(assess([], 100, [90, 90, 90, 90]).buffer).toBeNull();
  });

  it('under 20% buffer is high risk (thin_buffer), with the figures', () => {
    const r = assess([], 100, history);
    expect(r.level).toBe('high');
    expect(r.buffer).toEqual({ promisedMinutes: 100, p80Minutes: 90, sampleSize: 5, bufferPercent: 10 });
    expect(r.reasons[0]!.indicator).toBe('thin_buffer');
    expect(r.reasons[0]!.detail).toMatch(/10% buffer, under 20%/);
  });

  it('exactly 20% is enough (under 20% is the rule); more is a low-risk reason', () => {
    expect(assess([], 112.5, history).level).toBe('low');
    const r = assess([], 200, history);
    expect(r).toMatchObject({ level: 'low', buffer: { bufferPercent: 55 } });
    expect(r.reasons).toEqual([expect.objectContaining({ indicator: 'adequate_buffer', level: 'low' })]);
  });

  it('promising less than history ever took, or nothing at all, is high', () => {
    expect(assess([], 50, history).buffer?.bufferPercent).toBe(-80);
    expect(assess([], 0, history)).toMatchObject({ level: 'high', buffer: { bufferPercent: null } });
  });

  it('a medium indicator with adequate buffer stays medium', () => {
    expect(assess(['customer_input_required'], 200, history).level).toBe('medium');
  });
});
