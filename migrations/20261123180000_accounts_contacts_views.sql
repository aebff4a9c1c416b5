-- Accounts, contacts and saved views for the API: the keys integrations match accounts by, one
-- index per account-list sort (keyset pages), and saved promise views. Every key starts with
-- workspace_id. Only SQL accepted by both PostgreSQL 15 and PGlite (PostgreSQL 18).

-- Integrations match an account by their own id for it (one account per external id) or by domain.
create unique index accounts_external_id_key on accounts (workspace_id, external_id) where external_id is not null;
create index accounts_domain_idx on accounts (workspace_id, lower(domain)) where domain is not null;

-- The account list pages by (sort column, id); renewal date already has accounts_renewal_idx.
-- Name search is `name ILIKE '%q%'` within one workspace: a scan of that workspace's accounts
-- (a trigram index needs pg_trgm, which PGlite only has when the extension is loaded at connect).
create index accounts_name_idx on accounts (workspace_id, name, id);
create index accounts_arr_idx on accounts (workspace_id, arr_minor, id);
create index accounts_created_idx on accounts (workspace_id, created_at, id);

-- A saved view: a named filter + sort over promises. Private views are seen by their creator only;
-- shared views by the whole workspace.
create table saved_views (
  workspace_id uuid not null references workspaces (id),
  id uuid not null,
  name text not null check (length(name) between 1 and 200),
  visibility text not null check (visibility in ('private', 'shared')),
  -- The query parameters of GET /api/v1/promises as the user gave them (strings), validated when
  -- saved and again on every run, so a view always means what the list endpoint means today.
  query jsonb not null check (jsonb_typeof(query) = 'object'),
  created_by uuid not null,
  updated_by uuid not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (workspace_id, id),
  foreign key (workspace_id, created_by) references users (workspace_id, id),
  foreign key (workspace_id, updated_by) references users (workspace_id, id)
);
create index saved_views_creator_idx on saved_views (workspace_id, created_by, name);
create index saved_views_shared_idx on saved_views (workspace_id, name) where visibility = 'shared';
