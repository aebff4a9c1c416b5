// The delivery worker: claim due deliveries (a short transaction), send them outside any
// transaction, all at once and each under a deadline, then log every attempt and settle each
// delivery in a second transaction. A batch is never larger than the sends in flight at once, and
// the deadline plus the time around it fits in the lease, so a live worker's lease never runs out.
// Any number of workers (processes, lanes) can run: the claim skips rows another holds. A worker
// that dies after sending but before recording leaves its rows leased; they are sent again when
// the lease ends, with the same webhook-id.
import { sql } from 'drizzle-orm';
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/connect.js';
import {
  DEFAULT_MAIL_FROM,
  mailerFor,
  type SendResult,
  sendEmail,
  sendSlack,
  sendWebhook,
  type Transports,
} from './channels.js';
import { type AttemptResult, claimDue, type DeliveryRow, recordAttempts } from './outbox.js';
import { claimLimit, LEASE_MS, nextAttemptAt, outcomeFor, SEND_DEADLINE_MS } from './rules.js';

export { SEND_DEADLINE_MS };

/** Sends in flight at once, and so the largest batch claimed. */
export const DEFAULT_CONCURRENCY = 64;

export interface RunOptions {
  /** Rows claimed per batch; never more than `concurrency` (default: `concurrency`). */
  batchSize?: number;
  /** The instant of this run (claims what is due by then, signs with it). Default ctx.now(). */
  now?: Date;
  transports?: Transports;
  /** Sends in flight at once: every row of a batch is sent at once. Default DEFAULT_CONCURRENCY. */
  concurrency?: number;
  /** A shorter per-send deadline than SEND_DEADLINE_MS (tests); a longer one is ignored. */
  sendDeadlineMs?: number;
  /** Uniform in [0, 1): the backoff jitter. */
  random?: () => number;
}

export interface RunSummary {
  claimed: number;
  delivered: number;
  retried: number;
  failed: number;
  dropped: number;
}

type Rows<T> = { rows: T[] };

interface Targets {
  users: Map<string, { email: string; name: string; active: boolean }>;
  slack: Map<string, string | null>;
  subscriptions: Map<string, { url: string; secret: string; revoked: boolean }>;
  allowPrivate: Map<string, boolean>;
}

const k = (workspaceId: string, id: string) => `${workspaceId}:${id}`;

async function rowsOf<T>(q: Queryable, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await q.execute(query)) as unknown as Rows<T>).rows;
}

/** Reads every claimed delivery's target in a few queries (addresses and URLs as they are now). */
async function loadTargets(q: Queryable, batch: DeliveryRow[]): Promise<Targets> {
  const pairs = (channel: DeliveryRow['channel'][]) => {
    const of = batch.filter((d) => channel.includes(d.channel));
    return { ws: of.map((d) => d.workspaceId), ids: of.map((d) => d.targetId), n: of.length };
  };
  const t: Targets = {
    users: new Map(),
    slack: new Map(),
    subscriptions: new Map(),
    allowPrivate: new Map(),
  };
  const people = pairs(['email', 'slack']);
  if (people.n > 0) {
    const keyed = sql`(select * from unnest(${sql.param(people.ws)}::uuid[], ${sql.param(people.ids)}::uuid[]))`;
    for (const u of await rowsOf<{
      workspace_id: string;
      id: string;
      email: string;
      name: string;
      active: boolean;
    }>(
      q,
      sql`select workspace_id, id, email, name, active from users where (workspace_id, id) in ${keyed}`,
    )) {
      t.users.set(k(u.workspace_id, u.id), { email: u.email, name: u.name, active: u.active });
    }
  }
  const slack = pairs(['slack']);
  if (slack.n > 0) {
    // Owned by src/notifications (notification preferences); read as it is at send time.
    for (const p of await rowsOf<{ workspace_id: string; user_id: string; slack_webhook_url: string | null }>(
      q,
      sql`select workspace_id, user_id, slack_webhook_url from notification_preferences
           where (workspace_id, user_id) in (select * from unnest(${sql.param(slack.ws)}::uuid[], ${sql.param(slack.ids)}::uuid[]))`,
    )) {
      t.slack.set(k(p.workspace_id, p.user_id), p.slack_webhook_url);
    }
  }
  const hooks = pairs(['webhook']);
  if (hooks.n > 0) {
    for (const s of await rowsOf<{
      workspace_id: string;
      id: string;
      url: string;
      secret: string;
      revoked_at: unknown;
    }>(
      q,
      sql`select workspace_id, id, url, secret, revoked_at from webhook_subscriptions
           where (workspace_id, id) in (select * from unnest(${sql.param(hooks.ws)}::uuid[], ${sql.param(hooks.ids)}::uuid[]))`,
    )) {
      t.subscriptions.set(k(s.workspace_id, s.id), {
        url: s.url,
        secret: s.secret,
        revoked: s.revoked_at !== null,
      });
    }
  }
  const outbound = [...new Set(batch.filter((d) => d.channel !== 'email').map((d) => d.workspaceId))];
  if (outbound.length > 0) {
    for (const w of await rowsOf<{ id: string; allow_private_webhook_targets: boolean }>(
      q,
      sql`select id, allow_private_webhook_targets from workspaces where id = any(${sql.param(outbound)}::uuid[])`,
    )) {
      t.allowPrivate.set(w.id, w.allow_private_webhook_targets);
    }
  }
  return t;
}

const drop = (error: string): SendResult => ({ verdict: 'drop', httpStatus: null, error });

async function send(
  d: DeliveryRow,
  t: Targets,
  now: Date,
  transports: Transports,
  mailer: ReturnType<typeof mailerFor>,
  signal: AbortSignal,
): Promise<SendResult> {
  const allowPrivate = t.allowPrivate.get(d.workspaceId) ?? false;
  switch (d.channel) {
    case 'email': {
      const u = t.users.get(k(d.workspaceId, d.targetId));
      if (!u) return drop(`user ${d.targetId} not found`);
      if (!u.active) return drop(`user ${d.targetId} is deactivated`);
      return sendEmail(d, u, mailer, transports.mailFrom ?? DEFAULT_MAIL_FROM, signal);
    }
    case 'slack': {
      const u = t.users.get(k(d.workspaceId, d.targetId));
      if (!u) return drop(`user ${d.targetId} not found`);
      if (!u.active) return drop(`user ${d.targetId} is deactivated`);
      return sendSlack(
        d,
        t.slack.get(k(d.workspaceId, d.targetId)) ?? null,
        allowPrivate,
        transports,
        signal,
      );
    }
    case 'webhook': {
      const s = t.subscriptions.get(k(d.workspaceId, d.targetId));
      if (!s) return drop(`webhook subscription ${d.targetId} not found`);
      if (s.revoked) return drop(`webhook subscription ${d.targetId} was revoked`);
      return sendWebhook(d, s, allowPrivate, now, transports, signal);
    }
    default:
      return drop(`unknown channel ${String(d.channel)}`);
  }
}

/**
 * Runs `start` under a deadline: when it passes, the send is aborted (its connection closed, not
 * left running behind the worker's back) and counted as a retry.
 */
async function withDeadline(
  start: (signal: AbortSignal) => Promise<SendResult>,
  ms: number,
): Promise<SendResult> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<SendResult>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve({ verdict: 'retry', httpStatus: null, error: `no answer within ${ms} ms` });
    }, ms);
  });
  try {
    return await Promise.race([start(abort.signal), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Claims, sends and settles one batch of due deliveries. */
export async function runDeliveriesOnce(ctx: AppContext, opts: RunOptions = {}): Promise<RunSummary> {
  const now = opts.now ?? ctx.now();
  // Every claimed row is sent at once: none waits for a free slot while its lease runs down.
  const batchSize = claimLimit(opts.batchSize, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const deadlineMs = Math.min(opts.sendDeadlineMs ?? SEND_DEADLINE_MS, SEND_DEADLINE_MS);
  const transports = opts.transports ?? {};
  const random = opts.random ?? Math.random;
  const db = ctx.database.db;
  const claimed = await db.transaction((tx) => claimDue(tx, now, batchSize, LEASE_MS));
  const summary: RunSummary = { claimed: claimed.length, delivered: 0, retried: 0, failed: 0, dropped: 0 };
  if (claimed.length === 0) return summary;
  const targets = await loadTargets(db, claimed);
  const mailer = mailerFor(transports);
  const t0 = performance.now();
  const results = await Promise.all(
    claimed.map(async (d): Promise<AttemptResult> => {
      const started = performance.now();
      let r: SendResult;
      try {
        r = await withDeadline((signal) => send(d, targets, now, transports, mailer, signal), deadlineMs);
      } catch (err) {
        r = { verdict: 'retry', httpStatus: null, error: `unexpected: ${(err as Error).message}` };
      }
      // The run's instant plus the time measured: durations are real, the clock stays the caller's.
      const startedAt = new Date(now.getTime() + Math.round(started - t0));
      const finishedAt = new Date(now.getTime() + Math.round(performance.now() - t0));
      const outcome = outcomeFor(r.verdict, d.attempts);
      return {
        delivery: d,
        outcome,
        startedAt,
        finishedAt,
        httpStatus: r.httpStatus,
        error: r.error,
        nextAttemptAt: outcome === 'retry' ? nextAttemptAt(d.attempts, finishedAt, random()) : null,
      };
    }),
  );
  await db.transaction((tx) => recordAttempts(tx, results));
  for (const r of results) {
    if (r.outcome === 'success') summary.delivered++;
    else if (r.outcome === 'retry') summary.retried++;
    else if (r.outcome === 'failed') summary.failed++;
    else summary.dropped++;
  }
  return summary;
}

export interface WorkerOptions extends Omit<RunOptions, 'now'> {
  /** Pause when nothing was due (a full batch goes straight on to the next). */
  intervalMs?: number;
  signal: AbortSignal;
  /** Independent claim-send-record loops: a batch waiting on a slow target holds up only its lane. */
  lanes?: number;
  /** A run that threw (the database unreachable…): reported, then the loop carries on. */
  onError?: (err: unknown) => void;
  onBatch?: (s: RunSummary) => void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Runs the worker until `signal` aborts; resolves once every lane has finished its batch. Never
 * rejects: errors go to onError and the lane waits one interval before trying again.
 */
export async function startDeliveryWorker(ctx: AppContext, opts: WorkerOptions): Promise<void> {
  const intervalMs = opts.intervalMs ?? 1000;
  const batchSize = claimLimit(opts.batchSize, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const lane = async () => {
    while (!opts.signal.aborted) {
      let full = false;
      try {
        const s = await runDeliveriesOnce(ctx, { ...opts, batchSize });
        opts.onBatch?.(s);
        full = s.claimed === batchSize;
      } catch (err) {
        try {
          opts.onError?.(err);
        } catch {
          // A failing reporter must not stop deliveries.
        }
      }
      if (!full) await sleep(intervalMs, opts.signal);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.lanes ?? 2) }, lane));
}
