import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { instant, text, uuid } from '../http/schemas.js';
import { presentPromises } from '../promises/present-promises.js';
import { EMOTIONS } from '../promises/promise.js';
import { completeHandoff } from './complete-handoff.js';
import { HANDOFF_STATUSES, MAX_HANDOFF_ITEMS } from './handoff.js';
import { presentHandoff } from './handoffs.presenter.js';
import { createHandoff, getHandoff, listHandoffs, updateHandoff } from './manage-handoffs.js';

const handoffParams = z.strictObject({ handoffId: uuid() });

const HandoffItemBody = z.strictObject({
  /** "Customer believes we will…" — what sales told the customer, in specific words. */
  believesWeWill: text(2000),
  /** Why the customer cares. */
  customerReason: text(2000),
  dueAt: instant(),
  typeKey: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a promise type key such as onboarding_change')
    .nullable()
    .optional(),
  emotion: z.enum(EMOTIONS).nullable().optional(),
});
const items = z
  .array(HandoffItemBody)
  .min(1, 'a handoff needs at least one "Customer believes we will…" item')
  .max(MAX_HANDOFF_ITEMS, `at most ${MAX_HANDOFF_ITEMS} items`);

export const CreateHandoffBody = z.strictObject({
  accountId: uuid(),
  contactId: uuid().nullable().optional(),
  /** The seller handing over; defaults to the caller. */
  fromUserId: uuid().optional(),
  /** The receiver (onboarding): owns every promise the handoff becomes. */
  toUserId: uuid(),
  note: text(4000).optional(),
  items,
});

export const UpdateHandoffBody = z
  .strictObject({
    contactId: uuid().nullable().optional(),
    fromUserId: uuid().optional(),
    toUserId: uuid().optional(),
    note: text(4000).nullable().optional(),
    /** Replaces the whole list. */
    items: items.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' });

export const HandoffListQuery = z.strictObject({
  account: uuid().optional(),
  status: z.enum(HANDOFF_STATUSES).optional(),
  toUser: z.union([z.literal('me'), uuid()]).optional(),
  fromUser: z.union([z.literal('me'), uuid()]).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function handoffRoutes(ctx: AppContext): AnyRoute[] {
  const now = () => ctx.now();
  return [
    route({
      id: 'handoffs.create',
      method: 'POST',
      url: '/api/v1/handoffs',
      auth: 'handoff.write',
      summary:
        'Start a sales-to-onboarding handoff (a draft) with at least one "Customer believes we will…" item.',
      tags: ['handoffs'],
      body: CreateHandoffBody,
      status: 201,
      handler: async ({ principal, body }) =>
        presentHandoff(await createHandoff(ctx, { principal, input: body })),
    }),
    route({
      id: 'handoffs.list',
      method: 'GET',
      url: '/api/v1/handoffs',
      auth: 'records.read',
      summary: 'Handoffs, newest first, filtered by account, status, receiver or sender, with their items.',
      tags: ['handoffs'],
      query: HandoffListQuery,
      handler: async ({ principal, query }) => {
        const { cursor, limit, ...filter } = query;
        const page = await listHandoffs(ctx, { principal, filter, cursor, limit });
        return { data: page.data.map(presentHandoff), nextCursor: page.nextCursor };
      },
    }),
    route({
      id: 'handoffs.get',
      method: 'GET',
      url: '/api/v1/handoffs/:handoffId',
      auth: 'records.read',
      summary: 'One handoff with its items (and, once completed, the promise each became).',
      tags: ['handoffs'],
      params: handoffParams,
      handler: async ({ principal, params }) =>
        presentHandoff(await getHandoff(ctx, { principal, handoffId: params.handoffId })),
    }),
    route({
      id: 'handoffs.update',
      method: 'PATCH',
      url: '/api/v1/handoffs/:handoffId',
      auth: 'handoff.write',
      summary: 'Change a draft handoff: receiver, sender, contact, note, or the whole item list.',
      tags: ['handoffs'],
      params: handoffParams,
      body: UpdateHandoffBody,
      handler: async ({ principal, params, body }) =>
        presentHandoff(await updateHandoff(ctx, { principal, handoffId: params.handoffId, changes: body })),
    }),
    route({
      id: 'handoffs.complete',
      method: 'POST',
      url: '/api/v1/handoffs/:handoffId/complete',
      auth: 'handoff.write',
      summary:
        'Complete a draft handoff: every item becomes a promise owned by the receiver (source sales_handoff), ' +
        'all in one transaction; returns the handoff and the created promises.',
      tags: ['handoffs'],
      params: handoffParams,
      handler: async ({ principal, params }) => {
        const done = await completeHandoff(ctx, { principal, handoffId: params.handoffId });
        const at = now();
        return {
          ...presentHandoff(done),
          promises: await presentPromises(ctx, principal.workspaceId, done.promises, at),
        };
      },
    }),
  ];
}
