import type { FastifyRequest } from 'fastify';
import { resolveApiToken } from '../auth/api-tokens.js';
import type { Principal } from '../auth/policy.js';
import { resolveSession, SESSION_COOKIE, type SessionPolicy } from '../auth/sessions.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Authentication {
  principal?: Principal;
  /** Why a presented credential was refused; raised only on routes that need a principal. */
  error?: AppError;
}

/**
 * Finds who is calling: an API token (`Authorization: Bearer …`) or the session cookie. A
 * credential that is present but invalid is a 401 (never silently anonymous). Cookie-authenticated
 * writes must carry the session's CSRF token in `X-CSRF-Token`.
 */
export async function authenticate(
  ctx: AppContext,
  req: FastifyRequest,
  policy: SessionPolicy,
): Promise<Authentication> {
  try {
    const principal = await findPrincipal(ctx, req, policy);
    return principal ? { principal } : {};
  } catch (err) {
    if (err instanceof AppError) return { error: err };
    throw err;
  }
}

async function findPrincipal(
  ctx: AppContext,
  req: FastifyRequest,
  policy: SessionPolicy,
): Promise<Principal | undefined> {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const principal = m ? await resolveApiToken(ctx, m[1], req.ip) : undefined;
    if (!principal) {
      throw new AppError('unauthenticated', 'Authorization: the API token is invalid or revoked', {
        field: 'Authorization',
      });
    }
    return principal;
  }
  const cookie = (req.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE];
  if (cookie === undefined) return undefined;
  const session = await resolveSession(ctx, cookie, policy);
  if (!session) {
    throw new AppError('unauthenticated', 'your session has ended; sign in again', { field: 'session' });
  }
  if (!SAFE.has(req.method) && req.headers['x-csrf-token'] !== session.csrfToken) {
    throw new AppError('forbidden', 'X-CSRF-Token: missing or wrong for this session', {
      field: 'X-CSRF-Token',
    });
  }
  return session;
}
