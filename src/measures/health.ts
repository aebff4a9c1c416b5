// The account health score, pure: one rule per component turns a raw fact about the account into
// a score from 0 to 100, and the workspace's weights (normalised to sum to 1) combine them. Every
// component's raw value, score, weight and contribution is kept, so the score explains itself.
import type { Temperature } from '../accounts/account.js';
import { round2 } from './measure.js';

export const HEALTH_COMPONENTS = [
  'recency',
  'frequency',
  'coreUsage',
  'tickets',
  'openPromises',
  'overduePromises',
  'temperature',
] as const;
export type HealthComponent = (typeof HEALTH_COMPONENTS)[number];

export type HealthWeights = Record<HealthComponent, number>;

/** Used until an admin sets the workspace's own weights; they sum to 100. */
export const DEFAULT_HEALTH_WEIGHTS: HealthWeights = {
  recency: 20,
  frequency: 15,
  coreUsage: 15,
  tickets: 15,
  openPromises: 5,
  overduePromises: 15,
  temperature: 15,
};

/** What each component measures and how it is scored, in words (shown with the breakdown). */
export const HEALTH_COMPONENT_RULES: Record<HealthComponent, { label: string; rule: string }> = {
  recency: {
    label: 'Product activity recency',
    rule: 'days since the last product activity: 0 days = 100, minus 100/28 per day, 0 from 28 days (or no activity ever)',
  },
  frequency: {
    label: 'Product activity frequency',
    rule: 'days with product activity in the last 30 days: 5 points per active day, 100 from 20 days',
  },
  coreUsage: {
    label: 'Core usage',
    rule: 'product activity events in the last 30 days (an event counts its `count`, else 1): 1 point each, 100 from 100 events',
  },
  tickets: {
    label: 'Tickets',
    rule: 'complaints and escalations in the last 90 days: 100 minus 25 each, 0 from 4',
  },
  openPromises: {
    label: 'Open promises',
    rule: 'open promises: 100 minus 10 each, 0 from 10',
  },
  overduePromises: {
    label: 'Overdue promises',
    rule: 'open promises past their (pause-adjusted) due date: 100 minus 25 each, 0 from 4',
  },
  temperature: {
    label: 'Relationship temperature',
    rule: 'warm 100, neutral 70, strained 35, fragile 0, never set 50',
  },
};

/** The raw facts about one account, as of "now". */
export interface HealthFacts {
  /** Whole days since the last product activity; null when there never was any. */
  daysSinceActivity: number | null;
  /** Distinct local days with product activity in the last 30 days. */
  activeDays30: number;
  /** Product activity events in the last 30 days. */
  usageEvents30: number;
  /** Complaints and escalations in the last 90 days. */
  tickets90: number;
  openPromises: number;
  overduePromises: number;
  temperature: Temperature | null;
}

const clamp = (x: number): number => Math.max(0, Math.min(100, x));
const nonNeg = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);

export const TEMPERATURE_SCORES: Record<Temperature, number> = {
  warm: 100,
  neutral: 70,
  strained: 35,
  fragile: 0,
};
export const UNKNOWN_TEMPERATURE_SCORE = 50;

/** Each component's score, 0..100, from its raw fact (rounded to 2 decimals). */
export const componentRules: {
  [K in HealthComponent]: (facts: HealthFacts) => number;
} = {
  recency: (f) =>
    f.daysSinceActivity === null ? 0 : round2(clamp(100 - (nonNeg(f.daysSinceActivity) * 100) / 28)),
  frequency: (f) => clamp(5 * nonNeg(f.activeDays30)),
  coreUsage: (f) => clamp(nonNeg(f.usageEvents30)),
  tickets: (f) => clamp(100 - 25 * nonNeg(f.tickets90)),
  openPromises: (f) => clamp(100 - 10 * nonNeg(f.openPromises)),
  overduePromises: (f) => clamp(100 - 25 * nonNeg(f.overduePromises)),
  temperature: (f) =>
    f.temperature === null ? UNKNOWN_TEMPERATURE_SCORE : TEMPERATURE_SCORES[f.temperature],
};

/** The raw value shown for a component. */
export function rawValue(facts: HealthFacts, c: HealthComponent): number | string | null {
  switch (c) {
    case 'recency':
      return facts.daysSinceActivity;
    case 'frequency':
      return facts.activeDays30;
    case 'coreUsage':
      return facts.usageEvents30;
    case 'tickets':
      return facts.tickets90;
    case 'openPromises':
      return facts.openPromises;
    case 'overduePromises':
      return facts.overduePromises;
    case 'temperature':
      return facts.temperature;
  }
}

/** Weights scaled to sum to 1 (the defaults' proportions when every weight is 0, which is refused on input). */
export function normaliseWeights(w: HealthWeights): HealthWeights {
  const total = HEALTH_COMPONENTS.reduce((s, c) => s + nonNeg(w[c]), 0);
  if (total === 0) return normaliseWeights(DEFAULT_HEALTH_WEIGHTS);
  const out = {} as HealthWeights;
  for (const c of HEALTH_COMPONENTS) out[c] = nonNeg(w[c]) / total;
  return out;
}

/** A problem with a weight set (the field and why), or null when it is usable. */
export function weightsProblem(w: HealthWeights): { field: string; message: string } | null {
  for (const c of HEALTH_COMPONENTS) {
    if (!Number.isFinite(w[c]) || w[c] < 0) return { field: c, message: 'must be a number ≥ 0' };
  }
  if (!HEALTH_COMPONENTS.some((c) => w[c] > 0)) {
    return { field: 'weights', message: 'at least one weight must be greater than 0' };
  }
  return null;
}

export interface HealthPart {
  component: HealthComponent;
  label: string;
  raw: number | string | null;
  /** The component's score, 0..100. */
  score: number;
  /** The normalised weight (the weights sum to 1). */
  weight: number;
  /** score × weight in hundredths (largest-remainder rounding): the parts sum to the account's score. */
  contribution: number;
}

export interface Health {
  score: number;
  breakdown: HealthPart[];
}

/**
 * Splits `total` (in hundredths, rounded) among parts in proportion to their exact values: each
 * part gets its floor, and the hundredths left go to the largest remainders, so the rounded parts
 * sum exactly to the rounded total.
 */
function apportion(exact: readonly number[]): number[] {
  const hundredths = exact.map((x) => x * 100);
  const target = Math.round(hundredths.reduce((s, x) => s + x, 0));
  const floors = hundredths.map((x) => Math.floor(x + 1e-9));
  let left = target - floors.reduce((s, x) => s + x, 0);
  const order = hundredths
    .map((x, i) => ({ i, rem: x - floors[i]! }))
    .sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]! += 1;
    left -= 1;
  }
  return floors.map((h) => h / 100);
}

/**
 * The score alone, with the weights already normalised: what `healthScore` answers as `score`
 * (the contributions are apportioned to sum exactly to the rounded total, so the total is all
 * that is needed to rank accounts; the breakdown is built only for the accounts shown).
 */
export function healthScoreValue(facts: HealthFacts, normalised: HealthWeights): number {
  let hundredths = 0;
  for (const c of HEALTH_COMPONENTS) hundredths += componentRules[c](facts) * normalised[c] * 100;
  return Math.round(hundredths) / 100;
}

/** The score of one account: the sum of its components' contributions, 0..100. */
export function healthScore(facts: HealthFacts, weights: HealthWeights): Health {
  const w = normaliseWeights(weights);
  const scores = HEALTH_COMPONENTS.map((c) => componentRules[c](facts));
  const contributions = apportion(HEALTH_COMPONENTS.map((c, i) => scores[i]! * w[c]));
  const breakdown = HEALTH_COMPONENTS.map(
    (c, i): HealthPart => ({
      component: c,
      label: HEALTH_COMPONENT_RULES[c].label,
      raw: rawValue(facts, c),
      score: scores[i]!,
      weight: Math.round(w[c] * 1e6) / 1e6,
      contribution: contributions[i]!,
    }),
  );
  const score = round2(contributions.reduce((s, x) => s + x, 0));
  return { score, breakdown };
}
