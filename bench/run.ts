// `npm run bench`: the foundation benchmark on each selected engine, one after the other.
// Settings come from BENCH_* environment variables (see bench/config.ts); progress goes to stderr,
// the table and the JSON of each engine to stdout, and the JSON also to bench-results/.
import { readConfig } from './config.js';
import { type BenchDatabase, openBenchDatabase } from './engines.js';
import { type FoundationResult, runFoundation } from './foundation.js';
import { formatSeconds } from './progress.js';
import { renderTable, writeResult } from './report.js';

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
  const results: FoundationResult[] = [];
  for (const engine of cfg.engines) {
    const started = performance.now();
    process.stderr.write(`\n== ${engine} ==\n`);
    open = await openBenchDatabase(engine, cfg.postgresUrl);
    let result: FoundationResult;
    try {
      result = await runFoundation(open, cfg, started);
    } finally {
      await open.dispose();
      open = undefined;
    }
    const file = writeResult(result);
    results.push(result);
    process.stdout.write(`\n${renderTable(result)}\n${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(
      `[${engine}] done in ${formatSeconds(performance.now() - started)}; wrote ${file}\n`,
    );
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
  return results.every((r) => r.verify.ok && r.due.sameResults) ? 0 : 1;
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
