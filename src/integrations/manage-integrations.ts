// Admin use cases: create an integration (its secret is shown once), list, read, revoke, and read
// its delivery log. Every lookup is by (principal's workspace, id); another workspace's
// integration is a 404 exactly like a missing one.
import { uuidv7 } from 'uuidv7';
import { recordSecurityEvent } from '../audit/security-log.js';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { AppError, notFound } from '../errors.js';
import type { IntegrationKind } from './inbound-payloads.js';
import { presentDelivery, presentIntegration } from './integrations.presenter.js';
import {
  findIntegration,
  insertIntegration,
  listDeliveries,
  listIntegrations,
  revokeIntegration,
} from './integrations.repo.js';
import { newWebhookSecret } from './signature.js';

const missing = (id: string) => notFound(`integration ${id}`, 'integrationId');

export async function createIntegration(
  ctx: AppContext,
  { principal, input }: { principal: Principal; input: { kind: IntegrationKind; name: string } },
) {
  const secret = newWebhookSecret();
  const integration = await ctx.database.db.transaction(async (tx) => {
    const row = await insertIntegration(tx, {
      workspaceId: principal.workspaceId,
      id: uuidv7(),
      kind: input.kind,
      name: input.name,
      secret,
      createdBy: principal.userId,
      createdAt: ctx.now(),
    });
    await recordSecurityEvent(tx, {
      workspaceId: principal.workspaceId,
      kind: 'integration.created',
      at: ctx.now(),
      actorId: principal.userId,
      detail: { integrationId: row.id, kind: input.kind, name: input.name },
    });
    return row;
  });
  const creator = { id: principal.userId, active: true, role: principal.role, grants: [...principal.grants] };
  // The only response that carries the secret: it is stored so the server can check signatures,
  // but no endpoint returns it again.
  return { ...presentIntegration({ integration, creator }), secret };
}

export async function listWorkspaceIntegrations(ctx: AppContext, { principal }: { principal: Principal }) {
  return (await listIntegrations(ctx.database.db, principal.workspaceId)).map(presentIntegration);
}

export async function getIntegration(
  ctx: AppContext,
  { principal, integrationId }: { principal: Principal; integrationId: string },
) {
  const found = await findIntegration(ctx.database.db, principal.workspaceId, integrationId);
  if (!found) throw missing(integrationId);
  return presentIntegration(found);
}

/** Revokes an active (or suspended) integration: its endpoint answers 404 from now on. */
export async function revokeWorkspaceIntegration(
  ctx: AppContext,
  { principal, integrationId }: { principal: Principal; integrationId: string },
): Promise<void> {
  await ctx.database.db.transaction(async (tx) => {
    const done = await revokeIntegration(
      tx,
      principal.workspaceId,
      integrationId,
      principal.userId,
      ctx.now(),
    );
    if (!done) throw missing(integrationId);
    await recordSecurityEvent(tx, {
      workspaceId: principal.workspaceId,
      kind: 'integration.revoked',
      at: ctx.now(),
      actorId: principal.userId,
      detail: { integrationId },
    });
  });
}

interface DeliveryCursor {
  at: string;
  id: string;
}

const badCursor = () =>
  new AppError('validation_failed', 'cursor: not a cursor returned by this list', { field: 'cursor' });

function decodeCursor(raw: string): { receivedAt: Date; id: string } {
  let c: Partial<DeliveryCursor> | null;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<DeliveryCursor> | null;
  } catch {
    throw badCursor();
  }
  const at = typeof c?.at === 'string' ? new Date(c.at) : undefined;
  if (!at || Number.isNaN(at.getTime()) || typeof c?.id !== 'string' || !/^[0-9a-f-]{36}$/.test(c.id)) {
    throw badCursor();
  }
  return { receivedAt: at, id: c.id };
}

const encodeCursor = (c: DeliveryCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/** The integration's deliveries, newest first, a page at a time. */
export async function listIntegrationDeliveries(
  ctx: AppContext,
  {
    principal,
    integrationId,
    cursor,
    limit,
  }: { principal: Principal; integrationId: string; cursor?: string | undefined; limit: number },
) {
  const db = ctx.database.db;
  if (!(await findIntegration(db, principal.workspaceId, integrationId))) throw missing(integrationId);
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const rows = await listDeliveries(db, principal.workspaceId, integrationId, after, limit);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map(presentDelivery),
    nextCursor:
      rows.length > limit && last ? encodeCursor({ at: last.receivedAt.toISOString(), id: last.id }) : null,
  };
}
