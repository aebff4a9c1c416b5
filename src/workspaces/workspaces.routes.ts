import { and, asc, eq } from 'drizzle-orm';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { accounts, users } from '../db/schema.js';
import { listWorkspaces, requireWorkspace } from './workspaces.repo.js';

const wsParams = z.strictObject({ workspace: z.string().min(1).max(100) });

export const workspaceRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get('/workspaces', async () => ({
      data: (await listWorkspaces(ctx.database.db)).map((w) => ({
        id: w.id,
        name: w.name,
        slug: w.slug,
        timeZone: w.timeZone,
      })),
    }));
    r.get('/workspaces/:workspace/users', { schema: { params: wsParams } }, async (req) => {
      const ws = await requireWorkspace(ctx.database.db, req.params.workspace);
      const rows = await ctx.database.db
        .select({
          id: users.id,
          name: users.name,
          email: users.email,
          role: users.role,
          managerId: users.managerId,
          active: users.active,
        })
        .from(users)
        .where(eq(users.workspaceId, ws.id))
        .orderBy(asc(users.name));
      return { data: rows };
    });
    r.get(
      '/workspaces/:workspace/accounts',
      {
        schema: {
          params: wsParams,
          querystring: z.strictObject({
            owner: z.uuid().optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          }),
        },
      },
      async (req) => {
        const ws = await requireWorkspace(ctx.database.db, req.params.workspace);
        const where = req.query.owner
          ? and(eq(accounts.workspaceId, ws.id), eq(accounts.ownerId, req.query.owner))
          : eq(accounts.workspaceId, ws.id);
        const rows = await ctx.database.db
          .select()
          .from(accounts)
          .where(where)
          .orderBy(asc(accounts.name))
          .limit(req.query.limit);
        return {
          data: rows.map((a) => ({
            id: a.id,
            name: a.name,
            tier: a.tier,
            arr: { amountMinor: a.arrMinor, currency: a.currency },
            contractStart: a.contractStart,
            renewalDate: a.renewalDate,
            lifecycleStage: a.lifecycleStage,
            ownerId: a.ownerId,
            temperature: a.temperature,
            temperatureUpdatedAt: a.temperatureUpdatedAt?.toISOString() ?? null,
            lastActivityAt: a.lastActivityAt?.toISOString() ?? null,
          })),
        };
      },
    );
  };
