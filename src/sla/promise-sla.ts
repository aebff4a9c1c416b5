// What every promise response shows of the SLA and of risk, computed per request from data loaded
// once for the whole response (the workspace's calendars and policies, and the kept-promise
// durations of the types on the page) — never a query per promise.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/connect.js';
import type { PauseSpan, PromiseState } from '../promises/promise.js';
import { businessMinutesBetween } from '../time/business-time.js';
import type { Calendar } from '../time/calendar.js';
import { pausesUntil, type SlaState, slaClock } from './clock.js';
import { historyCache, setupCache } from './context-cache.js';
import { assessRisk, type KeptSummary, type RiskAssessment, summarize } from './risk.js';
import { loadSlaSetup, type SlaSetup } from './sla.repo.js';

export interface SlaView {
  policyId: string;
  state: SlaState | 'unavailable';
  budgetMinutes: number;
  minutesUsed: number;
  minutesRemaining: number;
  minutesOver: number;
  /** When the budget runs out, pauses excluded (null while paused with budget left). */
  dueAt: string | null;
  breachRecordedAt: string | null;
  checkpoints: { percent: number; at: string | null; action: string; reached: boolean }[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The SLA clock of a promise at `now`, or null when it has no policy. */
export function slaView(s: PromiseState, setup: SlaSetup, now: Date): SlaView | null {
  if (!s.slaPolicyId) return null;
  const policy = setup.policyById.get(s.slaPolicyId);
  const calendar = policy && setup.calendars.get(policy.calendarId);
  const base = { policyId: s.slaPolicyId, breachRecordedAt: iso(s.slaBreachedAt) };
  try {
    if (!policy || !calendar) throw new Error('policy or calendar missing');
    const c = slaClock(s, policy, calendar.calendar, now);
    return {
      ...base,
      state: c.state,
      budgetMinutes: c.budgetMinutes,
      minutesUsed: c.minutesUsed,
      minutesRemaining: c.minutesRemaining,
      minutesOver: c.minutesOver,
      dueAt: iso(c.deadline),
      checkpoints: c.checkpoints.map((k) => ({
        percent: k.percent,
        at: iso(k.at),
        action: k.action,
        reached: k.reached,
      })),
    };
  } catch {
    // A due date more than 100 years out cannot be measured; the promise still reads.
    return {
      ...base,
      state: 'unavailable',
      budgetMinutes: 0,
      minutesUsed: 0,
      minutesRemaining: 0,
      minutesOver: 0,
      dueAt: null,
      checkpoints: [],
    };
  }
}

/** How long kept promises took, per type: business minutes on the default calendar, pauses excluded. */
export type KeptHistory = Map<string, KeptSummary>;

/** The latest kept promises considered per type (recent history is the relevant one, and it bounds the work). */
export const HISTORY_LIMIT = 200;

export function keptMinutes(
  calendar: Calendar,
  createdAt: Date,
  closedAt: Date,
  pauses: readonly PauseSpan[],
): number | null {
  try {
    if (closedAt.getTime() <= createdAt.getTime()) return 0;
    return businessMinutesBetween(calendar, createdAt, closedAt, pausesUntil(pauses, closedAt));
  } catch {
    return null;
  }
}

/** Open every minute with no holiday: business time is elapsed time, which SQL can measure. */
export function alwaysOpen(calendar: Calendar): boolean {
  return (
    calendar.holidays.length === 0 &&
    Object.values(calendar.week).every((d) => d.length === 1 && d[0]![0] === '00:00' && d[0]![1] === '24:00')
  );
}

type Rows<T> = { rows: T[] };

/**
 * One query: the latest HISTORY_LIMIT kept promises of each type in `typeKeys`, summarised. On an
 * always-open default calendar (every workspace's until an admin edits it) the business minutes are
 * elapsed minus paused time and the 80th percentile is taken in SQL, so one row per type comes back
 * (an index-only scan); otherwise the rows are measured here, interval by interval.
 */
export async function loadKeptHistory(
  q: Queryable,
  workspaceId: string,
  typeKeys: readonly string[],
  calendar: Calendar,
): Promise<KeptHistory> {
  const out: KeptHistory = new Map();
  const types = [...new Set(typeKeys)];
  if (types.length === 0) return out;
  const latest = sql`
    from unnest(${sql.param(types)}::text[]) as t(type_key)
    cross join lateral (
      select p.created_at, p.closed_at, p.paused_ms, p.pauses from promises p
       where p.workspace_id = ${workspaceId} and p.type_key = t.type_key and p.status = 'kept'
       order by p.closed_at desc
       limit ${HISTORY_LIMIT}) k`;
  if (alwaysOpen(calendar)) {
    // Elapsed minus paused milliseconds (whole: float seconds rounded to the millisecond the
    // instants have). percentile_disc(0.8) is the nearest rank, ceil(0.8 n), as percentile80.
    const res = await q.execute(sql`
      select t.type_key, count(*)::int as n,
             percentile_disc(0.8) within group (
               order by round((date_part('epoch', k.closed_at) - date_part('epoch', k.created_at)) * 1000) - k.paused_ms
             ) as p80_ms
      ${latest}
      group by t.type_key`);
    for (const r of (res as unknown as Rows<{ type_key: string; n: number; p80_ms: number }>).rows) {
      out.set(r.type_key, { p80Minutes: Math.max(0, Number(r.p80_ms)) / 60_000, sampleSize: Number(r.n) });
    }
    return out;
  }
  const res = await q.execute(sql`
    select t.type_key, (extract(epoch from k.created_at) * 1000)::float8 as created_ms,
           (extract(epoch from k.closed_at) * 1000)::float8 as closed_ms, k.pauses
    ${latest}`);
  const byType = new Map<string, number[]>();
  const rows = (
    res as unknown as Rows<{ type_key: string; created_ms: number; closed_ms: number; pauses: unknown }>
  ).rows;
  for (const r of rows) {
    const m = keptMinutes(
      calendar,
      new Date(Math.round(Number(r.created_ms))),
      new Date(Math.round(Number(r.closed_ms))),
      (typeof r.pauses === 'string' ? JSON.parse(r.pauses) : (r.pauses ?? [])) as PauseSpan[],
    );
    if (m === null) continue;
    const list = byType.get(r.type_key) ?? [];
    list.push(m);
    byType.set(r.type_key, list);
  }
  for (const [type, values] of byType) out.set(type, summarize(values));
  return out;
}

/** The risk of a promise: its indicators, and its buffer against the workspace's kept history. */
export function riskView(
  s: Pick<PromiseState, 'dueAt' | 'createdAt' | 'riskIndicators' | 'typeKey'>,
  setup: SlaSetup,
  history: KeptHistory,
): RiskAssessment {
  let promisedMinutes: number | null;
  try {
    promisedMinutes =
      s.dueAt.getTime() <= s.createdAt.getTime()
        ? 0
        : businessMinutesBetween(setup.defaultCalendar.calendar, s.createdAt, s.dueAt);
  } catch {
    promisedMinutes = null;
  }
  return assessRisk({
    indicators: s.riskIndicators,
    typeKey: s.typeKey,
    promisedMinutes,
    history: history.get(s.typeKey) ?? { p80Minutes: null, sampleSize: 0 },
  });
}

/** Everything a promise response needs beyond the promise itself, loaded once per request. */
export interface PromiseContext {
  setup: SlaSetup;
  history: KeptHistory;
}

export async function loadPromiseContext(
  q: Queryable,
  workspaceId: string,
  promises: readonly { typeKey: string }[],
): Promise<PromiseContext> {
  // Cache time is the process's own clock, not the request's (tests move the request clock).
  const nowMs = performance.now();
  let setup = setupCache.get(workspaceId, nowMs);
  if (!setup) {
    setup = await loadSlaSetup(q, workspaceId);
    setupCache.set(workspaceId, setup, nowMs);
  }
  const cal = setup.defaultCalendar;
  const prefix = `${cal.id}/${cal.version}/`;
  let known = historyCache.get(workspaceId, nowMs);
  const types = [...new Set(promises.map((p) => p.typeKey))];
  const missing = known ? types.filter((t) => !known!.has(prefix + t)) : types;
  if (missing.length > 0) {
    const loaded = await loadKeptHistory(q, workspaceId, missing, cal.calendar);
    if (!known) {
      known = new Map();
      historyCache.set(workspaceId, known, nowMs);
    }
    for (const t of missing) known.set(prefix + t, loaded.get(t) ?? null);
  }
  const history: KeptHistory = new Map();
  for (const t of types) {
    const h = known?.get(prefix + t);
    if (h) history.set(t, h);
  }
  return { setup, history };
}
