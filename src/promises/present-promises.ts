// Presenting promises with what their responses need beyond the row (SLA clock, risk): loaded once
// for the whole response, so a list costs the same few queries whatever its length.
import type { AppContext } from '../context.js';
import { loadPromiseContext } from '../sla/promise-sla.js';
import { presentPromise } from './promises.presenter.js';
import type { StoredPromise } from './promises.repo.js';

export type PresentedPromise = ReturnType<typeof presentPromise>;

export async function presentPromises(
  ctx: AppContext,
  workspaceId: string,
  list: readonly StoredPromise[],
  now: Date,
): Promise<PresentedPromise[]> {
  const context = await loadPromiseContext(
    ctx.database.db,
    workspaceId,
    list.map((p) => p.state),
  );
  return list.map((p) => presentPromise(p, now, context));
}

export async function presentOnePromise(
  ctx: AppContext,
  workspaceId: string,
  p: StoredPromise,
  now: Date,
): Promise<PresentedPromise> {
  const [one] = await presentPromises(ctx, workspaceId, [p], now);
  return one!;
}
