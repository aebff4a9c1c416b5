import type { AppContext } from '../context.js';
import { generatePassword } from '../users/passwords.js';
import { createWorkspace } from '../workspaces/create-workspace.js';
import { generateWorkspaceData } from './generator.js';
import { loadChunk } from './load.js';

export interface SeedDemoOptions {
  accounts: number;
  promises: number;
  slug?: string;
  name?: string;
  seed?: number;
  eventsPerPromise?: number;
  chunkSize?: number;
  onProgress?: (done: { accounts: number; promises: number; events: number }) => void;
}

export interface SeedDemoResult {
  workspaceId: string;
  slug: string;
  admin: { email: string; password: string };
  counts: { users: number; accounts: number; promises: number; events: number };
}

/** Creates a workspace filled with generated, fully chained demo data. */
export async function seedDemo(ctx: AppContext, opts: SeedDemoOptions): Promise<SeedDemoResult> {
  const slug = opts.slug ?? 'demo';
  const password = generatePassword();
  const email = `admin@${slug}.promise-ledger.example`;
  const { workspaceId, adminId } = await createWorkspace(ctx, {
    name: opts.name ?? 'Demo workspace',
    slug,
    admin: { email, name: 'Demo Admin', password },
  });
  const counts = { users: 1, accounts: 0, promises: 0, events: 0 };
  const gen = generateWorkspaceData({
    workspaceId,
    adminId,
    accounts: opts.accounts,
    promises: opts.promises,
    now: ctx.now(),
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.eventsPerPromise === undefined ? {} : { eventsPerPromise: opts.eventsPerPromise }),
    ...(opts.chunkSize === undefined ? {} : { chunkSize: opts.chunkSize }),
  });
  for (const chunk of gen) {
    await ctx.database.rawTransaction((exec) => loadChunk(exec, chunk, ctx.now()));
    counts.users += chunk.users.length;
    counts.accounts += chunk.accounts.length;
    counts.promises += chunk.promises.length;
    counts.events += chunk.events.length;
    opts.onProgress?.(counts);
  }
  // Fresh statistics, or the planner may pick a sort over a bulk-loaded table (PGlite has no
  // autovacuum to do it later).
  await ctx.database.script(
    'analyze users; analyze accounts; analyze contacts; analyze account_temperature_history; analyze promises; analyze promise_events;',
  );
  return { workspaceId, slug, admin: { email, password }, counts };
}
