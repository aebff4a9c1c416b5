-- Inbound integrations: help desk, billing, product usage and survey systems push signed events
-- (the Standard Webhooks scheme) to /api/v1/inbound/:integrationId. Every key starts with
-- workspace_id. Only SQL accepted by both PostgreSQL 15 and PGlite (PostgreSQL 18).

create table integrations (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  kind text not null check (kind in ('helpdesk', 'billing', 'product_usage', 'survey')),
  name text not null check (length(name) between 1 and 200),
  -- The HMAC key (`whsec_` + base64 of 32 random bytes), stored as given to the admin: the server
  -- must compute the HMAC of every delivery with it, so a hash would not do. The API returns it in
  -- the creation response only, never again; a database reader can read it (like any signing key).
  secret text not null check (secret ~ '^whsec_[A-Za-z0-9+/]{43}=$'),
  -- Deliveries are recorded as this user; they stop when the user is deactivated or loses the
  -- right to manage integrations (they saw the secret).
  created_by uuid not null,
  created_at timestamptz not null,
  revoked_at timestamptz,
  revoked_by uuid,
  primary key (workspace_id, id),
  foreign key (workspace_id, created_by) references users (workspace_id, id),
  foreign key (workspace_id, revoked_by) references users (workspace_id, id),
  check ((revoked_at is null) = (revoked_by is null))
);
create index integrations_created_idx on integrations (workspace_id, created_at, id);
-- The public endpoint is named by the integration id alone (the sender knows no workspace): the
-- one lookup not keyed by workspace first. Not unique (a unique index on a table distributed by
-- workspace_id would have to include it); ids are UUIDv7 and the row found gives the workspace.
create index integrations_id_idx on integrations (id);

-- The event ids (`webhook-id`) an integration's deliveries were processed under: a replay of one
-- is answered `{"duplicate": true}` and records nothing. The row is written in the transaction
-- that records the signal, so a delivery either did both or neither.
create table integration_events (
  workspace_id uuid not null,
  integration_id uuid not null,
  event_id text not null check (length(event_id) between 1 and 160),
  signal_id uuid,
  processed_at timestamptz not null,
  primary key (workspace_id, integration_id, event_id),
  foreign key (workspace_id, integration_id) references integrations (workspace_id, id),
  foreign key (workspace_id, signal_id) references signals (workspace_id, id)
);

-- Every authenticated delivery (a valid signature) and what became of it, for the admin to see why
-- a sender's events are refused. Requests that fail authentication are not written: anyone can
-- send them, and they would fill the table.
create table integration_deliveries (
  workspace_id uuid not null,
  id uuid not null,
  integration_id uuid not null,
  received_at timestamptz not null,
  event_id text not null check (length(event_id) between 1 and 160),
  -- The payload's `type`, when the body parsed that far.
  event_type text check (event_type is null or length(event_type) between 1 and 100),
  status text not null check (status in ('processed', 'duplicate', 'rejected', 'failed')),
  http_status integer not null check (http_status between 100 and 599),
  error text check (error is null or length(error) between 1 and 2000),
  -- The signal the delivery recorded (processed) or had recorded before (duplicate).
  signal_id uuid,
  primary key (workspace_id, id),
  foreign key (workspace_id, integration_id) references integrations (workspace_id, id),
  foreign key (workspace_id, signal_id) references signals (workspace_id, id),
  check ((status in ('processed', 'duplicate')) = (error is null))
);
create index integration_deliveries_received_idx on integration_deliveries (workspace_id, integration_id, received_at, id);
