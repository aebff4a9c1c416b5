-- Account health score weights, one row per workspace (no row: the defaults in
-- src/measures/health.ts). Each weight is ≥ 0 and at least one is > 0; they are normalised to sum
-- to 1 when the score is computed. Only SQL accepted by both PostgreSQL 15 and PGlite (PostgreSQL 18).
create table health_weights (
  workspace_id uuid not null references workspaces (id),
  recency double precision not null check (recency >= 0),
  frequency double precision not null check (frequency >= 0),
  core_usage double precision not null check (core_usage >= 0),
  tickets double precision not null check (tickets >= 0),
  open_promises double precision not null check (open_promises >= 0),
  overdue_promises double precision not null check (overdue_promises >= 0),
  temperature double precision not null check (temperature >= 0),
  updated_by uuid not null,
  updated_at timestamptz not null,
  primary key (workspace_id),
  foreign key (workspace_id, updated_by) references users (workspace_id, id),
  check (recency + frequency + core_usage + tickets + open_promises + overdue_promises + temperature > 0)
);
