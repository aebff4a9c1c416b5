// Shared reads, cached by react-query: the workspace's users (names for ids) and promise types.
import { useQuery } from '@tanstack/react-query';
import { call, client } from '../api/client';
import type { PromiseTypeView, UserView } from '../api/types';

export function useUsers() {
  return useQuery({
    queryKey: ['users'],
    queryFn: () => call<{ data: UserView[] }>(client.GET('/api/v1/users')).then((r) => r.data),
    staleTime: 60_000,
  });
}

/** id → name, for showing owners and actors. */
export function useUserNames(): (id: string | null | undefined) => string {
  const { data } = useUsers();
  const byId = new Map((data ?? []).map((u) => [u.id, u.name]));
  return (id) => (id ? (byId.get(id) ?? 'Unknown user') : '—');
}

export function usePromiseTypes() {
  return useQuery({
    queryKey: ['promise-types'],
    queryFn: () => call<{ data: PromiseTypeView[] }>(client.GET('/api/v1/promise-types')).then((r) => r.data),
    staleTime: 60_000,
  });
}
