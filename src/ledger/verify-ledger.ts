import { createPublicKey } from 'node:crypto';
import type { AppContext } from '../context.js';
import { listWorkspaces, requireWorkspace } from '../workspaces/workspaces.repo.js';
import type { JsonValue } from './chain.js';
import {
  type ChainedEvent,
  checkpointMessage,
  checkpointRoot,
  type EventType,
  type StreamHead,
  verifyStream,
} from './chain.js';
import { type CheckpointFile, latestCheckpoint } from './checkpoint.js';
import { verifySignature } from './keys.js';

export interface VerifyProblem {
  workspaceId: string;
  promiseId?: string;
  seq?: number;
  eventId?: string;
  reason: string;
}

export interface WorkspaceReport {
  workspaceId: string;
  slug: string;
  streams: number;
  events: number;
  checkpoint?: { id: string; createdAt: string; streams: number; source: 'file' | 'stored' };
}

export interface VerifyReport {
  ok: boolean;
  workspaces: WorkspaceReport[];
  problem?: VerifyProblem;
  events: number;
  elapsedMs: number;
}

const PAGE = 20_000;

interface RawEventRow {
  promise_id: string;
  seq: number;
  id: string;
  type: EventType;
  actor_id: string;
  occurred_at: string;
  payload: JsonValue;
  prev_hash: string;
  hash: string;
}

/**
 * Recomputes every hash chain of the workspace(s), checks each projection's head against its
 * chain, and checks the chains against a signed checkpoint (the given file, else the newest
 * stored one). Stops at the first problem and names it.
 */
export async function verifyLedger(
  ctx: AppContext,
  opts: {
    workspace?: string | undefined;
    checkpoint?: CheckpointFile | undefined;
    /** When given, a checkpoint signed by another key is rejected. */
    trustedPublicKeyPem?: string | undefined;
    onProgress?: (events: number) => void;
  } = {},
): Promise<VerifyReport> {
  const started = performance.now();
  const database = ctx.database;
  const targets = opts.workspace
    ? [await requireWorkspace(database.db, opts.workspace)]
    : opts.checkpoint
      ? [await requireWorkspace(database.db, opts.checkpoint.workspaceId)]
      : await listWorkspaces(database.db);
  const report: VerifyReport = { ok: true, workspaces: [], events: 0, elapsedMs: 0 };
  const finish = (problem?: VerifyProblem): VerifyReport => {
    report.elapsedMs = performance.now() - started;
    if (problem) {
      report.ok = false;
      report.problem = problem;
    }
    return report;
  };

  for (const ws of targets) {
    const wsReport: WorkspaceReport = { workspaceId: ws.id, slug: ws.slug, streams: 0, events: 0 };
    report.workspaces.push(wsReport);
    const fail = (p: Omit<VerifyProblem, 'workspaceId'>) => finish({ workspaceId: ws.id, ...p });

    let checkpoint = opts.checkpoint;
    let source: 'file' | 'stored' = 'file';
    if (checkpoint && checkpoint.workspaceId !== ws.id) {
      return fail({ reason: `the checkpoint belongs to workspace ${checkpoint.workspaceId}, not ${ws.id}` });
    }
    if (!checkpoint) {
      checkpoint = await latestCheckpoint(ctx, ws.id);
      source = 'stored';
    }
    const cpHeads = new Map<string, number>();
    const cpHashes: StreamHead[] = [];
    if (checkpoint) {
      if (opts.trustedPublicKeyPem && !samePublicKey(opts.trustedPublicKeyPem, checkpoint.publicKey)) {
        return fail({
          reason: `checkpoint ${checkpoint.id} was not signed by this installation's signing key`,
        });
      }
      if (!verifySignature(checkpoint.publicKey, checkpointMessage(checkpoint), checkpoint.signature)) {
        return fail({ reason: `checkpoint ${checkpoint.id} has an invalid signature` });
      }
      for (const [promiseId, seq] of checkpoint.heads) cpHeads.set(promiseId, seq);
      if (cpHeads.size !== checkpoint.streamCount) {
        return fail({
          reason: `checkpoint ${checkpoint.id} lists ${cpHeads.size} heads but claims ${checkpoint.streamCount}`,
        });
      }
      wsReport.checkpoint = {
        id: checkpoint.id,
        createdAt: checkpoint.createdAt,
        streams: cpHeads.size,
        source,
      };
    }

    // Projection heads, to check each promise's current state points at its chain's head.
    const projection = new Map<string, { version: number; hash: string }>();
    for (const r of await database.raw<{ id: string; version: number; head_hash: string }>(
      'select id, version, head_hash from promises where workspace_id = $1',
      [ws.id],
    )) {
      projection.set(r.id, { version: Number(r.version), hash: r.head_hash });
    }

    let stream: ChainedEvent[] = [];
    const closeStream = (): VerifyReport | undefined => {
      if (stream.length === 0) return undefined;
      const first = stream[0]!;
      const check = verifyStream(stream);
      if (!check.ok)
        return fail({
          promiseId: first.promiseId,
          seq: check.seq,
          eventId: check.eventId,
          reason: check.reason,
        });
      const head = check.head!;
      const proj = projection.get(first.promiseId);
      if (!proj)
        return fail({
          promiseId: first.promiseId,
          reason: 'events exist for a promise that has no projection row',
        });
      if (proj.version !== head.seq || proj.hash !== head.hash) {
        return fail({
          promiseId: first.promiseId,
          seq: head.seq,
          reason: `projection is at version ${proj.version} but the chain's head is seq ${head.seq} (or its hash differs)`,
        });
      }
      projection.delete(first.promiseId);
      const cpSeq = cpHeads.get(first.promiseId);
      if (cpSeq !== undefined) {
        const at = stream[cpSeq - 1];
        if (!at) {
          return fail({
            promiseId: first.promiseId,
            reason: `the checkpoint has this stream at seq ${cpSeq} but only ${stream.length} events exist (events were removed)`,
          });
        }
        cpHashes.push({ promiseId: first.promiseId, seq: cpSeq, hash: at.hash });
        cpHeads.delete(first.promiseId);
      }
      wsReport.streams += 1;
      stream = [];
      return undefined;
    };

    // Keyset pages in (promise_id, seq) order; the next page is already being read by the
    // database while this one is hashed. Timestamps come as text in the exact form that is hashed.
    const fetchPage = (after: [string, number]) =>
      database.raw<RawEventRow>(
        `select promise_id, seq, id, type, actor_id,
                to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at,
                payload, prev_hash, hash
           from promise_events
          where workspace_id = $1 and (promise_id, seq) > ($2::uuid, $3::int)
          order by promise_id, seq
          limit ${PAGE}`,
        [ws.id, after[0], after[1]],
      );
    let pending = fetchPage(['00000000-0000-0000-0000-000000000000', 0]);
    for (;;) {
      const rows = await pending;
      const last = rows[rows.length - 1];
      if (rows.length === PAGE && last) pending = fetchPage([last.promise_id, Number(last.seq)]);
      for (const r of rows) {
        if (stream.length > 0 && stream[0]!.promiseId !== r.promise_id) {
          const bad = closeStream();
          if (bad) {
            // The prefetched page is no longer needed; do not leave its failure unhandled.
            pending.catch(() => {});
            return bad;
          }
        }
        stream.push({
          workspaceId: ws.id,
          promiseId: r.promise_id,
          seq: Number(r.seq),
          id: r.id,
          type: r.type,
          actorId: r.actor_id,
          occurredAt: r.occurred_at,
          payload: r.payload,
          prevHash: r.prev_hash,
          hash: r.hash,
        });
      }
      wsReport.events += rows.length;
      report.events += rows.length;
      opts.onProgress?.(report.events);
      if (rows.length < PAGE) break;
    }
    const bad = closeStream();
    if (bad) return bad;
    const [orphan] = projection.keys();
    if (orphan)
      return fail({
        promiseId: orphan,
        reason: 'promise has no events in the ledger (its history was removed)',
      });

    if (checkpoint) {
      const [missing] = cpHeads.keys();
      if (missing)
        return fail({ promiseId: missing, reason: `stream in checkpoint ${checkpoint.id} no longer exists` });
      if (checkpointRoot(cpHashes) !== checkpoint.root) {
        return fail({ reason: `the ledger does not match the root signed in checkpoint ${checkpoint.id}` });
      }
    }
  }
  return finish();
}

function samePublicKey(a: string, b: string): boolean {
  try {
    const der = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });
    return der(a).equals(der(b));
  } catch {
    return false;
  }
}
