import { describe, expect, it } from 'vitest';
import type { AppError } from '../errors.js';
import {
  checkCanComplete,
  checkItems,
  checkReceiver,
  DEFAULT_ITEM_TYPE,
  itemField,
  itemPromise,
} from './handoff.js';

const T0 = new Date('2026-11-02T09:00:00Z');
const RECEIVER = { id: 'receiver', active: true };
const draft = { status: 'draft' as const, accountId: 'acc', contactId: 'contact', toUserId: 'receiver' };
const item = {
  believesWeWill: 'Set up SSO with Okta before go-live',
  customerReason: 'IT will not approve the rollout without it',
  dueAt: T0,
};

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('did not throw');
}

describe('handoff rules', () => {
  it('a handoff without items cannot be created or completed (400 naming items)', () => {
    for (const items of [[], undefined]) {
      expect(thrown(() => checkItems(items))).toMatchObject({ code: 'validation_failed', field: 'items' });
    }
    expect(thrown(() => checkCanComplete(draft, [], RECEIVER))).toMatchObject({
      code: 'validation_failed',
      field: 'items',
    });
    expect(thrown(() => checkItems(Array.from({ length: 51 }, () => item))).field).toBe('items');
  });

  it('only a draft completes; the receiver must exist and be active', () => {
    expect(thrown(() => checkCanComplete({ ...draft, status: 'completed' }, [item], RECEIVER)).code).toBe(
      'invalid_transition',
    );
    expect(thrown(() => checkReceiver('receiver', undefined))).toMatchObject({
      code: 'not_found',
      field: 'toUserId',
    });
    expect(thrown(() => checkReceiver('receiver', { id: 'receiver', active: false }))).toMatchObject({
      code: 'validation_failed',
      field: 'toUserId',
    });
    expect(() => checkCanComplete(draft, [item], RECEIVER)).not.toThrow();
  });

  it('an item becomes a promise owned by the receiver, from sales, onboarding by default', () => {
    expect(itemPromise(draft, item)).toEqual({
      accountId: 'acc',
      contactId: 'contact',
      typeKey: DEFAULT_ITEM_TYPE,
      promiseMade: item.believesWeWill,
      customerReason: item.customerReason,
      ownerId: 'receiver',
      dueAt: T0,
      emotion: null,
      source: 'sales_handoff',
    });
    expect(itemPromise(draft, { ...item, typeKey: 'training_resource', emotion: 'skeptical' })).toMatchObject(
      {
        typeKey: 'training_resource',
        emotion: 'skeptical',
      },
    );
  });

  it('a promise error names the field of the handoff body', () => {
    expect(itemField(2, 'promiseMade')).toBe('items.2.believesWeWill');
    expect(itemField(0, 'dueAt')).toBe('items.0.dueAt');
    expect(itemField(1, 'ownerId')).toBe('toUserId');
    expect(itemField(1, 'contactId')).toBe('contactId');
  });
});
