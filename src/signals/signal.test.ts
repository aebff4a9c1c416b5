import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { decideConfidenceChange, decideRecord, PAYLOAD_SCHEMAS, type SignalInput } from './signal.js';

const T0 = new Date('2026-11-02T09:00:00Z');
const ACCOUNT = '0190f000-0000-7000-8000-0000000000dd';
const BY = '0190f000-0000-7000-8000-0000000000aa';
const usd = { currency: 'USD' };
/** A signal input without its account (Omit distributed over the kinds). */
type KindInput = SignalInput extends infer T ? (T extends unknown ? Omit<T, 'accountId'> : never) : never;
const record = (input: Record<string, unknown> & { kind: SignalInput['kind'] }) =>
  decideRecord({ accountId: ACCOUNT, ...input } as SignalInput, T0, usd);

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).field;
  }
  throw new Error('did not throw');
}

describe('recording a signal', () => {
  it('a complaint normalises its concern, and its confidence starts unknown', () => {
    const f = record({ kind: 'complaint', concernKey: 'Reporting Exports', concern: 'Totals do not match' });
    expect(f).toMatchObject({
      kind: 'complaint',
      concernKey: 'reporting_exports',
      confidenceRestored: 'unknown',
    });
    expect(PAYLOAD_SCHEMAS.complaint.parse(f.payload)).toEqual({
      concern: 'Totals do not match',
      summary: null,
      confidenceChanges: [],
    });
    expect(fieldOf(() => record({ kind: 'complaint', concernKey: '!!', concern: 'x' }))).toBe('concernKey');
  });

  it('happened now unless told, and never in the future', () => {
    expect(record({ kind: 'csat', score: 4 }).occurredAt).toEqual(T0);
    expect(
      fieldOf(() => record({ kind: 'csat', score: 4, occurredAt: new Date(T0.getTime() + 3_600_000) })),
    ).toBe('occurredAt');
  });

  it('scores are checked per kind', () => {
    expect(fieldOf(() => record({ kind: 'nps', score: 11 }))).toBe('score');
    expect(fieldOf(() => record({ kind: 'csat', score: 0 }))).toBe('score');
    expect(record({ kind: 'nps', score: 0 }).score).toBe(0);
  });

  it('a churned renewal has no ARR after; a renewal needs it; the account currency is the default', () => {
    expect(record({ kind: 'renewal_outcome', outcome: 'churned', arrBeforeMinor: 4_000_000 })).toMatchObject({
      renewalOutcome: 'churned',
      arrBeforeMinor: 4_000_000,
      arrAfterMinor: 0,
      currency: 'USD',
    });
    expect(
      fieldOf(() =>
        record({ kind: 'renewal_outcome', outcome: 'churned', arrBeforeMinor: 1, arrAfterMinor: 5 }),
      ),
    ).toBe('arrAfterMinor');
    expect(fieldOf(() => record({ kind: 'renewal_outcome', outcome: 'renewed', arrBeforeMinor: 1 }))).toBe(
      'arrAfterMinor',
    );
  });

  it('an escalation opens with an empty history; every stored payload matches its schema', () => {
    const inputs: KindInput[] = [
      {
        kind: 'escalation',
        politicalRisk: 'Their VP sponsored us',
        desiredReassurance: 'A named executive owner',
      },
      { kind: 'customer_chased', channel: 'email' },
      { kind: 'nps', score: 3, comment: 'Slow' },
      { kind: 'csat', score: 5 },
      { kind: 'product_activity', activity: 'report_exported', count: 3 },
      { kind: 'billing', event: 'payment_failed', amountMinor: 120_000 },
      { kind: 'renewal_outcome', outcome: 'renewed', arrBeforeMinor: 100, arrAfterMinor: 120 },
    ];
    for (const input of inputs) {
      const f = record(input);
      expect(() => PAYLOAD_SCHEMAS[f.kind].parse(f.payload), f.kind).not.toThrow();
    }
    expect(record(inputs[0]!)).toMatchObject({ status: 'open', payload: { history: [] } });
    expect(record(inputs[5]!).payload).toEqual({ amountMinor: 120_000, currency: 'USD', reference: null });
  });
});

describe('customer confidence restored?', () => {
  it('keeps every change; setting the same value changes nothing', () => {
    const first = decideConfidenceChange(
      { confidenceRestored: 'unknown', confidenceChanges: [] },
      'no',
      T0,
      BY,
    )!;
    const second = decideConfidenceChange(first, 'yes', new Date(T0.getTime() + 1000), BY)!;
    expect(second.confidenceRestored).toBe('yes');
    expect(second.confidenceChanges.map((c) => [c.from, c.to])).toEqual([
      ['unknown', 'no'],
      ['no', 'yes'],
    ]);
    expect(decideConfidenceChange(second, 'yes', T0, BY)).toBeUndefined();
  });
});
