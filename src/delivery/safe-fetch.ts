// Outbound HTTP POSTs to URLs users configured (webhook subscriptions, Slack-compatible webhooks),
// safe against server-side request forgery: the host is resolved, every address checked
// (rules.refusedRange) unless the workspace allows private targets, and the connection pinned to
// the checked address (a custom `lookup`), so a second DNS answer cannot swap it (rebinding).
// Redirects are followed by hand, at most 3, each hop checked again. At most 64 KB of a response
// is read. Every phase has a deadline (DNS included), and the caller's AbortSignal ends the request
// at once. Never throws: the result says what happened and whether a retry could help.
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isHttpStatus, judgeAddress, type Verdict, verdictForStatus } from './rules.js';

export const MAX_REDIRECTS = 3;
export const MAX_RESPONSE_BYTES = 64 * 1024;
export const HTTP_TIMEOUT_MS = 10_000;
/**
 * dns.lookup runs on libuv's small threadpool and has no timeout of its own: a resolver that never
 * answers would hold the send (and a pool thread) indefinitely. The wait is bounded; the lookup
 * itself cannot be cancelled and finishes in the background.
 */
export const DNS_TIMEOUT_MS = 5_000;

export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolve: Resolve = (host) => dnsLookup(host, { all: true, verbatim: true });

export interface SafePostOptions {
  /** The workspace allows loopback/private targets (self-hosted networks, tests). */
  allowPrivate: boolean;
  /** Deadline per hop: connect, response headers and the (bounded) body. */
  timeoutMs?: number;
  maxRedirects?: number;
  maxBodyBytes?: number;
  /** Deadline for resolving each hop's host. */
  dnsTimeoutMs?: number;
  /** Ends the send at once (the request is destroyed): the caller gave up on it. */
  signal?: AbortSignal | undefined;
  /** How host names are resolved (default: dns.lookup, all addresses). */
  resolve?: Resolve;
}

export interface SafePostResult {
  verdict: Verdict;
  /** The last HTTP status received, if any. */
  status: number | null;
  /** Why it did not succeed (null on success). */
  error: string | null;
  /** At most maxBodyBytes of the final response, as text. */
  body: string;
  /** The URLs requested, in order (the first is the one given). */
  hops: string[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type Pinned = { address: string; family: 4 | 6 };

const TIMED_OUT = Symbol('timed out');
const ABORTED = Symbol('aborted');

/** `p`, or a marker when `ms` passed or `signal` aborted first (`p` is then left to settle alone). */
function bounded<T>(
  p: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<T | typeof TIMED_OUT | typeof ABORTED> {
  if (signal?.aborted) return Promise.resolve(ABORTED);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<typeof TIMED_OUT | typeof ABORTED>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
    onAbort = () => resolve(ABORTED);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  // A lookup that fails after the deadline has nobody listening: keep it from being unhandled.
  p.catch(() => {});
  return Promise.race([p, stop]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  });
}

async function resolveChecked(
  host: string,
  allowPrivate: boolean,
  resolve: Resolve,
  dnsTimeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ ok: true; pinned: Pinned } | { ok: false; verdict: Verdict; error: string }> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  let addresses: { address: string; family: number }[];
  try {
    const answer = await bounded(resolve(bare), dnsTimeoutMs, signal);
    if (answer === ABORTED) return { ok: false, verdict: 'retry', error: `aborted while resolving ${bare}` };
    if (answer === TIMED_OUT) {
      // Resolvers recover: a retry with backoff, like any other transient failure.
      return {
        ok: false,
        verdict: 'retry',
        error: `cannot resolve ${bare}: no answer within ${dnsTimeoutMs} ms`,
      };
    }
    addresses = answer;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A name that does not exist may exist later (a typo fixed, DNS propagation): retry.
    return {
      ok: false,
      verdict: 'retry',
      error: `cannot resolve ${bare}: ${code ?? (err as Error).message}`,
    };
  }
  if (addresses.length === 0) return { ok: false, verdict: 'retry', error: `${bare} has no addresses` };
  // Every address must pass, not only the first: the client may pick any of them.
  for (const a of addresses) {
    const refused = judgeAddress(a.address, allowPrivate);
    if (refused?.always) {
      return {
        ok: false,
        verdict: 'drop',
        error: `refused: ${bare} resolves to ${a.address} (${refused.range}), which is never delivered to`,
      };
    }
    if (refused) {
      return {
        ok: false,
        verdict: 'drop',
        error: `refused: ${bare} resolves to ${a.address} (${refused.range}); the workspace does not allow private webhook targets`,
      };
    }
  }
  const first = addresses[0]!;
  return { ok: true, pinned: { address: first.address, family: first.family === 6 ? 6 : 4 } };
}

function pinnedLookup(p: Pinned): LookupFunction {
  return ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (options?.all) cb(null, [{ address: p.address, family: p.family }]);
    else cb(null, p.address, p.family);
  }) as unknown as LookupFunction;
}

/**
 * Keep-alive pools, one per (scheme, host, port, checked address): a pooled socket is connected to
 * the address that was checked for this very host, so reusing it cannot reach anything else; a
 * host that now resolves elsewhere gets (after its own check) another pool. Bounded; the oldest
 * pool is closed first.
 */
const agents = new Map<string, http.Agent>();
const MAX_AGENTS = 256;

function agentFor(url: URL, pinned: Pinned): http.Agent {
  const key = `${url.protocol}//${url.hostname}:${url.port}@${pinned.address}`;
  let agent = agents.get(key);
  if (!agent) {
    const options = { keepAlive: true, maxSockets: 32, maxFreeSockets: 32, timeout: 30_000 };
    agent = url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    if (agents.size >= MAX_AGENTS) {
      const [oldest, old] = agents.entries().next().value as [string, http.Agent];
      old.destroy();
      agents.delete(oldest);
    }
    agents.set(key, agent);
  }
  return agent;
}

interface HopResult {
  status: number;
  location: string | undefined;
  body: string;
}

function requestOnce(
  url: URL,
  pinned: Pinned,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  maxBodyBytes: number,
  signal: AbortSignal | undefined,
): Promise<HopResult> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    let settled = false;
    // `keep`: the response was read to its end, so the socket may serve the next request.
    const finish = (err: Error | null, value?: HopResult, keep = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      if (!keep) req.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const req = mod.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(pinned),
        agent: agentFor(url, pinned),
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (keep: boolean) =>
          finish(
            null,
            {
              status: res.statusCode ?? 0,
              location: typeof res.headers.location === 'string' ? res.headers.location : undefined,
              body: Buffer.concat(chunks).toString('utf8').slice(0, maxBodyBytes),
            },
            keep,
          );
        res.on('data', (chunk: Buffer) => {
          const room = maxBodyBytes - size;
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size += chunk.length;
          // Enough read: stop here rather than buffer (or even receive) a huge body.
          if (size >= maxBodyBytes) done(false);
        });
        res.on('end', () => done(true));
        res.on('error', (err) => finish(err));
      },
    );
    const deadline = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    req.on('timeout', () => finish(new Error(`timed out after ${timeoutMs} ms (socket idle)`)));
    req.on('error', (err) => finish(err));
    // The caller gave up (the send deadline): close the connection now rather than at our timeout.
    function onAbort() {
      finish(new Error('aborted: the send was abandoned'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    req.end(body);
  });
}

/** POSTs `body` to `url` under the rules above. */
export async function safePost(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: SafePostOptions,
): Promise<SafePostResult> {
  const timeoutMs = opts.timeoutMs ?? HTTP_TIMEOUT_MS;
  const maxRedirects = opts.maxRedirects ?? MAX_REDIRECTS;
  const maxBodyBytes = opts.maxBodyBytes ?? MAX_RESPONSE_BYTES;
  const dnsTimeoutMs = opts.dnsTimeoutMs ?? DNS_TIMEOUT_MS;
  const { signal } = opts;
  const hops: string[] = [];
  const fail = (verdict: Verdict, error: string, status: number | null = null): SafePostResult => ({
    verdict,
    status,
    error,
    body: '',
    hops,
  });
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    return fail('drop', `not a URL: ${url.slice(0, 200)}`);
  }
  for (;;) {
    if (signal?.aborted) return fail('retry', 'aborted: the send was abandoned');
    hops.push(current.toString());
    if (current.protocol !== 'http:' && current.protocol !== 'https:') {
      return fail('drop', `refused: ${current.protocol} URLs are not delivered to (http and https only)`);
    }
    if (current.username || current.password) return fail('drop', 'refused: URLs with credentials');
    const checked = await resolveChecked(
      current.hostname,
      opts.allowPrivate,
      opts.resolve ?? systemResolve,
      dnsTimeoutMs,
      signal,
    );
    if (!checked.ok) return fail(checked.verdict, checked.error);
    let hop: HopResult;
    try {
      hop = await requestOnce(current, checked.pinned, body, headers, timeoutMs, maxBodyBytes, signal);
    } catch (err) {
      return fail('retry', `${current.host}: ${(err as Error).message}`);
    }
    // HTTP parsers take any three digits; the delivery log (and RFC 9110) only 100–599. Such a
    // receiver is broken, not busy: no retry.
    if (!isHttpStatus(hop.status)) return fail('drop', `invalid HTTP status ${hop.status}`);
    if (REDIRECTS.has(hop.status) && hop.location) {
      let next: URL;
      try {
        next = new URL(hop.location, current);
      } catch {
        return fail('drop', `redirect to an invalid URL: ${hop.location.slice(0, 200)}`, hop.status);
      }
      if (hops.includes(next.toString())) {
        return fail('drop', `redirect loop: ${next.toString()} was already requested`, hop.status);
      }
      if (hops.length > maxRedirects) {
        return fail('drop', `too many redirects (more than ${maxRedirects})`, hop.status);
      }
      // The same POST is sent on: a webhook is only meaningful as one.
      current = next;
      continue;
    }
    const verdict = verdictForStatus(hop.status);
    return {
      verdict,
      status: hop.status,
      error:
        verdict === 'success' ? null : `HTTP ${hop.status}${hop.body ? `: ${hop.body.slice(0, 200)}` : ''}`,
      body: hop.body,
      hops,
    };
  }
}
