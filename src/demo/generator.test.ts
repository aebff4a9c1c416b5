import { describe, expect, it } from 'vitest';
import { verifyStream } from '../ledger/chain.js';
import { BUILTIN_PROMISE_TYPES, EMOTIONS, isOverdue, STATUSES } from '../promises/promise.js';
import { type GeneratedChunk, generateWorkspaceData } from './generator.js';

const spec = {
  workspaceId: '0190f000-0000-7000-8000-000000000001',
  adminId: '0190f000-0000-7000-8000-0000000000aa',
  accounts: 50,
  promises: 400,
  now: new Date('2026-11-23T12:00:00Z'),
};
const all = (chunks: GeneratedChunk[]) => ({
  accounts: chunks.flatMap((c) => c.accounts),
  promises: chunks.flatMap((c) => c.promises),
  events: chunks.flatMap((c) => c.events),
});

describe('demo generator', () => {
  const data = all([...generateWorkspaceData(spec)]);

  it('covers every type, status, emotion, tier and temperature, with proofs, renegotiations, pauses and overdue promises', () => {
    const distinct = <T>(xs: T[]) => new Set(xs);
    expect(data.accounts).toHaveLength(50);
    expect(data.promises).toHaveLength(400);
    expect(distinct(data.promises.map((p) => p.typeKey))).toEqual(
      new Set(Object.keys(BUILTIN_PROMISE_TYPES)),
    );
    expect(distinct(data.promises.map((p) => p.status))).toEqual(new Set(STATUSES));
    for (const e of EMOTIONS)
      expect(
        data.promises.some((p) => p.emotion === e),
        e,
      ).toBe(true);
    expect(distinct(data.accounts.map((a) => a.tier)).size).toBe(4);
    expect(distinct(data.accounts.map((a) => a.temperature)).size).toBe(4);
    expect(
      data.promises
        .filter((p) => p.status === 'kept')
        .every((p) => p.proofKind && (p.proofNote || p.proofUrl)),
    ).toBe(true);
    expect(data.promises.some((p) => p.keptLate)).toBe(true);
    expect(data.promises.some((p) => p.renegotiationCount > 0)).toBe(true);
    expect(data.promises.some((p) => p.pausedMs > 0)).toBe(true);
    expect(data.promises.some((p) => p.pausedAt !== null)).toBe(true);
    expect(data.promises.filter((p) => isOverdue(p, spec.now)).length).toBeGreaterThan(10);
    expect(
      data.promises.filter((p) => p.status === 'open' && p.effectiveDueAt && p.effectiveDueAt > spec.now)
        .length,
    ).toBeGreaterThan(20);
  });

  it('produces valid chains whose heads match the projections, deterministically', () => {
    const byPromise = new Map<string, typeof data.events>();
    for (const e of data.events) byPromise.set(e.promiseId, [...(byPromise.get(e.promiseId) ?? []), e]);
    for (const p of data.promises) {
      const check = verifyStream(byPromise.get(p.id) ?? []);
      expect(check.ok).toBe(true);
      if (check.ok) expect(check.head).toEqual({ seq: p.version, hash: p.headHash });
    }
    const again = all([...generateWorkspaceData(spec)]);
    expect(again.events.map((e) => e.hash)).toEqual(data.events.map((e) => e.hash));
  });

  it('reaches the requested average of events per promise', () => {
    const big = all([
      ...generateWorkspaceData({ ...spec, accounts: 200, promises: 4000, eventsPerPromise: 5 }),
    ]);
    const avg = big.events.length / big.promises.length;
    expect(avg).toBeGreaterThan(4.5);
    expect(avg).toBeLessThan(5.5);
  });
});
