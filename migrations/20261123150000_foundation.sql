-- Promise Ledger foundation: workspaces, users, accounts, contacts, promise types, promises
-- (projection) and the append-only promise ledger. Every key starts with workspace_id.
-- Only SQL accepted by both PostgreSQL 15 and PGlite (PostgreSQL 18).

create table workspaces (
  id uuid primary key,
  name text not null check (length(name) between 1 and 200),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  time_zone text not null default 'UTC',
  created_at timestamptz not null default now()
);

create table users (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  email text not null check (position('@' in email) > 1),
  name text not null check (length(name) between 1 and 200),
  role text not null check (role in ('admin', 'manager', 'member', 'viewer')),
  manager_id uuid,
  active boolean not null default true,
  password_hash text,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, manager_id) references users (workspace_id, id)
);
create unique index users_email_key on users (workspace_id, lower(email));

create table accounts (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  name text not null check (length(name) between 1 and 300),
  domain text,
  external_id text,
  tier text not null check (tier in ('strategic', 'enterprise', 'mid_market', 'smb')),
  arr_minor bigint not null default 0 check (arr_minor >= 0),
  currency text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  contract_start date,
  renewal_date date,
  lifecycle_stage text not null default 'land' check (lifecycle_stage in ('land', 'adopt', 'expand', 'renew')),
  owner_id uuid not null,
  temperature text check (temperature in ('warm', 'neutral', 'strained', 'fragile')),
  temperature_updated_at timestamptz,
  last_activity_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, owner_id) references users (workspace_id, id),
  check (renewal_date is null or contract_start is null or renewal_date >= contract_start)
);
create index accounts_owner_idx on accounts (workspace_id, owner_id);
create index accounts_renewal_idx on accounts (workspace_id, renewal_date);

-- Temperature is set by people after meaningful interactions; every setting is kept.
create table account_temperature_history (
  workspace_id uuid not null,
  id uuid not null,
  account_id uuid not null,
  temperature text not null check (temperature in ('warm', 'neutral', 'strained', 'fragile')),
  note text,
  set_by uuid not null,
  set_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, account_id) references accounts (workspace_id, id),
  foreign key (workspace_id, set_by) references users (workspace_id, id)
);
create index account_temperature_history_account_idx on account_temperature_history (workspace_id, account_id, set_at);

create table contacts (
  workspace_id uuid not null,
  id uuid not null,
  account_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  email text,
  title text,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, account_id) references accounts (workspace_id, id)
);
create index contacts_account_idx on contacts (workspace_id, account_id);

-- Workspace-extensible list; the eight built-in types are inserted when a workspace is created.
create table promise_types (
  workspace_id uuid not null references workspaces (id),
  key text not null check (key ~ '^[a-z][a-z0-9_]{0,62}$'),
  label text not null,
  builtin boolean not null default false,
  active boolean not null default true,
  primary key (workspace_id, key)
);

-- The projection of each promise's ledger stream: current state, derived from promise_events and
-- written only by the use cases that append those events, in the same transaction.
create table promises (
  workspace_id uuid not null,
  id uuid not null,
  account_id uuid not null,
  contact_id uuid,
  type_key text not null,
  promise_made text not null,
  customer_reason text not null,
  owner_id uuid not null,
  due_at timestamptz not null,
  -- due_at pushed back by the time spent paused; null while paused (the clock is stopped).
  effective_due_at timestamptz,
  status text not null check (status in ('open', 'kept', 'broken', 'cancelled')),
  emotion text check (emotion in ('confused', 'blocked', 'skeptical', 'urgent', 'embarrassed', 'disappointed', 'excited', 'politically_exposed')),
  consequence text check (consequence in ('renewal_risk', 'executive_escalation', 'adoption_delay', 'internal_credibility_loss', 'compliance_concern', 'expansion_blocker')),
  source text not null check (source in ('sales_handoff', 'support', 'success', 'renewal', 'escalation', 'survey', 'other')),
  risk_indicators text[] not null default '{}',
  sla_policy_id uuid,
  paused_at timestamptz,
  pause_cause text check (pause_cause in ('customer', 'us')),
  paused_ms bigint not null default 0,
  renegotiation_count integer not null default 0,
  proof_kind text,
  proof_note text,
  proof_url text,
  recovery_strength text check (recovery_strength in ('task_closed', 'confidence_restored')),
  closed_at timestamptz,
  kept_late boolean,
  close_reason text,
  created_by uuid not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  version integer not null check (version >= 1),
  head_hash text not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, account_id) references accounts (workspace_id, id),
  foreign key (workspace_id, contact_id) references contacts (workspace_id, id),
  foreign key (workspace_id, type_key) references promise_types (workspace_id, key),
  foreign key (workspace_id, owner_id) references users (workspace_id, id),
  foreign key (workspace_id, created_by) references users (workspace_id, id),
  check ((status = 'open') = (closed_at is null)),
  check (status <> 'kept' or (proof_kind is not null and recovery_strength is not null))
);
-- "Open promises due in the next N days for one owner": the daily view of every account owner.
create index promises_open_owner_due_idx on promises (workspace_id, owner_id, effective_due_at) where status = 'open';
create index promises_open_due_idx on promises (workspace_id, effective_due_at) where status = 'open';
create index promises_account_idx on promises (workspace_id, account_id, status);

-- The ledger. Append-only: a trigger rejects UPDATE, DELETE and TRUNCATE.
-- hash = sha256(prev_hash || '\n' || body), where body is the RFC 8785 canonical JSON of the event
-- exactly as hashed; the other columns repeat its fields for querying. seq is gapless per promise.
create table promise_events (
  workspace_id uuid not null,
  promise_id uuid not null,
  seq integer not null check (seq >= 1),
  id uuid not null,
  type text not null check (type in ('created', 'edited', 'owner_changed', 'renegotiated', 'paused', 'resumed', 'kept', 'broken', 'cancelled', 'commented')),
  actor_id uuid not null,
  occurred_at timestamptz not null,
  payload jsonb not null,
  body text not null,
  prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text not null check (hash ~ '^[0-9a-f]{64}$'),
  primary key (workspace_id, promise_id, seq),
  foreign key (workspace_id, promise_id) references promises (workspace_id, id),
  foreign key (workspace_id, actor_id) references users (workspace_id, id)
);

-- Shared by every append-only table.
create function reject_change_append_only() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only: % is not allowed', tg_table_name, tg_op
    using errcode = 'insufficient_privilege';
end;
$$;
create trigger promise_events_no_update before update or delete on promise_events
  for each row execute function reject_change_append_only();
create trigger promise_events_no_truncate before truncate on promise_events
  for each statement execute function reject_change_append_only();

-- Signed checkpoints: a root over every stream head of a workspace at one moment.
create table ledger_checkpoints (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  created_at timestamptz not null,
  stream_count integer not null,
  event_count bigint not null,
  root text not null,
  signature text not null,
  public_key text not null,
  primary key (workspace_id, id)
);
create table ledger_checkpoint_heads (
  workspace_id uuid not null,
  checkpoint_id uuid not null,
  promise_id uuid not null,
  seq integer not null,
  primary key (workspace_id, checkpoint_id, promise_id),
  foreign key (workspace_id, checkpoint_id) references ledger_checkpoints (workspace_id, id)
);
