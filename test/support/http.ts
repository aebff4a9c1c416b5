// HTTP test helpers: inject with parsed JSON, sign in with a cookie, users that have a password.
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { AppContext } from '../../src/context.js';
import { users } from '../../src/db/schema.js';
import { hashPassword } from '../../src/users/passwords.js';
import { buildUser } from './factories.js';

export const PASSWORD = 'correct horse battery staple';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field by the tests.
export type Json = any;

export type Res = LightMyRequestResponse & { json_: Json };

/** `app.inject` with the body parsed once (an empty body is `null`). */
export async function send(app: FastifyInstance, opts: InjectOptions): Promise<Res> {
  const res = await app.inject(opts);
  const json_ = res.body === '' ? null : res.json();
  return Object.assign(res, { json_ });
}

/** A user with a password (factories' users have none), so they can sign in. */
export async function buildUserWithPassword(
  ctx: AppContext,
  o: { workspaceId: string; role?: 'admin' | 'manager' | 'member' | 'viewer'; password?: string },
) {
  const { userId } = await buildUser(ctx, { workspaceId: o.workspaceId, role: o.role ?? 'member' });
  const passwordHash = await hashPassword(o.password ?? PASSWORD);
  const [u] = await ctx.database.db
    .update(users)
    .set({ passwordHash })
    .where(and(eq(users.workspaceId, o.workspaceId), eq(users.id, userId)))
    .returning();
  return { userId, email: u!.email };
}

export interface Session {
  cookie: string;
  csrfToken: string;
  sessionId: string;
  /** Headers for a read (the cookie) and for a write (cookie and CSRF token). */
  read: { cookie: string };
  write: { cookie: string; 'x-csrf-token': string };
}

/** Signs in through the API; fails the test if sign-in is refused. */
export async function signInAs(
  app: FastifyInstance,
  who: { workspace: string; email: string; password?: string },
): Promise<Session> {
  const res = await send(app, {
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { workspace: who.workspace, email: who.email, password: who.password ?? PASSWORD },
  });
  if (res.statusCode !== 200) throw new Error(`sign-in refused: ${res.statusCode} ${res.body}`);
  const c = res.cookies.find((x) => x.name === 'pl_session');
  if (!c) throw new Error('sign-in set no pl_session cookie');
  const cookie = `pl_session=${c.value}`;
  return {
    cookie: c.value,
    csrfToken: res.json_.csrfToken,
    sessionId: c.value.split('.')[2]!,
    read: { cookie },
    write: { cookie, 'x-csrf-token': res.json_.csrfToken },
  };
}
