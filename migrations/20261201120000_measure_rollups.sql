-- Promise measures without scanning the ledger: per workspace, one count per (dimension, grain, local due
-- day in the workspace zone, dimension value, outcome), kept by triggers in the same transaction as
-- the write that changes a promise (src/measures/fulfilment.ts, overdue-age.ts read it).
-- Only SQL accepted by both PostgreSQL 15 and PGlite (PostgreSQL 18).
--
-- A promise counts once per dimension: dim 'all' (dim_value 'all'), 'type' (type_key), 'owner'
-- (owner_id), 'tier' (its account's tier), 'source'. Its due day is the local date of its effective
-- due (due_at pushed back by pauses); while paused (effective_due_at is null) the due before the
-- current pause, due_at + paused_ms. Outcomes: open (clock running), paused (clock stopped before its
-- due before the pause had passed), paused_past_due (paused when that due had already passed: still
-- open past due, its overdue age frozen at paused_at − due), kept_on_time, kept_late, broken,
-- cancelled. Rows whose count fell to 0 may stay (readers ignore them).
--
-- "The due before the pause" is due_at + paused_ms, the projection's rule for promises without an
-- SLA policy (src/promises/promise.ts). For a promise with a policy the effective due is the SLA
-- clock's deadline in business time (`slaDueAt`), which the projection does not keep while paused:
-- due_at + paused_ms is that deadline exactly when the promise had no earlier (completed) pause, and
-- the wall-clock approximation of it otherwise.
--
-- Concurrency: the triggers that read a workspace's zone or an account's tier take FOR SHARE on
-- that row first (workspace, then accounts, in key order), so a zone or tier change (FOR NO KEY
-- UPDATE) and a promise write are serialised: whichever commits second reads what the first wrote.
create table promise_rollups (
  workspace_id uuid not null references workspaces (id),
  dim text not null check (dim in ('all', 'type', 'owner', 'tier', 'source')),
  -- 'day': due_day is the local due date; 'month': the first day of its local month (the same counts
  -- summed by month, so a 12-month answer reads 12 rows per value and outcome, not 365).
  grain text not null check (grain in ('day', 'month')),
  due_day date not null,
  dim_value text not null,
  outcome text not null check (outcome in ('open', 'paused', 'paused_past_due', 'kept_on_time', 'kept_late', 'broken', 'cancelled')),
  n bigint not null,
  primary key (workspace_id, dim, grain, due_day, dim_value, outcome)
);

create function promise_outcome(status text, paused_at timestamptz, kept_late boolean, due_at timestamptz, paused_ms bigint)
returns text language sql immutable as $$
  select case
    when status = 'open' then case
      when paused_at is null then 'open'
      when due_at + paused_ms * interval '1 millisecond' < paused_at then 'paused_past_due'
      else 'paused' end
    when status = 'kept' then case when kept_late then 'kept_late' else 'kept_on_time' end
    else status
  end
$$;

create function promise_due_day(effective_due_at timestamptz, due_at timestamptz, paused_ms bigint, zone text)
returns date language sql stable as $$
  select (coalesce(effective_due_at, due_at + paused_ms * interval '1 millisecond') at time zone zone)::date
$$;

-- A local due date at a grain: itself, or the first day of its month.
create function promise_grain_day(grain text, day date) returns date language sql immutable as $$
  select case when grain = 'day' then day else day - (extract(day from day)::int - 1) end
$$;

-- Single-promise writes (the use cases): subtract the old row's contribution, add the new one.
create function promise_rollups_on_update() returns trigger language plpgsql as $$
declare
  zone text;
  old_tier text;
  new_tier text;
  old_day date;
  new_day date;
  old_out text;
  new_out text;
begin
  -- FOR SHARE: a concurrent zone or tier change waits for this transaction, or this one for it (and
  -- then reads what it wrote). Workspace first, then accounts in key order, as everywhere.
  select time_zone into zone from workspaces where id = new.workspace_id for share;
  perform 1 from accounts
    where workspace_id = new.workspace_id and id in (old.account_id, new.account_id)
    order by id for share;
  select tier into old_tier from accounts where workspace_id = old.workspace_id and id = old.account_id;
  if new.account_id = old.account_id then
    new_tier := old_tier;
  else
    select tier into new_tier from accounts where workspace_id = new.workspace_id and id = new.account_id;
  end if;
  old_day := promise_due_day(old.effective_due_at, old.due_at, old.paused_ms, zone);
  new_day := promise_due_day(new.effective_due_at, new.due_at, new.paused_ms, zone);
  old_out := promise_outcome(old.status, old.paused_at, old.kept_late, old.due_at, old.paused_ms);
  new_out := promise_outcome(new.status, new.paused_at, new.kept_late, new.due_at, new.paused_ms);
  if old_day = new_day and old_out = new_out and old.type_key = new.type_key and old.owner_id = new.owner_id
     and old.source = new.source and old_tier = new_tier then
    return null;
  end if;
  -- One statement, rows in key order: concurrent writers lock rollup rows in the same order (no
  -- deadlock between two promises moving in opposite directions), and net-zero rows are skipped.
  insert into promise_rollups as r (workspace_id, dim, grain, due_day, dim_value, outcome, n)
  select new.workspace_id, c.dim, g.grain, promise_grain_day(g.grain, c.day), c.v, c.outcome, sum(c.delta)
    from (values
      ('all', old_day, 'all', old_out, -1), ('type', old_day, old.type_key, old_out, -1),
      ('owner', old_day, old.owner_id::text, old_out, -1), ('tier', old_day, old_tier, old_out, -1),
      ('source', old_day, old.source, old_out, -1),
      ('all', new_day, 'all', new_out, 1), ('type', new_day, new.type_key, new_out, 1),
      ('owner', new_day, new.owner_id::text, new_out, 1), ('tier', new_day, new_tier, new_out, 1),
      ('source', new_day, new.source, new_out, 1)
    ) c(dim, day, v, outcome, delta)
    cross join (values ('day'), ('month')) g(grain)
   group by 1, 2, 3, 4, 5, 6
  having sum(c.delta) <> 0
   order by 2, 3, 4, 5, 6
  on conflict (workspace_id, dim, grain, due_day, dim_value, outcome) do update set n = r.n + excluded.n;
  return null;
end
$$;

-- Inserts and deletes, per statement over the transition table: one create and a bulk load of
-- thousands of promises (src/demo/load.ts) pay one grouped upsert each, not one per row.
create function promise_rollups_on_insert() returns trigger language plpgsql as $$
begin
  -- Lock what the grouped upsert reads (FOR SHARE cannot go on a grouped query): the workspaces,
  -- then the accounts in key order, so a concurrent zone or tier change is serialised with this write.
  perform 1 from workspaces where id in (select workspace_id from new_rows) order by id for share;
  perform 1 from accounts a
    where (a.workspace_id, a.id) in (select workspace_id, account_id from new_rows)
    order by a.workspace_id, a.id for share;
  insert into promise_rollups as r (workspace_id, dim, grain, due_day, dim_value, outcome, n)
  select x.workspace_id, d.dim, g.grain, promise_grain_day(g.grain, x.due_day), d.v, x.outcome, count(*)
    from (
      select p.workspace_id, promise_due_day(p.effective_due_at, p.due_at, p.paused_ms, w.time_zone) as due_day,
             promise_outcome(p.status, p.paused_at, p.kept_late, p.due_at, p.paused_ms) as outcome,
             p.type_key, p.owner_id::text as owner, a.tier, p.source
        from new_rows p
        join workspaces w on w.id = p.workspace_id
        join accounts a on a.workspace_id = p.workspace_id and a.id = p.account_id
    ) x
    cross join lateral (values ('all', 'all'), ('type', x.type_key), ('owner', x.owner), ('tier', x.tier), ('source', x.source)) d(dim, v)
    cross join (values ('day'), ('month')) g(grain)
   group by 1, 2, 3, 4, 5, 6
   order by 2, 3, 4, 5, 6
  on conflict (workspace_id, dim, grain, due_day, dim_value, outcome) do update set n = r.n + excluded.n;
  return null;
end
$$;

create function promise_rollups_on_delete() returns trigger language plpgsql as $$
begin
  -- Lock what the grouped upsert reads (FOR SHARE cannot go on a grouped query): the workspaces,
  -- then the accounts in key order, so a concurrent zone or tier change is serialised with this write.
  perform 1 from workspaces where id in (select workspace_id from old_rows) order by id for share;
  perform 1 from accounts a
    where (a.workspace_id, a.id) in (select workspace_id, account_id from old_rows)
    order by a.workspace_id, a.id for share;
  insert into promise_rollups as r (workspace_id, dim, grain, due_day, dim_value, outcome, n)
  select x.workspace_id, d.dim, g.grain, promise_grain_day(g.grain, x.due_day), d.v, x.outcome, -count(*)
    from (
      select p.workspace_id, promise_due_day(p.effective_due_at, p.due_at, p.paused_ms, w.time_zone) as due_day,
             promise_outcome(p.status, p.paused_at, p.kept_late, p.due_at, p.paused_ms) as outcome,
             p.type_key, p.owner_id::text as owner, a.tier, p.source
        from old_rows p
        join workspaces w on w.id = p.workspace_id
        join accounts a on a.workspace_id = p.workspace_id and a.id = p.account_id
    ) x
    cross join lateral (values ('all', 'all'), ('type', x.type_key), ('owner', x.owner), ('tier', x.tier), ('source', x.source)) d(dim, v)
    cross join (values ('day'), ('month')) g(grain)
   group by 1, 2, 3, 4, 5, 6
   order by 2, 3, 4, 5, 6
  on conflict (workspace_id, dim, grain, due_day, dim_value, outcome) do update set n = r.n + excluded.n;
  return null;
end
$$;

create trigger promises_rollups_insert after insert on promises
  referencing new table as new_rows for each statement execute function promise_rollups_on_insert();
create trigger promises_rollups_delete after delete on promises
  referencing old table as old_rows for each statement execute function promise_rollups_on_delete();
-- Only the columns a rollup depends on: the scheduler's constant next_reminder_at rewrites pay nothing.
create trigger promises_rollups_update after update on promises for each row
  when (old.status is distinct from new.status
     or old.paused_at is distinct from new.paused_at
     or old.kept_late is distinct from new.kept_late
     or old.effective_due_at is distinct from new.effective_due_at
     or old.due_at is distinct from new.due_at
     or old.paused_ms is distinct from new.paused_ms
     or old.owner_id is distinct from new.owner_id
     or old.type_key is distinct from new.type_key
     or old.source is distinct from new.source
     or old.account_id is distinct from new.account_id)
  execute function promise_rollups_on_update();

-- The whole rollup of one workspace from its promises (backfill, and a time-zone change). The
-- rebuilt counts overwrite (`on conflict … do update set n = excluded.n`): a row a concurrent writer
-- committed after the delete's snapshot cannot make the rebuild fail on a duplicate key. The FOR
-- SHARE locks the promise and tier triggers take on the workspace row keep such writers out while
-- the zone changes; this is the safety net.
create function promise_rollups_rebuild(ws uuid) returns void language sql as $$
  delete from promise_rollups where workspace_id = ws;
  insert into promise_rollups (workspace_id, dim, grain, due_day, dim_value, outcome, n)
  select ws, d.dim, g.grain, promise_grain_day(g.grain, x.due_day), d.v, x.outcome, count(*)
    from (
      select promise_due_day(p.effective_due_at, p.due_at, p.paused_ms, w.time_zone) as due_day,
             promise_outcome(p.status, p.paused_at, p.kept_late, p.due_at, p.paused_ms) as outcome,
             p.type_key, p.owner_id::text as owner, a.tier, p.source
        from promises p
        join workspaces w on w.id = p.workspace_id
        join accounts a on a.workspace_id = p.workspace_id and a.id = p.account_id
       where p.workspace_id = ws
    ) x
    cross join lateral (values ('all', 'all'), ('type', x.type_key), ('owner', x.owner), ('tier', x.tier), ('source', x.source)) d(dim, v)
    cross join (values ('day'), ('month')) g(grain)
   group by 2, 3, 4, 5, 6
   order by 2, 3, 4, 5, 6
  on conflict (workspace_id, dim, grain, due_day, dim_value, outcome) do update set n = excluded.n;
$$;

-- An account's tier changed: move its promises' tier rows from the old tier to the new one.
create function promise_rollups_on_tier() returns trigger language plpgsql as $$
declare
  zone text;
begin
  -- FOR SHARE: a concurrent zone change (which rebuilds every row) waits, or is waited for.
  select time_zone into zone from workspaces where id = new.workspace_id for share;
  insert into promise_rollups as r (workspace_id, dim, grain, due_day, dim_value, outcome, n)
  select new.workspace_id, 'tier', g.grain, promise_grain_day(g.grain, x.due_day), t.tier, x.outcome, sum(t.sign * x.n)
    from (
      select promise_due_day(p.effective_due_at, p.due_at, p.paused_ms, zone) as due_day,
             promise_outcome(p.status, p.paused_at, p.kept_late, p.due_at, p.paused_ms) as outcome, count(*) as n
        from promises p
       where p.workspace_id = new.workspace_id and p.account_id = new.id
       group by 1, 2
    ) x
    cross join (values (old.tier, -1), (new.tier, 1)) t(tier, sign)
    cross join (values ('day'), ('month')) g(grain)
   group by 3, 4, 5, 6
   order by 3, 4, 5, 6
  on conflict (workspace_id, dim, grain, due_day, dim_value, outcome) do update set n = r.n + excluded.n;
  return null;
end
$$;
create trigger accounts_rollups_tier after update of tier on accounts for each row
  when (old.tier is distinct from new.tier) execute function promise_rollups_on_tier();

-- The workspace's zone changed: every promise may fall on another local day.
create function promise_rollups_on_zone() returns trigger language plpgsql as $$
begin
  perform promise_rollups_rebuild(new.id);
  return null;
end
$$;
create trigger workspaces_rollups_zone after update of time_zone on workspaces for each row
  when (old.time_zone is distinct from new.time_zone) execute function promise_rollups_on_zone();

-- The few open promises paused after their due had passed, read exactly by overdue age
-- (src/measures/overdue-age.ts) beside the rollup path.
-- (An index predicate must be immutable and timestamptz + interval is not: the index holds every
-- paused open promise, and the query filters those whose due before the pause had passed.)
create index promises_open_paused_idx on promises (workspace_id, type_key)
  include (owner_id, due_at, paused_ms, paused_at)
  where status = 'open' and paused_at is not null;

-- Backfill the promises that exist already.
select promise_rollups_rebuild(id) from workspaces;
