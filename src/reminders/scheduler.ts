// The scheduler: claims promises and accounts whose next reminder is due, fires each reminder once
// (a row in `reminders` under its unique key, then `notify` in the same transaction: a transactional
// outbox) and stores the next one. Any number of processes may run it: rows are claimed with
// FOR UPDATE SKIP LOCKED, and a key that exists already tells nobody anything new.
import { and, asc, eq, isNotNull, lte, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { AppContext } from '../context.js';
import type { Tx } from '../db/connect.js';
import { accounts, promises, workspaces } from '../db/schema.js';
import { runReviewDigestsOnce } from '../measures/review-digest.js';
import type { Notification, NotifyAll, ReminderKind, SubjectType } from '../notifications/contract.js';
import { DIGEST_BATCH, runDigestsOnce } from '../notifications/digest.js';
import { notifyAll as defaultNotify } from '../notifications/notify.js';
import { type PromiseRow, rowToStored } from '../promises/promises.repo.js';
import { canonicalZone } from '../time/zone.js';
import { accountMessage, promiseMessage, type Rendered } from './messages.js';
import { nextAccountReminder, nextPromiseReminder, type PlannedReminder, reminderKey } from './plan.js';

export interface SchedulerOptions {
  /** Rows claimed per transaction. */
  batchSize?: number;
  /** The instant to run at (default: the context's clock). */
  now?: Date;
  /** Who is told, a batch at a time (default: notifyAll of src/notifications/notify.ts). */
  notify?: NotifyAll;
  /** Called after every committed batch (progress, metrics). */
  onBatch?: (subject: 'promises' | 'accounts', counts: PassCounts) => void;
  /** Where errors are reported — a failed pass, a row that cannot be planned or rendered (default: stderr). */
  log?: SchedulerLog;
}

export type SchedulerLog = (message: string, err?: unknown) => void;

const stderrLog: SchedulerLog = (m, e) =>
  process.stderr.write(`${m}${e ? `: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` : ''}\n`);

/** A row that threw while being planned or rendered is tried again this long after. */
export const BAD_ROW_RETRY_MS = 3_600_000;

export interface PassCounts {
  /** Rows claimed (due or rescheduled). */
  claimed: number;
  /** Reminders recorded (new keys). */
  fired: number;
  /** Rows that threw while planned or rendered: logged and pushed back BAD_ROW_RETRY_MS. */
  failed?: number;
}

export interface SchedulerPass {
  promises: PassCounts;
  accounts: PassCounts;
}

export const DEFAULT_BATCH_SIZE = 500;
/** How often the scheduler loop looks for due review digests (weekly, monthly). */
export const REVIEW_CHECK_MS = 60_000;

type Rows<T> = { rows: T[] };
const rowsOf = <T>(res: unknown): T[] => (res as Rows<T>).rows;
const zoneOf = (tz: string | null | undefined) => (tz && canonicalZone(tz)) || 'UTC';
const isoOrNull = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** A reminder about to be recorded, with everything notify needs. */
export interface Firing {
  workspaceId: string;
  id: string;
  key: string;
  kind: ReminderKind;
  subjectType: SubjectType;
  subjectId: string;
  dueAt: Date;
  recipientIds: string[];
  rendered: Rendered;
}

/**
 * Records the firings (`on conflict do nothing`: an existing key is not told again) and notifies
 * the recipients of each new one, in the caller's transaction. Returns how many were new.
 */
export async function recordFirings(
  tx: Tx,
  firings: Firing[],
  firedAt: Date,
  notify: NotifyAll,
): Promise<number> {
  if (firings.length === 0) return 0;
  const inserted = rowsOf<{ workspace_id: string; id: string }>(
    await tx.execute(sql`
      insert into reminders (workspace_id, id, key, subject_type, subject_id, kind, due_at, fired_at,
                             lateness_ms, recipient_ids)
      select t.workspace_id, t.id, t.key, t.subject_type, t.subject_id, t.kind, t.due_at,
             ${firedAt.toISOString()}::timestamptz,
             greatest(0, round(extract(epoch from (${firedAt.toISOString()}::timestamptz - t.due_at)) * 1000))::bigint,
             case when t.recipients = '' then '{}'::uuid[] else string_to_array(t.recipients, ',')::uuid[] end
        from unnest(${sql.param(firings.map((f) => f.workspaceId))}::uuid[],
                    ${sql.param(firings.map((f) => f.id))}::uuid[],
                    ${sql.param(firings.map((f) => f.key))}::text[],
                    ${sql.param(firings.map((f) => f.subjectType))}::text[],
                    ${sql.param(firings.map((f) => f.subjectId))}::uuid[],
                    ${sql.param(firings.map((f) => f.kind))}::text[],
                    ${sql.param(firings.map((f) => f.dueAt.toISOString()))}::timestamptz[],
                    ${sql.param(firings.map((f) => f.recipientIds.join(',')))}::text[])
          as t(workspace_id, id, key, subject_type, subject_id, kind, due_at, recipients)
      on conflict (workspace_id, key) do nothing
      returning workspace_id, id`),
  );
  const isNew = new Set(inserted.map((r) => `${r.workspace_id}/${r.id}`));
  const told: Notification[] = [];
  for (const f of firings) {
    if (!isNew.has(`${f.workspaceId}/${f.id}`)) continue;
    told.push({
      workspaceId: f.workspaceId,
      reminderId: f.id,
      key: f.key,
      kind: f.kind,
      subjectType: f.subjectType,
      subjectId: f.subjectId,
      recipientIds: f.recipientIds,
      content: f.rendered.content,
      data: { ...f.rendered.data, reminderId: f.id, key: f.key },
      dueAt: f.dueAt,
      firedAt,
    });
  }
  await notify(tx, told);
  return isNew.size;
}

interface PromiseContextRow {
  workspace_id: string;
  id: string;
  time_zone: string | null;
  account_name: string | null;
  contact_name: string | null;
  owner_name: string | null;
  owner_active: boolean | null;
  manager_id: string | null;
  manager_active: boolean | null;
  escalate_to: 'owner_manager' | 'user' | null;
  escalation_user_id: string | null;
  escalation_active: boolean | null;
}

/** Names, zone and recipients of the claimed promises, in one query. */
async function loadPromiseContext(tx: Tx, rows: PromiseRow[]): Promise<Map<string, PromiseContextRow>> {
  const res = rowsOf<PromiseContextRow>(
    await tx.execute(sql`
      select t.workspace_id, t.id, w.time_zone, a.name as account_name, c.name as contact_name,
             o.name as owner_name, o.active as owner_active, o.manager_id, m.active as manager_active,
             sp.escalate_to, sp.escalation_user_id, e.active as escalation_active
        from unnest(${sql.param(rows.map((r) => r.workspaceId))}::uuid[],
                    ${sql.param(rows.map((r) => r.id))}::uuid[],
                    ${sql.param(rows.map((r) => r.accountId))}::uuid[],
                    ${sql.param(rows.map((r) => r.contactId))}::uuid[],
                    ${sql.param(rows.map((r) => r.ownerId))}::uuid[],
                    ${sql.param(rows.map((r) => r.slaPolicyId))}::uuid[])
          as t(workspace_id, id, account_id, contact_id, owner_id, policy_id)
        join workspaces w on w.id = t.workspace_id
        left join accounts a on a.workspace_id = t.workspace_id and a.id = t.account_id
        left join contacts c on c.workspace_id = t.workspace_id and c.id = t.contact_id
        left join users o on o.workspace_id = t.workspace_id and o.id = t.owner_id
        left join users m on m.workspace_id = t.workspace_id and m.id = o.manager_id
        left join sla_policies sp on sp.workspace_id = t.workspace_id and sp.id = t.policy_id
        left join users e on e.workspace_id = t.workspace_id and e.id = sp.escalation_user_id`),
  );
  return new Map(res.map((r) => [`${r.workspace_id}/${r.id}`, r]));
}

/**
 * Who hears about a promise reminder: its owner; for an overdue one also the escalation target —
 * the SLA policy's (`owner_manager`, or a named user), else the owner's manager. Deactivated users
 * are skipped.
 */
export function promiseRecipients(kind: ReminderKind, ownerId: string, c: PromiseContextRow): string[] {
  const out: string[] = [];
  if (c.owner_active) out.push(ownerId);
  if (kind === 'overdue') {
    if (c.escalate_to === 'user') {
      if (c.escalation_user_id && c.escalation_active) out.push(c.escalation_user_id);
    } else if (c.manager_id && c.manager_active) {
      out.push(c.manager_id);
    }
  }
  return [...new Set(out)];
}

interface ScheduleUpdate {
  workspaceId: string;
  id: string;
  firedThrough: Date | null;
  next: Date | null;
}

interface BatchOptions {
  batchSize: number;
  now: Date;
  notify: NotifyAll;
  log?: SchedulerLog | undefined;
}

/**
 * A claimed row that cannot be planned or rendered (corrupt stored data, a zone Temporal rejects):
 * logged, and its next reminder pushed back an hour with what already fired kept, so the rest of
 * the batch fires. Without this, the oldest-first claim would take the same row into every batch
 * and its exception would roll every batch back: no reminder anywhere would fire again.
 */
function setAside(
  log: SchedulerLog,
  subject: 'promise' | 'account',
  row: { workspaceId: string; id: string; firedThrough: Date | null },
  now: Date,
  err: unknown,
): ScheduleUpdate {
  log(
    `scheduler: ${subject} ${row.id} of workspace ${row.workspaceId} cannot be planned or rendered; ` +
      `retrying in an hour`,
    err,
  );
  return {
    workspaceId: row.workspaceId,
    id: row.id,
    firedThrough: row.firedThrough,
    next: new Date(now.getTime() + BAD_ROW_RETRY_MS),
  };
}

async function storeSchedule(tx: Tx, table: 'promises' | 'accounts', updates: ScheduleUpdate[]) {
  if (updates.length === 0) return;
  const target = sql.raw(table);
  await tx.execute(sql`
    update ${target} as s
       set reminders_fired_through = t.fired_through, next_reminder_at = t.next
      from unnest(${sql.param(updates.map((u) => u.workspaceId))}::uuid[],
                  ${sql.param(updates.map((u) => u.id))}::uuid[],
                  ${sql.param(updates.map((u) => isoOrNull(u.firedThrough)))}::timestamptz[],
                  ${sql.param(updates.map((u) => isoOrNull(u.next)))}::timestamptz[])
        as t(workspace_id, id, fired_through, next)
     where s.workspace_id = t.workspace_id and s.id = t.id`);
}

/** One batch of due promises, in one transaction. */
export async function firePromiseBatch(ctx: AppContext, opts: BatchOptions): Promise<PassCounts> {
  const { now, batchSize, notify } = opts;
  const log = opts.log ?? stderrLog;
  return ctx.database.db.transaction(async (tx) => {
    // Across workspaces, oldest first, on the partial index promises_next_reminder_idx.
    const claimed = await tx
      .select()
      .from(promises)
      .where(
        and(
          eq(promises.status, 'open'),
          isNotNull(promises.nextReminderAt),
          lte(promises.nextReminderAt, now),
        ),
      )
      .orderBy(asc(promises.nextReminderAt))
      .limit(batchSize)
      .for('update', { skipLocked: true });
    if (claimed.length === 0) return { claimed: 0, fired: 0 };

    // One entry per claimed row, in claim order; a row that throws is replaced by its set-aside.
    const updates = new Map<PromiseRow, ScheduleUpdate>();
    const due: { row: PromiseRow; reminder: PlannedReminder }[] = [];
    let failed = 0;
    const fail = (row: PromiseRow, err: unknown) => {
      failed++;
      const firedThrough = row.remindersFiredThrough ?? null;
      updates.set(
        row,
        setAside(log, 'promise', { workspaceId: row.workspaceId, id: row.id, firedThrough }, now, err),
      );
    };
    for (const row of claimed) {
      try {
        const { state, remindersFiredThrough } = rowToStored(row);
        const firedThrough = remindersFiredThrough ?? null;
        const reminder = nextPromiseReminder(state, firedThrough, now);
        if (reminder && reminder.at.getTime() <= now.getTime()) {
          const next = nextPromiseReminder(state, reminder.at, now);
          due.push({ row, reminder });
          updates.set(row, {
            workspaceId: row.workspaceId,
            id: row.id,
            firedThrough: reminder.at,
            next: next?.at ?? null,
          });
        } else {
          // Nothing due (a stale instant): just store the right one.
          updates.set(row, {
            workspaceId: row.workspaceId,
            id: row.id,
            firedThrough,
            next: reminder?.at ?? null,
          });
        }
      } catch (err) {
        fail(row, err);
      }
    }

    let fired = 0;
    if (due.length > 0) {
      const context = await loadPromiseContext(
        tx,
        due.map((d) => d.row),
      );
      const firings: Firing[] = [];
      for (const { row, reminder } of due) {
        try {
          firings.push(promiseFiring(row, reminder, context));
        } catch (err) {
          fail(row, err);
        }
      }
      fired = await recordFirings(tx, firings, now, notify);
    }
    await storeSchedule(tx, 'promises', [...updates.values()]);
    return { claimed: claimed.length, fired, ...(failed > 0 ? { failed } : {}) };
  });
}

/** The firing of a due promise reminder: key, recipients and rendered message (may throw). */
function promiseFiring(
  row: PromiseRow,
  reminder: PlannedReminder,
  context: Map<string, PromiseContextRow>,
): Firing {
  const c = context.get(`${row.workspaceId}/${row.id}`) as PromiseContextRow;
  const dueAt = row.effectiveDueAt ?? row.dueAt;
  return {
    workspaceId: row.workspaceId,
    id: uuidv7(),
    key: reminderKey('promise', row.id, reminder),
    kind: reminder.kind,
    subjectType: 'promise',
    subjectId: row.id,
    dueAt: reminder.at,
    recipientIds: promiseRecipients(reminder.kind, row.ownerId, c),
    rendered: promiseMessage(
      {
        promiseId: row.id,
        promiseMade: row.promiseMade,
        customerReason: row.customerReason,
        accountId: row.accountId,
        accountName: c.account_name ?? 'an account',
        contactName: c.contact_name,
        ownerId: row.ownerId,
        ownerName: c.owner_name,
        dueAt,
      },
      {
        kind: reminder.kind,
        reminderAt: reminder.at,
        detail: reminder.detail,
        timeZone: zoneOf(c.time_zone),
      },
    ),
  };
}

/** One batch of due accounts, in one transaction. */
export async function fireAccountBatch(ctx: AppContext, opts: BatchOptions): Promise<PassCounts> {
  const { now, batchSize, notify } = opts;
  const log = opts.log ?? stderrLog;
  return ctx.database.db.transaction(async (tx) => {
    const claimed = await tx
      .select({
        account: accounts,
        timeZone: workspaces.timeZone,
        inactivityDays: workspaces.inactivityDays,
        ownerActive: sql<
          boolean | null
        >`(select u.active from users u where u.workspace_id = ${accounts.workspaceId} and u.id = ${accounts.ownerId})`,
      })
      .from(accounts)
      .innerJoin(workspaces, eq(workspaces.id, accounts.workspaceId))
      .where(and(isNotNull(accounts.nextReminderAt), lte(accounts.nextReminderAt, now)))
      .orderBy(asc(accounts.nextReminderAt))
      .limit(batchSize)
      .for('update', { of: accounts, skipLocked: true });
    if (claimed.length === 0) return { claimed: 0, fired: 0 };

    const updates: ScheduleUpdate[] = [];
    const firings: Firing[] = [];
    let failed = 0;
    for (const { account: a, timeZone, inactivityDays, ownerActive } of claimed) {
      try {
        // Everything that can throw first; a row's update and firing are added together at the end.
        const input = {
          createdAt: a.createdAt,
          renewalDate: a.renewalDate,
          lastActivityAt: a.lastActivityAt,
          timeZone: zoneOf(timeZone),
          inactivityDays,
        };
        const firedThrough = a.remindersFiredThrough;
        const reminder = nextAccountReminder(input, firedThrough, now);
        if (!reminder || reminder.at.getTime() > now.getTime()) {
          updates.push({ workspaceId: a.workspaceId, id: a.id, firedThrough, next: reminder?.at ?? null });
          continue;
        }
        const next = nextAccountReminder(input, reminder.at, now);
        const firing: Firing = {
          workspaceId: a.workspaceId,
          id: uuidv7(),
          key: reminderKey('account', a.id, reminder),
          kind: reminder.kind,
          subjectType: 'account',
          subjectId: a.id,
          dueAt: reminder.at,
          recipientIds: ownerActive ? [a.ownerId] : [],
          rendered: accountMessage(
            {
              accountId: a.id,
              accountName: a.name,
              ownerId: a.ownerId,
              renewalDate: a.renewalDate,
              lastActivityAt: a.lastActivityAt,
              inactivityDays,
            },
            {
              kind: reminder.kind as 'renewal_prep' | 'inactivity',
              reminderAt: reminder.at,
              timeZone: input.timeZone,
            },
          ),
        };
        updates.push({
          workspaceId: a.workspaceId,
          id: a.id,
          firedThrough: reminder.at,
          next: next?.at ?? null,
        });
        firings.push(firing);
      } catch (err) {
        failed++;
        const row = { workspaceId: a.workspaceId, id: a.id, firedThrough: a.remindersFiredThrough };
        updates.push(setAside(log, 'account', row, now, err));
      }
    }
    const fired = await recordFirings(tx, firings, now, notify);
    await storeSchedule(tx, 'accounts', updates);
    return { claimed: claimed.length, fired, ...(failed > 0 ? { failed } : {}) };
  });
}

/**
 * Runs batches until nothing more is due at `now`: promises, then accounts. A process that was
 * down fires what it missed here (the plan collapses it to the latest, lateness recorded).
 */
export async function runSchedulerOnce(ctx: AppContext, opts: SchedulerOptions = {}): Promise<SchedulerPass> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const notify = opts.notify ?? defaultNotify;
  const out: SchedulerPass = { promises: { claimed: 0, fired: 0 }, accounts: { claimed: 0, fired: 0 } };
  for (const [name, fire] of [
    ['promises', firePromiseBatch],
    ['accounts', fireAccountBatch],
  ] as const) {
    for (;;) {
      // Each batch reads the clock afresh (unless pinned), so lateness is measured when it fires.
      const now = opts.now ?? ctx.now();
      const r = await fire(ctx, { batchSize, now, notify, log: opts.log });
      out[name].claimed += r.claimed;
      out[name].fired += r.fired;
      if (r.failed) out[name].failed = (out[name].failed ?? 0) + r.failed;
      opts.onBatch?.(name, r);
      if (r.claimed < batchSize) break;
    }
  }
  return out;
}

export interface StartOptions extends Omit<SchedulerOptions, 'now'> {
  /** Pause between passes. */
  intervalMs?: number;
  /** Stops the loop (the current batch finishes first). */
  signal?: AbortSignal;
  /** Also send the daily digests (default true). */
  digests?: boolean;
  /** Also send the weekly and monthly review digests (default true; checked at most every REVIEW_CHECK_MS). */
  reviewDigests?: boolean;
  /** Called after every pass (tests, metrics). */
  onPass?: (pass: SchedulerPass) => void;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * The scheduler loop: a pass (every due batch), a pause, again, until `signal` aborts. The first
 * pass fires what was missed while no process ran. A failed pass is logged and the loop goes on:
 * the rows it had claimed are unlocked by the rollback and claimed again next time.
 */
export async function startScheduler(ctx: AppContext, opts: StartOptions = {}): Promise<void> {
  const intervalMs = opts.intervalMs ?? 1000;
  const log = opts.log ?? stderrLog;
  let lastReviewCheck = Number.NEGATIVE_INFINITY;
  while (!opts.signal?.aborted) {
    try {
      const pass = await runSchedulerOnce(ctx, {
        ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }),
        ...(opts.notify === undefined ? {} : { notify: opts.notify }),
        ...(opts.onBatch === undefined ? {} : { onBatch: opts.onBatch }),
        log,
      });
      opts.onPass?.(pass);
    } catch (err) {
      log('scheduler: pass failed, will retry', err);
    }
    if (opts.digests !== false) {
      try {
        // Each user's daily digest, on the same claim-and-key pattern (src/notifications/digest.ts).
        for (;;) {
          const d = await runDigestsOnce(ctx);
          if (d.claimed < DIGEST_BATCH) break;
        }
      } catch (err) {
        log('scheduler: digest pass failed, will retry', err);
      }
    }
    if (opts.reviewDigests !== false && performance.now() - lastReviewCheck >= REVIEW_CHECK_MS) {
      // The weekly and monthly review emails to managers and admins (src/measures/review-digest.ts),
      // keyed per (workspace, kind, period): checked once a minute, they go out within a minute of 08:00.
      lastReviewCheck = performance.now();
      try {
        await runReviewDigestsOnce(ctx);
      } catch (err) {
        log('scheduler: review digest pass failed, will retry', err);
      }
    }
    await sleep(intervalMs, opts.signal);
  }
}
