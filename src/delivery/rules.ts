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
/**
 * One send, whatever its channel does, is abandoned and aborted after this. Every send of a batch
 * starts at once (a batch is at most `concurrency` rows), so the whole batch is sent by then.
 */
export const SEND_DEADLINE_MS = 40_000;
/**
 * What the lease must hold besides the sends: reading the targets before, recording the attempts
 * after, and clock skew between instances. SEND_DEADLINE_MS + this stays within LEASE_MS, so a
 * lease never runs out under a worker that is still alive (which would send the row twice).
 */
export const SETTLE_MARGIN_MS = 20_000;

/**
 * Rows to claim per batch: never more than are sent at once, so no row of a batch waits for a send
 * slot while its lease runs down.
 */
export function claimLimit(batchSize: number | undefined, concurrency: number): number {
  const c = Math.max(1, Math.floor(concurrency));
  return Math.max(1, Math.min(Math.floor(batchSize ?? c), c));
}

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
 * every other status (4xx, a 3xx that could not be followed, 1xx, or a number outside 100–599) will
 * not change by retrying.
 */
export function verdictForStatus(status: number): Verdict {
  // Not an HTTP status at all (a receiver answering 999): nothing to wait for.
  if (!isHttpStatus(status)) return 'drop';
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

/** A status an HTTP response may carry (RFC 9110: three digits, 100–599); parsers accept any three. */
export function isHttpStatus(status: number): boolean {
  return Number.isInteger(status) && status >= 100 && status <= 599;
}

/** Why an outbound request may not go to an address: its range, and whether the allowance would open it. */
export interface Refusal {
  range: string;
  /** Refused even when the workspace allows private targets. */
  always: boolean;
}

/** IPv4 ranges no allowance opens: no service of ours lives there, cloud metadata does (169.254.169.254). */
const NEVER_V4 = new Set(['unspecified', 'linkLocal', 'multicast', 'broadcast']);
/** The only IPv6 ranges the allowance opens; anything else outside global unicast is refused. */
const PRIVATE_V6 = new Set(['loopback', 'uniqueLocal']);

/**
 * Whether an outbound request may go to `address` (as DNS returned it), or why not.
 * IPv4: public unicast passes; loopback, private (RFC 1918), CGNAT and reserved ranges need the
 * workspace's allowance; unspecified (0.0.0.0/8), link-local (169.254.0.0/16, where cloud metadata
 * lives), multicast and broadcast are always refused. IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged
 * as the IPv4 address it carries. IPv6: only global unicast (2000::/3, minus ipaddr.js's special
 * ranges: documentation, Teredo, 6to4, benchmarking…) passes; the allowance opens loopback (::1)
 * and unique-local (fc00::/7); everything else — link-local, unspecified, the deprecated
 * IPv4-compatible ::a.b.c.d, NAT64 prefixes, unallocated space — is always refused.
 */
export function judgeAddress(address: string, allowPrivate: boolean): Refusal | null {
  if (!ipaddr.isValid(address)) return { range: 'not an IP address', always: true };
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
  }
  const range = ip.range();
  if (ip.kind() === 'ipv4') {
    if (range === 'unicast') return null;
    if (NEVER_V4.has(range)) return { range, always: true };
    return allowPrivate ? null : { range, always: false };
  }
  const globalUnicast = ((ip as ipaddr.IPv6).parts[0]! & 0xe000) === 0x2000;
  if (range === 'unicast' && globalUnicast) return null;
  if (PRIVATE_V6.has(range)) return allowPrivate ? null : { range, always: false };
  return { range: range === 'unicast' ? 'outside global unicast (2000::/3)' : range, always: true };
}

/**
 * Why an address may not be reached by an outbound request without the workspace's allowance, or
 * null when it is a public unicast address (see judgeAddress).
 */
export function refusedRange(address: string): string | null {
  return judgeAddress(address, false)?.range ?? null;
}

/** Refused even for a workspace that allows private targets (see judgeAddress). */
export function neverReachable(address: string): boolean {
  return judgeAddress(address, true) !== null;
}
