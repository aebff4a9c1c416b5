// Behaviour that needs a real PostgreSQL server: several processes on one database.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../src/db/migrate.js';
import { verifyLedger } from '../src/ledger/verify-ledger.js';
import { openTestDb, POSTGRES_URL, SKIP_POSTGRES_REASON, type TestDb } from './support/db.js';
import { buildPromise, tokenHeaders } from './support/factories.js';
import { runCli, startServer } from './support/run-cli.js';

if (!POSTGRES_URL) console.log(`test/postgres.test.ts: ${SKIP_POSTGRES_REASON}`);

describe.skipIf(!POSTGRES_URL)('several processes on one Postgres database', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDb('postgres');
  });
  afterAll(async () => {
    await db.close();
  });

  it('concurrent migrate runs from three processes on an empty database all succeed', async () => {
    const fresh = await openTestDb('postgres', new Date(), { migrate: false });
    try {
      const results = await Promise.all(
        [1, 2, 3].map(() => runCli(['migrate'], { DATABASE_URL: fresh.url })),
      );
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      expect(results.filter((r) => /Applied \d+ migration/.test(r.stdout)).length).toBeGreaterThanOrEqual(1);
      const [applied] = await fresh.database.raw<{ n: number }>(
        'select count(*)::int as n from schema_migrations',
      );
      expect(applied!.n).toBe(fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).length);
    } finally {
      await fresh.close();
    }
  });

  it('two server instances appending to one promise keep its stream gapless', async () => {
    const p = await buildPromise(db.ctx);
    const headers = {
      'content-type': 'application/json',
      ...(await tokenHeaders(db.ctx, p.workspaceId, p.ownerId)),
    };
    const servers = [
      startServer({ DATABASE_URL: db.url, PORT: '0' }),
      startServer({ DATABASE_URL: db.url, PORT: '0' }),
    ];
    try {
      const urls = await Promise.all(servers.map((s) => s.ready));
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          fetch(`${urls[i % 2]}/api/v1/promises/${p.promiseId}/comments`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ text: `update ${i}` }),
          }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(30).fill(201));
      const seqs = await db.database.raw<{ seq: number }>(
        'select seq from promise_events where promise_id = $1 order by seq',
        [p.promiseId],
      );
      expect(seqs.map((r) => r.seq)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
      expect((await verifyLedger(db.ctx, { workspace: p.workspaceId })).ok).toBe(true);
    } finally {
      for (const s of servers) s.child.kill('SIGTERM');
    }
  });
});
