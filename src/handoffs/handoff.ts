// Sales-to-onboarding handoffs (workflow 5), pure: a draft lists what the customer believes we will
// do; completing it turns every item into a promise owned by the receiver. No I/O.
import { AppError, invalid } from '../errors.js';
import type { CreatePromiseInput } from '../promises/create-promise.js';
import type { Emotion } from '../promises/promise.js';

export const HANDOFF_STATUSES = ['draft', 'completed'] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];
export const MAX_HANDOFF_ITEMS = 50;
/** The promise type of an item that names none: what sales promised becomes onboarding's work. */
export const DEFAULT_ITEM_TYPE = 'onboarding_change';

export interface HandoffItemInput {
  /** "Customer believes we will…" */
  believesWeWill: string;
  customerReason: string;
  dueAt: Date;
  typeKey?: string | null | undefined;
  emotion?: Emotion | null | undefined;
}

export interface HandoffFacts {
  status: HandoffStatus;
  accountId: string;
  contactId: string | null;
  toUserId: string;
}

export interface Receiver {
  id: string;
  active: boolean;
}

/** A handoff carries at least one expectation: an empty one hands nothing over. */
export function checkItems(items: readonly unknown[] | undefined): void {
  if (!items || items.length === 0) {
    throw invalid('items', 'a handoff needs at least one "Customer believes we will…" item');
  }
  if (items.length > MAX_HANDOFF_ITEMS) throw invalid('items', `at most ${MAX_HANDOFF_ITEMS} items`);
}

/** The receiver owns every promise of the handoff, so must be an active user. */
export function checkReceiver(toUserId: string, receiver: Receiver | undefined): void {
  if (!receiver || receiver.id !== toUserId) {
    throw new AppError('not_found', `user ${toUserId} not found`, { field: 'toUserId' });
  }
  if (!receiver.active) {
    throw invalid('toUserId', `user ${toUserId} is deactivated; the receiver must be an active user`);
  }
}

/** Only a draft can change; a completed handoff is history (its items became promises). */
export function checkEditable(status: HandoffStatus): void {
  if (status !== 'draft') {
    throw new AppError('invalid_transition', `status: the handoff is ${status}; only a draft can change`, {
      field: 'status',
    });
  }
}

export function checkCanComplete(
  h: HandoffFacts,
  items: readonly unknown[],
  receiver: Receiver | undefined,
): void {
  checkEditable(h.status);
  checkItems(items);
  checkReceiver(h.toUserId, receiver);
}

/** The promise an item becomes: owned by the receiver, to the handoff's account, from sales. */
export function itemPromise(h: HandoffFacts, item: HandoffItemInput): CreatePromiseInput {
  return {
    accountId: h.accountId,
    contactId: h.contactId,
    typeKey: item.typeKey ?? DEFAULT_ITEM_TYPE,
    promiseMade: item.believesWeWill,
    customerReason: item.customerReason,
    ownerId: h.toUserId,
    dueAt: item.dueAt,
    emotion: item.emotion ?? null,
    source: 'sales_handoff',
  };
}

/** Where a promise's field lives in a handoff body, so an error names what the caller sent. */
export function itemField(index: number, promiseField: string): string {
  switch (promiseField) {
    case 'promiseMade':
      return `items.${index}.believesWeWill`;
    case 'ownerId':
      return 'toUserId';
    case 'accountId':
    case 'contactId':
      return promiseField;
    default:
      return `items.${index}.${promiseField}`;
  }
}
