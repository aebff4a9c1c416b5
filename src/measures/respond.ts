// Shared HTTP pieces of the measure endpoints: the common query parameters and the JSON / CSV answer.
import { stringify } from 'csv-stringify/sync';
import { eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { workspaces } from '../db/schema.js';
import { invalid, notFound } from '../errors.js';
import { parseDate } from '../time/zone.js';
import type { MeasureQuery, MeasureResult } from './measure.js';
import {
  defaultRange,
  GRANULARITIES,
  type Granularity,
  MAX_YEAR,
  MIN_YEAR,
  periodsCovering,
} from './period.js';

/** A local date of the workspace zone, a real calendar date in the years MIN_YEAR..MAX_YEAR. */
export const localDate = () =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD (in the workspace zone)')
    .refine((s) => parseDate(s) !== null, 'is not a calendar date')
    .refine((s) => {
      const year = Number(s.slice(0, 4));
      return year >= MIN_YEAR && year <= MAX_YEAR;
    }, `must be a date from ${MIN_YEAR}-01-01 to ${MAX_YEAR}-12-31`);

/** `format`: json (default) or csv; `Accept: text/csv` also selects CSV. */
export const formatParam = z.enum(['json', 'csv']).optional();

/** from/to (local dates, inclusive), period (default month), format. Add `by` per measure. */
export const periodQuery = {
  from: localDate().optional(),
  to: localDate().optional(),
  period: z.enum(GRANULARITIES).optional(),
  format: formatParam,
};

/** Resolves from/to/period against the workspace zone: defaults, and both or neither given. */
export function resolveRange(
  q: { from?: string | undefined; to?: string | undefined; period?: Granularity | undefined },
  now: Date,
  zone: string,
): { from: string; to: string; period: Granularity } {
  const period = q.period ?? 'month';
  if ((q.from === undefined) !== (q.to === undefined)) {
    throw invalid(q.from === undefined ? 'from' : 'to', 'give both from and to, or neither');
  }
  const range =
    q.from !== undefined && q.to !== undefined ? { from: q.from, to: q.to } : defaultRange(now, period, zone);
  return { ...range, period };
}

const wantsCsv = (req: FastifyRequest, format: string | undefined) =>
  format === 'csv' || (format === undefined && /\btext\/csv\b/.test(String(req.headers.accept ?? '')));

/** The answer as JSON, or as CSV (the rows, one column per `columns` entry) when asked for. */
export function respond(
  req: FastifyRequest,
  reply: FastifyReply,
  format: string | undefined,
  result: MeasureResult,
): MeasureResult | string {
  if (!wantsCsv(req, format)) return result;
  reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${result.measure}.csv"`);
  return stringify(
    result.rows.map((row) => result.columns.map((c) => row[c] ?? '')),
    { header: true, columns: result.columns, cast: { boolean: (b) => (b ? 'true' : 'false') } },
  );
}

/** The workspace's zone (periods are its local days). */
export async function workspaceZone(ctx: AppContext, workspaceId: string): Promise<string> {
  const [row] = await ctx.database.db
    .select({ zone: workspaces.timeZone })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId))
    .limit(1);
  if (!row) throw notFound(`workspace ${workspaceId}`, 'workspace');
  return row.zone;
}

/** A route's query (from/to/period and an optional `by`) → the MeasureQuery for the caller's workspace. */
export async function measureQueryFor(
  ctx: AppContext,
  principal: Principal,
  q: {
    from?: string | undefined;
    to?: string | undefined;
    period?: Granularity | undefined;
    by?: string | undefined;
  },
): Promise<MeasureQuery & { from: string; to: string; granularity: Granularity }> {
  const zone = await workspaceZone(ctx, principal.workspaceId);
  const now = ctx.now();
  const { from, to, period } = resolveRange(q, now, zone);
  return {
    workspaceId: principal.workspaceId,
    zone,
    now,
    periods: periodsCovering(from, to, period, zone),
    granularity: period,
    by: q.by,
    from,
    to,
  };
}
