import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { text, uuid } from '../http/schemas.js';
import { presentPromises } from '../promises/present-promises.js';
import { createView, deleteView, getView, listViews, updateView } from './manage-views.js';
import { runView } from './run-view.js';
import { VISIBILITIES } from './saved-view.js';
import { presentView } from './views.presenter.js';

// The view's filter + sort: the query parameters of GET /api/v1/promises (checked against that
// route's schema when saved), e.g. {"owner": "me", "status": "open", "dueWithinDays": 7, "sort": "-dueAt"}.
const query = z
  .record(
    z.string().max(100),
    z.union([z.string().max(2000), z.number(), z.boolean(), z.array(z.string().max(200)).max(50)]),
  )
  .describe('Query parameters of GET /api/v1/promises: filters and sort (not cursor, limit or count).');

const viewParams = z.strictObject({ viewId: uuid() });

export function viewRoutes(ctx: AppContext): AnyRoute[] {
  return [
    route({
      id: 'views.list',
      method: 'GET',
      url: '/api/v1/views',
      auth: 'records.read',
      summary: 'Saved promise views you can see: your private ones and the workspace’s shared ones.',
      tags: ['views'],
      handler: async ({ principal }) => ({ data: (await listViews(ctx, { principal })).map(presentView) }),
    }),
    // A private view is personal, but saving one is still a write: viewers and read-only tokens cannot.
    route({
      id: 'views.create',
      method: 'POST',
      url: '/api/v1/views',
      auth: 'view.write_own',
      summary:
        'Save a named filter + sort over promises; sharing it with the workspace needs view.write_shared.',
      tags: ['views'],
      body: z.strictObject({ name: text(200), visibility: z.enum(VISIBILITIES).default('private'), query }),
      status: 201,
      handler: async ({ principal, body }) => presentView(await createView(ctx, { principal, input: body })),
    }),
    route({
      id: 'views.get',
      method: 'GET',
      url: '/api/v1/views/:viewId',
      auth: 'records.read',
      summary: 'One saved view (another user’s private view is not found).',
      tags: ['views'],
      params: viewParams,
      handler: async ({ principal, params }) =>
        presentView(await getView(ctx, { principal, viewId: params.viewId })),
    }),
    route({
      id: 'views.update',
      method: 'PATCH',
      url: '/api/v1/views/:viewId',
      auth: 'view.write_own',
      summary: 'Rename a view, change its filter + sort, or share it; shared views need view.write_shared.',
      tags: ['views'],
      params: viewParams,
      body: z
        .strictObject({
          name: text(200).optional(),
          visibility: z.enum(VISIBILITIES).optional(),
          query: query.optional(),
        })
        .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' }),
      handler: async ({ principal, params, body }) =>
        presentView(await updateView(ctx, { principal, viewId: params.viewId, changes: body })),
    }),
    route({
      id: 'views.delete',
      method: 'DELETE',
      url: '/api/v1/views/:viewId',
      auth: 'view.write_own',
      summary: 'Delete a view (your private one, or a shared one with view.write_shared).',
      tags: ['views'],
      params: viewParams,
      status: 204,
      handler: async ({ principal, params }) => {
        await deleteView(ctx, { principal, viewId: params.viewId });
        return null;
      },
    }),
    route({
      id: 'views.promises',
      method: 'GET',
      url: '/api/v1/views/:viewId/promises',
      auth: 'records.read',
      summary: 'Run a saved view: the promises its filter + sort select, with a cursor.',
      tags: ['views'],
      params: viewParams,
      query: z.strictObject({
        cursor: z.string().max(500).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
        count: z
          .enum(['true', 'false'])
          .transform((v) => v === 'true')
          .optional(),
      }),
      handler: async ({ principal, params, query: q }) => {
        const { page } = await runView(ctx, {
          principal,
          viewId: params.viewId,
          cursor: q.cursor,
          limit: q.limit,
          withTotal: q.count === true,
        });
        const at = ctx.now();
        return {
          data: await presentPromises(ctx, principal.workspaceId, page.data, at),
          nextCursor: page.nextCursor,
          ...(page.total === undefined ? {} : { total: page.total }),
        };
      },
    }),
  ];
}
