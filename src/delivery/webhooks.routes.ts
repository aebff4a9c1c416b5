// Outbound webhook subscriptions over HTTP, for admins (webhooks.manage): the workspace's events
// are POSTed, signed (Standard Webhooks), to each subscribed URL, with retries and a log.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { text, uuid } from '../http/schemas.js';
import {
  createSubscription,
  getSubscription,
  listSubscriptionDeliveries,
  listSubscriptions,
  replayDelivery,
  revokeSubscription,
} from './manage-webhooks.js';
import { MAX_ATTEMPTS } from './rules.js';

const webhookParams = z.strictObject({ webhookId: uuid() });

const webhookUrl = z
  .string()
  .trim()
  .max(2000, 'must be at most 2000 characters')
  .pipe(z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }));

const eventType = z
  .string()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'must be an event type such as reminder.overdue')
  .max(100);

export function webhookRoutes(ctx: AppContext): AnyRoute[] {
  return [
    route({
      id: 'webhooks.create',
      method: 'POST',
      url: '/api/v1/webhooks',
      auth: 'webhooks.manage',
      // Not replayable: a stored response would keep the secret in plain text.
      idempotent: false,
      summary:
        'Subscribe a URL to the workspace’s events (eventTypes, e.g. reminder.overdue; empty or absent = all). ' +
        'Each event is POSTed as {"type", "timestamp", "data"} with Standard Webhooks headers: webhook-id (the ' +
        'same on every retry and replay: dedupe by it), webhook-timestamp and webhook-signature (v1,<base64 ' +
        'HMAC-SHA256 of "<id>.<timestamp>.<body>"> keyed by the base64 part of the whsec_ secret). The response ' +
        `carries the secret once. A 2xx answer is success; 408, 429, 5xx and timeouts are retried with backoff (${MAX_ATTEMPTS} ` +
        'attempts over more than 24 hours); other answers drop the delivery. URLs resolving to loopback, private ' +
        'or link-local addresses are refused unless the workspace allows private targets.',
      tags: ['webhooks'],
      status: 201,
      body: z.strictObject({
        url: webhookUrl,
        eventTypes: z.array(eventType).max(50).default([]),
        description: text(500).optional(),
      }),
      handler: async ({ principal, body }) => createSubscription(ctx, { principal, input: body }),
    }),
    route({
      id: 'webhooks.list',
      method: 'GET',
      url: '/api/v1/webhooks',
      auth: 'webhooks.manage',
      summary: 'The workspace’s webhook subscriptions, newest first (never their secrets).',
      tags: ['webhooks'],
      handler: async ({ principal }) => ({ data: await listSubscriptions(ctx, { principal }) }),
    }),
    route({
      id: 'webhooks.get',
      method: 'GET',
      url: '/api/v1/webhooks/:webhookId',
      auth: 'webhooks.manage',
      summary: 'One webhook subscription (never its secret).',
      tags: ['webhooks'],
      params: webhookParams,
      handler: async ({ principal, params }) =>
        getSubscription(ctx, { principal, webhookId: params.webhookId }),
    }),
    route({
      id: 'webhooks.revoke',
      method: 'DELETE',
      url: '/api/v1/webhooks/:webhookId',
      auth: 'webhooks.manage',
      summary: 'Revoke a subscription: nothing more is sent to it (pending deliveries are dropped).',
      tags: ['webhooks'],
      params: webhookParams,
      status: 204,
      handler: async ({ principal, params }) => {
        await revokeSubscription(ctx, { principal, webhookId: params.webhookId });
        return null;
      },
    }),
    route({
      id: 'webhooks.deliveries',
      method: 'GET',
      url: '/api/v1/webhooks/:webhookId/deliveries',
      auth: 'webhooks.manage',
      summary:
        'The subscription’s deliveries, newest first: event type, status (pending, delivered, failed, dropped), ' +
        'the next attempt, and the log of every attempt (outcome, HTTP status, error, duration).',
      tags: ['webhooks'],
      params: webhookParams,
      query: z.strictObject({
        cursor: z.string().max(500).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      handler: async ({ principal, params, query }) =>
        listSubscriptionDeliveries(ctx, { principal, webhookId: params.webhookId, ...query }),
    }),
    route({
      id: 'webhooks.deliveries.replay',
      method: 'POST',
      url: '/api/v1/webhooks/:webhookId/deliveries/:deliveryId/replay',
      auth: 'webhooks.manage',
      summary:
        'Send a delivery again: it is due now and the worker makes one more attempt of the same message with the ' +
        'same webhook-id. 409 when the subscription is revoked.',
      tags: ['webhooks'],
      params: z.strictObject({ webhookId: uuid(), deliveryId: uuid() }),
      status: 202,
      handler: async ({ principal, params }) =>
        replayDelivery(ctx, { principal, webhookId: params.webhookId, deliveryId: params.deliveryId }),
    }),
  ];
}
