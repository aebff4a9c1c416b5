import type { HandoffItemRow, HandoffRow } from './handoffs.repo.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentHandoffItem(i: HandoffItemRow) {
  return {
    id: i.id,
    position: i.position,
    believesWeWill: i.believesWeWill,
    customerReason: i.customerReason,
    dueAt: i.dueAt.toISOString(),
    typeKey: i.typeKey,
    emotion: i.emotion,
    promiseId: i.promiseId,
  };
}

/** The one JSON shape of a handoff in every response, items in their order. */
export function presentHandoff({ handoff: h, items }: { handoff: HandoffRow; items: HandoffItemRow[] }) {
  return {
    id: h.id,
    accountId: h.accountId,
    contactId: h.contactId,
    fromUserId: h.fromUserId,
    toUserId: h.toUserId,
    note: h.note,
    status: h.status,
    items: [...items].sort((a, b) => a.position - b.position).map(presentHandoffItem),
    createdBy: h.createdBy,
    createdAt: h.createdAt.toISOString(),
    updatedAt: h.updatedAt.toISOString(),
    completedAt: iso(h.completedAt),
    completedBy: h.completedBy,
  };
}
