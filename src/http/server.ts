import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import {
  type ZodTypeProvider,
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { AppContext } from '../context.js';
import { AppError, type FieldProblem } from '../errors.js';
import { promiseRoutes } from '../promises/promises.routes.js';
import { workspaceRoutes } from '../workspaces/workspaces.routes.js';

export const BODY_LIMIT = 256 * 1024;

function problem(status: number, code: string, detail: string, problems: FieldProblem[] = []) {
  return {
    type: `https://promise-ledger.dev/problems/${code}`,
    title: code.replaceAll('_', ' '),
    status,
    code,
    detail,
    field: problems[0]?.field ?? null,
    problems,
  };
}

/** Postgres errors that mean the request was wrong, not the server. */
function fromDatabaseError(err: { code?: string; constraint?: string; detail?: string }): AppError | undefined {
  const code = err.code;
  if (code === '23505') return new AppError('conflict', `already exists (${err.constraint ?? 'unique constraint'})`);
  if (code === '23503') return new AppError('validation_failed', `refers to a record that does not exist (${err.constraint ?? 'foreign key'})`);
  if (code === '23514' || code === '22P02' || code === '22007' || code === '22008') {
    return new AppError('validation_failed', `invalid value (${err.constraint ?? code})`);
  }
  return undefined;
}

export async function buildServer(ctx: AppContext, opts: { logLevel?: string } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logLevel && opts.logLevel !== 'silent' ? { level: opts.logLevel } : false,
    bodyLimit: BODY_LIMIT,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    let status = 500;
    let body: ReturnType<typeof problem>;
    if (hasZodFastifySchemaValidationErrors(err)) {
      const problems = err.validation.map((v) => {
        const field = v.instancePath.replace(/^\//, '').replaceAll('/', '.') || (v.params as { issue?: { path?: string[] } })?.issue?.path?.join('.') || err.validationContext || 'body';
        return { field, message: v.message ?? 'is invalid' };
      });
      status = 400;
      body = problem(status, 'validation_failed', problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems);
    } else {
      const appErr =
        err instanceof AppError
          ? err
          : (fromDatabaseError(err as never) ?? fromDatabaseError((err as { cause?: never }).cause ?? {}));
      if (appErr) {
        status = appErr.status;
        body = problem(status, appErr.code, appErr.message, appErr.problems);
      } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
        status = err.statusCode;
        const code =
          status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
        const field = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? 'body' : undefined;
        body = problem(status, code, err.message, field ? [{ field, message: err.message }] : []);
      } else {
        req.log.error({ err }, 'unhandled error');
        body = problem(500, 'internal', 'internal error; the server log has the details');
      }
    }
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

