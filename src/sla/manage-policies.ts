// SLA policies of a workspace: list, read, create, update, delete. A change to a policy's target,
// calendar or checkpoints recomputes its open promises in the same transaction. A policy that
// promises use is never deleted (their ledger names it); deactivating it stops it matching.
import { and, eq, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import type { Tx } from '../db/connect.js';
import { calendars, promises, slaPolicies } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { findUser, isUuid } from '../workspaces/workspaces.repo.js';
import {
  type CheckpointSpec,
  checkCalendarUsable,
  DEFAULT_CHECKPOINTS,
  type Escalation,
  type RemedyStep,
  type TargetKind,
} from './policy.js';
import { type RecomputeResult, recomputeSla } from './recompute-sla.js';
import {
  calendarRecord,
  findCalendarRow,
  findPolicyRow,
  listPolicyRows,
  type PolicyRow,
} from './sla.repo.js';

export interface PolicyInput {
  name: string;
  position?: number | undefined;
  fallback?: boolean | undefined;
  active?: boolean | undefined;
  match?: { typeKeys?: string[]; tiers?: string[]; priorities?: string[] } | undefined;
  calendarId?: string | undefined;
  target: { kind: TargetKind; minutes: number };
  checkpoints?: CheckpointSpec[] | undefined;
  escalation?: Escalation | undefined;
  remedySchedule?: RemedyStep[] | undefined;
  approvalLimitMinor?: number | null | undefined;
}

export type PolicyChanges = Partial<PolicyInput>;

export async function listPolicies(ctx: AppContext, { principal }: { principal: Principal }) {
  return listPolicyRows(ctx.database.db, principal.workspaceId);
}

export async function getPolicy(
  ctx: AppContext,
  { principal, policyId }: { principal: Principal; policyId: string },
): Promise<PolicyRow> {
  const row = isUuid(policyId)
    ? await findPolicyRow(ctx.database.db, principal.workspaceId, policyId)
    : undefined;
  if (!row) throw notFound(`SLA policy ${policyId}`, 'policyId');
  return row;
}

/** The calendar a policy names (or the default one), checked usable for its target. */
async function resolveCalendar(tx: Tx, ws: string, calendarId: string | undefined, kind: TargetKind) {
  let row: Awaited<ReturnType<typeof findCalendarRow>>;
  if (calendarId === undefined) {
    const [d] = await tx
      .select()
      .from(calendars)
      .where(and(eq(calendars.workspaceId, ws), eq(calendars.isDefault, true)));
    row = d;
    if (!row) {
      throw new AppError('validation_failed', 'calendarId: the workspace has no default calendar; name one', {
        field: 'calendarId',
      });
    }
  } else {
    row = isUuid(calendarId) ? await findCalendarRow(tx, ws, calendarId) : undefined;
    if (!row) {
      throw new AppError('validation_failed', `calendarId: no calendar ${calendarId} in this workspace`, {
        field: 'calendarId',
      });
    }
  }
  checkCalendarUsable(calendarRecord(row).calendar, kind, 'calendarId');
  return row;
}

async function checkEscalation(tx: Tx, ws: string, e: Escalation | undefined) {
  if (e?.to !== 'user') return;
  const u = await findUser(tx, ws, e.userId);
  if (!u?.active) {
    throw new AppError(
      'validation_failed',
      `escalation.userId: no active user ${e.userId} in this workspace`,
      {
        field: 'escalation.userId',
      },
    );
  }
}

function fallbackConflict(err: unknown): never {
  const code = String((err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code);
  if (code === '23505') {
    throw new AppError('conflict', 'fallback: the workspace already has a fallback policy', {
      field: 'fallback',
    });
  }
  throw err;
}

export async function createPolicy(
  ctx: AppContext,
  { principal, input }: { principal: Principal; input: PolicyInput },
): Promise<PolicyRow> {
  const ws = principal.workspaceId;
  return ctx.database.db.transaction(async (tx) => {
    const calendar = await resolveCalendar(tx, ws, input.calendarId, input.target.kind);
    await checkEscalation(tx, ws, input.escalation);
    let position = input.position;
    if (position === undefined) {
      const [m] = await tx
        .select({ n: sql<number | null>`max(${slaPolicies.position})::int` })
        .from(slaPolicies)
        .where(eq(slaPolicies.workspaceId, ws));
      position = m?.n === null || m?.n === undefined ? 0 : m.n + 1;
    }
    const now = ctx.now();
    const escalation = input.escalation ?? { to: 'owner_manager' as const };
    try {
      // A savepoint, so a duplicate fallback leaves the transaction usable for the error.
      return await tx.transaction(async (sp) => {
        const [row] = await sp
          .insert(slaPolicies)
          .values({
            workspaceId: ws,
            id: uuidv7(),
            name: input.name,
            position,
            isFallback: input.fallback ?? false,
            active: input.active ?? true,
            matchTypeKeys: input.match?.typeKeys ?? [],
            matchTiers: input.match?.tiers ?? [],
            matchPriorities: input.match?.priorities ?? [],
            calendarId: calendar.id,
            targetKind: input.target.kind,
            targetMinutes: input.target.minutes,
            checkpoints: (input.checkpoints ?? DEFAULT_CHECKPOINTS).map((c) => ({ ...c })),
            escalateTo: escalation.to,
            escalationUserId: escalation.to === 'user' ? escalation.userId : null,
            remedySchedule: input.remedySchedule ?? [],
            approvalLimitMinor: input.approvalLimitMinor ?? null,
            createdAt: now,
            updatedAt: now,
          })
          .returning();
        return row!;
      });
    } catch (err) {
      fallbackConflict(err);
    }
  });
}

export async function updatePolicy(
  ctx: AppContext,
  { principal, policyId, changes }: { principal: Principal; policyId: string; changes: PolicyChanges },
): Promise<{ policy: PolicyRow; recomputed: RecomputeResult }> {
  const ws = principal.workspaceId;
  return ctx.database.db.transaction(async (tx) => {
    const current = isUuid(policyId) ? await findPolicyRow(tx, ws, policyId, 'update') : undefined;
    if (!current) throw notFound(`SLA policy ${policyId}`, 'policyId');
    const kind = changes.target?.kind ?? current.targetKind;
    const calendar =
      changes.calendarId !== undefined || changes.target !== undefined
        ? await resolveCalendar(tx, ws, changes.calendarId ?? current.calendarId, kind)
        : undefined;
    await checkEscalation(tx, ws, changes.escalation);
    const now = ctx.now();
    const set: Partial<PolicyRow> = { version: current.version + 1, updatedAt: now };
    if (changes.name !== undefined) set.name = changes.name;
    if (changes.position !== undefined) set.position = changes.position;
    if (changes.fallback !== undefined) set.isFallback = changes.fallback;
    if (changes.active !== undefined) set.active = changes.active;
    if (changes.match !== undefined) {
      set.matchTypeKeys = changes.match.typeKeys ?? [];
      set.matchTiers = changes.match.tiers ?? [];
      set.matchPriorities = changes.match.priorities ?? [];
    }
    if (calendar) set.calendarId = calendar.id;
    if (changes.target !== undefined) {
      set.targetKind = changes.target.kind;
      set.targetMinutes = changes.target.minutes;
    }
    if (changes.checkpoints !== undefined) set.checkpoints = changes.checkpoints.map((c) => ({ ...c }));
    if (changes.escalation !== undefined) {
      set.escalateTo = changes.escalation.to;
      set.escalationUserId = changes.escalation.to === 'user' ? changes.escalation.userId : null;
    }
    if (changes.remedySchedule !== undefined) set.remedySchedule = changes.remedySchedule;
    if (changes.approvalLimitMinor !== undefined) set.approvalLimitMinor = changes.approvalLimitMinor;
    let row: PolicyRow;
    try {
      row = await tx.transaction(async (sp) => {
        const [r] = await sp
          .update(slaPolicies)
          .set(set)
          .where(and(eq(slaPolicies.workspaceId, ws), eq(slaPolicies.id, policyId)))
          .returning();
        return r!;
      });
    } catch (err) {
      fallbackConflict(err);
    }
    const clockChanged =
      row.calendarId !== current.calendarId ||
      row.targetKind !== current.targetKind ||
      row.targetMinutes !== current.targetMinutes ||
      JSON.stringify(row.checkpoints) !== JSON.stringify(current.checkpoints);
    const recomputed = clockChanged
      ? await recomputeSla(tx, {
          workspaceId: ws,
          scope: { policyId },
          actorId: principal.userId,
          now,
          reason: 'policy_updated',
        })
      : { promises: 0, events: 0 };
    return { policy: row, recomputed };
  });
}

export async function deletePolicy(
  ctx: AppContext,
  { principal, policyId }: { principal: Principal; policyId: string },
): Promise<void> {
  const ws = principal.workspaceId;
  await ctx.database.db.transaction(async (tx) => {
    const current = isUuid(policyId) ? await findPolicyRow(tx, ws, policyId, 'update') : undefined;
    if (!current) throw notFound(`SLA policy ${policyId}`, 'policyId');
    const [used] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(promises)
      .where(and(eq(promises.workspaceId, ws), eq(promises.slaPolicyId, policyId)));
    if ((used?.n ?? 0) > 0) {
      throw new AppError(
        'conflict',
        `policyId: ${used!.n} promise(s) use this policy, and their ledger names it; deactivate it instead (active: false)`,
        { field: 'policyId' },
      );
    }
    await tx.delete(slaPolicies).where(and(eq(slaPolicies.workspaceId, ws), eq(slaPolicies.id, policyId)));
  });
}
