// Reading a large workspace a chunk at a time without stalling the event loop: keyset pages, with
// a pause for timers and other requests between them. PGlite runs every query on this thread, so a
// chunk's query is itself a synchronous stretch and must stay small; on PostgreSQL the next page is
// requested before the current one is handed over, so the server works while the caller computes.
import type { AppContext } from '../context.js';

/** Rows per page: a page's query and the work on it each take a few milliseconds. */
export const CHUNK_ROWS = 2000;

/** Lets timers, I/O and other requests run. */
export const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The pages of a keyset query: `fetch(null)` is the first page, `fetch(last row)` the one after it;
 * a page shorter than `size` is the last.
 */
export async function* keysetPages<R>(
  ctx: AppContext,
  fetch: (after: R | null) => Promise<R[]>,
  size: number = CHUNK_ROWS,
): AsyncGenerator<R[]> {
  const ahead = ctx.database.kind === 'postgres';
  let next = fetch(null);
  for (;;) {
    const rows = await next;
    const last = rows.length === size ? rows[rows.length - 1]! : undefined;
    if (last !== undefined && ahead) {
      next = fetch(last);
      // Not awaited if the caller stops early: the failure is theirs to see only when asked for.
      next.catch(() => {});
    }
    yield rows;
    if (last === undefined) return;
    await breathe();
    if (!ahead) next = fetch(last);
  }
}
