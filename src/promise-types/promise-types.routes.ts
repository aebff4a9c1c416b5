import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { text } from '../http/schemas.js';
import {
  createPromiseType,
  deletePromiseType,
  getPromiseType,
  listPromiseTypes,
  updatePromiseType,
} from './manage-promise-types.js';
import { presentPromiseType } from './promise-types.presenter.js';

const key = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a key such as support_resolution (a-z, 0-9, _)');
const typeParams = z.strictObject({ key });

export function promiseTypeRoutes(ctx: AppContext): AnyRoute[] {
  return [
    route({
      id: 'promiseTypes.list',
      method: 'GET',
      url: '/api/v1/promise-types',
      auth: 'records.read',
      summary: 'The workspace’s promise types (built-in and added), optionally only active or inactive ones.',
      tags: ['promise-types'],
      query: z.strictObject({
        active: z
          .enum(['true', 'false'])
          .transform((v) => v === 'true')
          .optional(),
      }),
      handler: async ({ principal, query }) => ({
        data: (await listPromiseTypes(ctx, { principal, active: query.active })).map(presentPromiseType),
      }),
    }),
    route({
      id: 'promiseTypes.create',
      method: 'POST',
      url: '/api/v1/promise-types',
      auth: 'settings.manage',
      summary: 'Add a promise type.',
      tags: ['promise-types'],
      body: z.strictObject({ key, label: text(200) }),
      status: 201,
      handler: async ({ principal, body }) =>
        presentPromiseType(await createPromiseType(ctx, { principal, ...body })),
    }),
    route({
      id: 'promiseTypes.get',
      method: 'GET',
      url: '/api/v1/promise-types/:key',
      auth: 'records.read',
      summary: 'One promise type.',
      tags: ['promise-types'],
      params: typeParams,
      handler: async ({ principal, params }) =>
        presentPromiseType(await getPromiseType(ctx, { principal, key: params.key })),
    }),
    route({
      id: 'promiseTypes.update',
      method: 'PATCH',
      url: '/api/v1/promise-types/:key',
      auth: 'settings.manage',
      summary: 'Rename a promise type, or (de)activate it: an inactive type cannot be used for new promises.',
      tags: ['promise-types'],
      params: typeParams,
      body: z
        .strictObject({ label: text(200).optional(), active: z.boolean().optional() })
        .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' }),
      handler: async ({ principal, params, body }) =>
        presentPromiseType(await updatePromiseType(ctx, { principal, key: params.key, changes: body })),
    }),
    route({
      id: 'promiseTypes.delete',
      method: 'DELETE',
      url: '/api/v1/promise-types/:key',
      auth: 'settings.manage',
      summary: 'Delete an added type no promise uses; built-in and used types can only be deactivated.',
      tags: ['promise-types'],
      params: typeParams,
      status: 204,
      handler: async ({ principal, params }) => {
        await deletePromiseType(ctx, { principal, key: params.key });
        return null;
      },
    }),
  ];
}
