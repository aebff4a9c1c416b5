// The account measures API: renewal-save rate, gross churn, NRR, LTV and cohort retention by period
// (optionally by tier, owner or team), account health now with its breakdown, and the workspace's
// health weights. Every measure answers JSON or CSV (`format=csv` or `Accept: text/csv`).
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { uuid } from '../http/schemas.js';
import {
  ACCOUNT_DIMENSIONS,
  cohortRetention,
  grossChurn,
  ltv,
  nrr,
  renewalSaveRate,
} from './account-measures.js';
import { HEALTH_COMPONENTS, type HealthWeights } from './health.js';
import { getHealthWeights, HEALTH_SORTS, healthScores, setHealthWeights } from './health-scores.js';
import type { MeasureQuery, MeasureResult } from './measure.js';
import { formatParam, measureQueryFor, periodQuery, respond, workspaceZone } from './respond.js';

const byPeriodQuery = z.strictObject({ ...periodQuery, by: z.enum(ACCOUNT_DIMENSIONS).optional() });

const weight = z.number().min(0, 'must be a number ≥ 0').max(1_000_000);
const WeightsBody = z.strictObject(
  Object.fromEntries(HEALTH_COMPONENTS.map((c) => [c, weight])) as Record<keyof HealthWeights, typeof weight>,
);

const MEASURES: {
  id: string;
  path: string;
  summary: string;
  compute: (ctx: AppContext, q: MeasureQuery) => Promise<MeasureResult>;
}[] = [
  {
    id: 'measures.renewal_save_rate',
    path: 'renewal-save-rate',
    summary:
      'Renewal-save rate: at-risk accounts (strained/fragile or flagged) with a renewal in the period that renewed / all such accounts.',
    compute: renewalSaveRate,
  },
  {
    id: 'measures.gross_churn',
    path: 'gross-churn',
    summary: 'Gross churn: customers lost in the period / customers at its start × 100.',
    compute: grossChurn,
  },
  {
    id: 'measures.nrr',
    path: 'nrr',
    summary:
      'Net revenue retention per currency: (start ARR + expansion − contraction − churned ARR) / start ARR.',
    compute: nrr,
  },
  {
    id: 'measures.ltv',
    path: 'ltv',
    summary:
      'Lifetime value per currency: average revenue per account / churn rate (null when nobody churned).',
    compute: ltv,
  },
  {
    id: 'measures.cohort_retention',
    path: 'cohort-retention',
    summary:
      'Cohort retention by start month: the share of each cohort still customers at each month end since.',
    compute: cohortRetention,
  },
];

export function accountMeasureRoutes(ctx: AppContext): AnyRoute[] {
  return [
    ...MEASURES.map((m) =>
      route({
        id: m.id,
        method: 'GET',
        url: `/api/v1/measures/${m.path}`,
        auth: 'records.read',
        summary: m.summary,
        tags: ['measures'],
        query: byPeriodQuery,
        handler: async ({ principal, query, req, reply }) => {
          const mq = await measureQueryFor(ctx, principal, query);
          return respond(req, reply, query.format, await m.compute(ctx, mq));
        },
      }),
    ),
    route({
      id: 'measures.health',
      method: 'GET',
      url: '/api/v1/measures/health',
      auth: 'records.read',
      summary:
        'Account health now, with the breakdown (component, raw value, score, weight, contribution); lowest first unless sort=-score.',
      tags: ['measures'],
      query: z.strictObject({
        accountId: uuid().optional(),
        sort: z.enum(HEALTH_SORTS).optional(),
        limit: z.coerce.number().int().min(1).max(1000).optional(),
        format: formatParam,
      }),
      handler: async ({ principal, query, req, reply }) => {
        const zone = await workspaceZone(ctx, principal.workspaceId);
        const result = await healthScores(ctx, {
          workspaceId: principal.workspaceId,
          zone,
          now: ctx.now(),
          accountId: query.accountId,
          sort: query.sort,
          limit: query.limit,
        });
        return respond(req, reply, query.format, result);
      },
    }),
    route({
      id: 'measures.health.weights.get',
      method: 'GET',
      url: '/api/v1/measures/health/weights',
      auth: 'records.read',
      summary:
        'The workspace’s health score weights (the defaults until an admin sets them), as set and normalised.',
      tags: ['measures'],
      handler: async ({ principal }) => getHealthWeights(ctx, principal.workspaceId),
    }),
    route({
      id: 'measures.health.weights.set',
      method: 'PUT',
      url: '/api/v1/measures/health/weights',
      auth: 'settings.manage',
      summary:
        'Set the health score weights: every component, each ≥ 0, at least one > 0 (normalised when scoring).',
      tags: ['measures'],
      body: WeightsBody,
      handler: async ({ principal, body }) => setHealthWeights(ctx, { principal, weights: body }),
    }),
  ];
}
