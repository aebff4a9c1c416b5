// The customer-signal measures (PRODUCT.md "Measures the product computes"): repeat complaints,
// expectation mismatch in the first 30 days, escalations reopened within 60 days, "already told you"
// escalations, proactive updates, NPS and CSAT. Each loads its facts with one or two index-backed,
// workspace-scoped queries that bucket by period in SQL (the periods go in as a VALUES list of
// instants, so any day-aligned windows work), then shapes rows with the pure rules of
// customer-rules.ts. Dimensions are the account's tier, its owner and the owner's manager (team), as
// they are now; proactive updates are split by the promise's owner and type.
import { type SQL, sql } from 'drizzle-orm';
import type { AppContext } from '../context.js';
import { REPEAT_WINDOW_DAYS } from '../signals/complaint-memory.js';
import { parsePayload } from '../signals/signal.js';
import { formatDate } from '../time/zone.js';
import {
  accountStart,
  assembleRows,
  type Cell,
  closings,
  FIRST_DAYS,
  MISMATCH_CONCERN,
  npsOf,
  periodsContaining,
  perMonth,
  withinFirstDays,
} from './customer-rules.js';
import { type MeasureQuery, type MeasureResult, type MeasureRow, rate } from './measure.js';
import type { Period } from './period.js';

/** The dimensions each measure offers (its route's `by`). */
export const ACCOUNT_DIMENSIONS = ['tier', 'owner', 'team'] as const;
export const SURVEY_DIMENSIONS = ['tier', 'segment', 'owner', 'team'] as const;
export const PROMISE_DIMENSIONS = ['tier', 'owner', 'team', 'type'] as const;

const HOUR_MS = 3_600_000;
/** The complaint-memory window as elapsed hours (45 × 24 h, as complaint-memory.ts): zone-independent. */
const REPEAT_WINDOW = sql.raw(`interval '${REPEAT_WINDOW_DAYS * 24} hours'`);

type Rows<T> = { rows: T[] };
async function select<T>(ctx: AppContext, query: SQL): Promise<T[]> {
  return ((await ctx.database.db.execute(query)) as unknown as Rows<T>).rows;
}

/** The periods as a VALUES list: index, start and end instants, first and end local dates. */
function periodsTable(periods: readonly Period[]): SQL {
  const values = periods.map(
    (p, i) =>
      sql`(${i}::int, ${p.start.toISOString()}::timestamptz, ${p.end.toISOString()}::timestamptz, ${p.firstDay}::date, ${p.endDay}::date)`,
  );
  return sql`(values ${sql.join(values, sql`, `)}) as per(i, ps, pe, fd, ed)`;
}

const rangeOf = (periods: readonly Period[]) => ({
  start: new Date(Math.min(...periods.map((p) => p.start.getTime()))).toISOString(),
  end: new Date(Math.max(...periods.map((p) => p.end.getTime()))).toISOString(),
});

interface Dimension {
  value: SQL;
  label: SQL;
  joins: SQL;
}

/**
 * The dimension's value and label columns and the joins they need. `account` is the column holding
 * the account id; `owner` the user the owner/team split is by (default: the account's owner).
 */
function dimension(
  by: string | undefined,
  ws: string,
  refs: { account: SQL; owner?: SQL; type?: SQL },
): Dimension {
  const account = sql`join accounts da on da.workspace_id = ${ws} and da.id = ${refs.account}`;
  const owner = sql`left join users du on du.workspace_id = ${ws} and du.id = ${refs.owner ?? sql`da.owner_id`}`;
  switch (by) {
    case 'tier':
    case 'segment':
      return { value: sql`da.tier`, label: sql`null::text`, joins: account };
    case 'owner':
      return { value: sql`du.id::text`, label: sql`du.name`, joins: sql`${account} ${owner}` };
    case 'team':
      return {
        value: sql`dm.id::text`,
        label: sql`dm.name`,
        joins: sql`${account} ${owner} left join users dm on dm.workspace_id = ${ws} and dm.id = du.manager_id`,
      };
    case 'type':
      return {
        value: sql`${refs.type}`,
        label: sql`dt.label`,
        joins: sql`left join promise_types dt on dt.workspace_id = ${ws} and dt.key = ${refs.type}`,
      };
    default:
      return { value: sql`null::text`, label: sql`null::text`, joins: sql`` };
  }
}

interface DimRow {
  i: number;
  dim: string | null;
  label: string | null;
}

function result(
  q: MeasureQuery,
  measure: string,
  definition: string,
  own: string[],
  rows: MeasureRow[],
  noData: boolean,
): MeasureResult {
  const first = q.periods[0];
  const last = q.periods[q.periods.length - 1];
  return {
    measure,
    definition,
    zone: q.zone,
    asOf: q.now.toISOString(),
    period: q.granularity,
    from: first?.firstDay,
    to: last ? formatDate(last.endEpochDay - 1) : undefined,
    by: q.by,
    columns: ['period', 'periodStart', ...(q.by ? ['dimension', 'label'] : []), ...own],
    rows,
    noData,
  };
}

const RATE_COLUMNS = ['numerator', 'denominator', 'percent'];

// ── 1. Repeat complaint rate (45 days) ─────────────────────────────────────────────────────────────

/**
 * Whether complaint `c` (a table alias) repeats: an earlier complaint of its account on the same
 * concern happened in [t − 45 × 24 h, t] — complaint memory's window, both ends included. "Earlier"
 * is the order (occurred_at, id): a same-instant complaint recorded before it counts (ids are UUIDv7).
 * Shared by the repeat complaint rate and "already told you" escalations.
 */
const isRepeat = (c: SQL) => sql`exists (
  select 1 from signals e
   where e.workspace_id = ${c}.workspace_id and e.kind = 'complaint'
     and e.account_id = ${c}.account_id and e.concern_key = ${c}.concern_key
     and e.occurred_at >= ${c}.occurred_at - ${REPEAT_WINDOW} and e.occurred_at <= ${c}.occurred_at
     and (e.occurred_at, e.id) < (${c}.occurred_at, ${c}.id))`;

export async function repeatComplaintRate(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const ws = q.workspaceId;
  const d = dimension(q.by, ws, { account: sql`c.account_id` });
  const rows = await select<DimRow & { complaints: number; repeats: number }>(
    ctx,
    sql`
    select per.i, ${d.value} as dim, ${d.label} as label, count(*)::int as complaints,
           count(*) filter (where ${isRepeat(sql`c`)})::int as repeats
      from ${periodsTable(q.periods)}
      join signals c on c.workspace_id = ${ws} and c.kind = 'complaint'
                    and c.occurred_at >= per.ps and c.occurred_at < per.pe
      ${d.joins}
     group by 1, 2, 3`,
  );
  const cells: Cell<{ complaints: number; repeats: number }>[] = rows.map((r) => ({
    period: r.i,
    dimension: r.dim,
    label: r.label,
    values: { complaints: r.complaints, repeats: r.repeats },
  }));
  return result(
    q,
    'repeat_complaint_rate',
    'Repeat complaint rate (45 days): complaints whose account had a complaint on the same concern in the previous 45 days / all complaints. ' +
      'A complaint is in the period of its occurred_at (local day of the workspace zone). "Previous 45 days" is [t − 45 × 24 h, t], both ends included — ' +
      'the window complaint memory flags repeats with — so a complaint exactly 45 days after the previous one is a repeat and one 1 ms later is not. ' +
      'It is recomputed from occurred_at (a complaint recorded late still makes later ones repeats). By tier, owner and team: the account’s, as they are now.',
    [...RATE_COLUMNS, 'complaints', 'repeatComplaints'],
    assembleRows(
      q.periods,
      q.by,
      cells,
      () => ({ complaints: 0, repeats: 0 }),
      (v) => ({ ...rate(v.repeats, v.complaints), complaints: v.complaints, repeatComplaints: v.repeats }),
    ),
    rows.every((r) => r.complaints === 0),
  );
}

// ── 2. Expectation mismatch rate (first 30 days) ───────────────────────────────────────────────────

export async function expectationMismatchRate(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const ws = q.workspaceId;
  const d = dimension(q.by, ws, { account: sql`a.id` });
  const per = periodsTable(q.periods);
  // New in a period: by contract start (a local date), else by creation. Two branches, each on its index.
  const newAccounts = (cols: SQL, joins: SQL) => sql`
    select ${cols} from ${per}
      join accounts a on a.workspace_id = ${ws} and a.contract_start is not null
                     and a.contract_start >= per.fd and a.contract_start < per.ed
      ${joins}
    union all
    select ${cols} from ${per}
      join accounts a on a.workspace_id = ${ws} and a.contract_start is null
                     and a.created_at >= per.ps and a.created_at < per.pe
      ${joins}`;
  const accounts = await select<DimRow & { id: string; contract_start: string | null; created_ms: number }>(
    ctx,
    newAccounts(
      sql`per.i, a.id, a.contract_start, (extract(epoch from a.created_at) * 1000)::float8 as created_ms, ${d.value} as dim, ${d.label} as label`,
      d.joins,
    ),
  );
  const events =
    accounts.length === 0
      ? []
      : await select<{ account_id: string; t: number; what: 'complaint' | 'broken' }>(
          ctx,
          sql`
      with na as (select distinct id from (${newAccounts(sql`a.id`, sql``)}) x)
      select s.account_id, (extract(epoch from s.occurred_at) * 1000)::float8 as t, 'complaint' as what
        from signals s
       where s.workspace_id = ${ws} and s.kind = 'complaint' and s.account_id in (select id from na)
         and (s.concern_key = ${MISMATCH_CONCERN} or starts_with(s.concern_key, ${`${MISMATCH_CONCERN}_`}))
      union all
      select p.account_id, (extract(epoch from p.closed_at) * 1000)::float8 as t, 'broken' as what
        from promises p
        join handoff_items hi on hi.workspace_id = p.workspace_id and hi.promise_id = p.id
       where p.workspace_id = ${ws} and p.status = 'broken' and p.account_id in (select id from na)`,
        );
  const byAccount = new Map<string, { t: Date; what: string }[]>();
  for (const e of events) {
    const list = byAccount.get(e.account_id) ?? [];
    list.push({ t: new Date(Number(e.t)), what: e.what });
    byAccount.set(e.account_id, list);
  }
  type V = { accounts: number; mismatched: number; complaint: number; broken: number; open: number };
  const cells = new Map<string, Cell<V>>();
  for (const a of accounts) {
    const start = accountStart(a.contract_start, new Date(Number(a.created_ms)), q.zone);
    const within = (byAccount.get(a.id) ?? []).filter((e) => withinFirstDays(start, e.t));
    const key = `${a.i}\u0000${a.dim ?? ''}`;
    const cell = cells.get(key) ?? {
      period: a.i,
      dimension: a.dim,
      label: a.label,
      values: { accounts: 0, mismatched: 0, complaint: 0, broken: 0, open: 0 },
    };
    const v = cell.values;
    v.accounts += 1;
    const complaint = within.some((e) => e.what === 'complaint');
    const broken = within.some((e) => e.what === 'broken');
    if (complaint || broken) v.mismatched += 1;
    if (complaint) v.complaint += 1;
    if (broken) v.broken += 1;
    if (q.now.getTime() - start.getTime() < FIRST_DAYS * 24 * HOUR_MS) v.open += 1;
    cells.set(key, cell);
  }
  return result(
    q,
    'expectation_mismatch_rate',
    'Expectation mismatch rate (first 30 days): new accounts with a mismatch complaint or a broken handoff promise within 30 days of start / new accounts. ' +
      'Start is the contract start (the start of that local day), else the account’s creation; an account is new in the period of its start. ' +
      `A mismatch complaint is a complaint whose concern key is ${MISMATCH_CONCERN} or starts with ${MISMATCH_CONCERN}_; a broken handoff promise is a promise ` +
      'created by completing a handoff, now broken. Either counts when it happened (complaint occurred_at, promise broken at) within [start, start + 30 × 24 h]. ' +
      'stillInFirst30Days counts the accounts whose first 30 days are not over yet (their answer can still change).',
    [
      ...RATE_COLUMNS,
      'newAccounts',
      'withMismatchComplaint',
      'withBrokenHandoffPromise',
      'stillInFirst30Days',
    ],
    assembleRows(
      q.periods,
      q.by,
      [...cells.values()],
      () => ({ accounts: 0, mismatched: 0, complaint: 0, broken: 0, open: 0 }),
      (v) => ({
        ...rate(v.mismatched, v.accounts),
        newAccounts: v.accounts,
        withMismatchComplaint: v.complaint,
        withBrokenHandoffPromise: v.broken,
        stillInFirst30Days: v.open,
      }),
    ),
    accounts.length === 0,
  );
}

// ── 3. Escalations reopened within 60 days ─────────────────────────────────────────────────────────

export async function escalationsReopened(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const ws = q.workspaceId;
  const d = dimension(q.by, ws, { account: sql`s.account_id` });
  // closed_at is the latest closing: every escalation with a closing in the range has it at or
  // after the range's start (signals_escalation_closed_idx).
  const rows = await select<{ id: string; payload: unknown; dim: string | null; label: string | null }>(
    ctx,
    sql`
    select s.id, s.payload, ${d.value} as dim, ${d.label} as label
      from signals s
      ${d.joins}
     where s.workspace_id = ${ws} and s.kind = 'escalation' and s.closed_at >= ${rangeOf(q.periods).start}::timestamptz`,
  );
  type V = { closed: number; reopened: number };
  const cells = new Map<string, Cell<V>>();
  for (const r of rows) {
    const history = parsePayload('escalation', r.payload).history;
    // Per period: closed in it (once per escalation), and whether one of those closings was undone.
    const inPeriod = new Map<number, boolean>();
    for (const c of closings(history)) {
      for (const i of periodsContaining(q.periods, c.at)) {
        inPeriod.set(i, (inPeriod.get(i) ?? false) || c.reopenedWithin);
      }
    }
    for (const [i, reopened] of inPeriod) {
      const key = `${i}\u0000${r.dim ?? ''}`;
      const cell = cells.get(key) ?? {
        period: i,
        dimension: r.dim,
        label: r.label,
        values: { closed: 0, reopened: 0 },
      };
      cell.values.closed += 1;
      if (reopened) cell.values.reopened += 1;
      cells.set(key, cell);
    }
  }
  const all = [...cells.values()];
  return result(
    q,
    'escalations_reopened',
    'Escalations reopened within 60 days / closed escalations. An escalation counts in each period in which it was closed (once per period, ' +
      'from the closings kept in its history); it counts as reopened when a closing in that period was undone by a reopening at most 60 × 24 h later ' +
      '(the reopening itself may fall after the period). Recent closings can still be reopened, so the latest 60 days can rise.',
    [...RATE_COLUMNS, 'closedEscalations', 'reopenedWithin60Days'],
    assembleRows(
      q.periods,
      q.by,
      all,
      () => ({ closed: 0, reopened: 0 }),
      (v) => ({
        ...rate(v.reopened, v.closed),
        closedEscalations: v.closed,
        reopenedWithin60Days: v.reopened,
      }),
    ),
    all.every((c) => c.values.closed === 0),
  );
}

// ── 4. "Already told you" escalations per month ────────────────────────────────────────────────────

export async function alreadyToldYou(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const ws = q.workspaceId;
  const d = dimension(q.by, ws, { account: sql`s.account_id` });
  // An escalation is an "I already told your team this" escalation when its account had a repeat
  // complaint (as in repeat complaint rate) in the 45 days up to it: [t − 45 × 24 h, t].
  const rows = await select<DimRow & { escalations: number; told: number }>(
    ctx,
    sql`
    select per.i, ${d.value} as dim, ${d.label} as label, count(*)::int as escalations,
           count(*) filter (where exists (
             select 1 from signals r
              where r.workspace_id = s.workspace_id and r.kind = 'complaint' and r.account_id = s.account_id
                and r.occurred_at >= s.occurred_at - ${REPEAT_WINDOW} and r.occurred_at <= s.occurred_at
                and ${isRepeat(sql`r`)}))::int as told
      from ${periodsTable(q.periods)}
      join signals s on s.workspace_id = ${ws} and s.kind = 'escalation'
                    and s.occurred_at >= per.ps and s.occurred_at < per.pe
      ${d.joins}
     group by 1, 2, 3`,
  );
  const calendarMonths = q.granularity === 'month';
  return result(
    q,
    'already_told_you',
    '"Already told you" escalations per month: escalations (in the period of their occurred_at) on an account that had a repeat complaint — ' +
      'a complaint on a concern it had already complained about in the previous 45 days (see repeat complaint rate) — in the 45 days up to the escalation ' +
      '([t − 45 × 24 h, t]). perMonth is the count in a calendar month, else count × 30.4375 / days in the period.',
    ['alreadyToldYou', 'escalations', 'days', 'perMonth'],
    assembleRows(
      q.periods,
      q.by,
      rows.map((r) => ({
        period: r.i,
        dimension: r.dim,
        label: r.label,
        values: { escalations: r.escalations, told: r.told },
      })),
      () => ({ escalations: 0, told: 0 }),
      (v, p) => {
        const days = p.endEpochDay - p.firstEpochDay;
        return {
          alreadyToldYou: v.told,
          escalations: v.escalations,
          days,
          perMonth: perMonth(v.told, days, calendarMonths),
        };
      },
    ),
    rows.every((r) => r.escalations === 0),
  );
}

// ── 5. Proactive update rate ───────────────────────────────────────────────────────────────────────

export async function proactiveUpdateRate(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const ws = q.workspaceId;
  const d = dimension(q.by, ws, {
    account: sql`p.account_id`,
    owner: sql`p.owner_id`,
    type: sql`p.type_key`,
  });
  const range = rangeOf(q.periods);
  const customerUpdate = (alias: string) =>
    sql.raw(`${alias}.type = 'commented' and ${alias}.payload ->> 'audience' = 'customer'`);
  // The promises whose first update to the customer falls in the range (promise_events_customer_update_idx),
  // each in the period of that first update; proactive when no "customer chased us" about it came
  // at or before that moment.
  const rows = await select<DimRow & { updated: number; proactive: number }>(
    ctx,
    sql`
    with firsts as (
      select u.promise_id, min(u.occurred_at) as first_at
        from promise_events u
       where u.workspace_id = ${ws} and ${customerUpdate('u')}
         and u.occurred_at >= ${range.start}::timestamptz and u.occurred_at < ${range.end}::timestamptz
       group by u.promise_id)
    select per.i, ${d.value} as dim, ${d.label} as label, count(*)::int as updated,
           count(*) filter (where not exists (
             select 1 from signals c
              where c.workspace_id = ${ws} and c.promise_id = f.promise_id and c.kind = 'customer_chased'
                and c.occurred_at <= f.first_at))::int as proactive
      from firsts f
      join ${periodsTable(q.periods)} on f.first_at >= per.ps and f.first_at < per.pe
      join promises p on p.workspace_id = ${ws} and p.id = f.promise_id
      ${d.joins}
     where not exists (
             select 1 from promise_events b
              where b.workspace_id = ${ws} and b.promise_id = f.promise_id and ${customerUpdate('b')}
                and b.occurred_at < f.first_at)
     group by 1, 2, 3`,
  );
  return result(
    q,
    'proactive_update_rate',
    'Proactive update rate: promises where the customer received an update before any "customer chased us" signal / promises with updates. ' +
      'An update to the customer is a comment on the promise with audience "customer"; a chase is a customer_chased signal linked to the promise ' +
      '(chases not linked to a promise are not counted). A promise is in the period of its first update to the customer, and is proactive when no chase ' +
      'happened at or before that update. By owner and team: the promise’s owner and their manager; by type: the promise’s type; by tier: the account’s.',
    [...RATE_COLUMNS, 'promisesWithUpdates', 'proactive', 'chasedFirst'],
    assembleRows(
      q.periods,
      q.by,
      rows.map((r) => ({
        period: r.i,
        dimension: r.dim,
        label: r.label,
        values: { updated: r.updated, proactive: r.proactive },
      })),
      () => ({ updated: 0, proactive: 0 }),
      (v) => ({
        ...rate(v.proactive, v.updated),
        promisesWithUpdates: v.updated,
        proactive: v.proactive,
        chasedFirst: v.updated - v.proactive,
      }),
    ),
    rows.every((r) => r.updated === 0),
  );
}

// ── 6. NPS and CSAT ────────────────────────────────────────────────────────────────────────────────

async function surveyCounts(ctx: AppContext, q: MeasureQuery, kind: 'nps' | 'csat') {
  const ws = q.workspaceId;
  const d = dimension(q.by, ws, { account: sql`s.account_id` });
  return select<DimRow & { n: number; high: number; mid: number; low: number }>(
    ctx,
    sql`
    select per.i, ${d.value} as dim, ${d.label} as label, count(*)::int as n,
           count(*) filter (where s.score >= ${kind === 'nps' ? 9 : 4})::int as high,
           count(*) filter (where s.score between 7 and 8)::int as mid,
           count(*) filter (where s.score <= 6)::int as low
      from ${periodsTable(q.periods)}
      join signals s on s.workspace_id = ${ws} and s.kind = ${kind}
                    and s.occurred_at >= per.ps and s.occurred_at < per.pe
      ${d.joins}
     group by 1, 2, 3`,
  );
}

export async function nps(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const rows = await surveyCounts(ctx, q, 'nps');
  return result(
    q,
    'nps',
    'NPS = % promoters (9–10) − % detractors (0–6), over the NPS responses in the period of their occurred_at; null (no data) without respondents. ' +
      'Segment is the account’s tier.',
    ['respondents', 'promoters', 'passives', 'detractors', 'promoterPercent', 'detractorPercent', 'nps'],
    assembleRows(
      q.periods,
      q.by,
      rows.map((r) => ({
        period: r.i,
        dimension: r.dim,
        label: r.label,
        values: { promoters: r.high, passives: r.mid, detractors: r.low },
      })),
      () => ({ promoters: 0, passives: 0, detractors: 0 }),
      (v) => {
        const s = npsOf(v);
        return {
          respondents: s.respondents,
          promoters: v.promoters,
          passives: v.passives,
          detractors: v.detractors,
          promoterPercent: s.promoterPercent,
          detractorPercent: s.detractorPercent,
          nps: s.nps,
        };
      },
    ),
    rows.every((r) => r.n === 0),
  );
}

export async function csat(ctx: AppContext, q: MeasureQuery): Promise<MeasureResult> {
  const rows = await surveyCounts(ctx, q, 'csat');
  return result(
    q,
    'csat',
    'CSAT = % of responses scoring 4 or 5 on the 1–5 scale, over the CSAT responses in the period of their occurred_at; null (no data) without responses. ' +
      'Segment is the account’s tier.',
    [...RATE_COLUMNS, 'responses', 'satisfied'],
    assembleRows(
      q.periods,
      q.by,
      rows.map((r) => ({
        period: r.i,
        dimension: r.dim,
        label: r.label,
        values: { n: r.n, satisfied: r.high },
      })),
      () => ({ n: 0, satisfied: 0 }),
      (v) => ({ ...rate(v.satisfied, v.n), responses: v.n, satisfied: v.satisfied }),
    ),
    rows.every((r) => r.n === 0),
  );
}
