// Bulk loader for generated data: one multi-row INSERT ... SELECT FROM unnest(...) per table and
// chunk, inside one transaction per chunk. Works unchanged on PGlite and Postgres.
import type { RawExec } from '../db/connect.js';
import { canonicalEvent } from '../ledger/chain.js';
import { nextPromiseReminder } from '../reminders/plan.js';
import type { GeneratedChunk } from './generator.js';

type Col = [name: string, pgType: string, get: (row: never) => unknown];

async function insertMany<T>(exec: RawExec, table: string, cols: Col[], rows: T[]) {
  if (rows.length === 0) return;
  const arrays = cols.map(([, , get]) => rows.map((row) => normalise(get(row as never))));
  const names = cols.map(([n]) => n).join(', ');
  const unnest = cols.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ');
  const select = cols
    .map(([n, t]) => (t === 'text' && n === 'risk_indicators' ? `${n}::text[]` : n))
    .join(', ');
  await exec(
    `insert into ${table} (${names}) select ${select} from unnest(${unnest}) as t(${names})`,
    arrays,
  );
}

function normalise(v: unknown): unknown {
  if (v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  return v;
}

const pgArrayLiteral = (xs: string[]) => `{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/**
 * Loads one generated chunk. `now` is the generation instant: history before it is treated as
 * already told, so each open promise's next reminder is its first one after `now`.
 */
export async function loadChunk(exec: RawExec, c: GeneratedChunk, now: Date = new Date()): Promise<void> {
  const nextReminder = (p: GeneratedChunk['promises'][number]) =>
    p.status === 'open' ? (nextPromiseReminder(p, now, now)?.at ?? null) : null;
  type U = GeneratedChunk['users'][number];
  await insertMany<U>(
    exec,
    'users',
    [
      ['workspace_id', 'uuid', (u: U) => u.workspaceId],
      ['id', 'uuid', (u: U) => u.id],
      ['email', 'text', (u: U) => u.email],
      ['name', 'text', (u: U) => u.name],
      ['role', 'text', (u: U) => u.role],
      ['manager_id', 'uuid', (u: U) => u.managerId],
      ['active', 'boolean', (u: U) => u.active ?? true],
    ] as Col[],
    c.users,
  );
  type A = GeneratedChunk['accounts'][number];
  await insertMany<A>(
    exec,
    'accounts',
    [
      ['workspace_id', 'uuid', (a: A) => a.workspaceId],
      ['id', 'uuid', (a: A) => a.id],
      ['name', 'text', (a: A) => a.name],
      ['domain', 'text', (a: A) => a.domain],
      ['tier', 'text', (a: A) => a.tier],
      ['arr_minor', 'int8', (a: A) => a.arrMinor],
      ['currency', 'text', (a: A) => a.currency],
      ['contract_start', 'date', (a: A) => a.contractStart],
      ['renewal_date', 'date', (a: A) => a.renewalDate],
      ['lifecycle_stage', 'text', (a: A) => a.lifecycleStage],
      ['owner_id', 'uuid', (a: A) => a.ownerId],
      ['temperature', 'text', (a: A) => a.temperature],
      ['temperature_updated_at', 'timestamptz', (a: A) => a.temperatureUpdatedAt],
      ['last_activity_at', 'timestamptz', (a: A) => a.lastActivityAt],
      // Planned by the scheduler's first pass (a due row with nothing due is just rescheduled).
      ['next_reminder_at', 'timestamptz', () => now],
      ['reminders_fired_through', 'timestamptz', () => now],
    ] as Col[],
    c.accounts,
  );
  type H = GeneratedChunk['temperatureHistory'][number];
  await insertMany<H>(
    exec,
    'account_temperature_history',
    [
      ['workspace_id', 'uuid', (h: H) => h.workspaceId],
      ['id', 'uuid', (h: H) => h.id],
      ['account_id', 'uuid', (h: H) => h.accountId],
      ['temperature', 'text', (h: H) => h.temperature],
      ['note', 'text', (h: H) => h.note],
      ['set_by', 'uuid', (h: H) => h.setBy],
      ['set_at', 'timestamptz', (h: H) => h.setAt],
    ] as Col[],
    c.temperatureHistory,
  );
  type C = GeneratedChunk['contacts'][number];
  await insertMany<C>(
    exec,
    'contacts',
    [
      ['workspace_id', 'uuid', (x: C) => x.workspaceId],
      ['id', 'uuid', (x: C) => x.id],
      ['account_id', 'uuid', (x: C) => x.accountId],
      ['name', 'text', (x: C) => x.name],
      ['email', 'text', (x: C) => x.email],
      ['title', 'text', (x: C) => x.title],
    ] as Col[],
    c.contacts,
  );
  type P = GeneratedChunk['promises'][number];
  await insertMany<P>(
    exec,
    'promises',
    [
      ['workspace_id', 'uuid', (p: P) => p.workspaceId],
      ['id', 'uuid', (p: P) => p.id],
      ['account_id', 'uuid', (p: P) => p.accountId],
      ['contact_id', 'uuid', (p: P) => p.contactId],
      ['type_key', 'text', (p: P) => p.typeKey],
      ['promise_made', 'text', (p: P) => p.promiseMade],
      ['customer_reason', 'text', (p: P) => p.customerReason],
      ['owner_id', 'uuid', (p: P) => p.ownerId],
      ['due_at', 'timestamptz', (p: P) => p.dueAt],
      ['effective_due_at', 'timestamptz', (p: P) => p.effectiveDueAt],
      ['status', 'text', (p: P) => p.status],
      ['emotion', 'text', (p: P) => p.emotion],
      ['consequence', 'text', (p: P) => p.consequence],
      ['source', 'text', (p: P) => p.source],
      ['risk_indicators', 'text', (p: P) => pgArrayLiteral(p.riskIndicators)],
      ['paused_at', 'timestamptz', (p: P) => p.pausedAt],
      ['pause_cause', 'text', (p: P) => p.pauseCause],
      ['paused_ms', 'int8', (p: P) => p.pausedMs],
      ['pauses', 'jsonb', (p: P) => JSON.stringify(p.pauses)],
      ['renegotiation_count', 'int4', (p: P) => p.renegotiationCount],
      ['proof_kind', 'text', (p: P) => p.proofKind],
      ['proof_note', 'text', (p: P) => p.proofNote],
      ['proof_url', 'text', (p: P) => p.proofUrl],
      ['recovery_strength', 'text', (p: P) => p.recoveryStrength],
      ['closed_at', 'timestamptz', (p: P) => p.closedAt],
      ['kept_late', 'boolean', (p: P) => p.keptLate],
      ['close_reason', 'text', (p: P) => p.closeReason],
      ['created_by', 'uuid', (p: P) => p.createdBy],
      ['created_at', 'timestamptz', (p: P) => p.createdAt],
      ['updated_at', 'timestamptz', (p: P) => p.updatedAt],
      ['version', 'int4', (p: P) => p.version],
      ['head_hash', 'text', (p: P) => p.headHash],
      ['next_reminder_at', 'timestamptz', (p: P) => nextReminder(p)],
      ['reminders_fired_through', 'timestamptz', (p: P) => (p.status === 'open' ? now : null)],
    ] as Col[],
    c.promises,
  );
  type E = GeneratedChunk['events'][number];
  for (let i = 0; i < c.events.length; i += 20_000) {
    await insertMany<E>(
      exec,
      'promise_events',
      [
        ['workspace_id', 'uuid', (e: E) => e.workspaceId],
        ['promise_id', 'uuid', (e: E) => e.promiseId],
        ['seq', 'int4', (e: E) => e.seq],
        ['id', 'uuid', (e: E) => e.id],
        ['type', 'text', (e: E) => e.type],
        ['actor_id', 'uuid', (e: E) => e.actorId],
        ['occurred_at', 'timestamptz', (e: E) => e.occurredAt],
        ['payload', 'jsonb', (e: E) => JSON.stringify(e.payload)],
        ['body', 'text', (e: E) => canonicalEvent(e)],
        ['prev_hash', 'text', (e: E) => e.prevHash],
        ['hash', 'text', (e: E) => e.hash],
      ] as Col[],
      c.events.slice(i, i + 20_000),
    );
  }
}
