// Account measures (PRODUCT.md "Measures the product computes"): renewal-save rate, gross churn,
// NRR, LTV and cohort retention, per period of the workspace's zone and optionally by account tier,
// owner or team (the owner's manager). Each reads the workspace's accounts in chunks (keyset on the
// id) and adds every account once to each (period × dimension value) tally with the pure rules of
// account-rules.ts, yielding to the event loop between chunks: a large workspace answers without
// one long synchronous stretch (PGlite runs queries on this thread too, so queries are chunked as
// well).
import { type SQL, sql } from 'drizzle-orm';
import { type Temperature, TIERS, type Tier } from '../accounts/account.js';
import type { AppContext } from '../context.js';
import { users } from '../db/schema.js';
import { invalid } from '../errors.js';
import { formatDate } from '../time/zone.js';
import {
  type ChurnTally,
  type CurrencyBucket,
  cohortCheckpoints,
  emptyBucket,
  ltvOf,
  type RenewalOutcome,
  type RiskFacts,
  renewalVerdictOf,
  retainedOne,
  tallyArr,
  tallyChurn,
} from './account-rules.js';
import { CHUNK_ROWS, keysetPages } from './chunks.js';
import { type MeasureQuery, type MeasureResult, type MeasureRow, rate } from './measure.js';
import { type Period, startOfDay } from './period.js';

/** The dimensions account measures are split by. */
export const ACCOUNT_DIMENSIONS = ['tier', 'owner', 'team'] as const;
export type AccountDimension = (typeof ACCOUNT_DIMENSIONS)[number];

const TIER_LABELS: Record<Tier, string> = {
  strategic: 'Strategic',
  enterprise: 'Enterprise',
  mid_market: 'Mid-market',
  smb: 'SMB',
};

const DIMENSION_NOTE =
  ' Split by tier, owner or team, an account counts under its current tier and owner (team: the owner’s manager).';

// ---------------------------------------------------------------------------------------------
// The facts the measures read.

interface Dim {
  dimension: string | null;
  label: string;
}

/** What a measure needs of an account; local dates and instants come computed from SQL. */
interface AccountRow {
  id: string;
  tier: Tier;
  ownerId: string;
  arrMinor: number;
  currency: string;
  temperature: Temperature | null;
  /** Contract start, else the local day of creation (epoch days). */
  startDay: number;
  /** The first instant of the contract start, else created_at. */
  startAt: Date;
  /** The renewal date (epoch days). */
  renewalDay: number | null;
}

function checkBy(by: string | undefined): AccountDimension | undefined {
  if (by === undefined) return undefined;
  if (!(ACCOUNT_DIMENSIONS as readonly string[]).includes(by)) {
    throw invalid('by', `must be one of ${ACCOUNT_DIMENSIONS.join(', ')}`);
  }
  return by as AccountDimension;
}

async function rowsOf<T>(ctx: AppContext, query: SQL): Promise<T[]> {
  return ((await ctx.database.db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** An instant as whole milliseconds since the epoch (what the drivers' Date would hold). */
const ms = (column: SQL) => sql`floor(extract(epoch from ${column}) * 1000)::float8`;

/** Memoised start of a local day in the zone (a few hundred distinct days per workspace). */
function dayStarts(zone: string): (epochDay: number) => Date {
  const cache = new Map<number, Date>();
  return (day) => {
    let t = cache.get(day);
    if (t === undefined) {
      t = startOfDay(day, zone);
      cache.set(day, t);
    }
    return t;
  };
}

/**
 * The signals of one kind of the accounts firstId..lastId, each account's oldest first
 * (occurred_at, id), mapped by `f` and grouped by account. Read on the per-account index: one
 * chunk's range, not a page of the whole workspace's signals.
 */
async function signalsByAccount<R extends { account_id: string }, T>(
  ctx: AppContext,
  workspaceId: string,
  kind: 'renewal_outcome' | 'billing',
  columns: SQL,
  f: (r: R) => T | null,
  firstId: string,
  lastId: string,
): Promise<Map<string, T[]>> {
  const rows = await rowsOf<R>(
    ctx,
    sql`select account_id, ${columns}
          from signals
         where workspace_id = ${workspaceId} and account_id between ${firstId}::uuid and ${lastId}::uuid
           and kind = ${kind}
         order by account_id, occurred_at, id`,
  );
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const v = f(r);
    if (v === null) continue;
    const list = out.get(r.account_id);
    if (list) list.push(v);
    else out.set(r.account_id, [v]);
  }
  return out;
}

/** Each account's renewal outcomes, oldest first (the accounts firstId..lastId). */
function loadOutcomes(
  ctx: AppContext,
  workspaceId: string,
  firstId: string,
  lastId: string,
): Promise<Map<string, RenewalOutcome[]>> {
  return signalsByAccount(
    ctx,
    workspaceId,
    'renewal_outcome',
    sql`${ms(sql`occurred_at`)} as at_ms, renewal_outcome as outcome, arr_before_minor::float8 as arr_before,
        arr_after_minor::float8 as arr_after, currency`,
    (o: {
      account_id: string;
      at_ms: number;
      outcome: 'renewed' | 'churned' | null;
      arr_before: number | null;
      arr_after: number | null;
      currency: string | null;
    }): RenewalOutcome | null =>
      o.outcome
        ? {
            occurredAt: new Date(o.at_ms),
            outcome: o.outcome,
            arrBeforeMinor: o.arr_before ?? 0,
            arrAfterMinor: o.arr_after ?? 0,
            currency: o.currency ?? 'USD',
          }
        : null,
    firstId,
    lastId,
  );
}

/** The workspace's dimension values: how an account maps to one, and their order in the answer. */
interface Dims {
  /** The key of an account's group and, the first time it is seen, its Dim. */
  keyOf: (a: AccountRow) => string;
  dimOf: (a: AccountRow) => Dim;
  /** Fixed groups known before any account is read (all: one; tier: every tier). */
  fixed: Dim[] | null;
}

async function loadDims(ctx: AppContext, q: MeasureQuery): Promise<Dims> {
  const by = checkBy(q.by);
  if (by === undefined) {
    const all: Dim = { dimension: null, label: '' };
    return { keyOf: () => '', dimOf: () => all, fixed: [all] };
  }
  if (by === 'tier') {
    return {
      keyOf: (a) => a.tier,
      dimOf: (a) => ({ dimension: a.tier, label: TIER_LABELS[a.tier] }),
      fixed: TIERS.map((t) => ({ dimension: t, label: TIER_LABELS[t] })),
    };
  }
  const userRows = await ctx.database.db
    .select({ id: users.id, name: users.name, managerId: users.managerId })
    .from(users)
    .where(sql`${users.workspaceId} = ${q.workspaceId}`);
  const userById = new Map(userRows.map((u) => [u.id, u]));
  if (by === 'owner') {
    return {
      keyOf: (a) => a.ownerId,
      dimOf: (a) => ({ dimension: a.ownerId, label: userById.get(a.ownerId)?.name ?? '(none)' }),
      fixed: null,
    };
  }
  const managerOf = (a: AccountRow) => userById.get(a.ownerId)?.managerId ?? null;
  return {
    keyOf: (a) => managerOf(a) ?? '',
    dimOf: (a) => {
      const managerId = managerOf(a);
      return managerId === null
        ? { dimension: null, label: '(none)' }
        : { dimension: managerId, label: userById.get(managerId)?.name ?? '(none)' };
    },
    fixed: null,
  };
}

/** Per group, one tally per period; groups created as accounts reveal them. */
class Groups<T> {
  private readonly index = new Map<string, number>();
  private readonly dims: Dim[] = [];
  readonly tallies: T[][] = [];

  constructor(
    private readonly d: Dims,
    private readonly periods: number,
    private readonly make: () => T,
  ) {
    for (const dim of d.fixed ?? []) this.add(dim.dimension ?? '', dim);
  }

  private add(key: string, dim: Dim): number {
    const i = this.dims.length;
    this.index.set(key, i);
    this.dims.push(dim);
    this.tallies.push(Array.from({ length: this.periods }, this.make));
    return i;
  }

  /** The tallies (one per period) of an account's group. */
  of(a: AccountRow): T[] {
    const key = this.d.keyOf(a);
    const i = this.index.get(key) ?? this.add(key, this.d.dimOf(a));
    return this.tallies[i]!;
  }

  /** The groups in answer order: fixed ones as declared, others by label then value. */
  ordered(): { dim: Dim; tallies: T[] }[] {
    const all = this.dims.map((dim, i) => ({ dim, tallies: this.tallies[i]! }));
    if (this.d.fixed) return all;
    return all.sort(
      (x, y) =>
        x.dim.label.localeCompare(y.dim.label) ||
        String(x.dim.dimension).localeCompare(String(y.dim.dimension)),
    );
  }
}

interface AccountRowSql {
  id: string;
  tier: Tier;
  owner_id: string;
  arr: number;
  currency: string;
  temperature: Temperature | null;
  start_day: number;
  created_ms: number | null;
  renewal_day: number | null;
}

/**
 * Calls `each` with the workspace's accounts, a chunk at a time in id order, breathing between
 * chunks. `extra` loads more facts for the chunk's id range (first and last id, inclusive).
 */
async function eachAccountChunk<X = undefined>(
  ctx: AppContext,
  q: MeasureQuery,
  each: (accounts: AccountRow[], outcomes: Map<string, RenewalOutcome[]>, extra: X) => void,
  extra?: (firstId: string, lastId: string) => Promise<X>,
): Promise<void> {
  const dayStart = dayStarts(q.zone);
  const pages = keysetPages(ctx, (after: AccountRowSql | null) =>
    rowsOf<AccountRowSql>(
      ctx,
      sql`select id, tier, owner_id, arr_minor::float8 as arr, currency, temperature,
                 coalesce(contract_start, (created_at at time zone ${q.zone})::date) - date '1970-01-01' as start_day,
                 case when contract_start is null then ${ms(sql`created_at`)} end as created_ms,
                 renewal_date - date '1970-01-01' as renewal_day
            from accounts
           where workspace_id = ${q.workspaceId} ${after === null ? sql`` : sql`and id > ${after.id}::uuid`}
           order by id
           limit ${CHUNK_ROWS}`,
    ),
  );
  for await (const rows of pages) {
    if (rows.length === 0) return;
    const firstId = rows[0]!.id;
    const lastId = rows[rows.length - 1]!.id;
    const [outcomes, more] = await Promise.all([
      loadOutcomes(ctx, q.workspaceId, firstId, lastId),
      extra ? extra(firstId, lastId) : (undefined as X),
    ]);
    each(
      rows.map(
        (r): AccountRow => ({
          id: r.id,
          tier: r.tier,
          ownerId: r.owner_id,
          arrMinor: r.arr,
          currency: r.currency,
          temperature: r.temperature,
          startDay: r.start_day,
          startAt: r.created_ms === null ? dayStart(r.start_day) : new Date(r.created_ms),
          renewalDay: r.renewal_day,
        }),
      ),
      outcomes,
      more,
    );
  }
}

function head(p: Period, by: string | undefined, d: Dim): MeasureRow {
  return {
    period: p.key,
    periodStart: p.start.toISOString(),
    ...(by === undefined ? {} : { dimension: d.dimension, label: d.label }),
  };
}
const headColumns = (by: string | undefined) =>
  by === undefined ? ['period', 'periodStart'] : ['period', 'periodStart', 'dimension', 'label'];

function result(
  q: MeasureQuery,
  measure: string,
  definition: string,
  columns: string[],
  rows: MeasureRow[],
  noData: boolean,
): MeasureResult {
  const first = q.periods[0];
  const last = q.periods[q.periods.length - 1];
  return {
    measure,
    definition: q.by === undefined ? definition : definition + DIMENSION_NOTE,
    zone: q.zone,
    asOf: q.now.toISOString(),
    period: q.granularity,
    from: first?.firstDay,
    to: last ? lastDay(last) : undefined,
    by: q.by,
    columns: [...headColumns(q.by), ...columns],
    rows,
    noData,
  };
}

const lastDay = (p: Period) => formatDate(p.endEpochDay - 1);

// ---------------------------------------------------------------------------------------------
// Gross churn.

const GROSS_CHURN_DEFINITION =
  'Gross churn = customers lost in the period / customers at its start × 100. A customer at the start: an account whose start (contract start, else creation) is before the period start and whose latest renewal outcome before it, if any, is not churned. Lost: such a customer with a renewal outcome `churned` that occurred in the period (a customer gained and lost within the period is not counted, being in neither the start nor the rate).';

export async function grossChurn(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const dims = await loadDims(ctx, q);
  const groups = new Groups<ChurnTally>(dims, q.periods.length, () => ({ atStart: 0, lost: 0 }));
  await eachAccountChunk(ctx, q, (chunk, outcomes) => {
    for (const a of chunk) tallyChurn(groups.of(a), a, outcomes.get(a.id), q.periods);
  });
  const ordered = groups.ordered();
  const rows: MeasureRow[] = [];
  q.periods.forEach((p, k) => {
    for (const g of ordered) {
      const c = g.tallies[k]!;
      rows.push({
        ...head(p, q.by, g.dim),
        customersAtStart: c.atStart,
        customersLost: c.lost,
        ...rate(c.lost, c.atStart),
      });
    }
  });
  return result(
    q,
    'gross_churn',
    GROSS_CHURN_DEFINITION,
    ['customersAtStart', 'customersLost', 'numerator', 'denominator', 'percent'],
    rows,
    rows.every((r) => r.denominator === 0),
  );
}

// ---------------------------------------------------------------------------------------------
// NRR and LTV share one pass: per period and group, the currency buckets.

async function arrTallies(ctx: AppContext, q: MeasureQuery) {
  const dims = await loadDims(ctx, q);
  const groups = new Groups<Map<string, CurrencyBucket>>(dims, q.periods.length, () => new Map());
  // Every currency an account or outcome is in, sorted ([null] when there is none).
  const currencies = new Set<string>();
  await eachAccountChunk(ctx, q, (chunk, outcomes) => {
    for (const list of outcomes.values()) for (const o of list) currencies.add(o.currency);
    for (const a of chunk) {
      currencies.add(a.currency);
      tallyArr(groups.of(a), a, outcomes.get(a.id), q.periods);
    }
  });
  return {
    groups: groups.ordered(),
    currencies: currencies.size === 0 ? [null] : [...currencies].sort(),
  };
}

const NRR_DEFINITION =
  'NRR = (start ARR + expansion − contraction − churned ARR) / start ARR × 100, per currency (amounts in different currencies are never added). The customers are those at the period start (as in gross churn); a customer’s start ARR is the ARR after its latest renewal outcome before the start, else the ARR before its first renewal outcome after it, else its current ARR (0 is a customer with no ARR, counted). Expansion and contraction: the increases and decreases (ARR after − ARR before) of their `renewed` outcomes in the period; churned ARR: the ARR before of their `churned` outcomes in the period. Amounts in minor units; percent null when start ARR is 0.';

export async function nrr(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const { groups, currencies } = await arrTallies(ctx, q);
  const rows: MeasureRow[] = [];
  q.periods.forEach((p, k) => {
    for (const g of groups) {
      const buckets = g.tallies[k]!;
      for (const currency of currencies) {
        const b = (currency !== null && buckets.get(currency)) || emptyBucket();
        rows.push({
          ...head(p, q.by, g.dim),
          currency,
          customersAtStart: b.customers,
          startArrMinor: b.start,
          expansionMinor: b.expansion,
          contractionMinor: b.contraction,
          churnedArrMinor: b.churned,
          ...rate(b.start + b.expansion - b.contraction - b.churned, b.start),
        });
      }
    }
  });
  return result(
    q,
    'nrr',
    NRR_DEFINITION,
    [
      'currency',
      'customersAtStart',
      'startArrMinor',
      'expansionMinor',
      'contractionMinor',
      'churnedArrMinor',
      'numerator',
      'denominator',
      'percent',
    ],
    rows,
    rows.every((r) => r.denominator === 0),
  );
}

// ---------------------------------------------------------------------------------------------
// LTV.

const LTV_DEFINITION =
  'LTV = average revenue per account / churn rate, per period and currency. The accounts are the customers at the period start whose start ARR (as in NRR) is in that currency; average revenue per account = their average start ARR × (days in the period / 365), i.e. the revenue one account brings in one period; churn rate = those of them lost in the period / their number (a fraction, as in gross churn). LTV is null ("no data") when nobody churned or there were no customers. Amounts in minor units, rounded.';

export async function ltv(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const { groups, currencies } = await arrTallies(ctx, q);
  const rows: MeasureRow[] = [];
  q.periods.forEach((p, k) => {
    const days = p.endEpochDay - p.firstEpochDay;
    for (const g of groups) {
      const buckets = g.tallies[k]!;
      for (const currency of currencies) {
        const b = (currency !== null && buckets.get(currency)) || emptyBucket();
        const v = ltvOf(b, days);
        rows.push({
          ...head(p, q.by, g.dim),
          currency,
          customersAtStart: b.customers,
          customersLost: b.lost,
          churnPercent: rate(b.lost, b.customers).percent,
          averageArrMinor: v.averageArr === null ? null : Math.round(v.averageArr),
          periodDays: days,
          revenuePerAccountMinor: v.revenue === null ? null : Math.round(v.revenue),
          ltvMinor: v.ltv === null ? null : Math.round(v.ltv),
        });
      }
    }
  });
  return result(
    q,
    'ltv',
    LTV_DEFINITION,
    [
      'currency',
      'customersAtStart',
      'customersLost',
      'churnPercent',
      'averageArrMinor',
      'periodDays',
      'revenuePerAccountMinor',
      'ltvMinor',
    ],
    rows,
    rows.every((r) => r.ltvMinor === null),
  );
}

// ---------------------------------------------------------------------------------------------
// Renewal-save rate.

const RENEWAL_SAVE_DEFINITION =
  'Renewal-save rate = at-risk accounts with a renewal in the period that renewed / all such accounts. An account has a renewal in the period when a renewal outcome occurred in it, or its renewal date falls in it and no renewal outcome occurred within 90 days of that date (recording an outcome does not move the date: an early or late renewal counts once, in its own period); its renewal instant is that outcome’s time, else the start of the renewal date. It is at risk when, at that instant, its temperature (the latest setting in its history at or before it; an account with no history at all counts with its current temperature) was strained or fragile, or it was flagged: an open promise whose business consequence is renewal risk, or a payment failure not followed by a payment recovery. It renewed when a `renewed` outcome occurred in the period. A renewal date still in the future with no outcome yet is pending and not counted; an account already lost before the period is not counted.';

/** Each account's payment events, oldest first (the accounts firstId..lastId). */
function loadBilling(
  ctx: AppContext,
  workspaceId: string,
  firstId: string,
  lastId: string,
): Promise<RiskFacts['billing']> {
  return signalsByAccount(
    ctx,
    workspaceId,
    'billing',
    sql`${ms(sql`occurred_at`)} as at_ms, billing_event as event`,
    (b: { account_id: string; at_ms: number; event: 'payment_failed' | 'payment_recovered' | null }) =>
      b.event === 'payment_failed' || b.event === 'payment_recovered'
        ? { occurredAt: new Date(b.at_ms), event: b.event }
        : null,
    firstId,
    lastId,
  );
}

/** Temperature readings and renewal-risk promises of the accounts firstId..lastId. */
async function loadChunkRisk(
  ctx: AppContext,
  workspaceId: string,
  firstId: string,
  lastId: string,
): Promise<Pick<RiskFacts, 'temperatures' | 'renewalRiskPromises'>> {
  const [temps, proms] = await Promise.all([
    rowsOf<{ account_id: string; temperature: Temperature; set_ms: number }>(
      ctx,
      sql`select account_id, temperature, ${ms(sql`set_at`)} as set_ms
            from account_temperature_history
           where workspace_id = ${workspaceId} and account_id between ${firstId}::uuid and ${lastId}::uuid
           order by set_at, id`,
    ),
    rowsOf<{ account_id: string; created_ms: number; closed_ms: number | null }>(
      ctx,
      sql`select account_id, ${ms(sql`created_at`)} as created_ms, ${ms(sql`closed_at`)} as closed_ms
            from promises
           where workspace_id = ${workspaceId} and account_id between ${firstId}::uuid and ${lastId}::uuid
             and consequence = 'renewal_risk'`,
    ),
  ]);
  const temperatures = new Map<string, { temperature: Temperature; setAt: Date }[]>();
  for (const t of temps) {
    const v = { temperature: t.temperature, setAt: new Date(t.set_ms) };
    const list = temperatures.get(t.account_id);
    if (list) list.push(v);
    else temperatures.set(t.account_id, [v]);
  }
  const renewalRiskPromises = new Map<string, { createdAt: Date; closedAt: Date | null }[]>();
  for (const p of proms) {
    const v = {
      createdAt: new Date(p.created_ms),
      closedAt: p.closed_ms === null ? null : new Date(p.closed_ms),
    };
    const list = renewalRiskPromises.get(p.account_id);
    if (list) list.push(v);
    else renewalRiskPromises.set(p.account_id, [v]);
  }
  return { temperatures, renewalRiskPromises };
}

interface RenewalTally {
  atRisk: number;
  saved: number;
  churned: number;
  noOutcome: number;
  pending: number;
  byTemperature: number;
  flagged: number;
}

export async function renewalSaveRate(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const dims = await loadDims(ctx, q);
  const groups = new Groups<RenewalTally>(dims, q.periods.length, () => ({
    atRisk: 0,
    saved: 0,
    churned: 0,
    noOutcome: 0,
    pending: 0,
    byTemperature: 0,
    flagged: 0,
  }));
  const dayStart = dayStarts(q.zone);
  await eachAccountChunk<RiskFacts>(
    ctx,
    q,
    (chunk, outcomes, risk) => {
      for (const a of chunk) {
        const list = outcomes.get(a.id);
        let tallies: RenewalTally[] | undefined;
        q.periods.forEach((p, k) => {
          const v = renewalVerdictOf(a, a.renewalDay, list, risk, p, q.now, dayStart);
          if (v === null) return;
          tallies ??= groups.of(a);
          const t = tallies[k]!;
          if (v.status === 'pending') {
            t.pending += 1;
            return;
          }
          t.atRisk += 1;
          if (v.byTemperature) t.byTemperature += 1;
          if (v.flagged) t.flagged += 1;
          if (v.status === 'renewed') t.saved += 1;
          else if (v.status === 'churned') t.churned += 1;
          else t.noOutcome += 1;
        });
        // Every account's group has its rows, renewal or not (as with the other measures).
        if (tallies === undefined) groups.of(a);
      }
    },
    async (firstId, lastId) => {
      const [chunkRisk, billing] = await Promise.all([
        loadChunkRisk(ctx, q.workspaceId, firstId, lastId),
        loadBilling(ctx, q.workspaceId, firstId, lastId),
      ]);
      return { ...chunkRisk, billing };
    },
  );
  const ordered = groups.ordered();
  const rows: MeasureRow[] = [];
  q.periods.forEach((p, k) => {
    for (const g of ordered) {
      const t = g.tallies[k]!;
      rows.push({
        ...head(p, q.by, g.dim),
        atRiskRenewals: t.atRisk,
        atRiskByTemperature: t.byTemperature,
        atRiskFlagged: t.flagged,
        renewed: t.saved,
        churned: t.churned,
        noOutcome: t.noOutcome,
        pending: t.pending,
        ...rate(t.saved, t.atRisk),
      });
    }
  });
  return result(
    q,
    'renewal_save_rate',
    RENEWAL_SAVE_DEFINITION,
    [
      'atRiskRenewals',
      'atRiskByTemperature',
      'atRiskFlagged',
      'renewed',
      'churned',
      'noOutcome',
      'pending',
      'numerator',
      'denominator',
      'percent',
    ],
    rows,
    rows.every((r) => r.denominator === 0),
  );
}

// ---------------------------------------------------------------------------------------------
// Cohort retention.

const COHORT_DEFINITION =
  'Cohort retention by start month: each cohort is the accounts whose start (contract start, else creation; a local date) falls in the period; for month index k (0 = the end of the cohort period, then each following month end, up to now), retained = members still customers then (their latest renewal outcome before that instant, if any, is not churned) / cohort size. The current month is measured as of now (`asOf`).';

interface CohortTally {
  size: number;
  /** Per checkpoint of the period. */
  retained: number[];
}

/**
 * The most rows a cohort answer may hold (cohorts × month ends × groups): daily cohorts over years,
 * split by owner, would otherwise build millions of rows. Over it is a 400 naming what to change.
 */
export const MAX_COHORT_ROWS = 50_000;

/** Each cohort's checkpoints, stopping (400 on `from`) as soon as they exceed the row budget. */
function boundedCheckpoints(q: MeasureQuery): Date[][] {
  let cells = 0;
  return q.periods.map((p) => {
    const c = cohortCheckpoints(p, q.now, q.zone);
    cells += c.length;
    if (cells > MAX_COHORT_ROWS) {
      throw invalid(
        'from',
        `${q.periods.length} cohorts measured at each month end up to now exceed ${MAX_COHORT_ROWS} rows; choose a later from, a shorter range or a longer period`,
      );
    }
    return c;
  });
}

export async function cohortRetention(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const checkpoints = boundedCheckpoints(q);
  const cells = checkpoints.reduce((s, c) => s + c.length, 0);
  // Groups × month ends over the budget: refused as soon as the groups are known (the fixed ones
  // before any account is read, an owner split after the chunk that found one too many).
  const checkGroups = (count: number) => {
    if (cells * count > MAX_COHORT_ROWS) {
      throw invalid(
        'by',
        `${count} ${q.by} groups × ${cells} cohort month ends exceed ${MAX_COHORT_ROWS} rows; choose a shorter range, a longer period or no split`,
      );
    }
  };
  const dims = await loadDims(ctx, q);
  checkGroups(dims.fixed?.length ?? 1);
  const groups = new Groups<CohortTally>(dims, q.periods.length, () => ({ size: 0, retained: [] }));
  await eachAccountChunk(ctx, q, (chunk, outcomes) => {
    checkGroups(groups.tallies.length);
    for (const a of chunk) {
      const tallies = groups.of(a);
      q.periods.forEach((p, k) => {
        if (a.startDay < p.firstEpochDay || a.startDay >= p.endEpochDay) return;
        const t = tallies[k]!;
        t.size += 1;
        const list = outcomes.get(a.id);
        checkpoints[k]!.forEach((at, c) => {
          t.retained[c] = (t.retained[c] ?? 0) + (retainedOne(list, at) ? 1 : 0);
        });
      });
    }
  });
  const ordered = groups.ordered();
  checkGroups(ordered.length);
  const rows: MeasureRow[] = [];
  q.periods.forEach((p, k) => {
    for (const g of ordered) {
      const t = g.tallies[k]!;
      checkpoints[k]!.forEach((at, c) => {
        const retained = t.retained[c] ?? 0;
        rows.push({
          ...head(p, q.by, g.dim),
          monthIndex: c,
          asOf: at.toISOString(),
          size: t.size,
          retained,
          ...rate(retained, t.size),
        });
      });
    }
  });
  return result(
    q,
    'cohort_retention',
    COHORT_DEFINITION,
    ['monthIndex', 'asOf', 'size', 'retained', 'numerator', 'denominator', 'percent'],
    rows,
    rows.every((r) => r.denominator === 0),
  );
}
