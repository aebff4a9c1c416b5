// Outbound webhooks are signed like the inbound ones we accept (src/integrations/signature.ts):
// Standard Webhooks headers, HMAC-SHA256 over "<webhook-id>.<webhook-timestamp>.<body>" keyed by
// the base64 part of the subscription's whsec_ secret. Pure; the clock is passed in.
import { signDelivery } from '../integrations/signature.js';

export { newWebhookSecret } from '../integrations/signature.js';

/** The body every subscriber receives: the Standard Webhooks payload shape. */
export function webhookBody(d: {
  eventType: string;
  createdAt: Date;
  data: Record<string, unknown>;
}): string {
  return JSON.stringify({ type: d.eventType, timestamp: d.createdAt.toISOString(), data: d.data });
}

/**
 * Headers of one attempt. `webhook-id` is the delivery id, the same on every attempt and replay
 * (receivers dedupe by it); `webhook-timestamp` is when this attempt was signed.
 */
export function webhookHeaders(
  secret: string,
  deliveryId: string,
  body: string,
  now: Date,
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'PromiseLedger-Webhooks/1',
    'webhook-id': deliveryId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signDelivery(secret, deliveryId, timestamp, body),
  };
}
