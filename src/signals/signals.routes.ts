import { z } from 'zod';
import type { AppContext } from '../context.js';
import { type AnyRoute, route } from '../http/route.js';
import { uuid } from '../http/schemas.js';
import { presentOnePromise } from '../promises/present-promises.js';
import { closeEscalation } from './close-escalation.js';
import { getSignal, listAccountSignals, listSignals } from './read-signals.js';
import { recordSignal } from './record-signal.js';
import { reopenEscalation } from './reopen-escalation.js';
import { presentSignal } from './signals.presenter.js';
import {
  AccountSignalListQuery,
  CloseEscalationBody,
  RecordSignalBody,
  ReopenEscalationBody,
  SignalListQuery,
  UpdateSignalBody,
} from './signals.schemas.js';
import { updateComplaintConfidence } from './update-complaint.js';

const signalParams = z.strictObject({ signalId: uuid() });

export function signalRoutes(ctx: AppContext): AnyRoute[] {
  const now = () => ctx.now();
  const page = (p: Awaited<ReturnType<typeof listSignals>>) => ({
    data: p.data.map(presentSignal),
    nextCursor: p.nextCursor,
  });
  return [
    route({
      id: 'signals.create',
      method: 'POST',
      url: '/api/v1/signals',
      auth: 'signal.write',
      summary:
        'Record a signal (complaint, escalation, customer chased, NPS, CSAT, product activity, billing, renewal outcome). ' +
        'A complaint on a concern raised in the previous 45 days is flagged as a repeat; an NPS 0–6 creates a call ' +
        'within 24 hours owned by the account owner’s manager, a 9–10 a testimonial ask.',
      tags: ['signals'],
      body: RecordSignalBody,
      status: 201,
      handler: async ({ principal, body }) => {
        const { signal, followUpPromise } = await recordSignal(ctx, { principal, input: body });
        return {
          ...presentSignal(signal),
          ...(followUpPromise
            ? { followUpPromise: await presentOnePromise(ctx, principal.workspaceId, followUpPromise, now()) }
            : {}),
        };
      },
    }),
    route({
      id: 'signals.list',
      method: 'GET',
      url: '/api/v1/signals',
      auth: 'records.read',
      summary:
        'Signals, newest first, filtered by account, kind, time window, concern, escalation status, repeat or promise.',
      tags: ['signals'],
      query: SignalListQuery,
      handler: async ({ principal, query }) => {
        const { cursor, limit, ...filter } = query;
        return page(await listSignals(ctx, { principal, filter, cursor, limit }));
      },
    }),
    route({
      id: 'signals.get',
      method: 'GET',
      url: '/api/v1/signals/:signalId',
      auth: 'records.read',
      summary: 'One signal.',
      tags: ['signals'],
      params: signalParams,
      handler: async ({ principal, params }) =>
        presentSignal(await getSignal(ctx, { principal, signalId: params.signalId })),
    }),
    route({
      id: 'signals.update',
      method: 'PATCH',
      url: '/api/v1/signals/:signalId',
      auth: 'signal.write',
      summary:
        'Set a complaint’s “customer confidence restored?” (yes / no / unknown); every change is kept.',
      tags: ['signals'],
      params: signalParams,
      body: UpdateSignalBody,
      handler: async ({ principal, params, body }) =>
        presentSignal(
          await updateComplaintConfidence(ctx, {
            principal,
            signalId: params.signalId,
            to: body.confidenceRestored,
          }),
        ),
    }),
    route({
      id: 'signals.close',
      method: 'POST',
      url: '/api/v1/signals/:signalId/close',
      auth: 'signal.write',
      summary:
        'Close an escalation. Requires the follow-up promise to the customer, created in the same transaction ' +
        '(account: the escalation’s; type executive_response and source escalation unless given).',
      tags: ['signals'],
      params: signalParams,
      body: CloseEscalationBody,
      handler: async ({ principal, params, body }) => {
        const { signal, followUpPromise } = await closeEscalation(ctx, {
          principal,
          signalId: params.signalId,
          followUp: body.followUpPromise,
          resolution: body.resolution,
        });
        return {
          ...presentSignal(signal),
          followUpPromise: await presentOnePromise(ctx, principal.workspaceId, followUpPromise, now()),
        };
      },
    }),
    route({
      id: 'signals.reopen',
      method: 'POST',
      url: '/api/v1/signals/:signalId/reopen',
      auth: 'signal.write',
      summary: 'Reopen a closed escalation; the time is kept (escalations reopened within 60 days).',
      tags: ['signals'],
      params: signalParams,
      body: ReopenEscalationBody,
      handler: async ({ principal, params, body }) =>
        presentSignal(
          await reopenEscalation(ctx, { principal, signalId: params.signalId, reason: body?.reason }),
        ),
    }),
    route({
      id: 'accounts.signals',
      method: 'GET',
      url: '/api/v1/accounts/:accountId/signals',
      auth: 'records.read',
      summary:
        'One account’s signals, newest first (its complaints, escalations, surveys, activity, billing, renewals).',
      tags: ['signals', 'accounts'],
      params: z.strictObject({ accountId: uuid() }),
      query: AccountSignalListQuery,
      handler: async ({ principal, params, query }) => {
        const { cursor, limit, ...filter } = query;
        return page(
          await listAccountSignals(ctx, { principal, accountId: params.accountId, filter, cursor, limit }),
        );
      },
    }),
  ];
}
