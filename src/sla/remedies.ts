// Remedies (service credits) for a missed guarantee, as ledger events on the promise's stream:
// `remedy_issued` when the credit is within the policy's approval limit (one step), else
// `remedy_requested` and, by someone who may decide approvals, `remedy_approved` (which issues it).
// One remedy per promise. Use cases in the changePromise shape: lock, decide, chain, projection.
import { uuidv7 } from 'uuidv7';
import { can, canWriteOwned, type Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import type { Tx } from '../db/connect.js';
import { AppError, notFound } from '../errors.js';
import type { ChainedEvent, JsonValue } from '../ledger/chain.js';
import { findPromise, loadStream, lockPromise, type StoredPromise } from '../promises/promises.repo.js';
import { findAccount, isUuid } from '../workspaces/workspaces.repo.js';
import { appendEvent } from './append-event.js';
import { slaClock } from './clock.js';
import { policyWithCalendar } from './plan-sla.js';
import { computeRemedy, type RemedyBasis } from './remedy.js';

export interface RemedyRecord {
  id: string;
  status: 'pending_approval' | 'issued';
  basis: RemedyBasis;
  policyId: string;
  delayBusinessMinutes: number;
  creditPercent: number;
  baseAmountMinor: number;
  amountMinor: number;
  currency: string;
  approvalLimitMinor: number | null;
  note: string | null;
  requestedBy: string;
  requestedAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  issuedAt: string | null;
}

type Payload = { [key: string]: JsonValue };

/** The remedies of one promise, folded from its ledger stream. */
export function foldRemedies(events: readonly ChainedEvent[]): RemedyRecord[] {
  const out = new Map<string, RemedyRecord>();
  for (const e of events) {
    const p = (e.payload ?? {}) as Payload;
    if (e.type === 'remedy_issued' || e.type === 'remedy_requested') {
      const issued = e.type === 'remedy_issued';
      out.set(String(p.remedyId), {
        id: String(p.remedyId),
        status: issued ? 'issued' : 'pending_approval',
        basis: p.basis as RemedyBasis,
        policyId: String(p.policyId),
        delayBusinessMinutes: Number(p.delayBusinessMinutes),
        creditPercent: Number(p.creditPercent),
        baseAmountMinor: Number(p.baseAmountMinor),
        amountMinor: Number(p.amountMinor),
        currency: String(p.currency),
        approvalLimitMinor: typeof p.approvalLimitMinor === 'number' ? p.approvalLimitMinor : null,
        note: typeof p.note === 'string' ? p.note : null,
        requestedBy: e.actorId,
        requestedAt: e.occurredAt,
        approvedBy: null,
        approvedAt: null,
        issuedAt: issued ? e.occurredAt : null,
      });
    } else if (e.type === 'remedy_approved') {
      const r = out.get(String(p.remedyId));
      if (r) {
        r.status = 'issued';
        r.approvedBy = e.actorId;
        r.approvedAt = e.occurredAt;
        r.issuedAt = e.occurredAt;
      }
    }
  }
  return [...out.values()];
}

const refuse = (message: string, field = 'status') => new AppError('invalid_transition', message, { field });

async function lockForRemedy(tx: Tx, principal: Principal, promiseId: string): Promise<StoredPromise> {
  const stored = isUuid(promiseId) ? await lockPromise(tx, principal.workspaceId, promiseId) : undefined;
  if (!stored) throw notFound(`promise ${promiseId}`, 'promiseId');
  return stored;
}

/**
 * Issues the remedy a missed guarantee earns: computed from the business minutes the promise was
 * late (pauses excluded) on its policy's schedule, as a percent of `baseAmountMinor` (default: one
 * month of the account's ARR). Within the approval limit it is issued at once; above it, requested.
 */
export async function requestRemedy(
  ctx: AppContext,
  {
    principal,
    promiseId,
    baseAmountMinor,
    note,
  }: {
    principal: Principal;
    promiseId: string;
    baseAmountMinor?: number | undefined;
    note?: string | undefined;
  },
): Promise<{ promise: StoredPromise; event: ChainedEvent; remedy: RemedyRecord }> {
  return ctx.database.db.transaction(async (tx) => {
    const stored = await lockForRemedy(tx, principal, promiseId);
    const s = stored.state;
    if (!canWriteOwned(principal, 'promise', s.ownerId)) {
      throw new AppError(
        'forbidden',
        "not allowed: only the promise's owner, a manager or an admin (or a member granted write_others) may issue its remedy",
      );
    }
    if (!s.slaPolicyId)
      throw refuse('no remedy: the promise has no SLA policy, so no guarantee', 'slaPolicyId');
    const found = await policyWithCalendar(tx, s.workspaceId, s.slaPolicyId);
    if (!found) throw notFound(`SLA policy ${s.slaPolicyId}`, 'slaPolicyId');
    const { policy, calendar } = found;
    if (policy.remedySchedule.length === 0) {
      throw refuse(
        `no remedy: SLA policy "${policy.name}" has no remedy schedule, so no guarantee`,
        'slaPolicyId',
      );
    }
    if (s.status === 'open') throw refuse('no remedy yet: the promise is still open');
    if (s.status === 'cancelled') throw refuse('no remedy: the promise was cancelled');
    const now = ctx.now();
    const clock = slaClock(s, policy, calendar, now);
    const basis: RemedyBasis = s.status === 'broken' ? 'broken' : 'kept_late';
    if (basis === 'kept_late' && clock.minutesOver <= 0)
      throw refuse('no remedy: the promise was kept on time');
    const existing = foldRemedies(await loadStream(tx, s.workspaceId, s.id));
    if (existing.length > 0) {
      throw new AppError(
        'conflict',
        `a remedy was already ${existing[0]!.status === 'issued' ? 'issued' : 'requested'} for this promise (${existing[0]!.id})`,
        { field: 'promiseId' },
      );
    }
    const account = await findAccount(tx, s.workspaceId, s.accountId);
    const base = baseAmountMinor ?? Math.round((account?.arrMinor ?? 0) / 12);
    if (base <= 0) {
      throw new AppError(
        'validation_failed',
        'baseAmountMinor: the account has no ARR to take the credit from; give the amount the credit is a percent of',
        { field: 'baseAmountMinor' },
      );
    }
    const remedy = computeRemedy({
      schedule: policy.remedySchedule,
      basis,
      delayMinutes: clock.minutesOver,
      baseAmountMinor: base,
      approvalLimitMinor: policy.approvalLimitMinor,
    });
    if (remedy.creditPercent <= 0) {
      throw refuse(
        `no remedy: ${remedy.delayMinutes} business minutes late is below the first step of the schedule (${policy.remedySchedule[0]!.fromBusinessMinutesLate})`,
      );
    }
    const remedyId = uuidv7();
    const { promise, event } = await appendEvent(
      tx,
      stored,
      {
        type: remedy.needsApproval ? 'remedy_requested' : 'remedy_issued',
        payload: {
          remedyId,
          policyId: policy.id,
          basis,
          delayBusinessMinutes: remedy.delayMinutes,
          creditPercent: remedy.creditPercent,
          baseAmountMinor: remedy.baseAmountMinor,
          amountMinor: remedy.amountMinor,
          currency: account?.currency ?? 'USD',
          approvalLimitMinor: policy.approvalLimitMinor,
          note: note ?? null,
        },
      },
      principal.userId,
      now,
    );
    return { promise, event, remedy: foldRemedies([event])[0]! };
  });
}

/** Approves (and so issues) a remedy above the approval limit; only for who may decide approvals. */
export async function approveRemedy(
  ctx: AppContext,
  {
    principal,
    promiseId,
    remedyId,
    note,
  }: { principal: Principal; promiseId: string; remedyId: string; note?: string | undefined },
): Promise<{ promise: StoredPromise; event: ChainedEvent; remedy: RemedyRecord }> {
  if (!can(principal, 'approval.decide')) {
    throw new AppError('forbidden', 'not allowed: approving a remedy needs a manager or an admin');
  }
  return ctx.database.db.transaction(async (tx) => {
    const stored = await lockForRemedy(tx, principal, promiseId);
    const events = await loadStream(tx, principal.workspaceId, stored.state.id);
    const remedy = foldRemedies(events).find((r) => r.id === remedyId);
    if (!remedy) throw notFound(`remedy ${remedyId}`, 'remedyId');
    if (remedy.status === 'issued') throw refuse(`remedy ${remedyId} was already issued`);
    const now = ctx.now();
    const { promise, event } = await appendEvent(
      tx,
      stored,
      {
        type: 'remedy_approved',
        payload: { remedyId, amountMinor: remedy.amountMinor, currency: remedy.currency, note: note ?? null },
      },
      principal.userId,
      now,
    );
    return { promise, event, remedy: foldRemedies([...events, event]).find((r) => r.id === remedyId)! };
  });
}

export async function listRemedies(
  ctx: AppContext,
  { principal, promiseId }: { principal: Principal; promiseId: string },
): Promise<RemedyRecord[]> {
  const db = ctx.database.db;
  const stored = isUuid(promiseId) ? await findPromise(db, principal.workspaceId, promiseId) : undefined;
  if (!stored) throw notFound(`promise ${promiseId}`, 'promiseId');
  return foldRemedies(await loadStream(db, principal.workspaceId, promiseId));
}
