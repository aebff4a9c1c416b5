import fs from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { openApp } from '../app.js';
import { type Config, loadConfig } from '../config.js';
import type { AppContext } from '../context.js';
import { connect } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { runDeliveriesOnce, startDeliveryWorker } from '../delivery/worker.js';
import { seedDemo } from '../demo/seed-demo.js';
import { AppError } from '../errors.js';
import { buildServer } from '../http/server.js';
import { defaultWebRoot } from '../http/web.js';
import { createCheckpoint, parseCheckpointFile } from '../ledger/checkpoint.js';
import { loadOrCreateSigningKey } from '../ledger/keys.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import { runReviewDigestsOnce } from '../measures/review-digest.js';
import { DIGEST_BATCH, runDigestsOnce } from '../notifications/digest.js';
import {
  DEFAULT_BATCH_SIZE,
  runSchedulerOnce,
  type StartOptions,
  startScheduler,
} from '../reminders/scheduler.js';
import { runSlaBatch } from '../time/sla-batch.js';
import { countWorkspaces, listWorkspaces, requireWorkspace } from '../workspaces/workspaces.repo.js';

const positiveInt = (name: string, max: number) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}`);
  }
  return n;
};

const out = (s: string) => process.stdout.write(`${s}\n`);

/** The scheduler loop (reminders, digests) and the delivery worker, until `signal` aborts. */
async function startBackgroundWork(
  ctx: AppContext,
  config: Config,
  signal: AbortSignal,
  extra: Pick<StartOptions, 'batchSize' | 'onPass'> = {},
): Promise<void> {
  const report = (what: string) => (e: unknown) =>
    process.stderr.write(`${what}: ${e instanceof Error ? e.message : String(e)}\n`);
  await Promise.all([
    startScheduler(ctx, { ...extra, intervalMs: config.scheduler.intervalMs, signal }),
    startDeliveryWorker(ctx, {
      intervalMs: config.scheduler.intervalMs,
      signal,
      transports: { smtpUrl: config.mail.smtpUrl, mailFrom: config.mail.from },
      onError: report('delivery worker: batch failed, will retry'),
    }),
  ]);
}
const err = (s: string) => process.stderr.write(`${s}\n`);

/** Runs the CLI; returns the process exit code (0 ok, 1 failure or failed verification, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('promise-ledger')
    .description('Promise Ledger: every commitment to a customer, owned, due, and provably kept.')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError();

  program
    .command('serve')
    .description(
      'migrate the database and serve the HTTP API (seeds a demo workspace on first start of an empty embedded database)',
    )
    .action(async () => {
      const { ctx, config, database } = await openApp();
      if (database.kind === 'pglite' && config.demo && (await countWorkspaces(database.db)) === 0) {
        out('Empty database: seeding the demo workspace (50 accounts, 400 promises)…');
        const demo = await seedDemo(ctx, { accounts: 50, promises: 400 });
        out(
          `Demo workspace "${demo.slug}" ready: ${demo.counts.accounts} accounts, ${demo.counts.promises} promises, ${demo.counts.events} ledger events.`,
        );
        out(`Admin login: ${demo.admin.email} / ${demo.admin.password}  (shown once; keep it)`);
      }
      const webRoot = defaultWebRoot();
      const app = await buildServer(ctx, {
        logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel,
        sessionPolicy: config.session,
        secureCookies: config.secureCookies,
        signingKeyFile: config.signingKeyFile,
        publicUrl: config.publicUrl,
        webRoot,
      });
      await app.listen({ port: config.port, host: config.host });
      const shown = config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host;
      out(
        `Promise Ledger listening on http://${shown}:${(app.server.address() as { port: number }).port} (database: ${database.kind}, ${database.location})`,
      );
      if (!webRoot) out('The web app is not built (run `npm run build:web`); serving the API only.');
      // The reminder scheduler and the delivery worker run in every server process (rows are
      // claimed with SKIP LOCKED), unless PL_SCHEDULER=off.
      const schedulerStop = new AbortController();
      const scheduler = config.scheduler.enabled
        ? startBackgroundWork(ctx, config, schedulerStop.signal)
        : undefined;
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      out('Shutting down…');
      // The batch in progress commits (or rolls back) before the database closes.
      schedulerStop.abort();
      await scheduler;
      await app.close();
      await database.close();
    });

  program
    .command('migrate')
    .description('apply pending migrations (migrations/*.sql) and exit')
    .action(async () => {
      const config = loadConfig();
      const database = await connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const r = await migrate(database);
        out(
          r.applied.length
            ? `Applied ${r.applied.length} migration(s): ${r.applied.join(', ')}`
            : 'Database is up to date.',
        );
      } finally {
        await database.close();
      }
    });

  program
    .command('demo')
    .description('create a workspace filled with generated demo data (the same generator the benchmark uses)')
    .option('--accounts <n>', 'number of accounts', positiveInt('--accounts', 10_000_000), 50)
    .option('--promises <n>', 'number of promises', positiveInt('--promises', 100_000_000), 400)
    .option('--slug <slug>', 'workspace slug', 'demo')
    .option('--seed <n>', 'random seed (same seed, same data)', positiveInt('--seed', 2 ** 31), 42)
    .action(async (o: { accounts: number; promises: number; slug: string; seed: number }) => {
      const { ctx, database } = await openApp();
      try {
        const demo = await seedDemo(ctx, {
          accounts: o.accounts,
          promises: o.promises,
          slug: o.slug,
          seed: o.seed,
          onProgress: (c) =>
            process.stderr.write(`\r  ${c.accounts} accounts, ${c.promises} promises, ${c.events} events`),
        });
        process.stderr.write('\n');
        out(
          `Workspace "${demo.slug}" (${demo.workspaceId}): ${demo.counts.users} users, ${demo.counts.accounts} accounts, ${demo.counts.promises} promises, ${demo.counts.events} events.`,
        );
        out(`Admin login: ${demo.admin.email} / ${demo.admin.password}`);
      } finally {
        await database.close();
      }
    });

  program
    .command('workspaces')
    .description('list workspaces')
    .action(async () => {
      const { database } = await openApp();
      try {
        for (const w of await listWorkspaces(database.db)) out(`${w.id}  ${w.slug}  ${w.name}`);
      } finally {
        await database.close();
      }
    });

  program
    .command('checkpoint')
    .description(
      'sign a checkpoint over every promise stream head of a workspace, store it, and optionally export it',
    )
    .requiredOption('--workspace <id-or-slug>', 'workspace id or slug')
    .option('--out <file>', 'write the checkpoint (with its heads) to this JSON file')
    .action(async (o: { workspace: string; out?: string }) => {
      const { ctx, config, database } = await openApp();
      try {
        const key = loadOrCreateSigningKey(config.signingKeyFile);
        const cp = await createCheckpoint(ctx, { workspace: o.workspace, key });
        if (o.out) fs.writeFileSync(o.out, `${JSON.stringify(cp)}\n`);
        out(
          `Checkpoint ${cp.id}: ${cp.streamCount} streams, ${cp.eventCount} events, root ${cp.root}${o.out ? `, written to ${o.out}` : ''}`,
        );
      } finally {
        await database.close();
      }
    });

  program
    .command('verify')
    .description(
      'recompute every hash chain and check it against the newest (or the given) signed checkpoint; exit 1 naming the first bad event',
    )
    .option('--workspace <id-or-slug>', 'only this workspace')
    .option('--checkpoint <file>', 'an exported checkpoint file to verify against')
    .option('--json', 'print the report as JSON')
    .action(async (o: { workspace?: string; checkpoint?: string; json?: boolean }) => {
      let checkpoint: ReturnType<typeof parseCheckpointFile> | undefined;
      if (o.checkpoint) {
        let textIn: string;
        try {
          textIn = fs.readFileSync(o.checkpoint, 'utf8');
        } catch (e) {
          throw new AppError(
            'validation_failed',
            `cannot read checkpoint file ${o.checkpoint}: ${(e as Error).message}`,
            { field: 'checkpoint' },
          );
        }
        checkpoint = parseCheckpointFile(textIn, o.checkpoint);
      }
      const { ctx, config, database } = await openApp();
      try {
        if (o.workspace) await requireWorkspace(database.db, o.workspace);
        const trusted = fs.existsSync(config.signingKeyFile)
          ? loadOrCreateSigningKey(config.signingKeyFile).publicKeyPem
          : undefined;
        const report = await verifyLedger(ctx, {
          workspace: o.workspace,
          checkpoint,
          trustedPublicKeyPem: trusted,
          onProgress: o.json ? undefined : (n) => process.stderr.write(`\r  ${n} events checked`),
        });
        if (!o.json) process.stderr.write('\n');
        const rate =
          report.elapsedMs > 0 ? Math.round(report.events / (report.elapsedMs / 1000)) : report.events;
        if (o.json) out(JSON.stringify({ ...report, eventsPerSecond: rate }));
        else {
          for (const w of report.workspaces) {
            const cp = w.checkpoint
              ? `; checkpoint ${w.checkpoint.id} (${w.checkpoint.source}, ${w.checkpoint.createdAt}) covers ${w.checkpoint.streams} streams`
              : '; no checkpoint yet';
            out(`workspace ${w.slug}: ${w.streams} streams, ${w.events} events${cp}`);
          }
          if (report.ok)
            out(
              `OK: every chain is intact and consistent (${report.events} events in ${(report.elapsedMs / 1000).toFixed(2)} s, ${rate} events/s)`,
            );
          else {
            const p = report.problem!;
            err(
              `TAMPERED: workspace ${p.workspaceId}${p.promiseId ? `, promise ${p.promiseId}` : ''}${p.seq !== undefined ? `, event seq ${p.seq}` : ''}${p.eventId ? ` (event ${p.eventId})` : ''}: ${p.reason}`,
            );
          }
        }
        if (!report.ok) exitCode = 1;
      } finally {
        await database.close();
      }
    });

  program
    .command('scheduler')
    .description('the reminder scheduler (src/reminders)')
    .command('run')
    .description('fire due reminders: loop until SIGINT/SIGTERM, or one pass with --once (prints counts)')
    .option('--once', 'one pass over everything due now, then exit')
    .option('--batch <n>', 'rows claimed per transaction', positiveInt('--batch', 10_000), DEFAULT_BATCH_SIZE)
    .action(async (o: { once?: boolean; batch: number }) => {
      const { ctx, config, database } = await openApp();
      try {
        if (o.once) {
          const r = await runSchedulerOnce(ctx, { batchSize: o.batch });
          let digests = 0;
          for (;;) {
            const d = await runDigestsOnce(ctx);
            digests += d.fired;
            if (d.claimed < DIGEST_BATCH) break;
          }
          const reviews = await runReviewDigestsOnce(ctx);
          const sent = { delivered: 0, retried: 0, failed: 0, dropped: 0 };
          const transports = { smtpUrl: config.mail.smtpUrl, mailFrom: config.mail.from };
          for (;;) {
            const d = await runDeliveriesOnce(ctx, { transports });
            sent.delivered += d.delivered;
            sent.retried += d.retried;
            sent.failed += d.failed;
            sent.dropped += d.dropped;
            if (d.claimed === 0 || d.claimed === d.retried) break;
          }
          out(
            `Scheduler pass: promises ${r.promises.claimed} claimed, ${r.promises.fired} fired; accounts ${r.accounts.claimed} claimed, ${r.accounts.fired} fired; ${digests} digest(s); ${reviews.fired} review digest(s).`,
          );
          out(
            `Deliveries: ${sent.delivered} delivered, ${sent.retried} to retry, ${sent.failed} failed, ${sent.dropped} dropped.`,
          );
          return;
        }
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        process.once('SIGTERM', () => stop.abort());
        out(`Scheduler and delivery worker running (database: ${database.kind}); stop with Ctrl-C.`);
        await startBackgroundWork(ctx, config, stop.signal, {
          batchSize: o.batch,
          onPass: (r) => {
            const fired = r.promises.fired + r.accounts.fired;
            if (fired > 0) out(`fired ${fired} reminder(s)`);
          },
        });
      } finally {
        await database.close();
      }
    });

  const sla = program
    .command('sla')
    .description('service-level time: business-hours arithmetic on calendars');
  sla
    .command('batch')
    .description(
      'read JSON lines {"op":"add"|"between","calendar":…} on stdin, write one JSON answer line per input (no database needed)',
    )
    .action(async () => {
      const r = await runSlaBatch(process.stdin, process.stdout);
      if (r.errors > 0) err(`sla batch: ${r.errors} of ${r.lines} line(s) were answered with an error`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof AppError) {
      err(`promise-ledger: ${e.message}`);
      return 1;
    }
    err(`promise-ledger: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}
