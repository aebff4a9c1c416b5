// Test databases: PGlite in memory, or a fresh database on the Postgres server named by
// TEST_DATABASE_URL (created per test file, dropped afterwards). Never a mocked database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { AppContext } from '../../src/context.js';
import { connect, type Database } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';

export type Engine = 'pglite' | 'postgres';

/** The engine this run tests: Postgres when TEST_DATABASE_URL is set, else embedded PGlite. */
export const ENGINE: Engine = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
export const POSTGRES_URL = process.env.TEST_DATABASE_URL;
export const SKIP_POSTGRES_REASON =
  'TEST_DATABASE_URL is unset: Postgres-only tests skipped (set it to run them)';

export interface TestDb {
  database: Database;
  ctx: AppContext;
  /** A settable clock: tests move time explicitly. */
  clock: { now: Date };
  /** The connection URL (Postgres only), for child processes. */
  url?: string;
  close(): Promise<void>;
}

async function createPgDatabase(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `pl_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function openTestDb(
  engine: Engine = ENGINE,
  start = new Date('2026-11-02T09:00:00Z'),
  opts: { migrate?: boolean } = {},
): Promise<TestDb> {
  const clock = { now: start };
  let database: Database;
  let drop: (() => Promise<void>) | undefined;
  let url: string | undefined;
  if (engine === 'postgres') {
    if (!POSTGRES_URL) throw new Error(SKIP_POSTGRES_REASON);
    const created = await createPgDatabase(POSTGRES_URL);
    drop = created.drop;
    url = created.url;
    database = await connect({ databaseUrl: url, poolMax: 10 });
  } else {
    database = await connect({ memory: true });
  }
  if (opts.migrate !== false) await migrate(database);
  const ctx: AppContext = { database, now: () => clock.now };
  return {
    database,
    ctx,
    clock,
    ...(url ? { url } : {}),
    async close() {
      await database.close();
      await drop?.();
    },
  };
}
