// Benchmark settings from the environment, validated once (zod), with the documented defaults.
import { z } from 'zod';

export type Engine = 'pglite' | 'postgres';
export const SUITES = ['foundation', 'api', 'business-time', 'reminders', 'measures'] as const;
export type Suite = (typeof SUITES)[number];

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const EnvSchema = z.object({
  /** Accounts in the generated workspace. */
  BENCH_ACCOUNTS: count(100_000),
  /** Promises in the generated workspace. */
  BENCH_PROMISES: count(1_000_000),
  /** Average events per promise handed to the generator (the actual count is reported). */
  BENCH_EVENTS_PER_PROMISE: z.coerce.number().min(3).max(50).default(5),
  /** Promises per generated chunk (one load transaction each). */
  BENCH_CHUNK_SIZE: count(5_000),
  /** Timed iterations of each variant of the "due in the next 7 days" query. */
  BENCH_DUE_ITERATIONS: count(2_000),
  /** Untimed iterations of each variant before timing starts. */
  BENCH_DUE_WARMUP: count(200),
  /** Owners the due query cycles through (those owning the most promises). */
  BENCH_DUE_OWNERS: count(50),
  /** Timed single-promise creates. */
  BENCH_CREATE_ITERATIONS: count(1_000),
  /** Untimed creates before timing starts. */
  BENCH_CREATE_WARMUP: count(50),
  /** Comma-separated subset of pglite,postgres. Default: pglite, plus postgres when a URL is set. */
  BENCH_ENGINES: z.string().optional(),
  /** Comma-separated subset of foundation,api. Default: both (api reuses foundation's loaded workspace). */
  BENCH_SUITES: z.string().optional(),
  /** API suite: seconds of load per endpoint (autocannon on loopback). */
  BENCH_API_DURATION_S: count(10),
  /** API suite: seconds of untimed load per endpoint before measuring. */
  BENCH_API_WARMUP_S: z.coerce.number().int().min(0).default(2),
  /** API suite: concurrent connections. */
  BENCH_API_CONNECTIONS: count(10),
  /** API suite: timed runs of the raw SQL of the due list (the baseline). */
  BENCH_API_RAW_ITERATIONS: count(1_000),
  /** Admin connection to the Postgres server (a fresh database is created on it and dropped). */
  /** Reminders suite: open promises in its workspace. */
  BENCH_REMINDERS_OPEN: count(1_000_000),
  /** Reminders suite: promises that come due during the lag run. */
  BENCH_REMINDERS_DUE: count(10_000),
  /** Reminders suite: seconds over which those come due. */
  BENCH_REMINDERS_WINDOW_S: count(20),
  /** Reminders suite: reminders due at once for the throughput run. */
  BENCH_REMINDERS_BURST: count(20_000),
  /** Measures suite: timed iterations of each variant (use case, raw SQL, HTTP). */
  BENCH_MEASURES_ITERATIONS: count(300),
  /** Measures suite: untimed iterations of each variant first. */
  BENCH_MEASURES_WARMUP: count(20),
  /** Measures suite: timed creates with the rollup triggers on, and as many with them off. */
  BENCH_MEASURES_CREATES: count(300),
  BENCH_DATABASE_URL: z.string().min(1).optional(),
  TEST_DATABASE_URL: z.string().min(1).optional(),
});

export interface BenchConfig {
  engines: Engine[];
  suites: Suite[];
  postgresUrl: string | undefined;
  accounts: number;
  promises: number;
  eventsPerPromise: number;
  chunkSize: number;
  due: { iterations: number; warmup: number; owners: number };
  create: { iterations: number; warmup: number };
  api: { durationS: number; warmupS: number; connections: number; rawIterations: number };
  reminders: { openPromises: number; due: number; windowS: number; burst: number };
  measures: { iterations: number; warmup: number; createIterations: number };
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const parsed = EnvSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k in EnvSchema.shape && v !== '')),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid benchmark settings: ${problems}`);
  }
  const e = parsed.data;
  const postgresUrl = e.BENCH_DATABASE_URL ?? e.TEST_DATABASE_URL;
  const engines = parseEngines(e.BENCH_ENGINES, postgresUrl !== undefined);
  if (engines.includes('postgres') && !postgresUrl) {
    throw new Error('BENCH_ENGINES includes postgres: set BENCH_DATABASE_URL or TEST_DATABASE_URL');
  }
  return {
    engines,
    suites: parseSuites(e.BENCH_SUITES),
    postgresUrl,
    accounts: e.BENCH_ACCOUNTS,
    promises: e.BENCH_PROMISES,
    eventsPerPromise: e.BENCH_EVENTS_PER_PROMISE,
    chunkSize: e.BENCH_CHUNK_SIZE,
    due: { iterations: e.BENCH_DUE_ITERATIONS, warmup: e.BENCH_DUE_WARMUP, owners: e.BENCH_DUE_OWNERS },
    create: { iterations: e.BENCH_CREATE_ITERATIONS, warmup: e.BENCH_CREATE_WARMUP },
    api: {
      durationS: e.BENCH_API_DURATION_S,
      warmupS: e.BENCH_API_WARMUP_S,
      connections: e.BENCH_API_CONNECTIONS,
      rawIterations: e.BENCH_API_RAW_ITERATIONS,
    },
    reminders: {
      openPromises: e.BENCH_REMINDERS_OPEN,
      due: e.BENCH_REMINDERS_DUE,
      windowS: e.BENCH_REMINDERS_WINDOW_S,
      burst: e.BENCH_REMINDERS_BURST,
    },
    measures: {
      iterations: e.BENCH_MEASURES_ITERATIONS,
      warmup: e.BENCH_MEASURES_WARMUP,
      createIterations: e.BENCH_MEASURES_CREATES,
    },
  };
}

function parseSuites(text: string | undefined): Suite[] {
  if (text === undefined) return [...SUITES];
  const names = [...new Set(text.split(',').map((s) => s.trim().toLowerCase()))].filter((s) => s !== '');
  for (const name of names) {
    if (!(SUITES as readonly string[]).includes(name)) {
      throw new Error(`BENCH_SUITES: unknown suite "${name}" (use ${SUITES.join(', ')}, comma-separated)`);
    }
  }
  if (names.length === 0) throw new Error(`BENCH_SUITES: name at least one suite (${SUITES.join(', ')})`);
  // Always in the order of SUITES: the API suite reuses the workspace the foundation suite loaded.
  return SUITES.filter((s) => names.includes(s));
}

function parseEngines(text: string | undefined, havePostgres: boolean): Engine[] {
  if (text === undefined) return havePostgres ? ['pglite', 'postgres'] : ['pglite'];
  const names = [...new Set(text.split(',').map((s) => s.trim().toLowerCase()))].filter((s) => s !== '');
  const engines: Engine[] = [];
  for (const name of names) {
    if (name !== 'pglite' && name !== 'postgres') {
      throw new Error(
        `BENCH_ENGINES: unknown engine "${name}" (use pglite, postgres or both, comma-separated)`,
      );
    }
    engines.push(name);
  }
  if (engines.length === 0) throw new Error('BENCH_ENGINES: name at least one engine (pglite, postgres)');
  return engines;
}
