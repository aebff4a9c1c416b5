// Delivery rules, pure: when to try again (exponential backoff with jitter, capped, spanning more
// than a day), what an HTTP status means for a delivery, and which addresses an outbound request
// may reach. Time and randomness are passed in.
import ipaddr from 'ipaddr.js';

/** The first retry waits this long; each later one twice the one before… */
export const BACKOFF_BASE_MS = 30_000;
/** …up to this. */
export const BACKOFF_CAP_MS = 6 * 3_600_000;
/** Jitter adds up to this fraction of the delay, so receivers recovering are not stampeded. */
export const BACKOFF_JITTER = 0.2;
/**
 * Attempts before a delivery is `failed`: 30 s, 1 m, 2 m … 4 h 16 m, then 6 h three times between
 * them, ≈ 26.5 h from the first attempt to the last (without jitter) — over a day of receiver outage.
 */
export const MAX_ATTEMPTS = 14;
/** A claimed delivery is leased for this long; a worker that dies leaves it to be re-sent after. */
export const LEASE_MS = 60_000;

/** The delay after failed attempt `attempt` (1-based) without jitter. */
export function nominalDelayMs(attempt: number): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) overflows to Infinity long after the cap, which min() absorbs.
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (n - 1));
}

/** The delay after failed attempt `attempt`, with jitter: `random` is uniform in [0, 1). */
export function retryDelayMs(attempt: number, random: number): number {
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(nominalDelayMs(attempt) * (1 + BACKOFF_JITTER * r));
}

/** When to try again after failed attempt `attempt`, or null when attempts are exhausted. */
export function nextAttemptAt(attempt: number, now: Date, random: number): Date | null {
  if (attempt >= MAX_ATTEMPTS) return null;
  return new Date(now.getTime() + retryDelayMs(attempt, random));
}

/** What one attempt's result means for the delivery. */
export type Verdict = 'success' | 'retry' | 'drop';

/**
 * A receiver's final HTTP status (after redirects): 2xx delivered; 408, 429 and 5xx are transient;
 * every other status (4xx, a 3xx that could not be followed, 1xx) will not change by retrying.
 */
export function verdictForStatus(status: number): Verdict {
  if (status >= 200 && status < 300) return 'success';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'drop';
}

/** A failed attempt's outcome as logged: a retry while attempts remain, else failed. */
export function outcomeFor(verdict: Verdict, attempt: number): 'success' | 'retry' | 'failed' | 'dropped' {
  if (verdict === 'success') return 'success';
  if (verdict === 'drop') return 'dropped';
  return attempt >= MAX_ATTEMPTS ? 'failed' : 'retry';
}

/**
 * Why an address may not be reached by an outbound request without the workspace's allowance
 * (its ipaddr.js range: loopback, private, linkLocal, uniqueLocal, carrierGradeNat, unspecified,
 * multicast, reserved…), or null when it is a public unicast address. IPv4-mapped IPv6 addresses
 * are judged as the IPv4 address they carry.
 */
export function refusedRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
  }
  const range = ip.range();
  return range === 'unicast' ? null : range;
}

/** Even an allowed private target may not be one of these (no TCP connection can be made). */
export function neverReachable(address: string): boolean {
  const r = refusedRange(address);
  return r === 'multicast' || r === 'broadcast' || r === 'not an IP address';
}
