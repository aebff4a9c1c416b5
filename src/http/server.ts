import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { AppContext } from '../context.js';
import { promiseRoutes } from '../promises/promises.routes.js';
import { workspaceRoutes } from '../workspaces/workspaces.routes.js';
import { clientErrorProblem, problem, toProblem } from './problem.js';

export const BODY_LIMIT = 256 * 1024;

export async function buildServer(
  ctx: AppContext,
  opts: { logLevel?: string } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logLevel && opts.logLevel !== 'silent' ? { level: opts.logLevel } : false,
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

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { status, body } = toProblem(err, req);
    reply.status(status).type('application/problem+json').send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    reply
      .status(404)
      .type('application/problem+json')
      .send(problem(404, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  });

  app.get('/healthz', async () => {
    await ctx.database.raw('select 1');
    return { status: 'ok', database: ctx.database.kind, time: ctx.now().toISOString() };
  });
  app.get('/', async () => ({
    name: 'Promise Ledger',
    health: '/healthz',
    api: '/api/v1/workspaces',
  }));
  await app.register(workspaceRoutes(ctx), { prefix: '/api/v1' });
  await app.register(promiseRoutes(ctx), { prefix: '/api/v1' });
  return app;
}
