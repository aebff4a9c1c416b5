// The risk of one promise (GET /promises/:id/risk): the same assessment every promise response
// carries, with the measured buffer's figures.
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { notFound } from '../errors.js';
import { findPromise } from '../promises/promises.repo.js';
import { isUuid } from '../workspaces/workspaces.repo.js';
import { loadPromiseContext, riskView } from './promise-sla.js';
import type { RiskAssessment } from './risk.js';

export async function getPromiseRisk(
  ctx: AppContext,
  { principal, promiseId }: { principal: Principal; promiseId: string },
): Promise<RiskAssessment & { promiseId: string; typeKey: string }> {
  const db = ctx.database.db;
  const stored = isUuid(promiseId) ? await findPromise(db, principal.workspaceId, promiseId) : undefined;
  if (!stored) throw notFound(`promise ${promiseId}`, 'promiseId');
  const context = await loadPromiseContext(db, principal.workspaceId, [stored.state]);
  return {
    promiseId,
    typeKey: stored.state.typeKey,
    ...riskView(stored.state, context.setup, context.history),
  };
}
