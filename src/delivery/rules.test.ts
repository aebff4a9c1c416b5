import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BACKOFF_CAP_MS,
  BACKOFF_JITTER,
  claimLimit,
  isHttpStatus,
  judgeAddress,
  LEASE_MS,
  MAX_ATTEMPTS,
  neverReachable,
  nextAttemptAt,
  nominalDelayMs,
  outcomeFor,
  refusedRange,
  retryDelayMs,
  SEND_DEADLINE_MS,
  SETTLE_MARGIN_MS,
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

describe('the lease', () => {
  it('holds a whole batch: every send’s deadline plus the time to settle fits inside it', () => {
    expect(SETTLE_MARGIN_MS).toBeGreaterThanOrEqual(10_000);
    expect(SEND_DEADLINE_MS + SETTLE_MARGIN_MS).toBeLessThanOrEqual(LEASE_MS);
  });

  it('a batch is never larger than the sends in flight at once', () => {
    expect(claimLimit(200, 64)).toBe(64);
    expect(claimLimit(undefined, 64)).toBe(64);
    expect(claimLimit(10, 64)).toBe(10);
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: -5, max: 10_000 }), { nil: undefined }),
        fc.integer({ min: 0, max: 1000 }),
        (batch, concurrency) => {
          const n = claimLimit(batch, concurrency);
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(Math.max(1, concurrency));
        },
      ),
    );
  });
});

describe('verdicts', () => {
  it('2xx is success; 408, 429, 5xx retry; other statuses drop', () => {
    expect([200, 201, 204, 299].map(verdictForStatus)).toEqual(['success', 'success', 'success', 'success']);
    expect([408, 429, 500, 502, 503, 599].map(verdictForStatus)).toEqual(Array(6).fill('retry'));
    expect([100, 301, 400, 401, 404, 410, 422].map(verdictForStatus)).toEqual(Array(7).fill('drop'));
  });

  it('a number outside 100–599 is not an HTTP status, and is dropped rather than retried', () => {
    for (const s of [0, 42, 99, 600, 999, 1000, -500, 200.5, Number.NaN]) {
      expect(isHttpStatus(s), String(s)).toBe(false);
      expect(verdictForStatus(s), String(s)).toBe('drop');
    }
    expect([100, 599].map(isHttpStatus)).toEqual([true, true]);
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

  it('link-local (cloud metadata) and unspecified addresses are refused even with the allowance', () => {
    for (const a of [
      '169.254.169.254',
      '169.254.0.1',
      '0.0.0.0',
      '0.1.2.3',
      'fe80::1',
      'febf::1',
      '::',
      '::ffff:169.254.169.254',
      '::ffff:0.0.0.0',
      '224.0.0.1',
      'ff02::1',
    ]) {
      expect(judgeAddress(a, true), a).toMatchObject({ always: true });
      expect(neverReachable(a), a).toBe(true);
    }
  });

  it('the allowance opens loopback, RFC 1918, CGNAT, IPv6 loopback and unique-local — and only those kinds', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '192.168.1.1',
      '100.64.0.1',
      '::1',
      'fd00::1',
      'fc00::1',
      '::ffff:127.0.0.1',
    ]) {
      expect(judgeAddress(a, false), a).toMatchObject({ always: false });
      expect(judgeAddress(a, true), a).toBeNull();
    }
  });

  it('IPv6 outside global unicast is refused whatever the allowance: ::a.b.c.d, documentation, unallocated', () => {
    for (const a of [
      '::7f00:1', // ::127.0.0.1, the deprecated IPv4-compatible form
      '::a9fe:a9fe', // ::169.254.169.254
      '::0.0.0.1',
      '::ffff:0:7f00:1', // IPv4-translated (RFC 6145)
      '64:ff9b::7f00:1', // NAT64
      '2001:db8::1', // documentation
      '2002:7f00:1::1', // 6to4 around 127.0.0.1
      '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
      '4000::1', // unallocated
      'fec0::1', // deprecated site-local
    ]) {
      expect(judgeAddress(a, true), a).toMatchObject({ always: true });
      expect(judgeAddress(a, false), a).toMatchObject({ always: true });
    }
  });

  it('an IPv4-mapped address is judged exactly as the IPv4 address it carries', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(octet, octet, octet, octet, fc.boolean(), (a, b, c, d, allow) => {
        const v4 = `${a}.${b}.${c}.${d}`;
        expect(judgeAddress(`::ffff:${v4}`, allow)).toEqual(judgeAddress(v4, allow));
      }),
    );
  });

  it('no IPv6 address outside 2000::/3 passes with the allowance but ::1, fc00::/7 and IPv4-mapped forms', () => {
    const hextet = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(fc.array(hextet, { minLength: 8, maxLength: 8 }), (parts) => {
        if ((parts[0]! & 0xe000) === 0x2000) return;
        const a = parts.map((p) => p.toString(16)).join(':');
        const mapped = parts.slice(0, 5).every((p) => p === 0) && parts[5] === 0xffff;
        const loopback = parts.slice(0, 7).every((p) => p === 0) && parts[7] === 1;
        const uniqueLocal = (parts[0]! & 0xfe00) === 0xfc00;
        if (mapped || loopback || uniqueLocal) return;
        expect(judgeAddress(a, true), a).toMatchObject({ always: true });
      }),
    );
  });
});
