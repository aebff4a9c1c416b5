// Account health, now: each account's facts (product activity, tickets, promises, temperature) read
// a chunk of accounts at a time (one query each, aggregated in SQL), scored by the pure rules of
// health.ts with the workspace's weights, and the accounts shown answered with the breakdown. Also
// reads and writes the workspace's weights.
import { eq, type SQL, sql } from 'drizzle-orm';
import type { Temperature } from '../accounts/account.js';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { healthWeights } from '../db/schema.js';
import { invalid, notFound } from '../errors.js';
import { DAY_MS } from '../time/zone.js';
import { CHUNK_ROWS, keysetPages } from './chunks.js';
import {
  DEFAULT_HEALTH_WEIGHTS,
  HEALTH_COMPONENT_RULES,
  HEALTH_COMPONENTS,
  type HealthFacts,
  type HealthPart,
  type HealthWeights,
  healthScore,
  healthScoreValue,
  normaliseWeights,
  weightsProblem,
} from './health.js';
import type { MeasureQuery, MeasureResult, MeasureRow } from './measure.js';

export interface StoredHealthWeights {
  weights: HealthWeights;
  /** The same, scaled to sum to 1 (what the score uses). */
  normalised: HealthWeights;
  /** True when the workspace never set its own (the defaults apply). */
  isDefault: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
}

export async function getHealthWeights(ctx: AppContext, workspaceId: string): Promise<StoredHealthWeights> {
  const [row] = await ctx.database.db
    .select()
    .from(healthWeights)
    .where(eq(healthWeights.workspaceId, workspaceId))
    .limit(1);
  const weights: HealthWeights = row
    ? {
        recency: row.recency,
        frequency: row.frequency,
        coreUsage: row.coreUsage,
        tickets: row.tickets,
        openPromises: row.openPromises,
        overduePromises: row.overduePromises,
        temperature: row.temperature,
      }
    : { ...DEFAULT_HEALTH_WEIGHTS };
  return {
    weights,
    normalised: normaliseWeights(weights),
    isDefault: !row,
    updatedAt: row ? row.updatedAt.toISOString() : null,
    updatedBy: row ? row.updatedBy : null,
  };
}

/** Sets the workspace's weights (every component; ≥ 0, at least one > 0). */
export async function setHealthWeights(
  ctx: AppContext,
  { principal, weights }: { principal: Principal; weights: HealthWeights },
): Promise<StoredHealthWeights> {
  const problem = weightsProblem(weights);
  if (problem) throw invalid(problem.field, problem.message);
  const values = {
    recency: weights.recency,
    frequency: weights.frequency,
    coreUsage: weights.coreUsage,
    tickets: weights.tickets,
    openPromises: weights.openPromises,
    overduePromises: weights.overduePromises,
    temperature: weights.temperature,
    updatedBy: principal.userId,
    updatedAt: ctx.now(),
  };
  await ctx.database.db
    .insert(healthWeights)
    .values({ workspaceId: principal.workspaceId, ...values })
    .onConflictDoUpdate({ target: healthWeights.workspaceId, set: values });
  return getHealthWeights(ctx, principal.workspaceId);
}

export const HEALTH_SORTS = ['score', '-score'] as const;
export type HealthSort = (typeof HEALTH_SORTS)[number];

export interface HealthQuery extends Pick<MeasureQuery, 'workspaceId' | 'zone' | 'now'> {
  accountId?: string | undefined;
  /** `score`: lowest (needs attention) first; `-score`: highest first. Ties by account name. */
  sort?: HealthSort | undefined;
  limit?: number | undefined;
}

export interface AccountHealth {
  accountId: string;
  accountName: string;
  tier: string;
  ownerId: string;
  score: number;
  breakdown: HealthPart[];
}

export type HealthResult = MeasureResult & {
  /** Accounts in the workspace (or matching `accountId`), before the limit. */
  total: number;
  weights: StoredHealthWeights;
  rules: Record<string, { label: string; rule: string }>;
  accounts: AccountHealth[];
};

const HEALTH_DEFINITION =
  'Health score, 0..100, now: the weighted sum of component scores (weights normalised to sum to 1), each component scored 0..100 by its rule (see `rules`): product activity recency and frequency, core usage (product activity events in 30 days), tickets (complaints and escalations in 90 days), open and overdue promises, relationship temperature. Each row shows every component’s raw value, score and contribution; the contributions sum to the score.';

const DEFAULT_LIMIT = 100;

interface HealthRow {
  id: string;
  name: string;
  tier: string;
  owner_id: string;
  temperature: Temperature | null;
  last_account_ms: number | null;
  last_signal_ms: number | null;
  active_days: number | null;
  events: number | null;
  tickets: number | null;
  open: number | null;
  overdue: number | null;
}

interface Scored {
  accountId: string;
  accountName: string;
  tier: string;
  ownerId: string;
  score: number;
  facts: HealthFacts;
}

/** Instants as whole milliseconds since the epoch (what the drivers' Date would hold). */
const ms = (column: SQL) => sql`floor(extract(epoch from ${column}) * 1000)::float8`;

/**
 * One chunk of accounts (in id order, after `after`) with their facts, aggregated in SQL over the
 * chunk's id range on the per-account indexes.
 */
function chunkQuery(q: HealthQuery, after: string | null, since30: Date, since90: Date): SQL {
  const ws = q.workspaceId;
  const now = q.now.toISOString();
  // uuid has no min/max aggregate.
  const range = sql`account_id between (select id from a order by id limit 1)
                    and (select id from a order by id desc limit 1)`;
  return sql`
    with a as (
      select id, name, tier, owner_id, temperature, ${ms(sql`last_activity_at`)} as last_account_ms
        from accounts
       where workspace_id = ${ws}
         ${q.accountId === undefined ? sql`` : sql`and id = ${q.accountId}::uuid`}
         ${after === null ? sql`` : sql`and id > ${after}::uuid`}
       order by id
       limit ${CHUNK_ROWS}
    )
    select a.*, act.last_signal_ms, act.active_days, act.events, tk.tickets, pr.open, pr.overdue
      from a
      left join (
        select account_id, ${ms(sql`max(occurred_at)`)} as last_signal_ms,
               count(distinct ((occurred_at) at time zone ${q.zone})::date)::int as active_days,
               coalesce(sum(coalesce((payload->>'count')::bigint, 1)), 0)::float8 as events
          from signals
         where workspace_id = ${ws} and ${range} and kind = 'product_activity'
           and occurred_at > ${since30.toISOString()}::timestamptz and occurred_at <= ${now}::timestamptz
         group by account_id
      ) act on act.account_id = a.id
      left join (
        select account_id, count(*)::int as tickets
          from signals
         where workspace_id = ${ws} and ${range} and kind in ('complaint', 'escalation')
           and occurred_at > ${since90.toISOString()}::timestamptz and occurred_at <= ${now}::timestamptz
         group by account_id
      ) tk on tk.account_id = a.id
      left join (
        select account_id, count(*)::int as open,
               (count(*) filter (where effective_due_at < ${now}::timestamptz
                 or (paused_at is not null and due_at + paused_ms * interval '1 millisecond' < paused_at)))::int as overdue
          from promises
         where workspace_id = ${ws} and ${range} and status = 'open'
         group by account_id
      ) pr on pr.account_id = a.id
     order by a.id`;
}

function factsOf(r: HealthRow, now: number): HealthFacts {
  const lastSignal = r.last_signal_ms;
  const lastAccount = r.last_account_ms;
  const last =
    lastSignal === null ? lastAccount : lastAccount === null ? lastSignal : Math.max(lastSignal, lastAccount);
  return {
    daysSinceActivity: last === null ? null : Math.max(0, Math.floor((now - last) / DAY_MS)),
    activeDays30: r.active_days ?? 0,
    usageEvents30: r.events ?? 0,
    tickets90: r.tickets ?? 0,
    openPromises: r.open ?? 0,
    overduePromises: r.overdue ?? 0,
    temperature: r.temperature,
  };
}

/**
 * The first `limit` accounts in answer order (score, then name, then id): the accounts whose score
 * is within the `limit` best are sorted, the rest never compared by name.
 */
function firstInOrder(scored: Scored[], dir: 1 | -1, limit: number): Scored[] {
  if (scored.length === 0 || limit <= 0) return [];
  const scores = Float64Array.from(scored, (s) => dir * s.score).sort();
  const bound = scores[Math.min(limit, scores.length) - 1]!;
  return scored
    .filter((s) => dir * s.score <= bound)
    .sort(
      (x, y) =>
        dir * (x.score - y.score) ||
        x.accountName.localeCompare(y.accountName) ||
        x.accountId.localeCompare(y.accountId),
    )
    .slice(0, limit);
}

export async function healthScores(ctx: AppContext, q: HealthQuery): Promise<HealthResult> {
  const now = q.now;
  const since30 = new Date(now.getTime() - 30 * DAY_MS);
  const since90 = new Date(now.getTime() - 90 * DAY_MS);
  const weights = await getHealthWeights(ctx, q.workspaceId);
  const scored: Scored[] = [];
  const pages = keysetPages(ctx, async (after: HealthRow | null) => {
    const result: unknown = await ctx.database.db.execute(chunkQuery(q, after?.id ?? null, since30, since90));
    return (result as { rows: HealthRow[] }).rows;
  });
  for await (const rows of pages) {
    for (const r of rows) {
      const facts = factsOf(r, now.getTime());
      scored.push({
        accountId: r.id,
        accountName: r.name,
        tier: r.tier,
        ownerId: r.owner_id,
        score: healthScoreValue(facts, weights.normalised),
        facts,
      });
    }
  }
  if (q.accountId !== undefined && scored.length === 0) {
    throw notFound(`account ${q.accountId}`, 'accountId');
  }
  const page = firstInOrder(scored, q.sort === '-score' ? -1 : 1, q.limit ?? DEFAULT_LIMIT).map(
    (s): AccountHealth => ({
      accountId: s.accountId,
      accountName: s.accountName,
      tier: s.tier,
      ownerId: s.ownerId,
      ...healthScore(s.facts, weights.weights),
    }),
  );
  const rows = page.map((a): MeasureRow => {
    const row: MeasureRow = {
      accountId: a.accountId,
      accountName: a.accountName,
      tier: a.tier,
      ownerId: a.ownerId,
      score: a.score,
    };
    for (const part of a.breakdown) {
      row[`${part.component}Raw`] = part.raw;
      row[`${part.component}Score`] = part.score;
      row[`${part.component}Weight`] = part.weight;
      row[`${part.component}Contribution`] = part.contribution;
    }
    return row;
  });
  return {
    measure: 'health',
    definition: HEALTH_DEFINITION,
    zone: q.zone,
    asOf: now.toISOString(),
    columns: [
      'accountId',
      'accountName',
      'tier',
      'ownerId',
      'score',
      ...HEALTH_COMPONENTS.flatMap((c) => [`${c}Raw`, `${c}Score`, `${c}Weight`, `${c}Contribution`]),
    ],
    rows,
    noData: rows.length === 0,
    total: scored.length,
    weights,
    rules: HEALTH_COMPONENT_RULES,
    accounts: page,
  };
}
