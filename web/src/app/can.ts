// What the signed-in user may do, read from the same policy table the API enforces (GET /auth/session).
// The UI hides controls with it; the API refuses anyway.
import type { PromiseView, SessionView } from '../api/types';

export function can(session: SessionView, action: string): boolean {
  if (session.via === 'token' && session.scope === 'read' && action !== 'records.read') return false;
  const actions = new Set(session.policy.roles[session.user.role] ?? []);
  for (const g of session.user.grants) for (const a of session.policy.grants[g] ?? []) actions.add(a);
  return actions.has(action);
}

/** May change this promise: the owner with write_own, anyone with write_any. */
export const canWritePromise = (session: SessionView, p: Pick<PromiseView, 'ownerId'>) =>
  can(session, 'promise.write_any') || (p.ownerId === session.user.id && can(session, 'promise.write_own'));
