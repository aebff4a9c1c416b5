import type {} from '@fastify/cookie';
import { z } from 'zod';
import { listSecurityEvents } from '../audit/security-log.js';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { text, uuid } from '../http/schemas.js';
import { getUser, presentUser } from '../users/manage-users.js';
import { requireWorkspace } from '../workspaces/workspaces.repo.js';
import { createApiToken, listOwnApiTokens, presentToken, revokeApiToken } from './api-tokens.js';
import {
  acceptInvitation,
  createInvitation,
  listInvitations,
  presentInvitation,
  revokeInvitation,
} from './invitations.js';
import { policyTable, ROLES } from './policy.js';
import { listOwnSessions, revokeOwnSession, SESSION_COOKIE, type SessionPolicy, signIn } from './sessions.js';

export interface AuthRouteOptions {
  sessionPolicy: SessionPolicy;
  secureCookies: boolean;
}

const password = z.string().min(12, 'must be at least 12 characters').max(1000);

export function authRoutes(ctx: AppContext, opts: AuthRouteOptions): AnyRoute[] {
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: opts.secureCookies,
    path: '/',
  };
  return [
    route({
      id: 'auth.signIn',
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      auth: 'public',
      idempotent: false,
      summary: 'Sign in with email and password; sets the session cookie and returns the CSRF token.',
      tags: ['auth'],
      body: z.strictObject({
        workspace: z.string().min(1).max(100),
        email: z.string().min(3).max(320),
        password: z.string().min(1).max(1000),
      }),
      handler: async ({ body, req, reply }) => {
        const s = await signIn(ctx, {
          ...body,
          ip: req.ip,
          userAgent: req.headers['user-agent'],
          policy: opts.sessionPolicy,
        });
        reply.setCookie(SESSION_COOKIE, s.cookieValue, { ...cookieOptions, expires: s.expiresAt });
        return { user: s.user, csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() };
      },
    }),
    route({
      id: 'auth.signOut',
      method: 'POST',
      url: '/api/v1/auth/sign-out',
      auth: 'authenticated',
      idempotent: false,
      summary: 'End the current session.',
      tags: ['auth'],
      status: 204,
      handler: async ({ principal, req, reply }) => {
        const sessionId = (principal as { sessionId?: string }).sessionId;
        if (sessionId) await revokeOwnSession(ctx, principal, sessionId, req.ip, 'signout');
        reply.clearCookie(SESSION_COOKIE, cookieOptions);
        return null;
      },
    }),
    route({
      id: 'auth.session',
      method: 'GET',
      url: '/api/v1/auth/session',
      auth: 'authenticated',
      summary: 'Who is signed in: user, workspace, CSRF token, and what the role may do.',
      tags: ['auth'],
      handler: async ({ principal }) => {
        const user = await getUser(ctx, principal, principal.userId);
        const ws = await requireWorkspace(ctx.database.db, principal.workspaceId);
        return {
          user: presentUser(user),
          workspace: { id: ws.id, name: ws.name, slug: ws.slug, timeZone: ws.timeZone },
          via: principal.via,
          scope: principal.scope,
          csrfToken: (principal as { csrfToken?: string }).csrfToken ?? null,
          policy: policyTable(),
        };
      },
    }),
    route({
      id: 'auth.sessions.list',
      method: 'GET',
      url: '/api/v1/auth/sessions',
      auth: 'sessions.manage_own',
      summary: 'Your active sessions.',
      tags: ['auth'],
      handler: async ({ principal }) => ({
        data: (await listOwnSessions(ctx, principal, opts.sessionPolicy)).map((s) => ({
          id: s.id,
          createdAt: s.createdAt.toISOString(),
          lastSeenAt: s.lastSeenAt.toISOString(),
          expiresAt: s.expiresAt.toISOString(),
          userAgent: s.userAgent,
          ip: s.ip,
          current: s.id === (principal as { sessionId?: string }).sessionId,
        })),
      }),
    }),
    route({
      id: 'auth.sessions.revoke',
      method: 'DELETE',
      url: '/api/v1/auth/sessions/:sessionId',
      auth: 'sessions.manage_own',
      summary: 'Revoke one of your sessions.',
      tags: ['auth'],
      params: z.strictObject({ sessionId: uuid() }),
      status: 204,
      handler: async ({ principal, params, req }) => {
        await revokeOwnSession(ctx, principal, params.sessionId, req.ip);
        return null;
      },
    }),
    route({
      id: 'auth.tokens.list',
      method: 'GET',
      url: '/api/v1/auth/tokens',
      auth: 'tokens.manage_own',
      summary: 'Your API tokens (never their secrets).',
      tags: ['auth'],
      handler: async ({ principal }) => ({
        data: (await listOwnApiTokens(ctx, principal)).map(presentToken),
      }),
    }),
    route({
      id: 'auth.tokens.create',
      method: 'POST',
      url: '/api/v1/auth/tokens',
      auth: 'tokens.manage_own',
      // Not replayable: a stored response would keep the token's secret in plain text for a day.
      idempotent: false,
      summary: 'Create an API token for integrations; the token is in this response only.',
      tags: ['auth'],
      status: 201,
      body: z.strictObject({ name: text(200), scope: z.enum(['read', 'write']) }),
      handler: async ({ principal, body }) => createApiToken(ctx, principal, body),
    }),
    route({
      id: 'auth.tokens.revoke',
      method: 'DELETE',
      url: '/api/v1/auth/tokens/:tokenId',
      auth: 'tokens.manage_own',
      summary: 'Revoke one of your API tokens.',
      tags: ['auth'],
      params: z.strictObject({ tokenId: uuid() }),
      status: 204,
      handler: async ({ principal, params }) => {
        await revokeApiToken(ctx, principal, params.tokenId);
        return null;
      },
    }),
    route({
      id: 'invitations.create',
      method: 'POST',
      url: '/api/v1/invitations',
      auth: 'users.manage',
      // Not replayable: a stored response would keep the invitation's secret in plain text.
      idempotent: false,
      summary: 'Invite a person by email with a role; the token is in this response only.',
      tags: ['users'],
      status: 201,
      body: z.strictObject({ email: z.email().max(320), role: z.enum(ROLES) }),
      handler: async ({ principal, body }) => createInvitation(ctx, principal, body),
    }),
    route({
      id: 'invitations.list',
      method: 'GET',
      url: '/api/v1/invitations',
      auth: 'users.manage',
      summary:
        'The workspace’s invitations and whether each is pending, accepted, revoked or expired (never their tokens).',
      tags: ['users'],
      handler: async ({ principal }) => {
        const now = ctx.now();
        return { data: (await listInvitations(ctx, principal)).map((i) => presentInvitation(i, now)) };
      },
    }),
    route({
      id: 'invitations.revoke',
      method: 'DELETE',
      url: '/api/v1/invitations/:invitationId',
      auth: 'users.manage',
      summary: 'Withdraw a pending invitation; its token stops working.',
      tags: ['users'],
      params: z.strictObject({ invitationId: uuid() }),
      status: 204,
      handler: async ({ principal, params }) => {
        await revokeInvitation(ctx, principal, params.invitationId);
        return null;
      },
    }),
    route({
      id: 'auth.acceptInvitation',
      method: 'POST',
      url: '/api/v1/auth/accept-invitation',
      auth: 'public',
      idempotent: false,
      summary: 'Accept an invitation: choose a name and password; then sign in.',
      tags: ['auth'],
      status: 201,
      body: z.strictObject({ token: z.string().min(1).max(500), name: text(200), password }),
      handler: async ({ body }) => acceptInvitation(ctx, body),
    }),
    route({
      id: 'policy.get',
      method: 'GET',
      url: '/api/v1/policy',
      auth: 'authenticated',
      summary: 'Which role may do which action (the web app reads it to hide what is not allowed).',
      tags: ['auth'],
      handler: async () => policyTable(),
    }),
    route({
      id: 'audit.securityEvents',
      method: 'GET',
      url: '/api/v1/audit/security-events',
      auth: 'audit.read',
      summary: 'The security audit log: sign-ins, failures, token use, role changes, exports.',
      tags: ['audit'],
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      handler: async ({ principal, query }) => ({
        data: (await listSecurityEvents(ctx.database.db, principal.workspaceId, query.limit)).map((e) => ({
          id: e.id,
          occurredAt: e.occurredAt.toISOString(),
          kind: e.kind,
          userId: e.userId,
          actorId: e.actorId,
          ip: e.ip,
          detail: e.detail,
        })),
      }),
    }),
  ];
}
