// GET /accounts/:accountId/renewal-prep: the "You asked, we did" report (JSON, or PDF to print or send).
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { uuid } from '../http/schemas.js';
import { localDate } from '../measures/respond.js';
import { renewalPrep, renewalPrepPdf } from './renewal-prep.js';

export const RenewalPrepQuery = z.strictObject({
  from: localDate().optional(),
  to: localDate().optional(),
  format: z.enum(['json', 'pdf']).optional(),
});

export function renewalPrepRoutes(ctx: AppContext): AnyRoute[] {
  return [
    route({
      id: 'accounts.renewal_prep',
      method: 'GET',
      url: '/api/v1/accounts/:accountId/renewal-prep',
      auth: 'records.read',
      summary:
        'Renewal preparation, "You asked, we did": the account’s promises kept between `from` and `to` (local dates, inclusive; default the last 12 months), each with what the customer asked and why, what we did, when, and the proof. format=json (default) or pdf.',
      tags: ['accounts'],
      params: z.strictObject({ accountId: uuid() }),
      query: RenewalPrepQuery,
      handler: async ({ principal, params, query, req, reply }) => {
        const report = await renewalPrep(ctx, {
          principal,
          accountId: params.accountId,
          from: query.from,
          to: query.to,
        });
        const pdf =
          query.format === 'pdf' ||
          (query.format === undefined && /\bapplication\/pdf\b/.test(String(req.headers.accept ?? '')));
        if (!pdf) return report;
        reply
          .type('application/pdf')
          .header(
            'content-disposition',
            `attachment; filename="renewal-prep-${report.from}-to-${report.to}.pdf"`,
          );
        return renewalPrepPdf(report);
      },
    }),
  ];
}
