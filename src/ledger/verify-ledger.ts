import { createPublicKey } from 'node:crypto';
import type { AppContext } from '../context.js';
import type { Database } from '../db/connect.js';
import { listWorkspaces, requireWorkspace } from '../workspaces/workspaces.repo.js';
import { checkpointMessage, checkpointRoot, GENESIS_HASH, type StreamHead } from './chain.js';
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

/** Promises per verification step (progress is reported after each). */
const CHUNK = 20_000;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * The chain rules, evaluated by the database over a range of streams, in (promise_id, seq) order:
 * seq gapless from 1; prev_hash = the previous event's hash (genesis first); hash =
 * sha256(prev_hash || '\n' || body); and the columns equal the fields of the hashed body. The
 * CASE stops at the first broken rule, so a body is parsed only once its hash is proven.
 */
const CHAIN_SQL = `
select promise_id, seq, id, reason from (
  select e.promise_id, e.seq, e.id,
    case
      when e.seq <> row_number() over w then 'sequence gap: expected seq ' || row_number() over w || ', found ' || e.seq
      when e.prev_hash <> coalesce(lag(e.hash) over w, '${GENESIS_HASH}') then 'prev_hash does not match the previous event'
      when e.hash <> encode(sha256(convert_to(e.prev_hash || E'\\n' || e.body, 'UTF8')), 'hex')
        then 'hash does not match the event content (altered after it was written)'
      when e.body::jsonb <> jsonb_build_object(
          'v', 1, 'workspace_id', e.workspace_id, 'promise_id', e.promise_id, 'seq', e.seq, 'id', e.id,
          'type', e.type, 'actor_id', e.actor_id,
          'occurred_at', to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
          'payload', e.payload, 'prev_hash', e.prev_hash)
        then 'event columns differ from the hashed content (altered after it was written)'
    end as reason
  from promise_events e
  where e.workspace_id = $1 and e.promise_id > $2 and e.promise_id <= $3
  window w as (partition by e.promise_id order by e.seq)
) x
where reason is not null
order by promise_id, seq
limit 1`;

/** Promises whose projection does not point at its stream's head (or that have no events). */
const HEADS_SQL = `
select p.id, p.version, h.seq
  from promises p
  left join lateral (
    select e.seq, e.hash from promise_events e
     where e.workspace_id = p.workspace_id and e.promise_id = p.id
     order by e.seq desc limit 1) h on true
 where p.workspace_id = $1 and p.id > $2 and p.id <= $3
   and (h.seq is null or h.seq <> p.version or h.hash <> p.head_hash)
 order by p.id
 limit 1`;

/**
 * Proves the workspace(s) history: every hash chain intact (checked by the database, see
 * CHAIN_SQL), every projection at its chain's head, and the chains consistent with a signed
 * checkpoint (the given file, else the newest stored one). Stops at the first problem and names it.
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
    if (checkpoint) {
      if (opts.trustedPublicKeyPem && !samePublicKey(opts.trustedPublicKeyPem, checkpoint.publicKey)) {
        return fail({
          reason: `checkpoint ${checkpoint.id} was not signed by this installation's signing key`,
        });
      }
      if (!verifySignature(checkpoint.publicKey, checkpointMessage(checkpoint), checkpoint.signature)) {
        return fail({ reason: `checkpoint ${checkpoint.id} has an invalid signature` });
      }
      if (new Set(checkpoint.heads.map(([id]) => id)).size !== checkpoint.streamCount) {
        return fail({
          reason: `checkpoint ${checkpoint.id} lists ${checkpoint.heads.length} heads but claims ${checkpoint.streamCount}`,
        });
      }
      wsReport.checkpoint = {
        id: checkpoint.id,
        createdAt: checkpoint.createdAt,
        streams: checkpoint.streamCount,
        source,
      };
    }

    // Walk the streams in promise-id ranges of CHUNK promises each.
    let lo = NIL_UUID;
    for (;;) {
      const ids = await database.raw<{ id: string; version: number }>(
        `select id, version from promises where workspace_id = $1 and id > $2 order by id limit ${CHUNK}`,
        [ws.id, lo],
      );
      if (ids.length === 0) break;
      const hi = ids[ids.length - 1]!.id;
      const [bad] = await chainProblems(database, ws.id, lo, hi);
      if (bad) return fail(bad);
      const [head] = await database.raw<{ id: string; version: number; seq: number | null }>(HEADS_SQL, [
        ws.id,
        lo,
        hi,
      ]);
      if (head) {
        return fail({
          promiseId: head.id,
          reason:
            head.seq === null
              ? 'promise has no events in the ledger (its history was removed)'
              : `projection is at version ${head.version} but the chain's head is seq ${head.seq} (or its hash differs)`,
        });
      }
      const events = ids.reduce((n, r) => n + Number(r.version), 0);
      wsReport.streams += ids.length;
      wsReport.events += events;
      report.events += events;
      opts.onProgress?.(report.events);
      if (ids.length < CHUNK) break;
      lo = hi;
    }

    if (checkpoint) {
      const bad = await checkAgainstCheckpoint(database, ws.id, checkpoint);
      if (bad) return fail(bad);
    }
  }
  return finish();
}

async function chainProblems(
  database: Database,
  workspaceId: string,
  lo: string,
  hi: string,
): Promise<Omit<VerifyProblem, 'workspaceId'>[]> {
  try {
    const rows = await database.rawTransaction(async (exec) => {
      // Walk the primary key in order so the window streams: no sort, no scan of other ranges.
      await exec('set local enable_seqscan = off');
      await exec('set local enable_bitmapscan = off');
      await exec('set local enable_sort = off');
      return exec<{ promise_id: string; seq: number; id: string; reason: string }>(CHAIN_SQL, [
        workspaceId,
        lo,
        hi,
      ]);
    });
    return rows.map((r) => ({
      promiseId: r.promise_id,
      seq: Number(r.seq),
      eventId: r.id,
      reason: r.reason,
    }));
  } catch (err) {
    // A body that hashes correctly but is not JSON can only be a forgery with a recomputed hash.
    return [{ reason: `an event in this workspace cannot be read as JSON: ${(err as Error).message}` }];
  }
}

/** The hash at each checkpointed head, from the verified chains, must give the signed root. */
async function checkAgainstCheckpoint(
  database: Database,
  workspaceId: string,
  checkpoint: CheckpointFile,
): Promise<Omit<VerifyProblem, 'workspaceId'> | undefined> {
  const hashes: StreamHead[] = [];
  for (let i = 0; i < checkpoint.heads.length; i += CHUNK) {
    const part = checkpoint.heads.slice(i, i + CHUNK);
    const rows = await database.raw<{
      promise_id: string;
      seq: number;
      hash: string | null;
      events: number | null;
    }>(
      `select h.promise_id, h.seq, e.hash, p.version as events
         from unnest($2::uuid[], $3::int[]) as h(promise_id, seq)
         left join promise_events e on e.workspace_id = $1 and e.promise_id = h.promise_id and e.seq = h.seq
         left join promises p on p.workspace_id = $1 and p.id = h.promise_id`,
      [workspaceId, part.map(([id]) => id), part.map(([, seq]) => seq)],
    );
    for (const r of rows) {
      if (r.hash === null) {
        return {
          promiseId: r.promise_id,
          reason:
            r.events === null
              ? `stream in checkpoint ${checkpoint.id} no longer exists`
              : `the checkpoint has this stream at seq ${r.seq} but only ${r.events} events exist (events were removed)`,
        };
      }
      hashes.push({ promiseId: r.promise_id, seq: Number(r.seq), hash: r.hash });
    }
  }
  if (checkpointRoot(hashes) !== checkpoint.root) {
    return { reason: `the ledger does not match the root signed in checkpoint ${checkpoint.id}` };
  }
  return undefined;
}

function samePublicKey(a: string, b: string): boolean {
  try {
    const der = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });
    return der(a).equals(der(b));
  } catch {
    return false;
  }
}
