// Account reminders on the write path: every change that moves an account's reminders (creation,
// renewal date, product activity) reschedules it in the same transaction, and a failed payment is
// told at once, keyed by its signal so it is told once.
import { and, eq } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Queryable, Tx } from '../db/connect.js';
import { accounts, users, workspaces } from '../db/schema.js';
import type { NotifyAll } from '../notifications/contract.js';
import { notifyAll as defaultNotify } from '../notifications/notify.js';
import { canonicalZone } from '../time/zone.js';
import { paymentFailedMessage } from './messages.js';
import { nextAccountReminder } from './plan.js';
import { recordFirings } from './scheduler.js';

/**
 * Recomputes the account's next reminder from its current row (read here, in the caller's
 * transaction, after the caller's write) and stores it. Already-fired reminders stay fired
 * (`reminders_fired_through`).
 */
export async function rescheduleAccount(q: Queryable, workspaceId: string, accountId: string, now: Date) {
  const [row] = await q
    .select({
      createdAt: accounts.createdAt,
      renewalDate: accounts.renewalDate,
      lastActivityAt: accounts.lastActivityAt,
      firedThrough: accounts.remindersFiredThrough,
      timeZone: workspaces.timeZone,
      inactivityDays: workspaces.inactivityDays,
    })
    .from(accounts)
    .innerJoin(workspaces, eq(workspaces.id, accounts.workspaceId))
    .where(and(eq(accounts.workspaceId, workspaceId), eq(accounts.id, accountId)));
  if (!row) return;
  const next = nextAccountReminder(
    {
      createdAt: row.createdAt,
      renewalDate: row.renewalDate,
      lastActivityAt: row.lastActivityAt,
      timeZone: canonicalZone(row.timeZone) ?? 'UTC',
      inactivityDays: row.inactivityDays,
    },
    row.firedThrough,
    now,
  );
  await q
    .update(accounts)
    .set({ nextReminderAt: next?.at ?? null })
    .where(and(eq(accounts.workspaceId, workspaceId), eq(accounts.id, accountId)));
}

export interface FailedPayment {
  workspaceId: string;
  signalId: string;
  account: { id: string; name: string; ownerId: string };
  amountMinor: number | null;
  currency: string | null;
  reference: string | null;
  occurredAt: Date;
}

/** Tells the account owner about a failed payment now, in the transaction recording the signal. */
export async function firePaymentFailed(
  tx: Tx,
  p: FailedPayment,
  now: Date,
  notify: NotifyAll = defaultNotify,
): Promise<number> {
  const [ctx] = await tx
    .select({ timeZone: workspaces.timeZone, ownerActive: users.active })
    .from(workspaces)
    .leftJoin(users, and(eq(users.workspaceId, workspaces.id), eq(users.id, p.account.ownerId)))
    .where(eq(workspaces.id, p.workspaceId));
  const rendered = paymentFailedMessage(
    {
      signalId: p.signalId,
      accountId: p.account.id,
      accountName: p.account.name,
      amountMinor: p.amountMinor,
      currency: p.currency,
      reference: p.reference,
      occurredAt: p.occurredAt,
    },
    canonicalZone(ctx?.timeZone ?? 'UTC') ?? 'UTC',
  );
  return recordFirings(
    tx,
    [
      {
        workspaceId: p.workspaceId,
        id: uuidv7(),
        key: `signal:${p.signalId}:payment_failed:1`,
        kind: 'payment_failed',
        subjectType: 'signal',
        subjectId: p.signalId,
        // Due when it happened: lateness is how long the billing system took to tell us.
        dueAt: p.occurredAt.getTime() <= now.getTime() ? p.occurredAt : now,
        recipientIds: ctx?.ownerActive ? [p.account.ownerId] : [],
        rendered,
      },
    ],
    now,
    notify,
  );
}
