// The caller's workspace settings: everyone signed in reads them, admins (settings.manage) change
// them. The URL names no workspace: it is always the principal's.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { text } from '../http/schemas.js';
import { canonicalZone } from '../time/zone.js';
import { getWorkspaceSettings, updateWorkspaceSettings } from './workspace-settings.js';
import { presentWorkspace } from './workspaces.presenter.js';

/** An IANA zone, stored under its canonical name ("america/new_york" → "America/New_York"). */
const timeZone = z
  .string()
  .max(100, 'must be at most 100 characters')
  .transform((tz, c) => {
    const id = canonicalZone(tz);
    if (id !== null) return id;
    c.addIssue({
      code: 'custom',
      message: /^[+-]?\d/.test(tz)
        ? `"${tz}" is a UTC offset, not a time zone: use an IANA name such as "America/New_York"`
        : `unknown time zone "${tz}": use an IANA name such as "America/New_York"`,
    });
    return z.NEVER;
  });

const UpdateWorkspaceBody = z
  .strictObject({
    name: text(200).optional(),
    timeZone: timeZone.optional(),
    inactivityDays: z
      .number()
      .int('must be a whole number of days')
      .min(1, 'must be between 1 and 365')
      .max(365, 'must be between 1 and 365')
      .optional(),
    allowPrivateWebhookTargets: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' });

export function workspaceRoutes(ctx: AppContext): AnyRoute[] {
  return [
    route({
      id: 'workspace.get',
      method: 'GET',
      url: '/api/v1/workspace',
      auth: 'records.read',
      summary:
        'The caller’s workspace: name, slug, time zone, the inactivity threshold (days) and whether outbound ' +
        'webhooks may target private addresses.',
      tags: ['workspace'],
      handler: async ({ principal }) => presentWorkspace(await getWorkspaceSettings(ctx, { principal })),
    }),
    route({
      id: 'workspace.update',
      method: 'PATCH',
      url: '/api/v1/workspace',
      auth: 'settings.manage',
      summary:
        'Change the caller’s workspace: name, time zone (IANA), inactivityDays (1–365), allowPrivateWebhookTargets. ' +
        'A new zone or threshold re-plans every account’s next reminder (accountsReplanned); a change of ' +
        'allowPrivateWebhookTargets is recorded in the security log.',
      tags: ['workspace'],
      body: UpdateWorkspaceBody,
      handler: async ({ principal, body }) => {
        const { workspace, accountsReplanned } = await updateWorkspaceSettings(ctx, {
          principal,
          changes: body,
        });
        return { ...presentWorkspace(workspace), accountsReplanned };
      },
    }),
  ];
}
