// The response shapes the app reads, as the API's presenters write them (src/**/*.presenter.ts and the
// route handlers). The OpenAPI document types requests; these type what comes back.

export type Role = 'admin' | 'manager' | 'member' | 'viewer';
export type PromiseStatus = 'open' | 'kept' | 'broken' | 'cancelled';
export type RiskLevel = 'low' | 'medium' | 'high';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
  total?: number;
}

export interface UserView {
  id: string;
  name: string;
  email: string;
  role: Role;
  grants: string[];
  managerId: string | null;
  active: boolean;
}

export interface SessionView {
  user: UserView;
  workspace: { id: string; name: string; slug: string; timeZone: string };
  via: 'session' | 'token';
  scope: 'read' | 'write' | null;
  csrfToken: string | null;
  /** The one role policy table (src/auth/policy.ts): each role's actions, and what grants add. */
  policy: { roles: Record<Role, string[]>; grants: Record<string, string[]> };
}

export interface Checkpoint {
  percent: number;
  at: string | null;
  action: string;
  reached: boolean;
}

export interface SlaView {
  policyId: string;
  state: string;
  budgetMinutes: number;
  minutesUsed: number;
  minutesRemaining: number;
  minutesOver: number;
  dueAt: string | null;
  checkpoints: Checkpoint[];
  breachRecordedAt: string | null;
}

export interface RiskView {
  level: RiskLevel;
  reasons: { indicator: string; level: RiskLevel; detail: string }[];
  buffer: {
    promisedMinutes: number;
    p80Minutes: number;
    sampleSize: number;
    bufferPercent: number | null;
  } | null;
  unscored: string[];
}

export interface PromiseView {
  id: string;
  accountId: string;
  contactId: string | null;
  typeKey: string;
  promiseMade: string;
  customerReason: string;
  ownerId: string;
  dueAt: string | null;
  effectiveDueAt: string | null;
  status: PromiseStatus;
  overdue: boolean;
  emotion: string | null;
  consequence: string | null;
  source: string;
  riskIndicators: string[];
  priority: string | null;
  slaPolicyId: string | null;
  sla: SlaView | null;
  risk: RiskView;
  paused: boolean;
  pausedAt: string | null;
  pauseCause: string | null;
  pausedMs: number;
  renegotiationCount: number;
  proof: { kind: string; note: string | null; url: string | null } | null;
  recoveryStrength: string | null;
  keptLate: boolean | null;
  closedAt: string | null;
  closeReason: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface LedgerEventView {
  seq: number;
  id: string;
  type: string;
  actorId: string;
  occurredAt: string;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface PromiseWithHistory extends PromiseView {
  verified: boolean;
  history: LedgerEventView[];
}

export interface AccountView {
  id: string;
  name: string;
  domain: string | null;
  externalId: string | null;
  tier: string;
  arrMinor: number | null;
  currency: string;
  contractStart: string | null;
  renewalDate: string | null;
  lifecycleStage: string;
  ownerId: string;
  temperature: string;
  temperatureUpdatedAt: string | null;
  lastActivityAt: string | null;
  createdAt: string;
  /** Open and overdue promises (the list and the single account answer them; a create or edit does not). */
  promises?: { open: number; overdue: number };
}

export interface PromiseTypeView {
  key: string;
  label: string;
  builtin: boolean;
  active: boolean;
}

/** A saved promise view (src/views/views.presenter.ts): `query` holds GET /promises parameters. */
export interface SavedViewView {
  id: string;
  workspaceId: string;
  name: string;
  visibility: 'private' | 'shared';
  query: Record<string, string>;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

// ── Measures and reports (src/measures/measure.ts, health-scores.ts, impact-report.ts, reviews.ts) ──

export type MeasureCell = string | number | boolean | null;

/** What every measure endpoint answers: flat rows (one CSV line each) in `columns` order. */
export interface MeasureResultView {
  measure: string;
  definition: string;
  zone: string;
  asOf: string;
  period?: string;
  from?: string;
  to?: string;
  by?: string;
  columns: string[];
  rows: Record<string, MeasureCell>[];
  noData: boolean;
}

export type HealthComponent =
  | 'recency'
  | 'frequency'
  | 'coreUsage'
  | 'tickets'
  | 'openPromises'
  | 'overduePromises'
  | 'temperature';

export interface HealthPartView {
  component: HealthComponent;
  label: string;
  raw: number | string | null;
  score: number;
  weight: number;
  contribution: number;
}

export interface HealthWeightsView {
  weights: Record<HealthComponent, number>;
  normalised: Record<HealthComponent, number>;
  isDefault: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface HealthResultView extends MeasureResultView {
  total: number;
  weights: HealthWeightsView;
  rules: Record<HealthComponent, { label: string; rule: string }>;
  accounts: {
    accountId: string;
    accountName: string;
    tier: string;
    ownerId: string;
    score: number;
    breakdown: HealthPartView[];
  }[];
}

export interface ImpactFigureView {
  measure: string;
  label: string;
  headline: boolean;
  unit: 'percent' | 'per_month';
  better: 'lower' | 'higher';
  before: number | null;
  after: number | null;
  changePercent: number | null;
  improved: boolean | null;
  beforeNumerator: number;
  beforeDenominator: number;
  afterNumerator: number;
  afterDenominator: number;
  definition: string;
}

export interface ImpactWindowView {
  key: 'before' | 'after';
  from: string;
  to: string;
  days: number;
  start: string;
  end: string;
  clipped: boolean;
}

export interface ImpactReportView {
  report: 'impact';
  workspace: { id: string; name: string };
  zone: string;
  asOf: string;
  pivot: string;
  windows: { before: ImpactWindowView; after: ImpactWindowView };
  figures: ImpactFigureView[];
  noData: boolean;
  definition: string;
}

export interface ReviewView {
  review: 'daily' | 'weekly' | 'monthly';
  zone: string;
  asOf: string;
  period: string;
  from: string;
  to: string;
  sections: Record<
    string,
    { title: string; definition: string; columns: string[]; rows: Record<string, MeasureCell>[] }
  >;
  noData: boolean;
}

// ── Settings (src/auth, src/delivery, src/integrations, src/sla) ──

export interface ApiTokenView {
  id: string;
  name: string;
  scope: 'read' | 'write';
  userId: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The creation answer: the only one carrying the token. */
export interface CreatedApiTokenView extends ApiTokenView {
  token: string;
}

export interface InvitationView {
  id: string;
  email: string;
  role: Role;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  acceptedAt: string | null;
  acceptedUserId: string | null;
  revokedAt: string | null;
}

export interface CreatedInvitationView {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  token: string;
}

export interface WebhookView {
  id: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  status: 'active' | 'revoked';
  signatureScheme: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface WebhookDeliveryView {
  id: string;
  key: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed' | 'dropped';
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  log: {
    attempt: number;
    startedAt: string;
    finishedAt: string;
    outcome: string;
    httpStatus: number | null;
    error: string | null;
    durationMs: number;
  }[];
}

export type IntegrationKind = 'helpdesk' | 'billing' | 'product_usage' | 'survey';

export interface IntegrationView {
  id: string;
  kind: IntegrationKind;
  name: string;
  status: 'active' | 'revoked' | 'suspended';
  endpoint: string;
  eventTypes: string[];
  signatureScheme: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

export interface IntegrationDeliveryView {
  id: string;
  receivedAt: string;
  eventId: string;
  eventType: string | null;
  status: string;
  httpStatus: number | null;
  error: string | null;
  signalId: string | null;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface CalendarShape {
  tz: string;
  week: Record<Weekday, [string, string][]>;
  holidays: string[];
}

export interface CalendarView {
  id: string;
  name: string;
  isDefault: boolean;
  calendar: CalendarShape;
  weeklyMinutes: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface SlaPolicyView {
  id: string;
  name: string;
  position: number;
  fallback: boolean;
  active: boolean;
  match: { typeKeys: string[]; tiers: string[]; priorities: string[] };
  calendarId: string | null;
  target: { kind: 'business' | 'calendar'; minutes: number };
  checkpoints: { percent: number; action: string }[];
  escalation: { to: 'owner_manager' } | { to: 'user'; userId: string };
  remedySchedule: { fromBusinessMinutesLate: number; creditPercent: number }[];
  approvalLimitMinor: number | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** One item of the signed-in user's inbox (src/notifications/notifications.presenter.ts). */
export interface InboxItemView {
  id: string;
  kind: string;
  subject: { type: 'promise' | 'account' | 'signal' | 'user'; id: string };
  reminderId: string | null;
  title: string;
  text: string;
  createdAt: string;
  read: boolean;
  readAt: string | null;
  snoozedUntil: string | null;
  done: boolean;
  doneAt: string | null;
}

/** A business calendar (src/sla/sla.presenter.ts presentCalendar). */
export interface CalendarView {
  id: string;
  name: string;
  isDefault: boolean;
  calendar: {
    tz: string;
    week: Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', [string, string][]>;
    holidays: string[];
  };
  weeklyMinutes: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** One temperature reading of an account (src/accounts/accounts.presenter.ts presentTemperatureEntry). */
export interface TemperatureEntryView {
  id: string;
  accountId: string;
  temperature: string;
  note: string;
  setBy: string;
  setAt: string;
}

/** Escalation history entries, as stored in the signal's payload. */
export interface EscalationHistoryEntry {
  action?: string;
  at?: string;
  by?: string;
  [key: string]: unknown;
}

/**
 * A signal (src/signals/signals.presenter.ts): the common fields, then the kind's own — complaint
 * (concern, repeat), escalation (status, political risk, desired reassurance), nps/csat (score), …
 */
export interface SignalView {
  id: string;
  kind:
    | 'complaint'
    | 'escalation'
    | 'customer_chased'
    | 'nps'
    | 'csat'
    | 'product_activity'
    | 'billing'
    | 'renewal_outcome';
  accountId: string;
  contactId: string | null;
  occurredAt: string;
  externalId: string | null;
  recordedBy: string;
  recordedAt: string;
  updatedAt: string;
  // complaint
  concernKey?: string | null;
  concern?: string;
  summary?: string | null;
  confidenceRestored?: string | null;
  repeat?: boolean;
  repeatOfId?: string | null;
  // escalation
  politicalRisk?: string;
  desiredReassurance?: string;
  status?: 'open' | 'closed' | null;
  closedAt?: string | null;
  reopenedAt?: string | null;
  reopenCount?: number;
  reopenedWithin60Days?: boolean;
  followUpPromiseId?: string | null;
  history?: EscalationHistoryEntry[];
  // customer_chased
  promiseId?: string | null;
  channel?: string | null;
  note?: string | null;
  // nps / csat
  score?: number | null;
  category?: 'promoter' | 'passive' | 'detractor';
  comment?: string | null;
  satisfied?: boolean;
  // product_activity
  activity?: string | null;
  count?: number | null;
  // billing
  event?: string | null;
  amountMinor?: number | null;
  currency?: string | null;
  reference?: string | null;
  // renewal_outcome
  outcome?: string | null;
  arrBeforeMinor?: number | null;
  arrAfterMinor?: number | null;
  arrChangeMinor?: number;
}

/** POST /signals/:id/close answers the closed escalation and the follow-up promise it created. */
export interface ClosedEscalationView extends SignalView {
  followUpPromise: PromiseView;
}

export interface HandoffItemView {
  id: string;
  position: number;
  believesWeWill: string;
  customerReason: string;
  dueAt: string;
  typeKey: string | null;
  emotion: string | null;
  /** Set once the handoff is completed: the promise this item became. */
  promiseId: string | null;
}

/** A sales-to-onboarding handoff (src/handoffs/handoffs.presenter.ts). */
export interface HandoffView {
  id: string;
  accountId: string;
  contactId: string | null;
  fromUserId: string;
  toUserId: string;
  note: string | null;
  status: 'draft' | 'completed';
  items: HandoffItemView[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  completedBy: string | null;
}

/** POST /handoffs/:id/complete: the handoff and the promises its items became. */
export interface CompletedHandoffView extends HandoffView {
  promises: PromiseView[];
}

/** One kept promise of the renewal prep report (src/accounts/renewal-prep.ts). */
export interface RenewalPrepItem {
  promiseId: string;
  typeKey: string;
  typeLabel: string;
  promiseMade: string;
  customerReason: string;
  contactId: string | null;
  contactName: string | null;
  ownerId: string;
  ownerName: string;
  askedAt: string;
  dueAt: string;
  keptAt: string;
  keptLate: boolean;
  keptById: string;
  keptByName: string;
  proof: { kind: string; note: string | null; url: string | null };
  recoveryStrength: string | null;
}

/** GET /accounts/:id/renewal-prep: "You asked, we did" for a period of local dates (inclusive). */
export interface RenewalPrepReport {
  account: {
    id: string;
    name: string;
    ownerId: string;
    renewalDate: string | null;
    lifecycleStage: string;
    temperature: string | null;
  };
  workspace: { name: string };
  zone: string;
  from: string;
  to: string;
  asOf: string;
  summary: { kept: number; keptOnTime: number; keptLate: number; confidenceRestored: number };
  items: RenewalPrepItem[];
}

/** One of the signed-in user's sessions (GET /auth/sessions). */
export interface SessionListItem {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  /** The session this browser is using. */
  current: boolean;
}
