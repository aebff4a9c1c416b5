import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import * as schema from '../src/db/schema.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';

describe(`schema on ${ENGINE}`, () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  it('every Drizzle column exists in the migrated database with workspace_id leading each key', async () => {
    const cols = await db.database.raw<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns where table_schema = current_schema()`,
    );
    const have = new Set(cols.map((c) => `${c.table_name}.${c.column_name}`));
    for (const table of Object.values(schema) as PgTable[]) {
      const cfg = getTableConfig(table);
      for (const c of cfg.columns) expect(have, `${cfg.name}.${c.name}`).toContain(`${cfg.name}.${c.name}`);
      const pk =
        cfg.primaryKeys[0]?.columns.map((c) => c.name) ??
        cfg.columns.filter((c) => c.primary).map((c) => c.name);
      if (cfg.name !== 'workspaces') expect(pk[0], `${cfg.name} primary key`).toBe('workspace_id');
    }
  });

  it('both drivers give the same JS values: int8 and numeric as numbers, dates as strings', async () => {
    const [row] = await db.database.raw<Record<string, unknown>>(
      `select count(*) as n, 9007199254740991::int8 as big, 12.5::numeric as num, date '2026-12-25' as d, 3::int as i`,
    );
    expect(row).toEqual({ n: 1, big: 9007199254740991, num: 12.5, d: '2026-12-25', i: 3 });
    await expect(db.database.raw('select 9007199254740993::int8 as too_big')).rejects.toThrow(/safe integer/);
  });

  it('migrations are idempotent and a changed migration is refused', async () => {
    expect((await migrate(db.database)).applied).toEqual([]);
    await db.database.raw(
      `update schema_migrations set checksum = 'x' where version = (select min(version) from schema_migrations)`,
    );
    await expect(migrate(db.database)).rejects.toThrow(/was changed after it was applied/);
  });
});
