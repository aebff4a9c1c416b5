// Promise risk, pure: the seed-004 risk matrix as indicators on a promise, plus one measured
// indicator, the buffer. See src/sla/README.md for the rule.
//
//   buffer = (promised - p80) / promised
//     promised = business minutes from creation to the due date (workspace default calendar)
//     p80      = 80th percentile (nearest rank) of the business minutes, pauses excluded, that kept
//                promises of the same type took from creation to closing, in this workspace
//   Under 20% buffer is a high-risk indicator; with fewer than MIN_HISTORY kept promises the buffer
//   is not measured.
//
//   level = high when any high indicator applies, else medium when any medium one does, else low.

export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** The indicators people set on a promise (its `riskIndicators`), with their level and meaning. */
export const RISK_INDICATORS = {
  external_vendor_dependency: { level: 'high', label: 'Depends on an external vendor' },
  new_skill: { level: 'high', label: 'Needs new skills or unfamiliar technology' },
  full_refund_guarantee: { level: 'high', label: 'Guarantees a full refund for any shortfall' },
  unclear_scope: { level: 'high', label: 'Scope or success criteria are unclear' },
  several_team_members: { level: 'medium', label: 'Needs coordination across several team members' },
  customer_input_required: { level: 'medium', label: 'Depends on customer input or cooperation' },
  high_demand_season: { level: 'medium', label: 'Due in a high-demand season' },
} as const satisfies Record<string, { level: RiskLevel; label: string }>;
export type RiskIndicator = keyof typeof RISK_INDICATORS;

/** The measured indicator: under this share of the timeline left as buffer is high risk. */
export const MIN_BUFFER = 0.2;
/** Kept promises of a type needed before its buffer is measured. */
export const MIN_HISTORY = 5;

export interface RiskReason {
  indicator: string;
  level: RiskLevel;
  detail: string;
}

export interface BufferMeasure {
  promisedMinutes: number;
  p80Minutes: number;
  sampleSize: number;
  /** (promised - p80) / promised, as a percent (one decimal); null when nothing was promised. */
  bufferPercent: number | null;
}

export interface RiskAssessment {
  level: RiskLevel;
  reasons: RiskReason[];
  buffer: BufferMeasure | null;
  /** Indicators on the promise that the matrix does not know (listed, not scored). */
  unscored: string[];
}

/** The rank (1-based, in ascending order) of the 80th percentile of n values: ceil(4n / 5), exactly. */
export const p80Rank = (n: number) => Math.floor((4 * n + 4) / 5);

/** The 80th percentile by nearest rank: the smallest value with at least 80% of values at or below it. */
export function percentile80(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[p80Rank(sorted.length) - 1]!;
}

/** How long kept promises of one type took: the 80th percentile and how many there were. */
export interface KeptSummary {
  p80Minutes: number | null;
  sampleSize: number;
}

export const summarize = (values: readonly number[]): KeptSummary => ({
  p80Minutes: percentile80(values),
  sampleSize: values.length,
});

const round1 = (x: number) => Math.round(x * 10) / 10;
const minutes = (m: number) => `${round1(m)} business minutes`;

export function assessRisk(input: {
  indicators: readonly string[];
  typeKey: string;
  /** Business minutes from creation to the due date; null when it could not be measured. */
  promisedMinutes: number | null;
  /** How long kept promises of the same type took, in business minutes. */
  history: KeptSummary;
}): RiskAssessment {
  const reasons: RiskReason[] = [];
  const unscored: string[] = [];
  for (const key of new Set(input.indicators)) {
    const known = RISK_INDICATORS[key as RiskIndicator];
    if (known) reasons.push({ indicator: key, level: known.level, detail: known.label });
    else unscored.push(key);
  }

  let buffer: BufferMeasure | null = null;
  const p80 = input.history.p80Minutes;
  const n = input.history.sampleSize;
  if (input.promisedMinutes !== null && p80 !== null && n >= MIN_HISTORY) {
    const promised = input.promisedMinutes;
    const share = promised > 0 ? (promised - p80) / promised : null;
    buffer = {
      promisedMinutes: promised,
      p80Minutes: p80,
      sampleSize: n,
      bufferPercent: share === null ? null : round1(share * 100),
    };
    const basis = `promised ${minutes(promised)}; 80% of the ${n} kept ${input.typeKey} promises took up to ${minutes(p80)}`;
    if (share === null || share < MIN_BUFFER) {
      reasons.push({
        indicator: 'thin_buffer',
        level: 'high',
        detail: `${basis}: ${share === null ? 'no time' : `${round1(share * 100)}%`} buffer, under ${MIN_BUFFER * 100}%`,
      });
    } else {
      reasons.push({
        indicator: 'adequate_buffer',
        level: 'low',
        detail: `${basis}: ${round1(share * 100)}% buffer`,
      });
    }
  }

  const level: RiskLevel = reasons.some((r) => r.level === 'high')
    ? 'high'
    : reasons.some((r) => r.level === 'medium')
      ? 'medium'
      : 'low';
  const order: Record<RiskLevel, number> = { high: 0, medium: 1, low: 2 };
  reasons.sort((a, b) => order[a.level] - order[b.level]);
  return { level, reasons, buffer, unscored };
}
