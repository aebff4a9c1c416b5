// The JSON shapes of webhook subscriptions and their delivery log. The secret is never part of
// them (the creation response adds it, once).
import type { webhookSubscriptions } from '../db/schema.js';
import type { AttemptRow, DeliveryRow } from './outbox.js';

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;

export function presentSubscription(s: SubscriptionRow) {
  return {
    id: s.id,
    url: s.url,
    eventTypes: s.eventTypes,
    description: s.description,
    status: s.revokedAt ? ('revoked' as const) : ('active' as const),
    signatureScheme: 'standard-webhooks-v1',
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
    revokedAt: s.revokedAt?.toISOString() ?? null,
  };
}

export function presentAttempt(a: AttemptRow) {
  return {
    attempt: a.attempt,
    startedAt: a.startedAt.toISOString(),
    finishedAt: a.finishedAt.toISOString(),
    outcome: a.outcome,
    httpStatus: a.httpStatus,
    error: a.error,
    durationMs: a.durationMs,
  };
}

export function presentDelivery(d: DeliveryRow, attempts: AttemptRow[]) {
  return {
    /** Also the `webhook-id` header of every attempt. */
    id: d.id,
    key: d.key,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    lastError: d.lastError,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    log: attempts.map(presentAttempt),
  };
}
