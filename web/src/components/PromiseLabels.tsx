// Names and badges shared by the promise list, board and page: the API's enum values as words, the
// risk indicators of src/sla/risk.ts, and lookups of account names and promise-type labels.
import { Badge, Group } from '@mantine/core';
import { useQueries, useQuery } from '@tanstack/react-query';
import { call, client } from '../api/client';
import type { AccountView, Page, PromiseStatus, PromiseView, RiskLevel } from '../api/types';
import { words } from '../app/format';
import { usePromiseTypes } from '../app/queries';

export const STATUSES: PromiseStatus[] = ['open', 'kept', 'broken', 'cancelled'];

export const EMOTIONS = [
  'confused',
  'blocked',
  'skeptical',
  'urgent',
  'embarrassed',
  'disappointed',
  'excited',
  'politically_exposed',
] as const;

/** The indicators people set on a promise, as src/sla/risk.ts names them. */
export const RISK_INDICATORS: Record<string, string> = {
  external_vendor_dependency: 'Depends on an external vendor',
  new_skill: 'Needs new skills or unfamiliar technology',
  full_refund_guarantee: 'Guarantees a full refund for any shortfall',
  unclear_scope: 'Scope or success criteria are unclear',
  several_team_members: 'Needs coordination across several team members',
  customer_input_required: 'Depends on customer input or cooperation',
  high_demand_season: 'Due in a high-demand season',
};

export const riskIndicatorLabel = (key: string) => RISK_INDICATORS[key] ?? words(key);

// Light badges carry near-black text: coloured text on a tint of itself falls under 4.5:1 contrast.
const STATUS_COLOR: Record<PromiseStatus, string> = {
  open: 'blue',
  kept: 'green',
  broken: 'red',
  cancelled: 'gray',
};
const RISK_COLOR: Record<RiskLevel, string> = { high: 'red', medium: 'orange', low: 'gray' };

export function StatusBadge({ status }: { status: PromiseStatus }) {
  return (
    <Badge color={STATUS_COLOR[status]} variant="light" c="gray.9">
      {words(status)}
    </Badge>
  );
}

/** Status plus the states that matter while it is open: overdue, paused. */
export function PromiseStateBadges({
  promise,
}: {
  promise: Pick<PromiseView, 'status' | 'overdue' | 'paused'>;
}) {
  return (
    <Group gap={4} wrap="nowrap">
      <StatusBadge status={promise.status} />
      {promise.overdue && (
        <Badge color="red" variant="filled">
          Overdue
        </Badge>
      )}
      {promise.paused && (
        <Badge color="yellow" variant="light" c="gray.9">
          Paused
        </Badge>
      )}
    </Group>
  );
}

export function RiskBadge({ level }: { level: RiskLevel }) {
  return (
    <Badge color={RISK_COLOR[level]} variant="light" c="gray.9">
      {words(level)} risk
    </Badge>
  );
}

/** type key → its label (falls back to the key in words while types load). */
export function useTypeLabel(): (key: string) => string {
  const { data } = usePromiseTypes();
  const byKey = new Map((data ?? []).map((t) => [t.key, t.label]));
  return (key) => byKey.get(key) ?? words(key);
}

/** The first 500 accounts by name: enough to pick from; a larger workspace searches with `q`. */
export function useAccountOptions(search = '') {
  return useQuery({
    queryKey: ['accounts', 'options', search],
    queryFn: () =>
      call<Page<AccountView>>(
        client.GET('/api/v1/accounts', {
          params: { query: { sort: 'name', limit: 500, ...(search ? { q: search } : {}) } },
        }),
      ).then((r) => r.data),
    staleTime: 60_000,
  });
}

/**
 * id → account name for the given ids: from the options list, and one GET per account it does not
 * hold (a workspace with more accounts than one page).
 */
export function useAccountNames(ids: readonly string[]): (id: string) => string {
  const { data } = useAccountOptions();
  const known = new Map((data ?? []).map((a) => [a.id, a.name]));
  const missing = data ? [...new Set(ids)].filter((id) => !known.has(id)) : [];
  const extra = useQueries({
    queries: missing.map((id) => ({
      queryKey: ['account', id],
      queryFn: () =>
        call<AccountView>(
          client.GET('/api/v1/accounts/{accountId}', { params: { path: { accountId: id } } }),
        ),
      staleTime: 60_000,
    })),
  });
  for (const q of extra) if (q.data) known.set(q.data.id, q.data.name);
  return (id) => known.get(id) ?? 'Account';
}
