-- Overdue age reads the frozen ages of the open promises paused after their due had passed
-- (src/measures/overdue-age.ts) on every request. promises_open_paused_idx holds every paused open
-- promise, most of them paused before their due, and the frozen age had to be computed and filtered
-- row by row. This index holds only those paused past due, keyed by their frozen age.
--
-- promise_frozen_ms = paused_at − (due_at + paused_ms), in ms: positive exactly when
-- due_at + paused_ms < paused_at, the rollup's `paused_past_due` (promise_outcome). An instant minus
-- an instant does not depend on the session's zone (timestamptz_mi and extract from an interval are
-- immutable), so the function is immutable and can be indexed.
create function promise_frozen_ms(due_at timestamptz, paused_ms bigint, paused_at timestamptz)
returns float8 language sql immutable as $$
  select (extract(epoch from (paused_at - due_at)) * 1000 - paused_ms)::float8
$$;

-- The columns the age is computed from are included: an index-only scan needs them even when the
-- query's expression is the indexed one.
create index promises_paused_past_due_idx
  on promises (workspace_id, type_key, promise_frozen_ms(due_at, paused_ms, paused_at))
  include (due_at, paused_ms, paused_at, owner_id)
  where status = 'open' and paused_at is not null and promise_frozen_ms(due_at, paused_ms, paused_at) > 0;
