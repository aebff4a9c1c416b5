// Factories that create whatever parents a record needs (workspace → users → account → promise).
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { createApiToken } from '../../src/auth/api-tokens.js';
import type { Principal } from '../../src/auth/policy.js';
import type { AppContext } from '../../src/context.js';
import { accounts, contacts, users } from '../../src/db/schema.js';
import { type CreatePromiseInput, createPromise } from '../../src/promises/create-promise.js';
import { createWorkspace } from '../../src/workspaces/create-workspace.js';

const tag = () => randomBytes(4).toString('hex');

export async function buildWorkspace(ctx: AppContext, o: { slug?: string; name?: string } = {}) {
  const slug = o.slug ?? `ws-${tag()}`;
  const { workspaceId, adminId } = await createWorkspace(ctx, {
    name: o.name ?? `Workspace ${slug}`,
    slug,
    admin: { email: `admin@${slug}.test`, name: 'Admin', password: 'correct horse battery staple' },
  });
  return { workspaceId, adminId, slug };
}

export async function buildUser(
  ctx: AppContext,
  o: {
    workspaceId?: string;
    role?: 'admin' | 'manager' | 'member' | 'viewer';
    active?: boolean;
    managerId?: string;
  } = {},
) {
  const workspaceId = o.workspaceId ?? (await buildWorkspace(ctx)).workspaceId;
  const id = uuidv7();
  await ctx.database.db.insert(users).values({
    workspaceId,
    id,
    email: `user-${tag()}@example.test`,
    name: `User ${tag()}`,
    role: o.role ?? 'member',
    active: o.active ?? true,
    managerId: o.managerId ?? null,
  });
  return { workspaceId, userId: id };
}

export async function buildAccount(ctx: AppContext, o: { workspaceId?: string; ownerId?: string } = {}) {
  const workspaceId = o.workspaceId ?? (await buildWorkspace(ctx)).workspaceId;
  const ownerId = o.ownerId ?? (await buildUser(ctx, { workspaceId })).userId;
  const id = uuidv7();
  await ctx.database.db.insert(accounts).values({
    workspaceId,
    id,
    name: `Account ${tag()}`,
    tier: 'mid_market',
    arrMinor: 4_000_000,
    currency: 'USD',
    lifecycleStage: 'adopt',
    ownerId,
    temperature: 'neutral',
  });
  const contactId = uuidv7();
  await ctx.database.db
    .insert(contacts)
    .values({ workspaceId, id: contactId, accountId: id, name: 'Maya Chen' });
  return { workspaceId, accountId: id, ownerId, contactId };
}

export async function buildPromise(
  ctx: AppContext,
  o: Partial<CreatePromiseInput> & { workspaceId?: string; actorId?: string } = {},
) {
  const { workspaceId: wsIn, actorId: actorIn, ...input } = o;
  const acc = await buildAccount(ctx, {
    ...(wsIn ? { workspaceId: wsIn } : {}),
    ...(input.ownerId ? { ownerId: input.ownerId } : {}),
  });
  const actorId = actorIn ?? acc.ownerId;
  const stored = await createPromise(ctx, {
    principal: await principalFor(ctx, acc.workspaceId, actorId),
    input: {
      accountId: input.accountId ?? acc.accountId,
      typeKey: 'product_follow_up',
      promiseMade: 'Send Maya a 2-minute video showing how to filter exports by region',
      customerReason: 'She defends the rollout in Monday’s leadership meeting',
      ownerId: acc.ownerId,
      dueAt: new Date(ctx.now().getTime() + 5 * 86_400_000),
      source: 'success',
      ...input,
    },
  });
  return { ...acc, actorId, promiseId: stored.state.id, stored };
}

/**
 * A workspace with the people a promise needs: its owner, a colleague to hand it to, a deactivated
 * user, and an account (with a contact) owned by the owner.
 */
export async function buildTeam(ctx: AppContext, o: { slug?: string } = {}) {
  const ws = await buildWorkspace(ctx, o.slug ? { slug: o.slug } : {});
  const { workspaceId } = ws;
  const ownerId = (await buildUser(ctx, { workspaceId })).userId;
  const colleagueId = (await buildUser(ctx, { workspaceId })).userId;
  const inactiveId = (await buildUser(ctx, { workspaceId, active: false })).userId;
  const acc = await buildAccount(ctx, { workspaceId, ownerId });
  return { ...ws, ownerId, colleagueId, inactiveId, accountId: acc.accountId, contactId: acc.contactId };
}

/** buildTeam, plus a manager set as the owner's manager (escalations, NPS follow-ups, overdue reminders). */
export async function buildTeamWithManager(ctx: AppContext) {
  const team = await buildTeam(ctx);
  const managerId = (await buildUser(ctx, { workspaceId: team.workspaceId, role: 'manager' })).userId;
  await ctx.database.db
    .update(users)
    .set({ managerId })
    .where(and(eq(users.workspaceId, team.workspaceId), eq(users.id, team.ownerId)));
  return { ...team, managerId };
}

/** The JSON body of `POST /workspaces/:workspace/promises` for a team, due in `days` days. */
export function promiseBody(
  ctx: AppContext,
  team: { accountId: string; ownerId: string },
  o: { days?: number } & Record<string, unknown> = {},
): Record<string, unknown> {
  const { days = 5, ...overrides } = o;
  return {
    accountId: team.accountId,
    typeKey: 'product_follow_up',
    promiseMade: 'Send Maya a 2-minute video showing how to filter exports by region',
    customerReason: 'She defends the rollout in Monday’s leadership meeting',
    ownerId: team.ownerId,
    dueAt: new Date(ctx.now().getTime() + days * 86_400_000).toISOString(),
    ...overrides,
  };
}

/** The principal of a user, as an API token with `scope` would give (for calling use cases). */
export async function principalFor(
  ctx: AppContext,
  workspaceId: string,
  userId: string,
  scope: 'read' | 'write' = 'write',
): Promise<Principal> {
  const [u] = await ctx.database.db
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(users.id, userId)));
  if (!u) throw new Error(`no user ${userId} in workspace ${workspaceId}`);
  return { workspaceId, userId, role: u.role, grants: u.grants, via: 'token', scope };
}

/** A real API token for a user: `{ authorization: 'Bearer …' }` headers for HTTP tests. */
export async function tokenHeaders(
  ctx: AppContext,
  workspaceId: string,
  userId: string,
  scope: 'read' | 'write' = 'write',
): Promise<{ authorization: string }> {
  const p = await principalFor(ctx, workspaceId, userId, scope);
  const t = await createApiToken(ctx, p, { name: `test ${scope}`, scope });
  return { authorization: `Bearer ${t.token}` };
}
