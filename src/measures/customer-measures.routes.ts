// The customer-signal measures over HTTP: one GET per measure, by period (from/to/period) and an
// optional dimension, as JSON or CSV. Routes parse, authorise, call the measure, respond.
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import {
  ACCOUNT_DIMENSIONS,
  alreadyToldYou,
  csat,
  escalationsReopened,
  expectationMismatchRate,
  nps,
  PROMISE_DIMENSIONS,
  proactiveUpdateRate,
  repeatComplaintRate,
  SURVEY_DIMENSIONS,
} from './customer-measures.js';
import type { MeasureQuery, MeasureResult } from './measure.js';
import { measureQueryFor, periodQuery, respond } from './respond.js';

type Measure = (ctx: AppContext, q: MeasureQuery) => Promise<MeasureResult>;

const MEASURES: {
  id: string;
  path: string;
  summary: string;
  dimensions: readonly [string, ...string[]];
  measure: Measure;
}[] = [
  {
    id: 'repeat_complaint_rate',
    path: 'repeat-complaint-rate',
    summary:
      'Repeat complaint rate (45 days): complaints whose account had a complaint on the same concern in the previous 45 days / all complaints.',
    dimensions: ACCOUNT_DIMENSIONS,
    measure: repeatComplaintRate,
  },
  {
    id: 'expectation_mismatch_rate',
    path: 'expectation-mismatch-rate',
    summary:
      'Expectation mismatch rate (first 30 days): new accounts with a mismatch complaint or a broken handoff promise within 30 days of start / new accounts.',
    dimensions: ACCOUNT_DIMENSIONS,
    measure: expectationMismatchRate,
  },
  {
    id: 'escalations_reopened',
    path: 'escalations-reopened',
    summary: 'Escalations reopened within 60 days / closed escalations.',
    dimensions: ACCOUNT_DIMENSIONS,
    measure: escalationsReopened,
  },
  {
    id: 'already_told_you',
    path: 'already-told-you',
    summary:
      '"Already told you" escalations per month (escalations on an account with a recent repeat complaint).',
    dimensions: ACCOUNT_DIMENSIONS,
    measure: alreadyToldYou,
  },
  {
    id: 'proactive_update_rate',
    path: 'proactive-update-rate',
    summary:
      'Proactive update rate: promises where the customer received an update before any "customer chased us" signal / promises with updates.',
    dimensions: PROMISE_DIMENSIONS,
    measure: proactiveUpdateRate,
  },
  {
    id: 'nps',
    path: 'nps',
    summary:
      'NPS = % promoters (9–10) − % detractors (0–6), with the counts; by segment (tier), owner or team.',
    dimensions: SURVEY_DIMENSIONS,
    measure: nps,
  },
  {
    id: 'csat',
    path: 'csat',
    summary: 'CSAT = % of 4–5 responses on the 1–5 scale; by segment (tier), owner or team.',
    dimensions: SURVEY_DIMENSIONS,
    measure: csat,
  },
];

export function customerMeasureRoutes(ctx: AppContext): AnyRoute[] {
  return MEASURES.map((m) =>
    route({
      id: `measures.${m.id}`,
      method: 'GET',
      url: `/api/v1/measures/${m.path}`,
      auth: 'records.read',
      summary: `${m.summary} By period (day, week, month, quarter in the workspace zone); JSON or CSV (format=csv).`,
      tags: ['measures'],
      query: z.strictObject({ ...periodQuery, by: z.enum(m.dimensions).optional() }),
      handler: async ({ principal, query, req, reply }) => {
        const mq = await measureQueryFor(ctx, principal, query);
        return respond(req, reply, query.format, await m.measure(ctx, mq));
      },
    }),
  );
}
