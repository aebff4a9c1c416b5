import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { FastifyError, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { idempotencyKeys } from '../db/schema.js';
import { AppError } from '../errors.js';
import { canonicalJson } from '../ledger/chain.js';
import { toProblem } from './problem.js';

const KEEP_MS = 24 * 3_600_000;
/** A `pending` key older than this belongs to a request that died; it may be taken over. */
const ABANDONED_MS = 60_000;
const WAIT_MS = 15_000;

export interface Outcome {
  status: number;
  body: unknown;
  replayed?: boolean;
}

/**
 * Runs a POST at most once per (principal, Idempotency-Key): the first response (success or a
 * 4xx problem) is stored and replayed for 24 hours; the same key with other parameters is a 422;
 * concurrent requests with one key wait for the first and get its response.
 */
export async function withIdempotency(
  ctx: AppContext,
  req: FastifyRequest,
  principal: Principal,
  rawKey: string | string[],
  run: () => Promise<Outcome>,
): Promise<Outcome> {
  const key = Array.isArray(rawKey) ? rawKey[0] : rawKey;
  if (!key || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new AppError('validation_failed', 'Idempotency-Key: 1 to 200 visible ASCII characters', {
      field: 'Idempotency-Key',
    });
  }
  const requestHash = createHash('sha256')
    .update(`${req.method} ${req.url}\n${canonicalJson(req.body ?? null)}`)
    .digest('hex');
  const db = ctx.database.db;
  const where = and(
    eq(idempotencyKeys.workspaceId, principal.workspaceId),
    eq(idempotencyKeys.principalId, principal.userId),
    eq(idempotencyKeys.key, key),
  );
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const now = ctx.now();
    // Atomic idempotency guard: only the request whose insert succeeds runs the handler.
    const claimed = await db
      .insert(idempotencyKeys)
      .values({
        workspaceId: principal.workspaceId,
        principalId: principal.userId,
        key,
        requestHash,
        state: 'pending',
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length === 1) return runAndStore(ctx, req, where, run);

    const [row] = await db.select().from(idempotencyKeys).where(where).limit(1);
    if (!row) continue; // deleted between our insert and select: try again
    const age = now.getTime() - row.createdAt.getTime();
    if (age > KEEP_MS || (row.state === 'pending' && age > ABANDONED_MS)) {
      await db.delete(idempotencyKeys).where(and(where, eq(idempotencyKeys.createdAt, row.createdAt)));
      continue;
    }
    if (row.requestHash !== requestHash) {
      throw new AppError(
        'idempotency_key_reused',
        'Idempotency-Key: this key was already used for a different request',
        { field: 'Idempotency-Key' },
      );
    }
    if (row.state === 'done') return { status: row.statusCode ?? 200, body: row.response, replayed: true };
    if (Date.now() > deadline) {
      throw new AppError(
        'idempotency_in_progress',
        'Idempotency-Key: the first request with this key is still running',
        {
          field: 'Idempotency-Key',
        },
      );
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function runAndStore(
  ctx: AppContext,
  req: FastifyRequest,
  where: ReturnType<typeof and>,
  run: () => Promise<Outcome>,
): Promise<Outcome> {
  const db = ctx.database.db;
  let outcome: Outcome;
  try {
    outcome = await run();
  } catch (err) {
    const { status, body } = toProblem(err as FastifyError, req);
    if (status >= 500) {
      // A server failure is not an answer: let the client retry with the same key.
      await db.delete(idempotencyKeys).where(where);
      throw err;
    }
    outcome = { status, body };
  }
  await db
    .update(idempotencyKeys)
    .set({ state: 'done', statusCode: outcome.status, response: (outcome.body ?? null) as never })
    .where(where);
  return outcome;
}
