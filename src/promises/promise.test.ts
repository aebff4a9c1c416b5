import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import {
  activeElapsedMs,
  type Decision,
  decide,
  decideCreate,
  evolve,
  isOverdue,
  type PromiseCommand,
  type PromiseState,
} from './promise.js';

const WS = '0190f000-0000-7000-8000-000000000001';
const OWNER = '0190f000-0000-7000-8000-0000000000aa';
const OTHER = '0190f000-0000-7000-8000-0000000000bb';
const IDS = { workspaceId: WS, promiseId: '0190f000-0000-7000-8000-0000000000cc' };
const T0 = new Date('2026-11-02T09:00:00Z');
const H = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * H);

function created(dueHours = 48): PromiseState {
  const d = decideCreate(
    {
      workspaceId: WS,
      id: IDS.promiseId,
      accountId: '0190f000-0000-7000-8000-0000000000dd',
      typeKey: 'support_resolution',
      promiseMade: 'Fix the SSO loop and confirm with Maya',
      customerReason: 'Forty users cannot log in',
      ownerId: OWNER,
      dueAt: at(dueHours),
    },
    { id: OWNER, workspaceId: WS, active: true },
  );
  return evolve(undefined, { type: d.type, payload: d.payload, occurredAt: T0, actorId: OWNER }, IDS);
}

function step(s: PromiseState, cmd: PromiseCommand, hours: number): PromiseState {
  const d: Decision = decide(s, cmd, at(hours));
  return evolve(s, { type: d.type, payload: d.payload, occurredAt: at(hours), actorId: OWNER }, IDS);
}

const expectError = (fn: () => unknown, code: string, field?: string) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    if (field) expect((err as AppError).field).toBe(field);
    return;
  }
  throw new Error('expected an AppError');
};

const proof = { kind: 'email_sent', note: 'Sent and confirmed' } as const;

describe('promise lifecycle', () => {
  it('requires the five fields to create', () => {
    const base = {
      workspaceId: WS,
      id: IDS.promiseId,
      accountId: 'a',
      typeKey: 't',
      ownerId: OWNER,
      dueAt: at(1),
    };
    const owner = { id: OWNER, workspaceId: WS, active: true };
    expectError(
      () => decideCreate({ ...base, promiseMade: '  ', customerReason: 'x' }, owner),
      'validation_failed',
      'promiseMade',
    );
    expectError(
      () => decideCreate({ ...base, promiseMade: 'x', customerReason: '' }, owner),
      'validation_failed',
      'customerReason',
    );
    expectError(
      () => decideCreate({ ...base, promiseMade: 'x', customerReason: 'y', dueAt: new Date('nope') }, owner),
      'validation_failed',
      'dueAt',
    );
  });

  it('an owner is exactly one active user of the workspace', () => {
    const base = {
      workspaceId: WS,
      id: IDS.promiseId,
      accountId: 'a',
      typeKey: 't',
      ownerId: OWNER,
      dueAt: at(1),
      promiseMade: 'x',
      customerReason: 'y',
    };
    expectError(() => decideCreate(base, undefined), 'validation_failed', 'ownerId');
    expectError(
      () => decideCreate(base, { id: OWNER, workspaceId: 'other', active: true }),
      'validation_failed',
      'ownerId',
    );
    expectError(
      () => decideCreate(base, { id: OWNER, workspaceId: WS, active: false }),
      'validation_failed',
      'ownerId',
    );
    const s = created();
    expectError(
      () =>
        decide(
          s,
          { kind: 'change_owner', ownerId: OTHER, owner: { id: OTHER, workspaceId: 'x', active: true } },
          at(1),
        ),
      'validation_failed',
      'ownerId',
    );
    expect(
      step(
        s,
        { kind: 'change_owner', ownerId: OTHER, owner: { id: OTHER, workspaceId: WS, active: true } },
        1,
      ).ownerId,
    ).toBe(OTHER);
  });

  it('keeping needs proof: a kind and a note or URL', () => {
    const s = created();
    expectError(
      () =>
        decide(s, { kind: 'keep', proof: { kind: 'email_sent' }, recoveryStrength: 'task_closed' }, at(1)),
      'validation_failed',
      'proof',
    );
    const kept = step(s, { kind: 'keep', proof, recoveryStrength: 'confidence_restored' }, 10);
    expect(kept).toMatchObject({
      status: 'kept',
      proofKind: 'email_sent',
      keptLate: false,
      recoveryStrength: 'confidence_restored',
    });
    expect(kept.closedAt).toEqual(at(10));
  });

  it('a renegotiation needs the new due date and who agreed, and is counted', () => {
    const s = created();
    expectError(
      () => decide(s, { kind: 'renegotiate', dueAt: at(72), agreedBy: ' ' }, at(1)),
      'validation_failed',
      'agreedBy',
    );
    expectError(
      () => decide(s, { kind: 'renegotiate', dueAt: at(48), agreedBy: 'Maya' }, at(1)),
      'validation_failed',
      'dueAt',
    );
    const r = step(s, { kind: 'renegotiate', dueAt: at(96), agreedBy: 'Maya Chen' }, 1);
    expect(r.dueAt).toEqual(at(96));
    expect(r.renegotiationCount).toBe(1);
  });

  it('closed promises accept no transition but comments', () => {
    const closed = [
      step(created(), { kind: 'keep', proof, recoveryStrength: 'task_closed' }, 1),
      step(created(), { kind: 'break', reason: 'vendor slipped' }, 1),
      step(created(), { kind: 'cancel', reason: 'no longer needed' }, 1),
    ];
    const cmds: PromiseCommand[] = [
      { kind: 'keep', proof, recoveryStrength: 'task_closed' },
      { kind: 'break', reason: 'x' },
      { kind: 'cancel', reason: 'x' },
      { kind: 'pause', cause: 'customer', note: 'x' },
      { kind: 'resume' },
      { kind: 'renegotiate', dueAt: at(100), agreedBy: 'Maya' },
      { kind: 'edit', changes: { promiseMade: 'other' } },
    ];
    for (const s of closed) {
      for (const c of cmds) expectError(() => decide(s, c, at(2)), 'invalid_transition', 'status');
      expect(step(s, { kind: 'comment', text: 'follow-up call went well' }, 3).status).toBe(s.status);
    }
  });

  it('only a customer-caused delay pauses the clock; a pause on our side recorded earlier still reads back', () => {
    const s = created(48);
    expectError(
      () => decide(s, { kind: 'pause', cause: 'us', note: 'we are short-staffed' }, at(10)),
      'validation_failed',
      'cause',
    );
    // A `paused` event with cause `us` from before this rule folds like any other pause.
    const old = evolve(
      s,
      { type: 'paused', payload: { cause: 'us', note: 'busy' }, occurredAt: at(10), actorId: OWNER },
      IDS,
    );
    expect(old.pausedAt).toEqual(at(10));
    expect(old.pauseCause).toBe('us');
  });

  it('pause and resume: paused time pushes the due date back and is excluded from the timeline', () => {
    let s = created(48);
    s = step(s, { kind: 'pause', cause: 'customer', note: 'waiting for their sample data' }, 10);
    expect(s.effectiveDueAt).toBeNull();
    expect(isOverdue(s, at(100))).toBe(false);
    expectError(
      () => decide(s, { kind: 'pause', cause: 'customer', note: 'x' }, at(11)),
      'invalid_transition',
    );
    s = step(s, { kind: 'resume' }, 34);
    expect(s.pausedMs).toBe(24 * H);
    expect(s.effectiveDueAt).toEqual(at(72));
    expect(activeElapsedMs(s, at(40))).toBe(16 * H);
    expect(isOverdue(s, at(60))).toBe(false);
    expect(isOverdue(s, at(73))).toBe(true);
    expectError(() => decide(s, { kind: 'resume' }, at(35)), 'invalid_transition');
    // kept at hour 70: on time only because the pause moved the deadline.
    expect(step(s, { kind: 'keep', proof, recoveryStrength: 'task_closed' }, 70).keptLate).toBe(false);
    expect(step(s, { kind: 'keep', proof, recoveryStrength: 'task_closed' }, 73).keptLate).toBe(true);
  });

  it('keeping while paused closes the pause first', () => {
    let s = created(10);
    s = step(s, { kind: 'pause', cause: 'customer', note: 'waiting' }, 5);
    s = step(s, { kind: 'keep', proof, recoveryStrength: 'task_closed' }, 12);
    expect(s).toMatchObject({ status: 'kept', keptLate: false, pausedMs: 7 * H, pausedAt: null });
  });

  it('an edit with no change is refused; edits record field diffs', () => {
    const s = created();
    expectError(
      () => decide(s, { kind: 'edit', changes: { typeKey: 'support_resolution' } }, at(1)),
      'validation_failed',
      'changes',
    );
    const d = decide(
      s,
      { kind: 'edit', changes: { emotion: 'blocked', typeKey: 'support_resolution' } },
      at(1),
    );
    expect(d.payload.changes).toEqual({ emotion: { from: null, to: 'blocked' } });
  });

  it('law: folding any legal command sequence keeps invariants (status closed ⇔ closedAt, kept ⇒ proof)', () => {
    const cmd = fc.constantFrom<PromiseCommand>(
      { kind: 'comment', text: 'note' },
      { kind: 'pause', cause: 'customer', note: 'waiting' },
      { kind: 'resume' },
      { kind: 'renegotiate', dueAt: at(200), agreedBy: 'Maya' },
      { kind: 'keep', proof, recoveryStrength: 'task_closed' },
      { kind: 'break', reason: 'slipped' },
      { kind: 'cancel', reason: 'moot' },
      { kind: 'edit', changes: { emotion: 'urgent' } },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(cmd, fc.integer({ min: 1, max: 30 })), { maxLength: 12 }), (steps) => {
        let s = created();
        let hour = 0;
        let pausedTotal = 0;
        let pauseStart: number | undefined;
        for (const [c, dt] of steps) {
          hour += dt;
          try {
            const before = s;
            s = step(s, c, hour);
            if (c.kind === 'pause') pauseStart = hour;
            if (before.pausedAt && !s.pausedAt) {
              pausedTotal += (hour - pauseStart!) * H;
              pauseStart = undefined;
            }
          } catch (err) {
            expect(err).toBeInstanceOf(AppError);
          }
          expect(s.status === 'open').toBe(s.closedAt === null);
          if (s.status === 'kept') expect(s.proofKind).not.toBeNull();
          expect(s.pausedMs).toBe(pausedTotal);
          if (s.status !== 'open' || !s.pausedAt) {
            expect(s.effectiveDueAt?.getTime()).toBe(s.dueAt.getTime() + s.pausedMs);
          }
        }
      }),
    );
  });
});
