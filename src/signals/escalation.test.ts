import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import {
  checkCanClose,
  decideClose,
  decideReopen,
  type EscalationState,
  reopenedWithin,
} from './escalation.js';

const DAY = 86_400_000;
const T0 = new Date('2026-11-02T09:00:00Z');
const at = (days: number, ms = 0) => new Date(T0.getTime() + days * DAY + ms);
const BY = '0190f000-0000-7000-8000-0000000000aa';
const PROMISE = '0190f000-0000-7000-8000-0000000000bb';
const open: EscalationState = {
  status: 'open',
  closedAt: null,
  reopenedAt: null,
  reopenCount: 0,
  followUpPromiseId: null,
  history: [],
};

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('did not throw');
}

describe('escalation lifecycle', () => {
  it('cannot close without a follow-up promise', () => {
    const e = thrown(() => decideClose(open, { at: T0, by: BY, followUpPromiseId: undefined }));
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('validation_failed');
    expect(e.field).toBe('followUpPromise');
    expect(() => checkCanClose(open, false)).toThrow(/requires a follow-up promise/);
  });

  it('closes with one, recording when, by whom and which promise', () => {
    const closed = decideClose(open, {
      at: at(1),
      by: BY,
      followUpPromiseId: PROMISE,
      resolution: 'Root cause fixed',
    });
    expect(closed).toMatchObject({ status: 'closed', closedAt: at(1), followUpPromiseId: PROMISE });
    expect(closed.history).toEqual([
      {
        action: 'closed',
        at: at(1).toISOString(),
        by: BY,
        followUpPromiseId: PROMISE,
        resolution: 'Root cause fixed',
      },
    ]);
  });

  it('closing a closed escalation or reopening an open one is an invalid transition', () => {
    const closed = decideClose(open, { at: at(1), by: BY, followUpPromiseId: PROMISE });
    expect(thrown(() => decideClose(closed, { at: at(2), by: BY, followUpPromiseId: PROMISE })).code).toBe(
      'invalid_transition',
    );
    expect(thrown(() => checkCanClose(closed, true)).code).toBe('invalid_transition');
    expect(thrown(() => decideReopen(open, { at: at(2), by: BY })).code).toBe('invalid_transition');
  });

  it('a reopening is kept with its time and counted', () => {
    const closed = decideClose(open, { at: at(1), by: BY, followUpPromiseId: PROMISE });
    const reopened = decideReopen(closed, { at: at(30), by: BY, reason: 'Same outage again' });
    expect(reopened).toMatchObject({ status: 'open', reopenedAt: at(30), reopenCount: 1, closedAt: at(1) });
    expect(reopened.history[1]).toEqual({
      action: 'reopened',
      at: at(30).toISOString(),
      by: BY,
      reason: 'Same outage again',
    });
  });
});

describe('reopened within 60 days', () => {
  const cycle = (reopenAfterMs: number) => {
    const closed = decideClose(open, { at: at(0), by: BY, followUpPromiseId: PROMISE });
    return decideReopen(closed, { at: new Date(at(0).getTime() + reopenAfterMs), by: BY }).history;
  };

  it('counts a reopening exactly 60 days after the closing, not one a millisecond later', () => {
    expect(reopenedWithin(cycle(60 * DAY))).toBe(true);
    expect(reopenedWithin(cycle(60 * DAY + 1))).toBe(false);
    expect(reopenedWithin([])).toBe(false);
  });

  it('is true exactly when some reopening came at most 60 days after the closing it undid', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 })), {
          maxLength: 6,
        }),
        (gaps) => {
          let s = open;
          let t = T0.getTime();
          for (const [beforeClose, beforeReopen] of gaps) {
            t += beforeClose * DAY;
            s = decideClose(s, { at: new Date(t), by: BY, followUpPromiseId: PROMISE });
            t += beforeReopen * DAY;
            s = decideReopen(s, { at: new Date(t), by: BY });
          }
          expect(reopenedWithin(s.history)).toBe(gaps.some(([, r]) => r <= 60));
          expect(s.reopenCount).toBe(gaps.length);
        },
      ),
    );
  });
});
