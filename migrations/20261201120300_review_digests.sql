-- Scheduled review digests (src/measures/review-digest.ts): the weekly review (Monday 08:00) and
-- the monthly review (the 1st, 08:00) of each workspace, in its zone, emailed to its managers and
-- admins through the delivery outbox. One row per (workspace, kind, reviewed period): a second
-- instance, a retry or a restart computes the same key, and the primary key turns it into nothing
-- new. Only SQL accepted by both PostgreSQL 15 and PGlite (PostgreSQL 18).
create table review_digests (
  workspace_id uuid not null references workspaces (id),
  kind text not null check (kind in ('weekly', 'monthly')),
  -- The reviewed period: `2026-W48` (weekly) or `2026-11` (monthly).
  period_key text not null check (length(period_key) between 1 and 20),
  id uuid not null,
  -- The instant it was scheduled for, when it was recorded, and who was emailed.
  scheduled_at timestamptz not null,
  fired_at timestamptz not null,
  recipient_ids uuid[] not null default '{}',
  primary key (workspace_id, kind, period_key)
);
