// Saved views. A private view exists only for its creator: to anyone else, admins included, it is
// "not found", exactly like a view of another workspace. A shared view is seen by the workspace;
// creating, changing or deleting one needs `view.write_shared`.
import { and, asc, eq, or } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import { can, type Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import type { Queryable } from '../db/connect.js';
import { savedViews } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { isUuid } from '../workspaces/workspaces.repo.js';
import { normaliseQuery, parseViewQuery, type RawQueryValue, type Visibility } from './saved-view.js';
import type { SavedViewRow } from './views.presenter.js';

/** The views the principal can see: their own, and every shared one of the workspace. */
const visibleTo = (p: Principal) =>
  and(
    eq(savedViews.workspaceId, p.workspaceId),
    or(eq(savedViews.visibility, 'shared'), eq(savedViews.createdBy, p.userId)),
  );

async function findVisibleView(q: Queryable, p: Principal, viewId: string, lock = false) {
  if (!isUuid(viewId)) throw notFound(`view ${viewId}`, 'viewId');
  const query = q
    .select()
    .from(savedViews)
    .where(and(visibleTo(p), eq(savedViews.id, viewId)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound(`view ${viewId}`, 'viewId');
  return row;
}

function requireSharedWrite(p: Principal, what: string): void {
  if (!can(p, 'view.write_shared')) {
    throw new AppError(
      'forbidden',
      `not allowed: view.write_shared (${what}; the ${p.role} role does not allow it)`,
      {
        field: 'visibility',
      },
    );
  }
}

export async function listViews(
  ctx: AppContext,
  { principal }: { principal: Principal },
): Promise<SavedViewRow[]> {
  return ctx.database.db
    .select()
    .from(savedViews)
    .where(visibleTo(principal))
    .orderBy(asc(savedViews.name), asc(savedViews.id));
}

export async function getView(
  ctx: AppContext,
  { principal, viewId }: { principal: Principal; viewId: string },
): Promise<SavedViewRow> {
  return findVisibleView(ctx.database.db, principal, viewId);
}

export interface NewView {
  name: string;
  visibility: Visibility;
  query: Record<string, RawQueryValue>;
}

export async function createView(
  ctx: AppContext,
  { principal, input }: { principal: Principal; input: NewView },
): Promise<SavedViewRow> {
  if (input.visibility === 'shared') requireSharedWrite(principal, 'sharing a view with the workspace');
  const query = normaliseQuery(input.query);
  parseViewQuery(query, 'save');
  const now = ctx.now();
  const [row] = await ctx.database.db
    .insert(savedViews)
    .values({
      workspaceId: principal.workspaceId,
      id: uuidv7(),
      name: input.name,
      visibility: input.visibility,
      query,
      createdBy: principal.userId,
      updatedBy: principal.userId,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row!;
}

export async function updateView(
  ctx: AppContext,
  {
    principal,
    viewId,
    changes,
  }: { principal: Principal; viewId: string; changes: { [K in keyof NewView]?: NewView[K] | undefined } },
): Promise<SavedViewRow> {
  const query = changes.query === undefined ? undefined : normaliseQuery(changes.query);
  return ctx.database.db.transaction(async (tx) => {
    const current = await findVisibleView(tx, principal, viewId, true);
    if (current.visibility === 'shared') requireSharedWrite(principal, 'changing a shared view');
    if (changes.visibility === 'shared') requireSharedWrite(principal, 'sharing a view with the workspace');
    // Making a shared view private would hand it to its creator alone, out of its editor's sight.
    if (
      changes.visibility === 'private' &&
      current.visibility === 'shared' &&
      current.createdBy !== principal.userId
    ) {
      throw new AppError('forbidden', 'visibility: only the creator of a shared view can make it private', {
        field: 'visibility',
      });
    }
    if (query !== undefined) parseViewQuery(query, 'save');
    const [row] = await tx
      .update(savedViews)
      .set({
        ...(changes.name === undefined ? {} : { name: changes.name }),
        ...(changes.visibility === undefined ? {} : { visibility: changes.visibility }),
        ...(query === undefined ? {} : { query }),
        updatedBy: principal.userId,
        updatedAt: ctx.now(),
      })
      .where(and(eq(savedViews.workspaceId, principal.workspaceId), eq(savedViews.id, current.id)))
      .returning();
    return row!;
  });
}

export async function deleteView(
  ctx: AppContext,
  { principal, viewId }: { principal: Principal; viewId: string },
): Promise<void> {
  await ctx.database.db.transaction(async (tx) => {
    const current = await findVisibleView(tx, principal, viewId, true);
    if (current.visibility === 'shared') requireSharedWrite(principal, 'deleting a shared view');
    await tx
      .delete(savedViews)
      .where(and(eq(savedViews.workspaceId, principal.workspaceId), eq(savedViews.id, current.id)));
  });
}
