import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/connect.js';
import { accounts, contacts, promiseTypes, users, workspaces } from '../db/schema.js';
import { AppError } from '../errors.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const isUuid = (s: string) => UUID_RE.test(s);

export type WorkspaceRow = typeof workspaces.$inferSelect;

/** Finds a workspace by id or slug; an unknown one is a 404 naming what was asked for. */
export async function requireWorkspace(q: Queryable, idOrSlug: string): Promise<WorkspaceRow> {
  if (!isUuid(idOrSlug) && !SLUG_RE.test(idOrSlug.toLowerCase())) {
    throw new AppError('not_found', `workspace ${JSON.stringify(idOrSlug)} not found`, {
      field: 'workspace',
    });
  }
  const where = isUuid(idOrSlug) ? eq(workspaces.id, idOrSlug) : eq(workspaces.slug, idOrSlug.toLowerCase());
  const [row] = await q.select().from(workspaces).where(where).limit(1);
  if (!row) throw new AppError('not_found', `workspace ${idOrSlug} not found`, { field: 'workspace' });
  return row;
}

export async function listWorkspaces(q: Queryable): Promise<WorkspaceRow[]> {
  return q.select().from(workspaces).orderBy(workspaces.createdAt);
}

export async function findUser(q: Queryable, workspaceId: string, userId: string) {
  if (!isUuid(userId)) return undefined;
  const [row] = await q
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(users.id, userId)))
    .limit(1);
  return row;
}

/**
 * findUser, holding a share lock until the transaction ends: a user about to own a new record
 * cannot be deactivated (or removed) between the check and the commit.
 */
export async function findUserForShare(q: Queryable, workspaceId: string, userId: string) {
  if (!isUuid(userId)) return undefined;
  const [row] = await q
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(users.id, userId)))
    .limit(1)
    .for('share');
  return row;
}

export async function findAccount(q: Queryable, workspaceId: string, accountId: string) {
  if (!isUuid(accountId)) return undefined;
  const [row] = await q
    .select()
    .from(accounts)
    .where(and(eq(accounts.workspaceId, workspaceId), eq(accounts.id, accountId)))
    .limit(1);
  return row;
}

export async function findContact(q: Queryable, workspaceId: string, contactId: string) {
  if (!isUuid(contactId)) return undefined;
  const [row] = await q
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)))
    .limit(1);
  return row;
}

export async function findActivePromiseType(q: Queryable, workspaceId: string, key: string) {
  const [row] = await q
    .select()
    .from(promiseTypes)
    .where(
      and(
        eq(promiseTypes.workspaceId, workspaceId),
        eq(promiseTypes.key, key),
        eq(promiseTypes.active, true),
      ),
    )
    .limit(1);
  return row;
}

export async function countWorkspaces(q: Queryable): Promise<number> {
  const [row] = await q.select({ n: sql<number>`count(*)::int` }).from(workspaces);
  return row?.n ?? 0;
}
