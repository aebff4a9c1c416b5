// The workspace settings API: everyone signed in reads them, only admins change them; a bad value
// is a 400 naming the field with nothing written; a new zone or inactivity threshold re-plans every
// account's next reminder (keeping what already fired); security-relevant changes — the private
// webhook targets switch, webhook subscriptions created and revoked — are in the security log.
// Both engines.
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../src/db/schema.js';
import { buildServer } from '../src/http/server.js';
import { DAY_MS } from '../src/time/zone.js';
import { ENGINE, openTestDb, SKIP_POSTGRES_REASON, type TestDb } from './support/db.js';
import { buildAccount, buildWorkspace, tokenHeaders } from './support/factories.js';
import { buildUserWithPassword, type Json, send, signInAs } from './support/http.js';
import { buildRoles, type Roles } from './support/records.js';

let db: TestDb;
let app: FastifyInstance;
let r: Roles;
let other: { workspaceId: string; adminId: string; slug: string; headers: { authorization: string } };
let otherAccountId: string;

const url = '/api/v1/workspace';
const patch = (headers: object, payload: unknown) =>
  send(app, { method: 'PATCH', url, headers: headers as Record<string, string>, payload: payload as object });

/** Everything these routes could write, in every workspace (token use is bookkeeping, left out). */
async function snapshot() {
  return {
    workspaces: await db.database.raw('select * from workspaces order by id'),
    accounts: await db.database.raw('select * from accounts order by workspace_id, id'),
    security: await db.database.raw(
      "select * from security_events where kind <> 'token.used' order by workspace_id, id",
    ),
  };
}

async function securityEvents(workspaceId: string, kindPrefix: string) {
  return db.database.raw<Json>(
    `select kind, actor_id, detail from security_events
      where workspace_id = $1 and kind like $2 order by occurred_at, id`,
    [workspaceId, `${kindPrefix}%`],
  );
}

/** An account with known facts, so its next reminder can be computed by hand. */
async function account(
  workspaceId: string,
  ownerId: string,
  facts: { lastActivityAt: Date; renewalDate?: string; firedThrough?: Date },
) {
  const { accountId } = await buildAccount(db.ctx, { workspaceId, ownerId });
  await db.database.db
    .update(accounts)
    .set({
      createdAt: new Date('2026-01-01T00:00:00Z'),
      renewalDate: facts.renewalDate ?? null,
      lastActivityAt: facts.lastActivityAt,
      remindersFiredThrough: facts.firedThrough ?? null,
    })
    .where(and(eq(accounts.workspaceId, workspaceId), eq(accounts.id, accountId)));
  return accountId;
}

async function nextReminderAt(workspaceId: string, accountId: string): Promise<string | null> {
  const [row] = await db.database.db
    .select({ at: accounts.nextReminderAt })
    .from(accounts)
    .where(and(eq(accounts.workspaceId, workspaceId), eq(accounts.id, accountId)));
  return row?.at?.toISOString() ?? null;
}

beforeAll(async () => {
  db = await openTestDb();
  app = await buildServer(db.ctx);
  r = await buildRoles(db.ctx);
  const b = await buildWorkspace(db.ctx);
  other = { ...b, headers: await tokenHeaders(db.ctx, b.workspaceId, b.adminId) };
  otherAccountId = await account(b.workspaceId, b.adminId, {
    lastActivityAt: new Date(db.clock.now.getTime() - DAY_MS),
  });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe(`workspace settings API (${ENGINE})`, () => {
  it('every signed-in user reads their own workspace; anonymous callers are refused', async () => {
    const u = await buildUserWithPassword(db.ctx, { workspaceId: r.workspaceId, role: 'viewer' });
    const session = await signInAs(app, { workspace: r.slug, email: u.email });
    for (const headers of [session.read, r.as.viewer, r.as.adminRead, r.as.member]) {
      const res = await send(app, { method: 'GET', url, headers });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json_).toEqual({
        id: r.workspaceId,
        name: `Workspace ${r.slug}`,
        slug: r.slug,
        timeZone: 'UTC',
        inactivityDays: 14,
        allowPrivateWebhookTargets: false,
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      });
    }
    const theirs = await send(app, { method: 'GET', url, headers: other.headers });
    expect(theirs.json_.id).toBe(other.workspaceId);
    expect((await send(app, { method: 'GET', url })).statusCode).toBe(401);
  });

  it('viewers, members, managers and read-only tokens may not change it, and nothing is written', async () => {
    for (const headers of [r.as.viewer, r.as.member, r.as.manager, r.as.adminRead]) {
      for (const body of [
        { name: 'Taken over' },
        { inactivityDays: 3 },
        { timeZone: 'Europe/Paris' },
        { allowPrivateWebhookTargets: true },
      ]) {
        const before = await snapshot();
        const res = await patch(headers, body);
        expect(res.statusCode, res.body).toBe(403);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
        expect(await snapshot()).toEqual(before);
      }
    }
  });

  it('refuses bad values and unknown fields with a 400 naming the field, writing nothing', async () => {
    const cases: [unknown, string][] = [
      [{ timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
      [{ timeZone: '+02:00' }, 'timeZone'],
      [{ timeZone: 7 }, 'timeZone'],
      [{ inactivityDays: 0 }, 'inactivityDays'],
      [{ inactivityDays: 366 }, 'inactivityDays'],
      [{ inactivityDays: 1.5 }, 'inactivityDays'],
      [{ inactivityDays: '7' }, 'inactivityDays'],
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ allowPrivateWebhookTargets: 'yes' }, 'allowPrivateWebhookTargets'],
      [{ slug: 'renamed' }, 'slug'],
      [{ id: other.workspaceId, name: 'Theirs now' }, 'id'],
      [{ workspaceId: other.workspaceId, inactivityDays: 2 }, 'workspaceId'],
      // A valid field beside a bad one: the valid one is not applied either.
      [{ name: 'Half written', inactivityDays: 0 }, 'inactivityDays'],
    ];
    for (const [payload, field] of cases) {
      const before = await snapshot();
      const res = await patch(r.as.admin, payload);
      expect(res.statusCode, `${JSON.stringify(payload)} → ${res.body}`).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(
        res.json_.problems.map((p: { field: string }) => p.field),
        JSON.stringify(payload),
      ).toContain(field);
      expect(await snapshot()).toEqual(before);
    }
    const empty = await patch(r.as.admin, {});
    expect(empty.statusCode).toBe(400);
  });

  it('an admin changes the name, and the zone under its canonical name', async () => {
    const named = await patch(r.as.admin, { name: '  Acme Success  ' });
    expect(named.statusCode, named.body).toBe(200);
    expect(named.json_).toMatchObject({ id: r.workspaceId, name: 'Acme Success', accountsReplanned: 0 });
    const zoned = await patch(r.as.admin, { timeZone: 'america/new_york' });
    expect(zoned.statusCode, zoned.body).toBe(200);
    expect(zoned.json_.timeZone).toBe('America/New_York');
    const read = await send(app, { method: 'GET', url, headers: r.as.viewer });
    expect(read.json_).toMatchObject({ name: 'Acme Success', timeZone: 'America/New_York' });
    const theirs = await send(app, { method: 'GET', url, headers: other.headers });
    expect(theirs.json_).toMatchObject({ name: `Workspace ${other.slug}`, timeZone: 'UTC' });
    await patch(r.as.admin, { timeZone: 'UTC' });
  });

  it('a new inactivity threshold moves every account’s next reminder, keeping what already fired', async () => {
    const now = db.clock.now.getTime();
    const active = new Date(now - 2 * DAY_MS);
    const quiet = new Date(now - 20 * DAY_MS);
    const a = await account(r.workspaceId, r.ids.member, { lastActivityAt: active });
    // Its 14-day inactivity alert has fired already.
    const b = await account(r.workspaceId, r.ids.member2, {
      lastActivityAt: quiet,
      firedThrough: new Date(quiet.getTime() + 14 * DAY_MS),
    });
    const theirsBefore = await nextReminderAt(other.workspaceId, otherAccountId);

    const res = await patch(r.as.admin, { inactivityDays: 30 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json_.inactivityDays).toBe(30);
    expect(res.json_.accountsReplanned).toBeGreaterThanOrEqual(2);
    expect(await nextReminderAt(r.workspaceId, a)).toBe(
      new Date(active.getTime() + 30 * DAY_MS).toISOString(),
    );
    expect(await nextReminderAt(r.workspaceId, b)).toBe(
      new Date(quiet.getTime() + 30 * DAY_MS).toISOString(),
    );

    const shorter = await patch(r.as.admin, { inactivityDays: 5 });
    expect(shorter.statusCode, shorter.body).toBe(200);
    expect(await nextReminderAt(r.workspaceId, a)).toBe(
      new Date(active.getTime() + 5 * DAY_MS).toISOString(),
    );
    // Day 5 is before the alert that already fired on day 14: nothing is told twice.
    expect(await nextReminderAt(r.workspaceId, b)).toBeNull();
    const [kept] = await db.database.db
      .select({ firedThrough: accounts.remindersFiredThrough })
      .from(accounts)
      .where(and(eq(accounts.workspaceId, r.workspaceId), eq(accounts.id, b)));
    expect(kept?.firedThrough?.toISOString()).toBe(new Date(quiet.getTime() + 14 * DAY_MS).toISOString());

    // The other workspace's accounts and threshold are untouched.
    expect(await nextReminderAt(other.workspaceId, otherAccountId)).toBe(theirsBefore);
    const theirs = await send(app, { method: 'GET', url, headers: other.headers });
    expect(theirs.json_.inactivityDays).toBe(14);
  });

  it('a new zone moves renewal preparation to 09:00 in that zone', async () => {
    await patch(r.as.admin, { inactivityDays: 365 });
    // Renewal 2027-03-01: the 30-day preparation is 2027-01-30 09:00 local.
    const c = await account(r.workspaceId, r.ids.member, {
      lastActivityAt: db.clock.now,
      renewalDate: '2027-03-01',
    });
    await patch(r.as.admin, { timeZone: 'Europe/London' });
    expect(await nextReminderAt(r.workspaceId, c)).toBe('2027-01-30T09:00:00.000Z');
    const res = await patch(r.as.admin, { timeZone: 'America/New_York' });
    expect(res.statusCode, res.body).toBe(200);
    expect(await nextReminderAt(r.workspaceId, c)).toBe('2027-01-30T14:00:00.000Z');
  });

  it('switching private webhook targets is in the security log, with who, from and to', async () => {
    const on = await patch(r.as.admin, { allowPrivateWebhookTargets: true });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json_.allowPrivateWebhookTargets).toBe(true);
    // The same value again changes nothing and logs nothing.
    expect((await patch(r.as.admin, { allowPrivateWebhookTargets: true })).statusCode).toBe(200);
    await patch(r.as.admin, { allowPrivateWebhookTargets: false });
    const events = await securityEvents(r.workspaceId, 'settings.');
    expect(events).toEqual([
      {
        kind: 'settings.changed',
        actor_id: r.ids.admin,
        detail: { field: 'allowPrivateWebhookTargets', from: false, to: true },
      },
      {
        kind: 'settings.changed',
        actor_id: r.ids.admin,
        detail: { field: 'allowPrivateWebhookTargets', from: true, to: false },
      },
    ]);
    expect(await securityEvents(other.workspaceId, 'settings.')).toEqual([]);
    // The admin reads them through the audit API too.
    const audit = await send(app, {
      method: 'GET',
      url: '/api/v1/audit/security-events?limit=500',
      headers: r.as.admin,
    });
    expect(audit.json_.data.filter((e: { kind: string }) => e.kind === 'settings.changed')).toHaveLength(2);
  });

  it('webhook subscriptions created and revoked are in the security log, with the URL’s host only', async () => {
    const created = await send(app, {
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: r.as.admin,
      payload: { url: 'https://hooks.example.test:8443/in/abc?token=s3cret' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json_.id as string;
    const revoked = await send(app, { method: 'DELETE', url: `/api/v1/webhooks/${id}`, headers: r.as.admin });
    expect(revoked.statusCode, revoked.body).toBe(204);
    // A second revoke is a 404 and logs nothing more.
    expect(
      (await send(app, { method: 'DELETE', url: `/api/v1/webhooks/${id}`, headers: r.as.admin })).statusCode,
    ).toBe(404);
    const detail = { webhookId: id, host: 'hooks.example.test:8443' };
    expect(await securityEvents(r.workspaceId, 'webhook.')).toEqual([
      { kind: 'webhook.created', actor_id: r.ids.admin, detail },
      { kind: 'webhook.revoked', actor_id: r.ids.admin, detail },
    ]);
    // Another workspace's admin cannot revoke it, and nothing is logged for them.
    const again = await send(app, {
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: r.as.admin,
      payload: { url: 'https://hooks.example.test/two' },
    });
    const before = await snapshot();
    const foreign = await send(app, {
      method: 'DELETE',
      url: `/api/v1/webhooks/${again.json_.id}`,
      headers: other.headers,
    });
    expect(foreign.statusCode).toBe(404);
    expect(await snapshot()).toEqual(before);
    expect(await securityEvents(other.workspaceId, 'webhook.')).toEqual([]);
  });
});

if (ENGINE !== 'postgres')
  console.log(`test/http-workspace-settings.test.ts (lock order): ${SKIP_POSTGRES_REASON}`);

describe.skipIf(ENGINE !== 'postgres')('workspace settings beside a scheduler batch (postgres)', () => {
  it('a re-plan waiting for an account a scheduler batch holds does not deadlock with its reminder insert', async () => {
    const w = await buildWorkspace(db.ctx);
    const admin = await tokenHeaders(db.ctx, w.workspaceId, w.adminId);
    const acc = await account(w.workspaceId, w.adminId, {
      lastActivityAt: new Date(db.clock.now.getTime() - DAY_MS),
    });
    // Client A plays a scheduler batch: it holds the account row, then records a reminder, whose
    // foreign key takes FOR KEY SHARE on the workspace row.
    const a = new pg.Client({ connectionString: db.url });
    await a.connect();
    try {
      await a.query('begin');
      await a.query('select id from accounts where workspace_id = $1 and id = $2 for update', [
        w.workspaceId,
        acc,
      ]);
      const replan = patch(admin, { inactivityDays: 21 });
      // The PATCH has locked the workspace row and waits for the account row A holds.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { rows } = await a.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'`,
        );
        if (rows[0]!.n > 0) break;
        if (Date.now() > deadline) throw new Error('the settings change never waited for the account row');
        await new Promise((r) => setTimeout(r, 20));
      }
      // With the workspace row locked FOR UPDATE this waits for the PATCH: a deadlock (40P01).
      await a.query(
        `insert into reminders (workspace_id, id, key, subject_type, subject_id, kind, due_at, fired_at, lateness_ms)
         values ($1, $2, $3, 'account', $4, 'inactivity', $5, $5, 0)`,
        [w.workspaceId, uuidv7(), `account:${acc}:inactivity:test`, acc, db.clock.now],
      );
      await a.query('commit');
      const res = await replan;
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json_.inactivityDays).toBe(21);
      expect(await nextReminderAt(w.workspaceId, acc)).toBe(
        new Date(db.clock.now.getTime() - DAY_MS + 21 * DAY_MS).toISOString(),
      );
    } finally {
      await a.query('rollback').catch(() => {});
      await a.end();
    }
  });
});
