-- Business calendars, SLA policies, the SLA facts a promise's projection carries, and the ledger
-- event types of the SLA clock and of remedies. Every key starts with workspace_id.
-- Only SQL accepted by both PostgreSQL 15 and PGlite (PostgreSQL 18).

-- A calendar is the JSON shape src/time/calendar.ts validates ({tz, week, holidays}); the API
-- refuses anything parseCalendar refuses, so what is stored always parses. `version` counts edits
-- (a cache key for the parsed calendar). Every workspace has exactly one default calendar.
create table calendars (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  name text not null check (length(name) between 1 and 200),
  calendar jsonb not null check (jsonb_typeof(calendar) = 'object'),
  is_default boolean not null default false,
  version integer not null default 1 check (version >= 1),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id)
);
create unique index calendars_one_default_key on calendars (workspace_id) where is_default;

-- The default calendar of the workspaces that exist already: open 24×7 in the workspace's zone
-- (UTC when the zone is not one Postgres knows).
insert into calendars (workspace_id, id, name, calendar, is_default)
select w.id, gen_random_uuid(), 'Always open (24×7)',
  jsonb_build_object(
    'tz', case when exists (select 1 from pg_timezone_names z where z.name = w.time_zone) then w.time_zone else 'UTC' end,
    'week', jsonb_build_object(
      'mon', '[["00:00","24:00"]]'::jsonb, 'tue', '[["00:00","24:00"]]'::jsonb,
      'wed', '[["00:00","24:00"]]'::jsonb, 'thu', '[["00:00","24:00"]]'::jsonb,
      'fri', '[["00:00","24:00"]]'::jsonb, 'sat', '[["00:00","24:00"]]'::jsonb,
      'sun', '[["00:00","24:00"]]'::jsonb),
    'holidays', '[]'::jsonb),
  true
from workspaces w;

-- SLA policies, tried in `position` order (first match wins); the one fallback policy applies when
-- none matches. An empty match list matches everything. Checkpoints are [{percent, action}];
-- the remedy schedule is [{fromBusinessMinutesLate, creditPercent}] (empty: no guarantee).
create table sla_policies (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  name text not null check (length(name) between 1 and 200),
  position integer not null check (position >= 0),
  is_fallback boolean not null default false,
  active boolean not null default true,
  match_type_keys text[] not null default '{}',
  match_tiers text[] not null default '{}',
  match_priorities text[] not null default '{}',
  calendar_id uuid not null,
  target_kind text not null check (target_kind in ('business', 'calendar')),
  -- 1 minute to 100 years.
  target_minutes integer not null check (target_minutes between 1 and 52596000),
  checkpoints jsonb not null check (jsonb_typeof(checkpoints) = 'array'),
  escalate_to text not null check (escalate_to in ('owner_manager', 'user')),
  escalation_user_id uuid,
  remedy_schedule jsonb not null default '[]' check (jsonb_typeof(remedy_schedule) = 'array'),
  -- Credits above this (minor units of the account's currency) need a manager's approval; null = no limit.
  approval_limit_minor bigint check (approval_limit_minor >= 0),
  version integer not null default 1 check (version >= 1),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, calendar_id) references calendars (workspace_id, id),
  foreign key (workspace_id, escalation_user_id) references users (workspace_id, id),
  check ((escalate_to = 'user') = (escalation_user_id is not null))
);
create unique index sla_policies_one_fallback_key on sla_policies (workspace_id) where is_fallback;
create index sla_policies_calendar_idx on sla_policies (workspace_id, calendar_id);

-- The SLA facts of a promise, all derived from its ledger events like the rest of the projection:
-- priority (an input to policy matching), whether the due date came from the policy (then a policy
-- or calendar change moves it), the checkpoint instants [{percent, action, at}] (pauses not
-- applied), every pause as {start, end} (end null while paused), and when the breach was recorded.
alter table promises add column priority text check (priority in ('low', 'normal', 'high', 'urgent'));
alter table promises add column due_from_policy boolean not null default false;
alter table promises add column checkpoints jsonb check (checkpoints is null or jsonb_typeof(checkpoints) = 'array');
alter table promises add column pauses jsonb not null default '[]' check (jsonb_typeof(pauses) = 'array');
alter table promises add column sla_breached_at timestamptz;
alter table promises add constraint promises_sla_policy_fkey
  foreign key (workspace_id, sla_policy_id) references sla_policies (workspace_id, id);
create index promises_sla_open_idx on promises (workspace_id, sla_policy_id) where status = 'open' and sla_policy_id is not null;
-- "How long did this workspace take to keep promises of this type": the latest kept ones per type.
create index promises_kept_type_idx on promises (workspace_id, type_key, closed_at) include (created_at, paused_ms) where status = 'kept';

-- The pauses of existing promises, from their ledger: each `paused` event up to the next event that
-- ends a pause (resumed, kept, broken, cancelled), as the fold in src/promises/promise.ts does.
update promises p set pauses = coalesce((
  select jsonb_agg(jsonb_build_object(
      'start', to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'end', (select to_char(min(r.occurred_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
                from promise_events r
               where r.workspace_id = e.workspace_id and r.promise_id = e.promise_id and r.seq > e.seq
                 and r.type in ('resumed', 'kept', 'broken', 'cancelled')))
    order by e.seq)
  from promise_events e
  where e.workspace_id = p.workspace_id and e.promise_id = p.id and e.type = 'paused'), '[]'::jsonb)
where exists (
  select 1 from promise_events e
   where e.workspace_id = p.workspace_id and e.promise_id = p.id and e.type = 'paused');

-- New ledger event types: the SLA clock's (recomputed after a calendar or policy change, breach
-- recorded) and remedies (issued within the approval limit, or requested and then approved).
-- The column check was created unnamed in the foundation migration; Postgres named it
-- <table>_<column>_check on every version.
alter table promise_events drop constraint promise_events_type_check;
alter table promise_events add constraint promise_events_type_check check (type in (
  'created', 'edited', 'owner_changed', 'renegotiated', 'paused', 'resumed', 'kept', 'broken',
  'cancelled', 'commented', 'sla_recomputed', 'sla_breached', 'remedy_requested', 'remedy_issued',
  'remedy_approved'));
