import { and, asc, eq, gt, gte, inArray, isNull, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { accounts, promises } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { type ChainedEvent, verifyStream } from '../ledger/chain.js';
import { loadPromiseContext, riskView } from '../sla/promise-sla.js';
import type { RiskLevel } from '../sla/risk.js';
import { findUser, isUuid } from '../workspaces/workspaces.repo.js';
import {
  findPromise,
  listOpenDueForOwner,
  loadStream,
  type PromiseRow,
  rowToStored,
  type StoredPromise,
} from './promises.repo.js';

const DAY_MS = 86_400_000;

/** Open promises of one owner due within the next `days` days (the owner's daily view). */
export async function listDuePromises(
  ctx: AppContext,
  {
    principal,
    ownerId,
    days,
    limit = 200,
  }: { principal: Principal; ownerId: string; days: number; limit?: number },
): Promise<StoredPromise[]> {
  const db = ctx.database.db;
  const now = ctx.now();
  const rows: PromiseRow[] = isUuid(ownerId)
    ? await listOpenDueForOwner(
        db,
        principal.workspaceId,
        ownerId,
        now,
        new Date(now.getTime() + days * DAY_MS),
        limit,
      )
    : [];
  // The owner is looked up only to tell a 404 from an empty list, off the common path.
  if (rows.length === 0 && !(await findUser(db, principal.workspaceId, ownerId))) {
    throw notFound(`user ${ownerId}`, 'owner');
  }
  return rows.map(rowToStored);
}

export const SORTS = ['effectiveDueAt', 'dueAt', 'createdAt', 'updatedAt'] as const;
export type PromiseSort = (typeof SORTS)[number];

export interface PromiseFilter {
  owner?: string | undefined;
  account?: string | undefined;
  status?: string[] | undefined;
  type?: string[] | undefined;
  emotion?: string[] | undefined;
  source?: string[] | undefined;
  temperature?: string[] | undefined;
  risk?: string[] | undefined;
  dueFrom?: Date | undefined;
  dueTo?: Date | undefined;
  dueWithinDays?: number | undefined;
  overdue?: boolean | undefined;
  paused?: boolean | undefined;
  /** The computed risk level (src/sla/risk.ts); worked out per promise, so filtered in process. */
  riskLevel?: RiskLevel[] | undefined;
}

/** Rows the risk-level filter reads per batch, and at most per request before it hands back a cursor. */
const RISK_BATCH = 500;
export const RISK_SCAN_MAX = 5_000;
/** The most promises a count with a risk level reads (in batches); beyond it the count is refused. */
export const RISK_COUNT_MAX = 100_000;
const RISK_COUNT_BATCH = 5_000;

const SORT_COLUMN = {
  effectiveDueAt: promises.effectiveDueAt,
  dueAt: promises.dueAt,
  createdAt: promises.createdAt,
  updatedAt: promises.updatedAt,
} as const;

interface Cursor {
  /** The sort it continues (`-key` when descending): a cursor resumes only the order it came from. */
  s: string;
  v: string | null;
  id: string;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(s: string, sort: string): Cursor {
  let c: Partial<Cursor> | null = null;
  try {
    c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    /* not JSON: refused below */
  }
  const valid =
    c !== null &&
    typeof c === 'object' &&
    typeof c.id === 'string' &&
    isUuid(c.id) &&
    (c.v === null || (typeof c.v === 'string' && !Number.isNaN(Date.parse(c.v))));
  if (!valid) {
    throw new AppError('validation_failed', 'cursor: not a cursor returned by this list', {
      field: 'cursor',
    });
  }
  if (c!.s !== sort) {
    throw new AppError(
      'validation_failed',
      `cursor: this cursor continues another sort than ${sort}; start again without it`,
      {
        field: 'cursor',
      },
    );
  }
  return c as Cursor;
}

/** Builds the WHERE of a promise list; every condition is scoped to the principal's workspace. */
function filterConditions(p: Principal, f: PromiseFilter, now: Date): SQL[] {
  const c: SQL[] = [eq(promises.workspaceId, p.workspaceId)];
  const owner = f.owner === 'me' ? p.userId : f.owner;
  if (owner) c.push(eq(promises.ownerId, owner));
  if (f.account) c.push(eq(promises.accountId, f.account));
  if (f.status?.length) c.push(inArray(promises.status, f.status as never[]));
  if (f.type?.length) c.push(inArray(promises.typeKey, f.type));
  if (f.emotion?.length) c.push(inArray(promises.emotion, f.emotion));
  if (f.source?.length) c.push(inArray(promises.source, f.source));
  if (f.risk?.length) c.push(sql`${promises.riskIndicators} && ${sql.param(f.risk)}::text[]`);
  if (f.temperature?.length) {
    c.push(
      inArray(
        promises.accountId,
        sql`(select ${accounts.id} from ${accounts} where ${accounts.workspaceId} = ${p.workspaceId} and ${inArray(accounts.temperature, f.temperature as never[])})`,
      ),
    );
  }
  if (f.dueWithinDays !== undefined) {
    c.push(
      gte(promises.effectiveDueAt, now),
      lt(promises.effectiveDueAt, new Date(now.getTime() + f.dueWithinDays * DAY_MS)),
    );
  }
  if (f.dueFrom) c.push(gte(promises.effectiveDueAt, f.dueFrom));
  if (f.dueTo) c.push(lt(promises.effectiveDueAt, f.dueTo));
  if (f.overdue === true) c.push(eq(promises.status, 'open'), lt(promises.effectiveDueAt, now));
  // Not overdue = the negation of isOverdue(): closed, paused, or not yet past its due date.
  if (f.overdue === false) {
    c.push(
      or(ne(promises.status, 'open'), isNull(promises.effectiveDueAt), gte(promises.effectiveDueAt, now))!,
    );
  }
  if (f.paused === true) c.push(sql`${promises.pausedAt} is not null`);
  if (f.paused === false) c.push(isNull(promises.pausedAt));
  return c;
}

/** The filter is exactly one owner's open promises due within N days, first page, soonest first. */
function ownerDailyView(
  p: Principal,
  f: PromiseFilter,
  sort: PromiseSort,
  direction: 'asc' | 'desc',
  after: Cursor | undefined,
): { ownerId: string; days: number } | null {
  const owner = f.owner === 'me' ? p.userId : f.owner;
  const used = Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
  const only = used.length === 3 && ['owner', 'status', 'dueWithinDays'].every((k) => used.includes(k));
  if (!only || !owner || !isUuid(owner) || f.dueWithinDays === undefined) return null;
  if (f.status?.length !== 1 || f.status[0] !== 'open') return null;
  if (sort !== 'effectiveDueAt' || direction !== 'asc' || after) return null;
  return { ownerId: owner, days: f.dueWithinDays };
}

export interface PromisePage {
  data: StoredPromise[];
  nextCursor: string | null;
  total?: number;
}

/**
 * A page of promises matching the filter, in a stable order (sort column, then id; missing due
 * dates of paused promises last) with an opaque keyset cursor.
 */
export async function listPromises(
  ctx: AppContext,
  {
    principal,
    filter,
    sort = 'effectiveDueAt',
    direction = 'asc',
    cursor,
    limit = 50,
    withTotal = false,
  }: {
    principal: Principal;
    filter: PromiseFilter;
    sort?: PromiseSort;
    direction?: 'asc' | 'desc';
    cursor?: string | undefined;
    limit?: number;
    withTotal?: boolean;
  },
): Promise<PromisePage> {
  const db = ctx.database.db;
  const now = ctx.now();
  const where = filterConditions(principal, filter, now);
  const col = SORT_COLUMN[sort];
  const sortKey = `${direction === 'desc' ? '-' : ''}${sort}`;
  const after = cursor ? decodeCursor(cursor, sortKey) : undefined;
  const order = direction === 'asc' ? sql`${col} asc nulls last` : sql`${col} desc nulls last`;
  /** Keyset continuation after a row (sort column, then id; missing due dates last). */
  const continuing = (from: Cursor | undefined): SQL[] => {
    if (!from) return [];
    const cmp = direction === 'asc' ? gt : lt;
    if (from.v === null) return [and(isNull(col), gt(promises.id, from.id))!];
    const v = new Date(from.v);
    return [or(cmp(col, v), and(eq(col, v), gt(promises.id, from.id)), isNull(col))!];
  };
  const cursorOf = (row: PromiseRow): Cursor => ({
    s: sortKey,
    v: (row[sort as keyof PromiseRow] as Date | null)?.toISOString() ?? null,
    id: row.id,
  });
  const read = (from: Cursor | undefined, n: number) =>
    db
      .select()
      .from(promises)
      .where(and(...where, ...continuing(from)))
      .orderBy(order, asc(promises.id))
      .limit(n);

  let page: PromiseRow[];
  let next: Cursor | null;
  if (filter.riskLevel?.length) {
    ({ page, next } = await readByRiskLevel(ctx, principal.workspaceId, new Set(filter.riskLevel), {
      read,
      cursorOf,
      after,
      limit,
    }));
  } else {
    const daily = ownerDailyView(principal, filter, sort, direction, after);
    const rows = daily
      ? // The owner's "due in the next N days" first page, the hottest list: the prepared statement of
        // listDuePromises (same rows, same order), so its SQL is not rebuilt on every request.
        await listOpenDueForOwner(
          db,
          principal.workspaceId,
          daily.ownerId,
          now,
          new Date(now.getTime() + daily.days * DAY_MS),
          limit + 1,
        )
      : await read(after, limit + 1);
    page = rows.slice(0, limit);
    const last = page[page.length - 1];
    next = rows.length > limit && last ? cursorOf(last) : null;
  }
  const result: PromisePage = { data: page.map(rowToStored), nextCursor: next ? encodeCursor(next) : null };
  if (withTotal) {
    result.total = filter.riskLevel?.length
      ? await countByRiskLevel(ctx, principal.workspaceId, new Set(filter.riskLevel), where)
      : ((
          await db
            .select({ n: sql<number>`count(*)::int` })
            .from(promises)
            .where(and(...where))
        )[0]?.n ?? 0);
  }
  return result;
}

/**
 * One page of the promises whose computed risk level is one of `levels`. The level depends on the
 * promise's business-time timeline and its type's kept history, which SQL cannot see, so rows are
 * read in order in batches and filtered here. At most RISK_SCAN_MAX rows are read per request:
 * past that the page may be short (even empty) and its cursor continues where the reading stopped.
 */
async function readByRiskLevel(
  ctx: AppContext,
  workspaceId: string,
  levels: ReadonlySet<RiskLevel>,
  {
    read,
    cursorOf,
    after,
    limit,
  }: {
    read: (from: Cursor | undefined, n: number) => Promise<PromiseRow[]>;
    cursorOf: (row: PromiseRow) => Cursor;
    after: Cursor | undefined;
    limit: number;
  },
): Promise<{ page: PromiseRow[]; next: Cursor | null }> {
  const matched: PromiseRow[] = [];
  let from = after;
  let scanned = 0;
  for (;;) {
    const batch = await read(from, RISK_BATCH);
    const context = await loadPromiseContext(ctx.database.db, workspaceId, batch);
    for (const row of batch) {
      scanned++;
      from = cursorOf(row);
      if (!levels.has(riskView(row, context.setup, context.history).level)) continue;
      matched.push(row);
      // One more than a page proves there is a next page; it continues after the page's last row.
      if (matched.length > limit)
        return { page: matched.slice(0, limit), next: cursorOf(matched[limit - 1]!) };
    }
    if (batch.length < RISK_BATCH) return { page: matched, next: null };
    if (scanned >= RISK_SCAN_MAX) return { page: matched, next: from ?? null };
    await yieldToEventLoop();
  }
}

/**
 * How many promises match the SQL filter and have one of `levels`; refused past RISK_COUNT_MAX.
 * Read by id in batches, yielding between them, so a large count does not hold up other requests.
 */
async function countByRiskLevel(
  ctx: AppContext,
  workspaceId: string,
  levels: ReadonlySet<RiskLevel>,
  where: SQL[],
): Promise<number> {
  const db = ctx.database.db;
  let n = 0;
  let seen = 0;
  let lastId: string | undefined;
  for (;;) {
    const rows = await db
      .select({
        id: promises.id,
        typeKey: promises.typeKey,
        riskIndicators: promises.riskIndicators,
        createdAt: promises.createdAt,
        dueAt: promises.dueAt,
      })
      .from(promises)
      .where(and(...where, ...(lastId ? [gt(promises.id, lastId)] : [])))
      .orderBy(asc(promises.id))
      .limit(RISK_COUNT_BATCH);
    seen += rows.length;
    if (seen > RISK_COUNT_MAX) {
      throw new AppError(
        'validation_failed',
        `count: with riskLevel, promises are assessed one by one, up to ${RISK_COUNT_MAX.toLocaleString('en')}; this filter matches more. Narrow it (e.g. status=open) or leave count out`,
        { field: 'count' },
      );
    }
    const context = await loadPromiseContext(db, workspaceId, rows);
    for (const r of rows) if (levels.has(riskView(r, context.setup, context.history).level)) n++;
    if (rows.length < RISK_COUNT_BATCH) return n;
    lastId = rows[rows.length - 1]!.id;
    await yieldToEventLoop();
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface PromiseWithHistory {
  promise: StoredPromise;
  events: ChainedEvent[];
  /** The stream's chain recomputed now, and its head equal to the projection's. */
  verified: boolean;
}

export async function getPromiseWithHistory(
  ctx: AppContext,
  { principal, promiseId }: { principal: Principal; promiseId: string },
): Promise<PromiseWithHistory> {
  const db = ctx.database.db;
  const promise = isUuid(promiseId) ? await findPromise(db, principal.workspaceId, promiseId) : undefined;
  if (!promise) throw notFound(`promise ${promiseId}`, 'promiseId');
  const events = await loadStream(db, principal.workspaceId, promiseId);
  const check = verifyStream(events);
  const verified = check.ok && check.head?.hash === promise.headHash && check.head.seq === promise.version;
  return { promise, events, verified };
}
