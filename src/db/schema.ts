// Drizzle table definitions mirroring migrations/*.sql (the SQL files are the source of truth;
// test/schema.test.ts checks that every column here exists in the migrated database).
import {
  bigint,
  boolean,
  date,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const workspaces = pgTable('workspaces', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  slug: text('slug').notNull(),
  timeZone: text('time_zone').notNull(),
  inactivityDays: integer('inactivity_days').notNull().default(14),
  createdAt: ts('created_at').notNull().defaultNow(),
  // Outbound webhooks/Slack may target private addresses (src/delivery/safe-fetch.ts).
  allowPrivateWebhookTargets: boolean('allow_private_webhook_targets').notNull().default(false),
});

export const users = pgTable(
  'users',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role').$type<'admin' | 'manager' | 'member' | 'viewer'>().notNull(),
    managerId: uuid('manager_id'),
    active: boolean('active').notNull().default(true),
    passwordHash: text('password_hash'),
    grants: text('grants').array().notNull().default([]),
    deactivatedAt: ts('deactivated_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const accounts = pgTable(
  'accounts',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    domain: text('domain'),
    externalId: text('external_id'),
    tier: text('tier').$type<'strategic' | 'enterprise' | 'mid_market' | 'smb'>().notNull(),
    arrMinor: bigint('arr_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    contractStart: date('contract_start', { mode: 'string' }),
    renewalDate: date('renewal_date', { mode: 'string' }),
    lifecycleStage: text('lifecycle_stage').$type<'land' | 'adopt' | 'expand' | 'renew'>().notNull(),
    ownerId: uuid('owner_id').notNull(),
    temperature: text('temperature').$type<'warm' | 'neutral' | 'strained' | 'fragile'>(),
    temperatureUpdatedAt: ts('temperature_updated_at'),
    lastActivityAt: ts('last_activity_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    // Scheduler bookkeeping (src/reminders), not account facts.
    nextReminderAt: ts('next_reminder_at'),
    remindersFiredThrough: ts('reminders_fired_through'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const accountTemperatureHistory = pgTable(
  'account_temperature_history',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    accountId: uuid('account_id').notNull(),
    temperature: text('temperature').$type<'warm' | 'neutral' | 'strained' | 'fragile'>().notNull(),
    note: text('note'),
    setBy: uuid('set_by').notNull(),
    setAt: ts('set_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const contacts = pgTable(
  'contacts',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    accountId: uuid('account_id').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    title: text('title'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const promiseTypes = pgTable(
  'promise_types',
  {
    workspaceId: uuid('workspace_id').notNull(),
    key: text('key').notNull(),
    label: text('label').notNull(),
    builtin: boolean('builtin').notNull().default(false),
    active: boolean('active').notNull().default(true),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.key] })],
);

export const promises = pgTable(
  'promises',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    accountId: uuid('account_id').notNull(),
    contactId: uuid('contact_id'),
    typeKey: text('type_key').notNull(),
    promiseMade: text('promise_made').notNull(),
    customerReason: text('customer_reason').notNull(),
    ownerId: uuid('owner_id').notNull(),
    dueAt: ts('due_at').notNull(),
    effectiveDueAt: ts('effective_due_at'),
    status: text('status').$type<'open' | 'kept' | 'broken' | 'cancelled'>().notNull(),
    emotion: text('emotion'),
    consequence: text('consequence'),
    source: text('source').notNull(),
    riskIndicators: text('risk_indicators').array().notNull(),
    priority: text('priority').$type<'low' | 'normal' | 'high' | 'urgent'>(),
    slaPolicyId: uuid('sla_policy_id'),
    dueFromPolicy: boolean('due_from_policy').notNull().default(false),
    checkpoints: jsonb('checkpoints').$type<{ percent: number; action: string; at: string }[]>(),
    pauses: jsonb('pauses').$type<{ start: string; end: string | null }[]>().notNull().default([]),
    slaBreachedAt: ts('sla_breached_at'),
    pausedAt: ts('paused_at'),
    pauseCause: text('pause_cause').$type<'customer' | 'us'>(),
    pausedMs: bigint('paused_ms', { mode: 'number' }).notNull(),
    renegotiationCount: integer('renegotiation_count').notNull(),
    proofKind: text('proof_kind'),
    proofNote: text('proof_note'),
    proofUrl: text('proof_url'),
    recoveryStrength: text('recovery_strength').$type<'task_closed' | 'confidence_restored'>(),
    closedAt: ts('closed_at'),
    keptLate: boolean('kept_late'),
    closeReason: text('close_reason'),
    createdBy: uuid('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    version: integer('version').notNull(),
    headHash: text('head_hash').notNull(),
    // Scheduler bookkeeping (src/reminders), not promise state: not in the ledger or PromiseState.
    nextReminderAt: ts('next_reminder_at'),
    remindersFiredThrough: ts('reminders_fired_through'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const promiseEvents = pgTable(
  'promise_events',
  {
    workspaceId: uuid('workspace_id').notNull(),
    promiseId: uuid('promise_id').notNull(),
    seq: integer('seq').notNull(),
    id: uuid('id').notNull(),
    type: text('type').notNull(),
    actorId: uuid('actor_id').notNull(),
    occurredAt: ts('occurred_at').notNull(),
    payload: jsonb('payload').notNull(),
    body: text('body').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.promiseId, t.seq] })],
);

export const ledgerCheckpoints = pgTable(
  'ledger_checkpoints',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    createdAt: ts('created_at').notNull(),
    streamCount: integer('stream_count').notNull(),
    eventCount: bigint('event_count', { mode: 'number' }).notNull(),
    root: text('root').notNull(),
    signature: text('signature').notNull(),
    publicKey: text('public_key').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const ledgerCheckpointHeads = pgTable(
  'ledger_checkpoint_heads',
  {
    workspaceId: uuid('workspace_id').notNull(),
    checkpointId: uuid('checkpoint_id').notNull(),
    promiseId: uuid('promise_id').notNull(),
    seq: integer('seq').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.checkpointId, t.promiseId] })],
);

export const sessions = pgTable(
  'sessions',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    userId: uuid('user_id').notNull(),
    secretHash: text('secret_hash').notNull(),
    csrfToken: text('csrf_token').notNull(),
    createdAt: ts('created_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
    userAgent: text('user_agent'),
    ip: text('ip'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    userId: uuid('user_id').notNull(),
    name: text('name').notNull(),
    scope: text('scope').$type<'read' | 'write'>().notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: ts('created_at').notNull(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const invitations = pgTable(
  'invitations',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    email: text('email').notNull(),
    role: text('role').$type<'admin' | 'manager' | 'member' | 'viewer'>().notNull(),
    invitedBy: uuid('invited_by').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    acceptedAt: ts('accepted_at'),
    acceptedUserId: uuid('accepted_user_id'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const securityEvents = pgTable(
  'security_events',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    occurredAt: ts('occurred_at').notNull(),
    kind: text('kind').notNull(),
    userId: uuid('user_id'),
    actorId: uuid('actor_id'),
    ip: text('ip'),
    detail: jsonb('detail').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    workspaceId: uuid('workspace_id').notNull(),
    principalId: uuid('principal_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    state: text('state').$type<'pending' | 'done'>().notNull(),
    statusCode: integer('status_code'),
    response: jsonb('response'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.principalId, t.key] })],
);

export const savedViews = pgTable(
  'saved_views',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    visibility: text('visibility').$type<'private' | 'shared'>().notNull(),
    query: jsonb('query').$type<Record<string, string>>().notNull(),
    createdBy: uuid('created_by').notNull(),
    updatedBy: uuid('updated_by').notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

// Signals: one row per thing the customer did or felt; `payload` is checked per kind by src/signals/signal.ts.
export const signals = pgTable(
  'signals',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    kind: text('kind')
      .$type<
        | 'complaint'
        | 'escalation'
        | 'customer_chased'
        | 'nps'
        | 'csat'
        | 'product_activity'
        | 'billing'
        | 'renewal_outcome'
      >()
      .notNull(),
    accountId: uuid('account_id').notNull(),
    contactId: uuid('contact_id'),
    occurredAt: ts('occurred_at').notNull(),
    externalId: text('external_id'),
    concernKey: text('concern_key'),
    confidenceRestored: text('confidence_restored').$type<'yes' | 'no' | 'unknown'>(),
    repeatOfId: uuid('repeat_of_id'),
    status: text('status').$type<'open' | 'closed'>(),
    closedAt: ts('closed_at'),
    reopenedAt: ts('reopened_at'),
    reopenCount: integer('reopen_count').notNull().default(0),
    // smallint in SQL
    score: integer('score'),
    billingEvent: text('billing_event').$type<'payment_failed' | 'payment_recovered'>(),
    renewalOutcome: text('renewal_outcome').$type<'renewed' | 'churned'>(),
    arrBeforeMinor: bigint('arr_before_minor', { mode: 'number' }),
    arrAfterMinor: bigint('arr_after_minor', { mode: 'number' }),
    currency: text('currency'),
    promiseId: uuid('promise_id'),
    followUpPromiseId: uuid('follow_up_promise_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    recordedBy: uuid('recorded_by').notNull(),
    recordedAt: ts('recorded_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const handoffs = pgTable(
  'handoffs',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    accountId: uuid('account_id').notNull(),
    contactId: uuid('contact_id'),
    fromUserId: uuid('from_user_id').notNull(),
    toUserId: uuid('to_user_id').notNull(),
    note: text('note'),
    status: text('status').$type<'draft' | 'completed'>().notNull(),
    createdBy: uuid('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    completedAt: ts('completed_at'),
    completedBy: uuid('completed_by'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const handoffItems = pgTable(
  'handoff_items',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    handoffId: uuid('handoff_id').notNull(),
    position: integer('position').notNull(),
    believesWeWill: text('believes_we_will').notNull(),
    customerReason: text('customer_reason').notNull(),
    dueAt: ts('due_at').notNull(),
    typeKey: text('type_key'),
    emotion: text('emotion'),
    promiseId: uuid('promise_id'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

// Inbound integrations (migrations/20261123183000_integrations.sql): signed endpoints per integration.
export const integrations = pgTable(
  'integrations',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    kind: text('kind').$type<'helpdesk' | 'billing' | 'product_usage' | 'survey'>().notNull(),
    name: text('name').notNull(),
    // The HMAC key as given to the admin (the server signs with it); never returned after creation.
    secret: text('secret').notNull(),
    createdBy: uuid('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
    revokedAt: ts('revoked_at'),
    revokedBy: uuid('revoked_by'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const integrationEvents = pgTable(
  'integration_events',
  {
    workspaceId: uuid('workspace_id').notNull(),
    integrationId: uuid('integration_id').notNull(),
    eventId: text('event_id').notNull(),
    signalId: uuid('signal_id'),
    processedAt: ts('processed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.integrationId, t.eventId] })],
);

export const integrationDeliveries = pgTable(
  'integration_deliveries',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    integrationId: uuid('integration_id').notNull(),
    receivedAt: ts('received_at').notNull(),
    eventId: text('event_id').notNull(),
    eventType: text('event_type'),
    status: text('status').$type<'processed' | 'duplicate' | 'rejected' | 'failed'>().notNull(),
    httpStatus: integer('http_status').notNull(),
    error: text('error'),
    signalId: uuid('signal_id'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

// Business calendars (the JSON shape of src/time/calendar.ts) and SLA policies (src/sla).
export const calendars = pgTable(
  'calendars',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    calendar: jsonb('calendar').$type<Record<string, unknown>>().notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const slaPolicies = pgTable(
  'sla_policies',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    isFallback: boolean('is_fallback').notNull().default(false),
    active: boolean('active').notNull().default(true),
    matchTypeKeys: text('match_type_keys').array().notNull().default([]),
    matchTiers: text('match_tiers').array().notNull().default([]),
    matchPriorities: text('match_priorities').array().notNull().default([]),
    calendarId: uuid('calendar_id').notNull(),
    targetKind: text('target_kind').$type<'business' | 'calendar'>().notNull(),
    targetMinutes: integer('target_minutes').notNull(),
    checkpoints: jsonb('checkpoints').$type<{ percent: number; action: string }[]>().notNull(),
    escalateTo: text('escalate_to').$type<'owner_manager' | 'user'>().notNull(),
    escalationUserId: uuid('escalation_user_id'),
    remedySchedule: jsonb('remedy_schedule')
      .$type<{ fromBusinessMinutesLate: number; creditPercent: number }[]>()
      .notNull()
      .default([]),
    approvalLimitMinor: bigint('approval_limit_minor', { mode: 'number' }),
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

// Notifications (migrations/20261201100200_notifications.sql): inbox, preferences, calendar feeds.
export const inboxItems = pgTable(
  'inbox_items',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    userId: uuid('user_id').notNull(),
    reminderId: uuid('reminder_id'),
    key: text('key').notNull(),
    kind: text('kind').notNull(),
    subjectType: text('subject_type').$type<'promise' | 'account' | 'signal' | 'user'>().notNull(),
    subjectId: uuid('subject_id').notNull(),
    title: text('title').notNull(),
    text: text('text').notNull(),
    createdAt: ts('created_at').notNull(),
    readAt: ts('read_at'),
    snoozedUntil: ts('snoozed_until'),
    doneAt: ts('done_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    workspaceId: uuid('workspace_id').notNull(),
    userId: uuid('user_id').notNull(),
    channels: jsonb('channels').$type<Record<string, ('email' | 'slack')[]>>().notNull().default({}),
    quietStart: text('quiet_start'),
    quietEnd: text('quiet_end'),
    timeZone: text('time_zone'),
    digestEnabled: boolean('digest_enabled').notNull().default(true),
    digestTime: text('digest_time').notNull().default('08:00'),
    slackWebhookUrl: text('slack_webhook_url'),
    nextDigestAt: ts('next_digest_at'),
    digestFiredThrough: ts('digest_fired_through'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
);

export const calendarFeeds = pgTable(
  'calendar_feeds',
  {
    workspaceId: uuid('workspace_id').notNull(),
    userId: uuid('user_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: ts('created_at').notNull(),
    revokedAt: ts('revoked_at'),
    lastUsedAt: ts('last_used_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
);

/** One fired reminder (src/reminders): `key` is unique per workspace, so an effect fires once. */
export const reminders = pgTable(
  'reminders',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    key: text('key').notNull(),
    subjectType: text('subject_type').$type<'promise' | 'account' | 'signal' | 'user'>().notNull(),
    subjectId: uuid('subject_id').notNull(),
    kind: text('kind').notNull(),
    dueAt: ts('due_at').notNull(),
    firedAt: ts('fired_at').notNull(),
    latenessMs: bigint('lateness_ms', { mode: 'number' }).notNull(),
    recipientIds: uuid('recipient_ids').array().notNull().default([]),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

// Delivery (migrations/20261201100100_delivery.sql): the outbox, its attempt log, and outbound
// webhook subscriptions (src/delivery).
export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    url: text('url').notNull(),
    // The HMAC key; returned in the creation response only.
    secret: text('secret').notNull(),
    eventTypes: text('event_types').array().notNull().default([]),
    description: text('description'),
    createdBy: uuid('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const deliveries = pgTable(
  'deliveries',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    key: text('key').notNull(),
    channel: text('channel').$type<'email' | 'slack' | 'webhook'>().notNull(),
    targetId: uuid('target_id').notNull(),
    reminderId: uuid('reminder_id'),
    eventType: text('event_type').notNull(),
    content: jsonb('content').$type<{ title: string; text: string; html: string }>().notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    status: text('status')
      .$type<'pending' | 'delivered' | 'failed' | 'dropped'>()
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    notBefore: ts('not_before').notNull(),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    lockedUntil: ts('locked_until'),
    lastError: text('last_error'),
    deliveredAt: ts('delivered_at'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

export const deliveryAttempts = pgTable(
  'delivery_attempts',
  {
    workspaceId: uuid('workspace_id').notNull(),
    id: uuid('id').notNull(),
    deliveryId: uuid('delivery_id').notNull(),
    attempt: integer('attempt').notNull(),
    startedAt: ts('started_at').notNull(),
    finishedAt: ts('finished_at').notNull(),
    outcome: text('outcome').$type<'success' | 'retry' | 'failed' | 'dropped'>().notNull(),
    httpStatus: integer('http_status'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

// Account health score weights per workspace (no row: the defaults in src/measures/health.ts).
export const healthWeights = pgTable('health_weights', {
  workspaceId: uuid('workspace_id').primaryKey(),
  recency: doublePrecision('recency').notNull(),
  frequency: doublePrecision('frequency').notNull(),
  coreUsage: doublePrecision('core_usage').notNull(),
  tickets: doublePrecision('tickets').notNull(),
  openPromises: doublePrecision('open_promises').notNull(),
  overduePromises: doublePrecision('overdue_promises').notNull(),
  temperature: doublePrecision('temperature').notNull(),
  updatedBy: uuid('updated_by').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

// Scheduled review digests (migrations/20261201120300_review_digests.sql, src/measures/review-digest.ts):
// one row per (workspace, kind, reviewed period), the key that makes each digest fire once.
export const reviewDigests = pgTable(
  'review_digests',
  {
    workspaceId: uuid('workspace_id').notNull(),
    kind: text('kind').$type<'weekly' | 'monthly'>().notNull(),
    periodKey: text('period_key').notNull(),
    id: uuid('id').notNull(),
    scheduledAt: ts('scheduled_at').notNull(),
    firedAt: ts('fired_at').notNull(),
    recipientIds: uuid('recipient_ids').array().notNull().default([]),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.kind, t.periodKey] })],
);

// Promise rollups (migrations/20261201120000_measure_rollups.sql): promise counts per dimension,
// grain (local day, or local month), local due day, dimension value and outcome, kept by triggers on
// promises, accounts (tier) and workspaces (zone). Read with raw SQL by src/measures/fulfilment.ts
// and overdue-age.ts; never written by the application.
export const promiseRollups = pgTable(
  'promise_rollups',
  {
    workspaceId: uuid('workspace_id').notNull(),
    dim: text('dim').$type<'all' | 'type' | 'owner' | 'tier' | 'source'>().notNull(),
    grain: text('grain').$type<'day' | 'month'>().notNull(),
    dueDay: date('due_day', { mode: 'string' }).notNull(),
    dimValue: text('dim_value').notNull(),
    outcome: text('outcome')
      .$type<'open' | 'paused' | 'kept_on_time' | 'kept_late' | 'broken' | 'cancelled'>()
      .notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.dim, t.grain, t.dueDay, t.dimValue, t.outcome] })],
);
