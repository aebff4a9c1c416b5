// The measures benchmark on one engine: fulfilment by type by month over 12 months and the overdue-
// age dashboard, read from the promise rollups, through the use case and through HTTP (a real server
// on loopback, one request at a time), each against the from-scratch SQL of the same measure over
// the promises table in the same run (and checked to answer the same). While the dashboard requests
// are served, the event loop's delay is sampled (PGlite runs queries in-process: a long one stalls
// everything). Last, what the rollup triggers cost a promise create: creates with the triggers and
// with them disabled, interleaved in blocks, then one rebuild of the workspace's rollup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApiToken } from '../src/auth/api-tokens.js';
import type { Principal, Role } from '../src/auth/policy.js';
import type { AppContext } from '../src/context.js';
import { seedDemo } from '../src/demo/seed-demo.js';
import { buildServer } from '../src/http/server.js';
import { fulfilment } from '../src/measures/fulfilment.js';
import type { MeasureQuery, MeasureResult } from '../src/measures/measure.js';
import { overdueAge } from '../src/measures/overdue-age.js';
import { defaultRange, periodsCovering } from '../src/measures/period.js';
import { summariseAges } from '../src/measures/rollups.js';
import { createPromise } from '../src/promises/create-promise.js';
import { BUILTIN_PROMISE_TYPES } from '../src/promises/promise.js';
import type { BenchConfig, Engine } from './config.js';
import type { BenchDatabase } from './engines.js';
import { sourceVersion } from './foundation.js';
import { formatCount, formatSeconds, Progress } from './progress.js';
import { type LatencySummary, round, summarise } from './stats.js';

const DAY_MS = 86_400_000;
const SLUG = 'bench';
const FULFILMENT_URL = '/api/v1/measures/fulfilment?period=month&by=type';
const OVERDUE_URL = '/api/v1/measures/overdue-age';

interface Compared {
  /** The use case and the from-scratch SQL gave the same figures at one fixed instant. */
  sameResults: boolean;
  useCase: LatencySummary;
  http: LatencySummary;
  raw: LatencySummary;
  /** Use case p50 / raw p50, and p99 / p99. */
  ratioP50: number;
  ratioP99: number;
  httpRatioP50: number;
}

export interface MeasuresResult {
  bench: 'measures';
  engine: Engine;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  environment: {
    node: string;
    cpus: number;
    cpuModel: string;
    engineVersion: string;
    source: { commit: string; dirty: boolean } | null;
    loadAvg: { start: number; end: number };
  };
  workspace: {
    reused: boolean;
    loadMs: number | null;
    promises: number;
    rollupRows: number;
    overdue: number;
  };
  settings: { iterations: number; warmup: number; createIterations: number };
  fulfilmentByTypeByMonth: Compared & { periods: number; rows: number };
  overdueDashboard: Compared;
  /** Event-loop delay while the dashboard HTTP requests were served (ms). */
  eventLoop: { maxMs: number; p99Ms: number; meanMs: number };
  /** Single creates through the use case with the rollup triggers on and off (ms). */
  create: { withTriggers: LatencySummary; withoutTriggers: LatencySummary; ratioP50: number };
  /** One full rebuild of the workspace's rollup (what a zone change costs). */
  rebuildMs: number;
}

export async function runMeasures(
  bdb: BenchDatabase,
  cfg: BenchConfig,
  started: number,
): Promise<MeasuresResult> {
  const startedAt = new Date(Date.now() - (performance.now() - started)).toISOString();
  const { database, engine } = bdb;
  const loadAvgStart = round(os.loadavg()[0] ?? 0, 2);
  const progress = new Progress(`${engine} measures`);
  // One fixed "now" for the whole suite: the use case, the raw SQL and HTTP answer the same question.
  const now = new Date();
  const ctx: AppContext = { database, now: () => now };
  const ws = await loadWorkspace(ctx, cfg, progress);
  const workspaceId = ws.id;
  await database.raw('analyze promise_rollups');
  const [zoneRow] = await database.raw<{ zone: string }>(
    'select time_zone as zone from workspaces where id = $1',
    [workspaceId],
  );
  const zone = zoneRow!.zone;
  const range = defaultRange(now, 'month', zone);
  const periods = periodsCovering(range.from, range.to, 'month', zone);
  const fq: MeasureQuery = { workspaceId, zone, now, periods, granularity: 'month', by: 'type' };
  const oq: MeasureQuery = { workspaceId, zone, now, periods: [] };

  // Same answers first.
  const f = await fulfilment(ctx, fq);
  const fRaw = await rawFulfilment(ctx, fq);
  const fSame = sameFulfilment(f, fRaw);
  const o = await overdueAge(ctx, oq);
  const oRaw = await rawOverdue(ctx, oq);
  const oSame = sameOverdue(o, oRaw);
  if (!fSame) progress.log('WARNING: fulfilment from the rollup differs from the from-scratch SQL');
  if (!oSame) progress.log('WARNING: overdue age from the rollup differs from the from-scratch SQL');
  progress.log(
    `fulfilment: ${periods.length} months × ${new Set(f.rows.map((r) => r.dimension)).size} types; ` +
      `overdue now: ${oRaw.length} promises`,
  );

  const iterations = cfg.measures.iterations;
  const warmup = cfg.measures.warmup;
  const timePair = async (label: string, a: () => Promise<unknown>, b: () => Promise<unknown>) => {
    for (let i = 0; i < warmup; i++) {
      await a();
      await b();
    }
    const as: number[] = [];
    const bs: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const first = i % 2 === 0 ? a : b;
      const second = i % 2 === 0 ? b : a;
      const t0 = performance.now();
      await first();
      const t1 = performance.now();
      await second();
      const t2 = performance.now();
      (i % 2 === 0 ? as : bs).push(t1 - t0);
      (i % 2 === 0 ? bs : as).push(t2 - t1);
      progress.update(`${label}: ${i + 1}/${iterations}`);
    }
    return { a: summarise(as), b: summarise(bs) };
  };
  const fTimes = await timePair(
    'fulfilment',
    () => fulfilment(ctx, fq),
    () => rawFulfilment(ctx, fq),
  );
  progress.log(
    `fulfilment: use case p50 ${fTimes.a.p50} / p99 ${fTimes.a.p99} ms, raw p50 ${fTimes.b.p50} ms`,
  );
  const oTimes = await timePair(
    'overdue',
    () => overdueAge(ctx, oq),
    () => rawOverdue(ctx, oq),
  );
  progress.log(`overdue: use case p50 ${oTimes.a.p50} / p99 ${oTimes.a.p99} ms, raw p50 ${oTimes.b.p50} ms`);

  // HTTP, one request at a time, as the workspace admin with an API token.
  const [adminRow] = await database.raw<{ id: string; role: Role }>(
    `select id, role from users where workspace_id = $1 and role = 'admin' and active order by id limit 1`,
    [workspaceId],
  );
  const admin: Principal = {
    workspaceId,
    userId: adminRow!.id,
    role: adminRow!.role,
    grants: [],
    via: 'session',
    scope: 'read',
  };
  const token = await createApiToken(ctx, admin, { name: 'measures benchmark', scope: 'read' });
  const app = await buildServer(ctx);
  let fHttp: LatencySummary;
  let oHttp: LatencySummary;
  let eventLoop: MeasuresResult['eventLoop'];
  try {
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    const headers = { authorization: `Bearer ${token.token}` };
    const fetchTimes = async (url: string, label: string, during?: () => void) => {
      for (let i = 0; i < warmup; i++) await expectOk(await fetch(baseUrl + url, { headers }));
      during?.();
      const samples: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const t0 = performance.now();
        const res = await fetch(baseUrl + url, { headers });
        await expectOk(res);
        samples.push(performance.now() - t0);
        progress.update(`${label} over HTTP: ${i + 1}/${iterations}`);
      }
      return summarise(samples);
    };
    fHttp = await fetchTimes(FULFILMENT_URL, 'fulfilment');
    const h = monitorEventLoopDelay({ resolution: 1 });
    oHttp = await fetchTimes(OVERDUE_URL, 'overdue', () => h.enable());
    h.disable();
    eventLoop = {
      maxMs: round(h.max / 1e6, 2),
      p99Ms: round(h.percentile(99) / 1e6, 2),
      meanMs: round(h.mean / 1e6, 2),
    };
    progress.log(
      `HTTP: fulfilment p50 ${fHttp.p50} / p99 ${fHttp.p99} ms, overdue p50 ${oHttp.p50} / p99 ${oHttp.p99} ms; ` +
        `event-loop delay max ${eventLoop.maxMs} ms`,
    );
  } finally {
    await app.close();
  }

  const create = await benchCreate(ctx, workspaceId, cfg, progress);
  const t0 = performance.now();
  await database.raw('select promise_rollups_rebuild($1)', [workspaceId]);
  const rebuildMs = round(performance.now() - t0, 1);
  progress.log(`rollup rebuild: ${formatSeconds(rebuildMs)}`);
  const [rollupRows] = await database.raw<{ n: number }>(
    'select count(*)::int8 as n from promise_rollups where workspace_id = $1',
    [workspaceId],
  );

  const compared = (a: LatencySummary, b: LatencySummary, http: LatencySummary, same: boolean): Compared => ({
    sameResults: same,
    useCase: a,
    http,
    raw: b,
    ratioP50: round(a.p50 / b.p50, 3),
    ratioP99: round(a.p99 / b.p99, 3),
    httpRatioP50: round(http.p50 / b.p50, 3),
  });
  return {
    bench: 'measures',
    engine,
    startedAt,
    finishedAt: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
    environment: {
      node: process.version,
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      engineVersion: bdb.serverVersion,
      source: sourceVersion(),
      loadAvg: { start: loadAvgStart, end: round(os.loadavg()[0] ?? 0, 2) },
    },
    workspace: {
      reused: ws.reused,
      loadMs: ws.loadMs,
      promises: ws.promises,
      rollupRows: rollupRows?.n ?? 0,
      overdue: oRaw.length,
    },
    settings: { iterations, warmup, createIterations: cfg.measures.createIterations },
    fulfilmentByTypeByMonth: {
      ...compared(fTimes.a, fTimes.b, fHttp, fSame),
      periods: periods.length,
      rows: f.rows.length,
    },
    overdueDashboard: compared(oTimes.a, oTimes.b, oHttp, oSame),
    eventLoop,
    create,
    rebuildMs,
  };
}

async function expectOk(res: Response) {
  const body = await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${body.slice(0, 300)}`);
}

/** Fulfilment by type per period straight from the promises table (the definition, no rollup). */
async function rawFulfilment(ctx: AppContext, q: MeasureQuery) {
  return ctx.database.raw<{
    idx: number;
    v: string;
    kot: number;
    kl: number;
    br: number;
    opd: number;
    paused: number;
    cancelled: number;
  }>(
    `select per.idx::int4 as idx, p.type_key as v,
            count(*) filter (where p.status = 'kept' and not p.kept_late)::int8 as kot,
            count(*) filter (where p.status = 'kept' and p.kept_late)::int8 as kl,
            count(*) filter (where p.status = 'broken')::int8 as br,
            count(*) filter (where p.status = 'open' and (
              (p.paused_at is null and p.effective_due_at < $4)
              or (p.paused_at is not null and p.due_at + p.paused_ms * interval '1 millisecond' < p.paused_at)))::int8 as opd,
            count(*) filter (where p.status = 'open' and p.paused_at is not null
              and p.due_at + p.paused_ms * interval '1 millisecond' >= p.paused_at)::int8 as paused,
            count(*) filter (where p.status = 'cancelled')::int8 as cancelled
       from unnest($2::timestamptz[], $3::timestamptz[]) with ordinality as per(s, e, idx)
       join promises p
         on p.workspace_id = $1
        and coalesce(p.effective_due_at, p.due_at + p.paused_ms * interval '1 millisecond') >= per.s
        and coalesce(p.effective_due_at, p.due_at + p.paused_ms * interval '1 millisecond') < per.e
      group by 1, 2`,
    [q.workspaceId, q.periods.map((p) => p.start), q.periods.map((p) => p.end), q.now],
  );
}

function sameFulfilment(f: MeasureResult, raw: Awaited<ReturnType<typeof rawFulfilment>>): boolean {
  const keys = [...new Set(f.rows.map((r) => r.period))];
  const byKey = new Map(raw.map((r) => [`${r.idx - 1}|${r.v}`, r]));
  const fields = [
    ['keptOnTime', 'kot'],
    ['keptLate', 'kl'],
    ['broken', 'br'],
    ['openPastDue', 'opd'],
    ['paused', 'paused'],
    ['cancelled', 'cancelled'],
  ] as const;
  let matched = 0;
  for (const row of f.rows) {
    const r = byKey.get(`${keys.indexOf(row.period)}|${row.dimension}`);
    if (r) matched++;
    for (const [mine, theirs] of fields) if (row[mine] !== (r ? r[theirs] : 0)) return false;
  }
  return matched === raw.length;
}

/**
 * Overdue ages straight from the promises table: every open past-due promise with its clock running
 * (now − due), and every one paused after its due had passed (age frozen at the pause).
 */
async function rawOverdue(ctx: AppContext, q: MeasureQuery) {
  const rows = await ctx.database.raw<{ age: number }>(
    `select extract(epoch from ($2::timestamptz - effective_due_at))::float8 / 86400 as age
       from promises where workspace_id = $1 and status = 'open' and effective_due_at < $2
     union all
     select extract(epoch from (paused_at - due_at))::float8 / 86400 - paused_ms / 86400000.0
       from promises where workspace_id = $1 and status = 'open' and paused_at is not null
        and due_at + paused_ms * interval '1 millisecond' < paused_at`,
    [q.workspaceId, q.now],
  );
  return rows.map((r) => Number(r.age));
}

function sameOverdue(o: MeasureResult, ages: number[]): boolean {
  const s = summariseAges(ages);
  const row = o.rows[0];
  const r2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
  return (
    row !== undefined &&
    row.count === s.count &&
    row.medianDays === r2(s.median) &&
    row.p90Days === r2(s.p90) &&
    row.maxDays === r2(s.max) &&
    Object.entries(s.buckets).every(([k, v]) => row[k] === v)
  );
}

async function loadWorkspace(ctx: AppContext, cfg: BenchConfig, progress: Progress) {
  const [existing] = await ctx.database.raw<{ id: string }>('select id from workspaces where slug = $1', [
    SLUG,
  ]);
  let id = existing?.id;
  let loadMs: number | null = null;
  if (id) progress.log('reusing the workspace the foundation suite loaded');
  else {
    progress.log(
      `loading ${formatCount(cfg.accounts)} accounts, ${formatCount(cfg.promises)} promises (seedDemo)`,
    );
    const t0 = performance.now();
    const seeded = await seedDemo(
      { database: ctx.database, now: () => new Date() },
      {
        accounts: cfg.accounts,
        promises: cfg.promises,
        eventsPerPromise: cfg.eventsPerPromise,
        chunkSize: cfg.chunkSize,
        slug: SLUG,
        name: 'Benchmark workspace',
        onProgress: (done) =>
          progress.update(
            `promises ${formatCount(done.promises)}/${formatCount(cfg.promises)}, ${formatSeconds(performance.now() - t0)}`,
            done.promises === cfg.promises,
          ),
      },
    );
    loadMs = round(performance.now() - t0, 1);
    id = seeded.workspaceId;
    progress.log(`loaded in ${formatSeconds(loadMs)}`);
  }
  const [n] = await ctx.database.raw<{ n: number }>(
    'select count(*)::int8 as n from promises where workspace_id = $1',
    [id],
  );
  return { id, reused: loadMs === null, loadMs, promises: n?.n ?? 0 };
}

/**
 * Creates through the use case with the rollup triggers enabled and disabled, alternating blocks of
 * 25 so drift on the machine hits both alike. The rollup is rebuilt afterwards by the caller.
 */
async function benchCreate(
  ctx: AppContext,
  workspaceId: string,
  cfg: BenchConfig,
  progress: Progress,
): Promise<MeasuresResult['create']> {
  const targets = await ctx.database.raw<{ account_id: string; owner_id: string; role: Role }>(
    `select a.id as account_id, a.owner_id, u.role from accounts a
       join users u on u.workspace_id = a.workspace_id and u.id = a.owner_id and u.active
      where a.workspace_id = $1 order by a.id limit 500`,
    [workspaceId],
  );
  const types = Object.keys(BUILTIN_PROMISE_TYPES);
  let i = 0;
  const createOne = async () => {
    const t = targets[i % targets.length]!;
    i++;
    await createPromise(
      { database: ctx.database, now: () => new Date() },
      {
        principal: {
          workspaceId,
          userId: t.owner_id,
          role: t.role,
          grants: [],
          via: 'session',
          scope: 'write',
        },
        input: {
          accountId: t.account_id,
          typeKey: types[i % types.length]!,
          promiseMade: `Measures benchmark follow-up #${i}`,
          customerReason: 'their finance team reviews it first',
          ownerId: t.owner_id,
          dueAt: new Date(Date.now() + ((i % 30) + 1) * DAY_MS),
          source: 'success',
        },
      },
    );
  };
  const setTriggers = (on: boolean) =>
    ctx.database.script(
      ['promises_rollups_insert', 'promises_rollups_update', 'promises_rollups_delete']
        .map((t) => `alter table promises ${on ? 'enable' : 'disable'} trigger ${t};`)
        .join(' '),
    );
  const on: number[] = [];
  const off: number[] = [];
  const n = cfg.measures.createIterations;
  for (let w = 0; w < 20; w++) await createOne();
  try {
    for (let block = 0; on.length + off.length < 2 * n; block++) {
      const enabled = block % 2 === 0;
      await setTriggers(enabled);
      for (let k = 0; k < 25; k++) {
        const t0 = performance.now();
        await createOne();
        (enabled ? on : off).push(performance.now() - t0);
      }
      progress.update(`create: ${on.length + off.length}/${2 * n}`);
    }
  } finally {
    await setTriggers(true);
  }
  const withTriggers = summarise(on);
  const withoutTriggers = summarise(off);
  progress.log(`create p50: with rollup triggers ${withTriggers.p50} ms, without ${withoutTriggers.p50} ms`);
  return { withTriggers, withoutTriggers, ratioP50: round(withTriggers.p50 / withoutTriggers.p50, 3) };
}

/** Writes the result JSON to bench-results/ (as the other suites do). */
export function writeMeasuresResult(result: MeasuresResult): string {
  const dir = 'bench-results';
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `measures-${result.engine}-${result.startedAt.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
