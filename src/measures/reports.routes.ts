// The reports API: the impact report (two 90-day windows around a pivot date; JSON, CSV or PDF)
// and the daily, weekly and monthly reviews (JSON, or one section as CSV).
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { formatDate, parseDate } from '../time/zone.js';
import { impactCsv, impactPdf, impactReport } from './impact-report.js';
import { epochDayInZone, type Period, periodStart, periodsCovering } from './period.js';
import { unusableDate } from './report-rules.js';
import { localDate, respond, workspaceZone } from './respond.js';
import { dailyReview, monthlyReview, type Review, sectionResult, weeklyReview } from './reviews.js';

const csvFormat = z.enum(['json', 'csv']).optional();

const ImpactQuery = z.strictObject({
  pivot: localDate(),
  format: z.enum(['json', 'csv', 'pdf']).optional(),
});

const DailyQuery = z.strictObject({ format: csvFormat, section: z.enum(['due', 'workload']).optional() });
const periodReviewQuery = <S extends readonly [string, ...string[]]>(sections: S) =>
  z.strictObject({
    date: localDate().optional(),
    format: csvFormat,
    section: z.enum(sections).optional(),
  });

const WEEKLY_SECTIONS = ['fulfilment', 'patterns', 'workload'] as const;
const MONTHLY_SECTIONS = ['fulfilment', 'satisfaction', 'workload'] as const;

/**
 * The week or month to review: the one containing `date` (a local date, not after today), or by
 * default the last complete one (the one before the period containing today).
 */
export function reviewedPeriod(
  granularity: 'week' | 'month',
  date: string | undefined,
  now: Date,
  zone: string,
): Period {
  const today = epochDayInZone(now, zone);
  let day: number;
  if (date === undefined) {
    day = periodStart(today, granularity) - 1;
  } else {
    const d = parseDate(date);
    if (d === null) throw unusableDate('date', 'must be a date YYYY-MM-DD (in the workspace zone)');
    if (d > today)
      throw unusableDate('date', `must not be in the future (today is ${formatDate(today)} in ${zone})`);
    day = d;
  }
  return periodsCovering(formatDate(day), formatDate(day), granularity, zone)[0] as Period;
}

const reviewAnswer = (
  req: Parameters<typeof respond>[0],
  reply: Parameters<typeof respond>[1],
  format: string | undefined,
  section: string | undefined,
  review: Review,
  defaultSection: string,
) => {
  const wantsCsv =
    format === 'csv' || (format === undefined && /\btext\/csv\b/.test(String(req.headers.accept ?? '')));
  if (!wantsCsv) return review;
  return respond(req, reply, 'csv', sectionResult(review, section ?? defaultSection));
};

export function reportRoutes(ctx: AppContext): AnyRoute[] {
  const base = async (workspaceId: string) => ({
    workspaceId,
    zone: await workspaceZone(ctx, workspaceId),
    now: ctx.now(),
  });
  return [
    route({
      id: 'reports.impact',
      method: 'GET',
      url: '/api/v1/reports/impact',
      auth: 'records.read',
      summary:
        'Impact report: repeat complaint rate (45 days), renewal-save rate and "already told you" escalations per month — plus fulfilment and proactive update rates — for the 90 local days before `pivot` and the 90 days from it (clipped to today), with the change in percent. format=json (default), csv or pdf.',
      tags: ['measures'],
      query: ImpactQuery,
      handler: async ({ principal, query, req, reply }) => {
        const report = await impactReport(ctx, await base(principal.workspaceId), query.pivot);
        const accept = String(req.headers.accept ?? '');
        const format =
          query.format ??
          (/\bapplication\/pdf\b/.test(accept) ? 'pdf' : /\btext\/csv\b/.test(accept) ? 'csv' : 'json');
        if (format === 'pdf') {
          reply
            .type('application/pdf')
            .header('content-disposition', `attachment; filename="impact-report-${report.pivot}.pdf"`);
          return impactPdf(report);
        }
        if (format === 'csv') {
          reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="impact-report-${report.pivot}.csv"`);
          return impactCsv(report);
        }
        return report;
      },
    }),
    route({
      id: 'reports.reviews.daily',
      method: 'GET',
      url: '/api/v1/reports/reviews/daily',
      auth: 'records.read',
      summary:
        'Daily review, now: open promises due within 48 hours with their owner (section `due`), and open workload per owner (section `workload`). format=csv answers one section (default due).',
      tags: ['measures'],
      query: DailyQuery,
      handler: async ({ principal, query, req, reply }) =>
        reviewAnswer(
          req,
          reply,
          query.format,
          query.section,
          await dailyReview(ctx, await base(principal.workspaceId)),
          'due',
        ),
    }),
    route({
      id: 'reports.reviews.weekly',
      method: 'GET',
      url: '/api/v1/reports/reviews/weekly',
      auth: 'records.read',
      summary:
        'Weekly review of the ISO week containing `date` (default: last week): fulfilment by promise type, recurring delay patterns by type and owner over 4 weeks, open workload per owner now. format=csv answers one section (default fulfilment).',
      tags: ['measures'],
      query: periodReviewQuery(WEEKLY_SECTIONS),
      handler: async ({ principal, query, req, reply }) => {
        const b = await base(principal.workspaceId);
        const period = reviewedPeriod('week', query.date, b.now, b.zone);
        return reviewAnswer(
          req,
          reply,
          query.format,
          query.section,
          await weeklyReview(ctx, b, period),
          'fulfilment',
        );
      },
    }),
    route({
      id: 'reports.reviews.monthly',
      method: 'GET',
      url: '/api/v1/reports/reviews/monthly',
      auth: 'records.read',
      summary:
        'Monthly review of the month containing `date` (default: last month): overall fulfilment, satisfaction (CSAT, NPS) beside fulfilment, workload per owner (open now; due, kept, broken in the month). format=csv answers one section (default fulfilment).',
      tags: ['measures'],
      query: periodReviewQuery(MONTHLY_SECTIONS),
      handler: async ({ principal, query, req, reply }) => {
        const b = await base(principal.workspaceId);
        const period = reviewedPeriod('month', query.date, b.now, b.zone);
        return reviewAnswer(
          req,
          reply,
          query.format,
          query.section,
          await monthlyReview(ctx, b, period),
          'fulfilment',
        );
      },
    }),
  ];
}
