import type { savedViews } from '../db/schema.js';

export type SavedViewRow = typeof savedViews.$inferSelect;

/** The one JSON shape of a saved view; `query` holds the promise list's query parameters. */
export function presentView(v: SavedViewRow) {
  return {
    id: v.id,
    workspaceId: v.workspaceId,
    name: v.name,
    visibility: v.visibility,
    query: v.query,
    createdBy: v.createdBy,
    updatedBy: v.updatedBy,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
  };
}
