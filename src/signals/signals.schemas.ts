// Input schemas for signals at every boundary (HTTP now; CSV import and integrations reuse them).
// Unknown fields are rejected; each kind has its own strict shape, chosen by `kind`.
import { z } from 'zod';
import { csv, instant, text, uuid } from '../http/schemas.js';
import { CreatePromiseBody } from '../promises/promises.routes.js';
import {
  BILLING_EVENTS,
  CHASE_CHANNELS,
  CONFIDENCE_RESTORED,
  ESCALATION_STATUSES,
  RENEWAL_OUTCOMES,
  SIGNAL_KINDS,
} from './signal.js';

const minor = () =>
  z.number().int('must be a whole number of minor units').min(0).max(Number.MAX_SAFE_INTEGER);
const currency = () => z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
const key = () => z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a key such as report_exported');

const common = {
  accountId: uuid(),
  contactId: uuid().nullable().optional(),
  /** When the customer did it; defaults to now. */
  occurredAt: instant().optional(),
  /** The sending system's id for this event: the same id twice is refused. */
  externalId: text(200).optional(),
};

export const RecordSignalBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('complaint'),
    ...common,
    /** The underlying concern as a short key ("reporting exports" → reporting_exports). */
    concernKey: text(200),
    /** The underlying concern in the customer's words. */
    concern: text(4000),
    /** What the complaint was about on the surface (the ticket), if different. */
    summary: text(4000).optional(),
    confidenceRestored: z.enum(CONFIDENCE_RESTORED).optional(),
  }),
  z.strictObject({
    kind: z.literal('escalation'),
    ...common,
    summary: text(4000).optional(),
    politicalRisk: text(2000),
    desiredReassurance: text(2000),
  }),
  z.strictObject({
    kind: z.literal('customer_chased'),
    ...common,
    /** The promise the customer chased us about, if any. */
    promiseId: uuid().nullable().optional(),
    channel: z.enum(CHASE_CHANNELS).optional(),
    note: text(4000).optional(),
  }),
  z.strictObject({
    kind: z.literal('nps'),
    ...common,
    score: z.number().int('must be a whole number').min(0).max(10),
    comment: text(4000).optional(),
  }),
  z.strictObject({
    kind: z.literal('csat'),
    ...common,
    score: z.number().int('must be a whole number').min(1).max(5),
    comment: text(4000).optional(),
  }),
  z.strictObject({
    kind: z.literal('product_activity'),
    ...common,
    activity: key().optional(),
    count: z.number().int().min(1).max(1_000_000_000).optional(),
  }),
  z.strictObject({
    kind: z.literal('billing'),
    ...common,
    event: z.enum(BILLING_EVENTS),
    amountMinor: minor().optional(),
    currency: currency().optional(),
    reference: text(200).optional(),
  }),
  z.strictObject({
    kind: z.literal('renewal_outcome'),
    ...common,
    outcome: z.enum(RENEWAL_OUTCOMES),
    arrBeforeMinor: minor(),
    arrAfterMinor: minor().optional(),
    currency: currency().optional(),
    note: text(4000).optional(),
  }),
]);

/** The follow-up promise of a closing escalation: a promise body whose account is the escalation's. */
export const FollowUpPromiseBody = CreatePromiseBody.omit({ accountId: true }).extend({
  typeKey: CreatePromiseBody.shape.typeKey.optional(),
});

export const CloseEscalationBody = z.strictObject({
  followUpPromise: FollowUpPromiseBody,
  resolution: text(2000).optional(),
});

// Everything is optional, so no body at all is fine too.
export const ReopenEscalationBody = z.strictObject({ reason: text(1000).optional() }).nullish();

export const UpdateSignalBody = z.strictObject({ confidenceRestored: z.enum(CONFIDENCE_RESTORED) });

const bool = () =>
  z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional();

const accountScopedQuery = {
  kind: csv(z.enum(SIGNAL_KINDS)).optional(),
  since: instant().optional(),
  until: instant().optional(),
  concern: text(200).optional(),
  status: z.enum(ESCALATION_STATUSES).optional(),
  repeat: bool(),
  promise: uuid().optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
};

export const SignalListQuery = z.strictObject({ account: uuid().optional(), ...accountScopedQuery });
export const AccountSignalListQuery = z.strictObject(accountScopedQuery);
