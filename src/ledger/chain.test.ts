import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChainedEvent,
  canonicalEvent,
  canonicalJson,
  chainEvent,
  checkpointRoot,
  EVENT_TYPES,
  GENESIS_HASH,
  verifyStream,
} from './chain.js';

const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: 'grapheme' }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }), tie('value'), { maxKeys: 3 }),
  ),
})).value;

const eventBody = fc.record({
  type: fc.constantFrom(...EVENT_TYPES),
  actorId: fc.uuid(),
  occurredAt: fc
    .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  payload: fc.dictionary(fc.string({ maxLength: 10 }), json, { maxKeys: 4 }),
  id: fc.uuid(),
});

const stream = fc
  .tuple(fc.uuid(), fc.uuid(), fc.array(eventBody, { minLength: 1, maxLength: 6 }))
  .map(([workspaceId, promiseId, bodies]) => {
    const events: ChainedEvent[] = [];
    for (const b of bodies) {
      const prev = events[events.length - 1];
      events.push(chainEvent(prev, { ...b, workspaceId, promiseId } as never));
    }
    return events;
  });

/** A stored event as the text a database would hold, and back. */
const toText = (e: ChainedEvent) => JSON.stringify(e);
const fromText = (s: string): ChainedEvent | undefined => {
  try {
    return JSON.parse(s) as ChainedEvent;
  } catch {
    return undefined;
  }
};

describe('canonical JSON', () => {
  it('equals the canonicalize package (RFC 8785) on any JSON value', () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(canonicalJson(v)).toBe(canonicalize(v));
      }),
      { numRuns: 3000 },
    );
    expect(canonicalJson({ b: [1, -0, 1e21, 0.1], a: 'é\u2028', '\u00e9': null, A: true })).toBe(
      canonicalize({ b: [1, -0, 1e21, 0.1], a: 'é\u2028', '\u00e9': null, A: true }),
    );
  });
});

describe('hash chain', () => {
  it('a freshly chained stream verifies, gapless from 1, first prev_hash is genesis', () => {
    fc.assert(
      fc.property(stream, (events) => {
        const r = verifyStream(events);
        expect(r.ok).toBe(true);
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        expect(events[0]!.prevHash).toBe(GENESIS_HASH);
      }),
    );
  });

  it('the event document is the canonical JSON of all its fields', () => {
    fc.assert(
      fc.property(stream, (events) => {
        for (const e of events) {
          const doc = {
            v: 1,
            workspace_id: e.workspaceId,
            promise_id: e.promiseId,
            seq: e.seq,
            id: e.id,
            type: e.type,
            actor_id: e.actorId,
            occurred_at: e.occurredAt,
            payload: e.payload,
            prev_hash: e.prevHash,
          };
          expect(canonicalEvent(e)).toBe(canonicalize(doc));
        }
      }),
    );
  });

  it('canonical JSON does not depend on key order', () => {
    fc.assert(
      fc.property(stream, (events) => {
        const e = events[0]!;
        const reverseKeys = (v: unknown): unknown =>
          Array.isArray(v)
            ? v.map(reverseKeys)
            : v && typeof v === 'object'
              ? Object.fromEntries(
                  Object.entries(v)
                    .reverse()
                    .map(([k, x]) => [k, reverseKeys(x)]),
                )
              : v;
        const reordered = reverseKeys(e) as ChainedEvent;
        expect(Object.keys(reordered)[0]).toBe('hash');
        expect(canonicalEvent(reordered)).toBe(canonicalEvent(e));
      }),
    );
  });

  it('any single-byte change anywhere in any stored event is detected', () => {
    fc.assert(
      fc.property(
        stream,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (events, which, at, delta) => {
          const i = which % events.length;
          const text = Buffer.from(toText(events[i]!), 'utf8');
          const pos = at % text.length;
          const mutated = Buffer.from(text);
          mutated[pos] = (mutated[pos]! + delta) % 256;
          const parsed = fromText(mutated.toString('utf8'));
          // A change that breaks the stored form entirely is detected by the database/parser.
          if (parsed === undefined || typeof parsed !== 'object' || parsed === null) return;
          // A byte change that decodes to the same event (e.g. JSON escape variants) changes nothing.
          const same = (() => {
            try {
              return canonicalEvent(parsed) === canonicalEvent(events[i]!) && parsed.hash === events[i]!.hash;
            } catch {
              return false; // a renamed field: not an event any more
            }
          })();
          if (same) return;
          const copy = [...events];
          copy[i] = parsed;
          const r = verifyStream(copy);
          expect(r.ok).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reports the first bad event, with its seq', () => {
    fc.assert(
      fc.property(
        stream.filter((s) => s.length >= 2),
        fc.nat(),
        (events, n) => {
          const i = n % events.length;
          const copy = events.map((e) => ({ ...e }));
          copy[i] = { ...copy[i]!, payload: { tampered: true } };
          const r = verifyStream(copy);
          expect(r).toMatchObject({ ok: false, seq: i + 1 });
        },
      ),
    );
  });

  it('detects a removed or reordered event', () => {
    fc.assert(
      fc.property(
        stream.filter((s) => s.length >= 3),
        fc.nat(),
        (events, n) => {
          const i = n % (events.length - 1);
          const removed = events.filter((_, k) => k !== i);
          expect(verifyStream(removed).ok).toBe(false);
          const swapped = [...events];
          [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
          expect(verifyStream(swapped).ok).toBe(false);
        },
      ),
    );
  });

  it('checkpoint root is order-independent and changes with any head', () => {
    const heads = fc.uniqueArray(
      fc.record({
        promiseId: fc.uuid(),
        seq: fc.integer({ min: 1, max: 100 }),
        hash: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
      }),
      {
        minLength: 1,
        maxLength: 20,
        selector: (h) => h.promiseId,
      },
    );
    fc.assert(
      fc.property(heads, fc.nat(), (hs, n) => {
        expect(checkpointRoot([...hs].reverse())).toBe(checkpointRoot(hs));
        const i = n % hs.length;
        const changed = hs.map((h, k) => (k === i ? { ...h, seq: h.seq + 1 } : h));
        expect(checkpointRoot(changed)).not.toBe(checkpointRoot(hs));
      }),
    );
  });
});
