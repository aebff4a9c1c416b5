// Opaque keyset cursors for list endpoints: JSON, base64url-encoded. A cursor that does not decode
// to the expected shape is a 400 naming `cursor`, never a 500 or a silently wrong page.
import { AppError } from '../errors.js';
import { isUuid } from '../workspaces/workspaces.repo.js';

export const encodeCursor = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor<T>(raw: string, valid: (c: Partial<T>) => boolean): T {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<T> | null;
    if (c && typeof c === 'object' && valid(c)) return c as T;
  } catch {
    /* fall through */
  }
  throw new AppError('validation_failed', 'cursor: not a cursor returned by this list', { field: 'cursor' });
}

/** The most common cursor: the sort instant and the id of the last row of the page. */
export interface TimeIdCursor {
  t: string;
  id: string;
}

export const decodeTimeIdCursor = (raw: string): TimeIdCursor =>
  decodeCursor<TimeIdCursor>(
    raw,
    (c) =>
      typeof c.id === 'string' && isUuid(c.id) && typeof c.t === 'string' && !Number.isNaN(Date.parse(c.t)),
  );
