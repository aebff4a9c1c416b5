// The JSON shape of a workspace's settings.
import type { WorkspaceRow } from './workspaces.repo.js';

export function presentWorkspace(w: WorkspaceRow) {
  return {
    id: w.id,
    name: w.name,
    slug: w.slug,
    timeZone: w.timeZone,
    inactivityDays: w.inactivityDays,
    allowPrivateWebhookTargets: w.allowPrivateWebhookTargets,
    createdAt: w.createdAt.toISOString(),
  };
}
