// What a saved view holds: the query parameters of GET /api/v1/promises (filter + sort), without
// the paging ones (cursor, limit, count), which are given each time the view is run.
import type { z } from 'zod';
import { AppError, type FieldProblem } from '../errors.js';
import { PromiseListQuery } from '../promises/promises.routes.js';

export const VISIBILITIES = ['private', 'shared'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const ViewQuery = PromiseListQuery.omit({ cursor: true, limit: true, count: true });
export type ViewFilterAndSort = z.output<typeof ViewQuery>;

/** A query value as JSON clients send it: strings, or numbers, booleans and lists for convenience. */
export type RawQueryValue = string | number | boolean | string[];

/** The stored form: every value as it would appear in the list's URL (`status=open,kept`). */
export function normaliseQuery(raw: Record<string, RawQueryValue>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
  );
}

/**
 * Parses a view's stored query with today's promise-list rules. Problems name the field as
 * `query.<parameter>`; `when` says whether the view is being saved or run.
 */
export function parseViewQuery(query: Record<string, string>, when: 'save' | 'run'): ViewFilterAndSort {
  const parsed = ViewQuery.safeParse(query);
  if (parsed.success) return parsed.data;
  const problems: FieldProblem[] = parsed.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({
        field: `query.${k}`,
        message:
          k === 'cursor' || k === 'limit' || k === 'count'
            ? 'is given when the view is run, not saved'
            : 'is not a filter or sort of GET /api/v1/promises',
      }));
    }
    // Name the parameter itself (`query.status`), not a position inside its parsed list.
    const param = issue.path[0];
    return [{ field: param === undefined ? 'query' : `query.${String(param)}`, message: issue.message }];
  });
  const prefix =
    when === 'run' ? 'this saved view no longer matches the promise list’s rules; edit it: ' : '';
  throw new AppError(
    'validation_failed',
    prefix + problems.map((p) => `${p.field}: ${p.message}`).join('; '),
    {
      problems,
    },
  );
}
