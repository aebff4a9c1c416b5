// Promise lifecycle rules, pure: no I/O, time passed in. A command on a state either yields one
// ledger event (type + payload) or throws a typed AppError; `evolve` folds events into state.

import { AppError } from '../errors.js';
import type { EventType, JsonValue } from '../ledger/chain.js';

export const STATUSES = ['open', 'kept', 'broken', 'cancelled'] as const;
export const EMOTIONS = [
  'confused',
  'blocked',
  'skeptical',
  'urgent',
  'embarrassed',
  'disappointed',
  'excited',
  'politically_exposed',
] as const;
export const CONSEQUENCES = [
  'renewal_risk',
  'executive_escalation',
  'adoption_delay',
  'internal_credibility_loss',
  'compliance_concern',
  'expansion_blocker',
] as const;
export const SOURCES = [
  'sales_handoff',
  'support',
  'success',
  'renewal',
  'escalation',
  'survey',
  'other',
] as const;
export const PROOF_KINDS = [
  'email_sent',
  'loom_recorded',
  'configuration_updated',
  'meeting_held',
  'credit_issued',
  'roadmap_note_shared',
  'training_completed',
  'other',
] as const;
export const RECOVERY_STRENGTHS = ['task_closed', 'confidence_restored'] as const;
/**
 * Who a pause waited for. Only a customer-caused delay pauses the clock (PRODUCT.md); `us` is
 * refused for new pauses and kept so that pauses recorded before that rule still read back.
 */
export const PAUSE_CAUSES = ['customer', 'us'] as const;
/** Who a comment is for: `customer` records an update sent to the customer (proactive update rate). */
export const COMMENT_AUDIENCES = ['customer', 'internal'] as const;
/** A promise's priority, one of the things an SLA policy can match on. */
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const BUILTIN_PROMISE_TYPES = {
  product_follow_up: 'Product follow-up',
  support_resolution: 'Support resolution',
  executive_response: 'Executive response',
  onboarding_change: 'Onboarding change',
  billing_clarification: 'Billing clarification',
  roadmap_update: 'Roadmap update',
  training_resource: 'Training resource',
  risk_review: 'Risk review',
} as const;

export type Status = (typeof STATUSES)[number];
export type Emotion = (typeof EMOTIONS)[number];
export type Consequence = (typeof CONSEQUENCES)[number];
export type Source = (typeof SOURCES)[number];
export type ProofKind = (typeof PROOF_KINDS)[number];
export type RecoveryStrength = (typeof RECOVERY_STRENGTHS)[number];
export type PauseCause = (typeof PAUSE_CAUSES)[number];
export type Priority = (typeof PRIORITIES)[number];
export type CommentAudience = (typeof COMMENT_AUDIENCES)[number];

/** An SLA checkpoint of a promise: `percent` of its timeline, reached at `at` (ISO, pauses not applied). */
export interface StoredCheckpoint {
  percent: number;
  action: string;
  at: string;
}

/** One pause of the clock, as ISO instants; `end` is null while the promise is paused. */
export interface PauseSpan {
  start: string;
  end: string | null;
}

export interface PromiseState {
  workspaceId: string;
  id: string;
  accountId: string;
  contactId: string | null;
  typeKey: string;
  promiseMade: string;
  customerReason: string;
  ownerId: string;
  dueAt: Date;
  effectiveDueAt: Date | null;
  status: Status;
  emotion: Emotion | null;
  consequence: Consequence | null;
  source: Source;
  riskIndicators: string[];
  priority: Priority | null;
  slaPolicyId: string | null;
  /** The due date was derived from the SLA policy (so a policy or calendar change moves it). */
  dueFromPolicy: boolean;
  /** The SLA checkpoint instants (null without a policy). */
  checkpoints: StoredCheckpoint[] | null;
  /** Every pause of the clock, oldest first: the SLA clock excludes them from business time. */
  pauses: PauseSpan[];
  /** When the SLA deadline passed, as recorded (once) by an `sla_breached` event. */
  slaBreachedAt: Date | null;
  pausedAt: Date | null;
  pauseCause: PauseCause | null;
  pausedMs: number;
  renegotiationCount: number;
  proofKind: string | null;
  proofNote: string | null;
  proofUrl: string | null;
  recoveryStrength: RecoveryStrength | null;
  closedAt: Date | null;
  keptLate: boolean | null;
  closeReason: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The fields an `edited` event may change; due date and owner have events of their own. */
export const EDITABLE_FIELDS = [
  'promiseMade',
  'customerReason',
  'typeKey',
  'contactId',
  'emotion',
  'consequence',
  'source',
  'riskIndicators',
  'priority',
] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];
export type PromiseEdit = Partial<Pick<PromiseState, EditableField>>;

export interface NewPromise {
  workspaceId: string;
  id: string;
  accountId: string;
  contactId?: string | null;
  typeKey: string;
  promiseMade: string;
  customerReason: string;
  ownerId: string;
  dueAt: Date;
  emotion?: Emotion | null;
  consequence?: Consequence | null;
  source?: Source;
  riskIndicators?: string[];
  priority?: Priority | null;
  slaPolicyId?: string | null;
  dueFromPolicy?: boolean;
  checkpoints?: StoredCheckpoint[] | null;
}

/** Who would own the promise, as the caller found them (the owner rule is checked here). */
export interface OwnerCandidate {
  id: string;
  workspaceId: string;
  active: boolean;
}

export type PromiseCommand =
  | { kind: 'edit'; changes: PromiseEdit; reason?: string | undefined }
  | { kind: 'change_owner'; owner: OwnerCandidate | undefined; ownerId: string; reason?: string | undefined }
  | { kind: 'renegotiate'; dueAt: Date; agreedBy: string; reason?: string | undefined }
  | { kind: 'pause'; cause: PauseCause; note: string }
  | { kind: 'resume'; note?: string | undefined }
  | {
      kind: 'keep';
      proof: { kind: ProofKind; note?: string | undefined; url?: string | undefined };
      recoveryStrength: RecoveryStrength;
    }
  | { kind: 'break'; reason: string }
  | { kind: 'cancel'; reason: string }
  | { kind: 'comment'; text: string; audience?: CommentAudience | undefined };

export interface Decision {
  type: EventType;
  payload: { [key: string]: JsonValue };
}

export interface EventForFold {
  type: EventType;
  payload: JsonValue;
  occurredAt: Date;
  actorId: string;
}

const iso = (d: Date) => d.toISOString();

function invalidTransition(message: string, field?: string): AppError {
  return new AppError('invalid_transition', message, field === undefined ? {} : { field });
}
function required(field: string, message: string): AppError {
  return new AppError('validation_failed', `${field}: ${message}`, { field });
}
const blank = (s: string | undefined | null) => s === undefined || s === null || s.trim() === '';

function validDate(field: string, d: Date): void {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw required(field, 'must be a valid date-time');
}

export function checkOwner(workspaceId: string, ownerId: string, owner: OwnerCandidate | undefined): void {
  if (!owner || owner.id !== ownerId || owner.workspaceId !== workspaceId) {
    throw new AppError('validation_failed', `ownerId: no user ${ownerId} in this workspace`, {
      field: 'ownerId',
    });
  }
  if (!owner.active) {
    throw new AppError(
      'validation_failed',
      `ownerId: user ${ownerId} is deactivated; a promise needs an active owner`,
      {
        field: 'ownerId',
      },
    );
  }
}

/** The `created` event for a new promise. */
export function decideCreate(input: NewPromise, owner: OwnerCandidate | undefined): Decision {
  if (blank(input.promiseMade)) throw required('promiseMade', 'say specifically what was promised');
  if (blank(input.customerReason)) throw required('customerReason', 'say why the customer cares');
  validDate('dueAt', input.dueAt);
  checkOwner(input.workspaceId, input.ownerId, owner);
  return {
    type: 'created',
    payload: {
      accountId: input.accountId,
      contactId: input.contactId ?? null,
      typeKey: input.typeKey,
      promiseMade: input.promiseMade.trim(),
      customerReason: input.customerReason.trim(),
      ownerId: input.ownerId,
      dueAt: iso(input.dueAt),
      emotion: input.emotion ?? null,
      consequence: input.consequence ?? null,
      source: input.source ?? 'other',
      riskIndicators: [...(input.riskIndicators ?? [])],
      slaPolicyId: input.slaPolicyId ?? null,
      // Written only when set, so promises without priority or SLA keep their original event shape.
      ...(input.priority ? { priority: input.priority } : {}),
      ...(input.slaPolicyId
        ? {
            dueFromPolicy: input.dueFromPolicy === true,
            checkpoints: (input.checkpoints ?? []).map((c) => ({ ...c })),
          }
        : {}),
    },
  };
}

/** Milliseconds of the pause in progress at `now` (0 when not paused). */
const openPauseMs = (s: PromiseState, now: Date) =>
  s.pausedAt ? Math.max(0, now.getTime() - s.pausedAt.getTime()) : 0;

export function decide(state: PromiseState, cmd: PromiseCommand, now: Date): Decision {
  validDate('now', now);
  const open = state.status === 'open';
  const mustBeOpen = (action: string) => {
    if (!open) throw invalidTransition(`cannot ${action} a promise that is ${state.status}`, 'status');
  };
  switch (cmd.kind) {
    case 'edit': {
      mustBeOpen('edit');
      const changes: { [key: string]: JsonValue } = {};
      for (const field of EDITABLE_FIELDS) {
        if (!(field in cmd.changes)) continue;
        const to = cmd.changes[field];
        if (to === undefined) continue;
        if ((field === 'promiseMade' || field === 'customerReason') && blank(to as string)) {
          throw required(field, 'cannot be empty');
        }
        const from = state[field];
        if (JSON.stringify(from) === JSON.stringify(to)) continue;
        changes[field] = { from: from as JsonValue, to: to as JsonValue };
      }
      if (Object.keys(changes).length === 0) throw required('changes', 'nothing would change');
      return { type: 'edited', payload: { changes, reason: cmd.reason ?? null } };
    }
    case 'change_owner': {
      mustBeOpen('reassign');
      checkOwner(state.workspaceId, cmd.ownerId, cmd.owner);
      if (cmd.ownerId === state.ownerId) throw required('ownerId', 'is already the owner');
      return {
        type: 'owner_changed',
        payload: { from: state.ownerId, to: cmd.ownerId, reason: cmd.reason ?? null },
      };
    }
    case 'renegotiate': {
      mustBeOpen('renegotiate');
      validDate('dueAt', cmd.dueAt);
      if (blank(cmd.agreedBy)) throw required('agreedBy', 'a renegotiation needs who agreed to the new date');
      if (cmd.dueAt.getTime() === state.dueAt.getTime()) throw required('dueAt', 'is the current due date');
      return {
        type: 'renegotiated',
        payload: {
          fromDueAt: iso(state.dueAt),
          toDueAt: iso(cmd.dueAt),
          agreedBy: cmd.agreedBy.trim(),
          reason: cmd.reason ?? null,
        },
      };
    }
    case 'pause': {
      mustBeOpen('pause');
      if (state.pausedAt) throw invalidTransition('the promise is already paused', 'status');
      if (cmd.cause !== 'customer') {
        throw required(
          'cause',
          'only a customer-caused delay pauses the clock; for a delay on our side, renegotiate the due date with the customer',
        );
      }
      if (blank(cmd.note)) throw required('note', 'say what the clock is waiting for');
      return { type: 'paused', payload: { cause: cmd.cause, note: cmd.note.trim() } };
    }
    case 'resume': {
      mustBeOpen('resume');
      if (!state.pausedAt) throw invalidTransition('the promise is not paused', 'status');
      return { type: 'resumed', payload: { note: cmd.note ?? null, pausedMs: openPauseMs(state, now) } };
    }
    case 'keep': {
      mustBeOpen('keep');
      if (!cmd.proof || blank(cmd.proof.kind))
        throw required('proof.kind', 'keeping a promise needs proof of completion');
      if (blank(cmd.proof.note) && blank(cmd.proof.url)) {
        throw required('proof', 'give a note or a URL that shows the promise was kept');
      }
      const pausedMs = openPauseMs(state, now);
      const due = state.dueAt.getTime() + state.pausedMs + pausedMs;
      return {
        type: 'kept',
        payload: {
          proof: { kind: cmd.proof.kind, note: cmd.proof.note ?? null, url: cmd.proof.url ?? null },
          recoveryStrength: cmd.recoveryStrength,
          late: now.getTime() > due,
          pausedMs,
        },
      };
    }
    case 'break':
    case 'cancel': {
      mustBeOpen(cmd.kind);
      if (blank(cmd.reason))
        throw required('reason', `say why the promise is ${cmd.kind === 'break' ? 'broken' : 'cancelled'}`);
      return {
        type: cmd.kind === 'break' ? 'broken' : 'cancelled',
        payload: { reason: cmd.reason.trim(), pausedMs: openPauseMs(state, now) },
      };
    }
    case 'comment': {
      if (blank(cmd.text)) throw required('text', 'a comment cannot be empty');
      // `audience` is written only for an update to the customer, so an internal comment keeps the
      // original event shape (and every existing comment event hashes as before).
      return {
        type: 'commented',
        payload: { text: cmd.text.trim(), ...(cmd.audience === 'customer' ? { audience: 'customer' } : {}) },
      };
    }
  }
}

type Payload = { [key: string]: JsonValue };
const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);
const num = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : 0);
const addMs = (d: Date, ms: number) => new Date(d.getTime() + ms);

/** Folds one event into the state (or creates it from `created`). */
export function evolve(
  state: PromiseState | undefined,
  event: EventForFold,
  ids: { workspaceId: string; promiseId: string },
): PromiseState {
  const p = (event.payload ?? {}) as Payload;
  const at = event.occurredAt;
  if (event.type === 'created') {
    const dueAt = new Date(str(p.dueAt) ?? '');
    return {
      workspaceId: ids.workspaceId,
      id: ids.promiseId,
      accountId: str(p.accountId) ?? '',
      contactId: str(p.contactId),
      typeKey: str(p.typeKey) ?? '',
      promiseMade: str(p.promiseMade) ?? '',
      customerReason: str(p.customerReason) ?? '',
      ownerId: str(p.ownerId) ?? '',
      dueAt,
      effectiveDueAt: dueAt,
      status: 'open',
      emotion: str(p.emotion) as Emotion | null,
      consequence: str(p.consequence) as Consequence | null,
      source: (str(p.source) ?? 'other') as Source,
      riskIndicators: Array.isArray(p.riskIndicators) ? (p.riskIndicators as string[]) : [],
      priority: str(p.priority) as Priority | null,
      slaPolicyId: str(p.slaPolicyId),
      dueFromPolicy: p.dueFromPolicy === true,
      checkpoints: checkpointsOf(p.checkpoints) ?? null,
      pauses: [],
      slaBreachedAt: null,
      pausedAt: null,
      pauseCause: null,
      pausedMs: 0,
      renegotiationCount: 0,
      proofKind: null,
      proofNote: null,
      proofUrl: null,
      recoveryStrength: null,
      closedAt: null,
      keptLate: null,
      closeReason: null,
      createdBy: event.actorId,
      createdAt: at,
      updatedAt: at,
    };
  }
  if (!state) throw new Error(`event ${event.type} before created`);
  const s: PromiseState = { ...state, updatedAt: at };
  const closePause = () => {
    s.pausedMs += num(p.pausedMs);
    s.pausedAt = null;
    s.pauseCause = null;
    const last = s.pauses[s.pauses.length - 1];
    if (last && last.end === null) s.pauses = [...s.pauses.slice(0, -1), { start: last.start, end: iso(at) }];
  };
  // The due date net of pauses: for a promise with an SLA policy the use case computes it in business
  // time on the policy's calendar and records it in the event (`slaDueAt`); otherwise the paused
  // wall-clock time is added.
  const effectiveDue = () => {
    const sla = str(p.slaDueAt);
    return sla ? new Date(sla) : addMs(s.dueAt, s.pausedMs);
  };
  switch (event.type) {
    case 'edited': {
      const changes = (p.changes ?? {}) as { [k: string]: { to: JsonValue } };
      for (const [field, change] of Object.entries(changes)) {
        if ((EDITABLE_FIELDS as readonly string[]).includes(field)) {
          (s as unknown as Record<string, JsonValue>)[field] = change.to;
        }
      }
      return s;
    }
    case 'owner_changed':
      s.ownerId = str(p.to) ?? s.ownerId;
      return s;
    case 'renegotiated':
      s.dueAt = new Date(str(p.toDueAt) ?? '');
      s.renegotiationCount += 1;
      // Agreed with the customer: the date is no longer the policy's to move.
      s.dueFromPolicy = false;
      s.checkpoints = checkpointsOf(p.checkpoints) ?? s.checkpoints;
      s.effectiveDueAt = s.pausedAt ? null : effectiveDue();
      return s;
    case 'paused':
      s.pausedAt = at;
      s.pauseCause = str(p.cause) as PauseCause;
      s.effectiveDueAt = null;
      s.pauses = [...s.pauses, { start: iso(at), end: null }];
      return s;
    case 'resumed':
      closePause();
      s.effectiveDueAt = effectiveDue();
      return s;
    case 'kept': {
      closePause();
      const proof = (p.proof ?? {}) as Payload;
      s.status = 'kept';
      s.proofKind = str(proof.kind);
      s.proofNote = str(proof.note);
      s.proofUrl = str(proof.url);
      s.recoveryStrength = str(p.recoveryStrength) as RecoveryStrength;
      s.keptLate = p.late === true;
      s.closedAt = at;
      s.effectiveDueAt = effectiveDue();
      return s;
    }
    case 'broken':
    case 'cancelled':
      closePause();
      s.status = event.type;
      s.closeReason = str(p.reason);
      s.closedAt = at;
      s.effectiveDueAt = effectiveDue();
      return s;
    case 'commented':
      return s;
    case 'sla_recomputed': {
      const to = str(p.toDueAt);
      if (to) s.dueAt = new Date(to);
      s.checkpoints = checkpointsOf(p.checkpoints) ?? s.checkpoints;
      s.effectiveDueAt = s.pausedAt ? null : effectiveDue();
      return s;
    }
    case 'sla_breached':
      s.slaBreachedAt = new Date(str(p.breachedAt) ?? at.toISOString());
      return s;
    case 'remedy_requested':
    case 'remedy_issued':
    case 'remedy_approved':
      // Remedies live in the ledger only (src/sla/remedies.ts folds them from the stream).
      return s;
  }
}

function checkpointsOf(v: JsonValue | undefined): StoredCheckpoint[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((c) => {
    const o = (c ?? {}) as Payload;
    return { percent: num(o.percent), action: str(o.action) ?? '', at: str(o.at) ?? '' };
  });
}

/** Time the promise's clock has run: from creation to now (or close), minus paused time. */
export function activeElapsedMs(s: PromiseState, now: Date): number {
  const end = s.closedAt ?? now;
  return Math.max(0, end.getTime() - s.createdAt.getTime() - s.pausedMs - openPauseMs(s, end));
}

/** Whether an open promise is past its (pause-adjusted) due date at `now`. */
export function isOverdue(s: PromiseState, now: Date): boolean {
  return s.status === 'open' && s.effectiveDueAt !== null && now.getTime() > s.effectiveDueAt.getTime();
}
