// Fulfilment rate by period (and by type, owner, team, account tier or source), read from the promise
// rollups (migrations/20261201120000_measure_rollups.sql) instead of the ledger: one grouped read of
// at most (days × values × outcomes) rows, plus an exact count of today's open promises already past
// due (the only day whose split between "past due" and "not yet due" depends on the instant).
import type { AppContext } from '../context.js';
import { invalid } from '../errors.js';
import { formatDate } from '../time/zone.js';
import type { MeasureQuery, MeasureResult, MeasureRow } from './measure.js';
import { epochDayInZone, startOfDay } from './period.js';
import { addOutcome, type FulfilmentCounts, fulfilmentRow, zeroCounts } from './rollups.js';

export const FULFILMENT_DIMENSIONS = ['type', 'owner', 'team', 'tier', 'source'] as const;
export type FulfilmentDimension = (typeof FULFILMENT_DIMENSIONS)[number];

export const FULFILMENT_DEFINITION =
  'Promises due in the period that were kept on time / (kept on time + kept late + broken + still open past due); ' +
  'cancelled are excluded. A promise is in the period of the local day (workspace zone) of its current due date ' +
  '(after renegotiations) pushed back by the time it spent paused; a paused promise is placed by its due before the ' +
  'current pause. "Open past due" = open and either clock running with its effective due before now, or paused ' +
  'after its due before the pause had already passed (pausing a late promise does not hide it). A promise paused ' +
  "before its due is counted in `paused` and not in the rate. Team = the owner's manager now. With `by` and " +
  'nothing in the range, one row per period with dimension null and label "(all)", all zeros.';

const COUNT_COLUMNS: (keyof FulfilmentCounts)[] = [
  'keptOnTime',
  'keptLate',
  'broken',
  'openPastDue',
  'paused',
  'cancelled',
  'openNotDue',
];

export function checkDimension<T extends string>(
  by: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (by === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(by)) {
    throw invalid('by', `unknown dimension "${by}"; use one of ${allowed.join(', ')}`);
  }
  return by as T;
}

/** The placeholder value of the all-zero row per period when `by` finds no value in the range. */
const NO_VALUE = '\u0000none';

/** The rollup dimension a `by` reads (team is the owners grouped by their manager at query time). */
const rollupDim = (by: FulfilmentDimension | undefined) =>
  by === undefined ? 'all' : by === 'team' ? 'owner' : by;

/** The grouping value of a promise row `p` (with `a` its account, `u` its owner) for today's exact count. */
const liveValue: Record<FulfilmentDimension | 'all', string> = {
  all: `'all'`,
  type: 'p.type_key',
  owner: 'p.owner_id::text',
  team: `coalesce(u.manager_id::text, '')`,
  tier: 'a.tier',
  source: 'p.source',
};

export async function fulfilment(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const by = checkDimension(q.by, FULFILMENT_DIMENSIONS);
  const { database } = ctx;
  const today = epochDayInZone(q.now, q.zone);
  const todayStart = startOfDay(today, q.zone);
  const periods = q.periods;
  const firsts = periods.map((p) => p.firstDay);
  const ends = periods.map((p) => p.endDay);
  const value = by === 'team' ? `coalesce(u.manager_id::text, '')` : 'r.dim_value';
  const teamJoin =
    by === 'team' ? 'left join users u on u.workspace_id = $1 and u.id::text = r.dim_value' : '';
  const first = [...firsts].sort()[0] ?? '1970-01-01';
  const last = [...ends].sort().at(-1) ?? '1970-01-01';
  // Whole local months read the month rows, up to the current month (whose open promises split at
  // "now" day by day); everything else reads day rows.
  const wholeMonths = periods.every((p) => p.firstDay.endsWith('-01') && p.endDay.endsWith('-01'));
  const todayDate = formatDate(today);
  const monthCut = wholeMonths ? `${todayDate.slice(0, 8)}01` : first;
  const rows = await database.raw<{ idx: number; v: string; outcome: string; n: number }>(
    `select per.idx::int4 as idx, ${value} as v,
            case when r.outcome <> 'open' then r.outcome
                 when r.due_day < $5::date then 'open_past_due' else 'open_not_due' end as outcome,
            sum(r.n)::int8 as n
       from unnest($3::date[], $4::date[]) with ordinality as per(first_day, end_day, idx)
       join (select due_day, dim_value, outcome, n from promise_rollups
              where workspace_id = $1 and dim = $2 and grain = 'month' and due_day >= $6::date and due_day < $7::date
             union all
             select due_day, dim_value, outcome, n from promise_rollups
              where workspace_id = $1 and dim = $2 and grain = 'day'
                and due_day >= greatest($6::date, $7::date) and due_day < $8::date) r
         on r.due_day >= per.first_day and r.due_day < per.end_day
       ${teamJoin}
      group by 1, 2, 3
     having sum(r.n) <> 0`,
    [q.workspaceId, rollupDim(by), firsts, ends, todayDate, first, monthCut, last],
  );
  const counts = new Map<string, FulfilmentCounts>();
  const countsFor = (idx: number, v: string) => {
    const key = `${idx}\u0000${v}`;
    let c = counts.get(key);
    if (!c) {
      c = zeroCounts();
      counts.set(key, c);
    }
    return c;
  };
  const values = new Set<string>();
  for (const r of rows) {
    addOutcome(countsFor(r.idx - 1, r.v), r.outcome, r.n);
    values.add(r.v);
  }
  // Today's open promises: those whose effective due has passed move from "not yet due" to "past due".
  const withToday = periods.flatMap((p, i) => (p.firstEpochDay <= today && today < p.endEpochDay ? [i] : []));
  if (withToday.length > 0) {
    const live = await database.raw<{ v: string; n: number }>(
      `select ${liveValue[by ?? 'all']} as v, count(*)::int8 as n
         from promises p
         ${by === 'tier' ? 'join accounts a on a.workspace_id = p.workspace_id and a.id = p.account_id' : ''}
         ${by === 'team' ? 'left join users u on u.workspace_id = p.workspace_id and u.id = p.owner_id' : ''}
        where p.workspace_id = $1 and p.status = 'open' and p.effective_due_at >= $2 and p.effective_due_at < $3
        group by 1`,
      [q.workspaceId, todayStart, q.now],
    );
    for (const l of live) {
      for (const i of withToday) {
        const c = countsFor(i, l.v);
        c.openPastDue += l.n;
        c.openNotDue -= l.n;
      }
      values.add(l.v);
    }
  }
  const labels = by ? await labelsFor(ctx, q.workspaceId, by, [...values]) : new Map<string, string>();
  const dims = by
    ? [...values].sort((a, b) => (labels.get(a) ?? a).localeCompare(labels.get(b) ?? b) || a.localeCompare(b))
    : ['all'];
  // Nothing in the range for any value: still one (all zeros) row per period, as without `by`.
  if (by !== undefined && dims.length === 0) dims.push(NO_VALUE);
  const out: MeasureRow[] = [];
  periods.forEach((p, i) => {
    for (const v of dims) {
      const head: MeasureRow = { period: p.key, periodStart: p.start.toISOString() };
      if (by && v === NO_VALUE) {
        head.dimension = null;
        head.label = '(all)';
      } else if (by) {
        head.dimension = v === '' ? null : v;
        head.label = labels.get(v) ?? '(none)';
      }
      out.push(fulfilmentRow(head, counts.get(`${i}\u0000${v}`) ?? zeroCounts()));
    }
  });
  return {
    measure: 'fulfilment',
    definition: FULFILMENT_DEFINITION,
    zone: q.zone,
    asOf: q.now.toISOString(),
    period: q.granularity,
    from: periods[0]?.firstDay,
    to: periods.length > 0 ? formatDate(periods[periods.length - 1]!.endEpochDay - 1) : undefined,
    by,
    columns: [
      'period',
      'periodStart',
      ...(by ? ['dimension', 'label'] : []),
      ...COUNT_COLUMNS,
      'numerator',
      'denominator',
      'percent',
    ],
    rows: out,
    noData: out.every((r) => r.denominator === 0),
  };
}

/** Readable names of dimension values: type labels, user names (owner / team manager), else the value. */
export async function labelsFor(
  ctx: AppContext,
  workspaceId: string,
  by: string,
  values: string[],
): Promise<Map<string, string>> {
  const labels = new Map<string, string>();
  if (by === 'type') {
    const rows = await ctx.database.raw<{ key: string; label: string }>(
      'select key, label from promise_types where workspace_id = $1',
      [workspaceId],
    );
    for (const r of rows) labels.set(r.key, r.label);
  } else if (by === 'owner' || by === 'team') {
    const ids = values.filter((v) => v !== '');
    if (ids.length > 0) {
      const rows = await ctx.database.raw<{ id: string; name: string }>(
        'select id::text as id, name from users where workspace_id = $1 and id = any($2::uuid[])',
        [workspaceId, ids],
      );
      for (const r of rows) labels.set(r.id, r.name);
    }
  }
  for (const v of values) if (!labels.has(v)) labels.set(v, v === '' ? '(none)' : v);
  return labels;
}
