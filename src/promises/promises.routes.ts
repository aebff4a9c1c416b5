import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { csv, instant, text, uuid } from '../http/schemas.js';
import { invalidateKeptHistory } from '../sla/context-cache.js';
import { RISK_LEVELS } from '../sla/risk.js';
import { changePromise, type PromiseCommandInput } from './change-promise.js';
import { createPromise } from './create-promise.js';
import { presentOnePromise, presentPromises } from './present-promises.js';
import {
  COMMENT_AUDIENCES,
  CONSEQUENCES,
  EMOTIONS,
  PAUSE_CAUSES,
  PRIORITIES,
  PROOF_KINDS,
  RECOVERY_STRENGTHS,
  SOURCES,
  STATUSES,
} from './promise.js';
import { presentEvent } from './promises.presenter.js';
import { getPromiseWithHistory, listPromises, SORTS } from './read-promises.js';

const promiseParams = z.strictObject({ promiseId: uuid() });
const typeKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a promise type key such as support_resolution');
const riskIndicators = z
  .array(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a risk indicator key'))
  .max(20);

export const CreatePromiseBody = z.strictObject({
  accountId: uuid(),
  contactId: uuid().nullable().optional(),
  typeKey,
  promiseMade: text(),
  customerReason: text(),
  ownerId: uuid(),
  // Optional when an SLA policy matches: the due date is then the policy's target from now.
  dueAt: instant().optional(),
  priority: z.enum(PRIORITIES).nullable().optional(),
  emotion: z.enum(EMOTIONS).nullable().optional(),
  consequence: z.enum(CONSEQUENCES).nullable().optional(),
  source: z.enum(SOURCES).optional(),
  riskIndicators: riskIndicators.optional(),
});

/** Each action route: its path, body schema, and the command it becomes. */
const ACTIONS: {
  summary: string;
  path: string;
  body: z.ZodType;
  toCommand: (b: never) => PromiseCommandInput;
}[] = [
  {
    path: 'edit',
    summary:
      "Edit the promise's text, reason, type, contact, emotion, consequence, source or risk indicators (field diffs are recorded).",
    body: z.strictObject({
      changes: z.strictObject({
        promiseMade: text().optional(),
        customerReason: text().optional(),
        typeKey: typeKey.optional(),
        contactId: uuid().nullable().optional(),
        emotion: z.enum(EMOTIONS).nullable().optional(),
        consequence: z.enum(CONSEQUENCES).nullable().optional(),
        source: z.enum(SOURCES).optional(),
        riskIndicators: riskIndicators.optional(),
        priority: z.enum(PRIORITIES).nullable().optional(),
      }),
      reason: text(1000).optional(),
    }),
    toCommand: (b: { changes: object; reason?: string }) => ({
      kind: 'edit',
      changes: b.changes,
      reason: b.reason,
    }),
  },
  {
    path: 'reassign',
    summary: 'Hand the promise to another active user.',
    body: z.strictObject({ ownerId: uuid(), reason: text(1000).optional() }),
    toCommand: (b: { ownerId: string; reason?: string }) => ({
      kind: 'change_owner',
      ownerId: b.ownerId,
      reason: b.reason,
    }),
  },
  {
    path: 'renegotiate',
    summary:
      'Move the due date, as agreed with the customer (who agreed is recorded; renegotiations are counted).',
    body: z.strictObject({ dueAt: instant(), agreedBy: text(200), reason: text(1000).optional() }),
    toCommand: (b: { dueAt: Date; agreedBy: string; reason?: string }) => ({ kind: 'renegotiate', ...b }),
  },
  {
    path: 'pause',
    summary:
      'Stop the clock while the customer holds things up (cause: customer). A delay on our side does not pause the clock: `us` is refused (400, field `cause`); renegotiate instead.',
    body: z.strictObject({ cause: z.enum(PAUSE_CAUSES), note: text(1000) }),
    toCommand: (b: { cause: 'customer' | 'us'; note: string }) => ({ kind: 'pause', ...b }),
  },
  {
    path: 'resume',
    summary: 'Restart the clock; the due date moves back by the paused time.',
    // Everything is optional, so no body at all is fine too.
    body: z.strictObject({ note: text(1000).optional() }).nullish(),
    toCommand: (b: { note?: string } | null | undefined) => ({ kind: 'resume', note: b?.note }),
  },
  {
    path: 'keep',
    summary: 'Close the promise as kept, with proof of completion and how much confidence it restored.',
    body: z.strictObject({
      proof: z
        .strictObject({
          kind: z.enum(PROOF_KINDS),
          note: text(2000).optional(),
          url: z.url().max(2000).optional(),
        })
        .refine((p) => p.note !== undefined || p.url !== undefined, {
          message: 'give a note or a URL that shows the promise was kept',
          path: ['note'],
        }),
      recoveryStrength: z.enum(RECOVERY_STRENGTHS),
    }),
    toCommand: (b: {
      proof: { kind: (typeof PROOF_KINDS)[number]; note?: string; url?: string };
      recoveryStrength: (typeof RECOVERY_STRENGTHS)[number];
    }) => ({
      kind: 'keep',
      ...b,
    }),
  },
  {
    path: 'break',
    summary: 'Close the promise as broken, with the reason.',
    body: z.strictObject({ reason: text(1000) }),
    toCommand: (b: { reason: string }) => ({ kind: 'break', reason: b.reason }),
  },
  {
    path: 'cancel',
    summary: 'Cancel the promise (excluded from fulfilment rates), with the reason.',
    body: z.strictObject({ reason: text(1000) }),
    toCommand: (b: { reason: string }) => ({ kind: 'cancel', reason: b.reason }),
  },
  {
    path: 'comments',
    summary:
      "Add a comment to the promise's history; audience `customer` records an update sent to the customer (default `internal`).",
    body: z.strictObject({ text: text(4000), audience: z.enum(COMMENT_AUDIENCES).optional() }),
    toCommand: (b: { text: string; audience?: (typeof COMMENT_AUDIENCES)[number] }) => ({
      kind: 'comment',
      text: b.text,
      audience: b.audience,
    }),
  },
];

export const PromiseListQuery = z.strictObject({
  owner: z.union([z.literal('me'), uuid()]).optional(),
  account: uuid().optional(),
  status: csv(z.enum(STATUSES)).optional(),
  type: csv(typeKey).optional(),
  emotion: csv(z.enum(EMOTIONS)).optional(),
  source: csv(z.enum(SOURCES)).optional(),
  temperature: csv(z.enum(['warm', 'neutral', 'strained', 'fragile'])).optional(),
  risk: csv(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a risk indicator key')).optional(),
  riskLevel: csv(z.enum(RISK_LEVELS))
    .describe(
      'Computed risk level (low, medium, high). Worked out per promise: a page may hold fewer than `limit` promises; follow `nextCursor`.',
    )
    .optional(),
  dueWithinDays: z.coerce.number().int().min(1).max(366).optional(),
  dueFrom: instant().optional(),
  dueTo: instant().optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  paused: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  sort: z
    .string()
    .regex(
      new RegExp(`^-?(${SORTS.join('|')})$`),
      `must be one of ${SORTS.join(', ')} (prefix - for descending)`,
    )
    .default('effectiveDueAt'),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  count: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

export function promiseRoutes(ctx: AppContext): AnyRoute[] {
  const now = () => ctx.now();
  return [
    route({
      id: 'promises.list',
      method: 'GET',
      url: '/api/v1/promises',
      auth: 'records.read',
      summary:
        'Promises matching filters (owner, account, status, type, emotion, source, temperature, risk indicator, computed risk level, due window, overdue), sorted, with a cursor.',
      tags: ['promises'],
      query: PromiseListQuery,
      handler: async ({ principal, query }) => {
        const { sort, cursor, limit, count, ...filter } = query;
        const desc = sort.startsWith('-');
        const page = await listPromises(ctx, {
          principal,
          filter,
          sort: sort.replace(/^-/, '') as (typeof SORTS)[number],
          direction: desc ? 'desc' : 'asc',
          cursor,
          limit,
          withTotal: count === true,
        });
        const at = now();
        return {
          data: await presentPromises(ctx, principal.workspaceId, page.data, at),
          nextCursor: page.nextCursor,
          ...(page.total === undefined ? {} : { total: page.total }),
        };
      },
    }),
    route({
      id: 'promises.create',
      method: 'POST',
      url: '/api/v1/promises',
      auth: 'promise.create',
      summary: 'Capture a promise: what was promised, why the customer cares, owner, due date, account.',
      tags: ['promises'],
      body: CreatePromiseBody,
      status: 201,
      handler: async ({ principal, body }) =>
        presentOnePromise(
          ctx,
          principal.workspaceId,
          await createPromise(ctx, { principal, input: body }),
          now(),
        ),
    }),
    route({
      id: 'promises.get',
      method: 'GET',
      url: '/api/v1/promises/:promiseId',
      auth: 'records.read',
      summary: 'A promise with its full ledger history and whether its hash chain verifies.',
      tags: ['promises'],
      params: promiseParams,
      handler: async ({ principal, params }) => {
        const h = await getPromiseWithHistory(ctx, { principal, promiseId: params.promiseId });
        return {
          ...(await presentOnePromise(ctx, principal.workspaceId, h.promise, now())),
          verified: h.verified,
          history: h.events.map(presentEvent),
        };
      },
    }),
    ...ACTIONS.map((action) =>
      route({
        id: `promises.${action.path}`,
        method: 'POST',
        url: `/api/v1/promises/:promiseId/${action.path}`,
        auth: action.path === 'comments' ? 'promise.create' : 'promise.write_own',
        summary: action.summary,
        tags: ['promises'],
        params: promiseParams,
        body: action.body,
        status: action.path === 'comments' ? 201 : 200,
        handler: async ({ principal, params, body }) => {
          const result = await changePromise(ctx, {
            principal,
            promiseId: params.promiseId,
            command: action.toCommand(body as never),
          });
          // A kept promise joins the history the risk buffer is measured against.
          if (result.event.type === 'kept') invalidateKeptHistory(principal.workspaceId);
          return {
            ...(await presentOnePromise(ctx, principal.workspaceId, result.promise, now())),
            event: presentEvent(result.event),
          };
        },
      }),
    ),
  ];
}
