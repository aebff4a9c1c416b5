import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { recordSecurityEvent } from '../audit/security-log.js';
import type { AppContext } from '../context.js';
import type { Db } from '../db/connect.js';
import { apiTokens, users } from '../db/schema.js';
import { AppError } from '../errors.js';
import { isUuid } from '../workspaces/workspaces.repo.js';
import type { Principal } from './policy.js';
import { formatSecret, newSecret, parseSecret, secretMatches } from './secrets.js';

const PREFIX = 'plt';

export function presentToken(t: typeof apiTokens.$inferSelect) {
  return {
    id: t.id,
    name: t.name,
    scope: t.scope,
    userId: t.userId,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

/** Creates an API token for the principal's own user; the token is returned once, stored hashed. */
export async function createApiToken(
  ctx: AppContext,
  p: Principal,
  input: { name: string; scope: 'read' | 'write' },
) {
  if (input.scope === 'write' && p.scope === 'read') {
    throw new AppError('forbidden', 'scope: a read-only credential cannot create a write token', {
      field: 'scope',
    });
  }
  const id = uuidv7();
  const { secret, hash } = newSecret();
  const now = ctx.now();
  const row = {
    workspaceId: p.workspaceId,
    id,
    userId: p.userId,
    name: input.name,
    scope: input.scope,
    secretHash: hash,
    createdAt: now,
  };
  await ctx.database.db.transaction(async (tx) => {
    await tx.insert(apiTokens).values(row);
    await recordSecurityEvent(tx, {
      workspaceId: p.workspaceId,
      kind: 'token.created',
      at: now,
      userId: p.userId,
      actorId: p.userId,
      detail: { tokenId: id, scope: input.scope, name: input.name },
    });
  });
  return {
    token: formatSecret(PREFIX, p.workspaceId, id, secret),
    ...presentToken({ ...row, lastUsedAt: null, revokedAt: null }),
  };
}

export async function listOwnApiTokens(ctx: AppContext, p: Principal) {
  return ctx.database.db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.workspaceId, p.workspaceId), eq(apiTokens.userId, p.userId)))
    .orderBy(desc(apiTokens.createdAt));
}

export async function revokeApiToken(ctx: AppContext, p: Principal, tokenId: string) {
  if (!isUuid(tokenId)) throw new AppError('not_found', `token ${tokenId} not found`, { field: 'tokenId' });
  const now = ctx.now();
  await ctx.database.db.transaction(async (tx) => {
    const done = await tx
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(
        and(
          eq(apiTokens.workspaceId, p.workspaceId),
          eq(apiTokens.id, tokenId),
          eq(apiTokens.userId, p.userId),
          isNull(apiTokens.revokedAt),
        ),
      )
      .returning({ id: apiTokens.id });
    if (done.length === 0)
      throw new AppError('not_found', `token ${tokenId} not found`, { field: 'tokenId' });
    await recordSecurityEvent(tx, {
      workspaceId: p.workspaceId,
      kind: 'token.revoked',
      at: now,
      userId: p.userId,
      actorId: p.userId,
      detail: { tokenId },
    });
  });
}

/** The principal of a bearer token; undefined when unknown, revoked, or its user was removed. */
/** Every API request starts with this lookup: its SQL is built and prepared once per database. */
function prepareTokenLookup(db: Db) {
  return db
    .select({
      t: {
        secretHash: apiTokens.secretHash,
        revokedAt: apiTokens.revokedAt,
        lastUsedAt: apiTokens.lastUsedAt,
        scope: apiTokens.scope,
      },
      u: {
        workspaceId: users.workspaceId,
        id: users.id,
        role: users.role,
        grants: users.grants,
        active: users.active,
      },
    })
    .from(apiTokens)
    .innerJoin(users, and(eq(users.workspaceId, apiTokens.workspaceId), eq(users.id, apiTokens.userId)))
    .where(
      and(eq(apiTokens.workspaceId, sql.placeholder('workspaceId')), eq(apiTokens.id, sql.placeholder('id'))),
    )
    .limit(1)
    .prepare('api_token_lookup');
}
const tokenLookups = new WeakMap<Db, ReturnType<typeof prepareTokenLookup>>();

export async function resolveApiToken(
  ctx: AppContext,
  value: string | undefined,
  ip?: string,
): Promise<Principal | undefined> {
  const parsed = parseSecret(PREFIX, value);
  if (!parsed) return undefined;
  const db = ctx.database.db;
  let lookup = tokenLookups.get(db);
  if (!lookup) {
    lookup = prepareTokenLookup(db);
    tokenLookups.set(db, lookup);
  }
  const [row] = await lookup.execute({ workspaceId: parsed.workspaceId, id: parsed.id });
  if (!row || !secretMatches(parsed.secret, row.t.secretHash) || row.t.revokedAt || !row.u.active) {
    return undefined;
  }
  const now = ctx.now();
  // Token use is recorded at most once a minute per token (last_used_at and the audit log).
  if (!row.t.lastUsedAt || now.getTime() - row.t.lastUsedAt.getTime() > 60_000) {
    await db.transaction(async (tx) => {
      await tx
        .update(apiTokens)
        .set({ lastUsedAt: now })
        .where(and(eq(apiTokens.workspaceId, parsed.workspaceId), eq(apiTokens.id, parsed.id)));
      await recordSecurityEvent(tx, {
        workspaceId: parsed.workspaceId,
        kind: 'token.used',
        at: now,
        userId: row.u.id,
        ip: ip ?? null,
        detail: { tokenId: parsed.id },
      });
    });
  }
  return {
    workspaceId: row.u.workspaceId,
    userId: row.u.id,
    role: row.u.role,
    grants: row.u.grants,
    via: 'token',
    scope: row.t.scope,
  };
}
