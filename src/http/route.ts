// Every API route is declared as data: method, URL, the action it needs, schemas, handler. The
// server registers them all the same way (authentication, authorisation, idempotency), the
// OpenAPI document is generated from them, and the authorisation matrix test walks them.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { type Action, can, type Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import type { Authentication } from './authenticate.js';
import { type Outcome, withIdempotency } from './idempotency.js';

export type RouteAuth = 'public' | 'authenticated' | Action;
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
type Schema = z.ZodType | undefined;
type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HandlerArgs<P extends Schema, Q extends Schema, B extends Schema> {
  /** The authenticated principal (for `public` routes it is absent: do not use it there). */
  principal: Principal;
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
  req: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema> {
  /** Stable name, e.g. `promises.keep`. */
  id: string;
  method: Method;
  url: string;
  auth: RouteAuth;
  summary: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /** Success status (200 unless given). */
  status?: number;
  /** POST routes honour `Idempotency-Key` unless this is false. */
  idempotent?: boolean;
  /**
   * The body reaches the handler unparsed and unvalidated, as the exact bytes sent (a Buffer; only
   * application/json is accepted), for routes that verify a signature over them (inbound webhooks).
   * Such a route declares no `body` schema and parses the body itself once the signature holds.
   */
  rawBody?: boolean;
  handler: (args: HandlerArgs<P, Q, B>) => Promise<unknown>;
}

export type AnyRoute = RouteSpec<Schema, Schema, Schema>;

/** Typed constructor: infers handler argument types from the schemas. */
export function route<
  P extends Schema = undefined,
  Q extends Schema = undefined,
  B extends Schema = undefined,
>(spec: RouteSpec<P, Q, B>): AnyRoute {
  return spec as unknown as AnyRoute;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth?: Authentication;
    /** Set once the route's authorisation passed (before the body is validated). */
    principal?: Principal | undefined;
  }
}

export function authorize(
  spec: Pick<AnyRoute, 'auth'>,
  auth: Authentication | undefined,
): Principal | undefined {
  const principal = auth?.principal;
  if (spec.auth === 'public') return principal;
  if (auth?.error) throw auth.error;
  if (!principal) {
    throw new AppError('unauthenticated', 'sign in, or send an API token as "Authorization: Bearer …"', {
      field: 'Authorization',
    });
  }
  if (spec.auth !== 'authenticated' && !can(principal, spec.auth)) {
    const why =
      principal.scope === 'read'
        ? 'this API token is read-only'
        : `the ${principal.role} role does not allow it`;
    throw new AppError('forbidden', `not allowed: ${spec.auth} (${why})`);
  }
  return principal;
}

export function registerRoutes(app: FastifyInstance, ctx: AppContext, routes: AnyRoute[]): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const spec of routes) {
    if (spec.rawBody) {
      // A plugin scope of its own, so the raw-body parser applies to this route only.
      app.register(async (scope) => {
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
          done(null, body),
        );
        registerRoutes(scope, ctx, [{ ...spec, rawBody: false }]);
      });
      continue;
    }
    r.route({
      method: spec.method,
      url: spec.url,
      schema: {
        summary: spec.summary,
        tags: spec.tags,
        operationId: spec.id,
        ...(spec.auth === 'public' ? { security: [] } : {}),
        ...(spec.params ? { params: spec.params } : {}),
        ...(spec.query ? { querystring: spec.query } : {}),
        ...(spec.body ? { body: spec.body } : {}),
      },
      // Authorisation runs before validation: a caller without the right gets 401/403, not a
      // description of what a valid body would be.
      preValidation: async (req) => {
        req.principal = authorize(spec, req.auth);
      },
      handler: async (req, reply) => {
        const principal = req.principal;
        const run = async (): Promise<Outcome> => {
          const result = await spec.handler({
            principal: principal as Principal,
            params: req.params as never,
            query: req.query as never,
            body: req.body as never,
            req,
            reply,
          });
          return { status: spec.status ?? 200, body: result };
        };
        const key = req.headers['idempotency-key'];
        const outcome: Outcome =
          spec.method === 'POST' && spec.idempotent !== false && principal && key !== undefined
            ? await withIdempotency(ctx, req, principal, key, run)
            : await run();
        if (outcome.replayed) reply.header('idempotent-replayed', 'true');
        reply.status(outcome.status);
        if (outcome.status >= 400) reply.type('application/problem+json');
        return outcome.body;
      },
    });
  }
}
