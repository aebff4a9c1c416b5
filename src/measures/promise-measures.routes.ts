// The promise measures API: fulfilment rate by period (optionally by type, owner, team, tier or
// source), overdue age now, open promises per account, and promises due in the next 7 days. Every
// measure answers JSON or CSV (`format=csv` or `Accept: text/csv`).
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { FULFILMENT_DIMENSIONS, fulfilment } from './fulfilment.js';
import {
  DUE_NEXT_DIMENSIONS,
  dueNext7Days,
  OPEN_PER_ACCOUNT_MAX_LIMIT,
  openPromisesPerAccount,
} from './open-promises.js';
import { OVERDUE_DIMENSIONS, overdueAge } from './overdue-age.js';
import { formatParam, measureQueryFor, periodQuery, respond } from './respond.js';

export function promiseMeasureRoutes(ctx: AppContext): AnyRoute[] {
  return [
    route({
      id: 'measures.fulfilment',
      method: 'GET',
      url: '/api/v1/measures/fulfilment',
      auth: 'records.read',
      summary:
        'Fulfilment rate by period: promises due in the period kept on time / (kept on time + kept late + broken + open past due); cancelled excluded.',
      tags: ['measures'],
      query: z.strictObject({ ...periodQuery, by: z.enum(FULFILMENT_DIMENSIONS).optional() }),
      handler: async ({ principal, query, req, reply }) => {
        const mq = await measureQueryFor(ctx, principal, query);
        return respond(req, reply, query.format, await fulfilment(ctx, mq));
      },
    }),
    route({
      id: 'measures.overdue_age',
      method: 'GET',
      url: '/api/v1/measures/overdue-age',
      auth: 'records.read',
      summary:
        'Overdue age now (days, pauses excluded): count, median, p90, max and buckets of the open promises past due.',
      tags: ['measures'],
      query: z.strictObject({ by: z.enum(OVERDUE_DIMENSIONS).optional(), format: formatParam }),
      handler: async ({ principal, query, req, reply }) => {
        const mq = await measureQueryFor(ctx, principal, { by: query.by });
        return respond(req, reply, query.format, await overdueAge(ctx, mq));
      },
    }),
    route({
      id: 'measures.open_promises',
      method: 'GET',
      url: '/api/v1/measures/open-promises',
      auth: 'records.read',
      summary:
        'Open promises per account (open, overdue, paused, next due), most first, with the mean and median per account.',
      tags: ['measures'],
      query: z.strictObject({
        limit: z.coerce.number().int().min(1).max(OPEN_PER_ACCOUNT_MAX_LIMIT).optional(),
        format: formatParam,
      }),
      handler: async ({ principal, query, req, reply }) => {
        const mq = await measureQueryFor(ctx, principal, {});
        return respond(
          req,
          reply,
          query.format,
          await openPromisesPerAccount(ctx, mq, { limit: query.limit }),
        );
      },
    }),
    route({
      id: 'measures.due_next_7_days',
      method: 'GET',
      url: '/api/v1/measures/due-next-7-days',
      auth: 'records.read',
      summary:
        'Open promises due from now to the end of the 7th local day, per local day (optionally by type or owner).',
      tags: ['measures'],
      query: z.strictObject({ by: z.enum(DUE_NEXT_DIMENSIONS).optional(), format: formatParam }),
      handler: async ({ principal, query, req, reply }) => {
        const mq = await measureQueryFor(ctx, principal, { by: query.by });
        return respond(req, reply, query.format, await dueNext7Days(ctx, mq));
      },
    }),
  ];
}
