// One signed delivery to POST /api/v1/inbound/:integrationId, in this order:
//   1. the integration, by id: unknown or revoked → 404 (before anything about the request)
//   2. the signature, timestamp and event id (signature.ts) → 401 naming the header
//   3. from here the sender is authenticated and every outcome is logged in integration_deliveries
//   4. a suspended integration (its creator lost access) → 403
//   5. the body: JSON, then the kind's strict schema (inbound-payloads.ts) → 400 naming the field
//   6. the account, in the integration's workspace only → 422 naming the field when none matches
//   7. one transaction: claim the event id (taken → `{"duplicate": true}`), record the signal
//      (recordSignal, with everything it implies), log the delivery.
// The workspace is always the integration row's; nothing in the body can choose it.
import { uuidv7 } from 'uuidv7';
import type { AppContext } from '../context.js';
import { AppError, type FieldProblem, invalid, notFound } from '../errors.js';
import { withinTransaction } from '../promises/create-promise-in-tx.js';
import { recordSignal } from '../signals/record-signal.js';
import { zodError } from '../time/calendar.js';
import {
  type AccountRef,
  INBOUND_PAYLOADS,
  type InboundPlan,
  payloadField,
  planSignal,
} from './inbound-payloads.js';
import { creatorPrincipal, integrationStatus } from './integration.js';
import {
  claimEvent,
  findAccountByExternalId,
  findAccountsByDomain,
  findContactByEmail,
  findEvent,
  findIntegrationForDelivery,
  type IntegrationWithCreator,
  insertDelivery,
  setEventSignal,
} from './integrations.repo.js';
import { type DeliveryHeaders, verifyDelivery } from './signature.js';

export type DeliveryOutcome =
  | { duplicate: true; deliveryId: string; signalId: string | null }
  | {
      duplicate: false;
      deliveryId: string;
      signalId: string;
      kind: string;
      accountId: string;
      followUpPromiseId: string | null;
    };

export async function receiveDelivery(
  ctx: AppContext,
  { integrationId, headers, body }: { integrationId: string; headers: DeliveryHeaders; body: Buffer },
): Promise<DeliveryOutcome> {
  const db = ctx.database.db;
  const found = await findIntegrationForDelivery(db, integrationId);
  if (!found || found.integration.revokedAt) throw notFound(`integration ${integrationId}`, 'integrationId');
  const { integration } = found;
  const eventId = verifyDelivery(integration.secret, headers, body, ctx.now());

  let eventType: string | null = null;
  try {
    if (integrationStatus(integration, found.creator) === 'suspended') {
      throw new AppError(
        'forbidden',
        'integration suspended: the admin who created it was deactivated or may no longer manage integrations; ' +
          'an admin must create a new integration (with a new secret)',
      );
    }
    const payload = parseBody(integration.kind, body);
    eventType = payload.type;
    const plan = planSignal(payload);
    return await record(ctx, found, eventId, plan);
  } catch (err) {
    await logRefusal(ctx, found, eventId, eventType, err);
    throw err;
  }
}

function parseBody(kind: keyof typeof INBOUND_PAYLOADS, body: Buffer) {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw invalid('body', `is not JSON (${(err as Error).message})`);
  }
  const parsed = INBOUND_PAYLOADS[kind].safeParse(json);
  if (!parsed.success) throw zodError(parsed.error);
  return parsed.data;
}

/** The account the event names, in the integration's workspace. */
async function matchAccount(ctx: AppContext, workspaceId: string, ref: AccountRef) {
  const db = ctx.database.db;
  const unmatched = (field: string, why: string) =>
    new AppError('unprocessable', `${field}: ${why}`, { field });
  let account: Awaited<ReturnType<typeof findAccountByExternalId>>;
  if (ref.externalId !== undefined) {
    account = await findAccountByExternalId(db, workspaceId, ref.externalId);
    if (!account) {
      throw unmatched(
        'data.accountExternalId',
        `no account has external id ${JSON.stringify(ref.externalId)}`,
      );
    }
  } else if (ref.email) {
    const domain = ref.email.address.slice(ref.email.address.lastIndexOf('@') + 1).toLowerCase();
    const byDomain = await findAccountsByDomain(db, workspaceId, domain);
    if (byDomain.length === 0) throw unmatched(ref.email.field, `no account has the domain ${domain}`);
    if (byDomain.length > 1) {
      throw unmatched(ref.email.field, `several accounts have the domain ${domain}: send accountExternalId`);
    }
    account = byDomain[0];
  }
  if (!account) throw unmatched('data.accountExternalId', 'name the account');
  const contact = ref.email
    ? await findContactByEmail(db, workspaceId, account.id, ref.email.address)
    : undefined;
  return { accountId: account.id, contactId: contact?.id ?? null };
}

async function record(
  ctx: AppContext,
  { integration, creator }: IntegrationWithCreator,
  eventId: string,
  plan: InboundPlan,
): Promise<DeliveryOutcome> {
  const ws = integration.workspaceId;
  const key = { workspaceId: ws, integrationId: integration.id, eventId };
  const now = ctx.now();
  // A replay answers before the account is matched: it may no longer match, and it changes nothing.
  const seen = await findEvent(ctx.database.db, key);
  if (seen) return logDuplicate(ctx, key, seen.signalId, plan);
  const { accountId, contactId } = await matchAccount(ctx, ws, plan.account);
  return ctx.database.db.transaction(async (tx) => {
    // The claim is the idempotency guard: a concurrent delivery of the same id waits here and then
    // finds it taken, so one event never records two signals.
    if (!(await claimEvent(tx, key, now))) {
      const again = await findEvent(tx, key);
      return logDuplicate(ctx, key, again?.signalId ?? null, plan, tx);
    }
    let recorded: Awaited<ReturnType<typeof recordSignal>>;
    try {
      recorded = await recordSignal(withinTransaction(ctx, tx), {
        principal: creatorPrincipal(ws, creator),
        input: {
          ...plan.signal,
          accountId,
          contactId,
          // The signal says where it came from: this integration's event.
          externalId: `${integration.id}/${eventId}`,
        },
      });
    } catch (err) {
      throw renamed(err);
    }
    const signalId = recorded.signal.id;
    await setEventSignal(tx, key, signalId);
    const delivery = await insertDelivery(tx, {
      workspaceId: ws,
      id: uuidv7(),
      integrationId: integration.id,
      receivedAt: now,
      eventId,
      eventType: plan.eventType,
      status: 'processed',
      httpStatus: 200,
      error: null,
      signalId,
    });
    return {
      duplicate: false,
      deliveryId: delivery.id,
      signalId,
      kind: recorded.signal.kind,
      accountId,
      followUpPromiseId: recorded.followUpPromise?.state.id ?? null,
    };
  });
}

async function logDuplicate(
  ctx: AppContext,
  key: { workspaceId: string; integrationId: string; eventId: string },
  signalId: string | null,
  plan: InboundPlan,
  q: Parameters<typeof insertDelivery>[0] = ctx.database.db,
): Promise<DeliveryOutcome> {
  const delivery = await insertDelivery(q, {
    ...key,
    id: uuidv7(),
    receivedAt: ctx.now(),
    eventType: plan.eventType,
    status: 'duplicate',
    httpStatus: 200,
    error: null,
    signalId,
  });
  return { duplicate: true, deliveryId: delivery.id, signalId };
}

/** An error of the signal rules, named by the payload field it came from. */
function renamed(err: unknown): unknown {
  if (!(err instanceof AppError) || err.field === undefined) return err;
  const problems: FieldProblem[] = err.problems.map((p) => ({
    field: payloadField(p.field),
    message: p.message.startsWith(`${p.field}: `) ? p.message.slice(p.field.length + 2) : p.message,
  }));
  const field = payloadField(err.field);
  const prefix = `${err.field}: `;
  const what = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return new AppError(err.code, `${field}: ${what}`, { problems, cause: err });
}

/** Logs an authenticated delivery that was refused (or failed); never masks the original error. */
async function logRefusal(
  ctx: AppContext,
  { integration }: IntegrationWithCreator,
  eventId: string,
  eventType: string | null,
  err: unknown,
): Promise<void> {
  const appErr = err instanceof AppError ? err : undefined;
  try {
    await insertDelivery(ctx.database.db, {
      workspaceId: integration.workspaceId,
      id: uuidv7(),
      integrationId: integration.id,
      receivedAt: ctx.now(),
      eventId,
      eventType,
      status: appErr && appErr.status < 500 ? 'rejected' : 'failed',
      httpStatus: appErr?.status ?? 500,
      error: (appErr?.message ?? 'internal error; the server log has the details').slice(0, 2000),
      signalId: null,
    });
  } catch {
    // The log is a convenience for the admin; the sender still gets the original answer.
  }
}
