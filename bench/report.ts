// Presentation of a result: a readable table, and the JSON file under bench-results/.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiResult } from './api.js';
import type { FoundationResult } from './foundation.js';
import { formatCount, formatSeconds } from './progress.js';
import type { RemindersResult } from './reminders.js';

export const RESULTS_DIR = fileURLToPath(new URL('../bench-results/', import.meta.url));

/** Writes bench-results/<suite>-<engine>-<timestamp>.json and returns its path. */
export function writeResult(result: FoundationResult | ApiResult | RemindersResult): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const file = path.join(RESULTS_DIR, `${result.bench}-${result.engine}-${stamp}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

const ms = (x: number) => `${x.toFixed(3)} ms`;

export function renderTable(r: FoundationResult): string {
  const l = r.sizes.loaded;
  const rows: [string, string][] = [
    [
      'engine',
      `${r.engine} ${r.environment.engineVersion} (${r.environment.cpus} cpus, node ${r.environment.node})`,
    ],
    [
      'workspace',
      `${formatCount(l.accounts)} accounts, ${formatCount(l.promises)} promises, ${formatCount(l.events)} events ` +
        `(${l.eventsPerPromise}/promise), ${formatCount(l.users)} users, ${formatCount(l.contacts)} contacts`,
    ],
    [
      'load (seedDemo wall time)',
      `${formatSeconds(r.load.ms)}: ${formatCount(r.load.rowsPerSec)} rows/s, ${formatCount(r.load.eventsPerSec)} events/s, ` +
        `${formatCount(r.load.promisesPerSec)} promises/s (${formatCount(r.load.rows)} rows)`,
    ],
    ['analyze', `${formatCount(r.analyzeMs)} ms`],
    [
      `due ${r.due.days}d, use case`,
      `p50 ${ms(r.due.useCase.p50)}, p99 ${ms(r.due.useCase.p99)}, mean ${ms(r.due.useCase.mean)} ` +
        `(n=${r.due.useCase.n}, ${r.due.useCase.avgRows} rows avg)`,
    ],
    [
      `due ${r.due.days}d, raw SQL`,
      `p50 ${ms(r.due.raw.p50)}, p99 ${ms(r.due.raw.p99)}, mean ${ms(r.due.raw.mean)} ` +
        `(n=${r.due.raw.n}, ${r.due.raw.avgRows} rows avg)`,
    ],
    [
      'due: use case / raw',
      `${r.due.ratioP50}× at p50, ${r.due.ratioP99}× at p99; same results: ${r.due.sameResults ? 'yes' : 'NO'}; ` +
        `${r.due.owners.count} owners with ${formatCount(r.due.owners.promisesEach.min)}–` +
        `${formatCount(r.due.owners.promisesEach.max)} promises`,
    ],
    [
      'create promise (use case)',
      `p50 ${ms(r.create.p50)}, p99 ${ms(r.create.p99)}, mean ${ms(r.create.mean)} (n=${r.create.n})`,
    ],
    [
      'verify ledger',
      `${r.verify.ok ? 'ok' : `FAILED (${r.verify.problem})`}: ${formatCount(r.verify.events)} events, ` +
        `${formatCount(r.verify.streams)} streams in ${formatSeconds(r.verify.ms)}: ${formatCount(r.verify.eventsPerSec)} events/s`,
    ],
    [
      'code',
      r.environment.source
        ? `${r.environment.source.commit.slice(0, 12)}${r.environment.source.dirty ? ' + uncommitted changes in src/' : ''}`
        : 'unknown',
    ],
    [
      'run time',
      `${formatSeconds(r.durationMs)} (load average ${r.environment.loadAvg.start} at start, ${r.environment.loadAvg.end} at end)`,
    ],
  ];
  return table(rows);
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  const line = `+${'-'.repeat(width + 2)}+${'-'.repeat(Math.max(...rows.map(([, v]) => v.length)) + 2)}+`;
  const body = rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v.padEnd(line.length - width - 7)} |`);
  return [line, ...body, line].join('\n');
}

export function renderApiTable(r: ApiResult): string {
  const http = (f: ApiResult['create']) =>
    `${formatCount(f.requestsPerSec)} req/s, p50 ${ms(f.latency.p50)}, p99 ${ms(f.latency.p99)}, ` +
    `mean ${ms(f.latency.mean)} (${formatCount(f.requests)} requests${f.non2xx ? `, ${f.non2xx} non-2xx` : ''}` +
    `${f.errors ? `, ${f.errors} errors` : ''})`;
  const rows: [string, string][] = [
    [
      'engine',
      `${r.engine} ${r.environment.engineVersion} (${r.environment.cpus} cpus, node ${r.environment.node})`,
    ],
    [
      'workspace',
      `${formatCount(r.workspace.accounts)} accounts, ${formatCount(r.workspace.promises)} promises ` +
        (r.workspace.reused
          ? '(loaded by the foundation suite)'
          : `(loaded in ${formatSeconds(r.workspace.loadMs ?? 0)})`),
    ],
    [
      'load',
      `autocannon on loopback, ${r.settings.connections} connections, ${r.settings.durationS} s per endpoint ` +
        `after ${r.settings.warmupS} s warm-up; ${r.settings.owners} owners with an API token each`,
    ],
    ['GET due-in-7-days list, 1 conn.', http(r.listSingle)],
    [`GET due-in-7-days list, ${r.settings.connections} conn.`, http(r.list)],
    ['POST /api/v1/promises', http(r.create)],
    ['GET open list, riskLevel=high, 1 conn.', http(r.riskLevel.filtered)],
    ['GET open list (no risk filter), 1 conn.', http(r.riskLevel.unfiltered)],
    ['risk filter / no filter', `${r.riskLevel.ratioP50}× at p50, ${r.riskLevel.ratioP99}× at p99`],
    [
      'due list, raw SQL',
      `p50 ${ms(r.raw.p50)}, p99 ${ms(r.raw.p99)}, mean ${ms(r.raw.mean)} (n=${r.raw.n}, ${r.raw.avgRows} rows avg)`,
    ],
    [
      'due list: API / raw',
      `1 connection: ${r.ratio.p50}× at p50, ${r.ratio.p99}× at p99; ${r.settings.connections} connections: ` +
        `${r.ratio.p50UnderLoad}× at p50, ${r.ratio.p99UnderLoad}× at p99; same results: ${r.list.sameResults ? 'yes' : 'NO'}`,
    ],
    [
      'code',
      r.environment.source
        ? `${r.environment.source.commit.slice(0, 12)}${r.environment.source.dirty ? ' + uncommitted changes in src/' : ''}`
        : 'unknown',
    ],
    [
      'run time',
      `${formatSeconds(r.durationMs)} (load average ${r.environment.loadAvg.start} at start, ${r.environment.loadAvg.end} at end)`,
    ],
  ];
  return table(rows);
}
