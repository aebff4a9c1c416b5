// What each kind of integration may send to POST /api/v1/inbound/:integrationId, and the signal
// each event becomes. Pure: zod schemas (strict — unknown fields are refused, not ignored) and the
// mapping; the account is matched by the caller.
//
// Every body is a Standard Webhooks payload:
//   { "type": "<event type>", "timestamp": "<ISO 8601 with offset>" (optional), "data": { … } }
// `timestamp` is when it happened in the sending system (default: when we received it). The
// account is named in `data` by `accountExternalId` (the sender's id for the customer, matched
// against accounts.external_id) or else by an email address whose domain is the account's
// `domain` (exactly, case-insensitively; a domain two accounts share is refused: send the
// external id). A contact of that account with the same email becomes the signal's contact.
//
// helpdesk      ticket.created     → complaint. data: ticketId, requester {email, name?},
//                                    subject, category (the underlying concern as a key,
//                                    e.g. "reporting exports"), concern? (in the customer's words;
//                                    default description, else subject), description?,
//                                    accountExternalId?
// billing       payment.failed     → billing payment_failed.    data: amountMinor?, currency?,
//               payment.recovered  → billing payment_recovered  invoiceId?, accountExternalId? |
//                                                                customerEmail?
//               renewal.renewed    → renewal_outcome renewed.   data: arrBeforeMinor,
//               renewal.churned    → renewal_outcome churned    arrAfterMinor (renewed: required;
//                                                                churned: 0), currency?, note?,
//                                                                accountExternalId? | customerEmail?
// product_usage usage.activity     → product_activity (advances the account's last activity).
//                                    data: activity? (a key such as report_exported), count?,
//                                    accountExternalId? | userEmail?
// survey        nps.response       → nps (0–10; a detractor gets a call within 24 h, a promoter a
//                                    testimonial ask).  data: score, comment?, respondent? {email,
//                                    name?}, accountExternalId? (one of the two)
//               csat.response      → csat (1–5). Same fields.
import { z } from 'zod';
import { instant, text } from '../http/schemas.js';
import type { SignalInput } from '../signals/signal.js';

export const INTEGRATION_KINDS = ['helpdesk', 'billing', 'product_usage', 'survey'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

const email = () => z.email('must be an email address').max(320);
const minor = () =>
  z.number().int('must be a whole number of minor units').min(0).max(Number.MAX_SAFE_INTEGER);
const currency = () => z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
const externalId = () => text(200);

const event = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.strictObject({ type: z.literal(type), timestamp: instant().optional(), data });

const person = z.strictObject({ email: email(), name: text(200).optional() });

/** `accountExternalId` or the email field must name the account. */
const oneOf =
  (emailField: string) => (d: { accountExternalId?: string | undefined }, ctx: z.RefinementCtx) => {
    const e = emailField.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], d);
    if (d.accountExternalId === undefined && e === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['accountExternalId'],
        message: `give accountExternalId or ${emailField} to name the account`,
      });
    }
  };

const ticket = z.strictObject({
  ticketId: text(150),
  accountExternalId: externalId().optional(),
  requester: person,
  subject: text(500),
  description: text(4000).optional(),
  category: text(200),
  concern: text(4000).optional(),
});

const payment = z
  .strictObject({
    accountExternalId: externalId().optional(),
    customerEmail: email().optional(),
    amountMinor: minor().optional(),
    currency: currency().optional(),
    invoiceId: text(200).optional(),
  })
  .superRefine(oneOf('customerEmail'));

const renewal = z
  .strictObject({
    accountExternalId: externalId().optional(),
    customerEmail: email().optional(),
    arrBeforeMinor: minor(),
    arrAfterMinor: minor().optional(),
    currency: currency().optional(),
    note: text(4000).optional(),
  })
  .superRefine(oneOf('customerEmail'));

const usage = z
  .strictObject({
    accountExternalId: externalId().optional(),
    userEmail: email().optional(),
    activity: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a key such as report_exported')
      .optional(),
    count: z.number().int().min(1).max(1_000_000_000).optional(),
  })
  .superRefine(oneOf('userEmail'));

const survey = (min: number, max: number) =>
  z
    .strictObject({
      responseId: text(200).optional(),
      accountExternalId: externalId().optional(),
      respondent: person.optional(),
      score: z.number().int('must be a whole number').min(min).max(max),
      comment: text(4000).optional(),
    })
    .superRefine(oneOf('respondent.email'));

export const INBOUND_PAYLOADS = {
  helpdesk: z.discriminatedUnion('type', [event('ticket.created', ticket)]),
  billing: z.discriminatedUnion('type', [
    event('payment.failed', payment),
    event('payment.recovered', payment),
    event('renewal.renewed', renewal),
    event('renewal.churned', renewal),
  ]),
  product_usage: z.discriminatedUnion('type', [event('usage.activity', usage)]),
  survey: z.discriminatedUnion('type', [
    event('nps.response', survey(0, 10)),
    event('csat.response', survey(1, 5)),
  ]),
} as const satisfies Record<IntegrationKind, z.ZodType>;

export type InboundPayload = z.output<(typeof INBOUND_PAYLOADS)[IntegrationKind]>;

/** The event types each kind accepts (for messages and the route summary). */
export const EVENT_TYPES: Record<IntegrationKind, string[]> = {
  helpdesk: ['ticket.created'],
  billing: ['payment.failed', 'payment.recovered', 'renewal.renewed', 'renewal.churned'],
  product_usage: ['usage.activity'],
  survey: ['nps.response', 'csat.response'],
};

/** How the event names its account: the sender's id for it, or an email at its domain. */
export interface AccountRef {
  externalId: string | undefined;
  /** The email and the payload field it came from (named in a "no match" error). */
  email: { address: string; field: string } | undefined;
}

/** A signal to record, without its account (matched by the caller from `account`). */
export type PlannedSignal = DistributiveOmit<SignalInput, 'accountId' | 'contactId' | 'externalId'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface InboundPlan {
  /** The payload's `type`, for the delivery log. */
  eventType: string;
  account: AccountRef;
  signal: PlannedSignal;
}

const ref = (externalId: string | undefined, address: string | undefined, field: string): AccountRef => ({
  externalId,
  email: address === undefined ? undefined : { address, field: `data.${field}` },
});

/** The signal an event becomes (pure). */
export function planSignal(payload: InboundPayload): InboundPlan {
  return { eventType: payload.type, ...planFor(payload) };
}

function planFor(payload: InboundPayload): Omit<InboundPlan, 'eventType'> {
  const occurredAt = payload.timestamp;
  switch (payload.type) {
    case 'ticket.created': {
      const d = payload.data;
      return {
        account: ref(d.accountExternalId, d.requester.email, 'requester.email'),
        signal: {
          kind: 'complaint',
          occurredAt,
          concernKey: d.category,
          concern: d.concern ?? d.description ?? d.subject,
          summary: `Ticket ${d.ticketId}: ${d.subject}`,
        },
      };
    }
    case 'payment.failed':
    case 'payment.recovered': {
      const d = payload.data;
      return {
        account: ref(d.accountExternalId, d.customerEmail, 'customerEmail'),
        signal: {
          kind: 'billing',
          occurredAt,
          event: payload.type === 'payment.failed' ? 'payment_failed' : 'payment_recovered',
          amountMinor: d.amountMinor,
          currency: d.currency,
          reference: d.invoiceId,
        },
      };
    }
    case 'renewal.renewed':
    case 'renewal.churned': {
      const d = payload.data;
      return {
        account: ref(d.accountExternalId, d.customerEmail, 'customerEmail'),
        signal: {
          kind: 'renewal_outcome',
          occurredAt,
          outcome: payload.type === 'renewal.renewed' ? 'renewed' : 'churned',
          arrBeforeMinor: d.arrBeforeMinor,
          arrAfterMinor: d.arrAfterMinor,
          currency: d.currency,
          note: d.note,
        },
      };
    }
    case 'usage.activity': {
      const d = payload.data;
      return {
        account: ref(d.accountExternalId, d.userEmail, 'userEmail'),
        signal: { kind: 'product_activity', occurredAt, activity: d.activity, count: d.count },
      };
    }
    case 'nps.response':
    case 'csat.response': {
      const d = payload.data;
      return {
        account: ref(d.accountExternalId, d.respondent?.email, 'respondent.email'),
        signal: {
          kind: payload.type === 'nps.response' ? 'nps' : 'csat',
          occurredAt,
          score: d.score,
          comment: d.comment,
        },
      };
    }
  }
}

/**
 * The payload field a signal field came from, for errors the signal rules raise (`arrAfterMinor`
 * → `data.arrAfterMinor`, `occurredAt` → `timestamp`).
 */
export function payloadField(signalField: string): string {
  switch (signalField) {
    case 'occurredAt':
      return 'timestamp';
    case 'externalId':
      return 'webhook-id';
    case 'concernKey':
      return 'data.category';
    case 'reference':
      return 'data.invoiceId';
    case 'accountId':
    case 'contactId':
      return 'data.accountExternalId';
    default:
      return `data.${signalField}`;
  }
}
