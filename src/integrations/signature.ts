// Signed inbound deliveries, the Standard Webhooks scheme (https://www.standardwebhooks.com), so a
// sender can use any of its libraries (or Svix's) unchanged:
//   webhook-id:        the event's id (the same on every retry of one event)
//   webhook-timestamp: seconds since the epoch when this attempt was signed
//   webhook-signature: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`, several
//                      space-separated when the sender rotates keys (one matching is enough)
// The HMAC key is the base64 part of the `whsec_…` secret, decoded. Pure but for the randomness of
// a new secret; the clock is passed in.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';

export const SECRET_PREFIX = 'whsec_';
/** How far `webhook-timestamp` may be from the server clock, either way (a replay defence). */
export const TIMESTAMP_TOLERANCE_S = 5 * 60;
/** Event ids are stored, and prefixed with the integration id as the signal's external id (≤ 200). */
export const EVENT_ID_MAX = 160;

export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

function keyOf(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
}

function digest(secret: string, id: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.`, 'utf8').update(body).digest();
}

/** The `webhook-signature` value a sender computes (used by tests and the docs). */
export function signDelivery(secret: string, id: string, timestamp: number | string, body: Buffer | string) {
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return `v1,${digest(secret, id, String(timestamp), raw).toString('base64')}`;
}

/** Request headers, names in lower case (as Node gives them). */
export type DeliveryHeaders = Record<string, string | string[] | undefined>;
type DeliveryHeader = 'webhook-id' | 'webhook-timestamp' | 'webhook-signature';

const unauthenticated = (field: string, why: string) =>
  new AppError('unauthenticated', `${field}: ${why}`, { field });

function single(headers: DeliveryHeaders, name: DeliveryHeader): string {
  const v = headers[name];
  if (v === undefined || v === '') throw unauthenticated(name, 'the header is required');
  if (typeof v !== 'string') throw unauthenticated(name, 'give the header once');
  return v;
}

/**
 * Checks a delivery's headers and signature against `secret` at `now`; returns the event id.
 * Every failure is a 401 naming the header. Signatures are compared in constant time.
 */
export function verifyDelivery(secret: string, headers: DeliveryHeaders, body: Buffer, now: Date): string {
  const id = single(headers, 'webhook-id');
  // Printable ASCII: the id is stored and shown, and is part of the signed string.
  if (id.length > EVENT_ID_MAX || !/^[\x21-\x7e]+$/.test(id)) {
    throw unauthenticated('webhook-id', `must be 1–${EVENT_ID_MAX} printable ASCII characters`);
  }
  const timestamp = single(headers, 'webhook-timestamp');
  if (!/^\d{1,12}$/.test(timestamp))
    throw unauthenticated('webhook-timestamp', 'must be whole seconds since 1970');
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_S) {
    throw unauthenticated(
      'webhook-timestamp',
      `is more than ${TIMESTAMP_TOLERANCE_S / 60} minutes from the server clock (${now.toISOString()})`,
    );
  }
  const given = single(headers, 'webhook-signature');
  const expected = digest(secret, id, timestamp, body);
  let matched = false;
  for (const part of given.split(' ')) {
    const [version, sig] = part.split(',', 2);
    if (version !== 'v1' || !sig) continue;
    const candidate = Buffer.from(sig, 'base64');
    // Keep looking after a match, so the time taken does not say which signature matched.
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
  }
  if (!matched) throw unauthenticated('webhook-signature', 'no v1 signature matches this body and secret');
  return id;
}
