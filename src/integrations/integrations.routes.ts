// Inbound integrations over HTTP: admins manage them (integrations.manage); senders post signed
// events to the public endpoint. Payload formats: inbound-payloads.ts; signatures: signature.ts.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { text, uuid } from '../http/schemas.js';
import { INTEGRATION_KINDS } from './inbound-payloads.js';
import {
  createIntegration,
  getIntegration,
  listIntegrationDeliveries,
  listWorkspaceIntegrations,
  revokeWorkspaceIntegration,
} from './manage-integrations.js';
import { receiveDelivery } from './receive-delivery.js';
import { TIMESTAMP_TOLERANCE_S } from './signature.js';

const integrationParams = z.strictObject({ integrationId: uuid() });

const INBOUND_SUMMARY =
  'Receive one signed event from an integration (Standard Webhooks): headers webhook-id (the event id; a ' +
  'replay answers {"duplicate": true} and records nothing), webhook-timestamp (seconds; at most ' +
  `${TIMESTAMP_TOLERANCE_S / 60} minutes from the server clock) and webhook-signature ` +
  '(v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>"> keyed by the base64 part of the whsec_ secret). ' +
  'Body: {"type", "timestamp"?, "data"}, strict. helpdesk: ticket.created → complaint (data: ticketId, ' +
  'requester {email, name?}, subject, category = the underlying concern, concern?, description?, ' +
  'accountExternalId?). billing: payment.failed / payment.recovered → billing event (data: amountMinor?, ' +
  'currency?, invoiceId?); renewal.renewed / renewal.churned → renewal outcome (data: arrBeforeMinor, ' +
  'arrAfterMinor, currency?, note?). product_usage: usage.activity → product activity, advancing the ' +
  'account’s last activity (data: activity?, count?). survey: nps.response (score 0–10) / csat.response ' +
  '(score 1–5) (data: score, comment?, respondent? {email, name?}, responseId?). The account is ' +
  'data.accountExternalId (its external id) or else the domain of the email (requester.email, ' +
  'customerEmail, userEmail, respondent.email); no match → 422 naming the field. Bad or missing ' +
  'signature → 401; unknown or revoked integration → 404; nothing is written.';

export function integrationRoutes(ctx: AppContext): AnyRoute[] {
  return [
    route({
      id: 'integrations.create',
      method: 'POST',
      url: '/api/v1/integrations',
      auth: 'integrations.manage',
      // Not replayable: a stored response would keep the secret in plain text for a day.
      idempotent: false,
      summary:
        'Create an inbound integration (helpdesk, billing, product_usage or survey). The response carries its ' +
        'signing secret (whsec_…) once; the server keeps it to check signatures but never returns it again.',
      tags: ['integrations'],
      status: 201,
      body: z.strictObject({ kind: z.enum(INTEGRATION_KINDS), name: text(200) }),
      handler: async ({ principal, body }) => createIntegration(ctx, { principal, input: body }),
    }),
    route({
      id: 'integrations.list',
      method: 'GET',
      url: '/api/v1/integrations',
      auth: 'integrations.manage',
      summary:
        'The workspace’s integrations, newest first: kind, endpoint, event types, and whether each is active, ' +
        'revoked, or suspended (its creator lost access). Never their secrets.',
      tags: ['integrations'],
      handler: async ({ principal }) => ({ data: await listWorkspaceIntegrations(ctx, { principal }) }),
    }),
    route({
      id: 'integrations.get',
      method: 'GET',
      url: '/api/v1/integrations/:integrationId',
      auth: 'integrations.manage',
      summary: 'One integration (never its secret).',
      tags: ['integrations'],
      params: integrationParams,
      handler: async ({ principal, params }) =>
        getIntegration(ctx, { principal, integrationId: params.integrationId }),
    }),
    route({
      id: 'integrations.revoke',
      method: 'DELETE',
      url: '/api/v1/integrations/:integrationId',
      auth: 'integrations.manage',
      summary: 'Revoke an integration: its endpoint answers 404 from now on.',
      tags: ['integrations'],
      params: integrationParams,
      status: 204,
      handler: async ({ principal, params }) => {
        await revokeWorkspaceIntegration(ctx, { principal, integrationId: params.integrationId });
        return null;
      },
    }),
    route({
      id: 'integrations.deliveries',
      method: 'GET',
      url: '/api/v1/integrations/:integrationId/deliveries',
      auth: 'integrations.manage',
      summary:
        'The integration’s authenticated deliveries, newest first: event id and type, processed / duplicate / ' +
        'rejected / failed, the HTTP status and error returned, the signal recorded. Requests that failed ' +
        'authentication are not logged.',
      tags: ['integrations'],
      params: integrationParams,
      query: z.strictObject({
        cursor: z.string().max(500).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
      handler: async ({ principal, params, query }) =>
        listIntegrationDeliveries(ctx, { principal, integrationId: params.integrationId, ...query }),
    }),
    route({
      id: 'inbound.deliver',
      method: 'POST',
      url: '/api/v1/inbound/:integrationId',
      // The signature is the authentication; the workspace is the integration's.
      auth: 'public',
      idempotent: false,
      rawBody: true,
      summary: INBOUND_SUMMARY,
      tags: ['integrations'],
      params: integrationParams,
      handler: async ({ params, req }) =>
        receiveDelivery(ctx, {
          integrationId: params.integrationId,
          headers: req.headers,
          body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        }),
    }),
  ];
}
