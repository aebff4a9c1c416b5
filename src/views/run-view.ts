import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { listPromises, type PromisePage, type PromiseSort } from '../promises/read-promises.js';
import { getView } from './manage-views.js';
import { parseViewQuery } from './saved-view.js';
import type { SavedViewRow } from './views.presenter.js';

/**
 * Runs a saved view: its stored filter and sort through the promise list, so a view shows exactly
 * what GET /api/v1/promises with the same parameters shows (`owner=me` is whoever runs it).
 */
export async function runView(
  ctx: AppContext,
  {
    principal,
    viewId,
    cursor,
    limit,
    withTotal,
  }: { principal: Principal; viewId: string; cursor?: string | undefined; limit: number; withTotal: boolean },
): Promise<{ view: SavedViewRow; page: PromisePage }> {
  const view = await getView(ctx, { principal, viewId });
  const { sort, ...filter } = parseViewQuery(view.query, 'run');
  const page = await listPromises(ctx, {
    principal,
    filter,
    sort: sort.replace(/^-/, '') as PromiseSort,
    direction: sort.startsWith('-') ? 'desc' : 'asc',
    cursor,
    limit,
    withTotal,
  });
  return { view, page };
}
