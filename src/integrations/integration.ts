// An integration as pure rules: whose authority its deliveries carry, and whether it still works.
import { can, type Principal } from '../auth/policy.js';
import type { Creator, IntegrationRow } from './integrations.repo.js';

export type IntegrationStatus = 'active' | 'revoked' | 'suspended';

/**
 * Deliveries are recorded as the admin who created the integration (signals and NPS follow-up
 * promises need a user). Like an API token, the integration acts with its creator's rights.
 */
export function creatorPrincipal(workspaceId: string, creator: Creator): Principal {
  return {
    workspaceId,
    userId: creator.id,
    role: creator.role,
    grants: creator.grants,
    via: 'token',
    scope: 'write',
  };
}

/**
 * Revoked by an admin; or suspended, when its creator — who saw the secret — was deactivated or no
 * longer may manage integrations (an endpoint must not outlive its creator's access). A suspended
 * integration cannot be resumed: an admin creates a new one, with a new secret.
 */
export function integrationStatus(i: IntegrationRow, creator: Creator): IntegrationStatus {
  if (i.revokedAt) return 'revoked';
  if (!creator.active || !can(creatorPrincipal(i.workspaceId, creator), 'integrations.manage')) {
    return 'suspended';
  }
  return 'active';
}
