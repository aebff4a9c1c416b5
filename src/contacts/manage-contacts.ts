// Contacts: people at an account. A contact's account is always looked up in the principal's
// workspace, so a contact can neither be created at nor moved to another workspace's account.
import { and, asc, eq, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { afterKey, decodeCursor, encodeCursor, orderKey } from '../accounts/keyset.js';
import { requireAccount } from '../accounts/read-accounts.js';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { contacts, promises } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { findContact, isUuid } from '../workspaces/workspaces.repo.js';
import type { ContactRow } from './contacts.presenter.js';

export interface NewContact {
  accountId: string;
  name: string;
  email?: string | null | undefined;
  title?: string | null | undefined;
}

export type ContactChanges = { [K in keyof NewContact]?: NewContact[K] | undefined };

export async function getContact(
  ctx: AppContext,
  { principal, contactId }: { principal: Principal; contactId: string },
): Promise<ContactRow> {
  const contact = await findContact(ctx.database.db, principal.workspaceId, contactId);
  if (!contact) throw notFound(`contact ${contactId}`, 'contactId');
  return contact;
}

const SORT = 'name';

/** The contacts of one account of the workspace, by name, with a keyset cursor. */
export async function listContacts(
  ctx: AppContext,
  {
    principal,
    accountId,
    cursor,
    limit = 50,
  }: { principal: Principal; accountId: string; cursor?: string | undefined; limit?: number },
): Promise<{ data: ContactRow[]; nextCursor: string | null }> {
  const db = ctx.database.db;
  await requireAccount(db, principal, accountId);
  const after =
    cursor === undefined
      ? undefined
      : decodeCursor(cursor, SORT, (v) => typeof v === 'string', { nullable: false });
  const rows = await db
    .select()
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, principal.workspaceId),
        eq(contacts.accountId, accountId),
        after ? afterKey(contacts.name, contacts.id, 'asc', after.v, after.id) : undefined,
      ),
    )
    .orderBy(orderKey(contacts.name, 'asc'), asc(contacts.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page,
    nextCursor: rows.length > limit && last ? encodeCursor({ s: SORT, v: last.name, id: last.id }) : null,
  };
}

export async function createContact(
  ctx: AppContext,
  { principal, input }: { principal: Principal; input: NewContact },
): Promise<ContactRow> {
  const now = ctx.now();
  return ctx.database.db.transaction(async (tx) => {
    await requireAccount(tx, principal, input.accountId);
    const [row] = await tx
      .insert(contacts)
      .values({
        workspaceId: principal.workspaceId,
        id: uuidv7(),
        accountId: input.accountId,
        name: input.name,
        email: input.email ?? null,
        title: input.title ?? null,
        createdAt: now,
      })
      .returning();
    return row!;
  });
}

/**
 * Changes a contact. Moving it to another account of the workspace is allowed while no promise
 * names it: a promise's contact must be at the promise's account.
 */
export async function updateContact(
  ctx: AppContext,
  { principal, contactId, changes }: { principal: Principal; contactId: string; changes: ContactChanges },
): Promise<ContactRow> {
  return ctx.database.db.transaction(async (tx) => {
    const where = and(eq(contacts.workspaceId, principal.workspaceId), eq(contacts.id, contactId));
    const [current] = isUuid(contactId) ? await tx.select().from(contacts).where(where).for('update') : [];
    if (!current) throw notFound(`contact ${contactId}`, 'contactId');
    if (changes.accountId !== undefined && changes.accountId !== current.accountId) {
      await requireAccount(tx, principal, changes.accountId);
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(promises)
        .where(and(eq(promises.workspaceId, principal.workspaceId), eq(promises.contactId, contactId)));
      if ((row?.n ?? 0) > 0) {
        throw new AppError(
          'conflict',
          `accountId: ${row!.n} promise(s) at account ${current.accountId} name this contact; a contact who moved company is a new contact at the new account`,
          { field: 'accountId' },
        );
      }
    }
    const set: Partial<typeof contacts.$inferInsert> = {};
    if (changes.accountId !== undefined) set.accountId = changes.accountId;
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.email !== undefined) set.email = changes.email;
    if (changes.title !== undefined) set.title = changes.title;
    if (Object.keys(set).length === 0) return current;
    const [row] = await tx.update(contacts).set(set).where(where).returning();
    return row!;
  });
}
