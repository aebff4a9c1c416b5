// The signed-in user's workspace settings: read them, and (admins) change the name, the zone, the
// inactivity threshold and whether outbound webhooks may target private addresses. The workspace is
// always the principal's: no id is taken from the request.
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { recordSecurityEvent } from '../audit/security-log.js';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import type { Tx } from '../db/connect.js';
import { accounts, workspaces } from '../db/schema.js';
import { notFound } from '../errors.js';
import { nextAccountReminder } from '../reminders/plan.js';
import { canonicalZone } from '../time/zone.js';
import type { WorkspaceRow } from './workspaces.repo.js';

export interface WorkspaceChanges {
  name?: string | undefined;
  /** Canonical IANA name (the route canonicalises it with `canonicalZone`). */
  timeZone?: string | undefined;
  inactivityDays?: number | undefined;
  allowPrivateWebhookTargets?: boolean | undefined;
}

/** Accounts re-planned per statement: bounded memory and parameter arrays for large workspaces. */
const REPLAN_BATCH = 1000;

const missing = (id: string) => notFound(`workspace ${id}`, 'workspace');

export async function getWorkspaceSettings(
  ctx: AppContext,
  { principal }: { principal: Principal },
): Promise<WorkspaceRow> {
  const [row] = await ctx.database.db
    .select()
    .from(workspaces)
    .where(eq(workspaces.id, principal.workspaceId))
    .limit(1);
  if (!row) throw missing(principal.workspaceId);
  return row;
}

/**
 * Changes the workspace's settings in one transaction. A new zone or inactivity threshold moves
 * every account's next reminder (renewal preparation is at 09:00 local, inactivity after N days);
 * a change of `allowPrivateWebhookTargets` is written to the security log.
 */
export async function updateWorkspaceSettings(
  ctx: AppContext,
  { principal, changes }: { principal: Principal; changes: WorkspaceChanges },
): Promise<{ workspace: WorkspaceRow; accountsReplanned: number }> {
  const ws = principal.workspaceId;
  return ctx.database.db.transaction(async (tx) => {
    // FOR NO KEY UPDATE, not FOR UPDATE: it serialises settings changes but does not conflict with
    // the FOR KEY SHARE that foreign keys to the workspace take. A scheduler batch holds account
    // rows and inserts reminders (FK → workspaces) while the re-plan below waits for those account
    // rows: with FOR UPDATE the two would deadlock.
    const [current] = await tx.select().from(workspaces).where(eq(workspaces.id, ws)).for('no key update');
    if (!current) throw missing(ws);
    const set: Partial<typeof workspaces.$inferInsert> = {};
    for (const key of ['name', 'timeZone', 'inactivityDays', 'allowPrivateWebhookTargets'] as const) {
      const value = changes[key];
      if (value !== undefined && value !== current[key]) Object.assign(set, { [key]: value });
    }
    if (Object.keys(set).length === 0) return { workspace: current, accountsReplanned: 0 };
    const [row] = await tx.update(workspaces).set(set).where(eq(workspaces.id, ws)).returning();
    const workspace = row!;
    const now = ctx.now();
    if (set.allowPrivateWebhookTargets !== undefined) {
      await recordSecurityEvent(tx, {
        workspaceId: ws,
        kind: 'settings.changed',
        at: now,
        actorId: principal.userId,
        detail: {
          field: 'allowPrivateWebhookTargets',
          from: current.allowPrivateWebhookTargets,
          to: workspace.allowPrivateWebhookTargets,
        },
      });
    }
    const accountsReplanned =
      set.timeZone !== undefined || set.inactivityDays !== undefined
        ? await replanAccountReminders(tx, workspace, now)
        : 0;
    return { workspace, accountsReplanned };
  });
}

/**
 * Recomputes `next_reminder_at` of every account of the workspace under its (new) zone and
 * threshold, a batch of accounts per statement, keyset by id. Rows are locked as they are read, so
 * a scheduler pass holding some of them finishes first and its `reminders_fired_through` is the
 * one planned from (already-fired reminders stay fired).
 */
async function replanAccountReminders(tx: Tx, w: WorkspaceRow, now: Date): Promise<number> {
  let after: string | undefined;
  let total = 0;
  const timeZone = canonicalZone(w.timeZone) ?? 'UTC';
  for (;;) {
    const batch = await tx
      .select({
        id: accounts.id,
        createdAt: accounts.createdAt,
        renewalDate: accounts.renewalDate,
        lastActivityAt: accounts.lastActivityAt,
        firedThrough: accounts.remindersFiredThrough,
      })
      .from(accounts)
      .where(and(eq(accounts.workspaceId, w.id), after === undefined ? undefined : gt(accounts.id, after)))
      .orderBy(asc(accounts.id))
      .limit(REPLAN_BATCH)
      .for('update');
    if (batch.length === 0) break;
    const next = batch.map(
      (a) =>
        nextAccountReminder(
          {
            createdAt: a.createdAt,
            renewalDate: a.renewalDate,
            lastActivityAt: a.lastActivityAt,
            timeZone,
            inactivityDays: w.inactivityDays,
          },
          a.firedThrough,
          now,
        )?.at.toISOString() ?? null,
    );
    await tx.execute(sql`
      update accounts as a
         set next_reminder_at = t.next
        from unnest(${sql.param(batch.map((a) => a.id))}::uuid[],
                    ${sql.param(next)}::timestamptz[]) as t(id, next)
       where a.workspace_id = ${w.id} and a.id = t.id`);
    total += batch.length;
    if (batch.length < REPLAN_BATCH) break;
    after = batch[batch.length - 1]!.id;
  }
  return total;
}
