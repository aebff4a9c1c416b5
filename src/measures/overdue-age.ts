// Overdue age now: for open promises past due, now − effective due (pauses excluded), in days with
// decimals; a promise paused after its due had passed keeps the age it had when paused. Count,
// median and p90 (linear interpolation, as percentile_cont), max and buckets, for the whole workspace
// or by type, without reading every overdue promise: the per-day rollup counts say which local day
// holds the k-th oldest, and one index range scan with an offset inside that day reads its exact due
// instant; the paused past-due promises' frozen ages are read (one number each) and placed beside
// the running ones by local due day, so merging them costs a read only where both fall in one day.
// By owner (many
// small groups) it is one grouped query, which is also the fallback when the rollup disagrees with
// the promises (a write between two reads): an answer, never an error.
import type { AppContext } from '../context.js';
import { formatDate, parseDate } from '../time/zone.js';
import { checkDimension, labelsFor } from './fulfilment.js';
import { type MeasureQuery, type MeasureResult, type MeasureRow, round2 } from './measure.js';
import { epochDayInZone, startOfDay } from './period.js';
import {
  AGE_BUCKETS,
  AGE_EDGES_DAYS,
  type AgeBucket,
  bandOf,
  bucketsFromCumulative,
  type DayCount,
  interpolate,
  locateIndex,
} from './rollups.js';

export const OVERDUE_DIMENSIONS = ['type', 'owner'] as const;
export type OverdueDimension = (typeof OVERDUE_DIMENSIONS)[number];

export const OVERDUE_DEFINITION =
  'For open promises past due, age = now − due, where due is the current due date pushed back by all time spent ' +
  'paused (pauses excluded). A promise paused after its due had passed is still overdue, its age frozen while ' +
  'paused (paused at − due before the pause); one paused before its due is not overdue. In days with two decimals; median and ' +
  'p90 by linear interpolation (percentile_cont); buckets by lower edge inclusive: <1 d, 1–3, 3–7, 7–14, 14–30, ' +
  '30–90, ≥90 d.';

const DAY_MS = 86_400_000;
const TYPES_AT_ONCE = 3;

export interface AgeSummary {
  count: number;
  medianDays: number | null;
  p90Days: number | null;
  maxDays: number | null;
  buckets: Record<AgeBucket, number>;
}

const ageRow = (head: MeasureRow, s: AgeSummary): MeasureRow => ({
  ...head,
  count: s.count,
  medianDays: s.medianDays,
  p90Days: s.p90Days,
  maxDays: s.maxDays,
  ...s.buckets,
});

const days2 = (x: number | null) => (x === null ? null : round2(x));

export async function overdueAge(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const by = checkDimension(q.by, OVERDUE_DIMENSIONS);
  let groups: Map<string, AgeSummary>;
  if (by === 'owner') groups = await exactGroups(ctx, q, 'owner');
  else if (by === 'type') {
    groups = new Map();
    const types = await ctx.database.raw<{ v: string }>(
      `select distinct dim_value as v from promise_rollups
        where workspace_id = $1 and dim = 'type' and grain = 'day' and n <> 0
          and ((outcome = 'open' and due_day <= $2::date) or outcome = 'paused_past_due')`,
      [q.workspaceId, formatDate(epochDayInZone(q.now, q.zone))],
    );
    // A few types at a time: on PostgreSQL each runs its reads on pooled connections, and the pool
    // serves other requests too (a workspace with many types must not queue them all at once).
    for (let i = 0; i < types.length; i += TYPES_AT_ONCE) {
      const batch = types.slice(i, i + TYPES_AT_ONCE);
      const summaries = await Promise.all(batch.map((t) => summarise(ctx, q, t.v)));
      batch.forEach((t, j) => {
        if (summaries[j]!.count > 0) groups.set(t.v, summaries[j]!);
      });
    }
  } else groups = new Map([['all', await summarise(ctx, q, undefined)]]);
  const labels = by ? await labelsFor(ctx, q.workspaceId, by, [...groups.keys()]) : new Map<string, string>();
  const keys = [...groups.keys()].sort(
    (a, b) => (labels.get(a) ?? a).localeCompare(labels.get(b) ?? b) || a.localeCompare(b),
  );
  const rows = keys.map((k) => ageRow(by ? { dimension: k, label: labels.get(k) ?? k } : {}, groups.get(k)!));
  return {
    measure: 'overdue_age',
    definition: OVERDUE_DEFINITION,
    zone: q.zone,
    asOf: q.now.toISOString(),
    by,
    columns: [
      ...(by ? ['dimension', 'label'] : []),
      'count',
      'medianDays',
      'p90Days',
      'maxDays',
      ...AGE_BUCKETS,
    ],
    rows,
    noData: rows.every((r) => r.count === 0),
  };
}

/** The rollup and the promises disagree (a write between two reads, or a bug): use the exact query. */
class OutOfStep extends Error {}

/**
 * The summary for the whole workspace (type undefined) or one promise type: from the rollup path,
 * or, if the rollup turns out out of step with the promises, from the exact grouped query (never a
 * failed request). Logs only the workspace id and the reason.
 */
async function summarise(ctx: AppContext, q: MeasureQuery, type: string | undefined): Promise<AgeSummary> {
  try {
    return await fromRollups(ctx, q, type);
  } catch (e) {
    if (!(e instanceof OutOfStep)) throw e;
    console.warn(`overdue age: ${e.message} (workspace ${q.workspaceId}); answered from the exact query`);
    const exact = await exactGroups(ctx, q, type === undefined ? 'all' : 'type', type);
    return exact.get(type ?? 'all') ?? emptySummary();
  }
}

const emptySummary = (): AgeSummary => ({
  count: 0,
  medianDays: null,
  p90Days: null,
  maxDays: null,
  buckets: Object.fromEntries(AGE_BUCKETS.map((b) => [b, 0])) as Record<AgeBucket, number>,
});

/**
 * An open promise paused after its due before the pause had passed (the rollup's `paused_past_due`):
 * its frozen age, paused_at − (due_at + paused_ms), is positive. Written as the partial index
 * promises_paused_past_due_idx is, so the planner reads only those promises from it.
 */
const FROZEN_MS = 'promise_frozen_ms(due_at, paused_ms, paused_at)';
const PAUSED_PAST_DUE = `status = 'open' and paused_at is not null and ${FROZEN_MS} > 0`;

/**
 * The overdue ages of the promises paused after their due had passed, frozen at the pause: paused_at −
 * (due_at + paused_ms), in ms, ascending. Computed and sorted in SQL, from the partial index that
 * holds only these promises (promises_paused_past_due_idx).
 */
async function frozenAges(ctx: AppContext, q: MeasureQuery, type: string | undefined): Promise<number[]> {
  // One row holding an array: thousands of rows cost more to send and parse than one array of numbers.
  const [row] = await ctx.database.raw<{ ms: (number | string)[] | null }>(
    `select array_agg(ms order by ms) as ms from (
       select ${FROZEN_MS} as ms from promises
        where workspace_id = $1 and ${PAUSED_PAST_DUE} ${type === undefined ? '' : 'and type_key = $2'}) f`,
    [q.workspaceId, ...(type === undefined ? [] : [type])],
  );
  return (row?.ms ?? []).map(Number);
}

/**
 * The summary from the rollup's per-day open counts (days before today: all past due), exact reads of
 * the promises index, and the few paused past-due promises with their frozen ages merged in.
 */
async function fromRollups(ctx: AppContext, q: MeasureQuery, type: string | undefined): Promise<AgeSummary> {
  const { database } = ctx;
  const today = epochDayInZone(q.now, q.zone);
  const todayStart = startOfDay(today, q.zone);
  const dim = type === undefined ? 'all' : 'type';
  const value = type ?? 'all';
  const extra = type === undefined ? [] : [type];
  // Per local day before today from the rollup (all past due), and today's exact count up to now.
  const perDayCounts = () =>
    database.raw<{ day: string; n: number }>(
      `select day, n from (
       select due_day::text as day, n from promise_rollups
        where workspace_id = $1 and dim = $2 and grain = 'day' and dim_value = $3 and outcome = 'open'
          and due_day < $4::date and n <> 0
       union all
       select $4::text, count(*)::int8 from promises
        where workspace_id = $1 and status = 'open' and effective_due_at >= $5 and effective_due_at < $6
          ${type === undefined ? '' : 'and type_key = $7'}) d
      order by day`,
      [q.workspaceId, dim, value, formatDate(today), todayStart, q.now, ...extra],
    );
  // Three independent reads at once (on PostgreSQL each on its own pooled connection): the per-day
  // counts, the frozen ages, and the running promises inside the day of each bucket edge.
  const edgesMs = AGE_EDGES_DAYS.map((e) => e * DAY_MS);
  const [perDay, frozen, edgePartial] = await Promise.all([
    perDayCounts(),
    frozenAges(ctx, q, type),
    runningInEdgeDays(ctx, q, type, edgesMs),
  ]);
  const days: DayCount[] = perDay.map((d) => ({ day: d.day, n: Number(d.n) }));
  if (days.some((d) => d.n < 0)) throw new OutOfStep('negative rollup count');
  // Clock running: n promises, known by index in ascending due order (= descending age).
  const n = days.reduce((s, d) => s + d.n, 0);
  // Paused past due: m promises with their frozen ages, ascending.
  const total = n + frozen.length;
  if (total === 0) return emptySummary();

  // Bucket edges: running promises at least X overdue (whole days from the rollup, plus the exact
  // count inside X's day), plus the frozen ages ≥ X.
  const edgeCounts = edgePartial.map(
    (e) => days.filter((d) => d.day < e.before).reduce((s, d) => s + d.n, 0) + e.n,
  );
  if (edgeCounts.some((c) => c > n)) throw new OutOfStep('rollup counts below the promises');

  // The running ages by ascending-age rank r (the promise at ascending-due index n − 1 − r), read
  // from the promises index a batch at a time: per rank, an index range scan of its local day.
  const runningAge = new Map<number, number>();
  const readRunning = async (ranks: readonly number[]) => {
    const missing = [...new Set(ranks)].filter((r) => !runningAge.has(r));
    if (missing.length === 0) return;
    const params: unknown[] = [q.workspaceId, q.now, q.zone, ...extra];
    const parts = missing.map((r) => {
      const at = locateIndex(days, n - 1 - r);
      if (!at) throw new OutOfStep(`overdue index ${n - 1 - r} out of range`);
      params.push(at.day, at.offset);
      const d = `$${params.length - 1}::date`;
      return `(select ${r}::int4 as r, effective_due_at as due from promises
          where workspace_id = $1 and status = 'open'
            and effective_due_at >= (${d}::timestamp at time zone $3)
            and effective_due_at < least((${d} + 1)::timestamp at time zone $3, $2::timestamptz)
            ${type === undefined ? '' : 'and type_key = $4'}
          order by effective_due_at offset $${params.length} limit 1)`;
    });
    const found = await database.raw<{ r: number; due: Date | string }>(parts.join(' union all '), params);
    for (const row of found) runningAge.set(Number(row.r), q.now.getTime() - new Date(row.due).getTime());
    for (const r of missing) if (!runningAge.has(r)) throw new OutOfStep(`no overdue promise at rank ${r}`);
  };

  // The k-th smallest (0-based) of the running ages ∪ the frozen ages, for several k at once. The
  // per-day counts place each k in one local due day's band without a read (bandOf); inside the
  // band, a binary search over how many of the first take come from its frozen ages, each step
  // reading one running age per k: about log2(frozen ages in the band) round trips, none when the
  // band has none.
  const dayAge = new Map<string, number>();
  const ageAtDayStart = (day: string) => {
    let a = dayAge.get(day);
    if (a === undefined) {
      a = q.now.getTime() - startOfDay(parseDate(day)!, q.zone).getTime();
      dayAge.set(day, a);
    }
    return a;
  };
  const kthAges = async (ks: readonly number[]): Promise<number[]> => {
    const state = ks.map((k) => {
      const b = bandOf(k, days, ageAtDayStart, frozen);
      const take = k - b.below + 1;
      return { b, take, lo: Math.max(0, take - b.runCount), hi: Math.min(take, b.frozenTo - b.frozenFrom) };
    });
    for (;;) {
      const open = state.filter((st) => st.lo < st.hi);
      if (open.length === 0) break;
      // Step: x frozen and take − x running; too few frozen while F[x] < A[take − x − 1].
      await readRunning(open.map((st) => st.b.runFrom + st.take - ((st.lo + st.hi) >> 1) - 1));
      for (const st of open) {
        const x = (st.lo + st.hi) >> 1;
        if (frozen[st.b.frozenFrom + x]! < runningAge.get(st.b.runFrom + st.take - x - 1)!) st.lo = x + 1;
        else st.hi = x;
      }
    }
    await readRunning(
      state.filter((st) => st.take - st.lo > 0).map((st) => st.b.runFrom + st.take - st.lo - 1),
    );
    return state.map(({ b, take, lo: x }) => {
      const y = take - x;
      return Math.max(
        x > 0 ? frozen[b.frozenFrom + x - 1]! : -Infinity,
        y > 0 ? runningAge.get(b.runFrom + y - 1)! : -Infinity,
      );
    });
  };

  const percentile = (p: number) => {
    const pos = p * (total - 1);
    return { lo: Math.floor(pos), hi: Math.ceil(pos), frac: pos - Math.floor(pos) };
  };
  const med = percentile(0.5);
  const p90 = percentile(0.9);
  const ks = [...new Set([total - 1, med.lo, med.hi, p90.lo, p90.hi])];
  const ages = await kthAges(ks);
  const byRank = new Map(ks.map((k, i) => [k, ages[i]! / DAY_MS]));
  const ageAt = (k: number) => byRank.get(k)!;
  const pct = (ix: { lo: number; hi: number; frac: number }) =>
    interpolate(ageAt(ix.lo), ageAt(ix.hi), ix.frac);
  return {
    count: total,
    medianDays: days2(pct(med)),
    p90Days: days2(pct(p90)),
    maxDays: days2(ageAt(total - 1)),
    buckets: bucketsFromCumulative(
      total,
      edgeCounts.map((c, e) => c + frozen.filter((f) => f >= AGE_EDGES_DAYS[e]! * DAY_MS).length),
    ),
  };
}

/**
 * For each threshold X (ms): the local day of now − X (`before`: whole days before it come from the
 * rollup) and how many open promises with the clock running fall inside that day at least X overdue
 * (effective due in [start of that day, now − X]). One statement.
 */
async function runningInEdgeDays(
  ctx: AppContext,
  q: MeasureQuery,
  type: string | undefined,
  thresholdsMs: readonly number[],
): Promise<{ before: string; n: number }[]> {
  const before: string[] = [];
  const starts: string[] = [];
  const ends: string[] = [];
  for (const ms of thresholdsMs) {
    const t = new Date(q.now.getTime() - ms);
    const tDay = epochDayInZone(t, q.zone);
    before.push(formatDate(tDay));
    starts.push(startOfDay(tDay, q.zone).toISOString());
    ends.push(t.toISOString());
  }
  // The thresholds go in as arrays; each is an index range scan inside one local day.
  const rows = await ctx.database.raw<{ j: number | string; n: number | string }>(
    `select t.j, (select count(*) from promises
                   where workspace_id = $1 and status = 'open'
                     and effective_due_at >= t.s::timestamptz and effective_due_at <= t.e::timestamptz
                     ${type === undefined ? '' : 'and type_key = $4'})::int8 as n
       from unnest($2::text[], $3::text[]) with ordinality as t(s, e, j)`,
    [q.workspaceId, starts, ends, ...(type === undefined ? [] : [type])],
  );
  const partial = new Map(rows.map((r) => [Number(r.j) - 1, Number(r.n)]));
  return before.map((b, j) => ({ before: b, n: partial.get(j) ?? 0 }));
}

/**
 * Exact overdue ages in one grouped query (percentile_cont in SQL): the open past-due promises with
 * the clock running (now − effective due) and those paused after their due had passed (age frozen
 * at the pause). By owner (many small groups), and the fallback when the rollup is out of step.
 */
async function exactGroups(
  ctx: AppContext,
  q: MeasureQuery,
  group: 'all' | 'type' | 'owner',
  type?: string,
): Promise<Map<string, AgeSummary>> {
  const v = { all: `'all'`, type: 'type_key', owner: 'owner_id::text' }[group];
  const edges = AGE_EDGES_DAYS.map((_, i) => `count(*) filter (where age >= $${i + 3})::int8 as e${i}`).join(
    ', ',
  );
  const byType = type === undefined ? '' : `and type_key = $${AGE_EDGES_DAYS.length + 3}`;
  const rows = await ctx.database.raw<Record<string, number | string>>(
    `select v, count(*)::int8 as n,
            percentile_cont(0.5) within group (order by age) as median,
            percentile_cont(0.9) within group (order by age) as p90,
            max(age) as max, ${edges}
       from (select ${v} as v, extract(epoch from ($2::timestamptz - effective_due_at)) / 86400 as age
               from promises
              where workspace_id = $1 and status = 'open' and effective_due_at < $2 ${byType}
             union all
             select ${v}, ${FROZEN_MS} / 86400000.0
               from promises
              where workspace_id = $1 and ${PAUSED_PAST_DUE} ${byType}) o
      group by v`,
    [q.workspaceId, q.now, ...AGE_EDGES_DAYS, ...(type === undefined ? [] : [type])],
  );
  const out = new Map<string, AgeSummary>();
  for (const r of rows) {
    const n = Number(r.n);
    out.set(String(r.v), {
      count: n,
      medianDays: days2(Number(r.median)),
      p90Days: days2(Number(r.p90)),
      maxDays: days2(Number(r.max)),
      buckets: bucketsFromCumulative(
        n,
        AGE_EDGES_DAYS.map((_, i) => Number(r[`e${i}`])),
      ),
    });
  }
  return out;
}
