// `npm run bench`: the selected suites (foundation, api) on each selected engine, one after the
// other. Settings come from BENCH_* environment variables (see bench/config.ts); progress goes to
// stderr, the table and the JSON of each suite to stdout, and the JSON also to bench-results/.
// When both suites run, the API suite reuses the workspace the foundation suite loaded.
import fs from 'node:fs';
import { type ApiResult, runApi } from './api.js';
import { table as btTable, huntTable, runBusinessTimeBench } from './business-time.js';
import { readConfig } from './config.js';
import { type BenchDatabase, openBenchDatabase } from './engines.js';
import { type FoundationResult, runFoundation } from './foundation.js';
import { type MeasuresResult, runMeasures, writeMeasuresResult } from './measures.js';
import { formatSeconds } from './progress.js';
import { type RemindersResult, runReminders } from './reminders.js';
import { renderApiTable, renderTable, writeResult } from './report.js';

let open: BenchDatabase | undefined;

/** Ctrl-C / kill: remove the half-built database before leaving (bounded, so a stuck close cannot hang). */
function onSignal(signal: NodeJS.Signals) {
  process.stderr.write(`\n${signal}: removing the benchmark database\n`);
  const timeout = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
  void Promise.race([open?.dispose(), timeout])
    .catch(() => {})
    .finally(() => process.exit(130));
}

async function main(): Promise<number> {
  const cfg = readConfig();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  if (cfg.suites.includes('business-time')) {
    // Pure arithmetic, no database: once, before the engines.
    process.stderr.write('\n== business time (ours vs published business-hours libraries) ==\n');
    const bt = runBusinessTimeBench();
    process.stdout.write(`${btTable(bt.throughput.rows)}\n\n${huntTable(bt.disagreements)}\n`);
    fs.mkdirSync('bench-results', { recursive: true });
    fs.writeFileSync(
      `bench-results/business-time-${new Date().toISOString().replaceAll(':', '-')}.json`,
      `${JSON.stringify(bt, null, 2)}\n`,
    );
  }
  const results: FoundationResult[] = [];
  const apiResults: ApiResult[] = [];
  const reminderResults: RemindersResult[] = [];
  const measuresResults: MeasuresResult[] = [];
  const needsDatabase = cfg.suites.some((s) => s !== 'business-time');
  for (const engine of needsDatabase ? cfg.engines : []) {
    const started = performance.now();
    process.stderr.write(`\n== ${engine} (${cfg.suites.join(', ')}) ==\n`);
    open = await openBenchDatabase(engine, cfg.postgresUrl);
    try {
      if (cfg.suites.includes('foundation')) {
        const result = await runFoundation(open, cfg, started);
        const file = writeResult(result);
        results.push(result);
        process.stdout.write(`\n${renderTable(result)}\n${JSON.stringify(result, null, 2)}\n`);
        process.stderr.write(`[${engine}] foundation done; wrote ${file}\n`);
      }
      if (cfg.suites.includes('api')) {
        const result = await runApi(open, cfg, performance.now());
        const file = writeResult(result);
        apiResults.push(result);
        process.stdout.write(`\n${renderApiTable(result)}\n${JSON.stringify(result, null, 2)}\n`);
        process.stderr.write(`[${engine}] api done; wrote ${file}\n`);
      }
      if (cfg.suites.includes('reminders')) {
        const result = await runReminders(open, cfg);
        const file = writeResult(result);
        reminderResults.push(result);
        process.stdout.write(`\n${JSON.stringify(result, null, 2)}\n`);
        process.stderr.write(`[${engine}] reminders done; wrote ${file}\n`);
      }
      if (cfg.suites.includes('measures')) {
        const result = await runMeasures(open, cfg, performance.now());
        const file = writeMeasuresResult(result);
        measuresResults.push(result);
        process.stdout.write(`\n${JSON.stringify(result, null, 2)}\n`);
        process.stderr.write(`[${engine}] measures done; wrote ${file}\n`);
      }
    } finally {
      await open.dispose();
      open = undefined;
    }
    process.stderr.write(`[${engine}] done in ${formatSeconds(performance.now() - started)}\n`);
  }
  if (results.length > 1) {
    process.stdout.write(
      '\nsummary (due p50 use case / raw = ratio; create p50; verify events/s; load rows/s)\n',
    );
    for (const r of results) {
      process.stdout.write(
        `  ${r.engine.padEnd(8)} ${r.due.useCase.p50} / ${r.due.raw.p50} ms = ${r.due.ratioP50}×; ` +
          `create ${r.create.p50} ms; verify ${r.verify.eventsPerSec} ev/s; load ${r.load.rowsPerSec} rows/s\n`,
      );
    }
  }
  if (apiResults.length > 0) {
    process.stdout.write(
      '\napi summary (due list: 1 connection p50 / p99, raw p50, API p50 / raw p50; under load req/s, p50 / p99; ' +
        'create under load req/s, p50 / p99)\n',
    );
    for (const r of apiResults) {
      process.stdout.write(
        `  ${r.engine.padEnd(8)} list ${r.listSingle.latency.p50} / ${r.listSingle.latency.p99} ms, raw ${r.raw.p50} ms, ` +
          `${r.ratio.p50}×; loaded ${r.list.requestsPerSec} req/s, ${r.list.latency.p50} / ${r.list.latency.p99} ms; ` +
          `create ${r.create.requestsPerSec} req/s, ${r.create.latency.p50} / ${r.create.latency.p99} ms\n`,
      );
    }
  }
  if (reminderResults.length > 0) {
    process.stdout.write(
      '\nreminders summary (lag = fire − due: p50 / p99 / max; delivered − due p99; burst: fired+delivered per second)\n',
    );
    for (const r of reminderResults) {
      process.stdout.write(
        `  ${r.engine.padEnd(8)} ${r.settings.openPromises} open, ${r.lag.reminders} due: lag ${r.lag.fire.p50} / ${r.lag.fire.p99} / ${r.lag.fire.max} ms, ` +
          `delivered p99 ${r.lag.delivery.p99} ms; burst ${r.throughput.reminders}: ${r.throughput.perSecond}/s ` +
          `(scheduler alone ${r.throughput.firedPerSecond}/s); duplicates ${r.duplicatesAtReceiver}, max successes per key ${r.successfulDeliveriesPerKeyMax}\n`,
      );
    }
  }
  if (measuresResults.length > 0) {
    process.stdout.write(
      '\nmeasures summary (p50 / p99 ms: use case, HTTP, raw SQL; event-loop delay max; create p50 with / without rollup triggers)\n',
    );
    for (const r of measuresResults) {
      const f = r.fulfilmentByTypeByMonth;
      const o = r.overdueDashboard;
      process.stdout.write(
        `  ${r.engine.padEnd(8)} ${r.workspace.promises} promises; fulfilment by type by month ${f.useCase.p50} / ${f.useCase.p99}, ` +
          `HTTP ${f.http.p50} / ${f.http.p99}, raw ${f.raw.p50} / ${f.raw.p99} (same: ${f.sameResults}); ` +
          `overdue ${o.useCase.p50} / ${o.useCase.p99}, HTTP ${o.http.p50} / ${o.http.p99}, raw ${o.raw.p50} / ${o.raw.p99} ` +
          `(same: ${o.sameResults}); loop max ${r.eventLoop.maxMs} ms; create ${r.create.withTriggers.p50} / ${r.create.withoutTriggers.p50} ms\n`,
      );
    }
  }
  const measuresOk = measuresResults.every(
    (r) => r.fulfilmentByTypeByMonth.sameResults && r.overdueDashboard.sameResults,
  );
  const remindersOk = reminderResults.every(
    (r) =>
      r.duplicatesAtReceiver === 0 &&
      r.successfulDeliveriesPerKeyMax <= 1 &&
      r.lag.delivered === r.settings.due,
  );
  const foundationOk = results.every((r) => r.verify.ok && r.due.sameResults);
  const apiOk = apiResults.every(
    (r) =>
      r.list.sameResults &&
      [r.listSingle, r.list, r.create, r.riskLevel.filtered, r.riskLevel.unfiltered].every(
        (f) => f.non2xx + f.errors + f.timeouts === 0,
      ),
  );
  return foundationOk && apiOk && remindersOk && measuresOk ? 0 : 1;
}

// No process.exit() on success: every connection is closed, so the process ends by itself (a hang
// here would reveal a leaked handle rather than hide it).
main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
