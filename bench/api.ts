// The API benchmark on one engine: the real server (buildServer + listen on loopback) under load
// from autocannon — the owner's "due in the next 7 days" list and promise creation — with the raw
// SQL of the same list query timed in the same run as the baseline. Authenticated with API tokens
// made by createApiToken, one per owner, as an integration would.
//
// autocannon runs in a worker thread, so the load generator does not share the server's event
// loop. Its own histogram keeps whole milliseconds; the percentiles here come from every 2xx
// response's exact time (its `response` event), and its request rate is reported as is.
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type autocannon from 'autocannon';
import { createApiToken } from '../src/auth/api-tokens.js';
import type { Principal, Role } from '../src/auth/policy.js';
import type { AppContext } from '../src/context.js';
import { seedDemo } from '../src/demo/seed-demo.js';
import { buildServer } from '../src/http/server.js';
import { RAW_DUE_FOR_OWNER_SQL } from '../src/promises/promises.repo.js';
import type { BenchConfig, Engine } from './config.js';
import type { BenchDatabase } from './engines.js';
import { sourceVersion } from './foundation.js';
import { formatCount, formatSeconds, Progress } from './progress.js';
import { type LatencySummary, round, summarise } from './stats.js';

const DAY_MS = 86_400_000;
const DUE_DAYS = 7;
/** The list's default page size; the API reads one row more to know whether there is a next page. */
const PAGE = 50;
/** The workspace the foundation suite loads (reused when both suites run). */
const SLUG = 'bench';

export interface HttpFigures {
  /** 2xx responses per second over the timed window (autocannon's count / duration). */
  requestsPerSec: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Exact per-response latencies of the 2xx responses (ms). */
  latency: LatencySummary;
  /** autocannon's own summary (whole-millisecond histogram), for comparison with its CLI. */
  autocannon: { p50: number; p99: number; average: number };
}

export interface ApiResult {
  bench: 'api';
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
    source: { commit: string; dirty: boolean } | null;
    loadAvg: { start: number; end: number };
  };
  workspace: {
    /** Loaded by the foundation suite in this run (true) or by this suite (false). */
    reused: boolean;
    loadMs: number | null;
    promises: number;
    accounts: number;
  };
  settings: {
    durationS: number;
    warmupS: number;
    connections: number;
    owners: number;
    rawIterations: number;
  };
  /** The due list one request at a time (1 connection): latency without queueing, like the raw runs. */
  listSingle: HttpFigures;
  list: HttpFigures & {
    path: string;
    /** The API and the raw SQL returned the same promises, in order, for every owner at one instant. */
    sameResults: boolean;
    avgRows: number;
  };
  create: HttpFigures;
  /**
   * The workspace's open promises filtered by the computed risk level (read in batches and
   * assessed in process), against the same list without the filter, one request at a time.
   */
  riskLevel: { filtered: HttpFigures; unfiltered: HttpFigures; ratioP50: number; ratioP99: number };
  raw: LatencySummary & { avgRows: number; limit: number };
  /**
   * The headline: list API p50 / raw SQL p50 (and p99), one request at a time (like for like), and
   * under the load of `connections` (where a request also waits for the ones ahead of it).
   */
  ratio: { p50: number; p99: number; p50UnderLoad: number; p99UnderLoad: number };
}

interface Owner {
  id: string;
  role: Role;
  authorization: string;
  /** An account the owner owns, with a contact, for creates. */
  accountId: string;
  contactId: string | null;
}

/** `started` is the performance.now() before the suite began (or before the database was opened). */
export async function runApi(bdb: BenchDatabase, cfg: BenchConfig, started: number): Promise<ApiResult> {
  const startedAt = new Date(Date.now() - (performance.now() - started)).toISOString();
  const { database, engine } = bdb;
  const loadAvgStart = round(os.loadavg()[0] ?? 0, 2);
  const progress = new Progress(`${engine} api`);
  // The server's clock: real time, frozen only while both variants are compared.
  let frozen: Date | undefined;
  const ctx: AppContext = { database, now: () => frozen ?? new Date() };

  // 1. The workspace: the foundation suite's, or loaded here through the demo seed.
  const workspace = await loadWorkspace(ctx, cfg, progress);
  const owners = await prepareOwners(ctx, workspace.id, cfg.due.owners);
  progress.log(`${owners.length} owners, each with an API token; starting the server`);

  const app = await buildServer(ctx);
  try {
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    const listPath = (o: Owner) => `/api/v1/promises?owner=${o.id}&status=open&dueWithinDays=${DUE_DAYS}`;
    const raw = (ownerId: string, now = new Date()) =>
      database.raw<{ id: string }>(RAW_DUE_FOR_OWNER_SQL, [
        workspace.id,
        ownerId,
        now,
        new Date(now.getTime() + DUE_DAYS * DAY_MS),
        PAGE + 1,
      ]);

    // 2. Both answer the same question: the API's page is the raw query's first 50 rows.
    frozen = new Date();
    let sameResults = true;
    let listRows = 0;
    for (const o of owners) {
      const res = await fetch(`${baseUrl}${listPath(o)}`, { headers: { authorization: o.authorization } });
      if (res.status !== 200) throw new Error(`GET ${listPath(o)} → ${res.status}: ${await res.text()}`);
      const api = ((await res.json()) as { data: { id: string }[] }).data.map((p) => p.id);
      const sql = (await raw(o.id, frozen)).slice(0, PAGE).map((r) => r.id);
      listRows += api.length;
      if (api.join(',') !== sql.join(',')) sameResults = false;
    }
    frozen = undefined;
    if (!sameResults) progress.log('WARNING: the API and the raw SQL returned different promises');

    // 3. The raw SQL baseline, on the same database, right before the load.
    progress.log(
      `raw SQL: ${cfg.api.rawIterations} runs of the due query (limit ${PAGE + 1}), owners in turn`,
    );
    for (let i = 0; i < Math.min(100, cfg.api.rawIterations); i++) await raw(owners[i % owners.length]!.id);
    const rawMs: number[] = [];
    let rawRows = 0;
    for (let i = 0; i < cfg.api.rawIterations; i++) {
      const t0 = performance.now();
      const rows = await raw(owners[i % owners.length]!.id);
      rawMs.push(performance.now() - t0);
      rawRows += Math.min(rows.length, PAGE);
    }
    const rawSummary = summarise(rawMs);
    progress.log(`raw SQL: p50 ${rawSummary.p50} ms / p99 ${rawSummary.p99} ms`);

    // 4. The list one request at a time, then under load.
    const listRequests = owners.map((o) => ({
      method: 'GET' as const,
      path: listPath(o),
      headers: { authorization: o.authorization },
    }));
    const listSingle = await load(baseUrl, cfg, progress, 'GET due list, 1 connection', listRequests, 1);
    const list = await load(baseUrl, cfg, progress, 'GET due list', listRequests);

    // 4b. The risk-level filter, against the same open list without it (1 connection each).
    const openRequests = (query: string) =>
      owners.map((o) => ({
        method: 'GET' as const,
        path: `/api/v1/promises?status=open${query}`,
        headers: { authorization: o.authorization },
      }));
    const riskFiltered = await load(
      baseUrl,
      cfg,
      progress,
      'GET open list, riskLevel=high, 1 connection',
      openRequests('&riskLevel=high'),
      1,
    );
    const riskUnfiltered = await load(
      baseUrl,
      cfg,
      progress,
      'GET open list, 1 connection',
      openRequests(''),
      1,
    );

    // 5. Creation under load: each owner captures a promise on an account they own.
    const dueAt = new Date(Date.now() + 10 * DAY_MS).toISOString();
    const create = await load(
      baseUrl,
      cfg,
      progress,
      'POST promise',
      owners.map((o, i) => ({
        method: 'POST',
        path: '/api/v1/promises',
        headers: { authorization: o.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({
          accountId: o.accountId,
          ...(o.contactId ? { contactId: o.contactId } : {}),
          typeKey: 'product_follow_up',
          promiseMade: `Send the API benchmark follow-up #${i} with the agreed figures`,
          customerReason: 'their finance team reviews it before the quarterly business review',
          ownerId: o.id,
          dueAt,
          emotion: 'urgent',
          source: 'success',
        }),
      })),
    );

    return {
      bench: 'api',
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
        source: sourceVersion(),
        loadAvg: { start: loadAvgStart, end: round(os.loadavg()[0] ?? 0, 2) },
      },
      workspace: {
        reused: workspace.reused,
        loadMs: workspace.loadMs,
        promises: workspace.promises,
        accounts: workspace.accounts,
      },
      settings: {
        durationS: cfg.api.durationS,
        warmupS: cfg.api.warmupS,
        connections: cfg.api.connections,
        owners: owners.length,
        rawIterations: cfg.api.rawIterations,
      },
      list: {
        ...list,
        path: listPath({ id: '<owner>' } as Owner),
        sameResults,
        avgRows: round(listRows / owners.length, 1),
      },
      create,
      riskLevel: {
        filtered: riskFiltered,
        unfiltered: riskUnfiltered,
        ratioP50: round(riskFiltered.latency.p50 / riskUnfiltered.latency.p50, 2),
        ratioP99: round(riskFiltered.latency.p99 / riskUnfiltered.latency.p99, 2),
      },
      raw: { ...rawSummary, avgRows: round(rawRows / cfg.api.rawIterations, 1), limit: PAGE + 1 },
      listSingle,
      ratio: {
        p50: round(listSingle.latency.p50 / rawSummary.p50, 2),
        p99: round(listSingle.latency.p99 / rawSummary.p99, 2),
        p50UnderLoad: round(list.latency.p50 / rawSummary.p50, 2),
        p99UnderLoad: round(list.latency.p99 / rawSummary.p99, 2),
      },
    };
  } finally {
    await app.close();
  }
}

async function loadWorkspace(ctx: AppContext, cfg: BenchConfig, progress: Progress) {
  const count = async (table: string, workspaceId: string) => {
    const [row] = await ctx.database.raw<{ n: number | string }>(
      `select count(*)::int8 as n from ${table} where workspace_id = $1`,
      [workspaceId],
    );
    return Number(row?.n ?? 0);
  };
  const [existing] = await ctx.database.raw<{ id: string }>('select id from workspaces where slug = $1', [
    SLUG,
  ]);
  let id = existing?.id;
  let loadMs: number | null = null;
  if (id) {
    progress.log('reusing the workspace the foundation suite loaded');
  } else {
    progress.log(
      `loading ${formatCount(cfg.accounts)} accounts, ${formatCount(cfg.promises)} promises (seedDemo)`,
    );
    const t0 = performance.now();
    const seeded = await seedDemo(ctx, {
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
    });
    loadMs = round(performance.now() - t0, 1);
    id = seeded.workspaceId;
    progress.log(`loaded in ${formatSeconds(loadMs)}`);
  }
  return {
    id,
    reused: loadMs === null,
    loadMs,
    promises: await count('promises', id),
    accounts: await count('accounts', id),
  };
}

/** The owners with the most promises who also own an account, each with a write API token. */
async function prepareOwners(ctx: AppContext, workspaceId: string, limit: number): Promise<Owner[]> {
  const rows = await ctx.database.raw<{
    owner_id: string;
    role: Role;
    account_id: string;
    contact_id: string | null;
  }>(
    `select p.owner_id, u.role, a.id as account_id,
            (select c.id from contacts c where c.workspace_id = a.workspace_id and c.account_id = a.id
              order by c.id limit 1) as contact_id
       from (select owner_id, count(*) as n from promises where workspace_id = $1
              group by owner_id order by count(*) desc, owner_id limit $2) p
       join users u on u.workspace_id = $1 and u.id = p.owner_id and u.active
       join lateral (select id, workspace_id from accounts
                      where workspace_id = $1 and owner_id = p.owner_id order by id limit 1) a on true
      order by p.n desc, p.owner_id`,
    [workspaceId, limit],
  );
  if (rows.length === 0) throw new Error('no promise owner who owns an account in the benchmark workspace');
  const owners: Owner[] = [];
  for (const r of rows) {
    const principal: Principal = {
      workspaceId,
      userId: r.owner_id,
      role: r.role,
      grants: [],
      via: 'session',
      scope: 'write',
    };
    const token = await createApiToken(ctx, principal, { name: 'api benchmark', scope: 'write' });
    owners.push({
      id: r.owner_id,
      role: r.role,
      authorization: `Bearer ${token.token}`,
      accountId: r.account_id,
      contactId: r.contact_id,
    });
  }
  return owners;
}

type Request = { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string };

/** A warm-up, then the timed window, of `requests` (cycled by every connection). */
async function load(
  baseUrl: string,
  cfg: BenchConfig,
  progress: Progress,
  label: string,
  requests: Request[],
  connections = cfg.api.connections,
): Promise<HttpFigures> {
  const opts = { url: baseUrl, connections, requests };
  if (cfg.api.warmupS > 0) {
    progress.log(`${label}: warm-up ${cfg.api.warmupS} s`);
    await inWorker({ ...opts, duration: cfg.api.warmupS });
  }
  progress.log(`${label}: ${cfg.api.durationS} s, ${connections} connection(s)`);
  const { result, samples } = await inWorker({ ...opts, duration: cfg.api.durationS });
  const latency = summarise(samples);
  const ok = result['2xx'];
  const figures: HttpFigures = {
    requestsPerSec: round(ok / cfg.api.durationS, 1),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latency,
    autocannon: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      average: result.latency.average,
    },
  };
  progress.log(
    `${label}: ${figures.requestsPerSec} req/s, p50 ${latency.p50} ms / p99 ${latency.p99} ms` +
      (figures.non2xx || figures.errors ? ` — ${figures.non2xx} non-2xx, ${figures.errors} errors` : ''),
  );
  if (ok === 0)
    throw new Error(`${label}: no successful response (${figures.non2xx} non-2xx, ${figures.errors} errors)`);
  return figures;
}

// The worker is plain CommonJS (no TypeScript loader needed in it).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const autocannon = require(workerData.autocannon);
const samples = [];
const instance = autocannon(workerData.opts);
instance.then(
  (raw) => {
    // In a worker thread autocannon hands back raw histograms (for its own multi-worker mode).
    const result = autocannon.aggregateResult([raw], workerData.opts);
    parentPort.postMessage({ result: JSON.parse(JSON.stringify(result)), samples });
  },
  (err) => parentPort.postMessage({ error: String((err && err.stack) || err) }),
);
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  if (statusCode >= 200 && statusCode < 300) samples.push(responseTime);
});
`;

async function inWorker(opts: autocannon.Options): Promise<{ result: autocannon.Result; samples: number[] }> {
  const path = createRequire(import.meta.url).resolve('autocannon');
  const worker = new Worker(WORKER, { eval: true, workerData: { autocannon: path, opts } });
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', (m: { error?: string; result: autocannon.Result; samples: number[] }) =>
        m.error ? reject(new Error(m.error)) : resolve(m),
      );
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`autocannon worker exited with ${code}`)));
    });
  } finally {
    await worker.terminate();
  }
}
