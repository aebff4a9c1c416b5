import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../src/db/connect.js';
import { createCheckpoint } from '../src/ledger/checkpoint.js';
import { loadOrCreateSigningKey } from '../src/ledger/keys.js';
import { verifyLedger } from '../src/ledger/verify-ledger.js';
import { changePromise } from '../src/promises/change-promise.js';
import { ENGINE, openTestDb, type TestDb } from './support/db.js';
import { buildPromise, principalFor } from './support/factories.js';
import { runCli } from './support/run-cli.js';

describe(`ledger on ${ENGINE}`, () => {
  let db: TestDb;
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-key-'));
  const key = loadOrCreateSigningKey(path.join(keyDir, 'key.pem'));
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  it('rejects UPDATE, DELETE and TRUNCATE on promise_events', async () => {
    const p = await buildPromise(db.ctx);
    await expect(
      db.database.raw(`update promise_events set type = 'kept' where promise_id = $1`, [p.promiseId]),
    ).rejects.toThrow(/append-only/);
    await expect(
      db.database.raw('delete from promise_events where promise_id = $1', [p.promiseId]),
    ).rejects.toThrow(/append-only/);
    await expect(db.database.raw('truncate promise_events cascade')).rejects.toThrow(/append-only/);
    const [row] = await db.database.raw<{ n: number }>(
      'select count(*)::int as n from promise_events where promise_id = $1',
      [p.promiseId],
    );
    expect(row!.n).toBe(1);
  });

  it('keeps a gapless sequence when changes to one promise race', async () => {
    const p = await buildPromise(db.ctx);
    const principal = await principalFor(db.ctx, p.workspaceId, p.ownerId);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        changePromise(db.ctx, {
          principal,
          promiseId: p.promiseId,
          command: { kind: 'comment', text: `note ${i}` },
        }),
      ),
    );
    const rows = await db.database.raw<{ seq: number }>(
      'select seq from promise_events where workspace_id = $1 and promise_id = $2 order by seq',
      [p.workspaceId, p.promiseId],
    );
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    const report = await verifyLedger(db.ctx, { workspace: p.workspaceId });
    expect(report.ok).toBe(true);
  });

  it('a rule violation writes nothing', async () => {
    const p = await buildPromise(db.ctx);
    await changePromise(db.ctx, {
      principal: await principalFor(db.ctx, p.workspaceId, p.ownerId),
      promiseId: p.promiseId,
      command: { kind: 'cancel', reason: 'customer withdrew' },
    });
    await expect(
      changePromise(db.ctx, {
        principal: await principalFor(db.ctx, p.workspaceId, p.ownerId),
        promiseId: p.promiseId,
        command: { kind: 'keep', proof: { kind: 'email_sent', note: 'x' }, recoveryStrength: 'task_closed' },
      }),
    ).rejects.toMatchObject({ code: 'invalid_transition' });
    const [row] = await db.database.raw<{ n: number; v: number }>(
      'select (select count(*)::int from promise_events where promise_id = $1) as n, (select version from promises where id = $1) as v',
      [p.promiseId],
    );
    expect(row).toEqual({ n: 2, v: 2 });
  });

  it('verify catches an event altered directly in SQL, naming it; and a checkpoint catches a rewritten stream', async () => {
    const p = await buildPromise(db.ctx);
    for (const text of ['called Maya', 'sent draft']) {
      await changePromise(db.ctx, {
        principal: await principalFor(db.ctx, p.workspaceId, p.ownerId),
        promiseId: p.promiseId,
        command: { kind: 'comment', text },
      });
    }
    await createCheckpoint(db.ctx, { workspace: p.workspaceId, key });
    expect(
      (await verifyLedger(db.ctx, { workspace: p.workspaceId, trustedPublicKeyPem: key.publicKeyPem })).ok,
    ).toBe(true);

    const [ev] = await db.database.raw<{ id: string }>(
      'select id from promise_events where promise_id = $1 and seq = 2',
      [p.promiseId],
    );
    await db.database.script(
      `alter table promise_events disable trigger promise_events_no_update;
       update promise_events set payload = '{"text":"we never promised that"}' where promise_id = '${p.promiseId}' and seq = 2;
       alter table promise_events enable trigger promise_events_no_update;`,
    );
    const bad = await verifyLedger(db.ctx, { workspace: p.workspaceId });
    expect(bad.ok).toBe(false);
    expect(bad.problem).toMatchObject({ promiseId: p.promiseId, seq: 2, eventId: ev!.id });
    expect(bad.problem!.reason).toMatch(/altered after it was written/);

    // Rewrite the whole stream consistently (hashes recomputed): chains pass, the signed root does not.
    const { hashEvent, canonicalEvent } = await import('../src/ledger/chain.js');
    const rows = await db.database.raw<Record<string, unknown>>(
      'select * from promise_events where promise_id = $1 order by seq',
      [p.promiseId],
    );
    let prev = '0'.repeat(64);
    const statements: string[] = ['alter table promise_events disable trigger promise_events_no_update;'];
    for (const r of rows) {
      const e = {
        workspaceId: r.workspace_id as string,
        promiseId: r.promise_id as string,
        seq: r.seq as number,
        id: r.id as string,
        type: r.type as 'commented',
        actorId: r.actor_id as string,
        occurredAt: (r.occurred_at as Date).toISOString(),
        payload: r.payload as never,
        prevHash: prev,
      };
      const h = hashEvent(e);
      statements.push(
        `update promise_events set prev_hash = '${prev}', hash = '${h}', body = '${canonicalEvent(e).replaceAll("'", "''")}' where promise_id = '${p.promiseId}' and seq = ${e.seq};`,
      );
      prev = h;
    }
    statements.push(`update promises set head_hash = '${prev}' where id = '${p.promiseId}';`);
    statements.push('alter table promise_events enable trigger promise_events_no_update;');
    await db.database.script(statements.join('\n'));
    const rewritten = await verifyLedger(db.ctx, { workspace: p.workspaceId });
    expect(rewritten.ok).toBe(false);
    expect(rewritten.problem!.reason).toMatch(/does not match the root signed in checkpoint/);
  });

  it.each([
    ['the payload', `set payload = '{"text":"never said"}'`, /columns differ/],
    ['the type', `set type = 'kept'`, /columns differ/],
    ['the actor', `set actor_id = workspace_id`, /columns differ|violates/],
    ['the time', `set occurred_at = occurred_at - interval '1 day'`, /columns differ/],
    ['the hashed body', `set body = replace(body, 'note', 'n0te')`, /hash does not match/],
    ['the stored hash', `set hash = repeat('a', 64)`, /hash does not match/],
    ['the link to the previous event', `set prev_hash = repeat('b', 64)`, /prev_hash does not match/],
    ['the sequence number', `set seq = 7`, /sequence gap/],
  ])('verify names the event when %s is altered in SQL', async (_what, change, reason) => {
    const p = await buildPromise(db.ctx);
    const principal = await principalFor(db.ctx, p.workspaceId, p.ownerId);
    for (const text of ['note one', 'note two']) {
      await changePromise(db.ctx, { principal, promiseId: p.promiseId, command: { kind: 'comment', text } });
    }
    const [ev] = await db.database.raw<{ id: string }>(
      'select id from promise_events where promise_id = $1 and seq = 2',
      [p.promiseId],
    );
    try {
      await db.database.script(
        `alter table promise_events disable trigger promise_events_no_update;
         update promise_events ${change} where promise_id = '${p.promiseId}' and seq = 2;
         alter table promise_events enable trigger promise_events_no_update;`,
      );
    } catch (err) {
      // A change the schema itself refuses (e.g. an actor that is not a user) cannot be made.
      expect(String(err)).toMatch(reason);
      return;
    }
    const r = await verifyLedger(db.ctx, { workspace: p.workspaceId });
    expect(r.ok).toBe(false);
    expect(r.problem).toMatchObject({ promiseId: p.promiseId, seq: change.includes('seq =') ? 3 : 2 });
    if (!change.includes('seq =')) expect(r.problem!.eventId).toBe(ev!.id);
    expect(r.problem!.reason).toMatch(reason);
  });

  it('verify catches a deleted history and a forged checkpoint', async () => {
    const p = await buildPromise(db.ctx);
    const cp = await createCheckpoint(db.ctx, { workspace: p.workspaceId, key });
    const forged = { ...cp, eventCount: cp.eventCount + 1 };
    const r1 = await verifyLedger(db.ctx, { checkpoint: forged });
    expect(r1.problem!.reason).toMatch(/invalid signature/);
    const other = loadOrCreateSigningKey(path.join(keyDir, 'other.pem'));
    const r2 = await verifyLedger(db.ctx, { checkpoint: cp, trustedPublicKeyPem: other.publicKeyPem });
    expect(r2.problem!.reason).toMatch(/not signed by this installation/);

    await db.database.script(
      `alter table promise_events disable trigger promise_events_no_update;
       delete from promise_events where promise_id = '${p.promiseId}';
       alter table promise_events enable trigger promise_events_no_update;`,
    );
    const r3 = await verifyLedger(db.ctx, { workspace: p.workspaceId });
    expect(r3.ok).toBe(false);
    expect(r3.problem).toMatchObject({ promiseId: p.promiseId });
  });
});

describe('verify from the command line', () => {
  it('exits 0 on an intact ledger and 1 naming the first bad event after tampering', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-cli-'));
    let env: Record<string, string | undefined> = {
      PL_DATA_DIR: dir,
      PL_SIGNING_KEY_FILE: path.join(dir, 'key.pem'),
    };
    let pgDb: TestDb | undefined;
    if (ENGINE === 'postgres') {
      pgDb = await openTestDb('postgres');
      env = { ...env, DATABASE_URL: pgDb.url };
    }
    try {
      const seeded = await runCli(['demo', '--accounts', '5', '--promises', '30'], env);
      expect(seeded.code, seeded.stderr).toBe(0);
      const cpFile = path.join(dir, 'cp.json');
      const cp = await runCli(['checkpoint', '--workspace', 'demo', '--out', cpFile], env);
      expect(cp.code, cp.stderr).toBe(0);
      const ok = await runCli(['verify', '--checkpoint', cpFile], env);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/OK: every chain is intact/);

      const database = pgDb ? pgDb.database : await connect({ dataDir: dir });
      const [ev] = await database.raw<{ id: string; promise_id: string; seq: number }>(
        'select id, promise_id, seq from promise_events where seq = 2 order by promise_id limit 1',
      );
      await database.script(
        `alter table promise_events disable trigger promise_events_no_update;
         update promise_events set occurred_at = occurred_at + interval '1 second' where id = '${ev!.id}';
         alter table promise_events enable trigger promise_events_no_update;`,
      );
      if (!pgDb) await database.close();
      const bad = await runCli(['verify', '--workspace', 'demo'], env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(`promise ${ev!.promise_id}, event seq 2 (event ${ev!.id})`);

      const unknown = await runCli(['verify', '--workspace', 'no-such-workspace'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/workspace no-such-workspace not found/);
      const badFile = await runCli(['verify', '--checkpoint', path.join(dir, 'missing.json')], env);
      expect(badFile.code).toBe(1);
      expect(badFile.stderr).toMatch(/cannot read checkpoint file/);
    } finally {
      await pgDb?.close();
    }
    // Seven CLI processes, each opening the database: about 18 s on an idle machine, and several times
    // that when the suite shares the machine's two cores.
  }, 180_000);
});
