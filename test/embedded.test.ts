// The embedded (PGlite) mode as a user runs it: `serve` in a process, on a data folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startServer } from './support/run-cli.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pl-embedded-'));

describe('embedded data folder', () => {
  it('first start seeds the demo and serves /healthz; a second process on the same folder fails fast naming the PID', async () => {
    const dir = tmp();
    const env = { PL_DATA_DIR: dir, PORT: '0' };
    const a = startServer(env);
    try {
      const url = await a.ready;
      expect(a.output()).toMatch(/Demo workspace "demo" ready: 50 accounts, 400 promises/);
      expect(a.output()).toMatch(/Admin login: admin@demo\.promise-ledger\.example \/ \S{12,}/);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', database: 'pglite' });
      // The printed login works: sign in and see the admin's open promises due in the next week.
      const [, email, password] = /Admin login: (\S+) \/ (\S+)/.exec(a.output())!;
      const signIn = await fetch(`${url}/api/v1/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workspace: 'demo', email, password }),
      });
      expect(signIn.status).toBe(200);
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
      const mine = await fetch(`${url}/api/v1/promises?owner=me&status=open&limit=500`, {
        headers: { cookie },
      });
      expect(mine.status).toBe(200);
      expect(((await mine.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);

      const started = Date.now();
      const b = await runCli(['serve'], env);
      expect(b.code).toBe(1);
      expect(b.stderr).toContain(`in use by another promise-ledger process (PID ${a.child.pid})`);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      a.child.kill('SIGTERM');
      await new Promise((r) => a.child.once('close', r));
    }
    // Clean shutdown released the lock; a restart does not seed again.
    const again = await runCli(['workspaces'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('a lock left by a killed process is taken over', async () => {
    const dir = tmp();
    const env = { PL_DATA_DIR: dir, PORT: '0', PL_DEMO: 'false' };
    const a = startServer(env);
    await a.ready;
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('close', r));
    expect(fs.existsSync(path.join(dir, 'promise-ledger.lock'))).toBe(true);
    const r = await runCli(['migrate'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/up to date/);
  });

  it('a corrupt data folder gets a clear error and nothing is opened', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'pglite'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'pglite', 'PG_VERSION'), 'garbage\n');
    fs.mkdirSync(path.join(dir, 'pglite', 'global'));
    fs.writeFileSync(path.join(dir, 'pglite', 'global', 'pg_control'), Buffer.alloc(100, 7));
    const r = await runCli(['migrate'], { PL_DATA_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot open the embedded database in .*pglite/);
    expect(fs.existsSync(path.join(dir, 'promise-ledger.lock'))).toBe(false);
  });

  it('an unreachable DATABASE_URL and invalid configuration are named', async () => {
    const r = await runCli(['migrate'], { DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/nowhere' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /cannot reach the database at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nowhere/,
    );
    expect(r.stderr).not.toContain('secret');
    const c = await runCli(['serve'], { PORT: 'abc', PL_DATA_DIR: tmp() });
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/invalid configuration: PORT/);
    const d = await runCli(['migrate'], { DATABASE_URL: 'mysql://x' });
    expect(d.stderr).toMatch(/DATABASE_URL must be a postgres/);
    const e = await runCli(['demo', '--accounts', 'many']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/--accounts must be a whole number/);
  });
});
