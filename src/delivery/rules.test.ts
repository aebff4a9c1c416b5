import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BACKOFF_CAP_MS,
  BACKOFF_JITTER,
  MAX_ATTEMPTS,
  nextAttemptAt,
  nominalDelayMs,
  outcomeFor,
  refusedRange,
  retryDelayMs,
  verdictForStatus,
} from './rules.js';

const attempt = fc.integer({ min: 1, max: 200 });
const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoff', () => {
  it('starts at 30 s and doubles: 30 s, 1 m, 2 m, 4 m', () => {
    expect([1, 2, 3, 4].map(nominalDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
  });

  it('never decreases from one attempt to the next, and never exceeds the cap', () => {
    fc.assert(
      fc.property(attempt, (n) => {
        expect(nominalDelayMs(n + 1)).toBeGreaterThanOrEqual(nominalDelayMs(n));
        expect(nominalDelayMs(n)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
      }),
    );
  });

  it('strictly increases until it reaches the cap', () => {
    fc.assert(
      fc.property(attempt, (n) => {
        if (nominalDelayMs(n + 1) < BACKOFF_CAP_MS)
          expect(nominalDelayMs(n + 1)).toBeGreaterThan(nominalDelayMs(n));
      }),
    );
  });

  it('jitter stays within [delay, delay × (1 + jitter)]', () => {
    fc.assert(
      fc.property(attempt, random, (n, r) => {
        const d = retryDelayMs(n, r);
        expect(d).toBeGreaterThanOrEqual(nominalDelayMs(n));
        expect(d).toBeLessThanOrEqual(Math.ceil(nominalDelayMs(n) * (1 + BACKOFF_JITTER)));
      }),
    );
  });

  it('retries span at least 24 hours before a delivery is failed, whatever the jitter', () => {
    fc.assert(
      fc.property(fc.array(random, { minLength: MAX_ATTEMPTS, maxLength: MAX_ATTEMPTS }), (rs) => {
        let at = new Date('2026-11-02T09:00:00Z');
        const first = at.getTime();
        for (let n = 1; n < MAX_ATTEMPTS; n++) {
          const next = nextAttemptAt(n, at, rs[n]!);
          expect(next).not.toBeNull();
          expect(next!.getTime()).toBeGreaterThan(at.getTime());
          at = next!;
        }
        expect(at.getTime() - first).toBeGreaterThanOrEqual(24 * 3_600_000);
        expect(nextAttemptAt(MAX_ATTEMPTS, at, rs[0]!)).toBeNull();
      }),
    );
  });
});

describe('verdicts', () => {
  it('2xx is success; 408, 429, 5xx retry; other statuses drop', () => {
    expect([200, 201, 204, 299].map(verdictForStatus)).toEqual(['success', 'success', 'success', 'success']);
    expect([408, 429, 500, 502, 503, 599].map(verdictForStatus)).toEqual(Array(6).fill('retry'));
    expect([100, 301, 400, 401, 404, 410, 422].map(verdictForStatus)).toEqual(Array(7).fill('drop'));
  });

  it('a retry on the last attempt is failed', () => {
    expect(outcomeFor('retry', 1)).toBe('retry');
    expect(outcomeFor('retry', MAX_ATTEMPTS)).toBe('failed');
    expect(outcomeFor('drop', 1)).toBe('dropped');
    expect(outcomeFor('success', MAX_ATTEMPTS)).toBe('success');
  });
});

describe('outbound addresses', () => {
  it('refuses loopback, private, link-local, unique-local, CGNAT, unspecified, multicast and mapped forms', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
    ]) {
      expect(refusedRange(a), a).not.toBeNull();
    }
  });

  it('accepts public unicast addresses', () => {
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(refusedRange(a), a).toBeNull();
    }
  });
});
