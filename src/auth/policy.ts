// Who may do what: one table, read by every route and served to the web app. Pure.
export const ROLES = ['admin', 'manager', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Actions. `*.write_own` applies to records the user owns (a promise's owner, an account's owner);
 * `*.write_any` to every record of the workspace.
 */
export const ACTIONS = [
  'records.read',
  'promise.create',
  'promise.write_own',
  'promise.write_any',
  'account.create',
  'account.write_own',
  'account.write_any',
  'contact.write',
  'signal.write',
  'handoff.write',
  'view.write_own',
  'view.write_shared',
  'approval.decide',
  'settings.manage',
  'users.manage',
  'integrations.manage',
  /** Outbound webhook subscriptions (their secrets, their delivery log, replay). */
  'webhooks.manage',
  'audit.read',
  'tokens.manage_own',
  'sessions.manage_own',
  /** The caller's own inbox marks, notification preferences and calendar feed. */
  'notifications.manage_own',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Grants an admin can give a member on top of the role. */
export const GRANTS = ['write_others'] as const;
export type Grant = (typeof GRANTS)[number];

const READ: Action[] = [
  'records.read',
  'tokens.manage_own',
  'sessions.manage_own',
  'notifications.manage_own',
];
const MEMBER: Action[] = [
  ...READ,
  'promise.create',
  'promise.write_own',
  'account.write_own',
  'contact.write',
  'signal.write',
  'handoff.write',
  'view.write_own',
];
const MANAGER: Action[] = [
  ...MEMBER,
  'promise.write_any',
  'account.create',
  'account.write_any',
  'view.write_shared',
  'approval.decide',
];

export const POLICY: Record<Role, ReadonlySet<Action>> = {
  admin: new Set(ACTIONS),
  manager: new Set(MANAGER),
  member: new Set(MEMBER),
  viewer: new Set(READ),
};

/** What a member's `write_others` grant adds. */
const GRANTED: Record<Grant, Action[]> = {
  write_others: ['promise.write_any', 'account.write_any'],
};

export interface Principal {
  workspaceId: string;
  userId: string;
  role: Role;
  grants: readonly string[];
  /** How the request authenticated; a read-scoped token may only read. */
  via: 'session' | 'token';
  scope: 'read' | 'write';
}

const WRITE_FREE: ReadonlySet<Action> = new Set(['records.read', 'audit.read']);

export function can(p: Principal, action: Action): boolean {
  if (p.scope === 'read' && !WRITE_FREE.has(action)) return false;
  if (POLICY[p.role].has(action)) return true;
  return p.grants.some((g) => (GRANTED[g as Grant] ?? []).includes(action));
}

/** Writing a record the principal may or may not own: `own` suffices when they own it. */
export function canWriteOwned(p: Principal, kind: 'promise' | 'account', ownerId: string): boolean {
  return can(p, `${kind}.write_any`) || (ownerId === p.userId && can(p, `${kind}.write_own`));
}

/** The policy table as data, for the API (the web app hides what the user cannot do). */
export function policyTable() {
  return {
    roles: Object.fromEntries(ROLES.map((r) => [r, [...POLICY[r]]])),
    grants: GRANTED,
  };
}
