import type { ChainedEvent } from '../ledger/chain.js';
import { type PromiseContext, riskView, slaView } from '../sla/promise-sla.js';
import { isOverdue } from './promise.js';
import type { StoredPromise } from './promises.repo.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The one JSON shape of a promise in every response. `context` is loaded once per response
 * (loadPromiseContext, or presentPromises in present-promises.ts) and gives the SLA clock and risk.
 */
export function presentPromise(
  { state: s, version, headHash }: StoredPromise,
  now: Date,
  context: PromiseContext,
) {
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
    priority: s.priority,
    slaPolicyId: s.slaPolicyId,
    sla: slaView(s, context.setup, now),
    risk: riskView(s, context.setup, context.history),
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
