import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TEMPERATURES } from '../accounts/account.js';
import {
  componentRules,
  DEFAULT_HEALTH_WEIGHTS,
  HEALTH_COMPONENTS,
  type HealthFacts,
  type HealthWeights,
  healthScore,
  healthScoreValue,
  normaliseWeights,
  weightsProblem,
} from './health.js';

const facts = fc.record<HealthFacts>({
  daysSinceActivity: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
  activeDays30: fc.integer({ min: 0, max: 30 }),
  usageEvents30: fc.integer({ min: 0, max: 5000 }),
  tickets90: fc.integer({ min: 0, max: 20 }),
  openPromises: fc.integer({ min: 0, max: 40 }),
  overduePromises: fc.integer({ min: 0, max: 40 }),
  temperature: fc.option(fc.constantFrom(...TEMPERATURES), { nil: null }),
});
const weight = fc.double({ min: 0, max: 1000, noNaN: true, noDefaultInfinity: true });
const weights = fc
  .record<HealthWeights>({
    recency: weight,
    frequency: weight,
    coreUsage: weight,
    tickets: weight,
    openPromises: weight,
    overduePromises: weight,
    temperature: weight,
  })
  .filter((w) => weightsProblem(w) === null);

const HEALTHY: HealthFacts = {
  daysSinceActivity: 0,
  activeDays30: 20,
  usageEvents30: 100,
  tickets90: 0,
  openPromises: 0,
  overduePromises: 0,
  temperature: 'warm',
};

describe('health score', () => {
  it('scores a hand-worked account', () => {
    // recency 7 days: 100 − 7·100/28 = 75; frequency 4 days: 20; usage 30 events: 30; tickets 1: 75;
    // open 2: 80; overdue 1: 75; strained: 35. Default weights /100:
    // 0.20·75 + 0.15·20 + 0.15·30 + 0.15·75 + 0.05·80 + 0.15·75 + 0.15·35
    // = 15 + 3 + 4.5 + 11.25 + 4 + 11.25 + 5.25 = 54.25
    const h = healthScore(
      {
        daysSinceActivity: 7,
        activeDays30: 4,
        usageEvents30: 30,
        tickets90: 1,
        openPromises: 2,
        overduePromises: 1,
        temperature: 'strained',
      },
      DEFAULT_HEALTH_WEIGHTS,
    );
    expect(h.score).toBe(54.25);
    expect(h.breakdown.map((p) => p.score)).toEqual([75, 20, 30, 75, 80, 75, 35]);
    expect(h.breakdown.map((p) => p.contribution)).toEqual([15, 3, 4.5, 11.25, 4, 11.25, 5.25]);
  });

  it('a perfectly healthy account scores 100, one with nothing going for it 0', () => {
    expect(healthScore(HEALTHY, DEFAULT_HEALTH_WEIGHTS).score).toBe(100);
    const none: HealthFacts = {
      daysSinceActivity: null,
      activeDays30: 0,
      usageEvents30: 0,
      tickets90: 4,
      openPromises: 10,
      overduePromises: 4,
      temperature: 'fragile',
    };
    expect(healthScore(none, DEFAULT_HEALTH_WEIGHTS).score).toBe(0);
  });

  it('the score is within 0..100 and the breakdown sums to it exactly', () => {
    fc.assert(
      fc.property(facts, weights, (f, w) => {
        const h = healthScore(f, w);
        expect(h.score).toBeGreaterThanOrEqual(0);
        expect(h.score).toBeLessThanOrEqual(100);
        const sum = Math.round(h.breakdown.reduce((s, p) => s + p.contribution * 100, 0));
        expect(sum).toBe(Math.round(h.score * 100));
        // … and it is the exact weighted sum, rounded to 2 decimals.
        const n = normaliseWeights(w);
        const exact = HEALTH_COMPONENTS.reduce((s, c) => s + componentRules[c](f) * n[c], 0);
        expect(Math.abs(h.score - exact)).toBeLessThanOrEqual(0.005 + 1e-9);
        for (const p of h.breakdown) {
          expect(p.score).toBeGreaterThanOrEqual(0);
          expect(p.score).toBeLessThanOrEqual(100);
        }
      }),
    );
  });

  it('weights are normalised: they sum to 1, and scaling them all changes nothing', () => {
    fc.assert(
      fc.property(facts, weights, fc.double({ min: 0.01, max: 100, noNaN: true }), (f, w, k) => {
        const n = normaliseWeights(w);
        expect(HEALTH_COMPONENTS.reduce((s, c) => s + n[c], 0)).toBeCloseTo(1, 9);
        const scaled = Object.fromEntries(HEALTH_COMPONENTS.map((c) => [c, w[c] * k])) as HealthWeights;
        expect(Math.abs(healthScore(f, scaled).score - healthScore(f, w).score)).toBeLessThanOrEqual(0.01);
      }),
    );
  });

  it('is monotone: a better fact never lowers the score', () => {
    const better: Record<string, (f: HealthFacts) => HealthFacts> = {
      recency: (f) => ({
        ...f,
        daysSinceActivity: f.daysSinceActivity === null ? 30 : Math.max(0, f.daysSinceActivity - 1),
      }),
      frequency: (f) => ({ ...f, activeDays30: f.activeDays30 + 1 }),
      coreUsage: (f) => ({ ...f, usageEvents30: f.usageEvents30 + 1 }),
      tickets: (f) => ({ ...f, tickets90: Math.max(0, f.tickets90 - 1) }),
      openPromises: (f) => ({ ...f, openPromises: Math.max(0, f.openPromises - 1) }),
      overduePromises: (f) => ({ ...f, overduePromises: Math.max(0, f.overduePromises - 1) }),
    };
    const order = ['fragile', 'strained', 'neutral', 'warm'] as const;
    fc.assert(
      fc.property(facts, weights, fc.constantFrom(...Object.keys(better)), (f, w, c) => {
        const g = better[c]!(f);
        expect(componentRules[c as keyof typeof componentRules](g)).toBeGreaterThanOrEqual(
          componentRules[c as keyof typeof componentRules](f),
        );
        expect(healthScore(g, w).score).toBeGreaterThanOrEqual(healthScore(f, w).score);
      }),
    );
    fc.assert(
      fc.property(facts, weights, fc.integer({ min: 0, max: 2 }), (f, w, i) => {
        const lo = healthScore({ ...f, temperature: order[i]! }, w).score;
        const hi = healthScore({ ...f, temperature: order[i + 1]! }, w).score;
        expect(hi).toBeGreaterThanOrEqual(lo);
      }),
    );
  });

  it('weights change the score: all weight on temperature gives the temperature score', () => {
    const only = {
      ...Object.fromEntries(HEALTH_COMPONENTS.map((c) => [c, 0])),
      temperature: 3,
    } as HealthWeights;
    expect(healthScore({ ...HEALTHY, temperature: 'strained' }, only).score).toBe(35);
  });

  it('refuses negative weights and all-zero weights', () => {
    expect(weightsProblem(DEFAULT_HEALTH_WEIGHTS)).toBeNull();
    expect(weightsProblem({ ...DEFAULT_HEALTH_WEIGHTS, tickets: -1 })?.field).toBe('tickets');
    const zero = Object.fromEntries(HEALTH_COMPONENTS.map((c) => [c, 0])) as HealthWeights;
    expect(weightsProblem(zero)?.field).toBe('weights');
  });
});

describe('the score alone', () => {
  it('equals the score of the full breakdown, for any facts and weights', () => {
    // Also fractional usage (event counts summed as float8) and the default weights.
    const anyFacts = fc.record<HealthFacts>({
      daysSinceActivity: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
      activeDays30: fc.integer({ min: 0, max: 30 }),
      usageEvents30: fc.oneof(
        fc.integer({ min: 0, max: 5000 }),
        fc.double({ min: 0, max: 200, noNaN: true }),
      ),
      tickets90: fc.integer({ min: 0, max: 20 }),
      openPromises: fc.integer({ min: 0, max: 40 }),
      overduePromises: fc.integer({ min: 0, max: 40 }),
      temperature: fc.option(fc.constantFrom(...TEMPERATURES), { nil: null }),
    });
    fc.assert(
      fc.property(anyFacts, fc.oneof(weights, fc.constant(DEFAULT_HEALTH_WEIGHTS)), (f, w) => {
        expect(healthScoreValue(f, normaliseWeights(w))).toBe(healthScore(f, w).score);
      }),
      { numRuns: 2000 },
    );
  });
});
