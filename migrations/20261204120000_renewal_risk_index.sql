-- Renewal-save rate reads, per chunk of accounts, their promises whose business consequence is
-- renewal risk (src/measures/account-measures.ts, loadChunkRisk). Without this index each chunk
-- walked every promise of its accounts and filtered the few with that consequence.
create index promises_renewal_risk_idx on promises (workspace_id, account_id)
  include (created_at, closed_at)
  where consequence = 'renewal_risk';
