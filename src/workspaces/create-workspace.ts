import { uuidv7 } from 'uuidv7';
import type { AppContext } from '../context.js';
import { promiseTypes, users, workspaces } from '../db/schema.js';
import { AppError } from '../errors.js';
import { BUILTIN_PROMISE_TYPES } from '../promises/promise.js';
import { insertDefaultCalendar } from '../sla/sla.repo.js';
import { hashPassword } from '../users/passwords.js';

export interface CreateWorkspaceInput {
  name: string;
  slug: string;
  timeZone?: string;
  admin: { email: string; name: string; password: string };
}

/** A workspace with its built-in promise types and its first admin, in one transaction. */
export async function createWorkspace(ctx: AppContext, input: CreateWorkspaceInput) {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(input.slug)) {
    throw new AppError('validation_failed', 'slug: use lowercase letters, digits and dashes (at most 63)', {
      field: 'slug',
    });
  }
  if (input.admin.password.length < 12) {
    throw new AppError('validation_failed', 'admin.password: must be at least 12 characters', {
      field: 'admin.password',
    });
  }
  const passwordHash = await hashPassword(input.admin.password);
  return ctx.database.db.transaction(async (tx) => {
    const id = uuidv7();
    const adminId = uuidv7();
    try {
      await tx
        .insert(workspaces)
        .values({ id, name: input.name, slug: input.slug, timeZone: input.timeZone ?? 'UTC' });
    } catch (err) {
      if (
        String((err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code) ===
        '23505'
      ) {
        throw new AppError('conflict', `slug: a workspace "${input.slug}" already exists`, { field: 'slug' });
      }
      throw err;
    }
    await tx.insert(promiseTypes).values(
      Object.entries(BUILTIN_PROMISE_TYPES).map(([key, label]) => ({
        workspaceId: id,
        key,
        label,
        builtin: true,
      })),
    );
    // Every workspace has a default business calendar: open 24×7 in its zone until an admin edits it.
    await insertDefaultCalendar(tx, id, input.timeZone ?? 'UTC', ctx.now());
    await tx.insert(users).values({
      workspaceId: id,
      id: adminId,
      email: input.admin.email,
      name: input.admin.name,
      role: 'admin',
      passwordHash,
    });
    return { workspaceId: id, adminId };
  });
}
