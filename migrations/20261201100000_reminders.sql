-- Durable reminders (src/reminders): scheduled work is data. Each open promise and each account
-- stores the instant of its next reminder; any number of server instances claim due rows with
-- FOR UPDATE SKIP LOCKED and record every fired effect once, under a unique key.
-- Only SQL accepted by both PostgreSQL 15 and PGlite (PostgreSQL 18).

-- Scheduler bookkeeping, not promise state: these two columns are not folded from ledger events,
-- are not part of PromiseState and are never hashed. `reminders_fired_through` is the due instant
-- of the last reminder fired (null: none yet); `next_reminder_at` the instant of the next one
-- (null: nothing pending — closed, paused, or no reminder left). Both are rewritten in the same
-- transaction as every change of the promise (create, change, SLA events) and by the scheduler.
alter table promises add column next_reminder_at timestamptz;
alter table promises add column reminders_fired_through timestamptz;
-- The scheduler claims due promises across all workspaces, oldest first: together with
-- integrations_id_idx the documented exceptions to workspace-first indexes. Partial, so it holds
-- only promises with something pending.
create index promises_next_reminder_idx on promises (next_reminder_at)
  where status = 'open' and next_reminder_at is not null;

-- The same bookkeeping for accounts (renewal preparation, inactivity).
alter table accounts add column next_reminder_at timestamptz;
alter table accounts add column reminders_fired_through timestamptz;
create index accounts_next_reminder_idx on accounts (next_reminder_at) where next_reminder_at is not null;

-- Days without product activity after which the account owner hears about it.
alter table workspaces add column inactivity_days integer not null default 14
  check (inactivity_days between 1 and 365);

-- One row per fired effect. `key` is the effect's identity (`promise:<id>:<kind>:<due epoch ms>`,
-- `account:…`, `signal:<id>:payment_failed:1`): a retry, a crash between claim and commit, or a
-- second instance computes the same key, and the unique index turns it into nothing new.
-- `due_at` is the instant the reminder was scheduled for; `lateness_ms` = fired_at − due_at.
create table reminders (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  key text not null check (length(key) between 1 and 300),
  subject_type text not null check (subject_type in ('promise', 'account', 'signal', 'user')),
  subject_id uuid not null,
  kind text not null check (kind in ('checkpoint_internal_check_in', 'checkpoint_customer_update_required',
    'due', 'overdue', 'renewal_prep', 'inactivity', 'payment_failed', 'digest')),
  due_at timestamptz not null,
  fired_at timestamptz not null,
  lateness_ms bigint not null,
  recipient_ids uuid[] not null default '{}',
  primary key (workspace_id, id)
);
create unique index reminders_key_key on reminders (workspace_id, key);
create index reminders_subject_idx on reminders (workspace_id, subject_type, subject_id, due_at);

-- Promises and accounts that exist before this migration: what elapsed before it is not announced
-- now; the scheduler's first pass plans each one's next reminder (a claimed row with nothing due
-- is simply rescheduled).
update promises set reminders_fired_through = now(), next_reminder_at = now()
  where status = 'open' and paused_at is null;
update accounts set reminders_fired_through = now(), next_reminder_at = now();
