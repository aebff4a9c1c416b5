import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { AppError } from '../errors.js';
import { type FolderLock, lockDataFolder } from './lock.js';
import * as schema from './schema.js';
import { OID, parseDate, parseInt8, parseNumeric } from './types.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Anything a repository function can run a query on: the database or an open transaction. */
export type Queryable = Db | Tx;

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** Human-readable location (folder or URL without password), for messages. */
  readonly location: string;
  readonly db: Db;
  /** Raw parameterised SQL straight on the driver (benchmark baselines, diagnostics). */
  raw<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs `fn` in one transaction with raw parameterised SQL (bulk loads) and multi-statement
   * scripts without parameters (migrations).
   */
  rawTransaction<T>(fn: (exec: RawExec, script: (text: string) => Promise<void>) => Promise<T>): Promise<T>;
  /** Runs a multi-statement script in one transaction. */
  script(text: string): Promise<void>;
  close(): Promise<void>;
}

export type RawExec = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

export interface ConnectOptions {
  databaseUrl?: string | undefined;
  dataDir?: string;
  /** In-memory PGlite (tests): no folder, no lock. */
  memory?: boolean;
  poolMax?: number;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

export async function connect(opts: ConnectOptions): Promise<Database> {
  if (opts.databaseUrl) return connectPostgres(opts.databaseUrl, opts.poolMax ?? 10);
  return connectPglite(opts);
}

async function connectPostgres(url: string, max: number): Promise<Database> {
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === OID.INT8) return parseInt8;
      if (oid === OID.NUMERIC) return parseNumeric;
      if (oid === OID.DATE) return parseDate;
      return pg.types.getTypeParser(oid, format);
    }) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString: url, max, types, connectionTimeoutMillis: 5000 });
  // An idle client losing its connection must not crash the process.
  pool.on('error', () => {});
  const location = redactUrl(url);
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new AppError(
      'database_unavailable',
      `cannot reach the database at ${location}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const db = drizzlePg(pool, { schema }) as unknown as Db;
  const self: Database = {
    kind: 'postgres',
    location,
    db,
    async raw(text, params = []) {
      return (await pool.query(text, params)).rows;
    },
    async rawTransaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn(
          async (text, params = []) => (await client.query(text, params)).rows,
          async (text) => {
            await client.query(text);
          },
        );
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async script(text) {
      await self.rawTransaction((_exec, script) => script(text));
    },
    async close() {
      await pool.end();
    },
  };
  return self;
}

async function connectPglite(opts: ConnectOptions): Promise<Database> {
  let lock: FolderLock | undefined;
  let dir: string | undefined;
  if (!opts.memory) {
    const dataDir = path.resolve(opts.dataDir ?? './data');
    lock = lockDataFolder(dataDir);
    dir = path.join(dataDir, 'pglite');
  }
  const parsers = { [OID.INT8]: parseInt8, [OID.NUMERIC]: parseNumeric, [OID.DATE]: parseDate };
  let client: PGlite;
  try {
    client = await PGlite.create(dir ? { dataDir: dir, parsers } : { parsers });
    await client.query('select 1');
  } catch (err) {
    lock?.release();
    throw new AppError(
      'database_unavailable',
      `cannot open the embedded database in ${dir ?? 'memory'}: ${(err as Error).message || String(err)}. ` +
        'The folder may be corrupt or written by an incompatible version; move it away or set PL_DATA_DIR to a new folder.',
      { cause: err },
    );
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  const self: Database = {
    kind: 'pglite',
    location: dir ?? 'memory',
    db,
    async raw(text, params = []) {
      return (await client.query(text, params)).rows as never[];
    },
    async rawTransaction(fn) {
      // PGlite's own transaction() serialises against every other query on the one connection.
      return client.transaction((tx) =>
        fn(
          async (text, params = []) => (await tx.query(text, params)).rows as never[],
          async (text) => {
            await tx.exec(text);
          },
        ),
      );
    },
    async script(text) {
      await self.rawTransaction((_exec, script) => script(text));
    },
    async close() {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
  return self;
}
