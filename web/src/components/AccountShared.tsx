// Pieces shared by the account pages, handoffs and escalations: the account vocabularies, the
// temperature's colours, an account picker searched on the server, and field messages for forms.
import { Badge, Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { call, client } from '../api/client';
import type { AccountView, Page } from '../api/types';
import { words } from '../app/format';

export const TIERS = ['strategic', 'enterprise', 'mid_market', 'smb'] as const;
export const TEMPERATURES = ['warm', 'neutral', 'strained', 'fragile'] as const;
export const LIFECYCLE_STAGES = ['land', 'adopt', 'expand', 'renew'] as const;

/** An orange or green alert's title in the body's black: the hue's own shade is below 4.5:1 on its tint. */
export const READABLE_TITLE = { title: { color: 'var(--mantine-color-black)' } };

/**
 * Placeholders in a form at 4.5:1 (Mantine's default grey is lighter): the pickers show theirs as
 * text where a value would be, so it must be readable.
 */
export const READABLE_PLACEHOLDER = {
  '--mantine-color-placeholder': 'var(--mantine-color-gray-7)',
} as React.CSSProperties;

/** Mantine colours of each temperature (shade 8 keeps white text readable). */
export const TEMPERATURE_COLOR: Record<string, string> = {
  warm: 'green',
  neutral: 'gray',
  strained: 'orange',
  fragile: 'red',
};

export function TemperatureBadge({ temperature }: { temperature: string | null | undefined }) {
  if (!temperature) {
    return (
      <Badge color="gray" variant="dot">
        Not set
      </Badge>
    );
  }
  return (
    <Badge color={TEMPERATURE_COLOR[temperature] ?? 'gray'} variant="dot">
      {words(temperature)}
    </Badge>
  );
}

/** Today's calendar date in the workspace's zone, YYYY-MM-DD. */
export function todayIn(zone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
    .format(new Date())
    .slice(0, 10);
}

/** Whole days from one calendar date to another (both YYYY-MM-DD). */
export const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** One account, with its open and overdue promise counts. */
export function useAccount(accountId: string | undefined) {
  return useQuery({
    queryKey: ['account', accountId],
    enabled: Boolean(accountId),
    queryFn: () =>
      call<AccountView>(
        client.GET('/api/v1/accounts/{accountId}', { params: { path: { accountId: accountId as string } } }),
      ),
  });
}

/** An API field message under its field: without the repeated field name, capitalised. */
export function fieldText(field: string, message: string | undefined): string | undefined {
  if (!message) return undefined;
  const m = message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
  if (m === 'is required') return 'This field is required';
  return m.charAt(0).toUpperCase() + m.slice(1);
}

/** A searchable account picker: names are searched on the server, the chosen one stays listed. */
export function AccountSelect({
  value,
  onChange,
  error,
  label = 'Account',
  required,
  description,
}: {
  value: string | null;
  onChange: (id: string | null) => void;
  error?: string | undefined;
  label?: string;
  required?: boolean;
  description?: string;
}) {
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<{ value: string; label: string } | null>(null);
  const [q] = useDebouncedValue(search.trim(), 250);
  const accounts = useQuery({
    queryKey: ['accounts', 'search', q],
    queryFn: () =>
      call<Page<AccountView>>(
        client.GET('/api/v1/accounts', { params: { query: { ...(q ? { q } : {}), limit: 20 } } }),
      ),
    staleTime: 30_000,
  });
  const options = (accounts.data?.data ?? []).map((a) => ({ value: a.id, label: a.name }));
  if (chosen && !options.some((o) => o.value === chosen.value)) options.unshift(chosen);
  return (
    <Select
      label={label}
      description={description}
      placeholder="Search accounts by name"
      searchable
      data={options}
      value={value}
      searchValue={search}
      onSearchChange={setSearch}
      onChange={(v, option) => {
        setChosen(v ? { value: v, label: option.label } : null);
        onChange(v);
      }}
      nothingFoundMessage={accounts.isLoading ? 'Loading…' : 'No account matches'}
      error={error ?? (accounts.error ? 'Could not load accounts' : undefined)}
      required={required}
      clearable
      filter={({ options: o }) => o}
    />
  );
}
