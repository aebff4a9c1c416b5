-- Delivery: the transactional outbox of messages to send (email, Slack-compatible webhooks,
-- signed outbound webhooks), the log of every attempt, and the workspace's outbound webhook
-- subscriptions. Every key starts with workspace_id. Only SQL accepted by both PostgreSQL 15 and
-- PGlite (PostgreSQL 18).

-- Outbound URLs to loopback, private, link-local, unique-local, CGNAT addresses are refused unless
-- the workspace allows them explicitly (a self-hosted install delivering inside its own network).
alter table workspaces add column allow_private_webhook_targets boolean not null default false;

create table webhook_subscriptions (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  url text not null check (length(url) between 1 and 2000 and url ~ '^https?://'),
  -- The HMAC key (`whsec_` + base64 of 32 random bytes): the server signs every delivery with it,
  -- so it is stored as given; the API returns it in the creation response only.
  secret text not null check (secret ~ '^whsec_[A-Za-z0-9+/]{43}=$'),
  -- Event types delivered (e.g. reminder.overdue); empty = all.
  event_types text[] not null default '{}',
  description text check (description is null or length(description) between 1 and 500),
  created_by uuid not null,
  created_at timestamptz not null,
  revoked_at timestamptz,
  primary key (workspace_id, id),
  foreign key (workspace_id, created_by) references users (workspace_id, id)
);
create index webhook_subscriptions_created_idx on webhook_subscriptions (workspace_id, created_at, id);

-- One row per message to send on one channel to one target. `key` is the effect's identity (the
-- notification key + channel + target): enqueueing it again writes nothing. The row's id is the
-- Standard Webhooks `webhook-id`, the same on every attempt and on a replay, so receivers dedupe.
create table deliveries (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  key text not null check (length(key) between 1 and 600),
  channel text not null check (channel in ('email', 'slack', 'webhook')),
  -- email / slack: the user; webhook: the subscription. Read at send time (address, URL).
  target_id uuid not null,
  reminder_id uuid,
  event_type text not null check (length(event_type) between 1 and 100),
  content jsonb not null,
  data jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed', 'dropped')),
  attempts integer not null default 0 check (attempts >= 0),
  -- Quiet hours: never before this instant. next_attempt_at is when the worker may claim it next
  -- (not_before at first, then the backoff); locked_until is the lease of the worker sending it.
  not_before timestamptz not null,
  next_attempt_at timestamptz not null,
  locked_until timestamptz,
  last_error text check (last_error is null or length(last_error) <= 2000),
  delivered_at timestamptz,
  created_at timestamptz not null,
  primary key (workspace_id, id),
  check ((status = 'delivered') = (delivered_at is not null))
);
create unique index deliveries_key_idx on deliveries (workspace_id, key);
-- The worker's claim looks across workspaces for due pending rows: the documented exception to
-- workspace_id leading an index (like the reminder scheduler's claim index). Partial, so it holds
-- only what is still to be sent.
create index deliveries_due_idx on deliveries (next_attempt_at) where status = 'pending';
-- A subscription's delivery log, newest first.
create index deliveries_target_idx on deliveries (workspace_id, target_id, created_at desc, id desc);

-- Every attempt to send a delivery and how it ended: the delivery log. A replay is one more
-- attempt of the same delivery (same webhook-id).
create table delivery_attempts (
  workspace_id uuid not null,
  id uuid not null,
  delivery_id uuid not null,
  attempt integer not null check (attempt >= 1),
  started_at timestamptz not null,
  finished_at timestamptz not null,
  outcome text not null check (outcome in ('success', 'retry', 'failed', 'dropped')),
  http_status integer check (http_status is null or http_status between 100 and 599),
  error text check (error is null or length(error) <= 2000),
  duration_ms integer not null check (duration_ms >= 0),
  primary key (workspace_id, id),
  foreign key (workspace_id, delivery_id) references deliveries (workspace_id, id)
);
create index delivery_attempts_delivery_idx on delivery_attempts (workspace_id, delivery_id, attempt);
