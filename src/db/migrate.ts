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
  await database.script(
    `create table if not exists schema_migrations (
       version text primary key,
       checksum text not null,
       applied_at timestamptz not null default now()
     )`,
  );
  const files = fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{14}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const done = new Map(
    (await database.raw<{ version: string; checksum: string }>('select version, checksum from schema_migrations')).map(
      (r) => [r.version, r.checksum],
    ),
  );
  const applied: string[] = [];
  for (const file of files) {
    const text = fs.readFileSync(`${MIGRATIONS_DIR}${file}`, 'utf8');
    const checksum = createHash('sha256').update(text).digest('hex');
    const seen = done.get(file);
    if (seen !== undefined) {
      if (seen !== checksum) {
        throw new Error(`migration ${file} was changed after it was applied; add a new migration instead`);
      }
      continue;
    }
    // On Postgres several servers may start at once: the advisory lock makes the others wait, and
    // the insert into schema_migrations (primary key) turns a lost race into a clean failure.
    const guard = database.kind === 'postgres' ? 'select pg_advisory_xact_lock(738201);\n' : '';
    await database.script(`${guard}${text}`, {
      text: 'insert into schema_migrations (version, checksum) values ($1, $2)',
      params: [file, checksum],
    });
    applied.push(file);
  }
  return { applied, alreadyApplied: done.size };
}
