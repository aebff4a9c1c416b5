// Keyset pagination for the account, contact and temperature-history lists: rows are ordered by
// (sort column NULLS LAST, id) and the cursor is the last row's (value, id), opaque to clients.
// The cursor also names the sort it was made for, so a cursor reused under another sort is refused
// instead of silently skipping rows.
import { and, type Column, eq, gt, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { AppError } from '../errors.js';
import { isUuid } from '../workspaces/workspaces.repo.js';

export type CursorValue = string | number | null;

export interface Cursor {
  /** The sort the cursor belongs to, with its direction (`-name`). */
  s: string;
  v: CursorValue;
  id: string;
}

export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

const badCursor = () =>
  new AppError('validation_failed', 'cursor: not a cursor returned by this list with this sort', {
    field: 'cursor',
  });

/** Decodes a cursor made for `sort`; `validValue` checks the value's type for that sort. */
export function decodeCursor(
  raw: string,
  sort: string,
  validValue: (v: unknown) => boolean,
  { nullable = true }: { nullable?: boolean } = {},
): Cursor {
  let c: Partial<Cursor> | null;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Cursor> | null;
  } catch {
    throw badCursor();
  }
  if (
    c === null ||
    typeof c !== 'object' ||
    c.s !== sort ||
    typeof c.id !== 'string' ||
    !isUuid(c.id) ||
    !(c.v === null ? nullable : validValue(c.v))
  ) {
    throw badCursor();
  }
  return { s: c.s, v: c.v as CursorValue, id: c.id };
}

/**
 * The rows after `(v, id)` in `ORDER BY col <direction> NULLS LAST, id ASC`; `v` is already the
 * column's parameter type (a Date for timestamps).
 */
export function afterKey(col: Column, idCol: Column, direction: 'asc' | 'desc', v: unknown, id: string): SQL {
  if (v === null) return and(isNull(col), gt(idCol, id))!;
  const beyond = direction === 'asc' ? gt(col, v) : lt(col, v);
  return or(beyond, and(eq(col, v), gt(idCol, id)), isNull(col))!;
}

export const orderKey = (col: Column, direction: 'asc' | 'desc'): SQL =>
  direction === 'asc' ? sql`${col} asc nulls last` : sql`${col} desc nulls last`;

/** Parses `-name` into a sort key and direction. */
export function parseSort<S extends string>(sort: string): { key: S; direction: 'asc' | 'desc' } {
  return sort.startsWith('-')
    ? { key: sort.slice(1) as S, direction: 'desc' }
    : { key: sort as S, direction: 'asc' };
}
