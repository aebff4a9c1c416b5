// The typed API client: openapi-fetch over the types generated from /openapi.json (`npm run gen:api`
// writes api/openapi.d.ts). Paths, parameters and bodies are checked by the compiler; the API does not
// yet publish response schemas, so the shapes the app reads are declared in api/types.ts.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './openapi';

/** One field problem of an application/problem+json answer. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** An API refusal, with its problem+json body (code, detail, field problems). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly problems: FieldProblem[],
  ) {
    super(detail || code);
  }

  /** Field problems as { field: message } (the first message per field), for forms. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const p of this.problems) if (p.field && !(p.field in out)) out[p.field] = p.message;
    return out;
  }
}

let csrfToken: string | null = null;
/** Cookie-authenticated writes must carry the session's CSRF token (from sign-in or /auth/session). */
export const setCsrfToken = (token: string | null) => {
  csrfToken = token;
};

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();
/** Called when the API answers 401 (the session expired or was revoked). */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const middleware: Middleware = {
  onRequest({ request }) {
    if (WRITE.has(request.method) && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !request.url.includes('/auth/sign-in')) {
      for (const l of unauthenticatedListeners) l();
    }
    return response;
  },
};

export const client = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
client.use(middleware);

interface ProblemBody {
  code?: string;
  detail?: string;
  problems?: FieldProblem[];
}

/**
 * Awaits an openapi-fetch call and returns its body as `T`, or throws an ApiError (network failures
 * become one too, so every caller shows a message instead of a blank page).
 */
export async function call<T>(
  request: Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<T> {
  let res: { data?: unknown; error?: unknown; response: Response };
  try {
    res = await request;
  } catch (e) {
    throw new ApiError(0, 'network_error', `The server could not be reached (${String(e)}).`, []);
  }
  if (!res.response.ok) {
    const body = (res.error ?? {}) as ProblemBody;
    throw new ApiError(
      res.response.status,
      body.code ?? `http_${res.response.status}`,
      body.detail ?? res.response.statusText,
      body.problems ?? [],
    );
  }
  return res.data as T;
}

/** A fresh Idempotency-Key for one user action (a double-click sends the same key twice). */
export const newIdempotencyKey = () => crypto.randomUUID();
