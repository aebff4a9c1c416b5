import { z } from 'zod';
import { GRANTS, ROLES } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { text, uuid } from '../http/schemas.js';
import { getUser, listUsers, presentUser, updateUser } from './manage-users.js';

export function userRoutes(ctx: AppContext): AnyRoute[] {
  return [
    route({
      id: 'users.list',
      method: 'GET',
      url: '/api/v1/users',
      auth: 'records.read',
      summary: 'The workspace’s users (owners to assign, managers to escalate to).',
      tags: ['users'],
      handler: async ({ principal }) => ({ data: (await listUsers(ctx, principal)).map(presentUser) }),
    }),
    route({
      id: 'users.get',
      method: 'GET',
      url: '/api/v1/users/:userId',
      auth: 'records.read',
      summary: 'One user.',
      tags: ['users'],
      params: z.strictObject({ userId: uuid() }),
      handler: async ({ principal, params }) => presentUser(await getUser(ctx, principal, params.userId)),
    }),
    route({
      id: 'users.update',
      method: 'PATCH',
      url: '/api/v1/users/:userId',
      auth: 'users.manage',
      summary:
        'Change a user’s name, role, grants, manager, or (de)activate them; access changes are audited.',
      tags: ['users'],
      params: z.strictObject({ userId: uuid() }),
      body: z
        .strictObject({
          name: text(200).optional(),
          role: z.enum(ROLES).optional(),
          grants: z.array(z.enum(GRANTS)).max(10).optional(),
          managerId: uuid().nullable().optional(),
          active: z.boolean().optional(),
        })
        .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' }),
      handler: async ({ principal, params, body }) =>
        presentUser(await updateUser(ctx, principal, params.userId, body)),
    }),
  ];
}
