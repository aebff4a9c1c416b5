// Shared by the crash and two-instance reminder tests: a receiver that verifies Standard Webhooks
// signatures and dedupes by webhook-id, due reminders in bulk, the scheduler child process, and
// the delivery-log checks.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import type { AppContext } from '../../src/context.js';
import type { Database } from '../../src/db/connect.js';
import { createSubscription } from '../../src/delivery/manage-webhooks.js';
import { buildPromise, buildTeam, principalFor } from './factories.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Received {
  /** webhook-id → reminder key, for every verified request (a repeated webhook-id counted once). */
  byWebhookId: Map<string, string>;
  requests: number;
  rejected: number;
}

/** An HTTP receiver that verifies Standard Webhooks signatures and dedupes by webhook-id. */
export async function startReceiver(secret: () => string) {
  const got: Received = { byWebhookId: new Map(), requests: 0, rejected: 0 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      got.requests++;
      try {
        const payload = new Webhook(secret()).verify(body, req.headers as Record<string, string>) as {
          data: { key: string };
        };
        got.byWebhookId.set(String(req.headers['webhook-id']), payload.data.key);
        // A little latency, so a kill lands while sends are in flight.
        setTimeout(() => res.writeHead(200).end('ok'), 2);
      } catch {
        got.rejected++;
        res.writeHead(400).end('bad signature');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
  return { got, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * `n` open promises of one workspace whose overdue reminder is due now (one each), a webhook
 * subscription to `reminder.overdue` at `url`, private targets allowed (127.0.0.1), and the owner's
 * email switched off for overdue (no SMTP here: only the webhook channel is under test).
 */
export async function seedDueReminders(ctx: AppContext, n: number, url: string) {
  const team = await buildTeam(ctx);
  const ws = team.workspaceId;
  const raw = ctx.database.raw.bind(ctx.database);
  await raw('update workspaces set allow_private_webhook_targets = true where id = $1', [ws]);
  await raw(
    `insert into notification_preferences (workspace_id, user_id, channels) values ($1, $2, '{"overdue": []}'::jsonb)`,
    [ws, team.ownerId],
  );
  const { promiseId } = await buildPromise(ctx, {
    workspaceId: ws,
    ownerId: team.ownerId,
    accountId: team.accountId,
  });
  const cols = (
    await raw<{ column_name: string }>(
      `select column_name from information_schema.columns
        where table_schema = current_schema() and table_name = 'promises' and column_name <> 'id'`,
    )
  ).map((c) => c.column_name);
  await raw(
    `insert into promises (id, ${cols.join(', ')})
     select gen_random_uuid(), ${cols.join(', ')} from promises, generate_series(1, $3)
      where workspace_id = $1 and id = $2`,
    [ws, promiseId, n - 1],
  );
  // Created 20 days ago, due 10 days ago: the one reminder due now is the latest daily overdue.
  await raw(
    `update promises set created_at = now() - interval '20 days', due_at = now() - interval '10 days',
            effective_due_at = now() - interval '10 days', checkpoints = null,
            next_reminder_at = now() - interval '10 days', reminders_fired_through = null
      where workspace_id = $1`,
    [ws],
  );
  const admin = await principalFor(ctx, ws, team.adminId);
  const sub = await createSubscription(ctx, {
    principal: admin,
    input: { url, eventTypes: ['reminder.overdue'] },
  });
  return { workspaceId: ws, secret: sub.secret as string };
}

export function spawnChild(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/scheduler-child.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: undefined, LOG_LEVEL: 'warn', PL_DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let fired = 0;
  child.stdout!.on('data', (d) => {
    output += d;
    const all = [...output.matchAll(/fired (\d+)/g)];
    if (all.length) fired = Number(all[all.length - 1]![1]);
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, output: () => output, fired: () => fired };
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string) {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The checks shared by the crash and two-instance tests. */
export async function deliveredOncePerKey(database: Database, workspaceId: string) {
  const reminders = await database.raw<{ key: string }>('select key from reminders where workspace_id = $1', [
    workspaceId,
  ]);
  const log = await database.raw<{ key: string; id: string; status: string; successes: number }>(
    `select d.key, d.id, d.status,
            (select count(*)::int from delivery_attempts a
              where a.workspace_id = d.workspace_id and a.delivery_id = d.id and a.outcome = 'success') as successes
       from deliveries d where d.workspace_id = $1 and d.channel = 'webhook'`,
    [workspaceId],
  );
  return { reminders, log };
}
