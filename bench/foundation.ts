// The foundation benchmark on one engine: bulk load of a generated workspace (the demo generator),
// the owner's "due in the next 7 days" view through the use case vs the same raw SQL, single
// promise creates through the use case, and a full ledger verification.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Principal, Role } from '../src/auth/policy.js';
import type { AppContext } from '../src/context.js';
import { seedDemo } from '../src/demo/seed-demo.js';
import { verifyLedger } from '../src/ledger/verify-ledger.js';
import { createPromise } from '../src/promises/create-promise.js';
import { BUILTIN_PROMISE_TYPES } from '../src/promises/promise.js';
import { RAW_DUE_FOR_OWNER_SQL } from '../src/promises/promises.repo.js';
import { listDuePromises } from '../src/promises/read-promises.js';
import type { BenchConfig, Engine } from './config.js';
import type { BenchDatabase } from './engines.js';
import { formatCount, formatSeconds, Progress } from './progress.js';
import { type LatencySummary, perSecond, round, summarise } from './stats.js';

const DAY_MS = 86_400_000;
const DUE_DAYS = 7;
const DUE_LIMIT = 200;

/**
 * The caller as the HTTP layer hands it to a use case once authenticated: here a user signed in
 * to the benchmark workspace (authentication itself is not part of what is timed).
 */
function signedIn(workspaceId: string, user: { id: string; role: Role }): Principal {
  return { workspaceId, userId: user.id, role: user.role, grants: [], via: 'session', scope: 'write' };
}

export interface FoundationResult {
  bench: 'foundation';
  engine: Engine;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  environment: {
    node: string;
    platform: string;
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    engineVersion: string;
    location: string;
    /** The code measured: HEAD, and whether src/ or migrations/ differed from it at the start. */
    source: { commit: string; dirty: boolean } | null;
    /** 1-minute load average at the start and at the end: other work on the machine skews results. */
    loadAvg: { start: number; end: number };
  };
  sizes: {
    requested: { accounts: number; promises: number; eventsPerPromise: number; chunkSize: number };
    /** Rows of each table in the benchmark workspace right after the load. */
    loaded: {
      users: number;
      accounts: number;
      contacts: number;
      temperatureHistory: number;
      promises: number;
      events: number;
      eventsPerPromise: number;
    };
  };
  migrateMs: number;
  /** Wall time of seedDemo (generation, hashing and insertion together). */
  load: {
    ms: number;
    rows: number;
    rowsPerSec: number;
    events: number;
    eventsPerSec: number;
    promisesPerSec: number;
  };
  analyzeMs: number;
  due: {
    days: number;
    limit: number;
    warmup: number;
    owners: { count: number; promisesEach: { min: number; max: number } };
    /** Both variants returned the same ids, in the same order, for every owner at one fixed `now`. */
    sameResults: boolean;
    useCase: LatencySummary & { avgRows: number };
    raw: LatencySummary & { avgRows: number };
    /** The headline: use case p50 / raw SQL p50. */
    ratioP50: number;
    ratioP99: number;
  };
  create: LatencySummary & { warmup: number };
  verify: {
    ok: boolean;
    problem?: string;
    streams: number;
    events: number;
    ms: number;
    eventsPerSec: number;
  };
}

/** `started` is the performance.now() before the database was opened (the run's duration counts from it). */
export async function runFoundation(
  bdb: BenchDatabase,
  cfg: BenchConfig,
  started: number,
): Promise<FoundationResult> {
  const startedAt = new Date(Date.now() - (performance.now() - started)).toISOString();
  const { database, engine } = bdb;
  const ctx: AppContext = { database, now: () => new Date() };
  const source = sourceVersion();
  const loadAvgStart = round(os.loadavg()[0] ?? 0, 2);
  const progress = new Progress(engine);
  progress.log(`${database.location} (${bdb.serverVersion}), migrated in ${Math.round(bdb.migrateMs)} ms`);

  // 1. Bulk load through the demo seed.
  progress.log(
    `loading ${formatCount(cfg.accounts)} accounts, ${formatCount(cfg.promises)} promises, ~${cfg.eventsPerPromise} events each`,
  );
  const loadStarted = performance.now();
  let promisesFrom = loadStarted;
  const seeded = await seedDemo(ctx, {
    accounts: cfg.accounts,
    promises: cfg.promises,
    eventsPerPromise: cfg.eventsPerPromise,
    chunkSize: cfg.chunkSize,
    slug: 'bench',
    name: 'Benchmark workspace',
    onProgress: (done) => {
      const now = performance.now();
      const elapsed = now - loadStarted;
      if (done.promises === 0) {
        // Accounts come first; the promise rate (and the ETA) counts from the end of that phase.
        promisesFrom = now;
        progress.update(
          `accounts ${formatCount(done.accounts)}/${formatCount(cfg.accounts)}, ${formatSeconds(elapsed)}`,
        );
        return;
      }
      const rate = done.promises / (Math.max(1, now - promisesFrom) / 1000);
      const eta = ((cfg.promises - done.promises) / rate) * 1000;
      progress.update(
        `promises ${formatCount(done.promises)}/${formatCount(cfg.promises)} ` +
          `(${Math.floor((100 * done.promises) / cfg.promises)}%), events ${formatCount(done.events)}, ` +
          `${formatCount(rate)} promises/s, ${formatSeconds(elapsed)} elapsed, ETA ${formatSeconds(eta)}`,
        done.promises === cfg.promises,
      );
    },
  });
  const loadMs = performance.now() - loadStarted;
  const workspaceId = seeded.workspaceId;
  const loaded = await countRows(ctx, workspaceId);
  const rows =
    loaded.users +
    loaded.accounts +
    loaded.contacts +
    loaded.temperatureHistory +
    loaded.promises +
    loaded.events;
  progress.log(
    `loaded ${formatCount(rows)} rows (${formatCount(loaded.events)} events) in ${formatSeconds(loadMs)}: ` +
      `${formatCount(perSecond(rows, loadMs))} rows/s`,
  );

  const analyzeStarted = performance.now();
  await database.raw('analyze');
  const analyzeMs = performance.now() - analyzeStarted;
  progress.log(`analyze: ${Math.round(analyzeMs)} ms`);

  // 2. "Open promises due in the next 7 days for one owner": use case vs raw SQL, interleaved.
  const due = await benchDue(ctx, workspaceId, cfg, progress);

  // 3. Single promise creates through the use case (event + projection in one transaction).
  const create = await benchCreate(ctx, workspaceId, cfg, progress);

  // 4. Verify the whole workspace's ledger.
  progress.log('verifying the ledger');
  const verifyStarted = performance.now();
  const report = await verifyLedger(ctx, {
    workspace: workspaceId,
    onProgress: (events) => progress.update(`verify: ${formatCount(events)} events`),
  });
  const verifyMs = performance.now() - verifyStarted;
  const ws = report.workspaces[0];
  const verify: FoundationResult['verify'] = {
    ok: report.ok,
    ...(report.problem ? { problem: JSON.stringify(report.problem) } : {}),
    streams: ws?.streams ?? 0,
    events: report.events,
    ms: round(verifyMs, 1),
    eventsPerSec: perSecond(report.events, verifyMs),
  };
  progress.log(
    `verify ${verify.ok ? 'ok' : `FAILED: ${verify.problem}`}: ${formatCount(verify.events)} events in ` +
      `${formatSeconds(verifyMs)}, ${formatCount(verify.eventsPerSec)} events/s`,
  );

  return {
    bench: 'foundation',
    engine,
    startedAt,
    finishedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: round(os.totalmem() / 2 ** 30, 1),
      engineVersion: bdb.serverVersion,
      location: database.location,
      source,
      loadAvg: { start: loadAvgStart, end: round(os.loadavg()[0] ?? 0, 2) },
    },
    sizes: {
      requested: {
        accounts: cfg.accounts,
        promises: cfg.promises,
        eventsPerPromise: cfg.eventsPerPromise,
        chunkSize: cfg.chunkSize,
      },
      loaded: { ...loaded, eventsPerPromise: round(loaded.events / Math.max(1, loaded.promises), 2) },
    },
    migrateMs: round(bdb.migrateMs, 1),
    load: {
      ms: round(loadMs, 1),
      rows,
      rowsPerSec: perSecond(rows, loadMs),
      events: loaded.events,
      eventsPerSec: perSecond(loaded.events, loadMs),
      promisesPerSec: perSecond(loaded.promises, loadMs),
    },
    analyzeMs: round(analyzeMs, 1),
    due,
    create,
    verify,
  };
}

export function sourceVersion(): FoundationResult['environment']['source'] {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
      stdio: 'pipe',
    }).trim();
  try {
    return {
      commit: git('rev-parse', 'HEAD'),
      dirty: git('status', '--porcelain', '--', 'src', 'migrations') !== '',
    };
  } catch {
    return null; // not a git checkout
  }
}

async function countRows(ctx: AppContext, workspaceId: string) {
  const count = async (table: string) => {
    const [row] = await ctx.database.raw<{ n: number | string }>(
      `select count(*)::int8 as n from ${table} where workspace_id = $1`,
      [workspaceId],
    );
    return Number(row?.n ?? 0);
  };
  return {
    users: await count('users'),
    accounts: await count('accounts'),
    contacts: await count('contacts'),
    temperatureHistory: await count('account_temperature_history'),
    promises: await count('promises'),
    events: await count('promise_events'),
  };
}

async function benchDue(
  ctx: AppContext,
  workspaceId: string,
  cfg: BenchConfig,
  progress: Progress,
): Promise<FoundationResult['due']> {
  const { database } = ctx;
  const owners = await database.raw<{ owner_id: string; role: Role; n: number | string }>(
    `select p.owner_id, u.role, p.n
       from (select owner_id, count(*) as n from promises where workspace_id = $1
              group by owner_id order by count(*) desc, owner_id limit $2) p
       join users u on u.workspace_id = $1 and u.id = p.owner_id
      order by p.n desc, p.owner_id`,
    [workspaceId, cfg.due.owners],
  );
  if (owners.length === 0) throw new Error('no promise owners in the benchmark workspace');
  const ownerIds = owners.map((o) => o.owner_id);
  const counts = owners.map((o) => Number(o.n));
  // Each owner looks at their own daily view.
  const principals = new Map(
    owners.map((o) => [o.owner_id, signedIn(workspaceId, { id: o.owner_id, role: o.role })]),
  );

  const runUseCase = async (ownerId: string, c: AppContext = ctx) =>
    listDuePromises(c, { principal: principals.get(ownerId)!, ownerId, days: DUE_DAYS });
  const raw = async (ownerId: string, now = new Date()) =>
    database.raw<{ id: string }>(RAW_DUE_FOR_OWNER_SQL, [
      workspaceId,
      ownerId,
      now,
      new Date(now.getTime() + DUE_DAYS * DAY_MS),
      DUE_LIMIT,
    ]);

  // Both variants must answer the same question: compare them at one fixed instant first.
  const fixed = new Date();
  const fixedCtx: AppContext = { database, now: () => fixed };
  let sameResults = true;
  for (const ownerId of ownerIds) {
    const a = (await runUseCase(ownerId, fixedCtx)).map((p) => p.state.id).join(',');
    const b = (await raw(ownerId, fixed)).map((r) => r.id).join(',');
    if (a !== b) sameResults = false;
  }
  if (!sameResults) progress.log('WARNING: the use case and the raw SQL returned different promises');

  progress.log(
    `due in ${DUE_DAYS} days: ${ownerIds.length} owners (${Math.min(...counts)}–${Math.max(...counts)} promises each), ` +
      `warm-up ${cfg.due.warmup}, then ${cfg.due.iterations} iterations of each, interleaved`,
  );
  for (let i = 0; i < cfg.due.warmup; i++) {
    const ownerId = ownerIds[i % ownerIds.length]!;
    await runUseCase(ownerId);
    await raw(ownerId);
  }

  const useCaseMs: number[] = [];
  const rawMs: number[] = [];
  let useCaseRows = 0;
  let rawRows = 0;
  const timeUseCase = async (ownerId: string) => {
    const t0 = performance.now();
    const result = await runUseCase(ownerId);
    useCaseMs.push(performance.now() - t0);
    useCaseRows += result.length;
  };
  const timeRaw = async (ownerId: string) => {
    const t0 = performance.now();
    const result = await raw(ownerId);
    rawMs.push(performance.now() - t0);
    rawRows += result.length;
  };
  for (let i = 0; i < cfg.due.iterations; i++) {
    const ownerId = ownerIds[i % ownerIds.length]!;
    // Alternate which variant goes first, so neither always runs on the other's warm cache.
    if (i % 2 === 0) {
      await timeUseCase(ownerId);
      await timeRaw(ownerId);
    } else {
      await timeRaw(ownerId);
      await timeUseCase(ownerId);
    }
    progress.update(`due: ${i + 1}/${cfg.due.iterations}`);
  }
  const u = summarise(useCaseMs);
  const r = summarise(rawMs);
  const result: FoundationResult['due'] = {
    days: DUE_DAYS,
    limit: DUE_LIMIT,
    warmup: cfg.due.warmup,
    owners: { count: ownerIds.length, promisesEach: { min: Math.min(...counts), max: Math.max(...counts) } },
    sameResults,
    useCase: { ...u, avgRows: round(useCaseRows / cfg.due.iterations, 1) },
    raw: { ...r, avgRows: round(rawRows / cfg.due.iterations, 1) },
    ratioP50: round(u.p50 / r.p50, 2),
    ratioP99: round(u.p99 / r.p99, 2),
  };
  progress.log(
    `due: use case p50 ${u.p50} ms / p99 ${u.p99} ms, raw p50 ${r.p50} ms / p99 ${r.p99} ms, ` +
      `ratio p50 ${result.ratioP50}×, ${result.raw.avgRows} rows on average`,
  );
  return result;
}

async function benchCreate(
  ctx: AppContext,
  workspaceId: string,
  cfg: BenchConfig,
  progress: Progress,
): Promise<FoundationResult['create']> {
  // Real accounts with a contact, created by (and for) the account's owner.
  const targets = await ctx.database.raw<{
    account_id: string;
    owner_id: string;
    owner_role: Role;
    contact_id: string;
  }>(
    `select a.id as account_id, a.owner_id, u.role as owner_role, c.id as contact_id
       from accounts a
       join users u on u.workspace_id = a.workspace_id and u.id = a.owner_id
       join lateral (
         select id from contacts
          where workspace_id = a.workspace_id and account_id = a.id
          order by id limit 1
       ) c on true
      where a.workspace_id = $1
      order by a.id
      limit 1000`,
    [workspaceId],
  );
  if (targets.length === 0) throw new Error('no account with a contact in the benchmark workspace');
  const typeKeys = Object.keys(BUILTIN_PROMISE_TYPES);

  const createOne = async (i: number) => {
    const t = targets[i % targets.length]!;
    await createPromise(ctx, {
      principal: signedIn(workspaceId, { id: t.owner_id, role: t.owner_role }),
      input: {
        accountId: t.account_id,
        contactId: t.contact_id,
        typeKey: typeKeys[i % typeKeys.length]!,
        promiseMade: `Send the benchmark follow-up #${i} with the agreed figures`,
        customerReason: 'their finance team reviews it before the quarterly business review',
        ownerId: t.owner_id,
        dueAt: new Date(Date.now() + ((i % 30) + 1) * DAY_MS),
        emotion: 'urgent',
        consequence: 'renewal_risk',
        source: 'success',
        riskIndicators: [],
      },
    });
  };

  progress.log(`create: warm-up ${cfg.create.warmup}, then ${cfg.create.iterations} single creates`);
  for (let i = 0; i < cfg.create.warmup; i++) await createOne(i);
  const samples: number[] = [];
  for (let i = 0; i < cfg.create.iterations; i++) {
    const t0 = performance.now();
    await createOne(cfg.create.warmup + i);
    samples.push(performance.now() - t0);
    progress.update(`create: ${i + 1}/${cfg.create.iterations}`);
  }
  const s = summarise(samples);
  progress.log(`create: p50 ${s.p50} ms / p99 ${s.p99} ms`);
  return { ...s, warmup: cfg.create.warmup };
}
