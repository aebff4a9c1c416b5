-- Signals (what the customer did or felt) and sales-to-onboarding handoffs. Every key starts with
-- workspace_id. Only SQL accepted by both PostgreSQL 15 and PGlite (PostgreSQL 18).

-- One table for every kind of signal. What people filter and measure on is a typed column (concern,
-- repeat, escalation status, score, billing event, renewal outcome and ARR, promise links); free
-- text and kind-specific detail is `payload`, validated per kind by src/signals/signal.ts.
create table signals (
  workspace_id uuid not null,
  id uuid not null,
  kind text not null check (kind in ('complaint', 'escalation', 'customer_chased', 'nps', 'csat', 'product_activity', 'billing', 'renewal_outcome')),
  account_id uuid not null,
  contact_id uuid,
  -- When the customer did it (a survey response time, a payment failure); recorded_at is when we learnt it.
  occurred_at timestamptz not null,
  -- The sending system's id for the event (help desk ticket, billing event): a replay is refused.
  external_id text check (external_id is null or length(external_id) between 1 and 200),
  -- complaint: the normalised underlying concern, "customer confidence restored?", and the earlier
  -- complaint on the same concern it repeats (within 45 days).
  concern_key text check (concern_key ~ '^[a-z0-9][a-z0-9_]{0,62}$'),
  confidence_restored text check (confidence_restored in ('yes', 'no', 'unknown')),
  repeat_of_id uuid,
  -- escalation: open/closed; closed_at is the latest closing, reopened_at the latest reopening
  -- (every closing and reopening is kept in payload.history).
  status text check (status in ('open', 'closed')),
  closed_at timestamptz,
  reopened_at timestamptz,
  reopen_count integer not null default 0 check (reopen_count >= 0),
  -- nps (0-10) and csat (1-5)
  score smallint,
  billing_event text check (billing_event in ('payment_failed', 'payment_recovered')),
  renewal_outcome text check (renewal_outcome in ('renewed', 'churned')),
  arr_before_minor bigint check (arr_before_minor >= 0),
  arr_after_minor bigint check (arr_after_minor >= 0),
  currency text check (currency ~ '^[A-Z]{3}$'),
  -- customer_chased: the promise the customer chased us about.
  promise_id uuid,
  -- The promise this signal made us create: an escalation's follow-up (latest closing), an NPS
  -- detractor's call, a promoter's testimonial ask.
  follow_up_promise_id uuid,
  payload jsonb not null default '{}' check (jsonb_typeof(payload) = 'object'),
  recorded_by uuid not null,
  recorded_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, account_id) references accounts (workspace_id, id),
  foreign key (workspace_id, contact_id) references contacts (workspace_id, id),
  foreign key (workspace_id, repeat_of_id) references signals (workspace_id, id),
  foreign key (workspace_id, promise_id) references promises (workspace_id, id),
  foreign key (workspace_id, follow_up_promise_id) references promises (workspace_id, id),
  foreign key (workspace_id, recorded_by) references users (workspace_id, id),
  check ((kind = 'complaint') = (concern_key is not null and confidence_restored is not null)),
  check (kind = 'complaint' or repeat_of_id is null),
  check ((kind = 'escalation') = (status is not null)),
  -- Workflow 7, structurally: a closed escalation always has its follow-up promise.
  check (status is distinct from 'closed' or (closed_at is not null and follow_up_promise_id is not null)),
  check ((kind in ('nps', 'csat')) = (score is not null)),
  check (kind <> 'nps' or score between 0 and 10),
  check (kind <> 'csat' or score between 1 and 5),
  check ((kind = 'billing') = (billing_event is not null)),
  check ((kind = 'renewal_outcome') = (renewal_outcome is not null and arr_before_minor is not null and arr_after_minor is not null and currency is not null)),
  check (kind = 'customer_chased' or promise_id is null)
);
-- Lists page by (occurred_at, id), newest first: all, by kind, by account.
create index signals_occurred_idx on signals (workspace_id, occurred_at, id);
create index signals_kind_occurred_idx on signals (workspace_id, kind, occurred_at, id);
create index signals_account_occurred_idx on signals (workspace_id, account_id, occurred_at, id);
-- Complaint memory: the account's earlier complaints on one concern.
create index signals_complaint_concern_idx on signals (workspace_id, account_id, concern_key, occurred_at) where kind = 'complaint';
create index signals_promise_idx on signals (workspace_id, promise_id) where promise_id is not null;
create unique index signals_external_id_key on signals (workspace_id, kind, external_id) where external_id is not null;

-- Sales to onboarding. A draft can be edited; completing it turns every item into a promise owned
-- by the receiver (to_user_id), in one transaction, and records each promise on its item.
create table handoffs (
  workspace_id uuid not null,
  id uuid not null,
  account_id uuid not null,
  contact_id uuid,
  from_user_id uuid not null,
  to_user_id uuid not null,
  note text check (note is null or length(note) between 1 and 4000),
  status text not null check (status in ('draft', 'completed')),
  created_by uuid not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  completed_at timestamptz,
  completed_by uuid,
  primary key (workspace_id, id),
  foreign key (workspace_id, account_id) references accounts (workspace_id, id),
  foreign key (workspace_id, contact_id) references contacts (workspace_id, id),
  foreign key (workspace_id, from_user_id) references users (workspace_id, id),
  foreign key (workspace_id, to_user_id) references users (workspace_id, id),
  foreign key (workspace_id, created_by) references users (workspace_id, id),
  foreign key (workspace_id, completed_by) references users (workspace_id, id),
  check ((status = 'completed') = (completed_at is not null and completed_by is not null))
);
create index handoffs_created_idx on handoffs (workspace_id, created_at, id);
create index handoffs_account_idx on handoffs (workspace_id, account_id, created_at);
create index handoffs_to_user_idx on handoffs (workspace_id, to_user_id, status, created_at);

-- "Customer believes we will…": one row per expectation sales created.
create table handoff_items (
  workspace_id uuid not null,
  id uuid not null,
  handoff_id uuid not null,
  position integer not null check (position >= 0),
  believes_we_will text not null check (length(believes_we_will) between 1 and 2000),
  customer_reason text not null check (length(customer_reason) between 1 and 2000),
  due_at timestamptz not null,
  type_key text,
  emotion text check (emotion in ('confused', 'blocked', 'skeptical', 'urgent', 'embarrassed', 'disappointed', 'excited', 'politically_exposed')),
  -- The promise completing the handoff created from this item.
  promise_id uuid,
  primary key (workspace_id, id),
  unique (workspace_id, handoff_id, position),
  foreign key (workspace_id, handoff_id) references handoffs (workspace_id, id),
  foreign key (workspace_id, type_key) references promise_types (workspace_id, key),
  foreign key (workspace_id, promise_id) references promises (workspace_id, id)
);
create unique index handoff_items_promise_key on handoff_items (workspace_id, promise_id) where promise_id is not null;
