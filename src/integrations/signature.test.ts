import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signDelivery, verifyDelivery } from './signature.js';

// The published Standard Webhooks test vector: a sender's library must produce exactly this.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const at = (s: number) => new Date(s * 1000);
const headers = (o: Partial<Record<string, string>> = {}) => ({
  'webhook-id': VECTOR.id,
  'webhook-timestamp': String(VECTOR.timestamp),
  'webhook-signature': VECTOR.signature,
  ...o,
});

describe('Standard Webhooks signatures', () => {
  it('reproduces the published test vector', () => {
    expect(signDelivery(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    expect(verifyDelivery(VECTOR.secret, headers(), Buffer.from(VECTOR.body), at(VECTOR.timestamp))).toBe(
      VECTOR.id,
    );
  });

  it('accepts any one matching signature of several (key rotation) and ignores other versions', () => {
    const h = headers({ 'webhook-signature': `v1a,xyz v1,bm9wZQ== ${VECTOR.signature}` });
    expect(verifyDelivery(VECTOR.secret, h, Buffer.from(VECTOR.body), at(VECTOR.timestamp))).toBe(VECTOR.id);
  });

  it('refuses a changed body, id or timestamp, another secret, and a stale or future timestamp', () => {
    const body = Buffer.from(VECTOR.body);
    const now = at(VECTOR.timestamp);
    const refuse = (h: Record<string, string | string[] | undefined>, b = body, t = now) =>
      expect(() => verifyDelivery(VECTOR.secret, h, b, t)).toThrow(/webhook-/);
    refuse(headers(), Buffer.from('{"test": 2432232315}'));
    refuse(headers({ 'webhook-id': 'msg_other' }));
    refuse(headers({ 'webhook-timestamp': String(VECTOR.timestamp + 1) }), body, at(VECTOR.timestamp + 1));
    refuse(headers(), body, at(VECTOR.timestamp + 301));
    refuse(headers(), body, at(VECTOR.timestamp - 301));
    refuse(headers({ 'webhook-signature': VECTOR.signature.replace('v1,', 'v2,') }));
    refuse({ ...headers(), 'webhook-signature': undefined });
    refuse({ ...headers(), 'webhook-id': [VECTOR.id, VECTOR.id] });
    expect(() => verifyDelivery(newWebhookSecret(), headers(), body, now)).toThrow(/webhook-signature/);
    // Within the tolerance both ways.
    expect(verifyDelivery(VECTOR.secret, headers(), body, at(VECTOR.timestamp + 300))).toBe(VECTOR.id);
    expect(verifyDelivery(VECTOR.secret, headers(), body, at(VECTOR.timestamp - 300))).toBe(VECTOR.id);
  });

  it('makes secrets in the whsec_ format with 256 random bits', () => {
    const s = newWebhookSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(s);
  });
});
