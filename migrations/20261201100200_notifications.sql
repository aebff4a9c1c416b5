-- Notifications: each user's inbox, their notification preferences (channels per reminder kind,
-- quiet hours, the daily digest) and their secret calendar feed. Every key starts with
-- workspace_id. Only SQL accepted by both PostgreSQL 15 and PGlite (PostgreSQL 18).

-- One item per (notification, user): `key` is the notification's key + ':' + the user id, so a
-- retried or duplicated notify writes nothing new.
create table inbox_items (
  workspace_id uuid not null,
  id uuid not null,
  user_id uuid not null,
  reminder_id uuid,
  key text not null check (length(key) between 1 and 500),
  kind text not null check (length(kind) between 1 and 60),
  subject_type text not null check (subject_type in ('promise', 'account', 'signal', 'user')),
  subject_id uuid not null,
  title text not null check (length(title) between 1 and 500),
  text text not null check (length(text) <= 20000),
  created_at timestamptz not null,
  read_at timestamptz,
  snoozed_until timestamptz,
  done_at timestamptz,
  primary key (workspace_id, id),
  foreign key (workspace_id, user_id) references users (workspace_id, id),
  foreign key (workspace_id, reminder_id) references reminders (workspace_id, id)
);
create unique index inbox_items_key_idx on inbox_items (workspace_id, key);
create index inbox_items_user_idx on inbox_items (workspace_id, user_id, done_at, created_at desc, id desc);

-- Absent row = the defaults (src/notifications/preferences.ts). `channels` holds only the kinds the
-- user changed: {kind: ('email' | 'slack')[]}. Quiet hours are local 'HH:MM' in the user's zone
-- (null zone = the workspace's), both set or both null, and may cross midnight.
create table notification_preferences (
  workspace_id uuid not null,
  user_id uuid not null,
  channels jsonb not null default '{}'::jsonb check (jsonb_typeof(channels) = 'object'),
  quiet_start text check (quiet_start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  quiet_end text check (quiet_end ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  time_zone text check (time_zone is null or length(time_zone) between 1 and 100),
  digest_enabled boolean not null default true,
  digest_time text not null default '08:00' check (digest_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  slack_webhook_url text check (slack_webhook_url is null or length(slack_webhook_url) between 1 and 2000),
  -- Scheduler bookkeeping for the digest: the next instant it is due (null: not computed yet) and
  -- the scheduled instant of the last one sent.
  next_digest_at timestamptz,
  digest_fired_through timestamptz,
  updated_at timestamptz not null default now(),
  primary key (workspace_id, user_id),
  foreign key (workspace_id, user_id) references users (workspace_id, id),
  check ((quiet_start is null) = (quiet_end is null)),
  check (quiet_start is null or quiet_start <> quiet_end)
);
-- The digest claim looks across workspaces for due rows (like the reminder scheduler's claim
-- index, the documented exception to workspace_id leading an index).
create index notification_preferences_digest_idx on notification_preferences (next_digest_at)
  where digest_enabled;

-- One feed per user; rotating replaces the token hash, revoking sets revoked_at. The token in the
-- URL names the workspace and user, so the lookup stays keyed by workspace.
create table calendar_feeds (
  workspace_id uuid not null,
  user_id uuid not null,
  token_hash text not null check (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null,
  revoked_at timestamptz,
  last_used_at timestamptz,
  primary key (workspace_id, user_id),
  foreign key (workspace_id, user_id) references users (workspace_id, id)
);
