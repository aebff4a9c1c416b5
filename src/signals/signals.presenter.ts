import { reopenedWithin } from './escalation.js';
import { parsePayload } from './signal.js';
import type { SignalRow } from './signals.repo.js';
import { npsCategory } from './surveys.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** What each kind adds to the common fields (the same names as the body that records it). */
function kindFields(r: SignalRow) {
  switch (r.kind) {
    case 'complaint': {
      const p = parsePayload('complaint', r.payload);
      return {
        concernKey: r.concernKey,
        concern: p.concern,
        summary: p.summary,
        confidenceRestored: r.confidenceRestored,
        confidenceChanges: p.confidenceChanges,
        // "I already told your team this": the same concern within 45 days.
        repeat: r.repeatOfId !== null,
        repeatOfId: r.repeatOfId,
      };
    }
    case 'escalation': {
      const p = parsePayload('escalation', r.payload);
      return {
        summary: p.summary,
        politicalRisk: p.politicalRisk,
        desiredReassurance: p.desiredReassurance,
        status: r.status,
        closedAt: iso(r.closedAt),
        reopenedAt: iso(r.reopenedAt),
        reopenCount: r.reopenCount,
        reopenedWithin60Days: reopenedWithin(p.history, 60),
        followUpPromiseId: r.followUpPromiseId,
        history: p.history,
      };
    }
    case 'customer_chased': {
      const p = parsePayload('customer_chased', r.payload);
      return { promiseId: r.promiseId, channel: p.channel, note: p.note };
    }
    case 'nps': {
      const p = parsePayload('nps', r.payload);
      return {
        score: r.score,
        category: npsCategory(r.score ?? 0),
        comment: p.comment,
        followUpPromiseId: r.followUpPromiseId,
      };
    }
    case 'csat': {
      const p = parsePayload('csat', r.payload);
      return { score: r.score, satisfied: (r.score ?? 0) >= 4, comment: p.comment };
    }
    case 'product_activity': {
      const p = parsePayload('product_activity', r.payload);
      return { activity: p.activity, count: p.count };
    }
    case 'billing': {
      const p = parsePayload('billing', r.payload);
      return {
        event: r.billingEvent,
        amountMinor: p.amountMinor,
        currency: p.currency,
        reference: p.reference,
      };
    }
    case 'renewal_outcome': {
      const p = parsePayload('renewal_outcome', r.payload);
      return {
        outcome: r.renewalOutcome,
        arrBeforeMinor: r.arrBeforeMinor,
        arrAfterMinor: r.arrAfterMinor,
        arrChangeMinor: (r.arrAfterMinor ?? 0) - (r.arrBeforeMinor ?? 0),
        currency: r.currency,
        note: p.note,
      };
    }
  }
}

/** The one JSON shape of a signal in every response: common fields, then the kind's own. */
export function presentSignal(r: SignalRow) {
  return {
    id: r.id,
    kind: r.kind,
    accountId: r.accountId,
    contactId: r.contactId,
    occurredAt: r.occurredAt.toISOString(),
    externalId: r.externalId,
    recordedBy: r.recordedBy,
    recordedAt: r.recordedAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    ...kindFields(r),
  };
}
