/** One error type for the whole application; HTTP status and CLI exit code are derived from `code`. */
export const ERROR_CODES = {
  validation_failed: 400,
  invalid_transition: 409,
  conflict: 409,
  not_found: 404,
  forbidden: 403,
  unauthenticated: 401,
  payload_too_large: 413,
  too_many_requests: 429,
  idempotency_key_reused: 422,
  /** Well-formed, but it names something that cannot be matched (an inbound event's account). */
  unprocessable: 422,
  idempotency_in_progress: 409,
  unsupported_media_type: 415,
  data_folder_locked: 503,
  database_unavailable: 503,
  config_invalid: 500,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly problems: FieldProblem[];

  constructor(
    code: ErrorCode,
    message: string,
    opts: { field?: string; problems?: FieldProblem[]; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.field = opts.field ?? opts.problems?.[0]?.field;
    this.problems = opts.problems ?? (opts.field ? [{ field: opts.field, message }] : []);
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export const notFound = (what: string, field?: string) =>
  new AppError('not_found', `${what} not found`, field === undefined ? {} : { field });

export const invalid = (field: string, message: string) =>
  new AppError('validation_failed', `${field}: ${message}`, { field });
