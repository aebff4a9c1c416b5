import type { ChainedEvent } from '../ledger/chain.js';
import { isOverdue } from './promise.js';
import type { StoredPromise } from './promises.repo.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The one JSON shape of a promise in every response. */
export function presentPromise({ state: s, version, headHash }: StoredPromise, now: Date) {
  return {
    id: s.id,
    workspaceId: s.workspaceId,
    accountId: s.accountId,
    contactId: s.contactId,
    typeKey: s.typeKey,
    promiseMade: s.promiseMade,
    customerReason: s.customerReason,
    ownerId: s.ownerId,
    dueAt: iso(s.dueAt),
    effectiveDueAt: iso(s.effectiveDueAt),
    status: s.status,
    overdue: isOverdue(s, now),
    emotion: s.emotion,
    consequence: s.consequence,
    source: s.source,
    riskIndicators: s.riskIndicators,
    slaPolicyId: s.slaPolicyId,
    paused: s.pausedAt !== null,
    pausedAt: iso(s.pausedAt),
    pauseCause: s.pauseCause,
    pausedMs: s.pausedMs,
    renegotiationCount: s.renegotiationCount,
    proof: s.proofKind ? { kind: s.proofKind, note: s.proofNote, url: s.proofUrl } : null,
    recoveryStrength: s.recoveryStrength,
    keptLate: s.keptLate,
    closedAt: iso(s.closedAt),
    closeReason: s.closeReason,
    createdBy: s.createdBy,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    version,
    headHash,
  };
}

export function presentEvent(e: ChainedEvent) {
  return {
    seq: e.seq,
    id: e.id,
    type: e.type,
    actorId: e.actorId,
    occurredAt: e.occurredAt,
    payload: e.payload,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}
