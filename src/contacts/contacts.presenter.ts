import type { contacts } from '../db/schema.js';

export type ContactRow = typeof contacts.$inferSelect;

/** The one JSON shape of a contact. */
export function presentContact(c: ContactRow) {
  return {
    id: c.id,
    workspaceId: c.workspaceId,
    accountId: c.accountId,
    name: c.name,
    email: c.email,
    title: c.title,
    createdAt: c.createdAt.toISOString(),
  };
}
