// The reminders benchmark on one engine: a workspace with BENCH_REMINDERS_OPEN open promises (1M by
// default), of which BENCH_REMINDERS_DUE (10k) come due, spread over BENCH_REMINDERS_WINDOW_S
// seconds while the scheduler loop and the delivery worker run as `serve` runs them (same
// process, default intervals). Measured:
//   - lag: fire time − due instant (`reminders.lateness_ms`), and delivery time − due instant at a
//     local webhook receiver, p50/p99/max;
//   - throughput: BENCH_REMINDERS_BURST reminders all due at once, claimed, fired and delivered to
//     the receiver (one signed webhook each): reminders per second from the first claim to the last
//     2xx.
//
// The open promises are cloned in SQL from one promise created through the real use case (only the
// projection rows: the scheduler reads nothing else); the clones have no ledger events, so this
// database is for this benchmark only.
import { Worker } from 'node:worker_threads';
import { uuidv7 } from 'uuidv7';
import type { Principal } from '../src/auth/policy.js';
import type { AppContext } from '../src/context.js';
import { createSubscription } from '../src/delivery/manage-webhooks.js';
import { startDeliveryWorker } from '../src/delivery/worker.js';
import { createPromise } from '../src/promises/create-promise.js';
import { startScheduler } from '../src/reminders/scheduler.js';
import { createWorkspace } from '../src/workspaces/create-workspace.js';
import type { BenchConfig, Engine } from './config.js';
import type { BenchDatabase } from './engines.js';
import { sourceVersion } from './foundation.js';
import { formatCount, formatSeconds, Progress } from './progress.js';
import { type LatencySummary, round, summarise } from './stats.js';

const DAY_MS = 86_400_000;
/** The scheduler's and the delivery worker's pause between passes: `serve`'s default. */
const INTERVAL_MS = 1000;

export interface RemindersResult {
  bench: 'reminders';
  engine: Engine;
  startedAt: string;
  finishedAt: string;
  environment: {
    node: string;
    engineVersion: string;
    source: { commit: string; dirty: boolean } | null;
    loadAvg: { start: number; end: number };
  };
  settings: { openPromises: number; due: number; windowS: number; burst: number; intervalMs: number };
  setupMs: number;
  lag: {
    reminders: number;
    delivered: number;
    /** fire time − due instant (ms). */
    fire: LatencySummary;
    /** 2xx at the receiver − due instant (ms). */
    delivery: LatencySummary;
  };
  throughput: {
    reminders: number;
    delivered: number;
    seconds: number;
    /** Reminders fired and delivered per second, first claim to last delivery. */
    perSecond: number;
    /** The scheduler alone: reminders fired per second over its busy time. */
    firedPerSecond: number;
  };
  /** Every key delivered once at the receiver (distinct webhook-ids), none twice in our log. */
  duplicatesAtReceiver: number;
  successfulDeliveriesPerKeyMax: number;
}

interface Receiver {
  url: string;
  /** webhook-id → receive instant (ms epoch), first arrival (as of the last sync()). */
  firstSeen: Map<string, number>;
  requests: number;
  sync(): Promise<void>;
  /** Distinct webhook-ids received so far. */
  distinct(): Promise<number>;
  close(): Promise<void>;
}

// The receiver is another system: it runs in a worker thread, so it does not share our event loop.
const RECEIVER = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
const firstSeen = new Map();
let requests = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    requests++;
    const id = String(req.headers['webhook-id'] ?? '');
    if (!firstSeen.has(id)) firstSeen.set(id, Date.now());
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m === 'count') parentPort.postMessage({ distinct: firstSeen.size, requests });
  if (m === 'dump') parentPort.postMessage({ seen: [...firstSeen], requests });
  if (m === 'close') { server.closeAllConnections(); server.close(() => parentPort.postMessage({ closed: true })); }
});
`;

async function startReceiver(): Promise<Receiver> {
  const worker = new Worker(RECEIVER, { eval: true });
  const ask = <T>(m: string) =>
    new Promise<T>((resolve) => {
      worker.once('message', (v: T) => resolve(v));
      worker.postMessage(m);
    });
  const { port } = await new Promise<{ port: number }>((resolve) => worker.once('message', resolve));
  const firstSeen = new Map<string, number>();
  let requests = 0;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    firstSeen,
    get requests() {
      return requests;
    },
    /** Copies what the receiver saw into firstSeen and requests. */
    async sync() {
      const d = await ask<{ seen: [string, number][]; requests: number }>('dump');
      for (const [id, at] of d.seen) firstSeen.set(id, at);
      requests = d.requests;
    },
    distinct: async () => (await ask<{ distinct: number }>('count')).distinct,
    close: async () => {
      await ask('close');
      await worker.terminate();
    },
  };
}

/** The workspace: an owner with a manager, an account, one real promise, a webhook subscription. */
async function setupWorkspace(ctx: AppContext, url: string) {
  const { workspaceId, adminId } = await createWorkspace(ctx, {
    name: 'Reminders benchmark',
    slug: `bench-reminders-${Date.now().toString(36)}`,
    admin: { email: 'admin@reminders.bench', name: 'Admin', password: 'correct horse battery staple' },
  });
  const raw = ctx.database.raw.bind(ctx.database);
  const managerId = uuidv7();
  const ownerId = uuidv7();
  await raw(
    `insert into users (workspace_id, id, email, name, role, manager_id) values
       ($1, $2, 'manager@reminders.bench', 'Manager', 'manager', null),
       ($1, $3, 'owner@reminders.bench', 'Owner', 'member', $2)`,
    [workspaceId, managerId, ownerId],
  );
  const accountId = uuidv7();
  await raw(
    `insert into accounts (workspace_id, id, name, tier, arr_minor, currency, lifecycle_stage, owner_id)
     values ($1, $2, 'Bench Account', 'enterprise', 12000000, 'USD', 'adopt', $3)`,
    [workspaceId, accountId, ownerId],
  );
  // Webhooks only: no email, no Slack, no digest (nothing here would send them anywhere).
  await raw(
    `insert into notification_preferences (workspace_id, user_id, channels, digest_enabled)
     select $1, id, $2::jsonb, false from users where workspace_id = $1`,
    [
      workspaceId,
      JSON.stringify(
        Object.fromEntries(
          [
            'checkpoint_internal_check_in',
            'checkpoint_customer_update_required',
            'due',
            'overdue',
            'renewal_prep',
            'inactivity',
            'payment_failed',
          ].map((k) => [k, []]),
        ),
      ),
    ],
  );
  await raw('update workspaces set allow_private_webhook_targets = true where id = $1', [workspaceId]);
  const admin: Principal = {
    workspaceId,
    userId: adminId,
    role: 'admin',
    grants: [],
    via: 'session',
    scope: 'write',
  };
  await createSubscription(ctx, { principal: admin, input: { url, eventTypes: [] } });
  const owner: Principal = { ...admin, userId: ownerId, role: 'member' };
  const created = await createPromise(ctx, {
    principal: owner,
    input: {
      accountId,
      typeKey: 'product_follow_up',
      promiseMade: 'Send the revised rollout plan with the SSO fix date',
      customerReason: 'Their security review blocks the rollout to 400 seats',
      ownerId,
      dueAt: new Date(ctx.now().getTime() + 30 * DAY_MS),
      source: 'success',
    },
  });
  return { workspaceId, promiseId: created.state.id };
}

/** Clone the promise into `n − 1` more open ones, in chunks; nothing due for a long time. */
async function clonePromises(ctx: AppContext, ws: string, promiseId: string, n: number, progress: Progress) {
  const raw = ctx.database.raw.bind(ctx.database);
  const cols = (
    await raw<{ column_name: string }>(
      `select column_name from information_schema.columns
        where table_schema = current_schema() and table_name = 'promises' and column_name <> 'id'`,
    )
  ).map((c) => c.column_name);
  const chunk = 100_000;
  for (let done = 1; done < n; ) {
    const k = Math.min(chunk, n - done);
    await raw(
      `insert into promises (id, ${cols.join(', ')})
       select gen_random_uuid(), ${cols.join(', ')} from promises, generate_series(1, $3)
        where workspace_id = $1 and id = $2`,
      [ws, promiseId, k],
    );
    done += k;
    progress.log(`${formatCount(done)} / ${formatCount(n)} open promises`);
  }
  await raw('analyze promises');
}

/**
 * Make `count` promises come due at `start + i × spacing`: created 10 days before, the 50% and 80%
 * check-ins already fired, the due reminder next.
 */
async function makeDue(ctx: AppContext, ws: string, count: number, start: Date, spacingMs: number) {
  await ctx.database.raw(
    `with picked as (
       select id, row_number() over (order by id) - 1 as i from promises
        where workspace_id = $1 and status = 'open' and next_reminder_at > $2::timestamptz + interval '1 day'
        limit $3)
     update promises p
        set due_at = $2::timestamptz + (picked.i * $4::float8) * interval '1 millisecond',
            effective_due_at = $2::timestamptz + (picked.i * $4::float8) * interval '1 millisecond',
            created_at = $2::timestamptz + (picked.i * $4::float8) * interval '1 millisecond' - interval '10 days',
            checkpoints = null,
            reminders_fired_through = $2::timestamptz + (picked.i * $4::float8) * interval '1 millisecond' - interval '2 days',
            next_reminder_at = $2::timestamptz + (picked.i * $4::float8) * interval '1 millisecond'
       from picked
      where p.workspace_id = $1 and p.id = picked.id`,
    [ws, start, count, spacingMs],
  );
}

async function waitUntil(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

export async function runReminders(open: BenchDatabase, cfg: BenchConfig): Promise<RemindersResult> {
  const { engine, database } = open;
  const s = cfg.reminders;
  const progress = new Progress(`${engine} reminders`);
  const startedAt = new Date();
  const loadStart = (await import('node:os')).default.loadavg()[0]!;
  const ctx: AppContext = { database, now: () => new Date() };
  const receiver = await startReceiver();
  const t0 = performance.now();
  const { workspaceId, promiseId } = await setupWorkspace(ctx, receiver.url);
  await clonePromises(ctx, workspaceId, promiseId, s.openPromises, progress);
  const setupMs = performance.now() - t0;
  progress.log(`set up in ${formatSeconds(setupMs)}`);

  const stop = new AbortController();
  const log = (m: string, e?: unknown) => progress.log(`${m}${e ? `: ${String(e)}` : ''}`);
  let firedTotal = 0;
  let schedulerBusyMs = 0;
  const loops = [
    (async () => {
      // One pass at a time, timed, so the scheduler's own rate can be reported.
      let passStart = performance.now();
      await startScheduler(ctx, {
        intervalMs: INTERVAL_MS,
        signal: stop.signal,
        log,
        onPass: (p) => {
          const fired = p.promises.fired + p.accounts.fired;
          if (fired > 0) {
            firedTotal += fired;
            schedulerBusyMs += performance.now() - passStart;
          }
          passStart = performance.now() + INTERVAL_MS;
        },
      });
    })(),
    startDeliveryWorker(ctx, {
      intervalMs: INTERVAL_MS,
      signal: stop.signal,
      onError: (e) => log('delivery', e),
    }),
  ];
  // Counted at the receiver (polling our own tables would add load to the database under test).
  const deliveredCount = () => receiver.distinct();

  try {
    // 1. Lag: s.due reminders spread over the window, starting shortly after the loops are up.
    const start = new Date(Date.now() + 3000);
    await makeDue(ctx, workspaceId, s.due, start, (s.windowS * 1000) / s.due);
    progress.log(`${formatCount(s.due)} reminders coming due over ${s.windowS} s`);
    const lagDone = await waitUntil(
      async () => (await deliveredCount()) >= s.due,
      s.windowS * 1000 + 120_000,
    );
    if (!lagDone) progress.log('lag phase: not everything was delivered in time (reported as is)');
    const lagRows = await database.raw<{ lateness_ms: number; due_ms: number; id: string }>(
      `select r.lateness_ms, (extract(epoch from r.due_at) * 1000)::float8 as due_ms, d.id
         from reminders r left join deliveries d
           on d.workspace_id = r.workspace_id and d.reminder_id = r.id and d.channel = 'webhook'
        where r.workspace_id = $1`,
      [workspaceId],
    );
    await receiver.sync();
    const fireLag = summarise(lagRows.map((r) => Number(r.lateness_ms)));
    const deliveryLags = lagRows
      .map((r) =>
        r.id && receiver.firstSeen.has(r.id) ? receiver.firstSeen.get(r.id)! - Number(r.due_ms) : null,
      )
      .filter((v): v is number => v !== null);
    const lag = {
      reminders: lagRows.length,
      delivered: deliveryLags.length,
      fire: fireLag,
      delivery: summarise(deliveryLags),
    };
    progress.log(`lag: fire p50 ${lag.fire.p50} ms, p99 ${lag.fire.p99} ms, max ${lag.fire.max} ms`);

    // 2. Throughput: a burst due at once.
    const before = await deliveredCount();
    const firedBefore = firedTotal;
    const busyBefore = schedulerBusyMs;
    const burstStart = performance.now();
    await makeDue(ctx, workspaceId, s.burst, new Date(Date.now() - 1000), 0);
    const burstDone = await waitUntil(async () => (await deliveredCount()) >= before + s.burst, 600_000);
    const seconds = (performance.now() - burstStart) / 1000;
    const delivered = (await deliveredCount()) - before;
    if (!burstDone) progress.log('burst: not everything was delivered in 10 minutes (reported as is)');
    const firedInBurst = firedTotal - firedBefore;
    const throughput = {
      reminders: s.burst,
      delivered,
      seconds: round(seconds, 2),
      perSecond: round(delivered / seconds, 1),
      firedPerSecond: round(firedInBurst / Math.max(0.001, (schedulerBusyMs - busyBefore) / 1000), 1),
    };
    progress.log(`throughput: ${throughput.perSecond} reminders/s fired and delivered`);

    const dup = await database.raw<{ max: number | null }>(
      `select max(n)::int as max from (
         select count(*) as n from delivery_attempts a join deliveries d
           on d.workspace_id = a.workspace_id and d.id = a.delivery_id
          where a.workspace_id = $1 and a.outcome = 'success' group by d.key) t`,
      [workspaceId],
    );
    await receiver.sync();
    const distinct = receiver.firstSeen.size;
    return {
      bench: 'reminders',
      engine,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      environment: {
        node: process.version,
        engineVersion: open.serverVersion,
        source: sourceVersion(),
        loadAvg: { start: loadStart, end: (await import('node:os')).default.loadavg()[0]! },
      },
      settings: {
        openPromises: s.openPromises,
        due: s.due,
        windowS: s.windowS,
        burst: s.burst,
        intervalMs: INTERVAL_MS,
      },
      setupMs: round(setupMs, 0),
      lag,
      throughput,
      duplicatesAtReceiver: receiver.requests - distinct,
      successfulDeliveriesPerKeyMax: dup[0]?.max ?? 0,
    };
  } finally {
    stop.abort();
    await Promise.all(loops);
    await receiver.close();
  }
}
