-- Sign-in, sessions, API tokens, invitations, the security audit log and idempotency keys.

alter table users add column grants text[] not null default '{}';
alter table users add column deactivated_at timestamptz;

-- Secrets are random 256-bit values; only their SHA-256 is stored.
create table sessions (
  workspace_id uuid not null,
  id uuid not null,
  user_id uuid not null,
  secret_hash text not null,
  csrf_token text not null,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  user_agent text,
  ip text,
  primary key (workspace_id, id),
  foreign key (workspace_id, user_id) references users (workspace_id, id)
);
create index sessions_user_idx on sessions (workspace_id, user_id, created_at);

create table api_tokens (
  workspace_id uuid not null,
  id uuid not null,
  user_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  scope text not null check (scope in ('read', 'write')),
  secret_hash text not null,
  created_at timestamptz not null,
  last_used_at timestamptz,
  revoked_at timestamptz,
  primary key (workspace_id, id),
  foreign key (workspace_id, user_id) references users (workspace_id, id)
);
create index api_tokens_user_idx on api_tokens (workspace_id, user_id);

create table invitations (
  workspace_id uuid not null,
  id uuid not null,
  email text not null,
  role text not null check (role in ('admin', 'manager', 'member', 'viewer')),
  invited_by uuid not null,
  secret_hash text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_user_id uuid,
  revoked_at timestamptz,
  primary key (workspace_id, id),
  foreign key (workspace_id, invited_by) references users (workspace_id, id)
);

-- Append-only: sign-ins, failures, token use, role changes, exports.
create table security_events (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  occurred_at timestamptz not null,
  kind text not null,
  user_id uuid,
  actor_id uuid,
  ip text,
  detail jsonb not null default '{}',
  primary key (workspace_id, id)
);
create index security_events_user_kind_idx on security_events (workspace_id, user_id, kind, occurred_at);

create trigger security_events_no_update before update or delete on security_events
  for each row execute function reject_change_append_only();
create trigger security_events_no_truncate before truncate on security_events
  for each statement execute function reject_change_append_only();

-- The first response to a POST with an Idempotency-Key, replayed for 24 hours.
create table idempotency_keys (
  workspace_id uuid not null,
  principal_id uuid not null,
  key text not null,
  request_hash text not null,
  state text not null check (state in ('pending', 'done')),
  status_code integer,
  response jsonb,
  created_at timestamptz not null,
  primary key (workspace_id, principal_id, key)
);
create index idempotency_keys_created_idx on idempotency_keys (created_at);
