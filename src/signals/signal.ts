// Signals — something the customer did or felt — as pure data and rules: the kinds, what each kind
// stores (typed columns for what is filtered and measured, a zod-checked JSON payload for the
// rest), and the decision that turns a validated input into those fields. No I/O; time passed in.
import { z } from 'zod';
import { AppError, invalid } from '../errors.js';
import { normaliseConcernKey } from './complaint-memory.js';

export const SIGNAL_KINDS = [
  'complaint',
  'escalation',
  'customer_chased',
  'nps',
  'csat',
  'product_activity',
  'billing',
  'renewal_outcome',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export const CONFIDENCE_RESTORED = ['yes', 'no', 'unknown'] as const;
export type ConfidenceRestored = (typeof CONFIDENCE_RESTORED)[number];
export const ESCALATION_STATUSES = ['open', 'closed'] as const;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];
export const CHASE_CHANNELS = ['email', 'phone', 'chat', 'meeting', 'ticket', 'other'] as const;
export const BILLING_EVENTS = ['payment_failed', 'payment_recovered'] as const;
export const RENEWAL_OUTCOMES = ['renewed', 'churned'] as const;

/** How far in the future an `occurredAt` may be (clock skew of the sending system). */
export const OCCURRED_AT_SKEW_MS = 5 * 60_000;

// ---------------------------------------------------------------------------------------------
// Input: what a caller (HTTP, CSV import, an integration) says happened, already shape-checked.

interface CommonInput {
  accountId: string;
  contactId?: string | null | undefined;
  occurredAt?: Date | undefined;
  externalId?: string | undefined;
}
export type SignalInput = CommonInput &
  (
    | {
        kind: 'complaint';
        concernKey: string;
        concern: string;
        summary?: string | undefined;
        confidenceRestored?: ConfidenceRestored | undefined;
      }
    | { kind: 'escalation'; summary?: string | undefined; politicalRisk: string; desiredReassurance: string }
    | {
        kind: 'customer_chased';
        promiseId?: string | null | undefined;
        channel?: (typeof CHASE_CHANNELS)[number] | undefined;
        note?: string | undefined;
      }
    | { kind: 'nps'; score: number; comment?: string | undefined }
    | { kind: 'csat'; score: number; comment?: string | undefined }
    | { kind: 'product_activity'; activity?: string | undefined; count?: number | undefined }
    | {
        kind: 'billing';
        event: (typeof BILLING_EVENTS)[number];
        amountMinor?: number | undefined;
        currency?: string | undefined;
        reference?: string | undefined;
      }
    | {
        kind: 'renewal_outcome';
        outcome: (typeof RENEWAL_OUTCOMES)[number];
        arrBeforeMinor: number;
        arrAfterMinor?: number | undefined;
        currency?: string | undefined;
        note?: string | undefined;
      }
  );

// ---------------------------------------------------------------------------------------------
// Stored payloads, one schema per kind: checked before every write and on every read.

const iso = z.iso.datetime({ offset: true });
export const EscalationTransition = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('closed'),
    at: iso,
    by: z.uuid(),
    followUpPromiseId: z.uuid(),
    resolution: z.string().nullable(),
  }),
  z.strictObject({ action: z.literal('reopened'), at: iso, by: z.uuid(), reason: z.string().nullable() }),
]);
export type EscalationTransition = z.infer<typeof EscalationTransition>;

export const ConfidenceChange = z.strictObject({
  from: z.enum(CONFIDENCE_RESTORED),
  to: z.enum(CONFIDENCE_RESTORED),
  at: iso,
  by: z.uuid(),
});
export type ConfidenceChange = z.infer<typeof ConfidenceChange>;

export const PAYLOAD_SCHEMAS = {
  complaint: z.strictObject({
    concern: z.string().min(1),
    summary: z.string().nullable(),
    confidenceChanges: z.array(ConfidenceChange),
  }),
  escalation: z.strictObject({
    summary: z.string().nullable(),
    politicalRisk: z.string().min(1),
    desiredReassurance: z.string().min(1),
    history: z.array(EscalationTransition),
  }),
  customer_chased: z.strictObject({
    channel: z.enum(CHASE_CHANNELS).nullable(),
    note: z.string().nullable(),
  }),
  nps: z.strictObject({ comment: z.string().nullable() }),
  csat: z.strictObject({ comment: z.string().nullable() }),
  product_activity: z.strictObject({
    activity: z.string().nullable(),
    count: z.number().int().positive().nullable(),
  }),
  billing: z.strictObject({
    amountMinor: z.number().int().nonnegative().nullable(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .nullable(),
    reference: z.string().nullable(),
  }),
  renewal_outcome: z.strictObject({ note: z.string().nullable() }),
} as const satisfies Record<SignalKind, z.ZodType>;

export type SignalPayload<K extends SignalKind> = z.infer<(typeof PAYLOAD_SCHEMAS)[K]>;

/** A stored payload of `kind`, checked (a row that does not match is a defect, not user input). */
export function parsePayload<K extends SignalKind>(kind: K, payload: unknown): SignalPayload<K> {
  const r = PAYLOAD_SCHEMAS[kind].safeParse(payload);
  if (!r.success) throw new AppError('internal', `stored ${kind} payload is malformed: ${r.error.message}`);
  return r.data as SignalPayload<K>;
}

// ---------------------------------------------------------------------------------------------
// The decision: a validated input becomes the signal's fields.

/** The kind-specific fields of a signal row (the use case adds ids, account, times, actor). */
export interface SignalFields {
  kind: SignalKind;
  occurredAt: Date;
  concernKey: string | null;
  confidenceRestored: ConfidenceRestored | null;
  status: EscalationStatus | null;
  score: number | null;
  billingEvent: (typeof BILLING_EVENTS)[number] | null;
  renewalOutcome: (typeof RENEWAL_OUTCOMES)[number] | null;
  arrBeforeMinor: number | null;
  arrAfterMinor: number | null;
  currency: string | null;
  promiseId: string | null;
  payload: Record<string, unknown>;
}

/** When the signal happened: given, or now; never meaningfully in the future. */
export function occurredAtOf(given: Date | undefined, now: Date): Date {
  if (!given) return now;
  if (given.getTime() > now.getTime() + OCCURRED_AT_SKEW_MS) {
    throw invalid('occurredAt', 'must not be in the future');
  }
  return given;
}

export function decideRecord(input: SignalInput, now: Date, account: { currency: string }): SignalFields {
  const base: SignalFields = {
    kind: input.kind,
    occurredAt: occurredAtOf(input.occurredAt, now),
    concernKey: null,
    confidenceRestored: null,
    status: null,
    score: null,
    billingEvent: null,
    renewalOutcome: null,
    arrBeforeMinor: null,
    arrAfterMinor: null,
    currency: null,
    promiseId: null,
    payload: {},
  };
  switch (input.kind) {
    case 'complaint': {
      const concernKey = normaliseConcernKey(input.concernKey);
      if (!concernKey) throw invalid('concernKey', 'must contain at least one letter or digit');
      return {
        ...base,
        concernKey,
        confidenceRestored: input.confidenceRestored ?? 'unknown',
        payload: { concern: input.concern, summary: input.summary ?? null, confidenceChanges: [] },
      };
    }
    case 'escalation':
      return {
        ...base,
        status: 'open',
        payload: {
          summary: input.summary ?? null,
          politicalRisk: input.politicalRisk,
          desiredReassurance: input.desiredReassurance,
          history: [],
        },
      };
    case 'customer_chased':
      return {
        ...base,
        promiseId: input.promiseId ?? null,
        payload: { channel: input.channel ?? null, note: input.note ?? null },
      };
    case 'nps':
      if (!Number.isInteger(input.score) || input.score < 0 || input.score > 10) {
        throw invalid('score', 'an NPS score is a whole number from 0 to 10');
      }
      return { ...base, score: input.score, payload: { comment: input.comment ?? null } };
    case 'csat':
      if (!Number.isInteger(input.score) || input.score < 1 || input.score > 5) {
        throw invalid('score', 'a CSAT score is a whole number from 1 to 5');
      }
      return { ...base, score: input.score, payload: { comment: input.comment ?? null } };
    case 'product_activity':
      return { ...base, payload: { activity: input.activity ?? null, count: input.count ?? null } };
    case 'billing':
      if (input.currency !== undefined && input.amountMinor === undefined) {
        throw invalid('amountMinor', 'give the amount the currency is for');
      }
      return {
        ...base,
        billingEvent: input.event,
        payload: {
          amountMinor: input.amountMinor ?? null,
          currency: input.amountMinor === undefined ? null : (input.currency ?? account.currency),
          reference: input.reference ?? null,
        },
      };
    case 'renewal_outcome': {
      // A churned customer's ARR after the renewal date is zero by definition (it counts in full
      // as churned ARR); a renewal may expand or contract.
      const after = input.arrAfterMinor ?? (input.outcome === 'churned' ? 0 : undefined);
      if (after === undefined) throw invalid('arrAfterMinor', 'is required for a renewal');
      if (input.outcome === 'churned' && after !== 0) {
        throw invalid('arrAfterMinor', 'must be 0 for a churned customer');
      }
      return {
        ...base,
        renewalOutcome: input.outcome,
        arrBeforeMinor: input.arrBeforeMinor,
        arrAfterMinor: after,
        currency: input.currency ?? account.currency,
        payload: { note: input.note ?? null },
      };
    }
  }
}

/**
 * "Customer confidence restored?" changes as the relationship recovers; every change is kept with
 * who and when. Setting the value it already has changes nothing (undefined).
 */
export function decideConfidenceChange(
  current: { confidenceRestored: ConfidenceRestored; confidenceChanges: readonly ConfidenceChange[] },
  to: ConfidenceRestored,
  at: Date,
  by: string,
): { confidenceRestored: ConfidenceRestored; confidenceChanges: ConfidenceChange[] } | undefined {
  if (current.confidenceRestored === to) return undefined;
  return {
    confidenceRestored: to,
    confidenceChanges: [
      ...current.confidenceChanges,
      { from: current.confidenceRestored, to, at: at.toISOString(), by },
    ],
  };
}
