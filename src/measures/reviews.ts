// The review cadence of the seed (daily promise review, weekly team review, monthly analysis):
// reads that assemble the measures into one answer per review. Each review is a few named
// sections, each a flat table (so each is also a CSV).
import { sql } from 'drizzle-orm';
import type { AppContext } from '../context.js';
import { formatDate, formatInstant } from '../time/zone.js';
import { csat, nps } from './customer-measures.js';
import { fulfilment } from './fulfilment.js';
import { type MeasureResult, type MeasureRow, round2 } from './measure.js';
import { dayInZone, type Period, periodsCovering } from './period.js';
import { delayPatterns, type MissCount, PATTERN_WEEKS } from './report-rules.js';

export interface ReviewSection {
  title: string;
  definition: string;
  columns: string[];
  rows: MeasureRow[];
}

export interface Review {
  review: 'daily' | 'weekly' | 'monthly';
  zone: string;
  asOf: string;
  /** The local date (daily) or the reviewed period's key (weekly `2026-W48`, monthly `2026-11`). */
  period: string;
  from: string;
  to: string;
  sections: Record<string, ReviewSection>;
  /** True when no section has a row with anything in it. */
  noData: boolean;
}

export interface ReviewBase {
  workspaceId: string;
  zone: string;
  now: Date;
}

type Rows<T> = { rows: T[] };
const rowsOf = <T>(res: unknown): T[] => (res as Rows<T>).rows;
const iso = (d: Date) => d.toISOString();
const n = (v: unknown) => Number(v ?? 0);
const HOUR_MS = 3_600_000;
export const DUE_SOON_HOURS = 48;

/** A section as a MeasureResult (what `respond` turns into CSV). */
export function sectionResult(review: Review, name: string): MeasureResult {
  const s = review.sections[name] as ReviewSection;
  return {
    measure: `review-${review.review}-${name}`,
    definition: s.definition,
    zone: review.zone,
    asOf: review.asOf,
    period: review.period,
    from: review.from,
    to: review.to,
    columns: s.columns,
    rows: s.rows,
    noData: s.rows.length === 0,
  };
}

// ── Workload ─────────────────────────────────────────────────────────────────────────────────────

const WORKLOAD_DEFINITION =
  'Per owner, now: open promises; overdue (open, past the effective due date, or paused after that date had passed); due within 48 hours and 7 days; paused (open, clock stopped). ' +
  'Every active user who can own promises (not viewers) is listed, plus anyone else still owning open promises.';

export const WORKLOAD_COLUMNS = [
  'ownerId',
  'ownerName',
  'role',
  'active',
  'open',
  'overdue',
  'dueWithin48h',
  'dueWithin7d',
  'paused',
];

/**
 * Open workload per owner at `now`: every active user who may own promises (not viewers), plus
 * anyone else (a deactivated user) still owning open promises. open = status open; overdue = open
 * and past the effective due date, or paused after its due before the pause had passed;
 * dueWithin48h / dueWithin7d = open, due in [now, now + 48 h / 7 d); paused = open with the clock
 * paused (no effective due date). Most open first.
 */
export async function workloadNow(ctx: AppContext, base: ReviewBase): Promise<MeasureRow[]> {
  const now = base.now;
  const rows = rowsOf<Record<string, unknown>>(
    await ctx.database.db.execute(sql`
      select u.id, u.name, u.role, u.active,
             count(p.id)::int as open,
             count(p.id) filter (where p.effective_due_at < ${iso(now)}::timestamptz
               or (p.paused_at is not null and p.due_at + p.paused_ms * interval '1 millisecond' < p.paused_at))::int as overdue,
             count(p.id) filter (where p.effective_due_at >= ${iso(now)}::timestamptz
               and p.effective_due_at < ${iso(new Date(now.getTime() + DUE_SOON_HOURS * HOUR_MS))}::timestamptz)::int as due48,
             count(p.id) filter (where p.effective_due_at >= ${iso(now)}::timestamptz
               and p.effective_due_at < ${iso(new Date(now.getTime() + 7 * 24 * HOUR_MS))}::timestamptz)::int as due7,
             count(p.id) filter (where p.effective_due_at is null)::int as paused
        from users u
        left join promises p on p.workspace_id = u.workspace_id and p.owner_id = u.id and p.status = 'open'
       where u.workspace_id = ${base.workspaceId}
       group by u.id, u.name, u.role, u.active
      having (bool_or(u.active) and bool_or(u.role <> 'viewer')) or count(p.id) > 0
       order by count(p.id) desc, u.name, u.id`),
  );
  return rows.map((r) => ({
    ownerId: r.id as string,
    ownerName: r.name as string,
    role: r.role as string,
    active: Boolean(r.active),
    open: n(r.open),
    overdue: n(r.overdue),
    dueWithin48h: n(r.due48),
    dueWithin7d: n(r.due7),
    paused: n(r.paused),
  }));
}

// ── Daily ────────────────────────────────────────────────────────────────────────────────────────

export const DUE_COLUMNS = [
  'promiseId',
  'promiseMade',
  'accountId',
  'accountName',
  'type',
  'typeLabel',
  'ownerId',
  'ownerName',
  'dueAt',
  'dueLocal',
  'hoursLeft',
];

/** Open promises due within the next 48 hours (effective due date in [now, now + 48 h)), soonest first. */
export async function dueWithin48h(ctx: AppContext, base: ReviewBase): Promise<MeasureRow[]> {
  const { now, zone } = base;
  const rows = rowsOf<Record<string, unknown>>(
    await ctx.database.db.execute(sql`
      select p.id, p.promise_made, p.account_id, a.name as account_name, p.type_key,
             t.label as type_label, p.owner_id, u.name as owner_name, p.effective_due_at
        from promises p
        left join accounts a on a.workspace_id = p.workspace_id and a.id = p.account_id
        left join promise_types t on t.workspace_id = p.workspace_id and t.key = p.type_key
        left join users u on u.workspace_id = p.workspace_id and u.id = p.owner_id
       where p.workspace_id = ${base.workspaceId} and p.status = 'open'
         and p.effective_due_at >= ${iso(now)}::timestamptz
         and p.effective_due_at < ${iso(new Date(now.getTime() + DUE_SOON_HOURS * HOUR_MS))}::timestamptz
       order by p.effective_due_at, p.id`),
  );
  return rows.map((r) => {
    const due = new Date(r.effective_due_at as string);
    return {
      promiseId: r.id as string,
      promiseMade: r.promise_made as string,
      accountId: r.account_id as string,
      accountName: (r.account_name as string | null) ?? '',
      type: r.type_key as string,
      typeLabel: (r.type_label as string | null) ?? (r.type_key as string),
      ownerId: r.owner_id as string,
      ownerName: (r.owner_name as string | null) ?? '',
      dueAt: iso(due),
      dueLocal: formatInstant(due, zone),
      hoursLeft: round2((due.getTime() - now.getTime()) / HOUR_MS),
    };
  });
}

/** The daily review: what is due within 48 hours with its owner, and each owner's open workload. */
export async function dailyReview(ctx: AppContext, base: ReviewBase): Promise<Review> {
  const day = dayInZone(base.now, base.zone);
  const [due, workload] = [await dueWithin48h(ctx, base), await workloadNow(ctx, base)];
  return {
    review: 'daily',
    zone: base.zone,
    asOf: iso(base.now),
    period: day,
    from: iso(base.now),
    to: iso(new Date(base.now.getTime() + DUE_SOON_HOURS * HOUR_MS)),
    sections: {
      due: {
        title: 'Due within 48 hours',
        definition:
          'Open promises whose effective due date (renegotiations and pauses applied) falls within the next 48 hours from now, soonest first, with their owner. Paused promises have no due date and are not listed.',
        columns: DUE_COLUMNS,
        rows: due,
      },
      workload: {
        title: 'Resources: open workload per owner',
        definition: WORKLOAD_DEFINITION,
        columns: WORKLOAD_COLUMNS,
        rows: workload,
      },
    },
    noData: due.length === 0 && workload.every((r) => r.open === 0),
  };
}

// ── Weekly ───────────────────────────────────────────────────────────────────────────────────────

export const PATTERN_COLUMNS = [
  'dimension',
  'value',
  'label',
  'misses3WeeksBefore',
  'misses2WeeksBefore',
  'missesWeekBefore',
  'missesThisWeek',
  'weeksWithMisses',
  'recurring',
  'growing',
];

const missesOf = (r: MeasureRow) => n(r.keptLate) + n(r.broken) + n(r.openPastDue);

/**
 * The weekly review of `week` (an ISO week of the zone): fulfilment by promise type for the week,
 * recurring delay patterns over it and the three weeks before, open workload per owner now.
 */
export async function weeklyReview(ctx: AppContext, base: ReviewBase, week: Period): Promise<Review> {
  const q = { workspaceId: base.workspaceId, zone: base.zone, now: base.now };
  const byType = await fulfilment(ctx, { ...q, periods: [week], granularity: 'week', by: 'type' });
  const weeks = periodsCovering(
    formatDate(week.firstEpochDay - 7 * (PATTERN_WEEKS - 1)),
    week.firstDay,
    'week',
    base.zone,
  );
  const counts: MissCount[] = [];
  for (const dimension of ['type', 'owner'] as const) {
    const r = await fulfilment(ctx, { ...q, periods: weeks, granularity: 'week', by: dimension });
    for (const row of r.rows) {
      counts.push({
        dimension,
        value: String(row.dimension ?? ''),
        label: String(row.label ?? ''),
        week: weeks.findIndex((w) => w.key === row.period),
        misses: missesOf(row),
      });
    }
  }
  const patterns = delayPatterns(counts).map((p) => ({
    dimension: p.dimension,
    value: p.value,
    label: p.label,
    misses3WeeksBefore: p.misses[0] as number,
    misses2WeeksBefore: p.misses[1] as number,
    missesWeekBefore: p.misses[2] as number,
    missesThisWeek: p.misses[3] as number,
    weeksWithMisses: p.weeksWithMisses,
    recurring: p.recurring,
    growing: p.growing,
  }));
  const workload = await workloadNow(ctx, base);
  return {
    review: 'weekly',
    zone: base.zone,
    asOf: iso(base.now),
    period: week.key,
    from: week.firstDay,
    to: formatDate(week.endEpochDay - 1),
    sections: {
      fulfilment: {
        title: 'Fulfilment by promise type',
        definition: `${byType.definition} By promise type, for the week.`,
        columns: byType.columns,
        rows: byType.rows,
      },
      patterns: {
        title: 'Recurring delay patterns',
        definition:
          `Per promise type and per owner, the misses of each of the four weeks ${weeks.map((w) => w.key).join(', ')} — promises due that week ` +
          'not kept on time: kept late + broken + still open past due, as in the fulfilment rate. A group is listed when its delays recur ' +
          '(misses in at least 3 of the 4 weeks) or grow (more misses each week over the last three: w−2 < w−1 < this week).',
        columns: PATTERN_COLUMNS,
        rows: patterns,
      },
      workload: {
        title: 'Open workload per owner (now)',
        definition: WORKLOAD_DEFINITION,
        columns: WORKLOAD_COLUMNS,
        rows: workload,
      },
    },
    noData:
      byType.rows.every((r) => n(r.denominator) === 0) &&
      patterns.length === 0 &&
      workload.every((r) => r.open === 0),
  };
}

// ── Monthly ──────────────────────────────────────────────────────────────────────────────────────

export const SATISFACTION_COLUMNS = [
  'period',
  'periodStart',
  'fulfilmentPercent',
  'keptOnTime',
  'fulfilmentDenominator',
  'csatPercent',
  'csatSatisfied',
  'csatResponses',
  'nps',
  'npsRespondents',
  'promoters',
  'passives',
  'detractors',
];

export const MONTHLY_WORKLOAD_COLUMNS = [
  'ownerId',
  'ownerName',
  'openNow',
  'overdueNow',
  'due',
  'kept',
  'keptOnTime',
  'keptLate',
  'broken',
  'openPastDue',
  'fulfilmentPercent',
];

/**
 * The monthly review of `month`: overall fulfilment, satisfaction (CSAT, NPS) beside fulfilment,
 * and workload per owner (open and overdue now; due, kept, broken in the month).
 */
export async function monthlyReview(ctx: AppContext, base: ReviewBase, month: Period): Promise<Review> {
  const q = { workspaceId: base.workspaceId, zone: base.zone, now: base.now, periods: [month] };
  const overall = await fulfilment(ctx, { ...q, granularity: 'month' });
  const byOwner = await fulfilment(ctx, { ...q, granularity: 'month', by: 'owner' });
  const c = (await csat(ctx, { ...q, granularity: 'month' })).rows[0] ?? {};
  const p = (await nps(ctx, { ...q, granularity: 'month' })).rows[0] ?? {};
  const f = overall.rows[0] ?? {};
  const satisfaction: MeasureRow = {
    period: month.key,
    periodStart: iso(month.start),
    fulfilmentPercent: (f.percent as number | null | undefined) ?? null,
    keptOnTime: n(f.numerator),
    fulfilmentDenominator: n(f.denominator),
    csatPercent: (c.percent as number | null | undefined) ?? null,
    csatSatisfied: n(c.satisfied),
    csatResponses: n(c.responses),
    nps: (p.nps as number | null | undefined) ?? null,
    npsRespondents: n(p.respondents),
    promoters: n(p.promoters),
    passives: n(p.passives),
    detractors: n(p.detractors),
  };
  const now = await workloadNow(ctx, base);
  const owners = new Map<string, MeasureRow>();
  for (const w of now) {
    owners.set(String(w.ownerId), {
      ownerId: w.ownerId as string,
      ownerName: w.ownerName as string,
      openNow: w.open as number,
      overdueNow: w.overdue as number,
      due: 0,
      kept: 0,
      keptOnTime: 0,
      keptLate: 0,
      broken: 0,
      openPastDue: 0,
      fulfilmentPercent: null,
    });
  }
  for (const r of byOwner.rows) {
    const id = String(r.dimension ?? '');
    const row =
      owners.get(id) ??
      ({ ownerId: id, ownerName: String(r.label ?? ''), openNow: 0, overdueNow: 0 } as MeasureRow);
    Object.assign(row, {
      due: n(r.keptOnTime) + n(r.keptLate) + n(r.broken) + n(r.openPastDue) + n(r.openNotDue) + n(r.paused),
      kept: n(r.keptOnTime) + n(r.keptLate),
      keptOnTime: n(r.keptOnTime),
      keptLate: n(r.keptLate),
      broken: n(r.broken),
      openPastDue: n(r.openPastDue),
      fulfilmentPercent: (r.percent as number | null | undefined) ?? null,
    });
    owners.set(id, row);
  }
  const workload = [...owners.values()].sort(
    (a, b) =>
      n(b.due) - n(a.due) ||
      n(b.openNow) - n(a.openNow) ||
      String(a.ownerName).localeCompare(String(b.ownerName)) ||
      String(a.ownerId).localeCompare(String(b.ownerId)),
  );
  return {
    review: 'monthly',
    zone: base.zone,
    asOf: iso(base.now),
    period: month.key,
    from: month.firstDay,
    to: formatDate(month.endEpochDay - 1),
    sections: {
      fulfilment: {
        title: 'Fulfilment for the month',
        definition: overall.definition,
        columns: overall.columns,
        rows: overall.rows,
      },
      satisfaction: {
        title: 'Satisfaction beside fulfilment',
        definition:
          'For the month: the fulfilment rate (kept on time / due and settled or past due), CSAT (% of responses scoring 4–5 on 1–5) and NPS ' +
          '(% promoters 9–10 − % detractors 0–6) of the survey responses received in the month. Null: no data (nothing due, no responses).',
        columns: SATISFACTION_COLUMNS,
        rows: [satisfaction],
      },
      workload: {
        title: 'Workload per owner',
        definition:
          'Per owner: open and overdue promises now; of the promises due in the month (by the fulfilment rate’s rule, cancelled excluded): ' +
          'due (all of them, paused and not yet due included), kept (on time + late), broken, still open past due, and the fulfilment rate.',
        columns: MONTHLY_WORKLOAD_COLUMNS,
        rows: workload,
      },
    },
    noData:
      n(f.denominator) === 0 &&
      satisfaction.csatResponses === 0 &&
      satisfaction.npsRespondents === 0 &&
      workload.every((r) => n(r.openNow) === 0 && n(r.due) === 0),
  };
}
