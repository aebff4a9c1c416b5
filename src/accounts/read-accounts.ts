import { and, asc, eq, gte, ilike, inArray, lt, lte, type SQL, sql } from 'drizzle-orm';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/connect.js';
import { accounts, promises, workspaces } from '../db/schema.js';
import { notFound } from '../errors.js';
import { toLocal } from '../time/zone.js';
import { findAccount } from '../workspaces/workspaces.repo.js';
import {
  containsPattern,
  isCalendarDate,
  type LifecycleStage,
  type RenewalWindow,
  renewalRange,
  type Temperature,
  type Tier,
} from './account.js';
import type { AccountRow, PromiseCounts } from './accounts.presenter.js';
import { afterKey, type CursorValue, decodeCursor, encodeCursor, orderKey } from './keyset.js';

export const ACCOUNT_SORTS = ['name', 'renewalDate', 'arr', 'createdAt'] as const;
export type AccountSort = (typeof ACCOUNT_SORTS)[number];

export interface AccountFilter extends RenewalWindow {
  owner?: string | undefined;
  tier?: Tier[] | undefined;
  stage?: LifecycleStage[] | undefined;
  temperature?: Temperature[] | undefined;
  q?: string | undefined;
}

/** An account of the principal's workspace, or a 404 (a record of another workspace is missing). */
export async function requireAccount(q: Queryable, p: Principal, accountId: string, field = 'accountId') {
  const account = await findAccount(q, p.workspaceId, accountId);
  if (!account) throw notFound(`account ${accountId}`, field);
  return account;
}

/** Today's date where the workspace is (renewal dates are the customer's calendar dates). */
async function workspaceToday(ctx: AppContext, workspaceId: string): Promise<string> {
  const [ws] = await ctx.database.db
    .select({ timeZone: workspaces.timeZone })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return toLocal(ws?.timeZone ?? 'UTC', ctx.now().getTime())
    .toPlainDate()
    .toString();
}

async function filterConditions(ctx: AppContext, p: Principal, f: AccountFilter): Promise<SQL[]> {
  const c: SQL[] = [eq(accounts.workspaceId, p.workspaceId)];
  const owner = f.owner === 'me' ? p.userId : f.owner;
  if (owner) c.push(eq(accounts.ownerId, owner));
  if (f.tier?.length) c.push(inArray(accounts.tier, f.tier));
  if (f.stage?.length) c.push(inArray(accounts.lifecycleStage, f.stage));
  if (f.temperature?.length) c.push(inArray(accounts.temperature, f.temperature));
  if (f.renewingWithinDays !== undefined || f.renewalFrom !== undefined || f.renewalTo !== undefined) {
    const today = f.renewingWithinDays === undefined ? '' : await workspaceToday(ctx, p.workspaceId);
    const range = renewalRange(f, today);
    if (range.from !== undefined) c.push(gte(accounts.renewalDate, range.from));
    if (range.to !== undefined) c.push(lte(accounts.renewalDate, range.to));
  }
  if (f.q !== undefined) c.push(ilike(accounts.name, containsPattern(f.q)));
  return c;
}

// Each sort: its column; the value a cursor keeps (decoded like the column, since a raw int8 reaches
// node-postgres's default parser as a string; created_at at the database's microsecond precision,
// which a JS Date would round); how a cursor value becomes a parameter; and its check.
const SORT = {
  name: {
    col: accounts.name,
    key: sql<CursorValue>`${accounts.name}`.mapWith(accounts.name),
    param: (v: CursorValue) => v,
    valid: (v: unknown) => typeof v === 'string',
    nullable: false,
  },
  renewalDate: {
    col: accounts.renewalDate,
    key: sql<CursorValue>`${accounts.renewalDate}`.mapWith(accounts.renewalDate),
    param: (v: CursorValue) => v,
    valid: (v: unknown) => typeof v === 'string' && isCalendarDate(v),
    nullable: true,
  },
  arr: {
    col: accounts.arrMinor,
    key: sql<CursorValue>`${accounts.arrMinor}`.mapWith(accounts.arrMinor),
    param: (v: CursorValue) => v,
    valid: (v: unknown) => Number.isSafeInteger(v),
    nullable: false,
  },
  createdAt: {
    col: accounts.createdAt,
    key: sql<CursorValue>`to_char(${accounts.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    param: (v: CursorValue) => sql`${v}::timestamptz`,
    valid: (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
    nullable: false,
  },
} as const;

export interface AccountPage {
  data: AccountRow[];
  /** Open and overdue promises of each account on the page (accounts with none are absent). */
  counts: Map<string, PromiseCounts>;
  nextCursor: string | null;
  total?: number;
}

/** A page of the workspace's accounts matching the filter, in a stable order, with a keyset cursor. */
export async function listAccounts(
  ctx: AppContext,
  {
    principal,
    filter,
    sort = 'name',
    direction = 'asc',
    cursor,
    limit = 50,
    withTotal = false,
  }: {
    principal: Principal;
    filter: AccountFilter;
    sort?: AccountSort;
    direction?: 'asc' | 'desc';
    cursor?: string | undefined;
    limit?: number;
    withTotal?: boolean;
  },
): Promise<AccountPage> {
  const db = ctx.database.db;
  const s = SORT[sort];
  const sortName = `${direction === 'desc' ? '-' : ''}${sort}`;
  const after = cursor === undefined ? undefined : decodeCursor(cursor, sortName, s.valid, s);
  const where = await filterConditions(ctx, principal, filter);
  const conditions = after
    ? [
        ...where,
        afterKey(s.col, accounts.id, direction, after.v === null ? null : s.param(after.v), after.id),
      ]
    : where;
  const rows = await db
    .select({ account: accounts, key: s.key })
    .from(accounts)
    .where(and(...conditions))
    .orderBy(orderKey(s.col, direction), asc(accounts.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last ? encodeCursor({ s: sortName, v: last.key, id: last.account.id }) : null;
  const data = page.map((r) => r.account);
  const counts = await countPromisesByAccount(
    db,
    principal.workspaceId,
    data.map((a) => a.id),
    ctx.now(),
  );
  const result: AccountPage = { data, counts, nextCursor };
  if (withTotal) {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(accounts)
      .where(and(...where));
    result.total = row?.n ?? 0;
  }
  return result;
}

/** Open promises of an account, and how many of them are overdue now (paused ones are not). */
export async function countAccountPromises(
  q: Queryable,
  workspaceId: string,
  accountId: string,
  now: Date,
): Promise<PromiseCounts> {
  const counts = await countPromisesByAccount(q, workspaceId, [accountId], now);
  return counts.get(accountId) ?? { open: 0, overdue: 0 };
}

/** Open and overdue promises of each of the accounts in one grouped read (promises_account_idx). */
export async function countPromisesByAccount(
  q: Queryable,
  workspaceId: string,
  accountIds: string[],
  now: Date,
): Promise<Map<string, PromiseCounts>> {
  if (accountIds.length === 0) return new Map();
  const rows = await q
    .select({
      accountId: promises.accountId,
      open: sql<number>`count(*)::int`,
      overdue: sql<number>`(count(*) filter (where ${lt(promises.effectiveDueAt, now)}))::int`,
    })
    .from(promises)
    .where(
      and(
        eq(promises.workspaceId, workspaceId),
        inArray(promises.accountId, accountIds),
        eq(promises.status, 'open'),
      ),
    )
    .groupBy(promises.accountId);
  return new Map(rows.map((r) => [r.accountId, { open: r.open, overdue: r.overdue }]));
}

export async function getAccount(
  ctx: AppContext,
  { principal, accountId }: { principal: Principal; accountId: string },
) {
  const account = await requireAccount(ctx.database.db, principal, accountId);
  const counts = await countAccountPromises(ctx.database.db, principal.workspaceId, accountId, ctx.now());
  return { account, counts };
}
