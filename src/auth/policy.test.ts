import { describe, expect, it } from 'vitest';
import { ACTIONS, type Action, can, canWriteOwned, POLICY, type Principal } from './policy.js';

const p = (role: Principal['role'], o: Partial<Principal> = {}): Principal => ({
  workspaceId: 'w',
  userId: 'u',
  role,
  grants: [],
  via: 'token',
  scope: 'write',
  ...o,
});
const READ_ONLY: Action[] = [
  'records.read',
  'tokens.manage_own',
  'sessions.manage_own',
  'notifications.manage_own',
];

describe('role policy', () => {
  it('viewers read and manage only their own credentials', () => {
    expect([...POLICY.viewer].sort()).toEqual([...READ_ONLY].sort());
  });

  it('members capture and keep their own promises but never manage the workspace or others’ records', () => {
    for (const a of [
      'settings.manage',
      'users.manage',
      'integrations.manage',
      'audit.read',
      'promise.write_any',
      'account.write_any',
      'approval.decide',
    ] as Action[]) {
      expect(can(p('member'), a), a).toBe(false);
    }
    expect(can(p('member'), 'promise.create')).toBe(true);
    expect(canWriteOwned(p('member'), 'promise', 'u')).toBe(true);
    expect(canWriteOwned(p('member'), 'promise', 'someone else')).toBe(false);
    expect(canWriteOwned(p('member', { grants: ['write_others'] }), 'promise', 'someone else')).toBe(true);
  });

  it('managers write every record and approve, but do not administer', () => {
    expect(canWriteOwned(p('manager'), 'promise', 'someone else')).toBe(true);
    expect(can(p('manager'), 'approval.decide')).toBe(true);
    expect(can(p('manager'), 'settings.manage')).toBe(false);
    expect(can(p('manager'), 'users.manage')).toBe(false);
  });

  it('admins may do everything; a read-scoped token of anyone may only read', () => {
    for (const a of ACTIONS) expect(can(p('admin'), a), a).toBe(true);
    for (const a of ACTIONS) {
      expect(can(p('admin', { scope: 'read' }), a), a).toBe(a === 'records.read' || a === 'audit.read');
    }
  });
});
