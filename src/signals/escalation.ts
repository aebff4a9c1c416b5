// Executive escalation (workflow 7), pure: open → closed only together with a follow-up promise to
// the customer; closed → open again (a reopening), each transition kept with its time so
// "escalations reopened within 60 days" can be measured. No I/O; time passed in.
import { AppError } from '../errors.js';
import type { EscalationStatus, EscalationTransition } from './signal.js';

export const REOPEN_WINDOW_DAYS = 60;
const DAY_MS = 86_400_000;

export interface EscalationState {
  status: EscalationStatus;
  closedAt: Date | null;
  reopenedAt: Date | null;
  reopenCount: number;
  followUpPromiseId: string | null;
  history: EscalationTransition[];
}

/** The follow-up promise's type, source and consequence unless the closer says otherwise. */
export const FOLLOW_UP_DEFAULTS = {
  typeKey: 'executive_response',
  source: 'escalation',
  consequence: 'executive_escalation',
} as const;

/** Whether the escalation may close now: it must be open, and a follow-up promise must come with it. */
export function checkCanClose(s: Pick<EscalationState, 'status'>, hasFollowUp: boolean): void {
  if (s.status !== 'open') {
    throw new AppError('invalid_transition', 'status: the escalation is already closed', { field: 'status' });
  }
  if (!hasFollowUp) {
    throw new AppError(
      'validation_failed',
      'followUpPromise: closing an escalation requires a follow-up promise to the customer',
      { field: 'followUpPromise' },
    );
  }
}

export function decideClose(
  s: EscalationState,
  c: { at: Date; by: string; followUpPromiseId: string | undefined; resolution?: string | undefined },
): EscalationState {
  checkCanClose(s, Boolean(c.followUpPromiseId));
  const followUpPromiseId = c.followUpPromiseId as string; // checked just above
  return {
    ...s,
    status: 'closed',
    closedAt: c.at,
    followUpPromiseId,
    history: [
      ...s.history,
      {
        action: 'closed',
        at: c.at.toISOString(),
        by: c.by,
        followUpPromiseId,
        resolution: c.resolution ?? null,
      },
    ],
  };
}

export function decideReopen(
  s: EscalationState,
  c: { at: Date; by: string; reason?: string | undefined },
): EscalationState {
  if (s.status !== 'closed') {
    throw new AppError('invalid_transition', 'status: only a closed escalation can be reopened', {
      field: 'status',
    });
  }
  return {
    ...s,
    status: 'open',
    reopenedAt: c.at,
    reopenCount: s.reopenCount + 1,
    history: [
      ...s.history,
      { action: 'reopened', at: c.at.toISOString(), by: c.by, reason: c.reason ?? null },
    ],
  };
}

/**
 * Whether the escalation was ever reopened at most `days` days after the closing it undid — the
 * numerator of "escalations reopened within 60 days / closed escalations".
 */
export function reopenedWithin(history: readonly EscalationTransition[], days = REOPEN_WINDOW_DAYS): boolean {
  let lastClosed: number | undefined;
  for (const t of history) {
    const at = Date.parse(t.at);
    if (t.action === 'closed') lastClosed = at;
    else if (lastClosed !== undefined && at - lastClosed <= days * DAY_MS) return true;
  }
  return false;
}
