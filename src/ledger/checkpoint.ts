import { and, desc, eq } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { AppContext } from '../context.js';
import { ledgerCheckpointHeads, ledgerCheckpoints, promises } from '../db/schema.js';
import { AppError } from '../errors.js';
import { requireWorkspace } from '../workspaces/workspaces.repo.js';
import { checkpointMessage, checkpointRoot } from './chain.js';
import { type SigningKey, signMessage } from './keys.js';

export const CHECKPOINT_FORMAT = 'promise-ledger-checkpoint/1';

/** A checkpoint as exported to a file: everything needed to check the ledger against it later. */
export interface CheckpointFile {
  format: typeof CHECKPOINT_FORMAT;
  workspaceId: string;
  id: string;
  createdAt: string;
  streamCount: number;
  eventCount: number;
  root: string;
  signature: string;
  publicKey: string;
  /** [promiseId, seq] of every stream head the root covers. */
  heads: [string, number][];
}

/** Signs a root over every stream head of the workspace, stores it and returns its exportable form. */
export async function createCheckpoint(
  ctx: AppContext,
  { workspace, key }: { workspace: string; key: SigningKey },
): Promise<CheckpointFile> {
  return ctx.database.db.transaction(async (tx) => {
    const ws = await requireWorkspace(tx, workspace);
    // One statement reads one consistent snapshot of every head.
    const heads = (
      await tx
        .select({ id: promises.id, version: promises.version, headHash: promises.headHash })
        .from(promises)
        .where(eq(promises.workspaceId, ws.id))
        .orderBy(promises.id)
    ).map((r) => ({ promiseId: r.id, seq: r.version, hash: r.headHash }));
    const id = uuidv7();
    const createdAt = ctx.now().toISOString();
    const eventCount = heads.reduce((n, h) => n + h.seq, 0);
    const root = checkpointRoot(heads);
    const body = { workspaceId: ws.id, id, createdAt, streamCount: heads.length, eventCount, root };
    const signature = signMessage(key, checkpointMessage(body));
    await tx
      .insert(ledgerCheckpoints)
      .values({ ...body, createdAt: new Date(createdAt), signature, publicKey: key.publicKeyPem });
    for (let i = 0; i < heads.length; i += 5000) {
      await tx
        .insert(ledgerCheckpointHeads)
        .values(
          heads
            .slice(i, i + 5000)
            .map((h) => ({ workspaceId: ws.id, checkpointId: id, promiseId: h.promiseId, seq: h.seq })),
        );
    }
    return {
      format: CHECKPOINT_FORMAT,
      ...body,
      signature,
      publicKey: key.publicKeyPem,
      heads: heads.map((h) => [h.promiseId, h.seq] as [string, number]),
    };
  });
}

/** The newest stored checkpoint of a workspace, in its exportable form (undefined when none). */
export async function latestCheckpoint(
  ctx: AppContext,
  workspaceId: string,
): Promise<CheckpointFile | undefined> {
  const db = ctx.database.db;
  const [cp] = await db
    .select()
    .from(ledgerCheckpoints)
    .where(eq(ledgerCheckpoints.workspaceId, workspaceId))
    .orderBy(desc(ledgerCheckpoints.createdAt))
    .limit(1);
  if (!cp) return undefined;
  const heads = await db
    .select({ promiseId: ledgerCheckpointHeads.promiseId, seq: ledgerCheckpointHeads.seq })
    .from(ledgerCheckpointHeads)
    .where(
      and(eq(ledgerCheckpointHeads.workspaceId, workspaceId), eq(ledgerCheckpointHeads.checkpointId, cp.id)),
    );
  return {
    format: CHECKPOINT_FORMAT,
    workspaceId: cp.workspaceId,
    id: cp.id,
    createdAt: cp.createdAt.toISOString(),
    streamCount: cp.streamCount,
    eventCount: cp.eventCount,
    root: cp.root,
    signature: cp.signature,
    publicKey: cp.publicKey,
    heads: heads.map((h) => [h.promiseId, h.seq]),
  };
}

export function parseCheckpointFile(text: string, source: string): CheckpointFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new AppError('validation_failed', `${source} is not JSON: ${(err as Error).message}`, {
      field: 'checkpoint',
    });
  }
  const c = data as Partial<CheckpointFile>;
  const ok =
    c &&
    c.format === CHECKPOINT_FORMAT &&
    typeof c.workspaceId === 'string' &&
    typeof c.id === 'string' &&
    typeof c.createdAt === 'string' &&
    typeof c.root === 'string' &&
    typeof c.signature === 'string' &&
    typeof c.publicKey === 'string' &&
    Number.isInteger(c.streamCount) &&
    Number.isInteger(c.eventCount) &&
    Array.isArray(c.heads) &&
    c.heads.every((h) => Array.isArray(h) && typeof h[0] === 'string' && Number.isInteger(h[1]));
  if (!ok)
    throw new AppError('validation_failed', `${source} is not a ${CHECKPOINT_FORMAT} file`, {
      field: 'checkpoint',
    });
  return c as CheckpointFile;
}
