// Remedies for a missed guarantee, pure. A policy with a remedy schedule guarantees its promises:
// when one is kept late or broken, the service credit is the percent of the schedule's last step
// whose `fromBusinessMinutesLate` the delay reached, applied to a base amount. A broken promise was
// never delivered, so it earns the schedule's largest credit whatever the delay at the break.
// Credits above the policy's approval limit need a manager's approval.

import type { RemedyStep } from './policy.js';

/** The credit percent for a delay of `delayMinutes` business minutes (0 when on time or below the first step). */
export function creditPercentFor(schedule: readonly RemedyStep[], delayMinutes: number): number {
  let percent = 0;
  if (!(delayMinutes > 0)) return 0;
  for (const step of schedule) {
    if (delayMinutes >= step.fromBusinessMinutesLate) percent = Math.max(percent, step.creditPercent);
  }
  return percent;
}

export type RemedyBasis = 'kept_late' | 'broken';

export interface RemedyInput {
  schedule: readonly RemedyStep[];
  basis: RemedyBasis;
  /** Business minutes past the deadline (pauses excluded) when the promise was closed. */
  delayMinutes: number;
  /** What the credit is a percent of, in minor units (e.g. one month of the account's ARR). */
  baseAmountMinor: number;
  approvalLimitMinor: number | null;
}

export interface Remedy {
  basis: RemedyBasis;
  delayMinutes: number;
  creditPercent: number;
  baseAmountMinor: number;
  /** Rounded half up to a whole minor unit. */
  amountMinor: number;
  needsApproval: boolean;
}

export function computeRemedy(input: RemedyInput): Remedy {
  const creditPercent =
    input.basis === 'broken'
      ? Math.max(0, ...input.schedule.map((s) => s.creditPercent))
      : creditPercentFor(input.schedule, input.delayMinutes);
  const amountMinor = Math.round((input.baseAmountMinor * creditPercent) / 100);
  return {
    basis: input.basis,
    delayMinutes: Math.max(0, input.delayMinutes),
    creditPercent,
    baseAmountMinor: input.baseAmountMinor,
    amountMinor,
    needsApproval: input.approvalLimitMinor !== null && amountMinor > input.approvalLimitMinor,
  };
}
