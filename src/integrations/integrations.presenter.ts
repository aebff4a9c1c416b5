// The JSON shapes of integrations and their deliveries. The secret is never part of them (it is
// added to the creation response only).
import { EVENT_TYPES } from './inbound-payloads.js';
import { integrationStatus } from './integration.js';
import type { DeliveryRow, IntegrationWithCreator } from './integrations.repo.js';

export const inboundPath = (integrationId: string) => `/api/v1/inbound/${integrationId}`;

export function presentIntegration({ integration: i, creator }: IntegrationWithCreator) {
  return {
    id: i.id,
    kind: i.kind,
    name: i.name,
    status: integrationStatus(i, creator),
    /** Where the sender posts signed events (relative to the server's base URL). */
    endpoint: inboundPath(i.id),
    eventTypes: EVENT_TYPES[i.kind],
    signatureScheme: 'standard-webhooks-v1',
    createdBy: i.createdBy,
    createdAt: i.createdAt.toISOString(),
    revokedAt: i.revokedAt?.toISOString() ?? null,
    revokedBy: i.revokedBy,
  };
}

export function presentDelivery(d: DeliveryRow) {
  return {
    id: d.id,
    receivedAt: d.receivedAt.toISOString(),
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    httpStatus: d.httpStatus,
    error: d.error,
    signalId: d.signalId,
  };
}
