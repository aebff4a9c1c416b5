// SQL for integrations, their processed event ids and their delivery log. Every statement is
// scoped by workspace_id first, except findIntegrationForDelivery: the public endpoint knows only
// the integration id, and the row it finds decides the workspace for everything after.
import { and, asc, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Queryable } from '../db/connect.js';
import {
  accounts,
  contacts,
  integrationDeliveries,
  integrationEvents,
  integrations,
  users,
} from '../db/schema.js';
import { isUuid } from '../workspaces/workspaces.repo.js';

export type IntegrationRow = typeof integrations.$inferSelect;
export type DeliveryRow = typeof integrationDeliveries.$inferSelect;
export type NewDeliveryRow = typeof integrationDeliveries.$inferInsert;

/** The user an integration records as: whether they still may (active, and allowed to manage integrations). */
export interface Creator {
  id: string;
  active: boolean;
  role: 'admin' | 'manager' | 'member' | 'viewer';
  grants: string[];
}

export interface IntegrationWithCreator {
  integration: IntegrationRow;
  creator: Creator;
}

const withCreator = (q: Queryable) =>
  q
    .select({
      integration: integrations,
      creator: { id: users.id, active: users.active, role: users.role, grants: users.grants },
    })
    .from(integrations)
    .innerJoin(
      users,
      and(eq(users.workspaceId, integrations.workspaceId), eq(users.id, integrations.createdBy)),
    );

export async function insertIntegration(q: Queryable, row: typeof integrations.$inferInsert) {
  const [inserted] = await q.insert(integrations).values(row).returning();
  return inserted!;
}

export async function listIntegrations(q: Queryable, workspaceId: string): Promise<IntegrationWithCreator[]> {
  return withCreator(q)
    .where(eq(integrations.workspaceId, workspaceId))
    .orderBy(desc(integrations.createdAt), asc(integrations.id));
}

export async function findIntegration(
  q: Queryable,
  workspaceId: string,
  id: string,
): Promise<IntegrationWithCreator | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await withCreator(q)
    .where(and(eq(integrations.workspaceId, workspaceId), eq(integrations.id, id)))
    .limit(1);
  return row;
}

/** The public endpoint's lookup: by id alone (integrations_id_idx). */
export async function findIntegrationForDelivery(
  q: Queryable,
  id: string,
): Promise<IntegrationWithCreator | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await withCreator(q).where(eq(integrations.id, id)).limit(1);
  return row;
}

export async function revokeIntegration(
  q: Queryable,
  workspaceId: string,
  id: string,
  by: string,
  at: Date,
): Promise<boolean> {
  if (!isUuid(id)) return false;
  const done = await q
    .update(integrations)
    .set({ revokedAt: at, revokedBy: by })
    .where(
      and(eq(integrations.workspaceId, workspaceId), eq(integrations.id, id), isNull(integrations.revokedAt)),
    )
    .returning({ id: integrations.id });
  return done.length > 0;
}

/**
 * Claims an event id for this integration: true when this transaction is the first to process it.
 * A concurrent delivery of the same id waits on the key and then finds it taken.
 */
export async function claimEvent(
  q: Queryable,
  key: { workspaceId: string; integrationId: string; eventId: string },
  at: Date,
): Promise<boolean> {
  const inserted = await q
    .insert(integrationEvents)
    .values({ ...key, processedAt: at })
    .onConflictDoNothing()
    .returning({ eventId: integrationEvents.eventId });
  return inserted.length > 0;
}

export async function findEvent(
  q: Queryable,
  key: { workspaceId: string; integrationId: string; eventId: string },
) {
  const [row] = await q
    .select()
    .from(integrationEvents)
    .where(
      and(
        eq(integrationEvents.workspaceId, key.workspaceId),
        eq(integrationEvents.integrationId, key.integrationId),
        eq(integrationEvents.eventId, key.eventId),
      ),
    )
    .limit(1);
  return row;
}

export async function setEventSignal(
  q: Queryable,
  key: { workspaceId: string; integrationId: string; eventId: string },
  signalId: string,
): Promise<void> {
  await q
    .update(integrationEvents)
    .set({ signalId })
    .where(
      and(
        eq(integrationEvents.workspaceId, key.workspaceId),
        eq(integrationEvents.integrationId, key.integrationId),
        eq(integrationEvents.eventId, key.eventId),
      ),
    );
}

export async function insertDelivery(q: Queryable, row: NewDeliveryRow): Promise<DeliveryRow> {
  const [inserted] = await q.insert(integrationDeliveries).values(row).returning();
  return inserted!;
}

/** One page of an integration's deliveries, newest first, after the (receivedAt, id) cursor. */
export async function listDeliveries(
  q: Queryable,
  workspaceId: string,
  integrationId: string,
  after: { receivedAt: Date; id: string } | undefined,
  limit: number,
): Promise<DeliveryRow[]> {
  const d = integrationDeliveries;
  const where = and(
    eq(d.workspaceId, workspaceId),
    eq(d.integrationId, integrationId),
    after
      ? or(lt(d.receivedAt, after.receivedAt), and(eq(d.receivedAt, after.receivedAt), lt(d.id, after.id)))
      : undefined,
  );
  return q
    .select()
    .from(d)
    .where(where)
    .orderBy(desc(d.receivedAt), desc(d.id))
    .limit(limit + 1);
}

// ---------------------------------------------------------------------------------------------
// Matching an event's account, within the integration's workspace only.

export async function findAccountByExternalId(q: Queryable, workspaceId: string, externalId: string) {
  const [row] = await q
    .select()
    .from(accounts)
    .where(and(eq(accounts.workspaceId, workspaceId), eq(accounts.externalId, externalId)))
    .limit(1);
  return row;
}

/** Up to two accounts with this domain (two means the domain does not name one account). */
export async function findAccountsByDomain(q: Queryable, workspaceId: string, domain: string) {
  return q
    .select()
    .from(accounts)
    .where(
      and(eq(accounts.workspaceId, workspaceId), sql`lower(${accounts.domain}) = ${domain.toLowerCase()}`),
    )
    .orderBy(asc(accounts.id))
    .limit(2);
}

export async function findContactByEmail(
  q: Queryable,
  workspaceId: string,
  accountId: string,
  email: string,
) {
  const [row] = await q
    .select({ id: contacts.id })
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        eq(contacts.accountId, accountId),
        sql`lower(${contacts.email}) = ${email.toLowerCase()}`,
      ),
    )
    .orderBy(asc(contacts.id))
    .limit(1);
  return row;
}
