import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from './connect.js';

/** Plain timestamped .sql files, applied in name order, each in its own transaction. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

export async function migrate(database: Database): Promise<MigrationResult> {
  await database.rawTransaction(async (exec, script) => {
    // Under the same lock as the migrations: two `create table if not exists` at once on an empty
    // Postgres database can both try to create the table's type, and one fails on pg_type's key.
    if (database.kind === 'postgres') await exec('select pg_advisory_xact_lock(738201)');
    await script(
      `create table if not exists schema_migrations (
         version text primary key,
         checksum text not null,
         applied_at timestamptz not null default now()
       )`,
    );
  });
  const files = fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{14}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const applied: string[] = [];
  let alreadyApplied = 0;
  for (const file of files) {
    const text = fs.readFileSync(`${MIGRATIONS_DIR}${file}`, 'utf8');
    const checksum = createHash('sha256').update(text).digest('hex');
    const ran = await database.rawTransaction(async (exec, script) => {
      // Several servers may start at once on Postgres: the lock makes the others wait, and they
      // then see the migration as applied. (PGlite has one connection, so nothing to wait for.)
      if (database.kind === 'postgres') await exec('select pg_advisory_xact_lock(738201)');
      const [seen] = await exec<{ checksum: string }>(
        'select checksum from schema_migrations where version = $1',
        [file],
      );
      if (seen) {
        if (seen.checksum !== checksum) {
          throw new Error(`migration ${file} was changed after it was applied; add a new migration instead`);
        }
        return false;
      }
      await script(text);
      await exec('insert into schema_migrations (version, checksum) values ($1, $2)', [file, checksum]);
      return true;
    });
    if (ran) applied.push(file);
    else alreadyApplied += 1;
  }
  return { applied, alreadyApplied };
}
