// Surveys (workflow 11), pure: NPS categories and the promise a response calls for — a detractor
// (0–6) gets a call within 24 hours from the account owner's manager, a promoter (9–10) a
// testimonial ask from the account owner. No I/O; the response time is passed in.
import type { Consequence, Emotion } from '../promises/promise.js';

export type NpsCategory = 'detractor' | 'passive' | 'promoter';

export function npsCategory(score: number): NpsCategory {
  if (score <= 6) return 'detractor';
  if (score <= 8) return 'passive';
  return 'promoter';
}

/** NPS = % promoters − % detractors over the responses (null without responses). */
export function netPromoterScore(scores: readonly number[]): number | null {
  if (scores.length === 0) return null;
  let promoters = 0;
  let detractors = 0;
  for (const s of scores) {
    const c = npsCategory(s);
    if (c === 'promoter') promoters += 1;
    else if (c === 'detractor') detractors += 1;
  }
  return ((promoters - detractors) / scores.length) * 100;
}

/** CSAT = % of responses scoring 4 or 5 on the 1–5 scale (null without responses). */
export function csatScore(scores: readonly number[]): number | null {
  if (scores.length === 0) return null;
  return (scores.filter((s) => s >= 4).length / scores.length) * 100;
}

export const DETRACTOR_CALL_HOURS = 24;
export const TESTIMONIAL_ASK_DAYS = 7;
/** Testimonial asks get their own promise type so they can be told apart (and switched off by an admin). */
export const TESTIMONIAL_TYPE = { key: 'testimonial_request', label: 'Testimonial request' } as const;
const HOUR_MS = 3_600_000;

export interface Person {
  id: string;
  active: boolean;
}

/** The promise a survey response calls for (the use case adds account and contact). */
export interface FollowUpPlan {
  reason: 'detractor_call' | 'testimonial_ask';
  typeKey: string;
  promiseMade: string;
  customerReason: string;
  ownerId: string;
  dueAt: Date;
  source: 'survey';
  emotion: Emotion | null;
  consequence: Consequence | null;
}

/**
 * Who owns the follow-up: for a detractor the account owner's manager, else the account owner;
 * for a promoter the account owner. A promise needs an active owner, so when none of them is
 * active the person who recorded the response owns it (an answer must never be lost because
 * an account was not reassigned).
 */
export function followUpOwner(
  category: 'detractor' | 'promoter',
  people: { owner: Person | undefined; manager: Person | undefined; recorderId: string },
): string {
  const candidates = category === 'detractor' ? [people.manager, people.owner] : [people.owner];
  return candidates.find((p) => p?.active)?.id ?? people.recorderId;
}

const quote = (comment: string | null) =>
  comment ? `: “${comment.length > 1000 ? `${comment.slice(0, 999)}…` : comment}”` : '';

export function planNpsFollowUp(r: {
  score: number;
  comment: string | null;
  respondedAt: Date;
  customerName: string;
  owner: Person | undefined;
  manager: Person | undefined;
  recorderId: string;
}): FollowUpPlan | null {
  const category = npsCategory(r.score);
  if (category === 'passive') return null;
  const ownerId = followUpOwner(category, r);
  if (category === 'detractor') {
    return {
      reason: 'detractor_call',
      typeKey: 'executive_response',
      promiseMade: `Call ${r.customerName} within ${DETRACTOR_CALL_HOURS} hours about their NPS score of ${r.score}/10`,
      customerReason: `They scored us ${r.score}/10${quote(r.comment)}`,
      ownerId,
      dueAt: new Date(r.respondedAt.getTime() + DETRACTOR_CALL_HOURS * HOUR_MS),
      source: 'survey',
      emotion: 'disappointed',
      consequence: 'renewal_risk',
    };
  }
  return {
    reason: 'testimonial_ask',
    typeKey: TESTIMONIAL_TYPE.key,
    promiseMade: `Ask ${r.customerName} for a testimonial`,
    customerReason: `They scored us ${r.score}/10${quote(r.comment)} and are the most likely to speak for us`,
    ownerId,
    dueAt: new Date(r.respondedAt.getTime() + TESTIMONIAL_ASK_DAYS * 24 * HOUR_MS),
    source: 'survey',
    emotion: 'excited',
    consequence: null,
  };
}
