import type { FastifyError, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type FieldProblem } from '../errors.js';

export function problem(status: number, code: string, detail: string, problems: FieldProblem[] = []) {
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
function fromDatabaseError(err: {
  code?: string;
  constraint?: string;
  detail?: string;
}): AppError | undefined {
  const code = err.code;
  // Text Postgres cannot store, e.g. NUL (22021 character_not_in_repertoire, 22P05 untranslatable_character).
  if (code === '22021' || code === '22P05') {
    return new AppError('validation_failed', 'contains characters that cannot be stored (such as NUL)');
  }
  if (code === '23505')
    return new AppError('conflict', `already exists (${err.constraint ?? 'unique constraint'})`);
  if (code === '23503')
    return new AppError(
      'validation_failed',
      `refers to a record that does not exist (${err.constraint ?? 'foreign key'})`,
    );
  if (code === '23514' || code === '22P02' || code === '22007' || code === '22008') {
    return new AppError('validation_failed', `invalid value (${err.constraint ?? code})`);
  }
  return undefined;
}

type ZodIssueParams = { keys?: unknown };
type Validation = { instancePath: string; message?: string; keyword?: string; params: unknown };

/** The value at a dotted path of one part of the request (undefined when absent). */
function valueAt(part: unknown, path: string[]): unknown {
  let v = part;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** One field problem per zod issue: named by its path (or by the unknown key), missing values "is required". */
function validationProblems(
  validation: Validation[],
  context: string | undefined,
  part: unknown,
): FieldProblem[] {
  return validation.flatMap((v) => {
    const path = v.instancePath.split('/').filter((k) => k !== '');
    const keys = (v.params as ZodIssueParams | undefined)?.keys;
    if (v.keyword === 'unrecognized_keys' && Array.isArray(keys) && keys.length > 0) {
      return keys.map((k) => ({ field: [...path, String(k)].join('.'), message: 'is not a known field' }));
    }
    // A query parameter is flat: an issue inside it (a bad item of `status=open,bogus`) is about
    // the parameter, named as the client wrote it, not `status.1`.
    const field = (context === 'querystring' ? path[0] : path.join('.')) || context || 'body';
    const missing = v.keyword === 'invalid_type' && path.length > 0 && valueAt(part, path) === undefined;
    return [{ field, message: missing ? 'is required' : (v.message ?? 'is invalid') }];
  });
}

/** Fastify's own client errors: which part of the request they are about. */
function fieldOfClientError(err: FastifyError): string | undefined {
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.statusCode === 415) return 'Content-Type';
  if (err.code === 'FST_ERR_BAD_URL' || err.code === 'FST_ERR_MAX_PARAM_LENGTH') return 'url';
  if (
    err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ||
    err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' ||
    err.statusCode === 413 ||
    err instanceof SyntaxError
  ) {
    return 'body';
  }
  return undefined;
}

export function clientErrorProblem(err: FastifyError, status: number) {
  const code =
    status === 413
      ? 'payload_too_large'
      : status === 414
        ? 'uri_too_long'
        : status === 415
          ? 'unsupported_media_type'
          : 'bad_request';
  const field = fieldOfClientError(err);
  const detail =
    status === 415
      ? `${err.message}: send the body as application/json`
      : err.message || code.replaceAll('_', ' ');
  return problem(status, code, detail, field ? [{ field, message: detail }] : []);
}

export type Problem = ReturnType<typeof problem>;

/** Any error thrown while handling a request, as an HTTP status and an RFC 9457 problem body. */
export function toProblem(err: FastifyError, req: FastifyRequest): { status: number; body: Problem } {
  let status = 500;
  let body: Problem;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const context = err.validationContext;
    const part =
      context === 'querystring'
        ? req.query
        : context === 'params'
          ? req.params
          : context === 'headers'
            ? req.headers
            : req.body;
    const problems = validationProblems(err.validation as Validation[], context, part);
    status = 400;
    body = problem(
      status,
      'validation_failed',
      problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      problems,
    );
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
      body = clientErrorProblem(err, status);
    } else {
      req.log.error({ err }, 'unhandled error');
      body = problem(500, 'internal', 'internal error; the server log has the details');
    }
  }
  return { status, body };
}
