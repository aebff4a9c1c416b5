// A child process for the crash and two-instance tests: the reminder scheduler and the delivery
// worker running together, as `serve` runs them, on the database named by DATABASE_URL (Postgres)
// or PL_DATA_DIR (PGlite on disk). It prints `fired <n>` (a running total) after each scheduler batch and exits 0
// once nothing is due: no promise with a reminder due and no pending delivery due.
//
// CHILD_CLOCK_OFFSET_MS shifts its clock forward: a restart "later", after the delivery lease of a
// killed process has run out. CHILD_BATCH sets the scheduler's batch size.
import { openApp } from '../../src/app.js';
import type { AppContext } from '../../src/context.js';
import { startDeliveryWorker } from '../../src/delivery/worker.js';
import { startScheduler } from '../../src/reminders/scheduler.js';

const offset = Number(process.env.CHILD_CLOCK_OFFSET_MS ?? 0);
const batchSize = Number(process.env.CHILD_BATCH ?? 100);
const { database } = await openApp();
const ctx: AppContext = { database, now: () => new Date(Date.now() + offset) };
const log = (s: string) => process.stdout.write(`${s}\n`);

const stop = new AbortController();
let fired = 0;
const scheduler = startScheduler(ctx, {
  batchSize,
  // Only the reminders under test: no digest emails (there is no SMTP server here).
  digests: false,
  intervalMs: 50,
  signal: stop.signal,
  log: (m, e) => log(`scheduler error: ${m} ${String(e)}`),
  onBatch: (_subject, c) => {
    if (c.fired > 0) {
      fired += c.fired;
      log(`fired ${fired}`);
    }
  },
});
const worker = startDeliveryWorker(ctx, {
  batchSize: 50,
  intervalMs: 50,
  lanes: 2,
  signal: stop.signal,
  onError: (e) => log(`delivery error: ${String(e)}`),
  onBatch: (s) => {
    if (s.delivered > 0) log(`delivered ${s.delivered}`);
  },
});

const deadline = Date.now() + 240_000;
for (;;) {
  await new Promise((r) => setTimeout(r, 200));
  const now = ctx.now().toISOString();
  const [left] = await database.raw<{ reminders: number; deliveries: number }>(
    `select (select count(*)::int from promises where status = 'open' and next_reminder_at <= $1) as reminders,
            (select count(*)::int from deliveries where status = 'pending' and next_attempt_at <= $1) as deliveries`,
    [now],
  );
  if ((left!.reminders === 0 && left!.deliveries === 0) || Date.now() > deadline) break;
}
stop.abort();
await Promise.all([scheduler, worker]);
await database.close();
log('done');
process.exit(0);
