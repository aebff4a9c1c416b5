// The hash chain of a promise's ledger stream, as pure functions (no I/O).
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const EVENT_TYPES = [
  'created',
  'edited',
  'owner_changed',
  'renegotiated',
  'paused',
  'resumed',
  'kept',
  'broken',
  'cancelled',
  'commented',
  // The SLA clock (src/sla): due date/checkpoints re-derived after a calendar or policy change, and
  // the breach, recorded once.
  'sla_recomputed',
  'sla_breached',
  // Remedies for a missed guarantee: issued within the approval limit, or requested then approved.
  'remedy_requested',
  'remedy_issued',
  'remedy_approved',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One event of a stream, as stored. `occurredAt` is an ISO 8601 UTC string with milliseconds. */
export interface ChainedEvent {
  workspaceId: string;
  promiseId: string;
  seq: number;
  id: string;
  type: EventType;
  actorId: string;
  occurredAt: string;
  payload: JsonValue;
  prevHash: string;
  hash: string;
}

export type UnchainedEvent = Omit<ChainedEvent, 'prevHash' | 'hash' | 'seq'>;

/**
 * RFC 8785 (JCS) canonical JSON: keys sorted by UTF-16 code units, ECMAScript number form, no
 * whitespace. Written here rather than taken from a package because verification hashes every
 * event and the packages check strings for lone surrogates one character at a time in JS, which
 * was most of verify's time; `isWellFormed()` does it natively. chain.test.ts checks this against
 * the `canonicalize` package on random JSON.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw new Error('lone surrogate in string');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`${value} is not allowed in JSON`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v))).join(',')}]`;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
        return canonicalJson((value as { toJSON: () => unknown }).toJSON());
      }
      const obj = value as Record<string, unknown>;
      let out = '';
      for (const key of Object.keys(obj).sort()) {
        const v = obj[key];
        if (v === undefined || typeof v === 'function') continue;
        out += `${out ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(v)}`;
      }
      return `{${out}}`;
    }
    default:
      throw new Error(`${typeof value} is not allowed in JSON`);
  }
}

/** RFC 8785 canonical JSON of everything in the event except its own hash. */
export function canonicalEvent(e: Omit<ChainedEvent, 'hash'>): string {
  // The same bytes as canonicalJson({v: 1, workspace_id, promise_id, seq, id, type, actor_id,
  // occurred_at, payload, prev_hash}), with the fixed top-level keys written in their sorted
  // order directly (verify runs this for every event; chain.test.ts checks the equivalence).
  return (
    `{"actor_id":${canonicalJson(e.actorId)},"id":${canonicalJson(e.id)},` +
    `"occurred_at":${canonicalJson(e.occurredAt)},"payload":${canonicalJson(e.payload)},` +
    `"prev_hash":${canonicalJson(e.prevHash)},"promise_id":${canonicalJson(e.promiseId)},` +
    `"seq":${canonicalJson(e.seq)},"type":${canonicalJson(e.type)},"v":1,` +
    `"workspace_id":${canonicalJson(e.workspaceId)}}`
  );
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function hashEvent(e: Omit<ChainedEvent, 'hash'>): string {
  return sha256Hex(`${e.prevHash}\n${canonicalEvent(e)}`);
}

/** Links an event after `head` (the stream's last event, or none for a new stream). */
export function chainEvent(head: { seq: number; hash: string } | undefined, e: UnchainedEvent): ChainedEvent {
  const linked = { ...e, seq: (head?.seq ?? 0) + 1, prevHash: head?.hash ?? GENESIS_HASH };
  return { ...linked, hash: hashEvent(linked) };
}

export type StreamCheck =
  | { ok: true; events: number; head: { seq: number; hash: string } | undefined }
  | { ok: false; seq: number; eventId: string; reason: string };

/**
 * Checks one stream in seq order: gapless from 1, each prev_hash is the previous hash, and each
 * hash matches its recomputation. Reports the first bad event.
 */
export function verifyStream(events: readonly ChainedEvent[]): StreamCheck {
  let prev: { seq: number; hash: string } | undefined;
  let promiseId: string | undefined;
  for (const e of events) {
    const expectedSeq = (prev?.seq ?? 0) + 1;
    const bad = (reason: string): StreamCheck => ({ ok: false, seq: e.seq, eventId: e.id, reason });
    if (promiseId !== undefined && e.promiseId !== promiseId) return bad('event belongs to another stream');
    promiseId = e.promiseId;
    if (e.seq !== expectedSeq) return bad(`sequence gap: expected seq ${expectedSeq}, found ${e.seq}`);
    if (e.prevHash !== (prev?.hash ?? GENESIS_HASH))
      return bad('prev_hash does not match the previous event');
    let recomputed: string;
    try {
      recomputed = hashEvent(e);
    } catch (err) {
      return bad(`event cannot be canonicalised: ${(err as Error).message}`);
    }
    if (recomputed !== e.hash)
      return bad('hash does not match the event content (altered after it was written)');
    prev = { seq: e.seq, hash: e.hash };
  }
  return { ok: true, events: events.length, head: prev };
}

export interface StreamHead {
  promiseId: string;
  seq: number;
  hash: string;
}

/** The root a checkpoint signs: SHA-256 over every stream head, in promise id order. */
export function checkpointRoot(heads: readonly StreamHead[]): string {
  const sorted = [...heads].sort((a, b) =>
    a.promiseId < b.promiseId ? -1 : a.promiseId > b.promiseId ? 1 : 0,
  );
  const h = createHash('sha256');
  for (const head of sorted) h.update(`${head.promiseId}:${head.seq}:${head.hash}\n`);
  return h.digest('hex');
}

/** The exact bytes a checkpoint's signature covers. */
export function checkpointMessage(c: {
  workspaceId: string;
  id: string;
  createdAt: string;
  streamCount: number;
  eventCount: number;
  root: string;
}): string {
  return canonicalJson({
    v: 1,
    workspace_id: c.workspaceId,
    checkpoint_id: c.id,
    created_at: c.createdAt,
    stream_count: c.streamCount,
    event_count: c.eventCount,
    root: c.root,
  });
}
