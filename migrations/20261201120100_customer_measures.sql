-- Indexes the customer-signal measures (src/measures/customer-measures.ts) need; no new tables.
-- Only SQL accepted by both PostgreSQL 15 and PGlite (PostgreSQL 18).

-- "Escalations reopened within 60 days / closed escalations": escalations with a closing in the
-- range. closed_at is the latest closing, so every escalation closed in a range has closed_at at or
-- after the range's start.
create index signals_escalation_closed_idx on signals (workspace_id, closed_at) where kind = 'escalation';

-- "Expectation mismatch rate (first 30 days)": accounts new in a period by contract start (accounts
-- without one are new by created_at, already indexed by accounts_created_idx).
create index accounts_contract_start_idx on accounts (workspace_id, contract_start) where contract_start is not null;

-- "Proactive update rate": the updates sent to the customer (comments with audience 'customer'),
-- by when they were sent. Internal comments (no audience in the payload) are not in it.
create index promise_events_customer_update_idx on promise_events (workspace_id, occurred_at, promise_id)
  where type = 'commented' and payload ->> 'audience' = 'customer';
