// The impact report: the seed's headline figures — repeat complaint rate (45 days), renewal-save
// rate, "already told you" escalations per month — plus fulfilment and proactive update rates, for
// the 90 local days before a pivot date and the 90 from it, side by side with the change. Each
// figure is the measure itself (the same functions as /api/v1/measures/...), asked for two custom
// periods keyed `before` and `after`. JSON, CSV (one line per figure) or PDF.
import { stringify } from 'csv-stringify/sync';
import { eq } from 'drizzle-orm';
import type { AppContext } from '../context.js';
import { workspaces } from '../db/schema.js';
import { notFound } from '../errors.js';
import { formatDate, formatInstant } from '../time/zone.js';
import { renewalSaveRate } from './account-measures.js';
import { alreadyToldYou, proactiveUpdateRate, repeatComplaintRate } from './customer-measures.js';
import { fulfilment } from './fulfilment.js';
import type { MeasureQuery, MeasureResult, MeasureRow } from './measure.js';
import { renderPdf } from './pdf.js';
import type { Period } from './period.js';
import { impactWindows, percentChange } from './report-rules.js';

export interface ImpactWindow {
  key: 'before' | 'after';
  /** First and last local date (both inclusive). */
  from: string;
  to: string;
  days: number;
  /** Start (inclusive) and end (exclusive) instants. */
  start: string;
  end: string;
  /** The after window, cut short by today. */
  clipped: boolean;
}

export interface ImpactFigure {
  measure: string;
  label: string;
  /** One of the seed's three headline figures. */
  headline: boolean;
  unit: 'percent' | 'per_month';
  /** Which way is better: a fall in repeat complaints is the improvement. */
  better: 'lower' | 'higher';
  before: number | null;
  after: number | null;
  /**
   * (after − before) / before × 100 on the exact values (ratios; counts per day), rounded to 2
   * decimals; null when before is 0 or either has no data.
   */
  changePercent: number | null;
  /** Whether the change went the better way (null: no change to judge, or none). */
  improved: boolean | null;
  /** Rates: numerator and denominator; per month: the count and the days of the window. */
  beforeNumerator: number;
  beforeDenominator: number;
  afterNumerator: number;
  afterDenominator: number;
  definition: string;
}

export interface ImpactReport {
  report: 'impact';
  workspace: { id: string; name: string };
  zone: string;
  asOf: string;
  pivot: string;
  windows: { before: ImpactWindow; after: ImpactWindow };
  figures: ImpactFigure[];
  /** True when no figure has data in either window. */
  noData: boolean;
  definition: string;
}

const DEFINITION =
  'The seed’s headline figures (repeat complaint rate within 45 days, renewal-save rate, "already told you" escalations per month) plus fulfilment ' +
  'and proactive update rates, each computed exactly as its measure, for two windows of local days in the workspace zone: before = the 90 days ' +
  'before the pivot date, after = the 90 days from the pivot date, cut at the end of today when the pivot is less than 90 days ago (the after ' +
  'window is then shorter, and "per month" figures are scaled by its actual length). Change = (after − before) / before × 100, null when before is ' +
  '0 or either window has no data. The pivot may not be in the future.';

interface Spec {
  measure: string;
  label: string;
  headline: boolean;
  better: 'lower' | 'higher';
  compute: (ctx: AppContext, q: MeasureQuery) => Promise<MeasureResult>;
  unit: 'percent' | 'per_month';
}

const SPECS: Spec[] = [
  {
    measure: 'repeat_complaint_rate',
    label: 'Repeat complaint rate (45 days)',
    headline: true,
    better: 'lower',
    compute: repeatComplaintRate,
    unit: 'percent',
  },
  {
    measure: 'renewal_save_rate',
    label: 'Renewal-save rate',
    headline: true,
    better: 'higher',
    compute: renewalSaveRate,
    unit: 'percent',
  },
  {
    measure: 'already_told_you',
    label: '"Already told you" escalations per month',
    headline: true,
    better: 'lower',
    compute: alreadyToldYou,
    unit: 'per_month',
  },
  {
    measure: 'fulfilment',
    label: 'Fulfilment rate',
    headline: false,
    better: 'higher',
    compute: fulfilment,
    unit: 'percent',
  },
  {
    measure: 'proactive_update_rate',
    label: 'Proactive update rate',
    headline: false,
    better: 'higher',
    compute: proactiveUpdateRate,
    unit: 'percent',
  },
];

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const numOrNull = (v: unknown): number | null =>
  v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : Number(v);

/**
 * One window's value of a figure from the measure's row for that period: the shown value (rounded
 * as the measure rounds it) and the exact value the change is computed from (so 1/3 → 2/3 is +100 %).
 */
function windowValue(spec: Spec, row: MeasureRow | undefined, days: number) {
  if (spec.unit === 'per_month') {
    const count = num(row?.alreadyToldYou);
    return {
      value: numOrNull(row?.perMonth),
      exact: days > 0 ? count / days : null,
      numerator: count,
      denominator: days,
    };
  }
  const numerator = num(row?.numerator);
  const denominator = num(row?.denominator);
  return {
    value: denominator === 0 ? null : numOrNull(row?.percent),
    exact: denominator === 0 ? null : numerator / denominator,
    numerator,
    denominator,
  };
}

const windowOf = (p: Period, days: number, clipped: boolean): ImpactWindow => ({
  key: p.key as 'before' | 'after',
  from: p.firstDay,
  to: formatDate(p.endEpochDay - 1),
  days,
  start: p.start.toISOString(),
  end: p.end.toISOString(),
  clipped,
});

/** The impact report around `pivot` (a local date, not in the future: else a 422 naming `pivot`). */
export async function impactReport(
  ctx: AppContext,
  base: { workspaceId: string; zone: string; now: Date },
  pivot: string,
): Promise<ImpactReport> {
  const w = impactWindows(pivot, base.now, base.zone);
  const [ws] = await ctx.database.db
    .select({ id: workspaces.id, name: workspaces.name })
    .from(workspaces)
    .where(eq(workspaces.id, base.workspaceId))
    .limit(1);
  if (!ws) throw notFound(`workspace ${base.workspaceId}`, 'workspace');
  const q: MeasureQuery = {
    workspaceId: base.workspaceId,
    zone: base.zone,
    now: base.now,
    periods: [w.before, w.after],
  };
  const results: MeasureResult[] = [];
  for (const spec of SPECS) results.push(await spec.compute(ctx, q));
  let anyData = false;
  const figures = SPECS.map((spec, i): ImpactFigure => {
    const r = results[i] as MeasureResult;
    // Without `by`, one row per period.
    const row = (key: string) => r.rows.find((x) => x.period === key && x.dimension === undefined);
    const b = windowValue(spec, row('before'), w.beforeDays);
    const a = windowValue(spec, row('after'), w.afterDays);
    if (spec.unit === 'percent' ? b.denominator + a.denominator > 0 : b.numerator + a.numerator > 0) {
      anyData = true;
    }
    const changePercent = percentChange(b.exact, a.exact);
    return {
      measure: spec.measure,
      label: spec.label,
      headline: spec.headline,
      unit: spec.unit,
      better: spec.better,
      before: b.value,
      after: a.value,
      changePercent,
      improved:
        changePercent === null || changePercent === 0
          ? null
          : spec.better === 'lower'
            ? changePercent < 0
            : changePercent > 0,
      beforeNumerator: b.numerator,
      beforeDenominator: b.denominator,
      afterNumerator: a.numerator,
      afterDenominator: a.denominator,
      definition: r.definition,
    };
  });
  return {
    report: 'impact',
    workspace: { id: ws.id, name: ws.name },
    zone: base.zone,
    asOf: base.now.toISOString(),
    pivot: w.pivot,
    windows: {
      before: windowOf(w.before, w.beforeDays, false),
      after: windowOf(w.after, w.afterDays, w.afterClipped),
    },
    figures,
    noData: !anyData,
    definition: DEFINITION,
  };
}

// ── CSV and PDF ──────────────────────────────────────────────────────────────────────────────────

export const IMPACT_CSV_COLUMNS = [
  'measure',
  'label',
  'headline',
  'unit',
  'better',
  'beforeFrom',
  'beforeTo',
  'afterFrom',
  'afterTo',
  'before',
  'after',
  'changePercent',
  'improved',
  'beforeNumerator',
  'beforeDenominator',
  'afterNumerator',
  'afterDenominator',
  'definition',
] as const;

/** One line per figure; empty cells for null. */
export function impactCsv(r: ImpactReport): string {
  const rows = r.figures.map((f) => {
    const line: Record<(typeof IMPACT_CSV_COLUMNS)[number], string | number | boolean | null> = {
      measure: f.measure,
      label: f.label,
      headline: f.headline,
      unit: f.unit,
      better: f.better,
      beforeFrom: r.windows.before.from,
      beforeTo: r.windows.before.to,
      afterFrom: r.windows.after.from,
      afterTo: r.windows.after.to,
      before: f.before,
      after: f.after,
      changePercent: f.changePercent,
      improved: f.improved,
      beforeNumerator: f.beforeNumerator,
      beforeDenominator: f.beforeDenominator,
      afterNumerator: f.afterNumerator,
      afterDenominator: f.afterDenominator,
      definition: f.definition,
    };
    return IMPACT_CSV_COLUMNS.map((c) => line[c] ?? '');
  });
  return stringify(rows, {
    header: true,
    columns: [...IMPACT_CSV_COLUMNS],
    cast: { boolean: (b) => (b ? 'true' : 'false') },
  });
}

/** A figure's value as shown: `25%`, `9.5 per month`, or `no data`. */
export function showValue(f: Pick<ImpactFigure, 'unit'>, v: number | null): string {
  if (v === null) return 'no data';
  return f.unit === 'percent' ? `${v}%` : `${v} per month`;
}

const showDetail = (f: ImpactFigure, numerator: number, denominator: number) =>
  f.unit === 'percent' ? `${numerator} of ${denominator}` : `${numerator} in ${denominator} days`;

export const showChange = (c: number | null): string => (c === null ? 'n/a' : `${c > 0 ? '+' : ''}${c}%`);

/** The report as a PDF: title, workspace, windows, the figures with their definitions, generated at. */
export function impactPdf(r: ImpactReport, opts: { compress?: boolean } = {}): Promise<Buffer> {
  const win = (x: ImpactWindow, name: string) =>
    `${name}: ${x.from} to ${x.to} (${x.days} day${x.days === 1 ? '' : 's'}${x.clipped ? ', cut at today' : ''})`;
  return renderPdf({
    title: 'Impact report',
    subtitle: [
      `Workspace: ${r.workspace.name}`,
      `Pivot date: ${r.pivot} (time zone ${r.zone})`,
      win(r.windows.before, 'Before'),
      win(r.windows.after, 'After'),
    ],
    tables: [
      {
        heading: 'Figures',
        columns: [
          { label: 'Measure', width: 3.2 },
          { label: 'Before', width: 1.6, align: 'right' },
          { label: 'After', width: 1.6, align: 'right' },
          { label: 'Change', width: 1.1, align: 'right' },
          { label: 'Better', width: 0.8 },
        ],
        rows: r.figures.map((f) => [
          `${f.label}${f.headline ? ' *' : ''}`,
          `${showValue(f, f.before)}\n${showDetail(f, f.beforeNumerator, f.beforeDenominator)}`,
          `${showValue(f, f.after)}\n${showDetail(f, f.afterNumerator, f.afterDenominator)}`,
          showChange(f.changePercent),
          f.better,
        ]),
      },
    ],
    notes: {
      heading: 'Definitions',
      paragraphs: [
        '* The seed’s three headline figures.',
        r.definition,
        ...r.figures.map((f) => `${f.label}: ${f.definition}`),
      ],
    },
    generatedAt: new Date(r.asOf),
    generatedAtText: `Generated at ${formatInstant(new Date(r.asOf), r.zone)} (${r.zone}) by Promise Ledger.`,
    ...(opts.compress === undefined ? {} : { compress: opts.compress }),
  });
}
