// Open promises per account (now), and promises due in the next 7 days per local day. Both read the
// open promises through the partial indexes on status = 'open'; neither is by reporting period.
import type { AppContext } from '../context.js';
import { formatDate } from '../time/zone.js';
import { checkDimension, labelsFor } from './fulfilment.js';
import { type MeasureQuery, type MeasureResult, type MeasureRow, round2 } from './measure.js';
import { epochDayInZone, startOfDay } from './period.js';

export const OPEN_PER_ACCOUNT_DEFAULT_LIMIT = 100;
export const OPEN_PER_ACCOUNT_MAX_LIMIT = 500;

export interface OpenPromisesResult extends MeasureResult {
  /** Over every account with at least one open promise (not only the rows shown). */
  summary: {
    accounts: number;
    openPromises: number;
    meanPerAccount: number | null;
    medianPerAccount: number | null;
  };
}

export async function openPromisesPerAccount(
  ctx: AppContext,
  q: MeasureQuery,
  opts: { limit?: number | undefined } = {},
): Promise<OpenPromisesResult> {
  const limit = Math.min(OPEN_PER_ACCOUNT_MAX_LIMIT, opts.limit ?? OPEN_PER_ACCOUNT_DEFAULT_LIMIT);
  const rows = await ctx.database.raw<{
    account_id: string;
    name: string;
    tier: string;
    open: number;
    overdue: number;
    paused: number;
    next_due: Date | string | null;
  }>(
    `select a.id as account_id, a.name, a.tier, o.open, o.overdue, o.paused, o.next_due
       from (select account_id, count(*)::int8 as open,
                    count(*) filter (where effective_due_at < $2
                      or (paused_at is not null and due_at + paused_ms * interval '1 millisecond' < paused_at))::int8 as overdue,
                    count(*) filter (where paused_at is not null)::int8 as paused,
                    min(effective_due_at) filter (where effective_due_at >= $2) as next_due
               from promises
              where workspace_id = $1 and status = 'open'
              group by account_id) o
       join accounts a on a.workspace_id = $1 and a.id = o.account_id
      order by o.open desc, a.name, a.id
      limit $3`,
    [q.workspaceId, q.now, limit],
  );
  const [s] = await ctx.database.raw<{
    accounts: number;
    total: number | null;
    mean: number | null;
    median: number | null;
  }>(
    `select count(*)::int8 as accounts, sum(n)::int8 as total, avg(n)::float8 as mean,
            percentile_cont(0.5) within group (order by n) as median
       from (select count(*) as n from promises where workspace_id = $1 and status = 'open' group by account_id) x`,
    [q.workspaceId],
  );
  const out: MeasureRow[] = rows.map((r) => ({
    accountId: r.account_id,
    account: r.name,
    tier: r.tier,
    open: r.open,
    overdue: r.overdue,
    paused: r.paused,
    nextDueAt: r.next_due === null ? null : new Date(r.next_due).toISOString(),
  }));
  return {
    measure: 'open_promises_per_account',
    definition:
      'Accounts with open promises, most first: open promises, of which overdue (clock running and effective due ' +
      'before now, or paused after its due had passed) and paused (clock stopped, whether or not already overdue), ' +
      'and the next effective due date not yet passed. The summary covers every account ' +
      'with an open promise: their count, the open promises, and the mean and median open promises per account.',
    zone: q.zone,
    asOf: q.now.toISOString(),
    columns: ['accountId', 'account', 'tier', 'open', 'overdue', 'paused', 'nextDueAt'],
    rows: out,
    noData: out.length === 0,
    summary: {
      accounts: s?.accounts ?? 0,
      openPromises: s?.total ?? 0,
      meanPerAccount: s?.mean == null ? null : round2(Number(s.mean)),
      medianPerAccount: s?.median == null ? null : round2(Number(s.median)),
    },
  };
}

export const DUE_NEXT_DIMENSIONS = ['type', 'owner'] as const;

/**
 * Open promises (clock running) whose effective due falls from now to the end of the 7th local day
 * (today and the six days after it, in the workspace zone), one row per local day (× type or owner).
 */
export async function dueNext7Days(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const by = checkDimension(q.by, DUE_NEXT_DIMENSIONS);
  const today = epochDayInZone(q.now, q.zone);
  const days = Array.from({ length: 7 }, (_, i) => today + i);
  const value = by === 'type' ? 'type_key' : by === 'owner' ? 'owner_id::text' : `'all'`;
  const rows = await ctx.database.raw<{ day: string; v: string; n: number }>(
    `select (effective_due_at at time zone $4)::date::text as day, ${value} as v, count(*)::int8 as n
       from promises
      where workspace_id = $1 and status = 'open' and effective_due_at >= $2 and effective_due_at < $3
      group by 1, 2`,
    [q.workspaceId, q.now, startOfDay(today + 7, q.zone), q.zone],
  );
  const counts = new Map(rows.map((r) => [`${r.day}\u0000${r.v}`, r.n]));
  const values = by ? [...new Set(rows.map((r) => r.v))] : ['all'];
  const labels = by ? await labelsFor(ctx, q.workspaceId, by, values) : new Map<string, string>();
  values.sort((a, b) => (labels.get(a) ?? a).localeCompare(labels.get(b) ?? b) || a.localeCompare(b));
  const out: MeasureRow[] = [];
  for (const d of days) {
    const key = formatDate(d);
    for (const v of values) {
      out.push({
        period: key,
        periodStart: (d === today ? q.now : startOfDay(d, q.zone)).toISOString(),
        ...(by ? { dimension: v, label: labels.get(v) ?? v } : {}),
        due: counts.get(`${key}\u0000${v}`) ?? 0,
      });
    }
  }
  return {
    measure: 'due_next_7_days',
    definition:
      'Open promises (clock running; paused ones have no due until resumed) whose effective due date is from now ' +
      'to the end of the seventh local day (today and the next six days in the workspace zone), per local day.',
    zone: q.zone,
    asOf: q.now.toISOString(),
    period: 'day',
    from: formatDate(today),
    to: formatDate(today + 6),
    by,
    columns: ['period', 'periodStart', ...(by ? ['dimension', 'label'] : []), 'due'],
    rows: out,
    noData: out.every((r) => r.due === 0),
  };
}
