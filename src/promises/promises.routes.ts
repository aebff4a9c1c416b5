import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { actorFrom } from '../http/actor.js';
import { instant, text, uuid } from '../http/schemas.js';
import { changePromise, type PromiseCommandInput } from './change-promise.js';
import { createPromise } from './create-promise.js';
import { CONSEQUENCES, EMOTIONS, PAUSE_CAUSES, PROOF_KINDS, RECOVERY_STRENGTHS, SOURCES } from './promise.js';
import { presentEvent, presentPromise } from './promises.presenter.js';
import { getPromiseWithHistory, listDuePromises } from './read-promises.js';

/** A workspace id or slug as it appears in the URL; control characters (NUL) cannot name one. */
const workspaceParam = z
  .string()
  .min(1)
  .max(100)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');
const wsParams = z.strictObject({ workspace: workspaceParam });
const promiseParams = z.strictObject({ workspace: workspaceParam, promiseId: uuid() });
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
  dueAt: instant(),
  emotion: z.enum(EMOTIONS).nullable().optional(),
  consequence: z.enum(CONSEQUENCES).nullable().optional(),
  source: z.enum(SOURCES).optional(),
  riskIndicators: riskIndicators.optional(),
});

/** Each action route: its path, body schema, and the command it becomes. */
const ACTIONS: { path: string; body: z.ZodType; toCommand: (b: never) => PromiseCommandInput }[] = [
  {
    path: 'edit',
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
    body: z.strictObject({ ownerId: uuid(), reason: text(1000).optional() }),
    toCommand: (b: { ownerId: string; reason?: string }) => ({
      kind: 'change_owner',
      ownerId: b.ownerId,
      reason: b.reason,
    }),
  },
  {
    path: 'renegotiate',
    body: z.strictObject({ dueAt: instant(), agreedBy: text(200), reason: text(1000).optional() }),
    toCommand: (b: { dueAt: Date; agreedBy: string; reason?: string }) => ({ kind: 'renegotiate', ...b }),
  },
  {
    path: 'pause',
    body: z.strictObject({ cause: z.enum(PAUSE_CAUSES), note: text(1000) }),
    toCommand: (b: { cause: 'customer' | 'us'; note: string }) => ({ kind: 'pause', ...b }),
  },
  {
    path: 'resume',
    // Everything is optional, so no body at all is fine too.
    body: z.strictObject({ note: text(1000).optional() }).nullish(),
    toCommand: (b: { note?: string } | null | undefined) => ({ kind: 'resume', note: b?.note }),
  },
  {
    path: 'keep',
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
    body: z.strictObject({ reason: text(1000) }),
    toCommand: (b: { reason: string }) => ({ kind: 'break', reason: b.reason }),
  },
  {
    path: 'cancel',
    body: z.strictObject({ reason: text(1000) }),
    toCommand: (b: { reason: string }) => ({ kind: 'cancel', reason: b.reason }),
  },
  {
    path: 'comments',
    body: z.strictObject({ text: text(4000) }),
    toCommand: (b: { text: string }) => ({ kind: 'comment', text: b.text }),
  },
];

export const promiseRoutes =
  (ctx: AppContext): FastifyPluginAsync =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get(
      '/workspaces/:workspace/promises',
      {
        schema: {
          params: wsParams,
          querystring: z.strictObject({
            owner: uuid(),
            dueWithinDays: z.coerce.number().int().min(1).max(366).default(7),
            limit: z.coerce.number().int().min(1).max(500).default(200),
          }),
        },
      },
      async (req) => {
        const rows = await listDuePromises(ctx, {
          workspace: req.params.workspace,
          ownerId: req.query.owner,
          days: req.query.dueWithinDays,
          limit: req.query.limit,
        });
        const now = ctx.now();
        return { data: rows.map((p) => presentPromise(p, now)) };
      },
    );

    r.post(
      '/workspaces/:workspace/promises',
      { schema: { params: wsParams, body: CreatePromiseBody } },
      async (req, reply) => {
        const actorId = actorFrom(req.headers);
        const stored = await createPromise(ctx, {
          workspace: req.params.workspace,
          actorId,
          input: req.body,
        });
        reply.status(201);
        return presentPromise(stored, ctx.now());
      },
    );

    r.get(
      '/workspaces/:workspace/promises/:promiseId',
      { schema: { params: promiseParams } },
      async (req) => {
        const h = await getPromiseWithHistory(ctx, {
          workspace: req.params.workspace,
          promiseId: req.params.promiseId,
        });
        return {
          ...presentPromise(h.promise, ctx.now()),
          verified: h.verified,
          history: h.events.map(presentEvent),
        };
      },
    );

    for (const action of ACTIONS) {
      r.post(
        `/workspaces/:workspace/promises/:promiseId/${action.path}`,
        { schema: { params: promiseParams, body: action.body } },
        async (req, reply) => {
          const actorId = actorFrom(req.headers);
          const result = await changePromise(ctx, {
            workspace: req.params.workspace,
            promiseId: req.params.promiseId,
            actorId,
            command: action.toCommand(req.body as never),
          });
          reply.status(action.path === 'comments' ? 201 : 200);
          return { ...presentPromise(result.promise, ctx.now()), event: presentEvent(result.event) };
        },
      );
    }
  };
