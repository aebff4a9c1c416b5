import zlib from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { recordRoutes } from '../accounts/records.routes.js';
import { renewalPrepRoutes } from '../accounts/renewal-prep.routes.js';
import { authRoutes } from '../auth/auth.routes.js';
import { DEFAULT_SESSION_POLICY, type SessionPolicy } from '../auth/sessions.js';
import type { AppContext } from '../context.js';
import { webhookRoutes } from '../delivery/webhooks.routes.js';
import { integrationRoutes } from '../integrations/integrations.routes.js';
import { ledgerRoutes } from '../ledger/ledger.routes.js';
import { accountMeasureRoutes } from '../measures/account-measures.routes.js';
import { customerMeasureRoutes } from '../measures/customer-measures.routes.js';
import { promiseMeasureRoutes } from '../measures/promise-measures.routes.js';
import { reportRoutes } from '../measures/reports.routes.js';
import { notificationRoutes } from '../notifications/notifications.routes.js';
import { promiseRoutes } from '../promises/promises.routes.js';
import { slaRoutes } from '../sla/sla.routes.js';
import { userRoutes } from '../users/users.routes.js';
import { workspaceRoutes } from '../workspaces/workspaces.routes.js';
import { authenticate } from './authenticate.js';
import { handoffRoutes, signalRoutes } from './customer-memory.routes.js';
import { clientErrorProblem, problem, toProblem } from './problem.js';
import { type AnyRoute, registerRoutes } from './route.js';
import { registerWeb } from './web.js';

export const BODY_LIMIT = 256 * 1024;

export interface ServerOptions {
  logLevel?: string;
  /** Where log lines go (default: stdout). */
  logStream?: { write(line: string): void };
  sessionPolicy?: SessionPolicy;
  /** Mark cookies Secure (the server is reached over HTTPS). */
  secureCookies?: boolean;
  /** The Ed25519 key that signs ledger checkpoints. */
  signingKeyFile?: string;
  /** The URL users reach the server at (PL_PUBLIC_URL), for links such as the calendar feed's. */
  publicUrl?: string | undefined;
  /** The built web app to serve at `/` (web/dist); none: the API only. */
  webRoot?: string | undefined;
}

/** Every API route of the product, as data (the OpenAPI document and the authorisation matrix use it). */
export function apiRoutes(ctx: AppContext, opts: ServerOptions = {}): AnyRoute[] {
  return [
    ...authRoutes(ctx, {
      sessionPolicy: opts.sessionPolicy ?? DEFAULT_SESSION_POLICY,
      secureCookies: opts.secureCookies ?? false,
    }),
    ...workspaceRoutes(ctx),
    ...userRoutes(ctx),
    ...promiseRoutes(ctx),
    ...recordRoutes(ctx),
    ...ledgerRoutes(ctx, { signingKeyFile: opts.signingKeyFile }),
    ...signalRoutes(ctx),
    ...handoffRoutes(ctx),
    ...integrationRoutes(ctx),
    ...slaRoutes(ctx),
    ...webhookRoutes(ctx),
    ...notificationRoutes(ctx, { publicUrl: opts.publicUrl }),
    ...accountMeasureRoutes(ctx),
    ...customerMeasureRoutes(ctx),
    ...promiseMeasureRoutes(ctx),
    ...reportRoutes(ctx),
    ...renewalPrepRoutes(ctx),
  ];
}

/** A URL fit for the log: a calendar feed's path is its secret, so it never reaches the log. */
export const loggableUrl = (url: string) => url.replace(/\/calendar\/.*$/is, '/calendar/[redacted].ics');

/** Fastify's default request serializer, with the URL made loggable. */
const logSerializers = {
  req: (req: FastifyRequest) => ({
    method: req.method,
    url: loggableUrl(req.url),
    version: req.headers?.['accept-version'] as string | undefined,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
};

export async function buildServer(ctx: AppContext, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const sessionPolicy = opts.sessionPolicy ?? DEFAULT_SESSION_POLICY;
  const app = Fastify({
    logger:
      opts.logLevel && opts.logLevel !== 'silent'
        ? {
            level: opts.logLevel,
            serializers: logSerializers,
            ...(opts.logStream ? { stream: opts.logStream } : {}),
          }
        : false,
    bodyLimit: BODY_LIMIT,
    // Errors the router raises before any route runs (undecodable URL, over-long parameter).
    frameworkErrors: (err, _req, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      (reply as FastifyReply)
        .status(status)
        .type('application/problem+json')
        .send(clientErrorProblem(err, status));
    },
  }).withTypeProvider<ZodTypeProvider>();
  // The API speaks JSON only: without this, text/plain bodies reach the routes as strings.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(fastifyCookie);
  // API answers (JSON, CSV, the calendar feed) are compressed for clients that accept it, so a
  // deployment without a compressing proxy still sends a promise list at a fraction of its size.
  // Brotli at quality 4 costs about what gzip does; the default (11) is meant for build-time files.
  // The web app's files are compressed at build time and sent as they are (see web.ts).
  // Only answers: request bodies are taken as sent (an integration's HMAC covers those bytes).
  await app.register(fastifyCompress, {
    global: true,
    globalDecompression: false,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Promise Ledger API',
        version: '1',
        description:
          'Every commitment to a customer, owned, due, and provably kept. Errors are application/problem+json (RFC 9457).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token (Settings → API tokens).' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'pl_session',
            description: 'Browser session; writes also need X-CSRF-Token.',
          },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { status, body } = toProblem(err, req);
    reply.status(status).type('application/problem+json').send(body);
  });
  const webPage = opts.webRoot ? await registerWeb(app, opts.webRoot) : undefined;
  app.setNotFoundHandler((req, reply) => {
    if (webPage?.(req, reply)) return;
    reply
      .status(404)
      .type('application/problem+json')
      .send(problem(404, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/api/')) req.auth = await authenticate(ctx, req, sessionPolicy);
  });

  app.get('/healthz', { schema: { hide: true } }, async () => {
    await ctx.database.raw('select 1');
    return { status: 'ok', database: ctx.database.kind, time: ctx.now().toISOString() };
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerRoutes(app, ctx, apiRoutes(ctx, opts));
  return app;
}
