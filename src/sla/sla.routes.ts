// The SLA API: calendars (with .ics holiday import), SLA policies, remedies and risk of a promise,
// breach recording, and business-time arithmetic. Routes parse, authorise, call a use case, present.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { instant, text, uuid } from '../http/schemas.js';
import { presentOnePromise } from '../promises/present-promises.js';
import { presentEvent } from '../promises/promises.presenter.js';
import { calendarSchema } from '../time/calendar.js';
import { invalidateSlaSetup } from './context-cache.js';
import {
  createCalendar,
  getCalendar,
  importCalendarHolidays,
  listCalendars,
  updateCalendar,
} from './manage-calendars.js';
import { createPolicy, deletePolicy, getPolicy, listPolicies, updatePolicy } from './manage-policies.js';
import {
  checkpointsSchema,
  escalationSchema,
  matchSchema,
  remedyScheduleSchema,
  targetSchema,
} from './policy.js';
import { previewBusinessTime } from './preview.js';
import { getPromiseRisk } from './promise-risk.js';
import { recordBreaches } from './record-breaches.js';
import { approveRemedy, listRemedies, requestRemedy } from './remedies.js';
import { presentCalendar, presentPolicy } from './sla.presenter.js';

const calendarParams = z.strictObject({ calendarId: uuid() });
const policyParams = z.strictObject({ policyId: uuid() });
const promiseParams = z.strictObject({ promiseId: uuid() });
const remedyParams = z.strictObject({ promiseId: uuid(), remedyId: uuid() });
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

const policyFields = {
  name: text(200),
  position: z.number().int().min(0).max(1_000_000),
  fallback: z.boolean(),
  active: z.boolean(),
  match: matchSchema,
  calendarId: uuid(),
  target: targetSchema,
  checkpoints: checkpointsSchema,
  escalation: escalationSchema,
  remedySchedule: remedyScheduleSchema,
  approvalLimitMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
};

const CreatePolicyBody = z.strictObject({
  name: policyFields.name,
  position: policyFields.position.optional(),
  fallback: policyFields.fallback.optional(),
  active: policyFields.active.optional(),
  match: policyFields.match.optional(),
  calendarId: policyFields.calendarId.optional(),
  target: policyFields.target,
  checkpoints: policyFields.checkpoints.optional(),
  escalation: policyFields.escalation.optional(),
  remedySchedule: policyFields.remedySchedule.optional(),
  approvalLimitMinor: policyFields.approvalLimitMinor.optional(),
});

const UpdatePolicyBody = CreatePolicyBody.partial().refine((b) => Object.keys(b).length > 0, {
  message: 'give at least one field to change',
});

export function slaRoutes(ctx: AppContext): AnyRoute[] {
  const now = () => ctx.now();
  /** A calendar or policy was written: this process's cached SLA setup of the workspace is stale. */
  const changed = <T>(workspaceId: string, result: T): T => {
    invalidateSlaSetup(workspaceId);
    return result;
  };
  return [
    route({
      id: 'calendars.list',
      method: 'GET',
      url: '/api/v1/calendars',
      auth: 'records.read',
      summary: 'The workspace’s business calendars (the default one first).',
      tags: ['sla'],
      handler: async ({ principal }) => ({
        data: (await listCalendars(ctx, { principal })).map(presentCalendar),
      }),
    }),
    route({
      id: 'calendars.create',
      method: 'POST',
      url: '/api/v1/calendars',
      auth: 'settings.manage',
      summary: 'Add a business calendar: IANA zone, opening intervals per weekday, holidays.',
      tags: ['sla'],
      body: z.strictObject({ name: text(200), calendar: calendarSchema }),
      status: 201,
      handler: async ({ principal, body }) =>
        presentCalendar(
          changed(
            principal.workspaceId,
            await createCalendar(ctx, { principal, name: body.name, calendar: body.calendar }),
          ),
        ),
    }),
    route({
      id: 'calendars.get',
      method: 'GET',
      url: '/api/v1/calendars/:calendarId',
      auth: 'records.read',
      summary: 'One business calendar.',
      tags: ['sla'],
      params: calendarParams,
      handler: async ({ principal, params }) =>
        presentCalendar(await getCalendar(ctx, { principal, calendarId: params.calendarId })),
    }),
    route({
      id: 'calendars.update',
      method: 'PATCH',
      url: '/api/v1/calendars/:calendarId',
      auth: 'settings.manage',
      summary:
        'Rename a calendar, change its hours or holidays, or make it the default. A change of hours or holidays ' +
        'recomputes the due dates and checkpoints of every open promise of the policies on it (recorded in their ledgers).',
      tags: ['sla'],
      params: calendarParams,
      body: z
        .strictObject({
          name: text(200).optional(),
          calendar: calendarSchema.optional(),
          isDefault: z.literal(true).optional(),
        })
        .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' }),
      handler: async ({ principal, params, body }) => {
        const { calendar, recomputed } = changed(
          principal.workspaceId,
          await updateCalendar(ctx, {
            principal,
            calendarId: params.calendarId,
            changes: body,
          }),
        );
        return { ...presentCalendar(calendar), recomputed };
      },
    }),
    route({
      id: 'calendars.importHolidays',
      method: 'POST',
      url: '/api/v1/calendars/:calendarId/holidays/import',
      auth: 'settings.manage',
      summary:
        'Add the all-day events of an iCalendar (.ics) file to the calendar’s holidays (or replace them); recurring ' +
        'events are expanded up to `to`. Open promises on the calendar are recomputed.',
      tags: ['sla'],
      params: calendarParams,
      body: z.strictObject({
        ics: z.string().min(1, 'must not be empty').max(200_000),
        from: date.optional(),
        to: date.optional(),
        replace: z.boolean().optional(),
      }),
      handler: async ({ principal, params, body }) => {
        const r = changed(
          principal.workspaceId,
          await importCalendarHolidays(ctx, { principal, calendarId: params.calendarId, ...body }),
        );
        return {
          ...presentCalendar(r.calendar),
          recomputed: r.recomputed,
          added: r.added,
          skipped: r.import.skipped,
        };
      },
    }),
    route({
      id: 'slaPolicies.list',
      method: 'GET',
      url: '/api/v1/sla-policies',
      auth: 'records.read',
      summary: 'SLA policies in matching order (first match wins; the fallback applies when none does).',
      tags: ['sla'],
      handler: async ({ principal }) => ({
        data: (await listPolicies(ctx, { principal })).map(presentPolicy),
      }),
    }),
    route({
      id: 'slaPolicies.create',
      method: 'POST',
      url: '/api/v1/sla-policies',
      auth: 'settings.manage',
      summary:
        'Add an SLA policy: what it matches (promise types, account tiers, priorities), its target (business or calendar ' +
        'minutes on a calendar), checkpoints (default 50% and 80%), escalation, remedy schedule and approval limit.',
      tags: ['sla'],
      body: CreatePolicyBody,
      status: 201,
      handler: async ({ principal, body }) =>
        presentPolicy(changed(principal.workspaceId, await createPolicy(ctx, { principal, input: body }))),
    }),
    route({
      id: 'slaPolicies.get',
      method: 'GET',
      url: '/api/v1/sla-policies/:policyId',
      auth: 'records.read',
      summary: 'One SLA policy.',
      tags: ['sla'],
      params: policyParams,
      handler: async ({ principal, params }) =>
        presentPolicy(await getPolicy(ctx, { principal, policyId: params.policyId })),
    }),
    route({
      id: 'slaPolicies.update',
      method: 'PATCH',
      url: '/api/v1/sla-policies/:policyId',
      auth: 'settings.manage',
      summary:
        'Change an SLA policy. A change of target, calendar or checkpoints recomputes its open promises (recorded in their ledgers).',
      tags: ['sla'],
      params: policyParams,
      body: UpdatePolicyBody,
      handler: async ({ principal, params, body }) => {
        const { policy, recomputed } = changed(
          principal.workspaceId,
          await updatePolicy(ctx, {
            principal,
            policyId: params.policyId,
            changes: body,
          }),
        );
        return { ...presentPolicy(policy), recomputed };
      },
    }),
    route({
      id: 'slaPolicies.delete',
      method: 'DELETE',
      url: '/api/v1/sla-policies/:policyId',
      auth: 'settings.manage',
      summary: 'Delete a policy no promise uses; a used one can only be deactivated.',
      tags: ['sla'],
      params: policyParams,
      status: 204,
      handler: async ({ principal, params }) => {
        changed(principal.workspaceId, await deletePolicy(ctx, { principal, policyId: params.policyId }));
        return null;
      },
    }),
    route({
      id: 'promises.risk',
      method: 'GET',
      url: '/api/v1/promises/:promiseId/risk',
      auth: 'records.read',
      summary:
        'The promise’s risk (high, medium, low) with its reasons: the seed-004 indicators set on it, and its buffer ' +
        'against how long this workspace took to keep promises of the same type.',
      tags: ['promises'],
      params: promiseParams,
      handler: async ({ principal, params }) =>
        getPromiseRisk(ctx, { principal, promiseId: params.promiseId }),
    }),
    route({
      id: 'promises.remedies.list',
      method: 'GET',
      url: '/api/v1/promises/:promiseId/remedies',
      auth: 'records.read',
      summary: 'The remedies (service credits) of a promise, from its ledger.',
      tags: ['promises'],
      params: promiseParams,
      handler: async ({ principal, params }) => ({
        data: await listRemedies(ctx, { principal, promiseId: params.promiseId }),
      }),
    }),
    route({
      id: 'promises.remedies.create',
      method: 'POST',
      url: '/api/v1/promises/:promiseId/remedies',
      auth: 'promise.write_own',
      summary:
        'Issue the remedy a missed guarantee earns (kept late or broken, on a policy with a remedy schedule), computed ' +
        'from the business minutes late. Within the approval limit it is issued at once; above it, it awaits a manager.',
      tags: ['promises'],
      params: promiseParams,
      body: z
        .strictObject({
          baseAmountMinor: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
          note: text(1000).optional(),
        })
        .nullish(),
      status: 201,
      handler: async ({ principal, params, body }) => {
        const r = await requestRemedy(ctx, {
          principal,
          promiseId: params.promiseId,
          baseAmountMinor: body?.baseAmountMinor,
          note: body?.note,
        });
        return {
          remedy: r.remedy,
          promise: await presentOnePromise(ctx, principal.workspaceId, r.promise, now()),
          event: presentEvent(r.event),
        };
      },
    }),
    route({
      id: 'promises.remedies.approve',
      method: 'POST',
      url: '/api/v1/promises/:promiseId/remedies/:remedyId/approve',
      auth: 'approval.decide',
      summary: 'Approve (and so issue) a remedy above the approval limit.',
      tags: ['promises'],
      params: remedyParams,
      body: z.strictObject({ note: text(1000).optional() }).nullish(),
      handler: async ({ principal, params, body }) => {
        const r = await approveRemedy(ctx, { principal, ...params, note: body?.note });
        return {
          remedy: r.remedy,
          promise: await presentOnePromise(ctx, principal.workspaceId, r.promise, now()),
          event: presentEvent(r.event),
        };
      },
    }),
    route({
      id: 'sla.breaches.record',
      method: 'POST',
      url: '/api/v1/sla/breaches',
      auth: 'settings.manage',
      summary:
        'Record the SLA breach of every open promise of the workspace that is past its deadline now (once per promise; ' +
        'running it again records nothing new).',
      tags: ['sla'],
      handler: async ({ principal }) =>
        recordBreaches(ctx, { now: now(), workspaceId: principal.workspaceId, actorId: principal.userId }),
    }),
    route({
      id: 'sla.compute',
      method: 'POST',
      url: '/api/v1/sla/compute',
      // A calculation that writes nothing: open to every signed-in caller, read-only tokens included.
      auth: 'authenticated',
      summary:
        'Business-time arithmetic on a stored calendar (calendarId) or an inline one: `add` minutes to start, or the ' +
        'minutes `between` start and end, pauses excluded.',
      tags: ['sla'],
      idempotent: false,
      body: z
        .strictObject({
          op: z.enum(['add', 'between']),
          calendarId: uuid().optional(),
          calendar: calendarSchema.optional(),
          start: instant(),
          minutes: z.number().optional(),
          end: instant().optional(),
          pauses: z
            .array(z.tuple([instant(), instant()]))
            .max(1000)
            .optional(),
        })
        .refine((b) => (b.calendarId === undefined) !== (b.calendar === undefined), {
          message: 'give either calendarId or calendar',
          path: ['calendarId'],
        }),
      handler: async ({ principal, body }) => previewBusinessTime(ctx, { principal, input: body }),
    }),
  ];
}
