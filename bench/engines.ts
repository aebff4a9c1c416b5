// A throwaway database per engine: a fresh PGlite folder under the temp dir, or a fresh database on
// the Postgres server. Each is migrated with the project's own migrations and removed by dispose().
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { connect, type Database, redactUrl } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import type { Engine } from './config.js';

export interface BenchDatabase {
  readonly engine: Engine;
  readonly database: Database;
  /** Where the data lives (folder, or URL without password). */
  readonly location: string;
  /** `server_version` as the engine reports it. */
  readonly serverVersion: string;
  readonly migrateMs: number;
  /** Closes every connection and removes the data. Safe to call more than once. */
  dispose(): Promise<void>;
}

export async function openBenchDatabase(
  engine: Engine,
  postgresUrl: string | undefined,
): Promise<BenchDatabase> {
  if (engine === 'postgres') {
    if (!postgresUrl) throw new Error('postgres: no BENCH_DATABASE_URL / TEST_DATABASE_URL');
    return openPostgres(postgresUrl);
  }
  return openPglite();
}

async function openPglite(): Promise<BenchDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-'));
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  let database: Database;
  try {
    database = await connect({ dataDir: dir });
  } catch (err) {
    removeDir();
    throw err;
  }
  return prepare('pglite', database, dir, async () => {
    try {
      await database.close();
    } finally {
      removeDir();
    }
  });
}

async function openPostgres(adminUrl: string): Promise<BenchDatabase> {
  const name = `pl_bench_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`create database ${name}`));
  const drop = () => withAdmin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let database: Database;
  try {
    database = await connect({ databaseUrl: url.toString() });
  } catch (err) {
    await drop();
    throw err;
  }
  return prepare('postgres', database, redactUrl(url.toString()), async () => {
    try {
      await database.close();
    } finally {
      await drop();
    }
  });
}

async function prepare(
  engine: Engine,
  database: Database,
  location: string,
  remove: () => Promise<void>,
): Promise<BenchDatabase> {
  let disposing: Promise<void> | undefined;
  const dispose = () => {
    disposing ??= remove();
    return disposing;
  };
  try {
    const started = performance.now();
    await migrate(database);
    const migrateMs = performance.now() - started;
    const [version] = await database.raw<{ server_version: string }>('show server_version');
    return {
      engine,
      database,
      location,
      serverVersion: version?.server_version ?? 'unknown',
      migrateMs,
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
