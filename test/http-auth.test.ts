// Sign-in, sessions, API tokens, invitations, user management, the security log and the role
// rules, through HTTP against a real database (PGlite, or Postgres with TEST_DATABASE_URL).
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../src/auth/secrets.js';
import { DEFAULT_SESSION_POLICY, signIn } from '../src/auth/sessions.js';
import { AppError } from '../src/errors.js';
import { apiRoutes, buildServer } from '../src/http/server.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildAccount, buildPromise, buildWorkspace, tokenHeaders } from './support/factories.js';
import {
  buildUserWithPassword,
  type Json,
  PASSWORD,
  type Res,
  type Session,
  send,
  signInAs,
} from './support/http.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = new Date('2026-11-02T09:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const WRONG = 'the workspace, email or password is wrong';
const MISSING_ID = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

let db: TestDb;
let app: FastifyInstance;
/** The same API with a low lock-out threshold, to test it quickly. */
let lockApp: FastifyInstance;
let ws: Awaited<ReturnType<typeof buildWorkspace>>;
let adminEmail: string;
let otherWs: Awaited<ReturnType<typeof buildWorkspace>>;

beforeAll(async () => {
  db = await openTestDb(undefined, T0);
  app = await buildServer(db.ctx);
  lockApp = await buildServer(db.ctx, {
    sessionPolicy: { ...DEFAULT_SESSION_POLICY, maxFailuresPerHour: 5 },
  });
  ws = await buildWorkspace(db.ctx);
  adminEmail = `admin@${ws.slug}.test`;
  otherWs = await buildWorkspace(db.ctx);
});

afterAll(async () => {
  await app?.close();
  await lockApp?.close();
  await db?.close();
});

const api = (opts: InjectOptions) => send(app, opts);
const signInBody = (email: string, password = PASSWORD, workspace = ws.slug) => ({
  workspace,
  email,
  password,
});
const adminSession = () => signInAs(app, { workspace: ws.slug, email: adminEmail });
const member = (role: 'admin' | 'manager' | 'member' | 'viewer' = 'member', workspaceId = ws.workspaceId) =>
  buildUserWithPassword(db.ctx, { workspaceId, role });

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await db.database.raw<{ n: number }>(`select count(*)::int as n from ${sql}`, params);
  return Number(row?.n);
}

async function securityEvents(workspaceId = ws.workspaceId) {
  return db.database.raw<{ kind: string; user_id: string | null; actor_id: string | null; detail: Json }>(
    'select kind, user_id, actor_id, detail from security_events where workspace_id = $1 order by occurred_at, id',
    [workspaceId],
  );
}

/** A problem+json refusal with this status (and field, when given). */
function expectProblem(res: Res, status: number, field?: string | null) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json_).toMatchObject({ status, detail: expect.any(String) });
  if (field !== undefined) expect(res.json_.field).toBe(field);
  return res.json_;
}

/** A promise-creation body for an account of the workspace owned by `ownerId`. */
async function newPromiseBody(ownerId: string, workspaceId = ws.workspaceId) {
  const { accountId } = await buildAccount(db.ctx, { workspaceId, ownerId });
  return {
    accountId,
    typeKey: 'product_follow_up',
    promiseMade: 'Send the export walkthrough',
    customerReason: 'Renewal review on Monday',
    ownerId,
    dueAt: new Date(db.ctx.now().getTime() + 3 * DAY).toISOString(),
  };
}

describe('sign-in and the session cookie', () => {
  it('sets an httpOnly, SameSite=Lax session cookie and returns the CSRF token', async () => {
    db.clock.now = T0;
    const res = await api({ method: 'POST', url: '/api/v1/auth/sign-in', payload: signInBody(adminEmail) });
    expect(res.statusCode, res.body).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'pl_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeFalsy();
    expect(cookie?.expires?.toISOString()).toBe(at(14 * DAY).toISOString());
    expect(cookie?.value).toMatch(
      new RegExp(`^pls\\.${ws.workspaceId}\\.[0-9a-f-]{36}\\.[A-Za-z0-9_-]{43}$`),
    );
    expect(res.json_).toEqual({
      user: { id: ws.adminId, workspaceId: ws.workspaceId, name: 'Admin', email: adminEmail, role: 'admin' },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: at(14 * DAY).toISOString(),
    });
    // Only a hash of the cookie's secret is stored.
    const [, , sessionId, secret] = cookie!.value.split('.');
    const [row] = await db.database.raw<Json>('select * from sessions where workspace_id = $1 and id = $2', [
      ws.workspaceId,
      sessionId,
    ]);
    expect(row.secret_hash).toBe(hashSecret(secret!));
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it('accepts the email in any case and the workspace by id as well as by slug', async () => {
    const res = await api({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: signInBody(adminEmail.toUpperCase(), PASSWORD, ws.workspaceId),
    });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('marks the cookie Secure when the server is reached over HTTPS', async () => {
    const secure = await buildServer(db.ctx, { secureCookies: true });
    try {
      const res = await send(secure, {
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: signInBody(adminEmail),
      });
      expect(res.cookies.find((c) => c.name === 'pl_session')).toMatchObject({
        secure: true,
        httpOnly: true,
      });
    } finally {
      await secure.close();
    }
  });

  it('GET /api/v1/auth/session says who is signed in, with the CSRF token and the policy table', async () => {
    const s = await adminSession();
    const res = await api({ method: 'GET', url: '/api/v1/auth/session', headers: s.read });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_).toMatchObject({
      user: { id: ws.adminId, role: 'admin', email: adminEmail, active: true },
      workspace: { id: ws.workspaceId, slug: ws.slug },
      via: 'session',
      scope: 'write',
      csrfToken: s.csrfToken,
    });
    expect(res.json_.policy.roles.admin).toContain('users.manage');
    expect(res.json_.policy.roles.viewer).toEqual(expect.arrayContaining(['records.read']));
    expect(res.json_.policy.roles.viewer).not.toContain('promise.create');
    expect(res.json_.user).not.toHaveProperty('passwordHash');

    expectProblem(await api({ method: 'GET', url: '/api/v1/auth/session' }), 401, 'Authorization');
  });

  it('a cookie-authenticated write needs the session’s X-CSRF-Token: without it 403, nothing written', async () => {
    const s = await adminSession();
    const other = await adminSession();
    const body = await newPromiseBody(ws.adminId);
    const before = await count('promises where workspace_id = $1', [ws.workspaceId]);
    for (const headers of [
      s.read,
      { ...s.read, 'x-csrf-token': '' },
      { ...s.read, 'x-csrf-token': 'guess' },
      { ...s.read, 'x-csrf-token': other.csrfToken },
    ]) {
      const p = expectProblem(
        await api({ method: 'POST', url: '/api/v1/promises', headers, payload: body }),
        403,
        'X-CSRF-Token',
      );
      expect(p.code).toBe('forbidden');
    }
    expect(await count('promises where workspace_id = $1', [ws.workspaceId])).toBe(before);
    // Reads need no CSRF token; the write with it goes through.
    expect((await api({ method: 'GET', url: '/api/v1/promises', headers: s.read })).statusCode).toBe(200);
    const ok = await api({ method: 'POST', url: '/api/v1/promises', headers: s.write, payload: body });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json_).toMatchObject({ createdBy: ws.adminId });
    expect(await count('promises where workspace_id = $1', [ws.workspaceId])).toBe(before + 1);
  });

  it('a refused sign-in says the same whichever part was wrong, and sets no cookie', async () => {
    const inactive = await member();
    await db.database.raw('update users set active = false where workspace_id = $1 and id = $2', [
      ws.workspaceId,
      inactive.userId,
    ]);
    const noPassword = await member();
    await db.database.raw('update users set password_hash = null where workspace_id = $1 and id = $2', [
      ws.workspaceId,
      noPassword.userId,
    ]);
    const attempts = {
      'wrong password': signInBody(adminEmail, 'not the password at all'),
      'unknown email': signInBody(`nobody@${ws.slug}.test`),
      'unknown workspace': signInBody(adminEmail, PASSWORD, 'no-such-workspace'),
      'another workspace': signInBody(adminEmail, PASSWORD, otherWs.slug),
      'deactivated user': signInBody(inactive.email),
      'user without a password': signInBody(noPassword.email),
    };
    const bodies: Record<string, Json> = {};
    for (const [why, payload] of Object.entries(attempts)) {
      const res = await api({ method: 'POST', url: '/api/v1/auth/sign-in', payload });
      expectProblem(res, 401);
      expect(res.headers['set-cookie'], why).toBeUndefined();
      bodies[why] = res.json_;
    }
    expect(bodies['wrong password']).toMatchObject({
      code: 'unauthenticated',
      detail: WRONG,
      field: null,
      problems: [],
    });
    for (const [why, body] of Object.entries(bodies)) expect(body, why).toEqual(bodies['wrong password']);
    // The log knows why; the caller does not.
    const failed = (await securityEvents()).filter((e) => e.kind === 'signin.failed');
    expect(failed.map((e) => e.detail.reason)).toEqual(
      expect.arrayContaining(['wrong password', 'unknown email', 'deactivated user', 'no password set']),
    );
  });

  it('a sign-in body that is not valid is 400 naming the field', async () => {
    const res = await api({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { workspace: ws.slug, email: adminEmail },
    });
    expectProblem(res, 400, 'password');
    const extra = await api({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { ...signInBody(adminEmail), role: 'admin' },
    });
    expectProblem(extra, 400, 'role');
  });
});

describe('lock-out after failed sign-ins', () => {
  const attempt = (email: string, password: string, target = lockApp) =>
    send(target, { method: 'POST', url: '/api/v1/auth/sign-in', payload: signInBody(email, password) });

  it('locks an account after the configured failures in an hour, with a clear 429, then unlocks', async () => {
    const t = at(30 * DAY);
    db.clock.now = t;
    const u = await member();
    const bystander = await member();
    for (let i = 0; i < 5; i++) expectProblem(await attempt(u.email, `wrong password ${i}`), 401);
    // Locked: even the right password is refused now.
    const locked = expectProblem(await attempt(u.email, PASSWORD), 429);
    expect(locked.code).toBe('too_many_requests');
    expect(locked.detail).toBe(
      `this account is locked after 5 failed sign-ins in the last hour; try again after ${new Date(t.getTime() + HOUR).toISOString()}`,
    );
    expectProblem(await attempt(u.email, 'wrong again'), 429);
    // Per account: a colleague signs in as usual.
    expect((await attempt(bystander.email, PASSWORD)).statusCode).toBe(200);
    // Still locked at the last instant of the hour; open a moment later.
    db.clock.now = new Date(t.getTime() + HOUR);
    expectProblem(await attempt(u.email, PASSWORD), 429);
    db.clock.now = new Date(t.getTime() + HOUR + 1);
    const ok = await attempt(u.email, PASSWORD);
    expect(ok.statusCode, ok.body).toBe(200);
    const kinds = (await securityEvents()).filter((e) => e.user_id === u.userId).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'signin.failed')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'signin.locked')).toHaveLength(3);
    expect(kinds.at(-1)).toBe('signin.succeeded');
  });

  it('holds under concurrent attempts: 20 at once with a limit of 5 → exactly 5 failures, 15 refusals', async () => {
    db.clock.now = at(31 * DAY);
    const u = await member();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(u.email, `guess ${i}`)));
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
    expect(await count("security_events where user_id = $1 and kind = 'signin.failed'", [u.userId])).toBe(5);
  });

  it('the default limit is 100 failures per account per hour', async () => {
    expect(DEFAULT_SESSION_POLICY.maxFailuresPerHour).toBe(100);
    db.clock.now = at(32 * DAY);
    const u = await member();
    const input = { workspace: ws.slug, email: u.email, password: 'wrong wrong wrong' };
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => 'signed in',
        (e: unknown) => (e instanceof AppError ? e.code : String(e)),
      );
    for (let batch = 0; batch < 10; batch++) {
      const codes = await Promise.all(Array.from({ length: 10 }, () => refusal(signIn(db.ctx, input))));
      expect(new Set(codes)).toEqual(new Set(['unauthenticated']));
    }
    expect(await refusal(signIn(db.ctx, { ...input, password: PASSWORD }))).toBe('too_many_requests');
    // And through the default server.
    expectProblem(await attempt(u.email, PASSWORD, app), 429);
  });
});

describe('session expiry', () => {
  const session = (s: Session) => api({ method: 'GET', url: '/api/v1/auth/session', headers: s.read });

  it('a session unused for longer than the idle limit (12 h) ends; use keeps it alive', async () => {
    const t = at(40 * DAY);
    db.clock.now = t;
    const u = await member();
    const s = await signInAs(app, { workspace: ws.slug, email: u.email });
    db.clock.now = new Date(t.getTime() + 11 * HOUR);
    expect((await session(s)).statusCode).toBe(200);
    db.clock.now = new Date(t.getTime() + 23 * HOUR);
    expect((await session(s)).statusCode).toBe(200);
    db.clock.now = new Date(t.getTime() + 35 * HOUR + 1);
    const ended = expectProblem(await session(s), 401, 'session');
    expect(ended.detail).toMatch(/session has ended/);
    // It is no longer among the user's sessions.
    const fresh = await signInAs(app, { workspace: ws.slug, email: u.email });
    const listed = await api({ method: 'GET', url: '/api/v1/auth/sessions', headers: fresh.read });
    expect(listed.json_.data.map((x: Json) => x.id)).toEqual([fresh.sessionId]);
    // Writes too, and it stays ended when used again.
    expectProblem(
      await api({
        method: 'POST',
        url: '/api/v1/auth/tokens',
        headers: s.write,
        payload: { name: 'x', scope: 'read' },
      }),
      401,
      'session',
    );
  });

  it('a session ends 14 days after sign-in however much it is used', async () => {
    const t = at(50 * DAY);
    db.clock.now = t;
    const u = await member();
    const s = await signInAs(app, { workspace: ws.slug, email: u.email });
    for (let h = 11; h < 14 * 24; h += 11) {
      db.clock.now = new Date(t.getTime() + h * HOUR);
      expect((await session(s)).statusCode, `after ${h} h`).toBe(200);
    }
    db.clock.now = new Date(t.getTime() + 14 * DAY - 1);
    expect((await session(s)).statusCode).toBe(200);
    db.clock.now = new Date(t.getTime() + 14 * DAY);
    expect(expectProblem(await session(s), 401, 'session').detail).toMatch(/session has ended/);
    // Signing in again works (a stale cookie does not get in the way of the public route).
    const again = await api({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      headers: s.read,
      payload: signInBody(u.email),
    });
    expect(again.statusCode, again.body).toBe(200);
  });
});

describe('your sessions, and signing out', () => {
  it('lists your own sessions (never anyone else’s) and revokes one: that cookie then gets 401', async () => {
    db.clock.now = at(60 * DAY);
    const u = await member();
    const s1 = await signInAs(app, { workspace: ws.slug, email: u.email });
    const s2 = await signInAs(app, { workspace: ws.slug, email: u.email });
    const admin = await adminSession();
    const listed = await api({ method: 'GET', url: '/api/v1/auth/sessions', headers: s1.read });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json_.data.map((x: Json) => [x.id, x.current]).sort()).toEqual(
      [
        [s1.sessionId, true],
        [s2.sessionId, false],
      ].sort(),
    );
    expect(listed.body).not.toContain(s1.cookie.split('.')[3]);
    expect(listed.body).not.toContain(s2.csrfToken);

    // Someone else's session is not yours to revoke: 404, and it keeps working.
    expectProblem(
      await api({ method: 'DELETE', url: `/api/v1/auth/sessions/${admin.sessionId}`, headers: s1.write }),
      404,
      'sessionId',
    );
    expect((await api({ method: 'GET', url: '/api/v1/auth/session', headers: admin.read })).statusCode).toBe(
      200,
    );
    // Without the CSRF token, refused.
    expectProblem(
      await api({ method: 'DELETE', url: `/api/v1/auth/sessions/${s2.sessionId}`, headers: s1.read }),
      403,
    );

    const revoked = await api({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${s2.sessionId}`,
      headers: s1.write,
    });
    expect(revoked.statusCode, revoked.body).toBe(204);
    expectProblem(
      await api({ method: 'GET', url: '/api/v1/auth/session', headers: s2.read }),
      401,
      'session',
    );
    expect((await api({ method: 'GET', url: '/api/v1/auth/session', headers: s1.read })).statusCode).toBe(
      200,
    );
    const after = await api({ method: 'GET', url: '/api/v1/auth/sessions', headers: s1.read });
    expect(after.json_.data.map((x: Json) => x.id)).toEqual([s1.sessionId]);
    expectProblem(
      await api({ method: 'DELETE', url: `/api/v1/auth/sessions/${s2.sessionId}`, headers: s1.write }),
      404,
      'sessionId',
    );
    const log = (await securityEvents()).filter(
      (e) => e.kind === 'session.revoked' && e.user_id === u.userId,
    );
    expect(log.map((e) => e.detail.sessionId)).toEqual([s2.sessionId]);
  });

  it('sign-out ends the session and clears the cookie (and needs the CSRF token)', async () => {
    const u = await member();
    const s = await signInAs(app, { workspace: ws.slug, email: u.email });
    expectProblem(
      await api({ method: 'POST', url: '/api/v1/auth/sign-out', headers: s.read }),
      403,
      'X-CSRF-Token',
    );
    const out = await api({ method: 'POST', url: '/api/v1/auth/sign-out', headers: s.write });
    expect(out.statusCode, out.body).toBe(204);
    const cleared = out.cookies.find((c) => c.name === 'pl_session');
    expect(cleared?.value).toBe('');
    expect(cleared?.expires?.getTime()).toBeLessThanOrEqual(Date.now());
    expectProblem(await api({ method: 'GET', url: '/api/v1/auth/session', headers: s.read }), 401, 'session');
    const log = (await securityEvents()).filter((e) => e.user_id === u.userId).map((e) => e.kind);
    expect(log).toEqual(['signin.succeeded', 'signout']);
  });
});

describe('API tokens', () => {
  let u: { userId: string; email: string };
  let s: Session;
  let read: { id: string; token: string };
  let write: { id: string; token: string };
  const bearer = (t: { token: string }) => ({ authorization: `Bearer ${t.token}` });

  beforeAll(async () => {
    db.clock.now = at(70 * DAY);
    u = await member();
    s = await signInAs(app, { workspace: ws.slug, email: u.email });
  });

  it('creates a token that is shown once: the list never contains its secret', async () => {
    const r = await api({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: s.write,
      payload: { name: 'Zendesk', scope: 'read' },
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json_).toEqual({
      token: expect.stringMatching(
        new RegExp(`^plt\\.${ws.workspaceId}\\.[0-9a-f-]{36}\\.[A-Za-z0-9_-]{43}$`),
      ),
      id: expect.any(String),
      name: 'Zendesk',
      scope: 'read',
      userId: u.userId,
      createdAt: db.clock.now.toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    });
    read = r.json_;
    const w = await api({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: s.write,
      payload: { name: 'Billing sync', scope: 'write' },
    });
    expect(w.statusCode, w.body).toBe(201);
    write = w.json_;

    const list = await api({ method: 'GET', url: '/api/v1/auth/tokens', headers: s.read });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json_.data.map((t: Json) => t.id).sort()).toEqual([read.id, write.id].sort());
    for (const t of [read, write]) {
      const secret = t.token.split('.')[3]!;
      expect(list.body).not.toContain(secret);
      expect(list.body).not.toContain(hashSecret(secret));
      const [row] = await db.database.raw<Json>(
        'select * from api_tokens where workspace_id = $1 and id = $2',
        [ws.workspaceId, t.id],
      );
      expect(row.secret_hash).toBe(hashSecret(secret));
      expect(JSON.stringify(row)).not.toContain(secret);
    }
    for (const t of list.json_.data) expect(t).not.toHaveProperty('token');
    // Another user's list does not show them.
    const admin = await adminSession();
    const theirs = await api({ method: 'GET', url: '/api/v1/auth/tokens', headers: admin.read });
    expect(theirs.json_.data.map((t: Json) => t.id)).not.toContain(read.id);
  });

  it('a read-scoped token reads but cannot write (403), and nothing is written', async () => {
    const body = await newPromiseBody(u.userId);
    const list = await api({ method: 'GET', url: '/api/v1/promises', headers: bearer(read) });
    expect(list.statusCode, list.body).toBe(200);
    const who = await api({ method: 'GET', url: '/api/v1/auth/session', headers: bearer(read) });
    expect(who.json_).toMatchObject({ via: 'token', scope: 'read', csrfToken: null, user: { id: u.userId } });
    const before = await count('promises where workspace_id = $1', [ws.workspaceId]);
    const p = expectProblem(
      await api({ method: 'POST', url: '/api/v1/promises', headers: bearer(read), payload: body }),
      403,
    );
    expect(p).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/read-only/) });
    // Nor can it make itself a write token.
    expectProblem(
      await api({
        method: 'POST',
        url: '/api/v1/auth/tokens',
        headers: bearer(read),
        payload: { name: 'x', scope: 'write' },
      }),
      403,
    );
    expect(await count('promises where workspace_id = $1', [ws.workspaceId])).toBe(before);
  });

  it('a write token writes (no CSRF token needed: it is not a cookie)', async () => {
    const res = await api({
      method: 'POST',
      url: '/api/v1/promises',
      headers: bearer(write),
      payload: await newPromiseBody(u.userId),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json_.createdBy).toBe(u.userId);
  });

  it('records when a token was last used (at most once a minute) and logs its use', async () => {
    const t = at(70 * DAY + HOUR);
    db.clock.now = t;
    const lastUsed = async () => {
      const [row] = await db.database.raw<{ last_used_at: Date | string | null }>(
        'select last_used_at from api_tokens where workspace_id = $1 and id = $2',
        [ws.workspaceId, read.id],
      );
      return row?.last_used_at ? new Date(row.last_used_at).toISOString() : null;
    };
    const uses = () =>
      count("security_events where kind = 'token.used' and detail->>'tokenId' = $1", [read.id]);
    const before = await uses();
    await api({ method: 'GET', url: '/api/v1/promises', headers: bearer(read) });
    expect(await lastUsed()).toBe(t.toISOString());
    expect(await uses()).toBe(before + 1);
    db.clock.now = new Date(t.getTime() + 30_000);
    await api({ method: 'GET', url: '/api/v1/promises', headers: bearer(read) });
    expect(await lastUsed()).toBe(t.toISOString());
    expect(await uses()).toBe(before + 1);
    db.clock.now = new Date(t.getTime() + 2 * MINUTE);
    await api({ method: 'GET', url: '/api/v1/promises', headers: bearer(read) });
    expect(await lastUsed()).toBe(new Date(t.getTime() + 2 * MINUTE).toISOString());
    expect(await uses()).toBe(before + 2);
    const list = await api({ method: 'GET', url: '/api/v1/auth/tokens', headers: s.read });
    expect(list.json_.data.find((x: Json) => x.id === read.id).lastUsedAt).toBe(
      new Date(t.getTime() + 2 * MINUTE).toISOString(),
    );
  });

  it('a revoked token is refused with 401; only its owner can revoke it', async () => {
    const admin = await adminSession();
    expectProblem(
      await api({ method: 'DELETE', url: `/api/v1/auth/tokens/${write.id}`, headers: admin.write }),
      404,
      'tokenId',
    );
    expect((await api({ method: 'GET', url: '/api/v1/promises', headers: bearer(write) })).statusCode).toBe(
      200,
    );
    const r = await api({ method: 'DELETE', url: `/api/v1/auth/tokens/${write.id}`, headers: s.write });
    expect(r.statusCode, r.body).toBe(204);
    expectProblem(
      await api({ method: 'GET', url: '/api/v1/promises', headers: bearer(write) }),
      401,
      'Authorization',
    );
    expectProblem(
      await api({ method: 'DELETE', url: `/api/v1/auth/tokens/${write.id}`, headers: s.write }),
      404,
      'tokenId',
    );
    const list = await api({ method: 'GET', url: '/api/v1/auth/tokens', headers: s.read });
    expect(list.json_.data.find((x: Json) => x.id === write.id).revokedAt).toBe(db.clock.now.toISOString());
  });

  it('the tokens (and sessions) of a deactivated user are refused with 401', async () => {
    const v = await member();
    const vs = await signInAs(app, { workspace: ws.slug, email: v.email });
    const token = await tokenHeaders(db.ctx, ws.workspaceId, v.userId);
    expect((await api({ method: 'GET', url: '/api/v1/promises', headers: token })).statusCode).toBe(200);
    const admin = await adminSession();
    const off = await api({
      method: 'PATCH',
      url: `/api/v1/users/${v.userId}`,
      headers: admin.write,
      payload: { active: false },
    });
    expect(off.statusCode, off.body).toBe(200);
    expectProblem(
      await api({ method: 'GET', url: '/api/v1/promises', headers: token }),
      401,
      'Authorization',
    );
    expectProblem(await api({ method: 'GET', url: '/api/v1/promises', headers: vs.read }), 401, 'session');
    // Reactivated, the same credentials work again (nothing was deleted).
    await api({
      method: 'PATCH',
      url: `/api/v1/users/${v.userId}`,
      headers: admin.write,
      payload: { active: true },
    });
    expect((await api({ method: 'GET', url: '/api/v1/promises', headers: token })).statusCode).toBe(200);
  });
});

describe('invitations', () => {
  let admin: Session;
  const invite = (headers: Record<string, string>, payload: Json) =>
    api({ method: 'POST', url: '/api/v1/invitations', headers, payload });
  const accept = (payload: Json) => api({ method: 'POST', url: '/api/v1/auth/accept-invitation', payload });

  beforeAll(async () => {
    db.clock.now = at(80 * DAY);
    admin = await adminSession();
  });

  it('an admin invites; the accepted invitation creates a user with that role, who can sign in', async () => {
    const res = await invite(admin.write, { email: 'New.Manager@Example.test', role: 'manager' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json_).toEqual({
      id: expect.any(String),
      email: 'new.manager@example.test',
      role: 'manager',
      expiresAt: at(87 * DAY).toISOString(),
      token: expect.stringMatching(/^pli\./),
    });
    const pending = await api({ method: 'GET', url: '/api/v1/invitations', headers: admin.read });
    expect(pending.json_.data.find((i: Json) => i.id === res.json_.id)).toMatchObject({ status: 'pending' });
    expect(pending.body).not.toContain(res.json_.token.split('.')[3]);

    // Too short a password: refused, and the invitation is still good.
    expectProblem(
      await accept({ token: res.json_.token, name: 'Nia Manager', password: 'short' }),
      400,
      'password',
    );
    const ok = await accept({
      token: res.json_.token,
      name: 'Nia Manager',
      password: 'a long enough passphrase',
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json_).toMatchObject({
      workspaceId: ws.workspaceId,
      role: 'manager',
      email: 'new.manager@example.test',
    });

    const s = await signInAs(app, {
      workspace: ws.slug,
      email: 'new.manager@example.test',
      password: 'a long enough passphrase',
    });
    const who = await api({ method: 'GET', url: '/api/v1/auth/session', headers: s.read });
    expect(who.json_.user).toMatchObject({ id: ok.json_.userId, role: 'manager', name: 'Nia Manager' });

    // Used: refused the second time.
    expectProblem(
      await accept({ token: res.json_.token, name: 'Again', password: 'a long enough passphrase' }),
      400,
      'token',
    );
    const after = await api({ method: 'GET', url: '/api/v1/invitations', headers: admin.read });
    expect(after.json_.data.find((i: Json) => i.id === res.json_.id)).toMatchObject({
      status: 'accepted',
      acceptedUserId: ok.json_.userId,
    });
    const kinds = (await securityEvents()).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['invitation.created', 'invitation.accepted']));
  });

  it('an expired, revoked or forged invitation token is refused', async () => {
    const expiring = await invite(admin.write, { email: 'late@example.test', role: 'member' });
    const revoking = await invite(admin.write, { email: 'withdrawn@example.test', role: 'viewer' });
    const r = await api({
      method: 'DELETE',
      url: `/api/v1/invitations/${revoking.json_.id}`,
      headers: admin.write,
    });
    expect(r.statusCode, r.body).toBe(204);
    expectProblem(
      await api({ method: 'DELETE', url: `/api/v1/invitations/${revoking.json_.id}`, headers: admin.write }),
      404,
      'invitationId',
    );
    const body = { name: 'Someone', password: 'a long enough passphrase' };
    expectProblem(await accept({ ...body, token: revoking.json_.token }), 400, 'token');

    const [, wsId, id, secret] = expiring.json_.token.split('.');
    const forged = `pli.${wsId}.${id}.${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`;
    for (const token of [forged, 'pli.nonsense', expiring.json_.token.replace('pli.', 'plt.')]) {
      expectProblem(await accept({ ...body, token }), 400, 'token');
    }

    // Valid for 7 days: at the instant it expires it is refused.
    db.clock.now = at(87 * DAY);
    const late = await accept({ ...body, token: expiring.json_.token });
    db.clock.now = at(80 * DAY + 10 * MINUTE);
    expectProblem(late, 400, 'token');
    expect(
      (await api({ method: 'GET', url: '/api/v1/invitations', headers: admin.read })).json_.data.find(
        (i: Json) => i.id === expiring.json_.id,
      ).status,
    ).toBe('pending');
    db.clock.now = at(87 * DAY);
    const list = await api({
      method: 'GET',
      url: '/api/v1/invitations',
      headers: await tokenHeaders(db.ctx, ws.workspaceId, ws.adminId),
    });
    db.clock.now = at(80 * DAY + 10 * MINUTE);
    const status = (id: string) => list.json_.data.find((i: Json) => i.id === id).status;
    expect([status(expiring.json_.id), status(revoking.json_.id)]).toEqual(['expired', 'revoked']);
    expect(
      await count(
        "users where workspace_id = $1 and email in ('late@example.test', 'withdrawn@example.test')",
        [ws.workspaceId],
      ),
    ).toBe(0);
  });

  it('only an admin invites: member, manager and viewer get 403, and nothing is written', async () => {
    for (const role of ['member', 'manager', 'viewer'] as const) {
      const u = await member(role);
      const s = await signInAs(app, { workspace: ws.slug, email: u.email });
      const before = await count('invitations where workspace_id = $1', [ws.workspaceId]);
      const p = expectProblem(
        await invite(s.write, { email: `friend-of-${role}@example.test`, role: 'admin' }),
        403,
      );
      expect(p.detail).toMatch(new RegExp(`${role} role`));
      expectProblem(await api({ method: 'GET', url: '/api/v1/invitations', headers: s.read }), 403);
      expect(await count('invitations where workspace_id = $1', [ws.workspaceId])).toBe(before);
    }
  });

  it('inviting an existing user’s email is 409 naming email', async () => {
    expectProblem(
      await invite(admin.write, { email: adminEmail.toUpperCase(), role: 'member' }),
      409,
      'email',
    );
    expectProblem(await invite(admin.write, { email: 'not an email', role: 'member' }), 400, 'email');
    expectProblem(await invite(admin.write, { email: 'x@example.test', role: 'owner' }), 400, 'role');
  });
});

describe('managing users, and the security log', () => {
  let admin: Session;
  const patch = (headers: Record<string, string>, userId: string, payload: Json) =>
    api({ method: 'PATCH', url: `/api/v1/users/${userId}`, headers, payload });

  beforeAll(async () => {
    db.clock.now = at(90 * DAY);
    admin = await adminSession();
  });

  it('role changes and deactivations are recorded in the security log, which only an admin reads', async () => {
    const u = await member();
    const r = await patch(admin.write, u.userId, { role: 'manager' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json_).toMatchObject({ id: u.userId, role: 'manager', active: true });
    const d = await patch(admin.write, u.userId, { active: false });
    expect(d.statusCode, d.body).toBe(200);
    expect(d.json_).toMatchObject({ active: false, deactivatedAt: db.clock.now.toISOString() });

    const log = await api({
      method: 'GET',
      url: '/api/v1/audit/security-events?limit=500',
      headers: admin.read,
    });
    expect(log.statusCode, log.body).toBe(200);
    const mine = log.json_.data.filter((e: Json) => e.userId === u.userId);
    expect(mine.map((e: Json) => e.kind)).toEqual(['user.deactivated', 'user.role_changed']);
    expect(mine[1]).toMatchObject({
      actorId: ws.adminId,
      detail: { from: { role: 'member', grants: [] }, to: { role: 'manager', grants: [] } },
      occurredAt: db.clock.now.toISOString(),
    });
    for (const role of ['member', 'manager', 'viewer'] as const) {
      const v = await member(role);
      const s = await signInAs(app, { workspace: ws.slug, email: v.email });
      expectProblem(await api({ method: 'GET', url: '/api/v1/audit/security-events', headers: s.read }), 403);
      expectProblem(await patch(s.write, u.userId, { role: 'admin' }), 403);
    }
    // Another workspace's admin sees none of it, and cannot touch our users.
    const theirs = await api({
      method: 'GET',
      url: '/api/v1/audit/security-events?limit=500',
      headers: await tokenHeaders(db.ctx, otherWs.workspaceId, otherWs.adminId),
    });
    expect(theirs.statusCode).toBe(200);
    expect(theirs.body).not.toContain(u.userId);
    expectProblem(
      await patch(await tokenHeaders(db.ctx, otherWs.workspaceId, otherWs.adminId), u.userId, {
        role: 'admin',
      }),
      404,
      'userId',
    );
  });

  it('the last active admin cannot be demoted or deactivated (409 naming the field)', async () => {
    const solo = await buildWorkspace(db.ctx);
    const h = await tokenHeaders(db.ctx, solo.workspaceId, solo.adminId);
    expectProblem(await patch(h, solo.adminId, { role: 'manager' }), 409, 'role');
    expectProblem(await patch(h, solo.adminId, { active: false }), 409, 'active');
    // A deactivated admin does not count, and may be demoted.
    const gone = await member('admin', solo.workspaceId);
    await db.database.raw('update users set active = false where workspace_id = $1 and id = $2', [
      solo.workspaceId,
      gone.userId,
    ]);
    expectProblem(await patch(h, solo.adminId, { role: 'viewer' }), 409, 'role');
    const demoteGone = await patch(h, gone.userId, { role: 'viewer' });
    expect(demoteGone.statusCode, demoteGone.body).toBe(200);
    // With a second active admin, the first may step down.
    const second = await member('admin', solo.workspaceId);
    const ok = await patch(h, solo.adminId, { role: 'manager' });
    expect(ok.statusCode, ok.body).toBe(200);
    const now = await tokenHeaders(db.ctx, solo.workspaceId, second.userId);
    expectProblem(await patch(now, second.userId, { role: 'member' }), 409, 'role');
    expect(
      await count("users where workspace_id = $1 and role = 'admin' and active", [solo.workspaceId]),
    ).toBe(1);
  });

  it('two admins demoting each other at once leave one admin', async () => {
    const duo = await buildWorkspace(db.ctx);
    const b = await member('admin', duo.workspaceId);
    const ha = await tokenHeaders(db.ctx, duo.workspaceId, duo.adminId);
    const hb = await tokenHeaders(db.ctx, duo.workspaceId, b.userId);
    const [ra, rb] = await Promise.all([
      patch(ha, b.userId, { role: 'member' }),
      patch(hb, duo.adminId, { role: 'member' }),
    ]);
    expect([ra.statusCode, rb.statusCode].filter((s) => s === 200)).toHaveLength(1);
    for (const r of [ra, rb]) if (r.statusCode !== 200) expect([403, 409]).toContain(r.statusCode);
    expect(
      await count("users where workspace_id = $1 and role = 'admin' and active", [duo.workspaceId]),
    ).toBe(1);
  });

  it('a user who owns open promises cannot be deactivated (409 naming active); nor can you deactivate yourself', async () => {
    const u = await member();
    const { promiseId } = await buildPromise(db.ctx, { workspaceId: ws.workspaceId, ownerId: u.userId });
    const p = expectProblem(await patch(admin.write, u.userId, { active: false }), 409, 'active');
    expect(p.detail).toMatch(/owns 1 open promise/);
    expect(
      await count('users where workspace_id = $1 and id = $2 and active', [ws.workspaceId, u.userId]),
    ).toBe(1);
    const closed = await api({
      method: 'POST',
      url: `/api/v1/promises/${promiseId}/cancel`,
      headers: admin.write,
      payload: { reason: 'Owner leaving' },
    });
    expect(closed.statusCode, closed.body).toBe(200);
    expect((await patch(admin.write, u.userId, { active: false })).statusCode).toBe(200);

    const other = await member('admin');
    const hOther = await tokenHeaders(db.ctx, ws.workspaceId, other.userId);
    expectProblem(await patch(hOther, other.userId, { active: false }), 409, 'active');
  });

  it('bad PATCH bodies are 400 naming the field', async () => {
    const u = await member();
    expectProblem(await patch(admin.write, u.userId, {}), 400);
    expectProblem(await patch(admin.write, u.userId, { role: 'owner' }), 400, 'role');
    expect(expectProblem(await patch(admin.write, u.userId, { grants: ['everything'] }), 400).field).toMatch(
      /^grants/,
    );
    expectProblem(await patch(admin.write, u.userId, { managerId: u.userId }), 400, 'managerId');
    expectProblem(
      await patch(admin.write, u.userId, { workspaceId: otherWs.workspaceId }),
      400,
      'workspaceId',
    );
    expectProblem(await patch(admin.write, MISSING_ID, { role: 'viewer' }), 404, 'userId');
  });

  it('the log records sign-ins, failures, token use and role changes', async () => {
    const kinds = new Set((await securityEvents()).map((e) => e.kind));
    for (const k of [
      'signin.succeeded',
      'signin.failed',
      'signin.locked',
      'signout',
      'session.revoked',
      'token.created',
      'token.used',
      'token.revoked',
      'user.role_changed',
      'user.deactivated',
      'user.reactivated',
      'invitation.created',
      'invitation.accepted',
      'invitation.revoked',
    ]) {
      expect(kinds, k).toContain(k);
    }
  });

  it('the log is append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    const before = await securityEvents();
    for (const sql of [
      "update security_events set kind = 'signin.succeeded' where kind = 'signin.failed'",
      'delete from security_events',
      'truncate security_events',
    ]) {
      await expect(db.database.raw(sql), sql).rejects.toThrow(/append-only/);
    }
    expect(await securityEvents()).toEqual(before);
  });
});

describe('who may change which promise', () => {
  let m1: string;
  let m2: string;
  let p1: string;
  let p2: string;
  let h1: { authorization: string };
  let admin: Session;
  const edit = (headers: Record<string, string>, promiseId: string, text: string) =>
    api({
      method: 'POST',
      url: `/api/v1/promises/${promiseId}/edit`,
      headers,
      payload: { changes: { promiseMade: text } },
    });
  const version = async (promiseId: string) => {
    const [row] = await db.database.raw<{ version: number }>(
      'select version from promises where workspace_id = $1 and id = $2',
      [ws.workspaceId, promiseId],
    );
    return Number(row?.version);
  };

  beforeAll(async () => {
    db.clock.now = at(100 * DAY);
    m1 = (await member()).userId;
    m2 = (await member()).userId;
    p1 = (await buildPromise(db.ctx, { workspaceId: ws.workspaceId, ownerId: m1 })).promiseId;
    p2 = (await buildPromise(db.ctx, { workspaceId: ws.workspaceId, ownerId: m2 })).promiseId;
    h1 = await tokenHeaders(db.ctx, ws.workspaceId, m1);
    admin = await adminSession();
  });

  it('a member changes their own promise, but a colleague’s is 403 (and untouched)', async () => {
    expect((await edit(h1, p1, 'Mine to change')).statusCode).toBe(200);
    const v = await version(p2);
    const p = expectProblem(await edit(h1, p2, 'Not mine'), 403);
    expect(p).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/owner/) });
    for (const [action, body] of [
      ['reassign', { ownerId: m1 }],
      ['cancel', { reason: 'Taking over' }],
      ['pause', { cause: 'customer', note: 'Busy' }],
    ] as const) {
      expectProblem(
        await api({ method: 'POST', url: `/api/v1/promises/${p2}/${action}`, headers: h1, payload: body }),
        403,
      );
    }
    expect(await version(p2)).toBe(v);
    // Commenting is open to every member.
    const c = await api({
      method: 'POST',
      url: `/api/v1/promises/${p2}/comments`,
      headers: h1,
      payload: { text: 'FYI' },
    });
    expect(c.statusCode, c.body).toBe(201);
  });

  it('granted write_others (PATCH users), the member may change a colleague’s promise; revoked, not', async () => {
    const g = await api({
      method: 'PATCH',
      url: `/api/v1/users/${m1}`,
      headers: admin.write,
      payload: { grants: ['write_others'] },
    });
    expect(g.statusCode, g.body).toBe(200);
    expect(g.json_.grants).toEqual(['write_others']);
    // The same token: grants are read on every request.
    expect((await edit(h1, p2, 'Covering for a colleague')).statusCode).toBe(200);
    const log = (await securityEvents()).filter((e) => e.kind === 'user.role_changed' && e.user_id === m1);
    expect(log.at(-1)?.detail).toMatchObject({
      from: { grants: [] },
      to: { role: 'member', grants: ['write_others'] },
    });
    await api({ method: 'PATCH', url: `/api/v1/users/${m1}`, headers: admin.write, payload: { grants: [] } });
    expectProblem(await edit(h1, p2, 'Not any more'), 403);
  });

  it('a manager changes anyone’s promise', async () => {
    const mgr = await member('manager');
    const h = await tokenHeaders(db.ctx, ws.workspaceId, mgr.userId);
    expect((await edit(h, p2, 'Manager edit')).statusCode).toBe(200);
    const r = await api({
      method: 'POST',
      url: `/api/v1/promises/${p1}/reassign`,
      headers: h,
      payload: { ownerId: m2 },
    });
    expect(r.statusCode, r.body).toBe(200);
  });

  it('a viewer reads, but every write route is 403 and changes nothing', async () => {
    const viewer = await member('viewer');
    const s = await signInAs(app, { workspace: ws.slug, email: viewer.email });
    const token = await tokenHeaders(db.ctx, ws.workspaceId, viewer.userId);
    for (const headers of [s.read, token]) {
      expect((await api({ method: 'GET', url: '/api/v1/promises', headers })).statusCode).toBe(200);
      expect((await api({ method: 'GET', url: `/api/v1/promises/${p1}`, headers })).statusCode).toBe(200);
      expect((await api({ method: 'GET', url: '/api/v1/users', headers })).statusCode).toBe(200);
    }
    const snapshot = async () =>
      db.database.raw(
        `select (select count(*)::int from promises) as p, (select count(*)::int from promise_events) as e,
                (select count(*)::int from users) as u, (select count(*)::int from invitations) as i,
                (select string_agg(id::text || version::text, ',' order by id) from promises) as heads`,
      );
    const before = await snapshot();
    // Every route that writes records, from the route table (own sessions and tokens excepted).
    const writes = apiRoutes(db.ctx).filter(
      (r) =>
        r.method !== 'GET' &&
        ![
          'public',
          'authenticated',
          'tokens.manage_own',
          'sessions.manage_own',
          'notifications.manage_own',
        ].includes(r.auth),
    );
    expect(writes.map((r) => r.id)).toEqual(
      expect.arrayContaining(['promises.create', 'promises.edit', 'users.update', 'invitations.create']),
    );
    for (const r of writes) {
      const url = r.url.replace(/:(\w+)/g, (_, name) => (name === 'promiseId' ? p1 : MISSING_ID));
      for (const headers of [s.write, token]) {
        const res = await api({ method: r.method, url, headers, payload: {} });
        expect(res.statusCode, `${r.id}: ${res.body}`).toBe(403);
      }
    }
    expect(await snapshot()).toEqual(before);
  });
});

it(`runs on ${ENGINE}`, () => {
  expect(['pglite', 'postgres']).toContain(ENGINE);
});
