// Accounts: search and filter (name, tier, temperature, renewal window, owner), sorted on the server,
// with each account's open and overdue promises. Filters live in the address, so a list can be shared.
import {
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery } from '@tanstack/react-query';
import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  type SortingState,
  useReactTable,
} from '@tanstack/react-table';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { call, client } from '../api/client';
import type { AccountView, Page } from '../api/types';
import { formatMoney, words } from '../app/format';
import { PageHeader } from '../app/Layout';
import { useUserNames, useUsers } from '../app/queries';
import { useSignedIn } from '../app/session';
import { useUrlParams } from '../app/url-params';
import { TEMPERATURES, TemperatureBadge, TIERS } from '../components/AccountShared';
import { ErrorBanner } from '../components/ErrorBanner';

const SORTABLE: Record<string, string> = { name: 'name', renewalDate: 'renewalDate', arrMinor: 'arr' };
const PAGE_SIZE = 50;

export function AccountsPage() {
  const session = useSignedIn();
  const [params, updateParams, setParams] = useUrlParams();
  const users = useUsers();
  const userName = useUserNames();

  const [qInput, setQInput] = useState(params.get('q') ?? '');
  const [q] = useDebouncedValue(qInput.trim(), 300);
  const tier = params.get('tier')?.split(',').filter(Boolean) ?? [];
  const temperature = params.get('temperature')?.split(',').filter(Boolean) ?? [];
  const renewingWithinDays = params.get('renewingWithinDays');
  const owner = params.get('owner');
  const sort = params.get('sort') ?? 'name';

  const setParam = (key: string, value: string | null) => updateParams({ [key]: value });
  // The search box writes to the address once the user pauses typing.
  // biome-ignore lint/correctness/useExhaustiveDependencies: setParam is rebuilt every render
  useEffect(() => {
    if ((params.get('q') ?? '') !== q) setParam('q', q || null);
  }, [q]);

  const query = {
    ...(q ? { q } : {}),
    ...(tier.length ? { tier: tier.join(',') } : {}),
    ...(temperature.length ? { temperature: temperature.join(',') } : {}),
    ...(renewingWithinDays ? { renewingWithinDays: Number(renewingWithinDays) } : {}),
    ...(owner ? { owner } : {}),
    sort,
    limit: PAGE_SIZE,
    count: 'true' as const,
  };
  const list = useInfiniteQuery({
    queryKey: ['accounts', 'list', query],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call<Page<AccountView>>(
        client.GET('/api/v1/accounts', {
          params: { query: { ...query, ...(pageParam ? { cursor: pageParam } : {}) } as never },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total;

  const sorting: SortingState = [
    {
      id: Object.entries(SORTABLE).find(([, v]) => v === sort.replace(/^-/, ''))?.[0] ?? 'name',
      desc: sort.startsWith('-'),
    },
  ];

  const columns = useMemo<ColumnDef<AccountView>[]>(
    () => [
      {
        id: 'name',
        accessorFn: (a) => a.name,
        sortDescFirst: false,
        header: 'Account',
        cell: ({ row }) => (
          <Anchor component={Link} to={`/accounts/${row.original.id}`} fw={500}>
            {row.original.name}
          </Anchor>
        ),
      },
      { id: 'tier', header: 'Tier', enableSorting: false, cell: ({ row }) => words(row.original.tier) },
      {
        id: 'temperature',
        header: 'Temperature',
        enableSorting: false,
        cell: ({ row }) => <TemperatureBadge temperature={row.original.temperature} />,
      },
      {
        id: 'renewalDate',
        accessorFn: (a) => a.renewalDate,
        sortDescFirst: false,
        header: 'Renewal',
        // A calendar date (the customer's), shown as written rather than shifted by a zone.
        cell: ({ row }) => row.original.renewalDate ?? '—',
      },
      {
        id: 'arrMinor',
        accessorFn: (a) => a.arrMinor,
        sortDescFirst: true,
        header: 'ARR',
        cell: ({ row }) => formatMoney(row.original.arrMinor, row.original.currency),
      },
      {
        id: 'stage',
        header: 'Stage',
        enableSorting: false,
        cell: ({ row }) => words(row.original.lifecycleStage),
      },
      {
        id: 'owner',
        header: 'Owner',
        enableSorting: false,
        cell: ({ row }) => userName(row.original.ownerId),
      },
      {
        id: 'open',
        header: 'Open',
        enableSorting: false,
        // The list answers each account's counts with it.
        cell: ({ row }) => row.original.promises?.open ?? '—',
      },
      {
        id: 'overdue',
        header: 'Overdue',
        enableSorting: false,
        cell: ({ row }) => {
          const c = row.original.promises;
          if (!c) return '—';
          return c.overdue > 0 ? (
            <Badge color="red" variant="dot">
              {c.overdue}
            </Badge>
          ) : (
            0
          );
        },
      },
    ],
    [userName],
  );

  const table = useReactTable({
    data: rows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    // The server always sorts by something: clicking a sorted column flips it rather than clearing it.
    enableSortingRemoval: false,
    state: { sorting },
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      const first = next[0];
      const key = first ? SORTABLE[first.id] : undefined;
      setParam('sort', key ? `${first?.desc ? '-' : ''}${key}` : null);
    },
  });

  const ownerOptions = [
    { value: 'me', label: `Me (${session.user.name})` },
    ...(users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: u.name })),
  ];
  const filtered = Boolean(q || tier.length || temperature.length || renewingWithinDays || owner);

  return (
    <>
      <PageHeader title="Accounts" />
      <Stack gap="md">
        <form aria-label="Filter accounts" onSubmit={(e) => e.preventDefault()}>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label="Search"
              placeholder="Account name"
              value={qInput}
              onChange={(e) => setQInput(e.currentTarget.value)}
              w={{ base: '100%', sm: 220 }}
            />
            <MultiSelect
              label="Tier"
              placeholder={tier.length ? undefined : 'Any tier'}
              data={TIERS.map((t) => ({ value: t, label: words(t) }))}
              value={tier}
              onChange={(v) => setParam('tier', v.join(','))}
              clearable
              w={{ base: '100%', sm: 200 }}
            />
            <MultiSelect
              label="Temperature"
              placeholder={temperature.length ? undefined : 'Any temperature'}
              data={TEMPERATURES.map((t) => ({ value: t, label: words(t) }))}
              value={temperature}
              onChange={(v) => setParam('temperature', v.join(','))}
              clearable
              w={{ base: '100%', sm: 220 }}
            />
            <NumberInput
              label="Renewing within (days)"
              placeholder="Any time"
              min={0}
              max={3660}
              allowDecimal={false}
              allowNegative={false}
              value={renewingWithinDays ?? ''}
              onChange={(v) => setParam('renewingWithinDays', v === '' ? null : String(v))}
              w={{ base: '100%', sm: 180 }}
            />
            <Select
              label="Owner"
              placeholder="Anyone"
              data={ownerOptions}
              value={owner}
              onChange={(v) => setParam('owner', v)}
              searchable
              clearable
              w={{ base: '100%', sm: 200 }}
            />
            {filtered && (
              <Button
                variant="subtle"
                onClick={() => {
                  setQInput('');
                  setParams(sort !== 'name' ? { sort } : {}, { replace: true });
                }}
              >
                Clear filters
              </Button>
            )}
          </Group>
        </form>

        <ErrorBanner error={list.error} title="Could not load accounts" />

        {list.isLoading ? (
          <Group justify="center" p="xl">
            <Loader aria-label="Loading accounts" />
          </Group>
        ) : rows.length === 0 && !list.error ? (
          <Text c="dimmed" p="md" role="status">
            {filtered
              ? 'No account matches these filters. Clear a filter or search for another name.'
              : 'No accounts yet. Create accounts through the API or import them as CSV, then they appear here.'}
          </Text>
        ) : (
          <>
            <Text size="sm" c="dimmed" role="status">
              {total !== undefined
                ? `${total} account${total === 1 ? '' : 's'}${filtered ? ' match' : ''}`
                : ''}
            </Text>
            <Table.ScrollContainer minWidth={900}>
              <Table striped highlightOnHover aria-label="Accounts">
                <Table.Thead>
                  {table.getHeaderGroups().map((hg) => (
                    <Table.Tr key={hg.id}>
                      {hg.headers.map((h) => {
                        const sorted = h.column.getIsSorted();
                        return (
                          <Table.Th
                            key={h.id}
                            aria-sort={
                              sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined
                            }
                          >
                            {h.column.getCanSort() ? (
                              <UnstyledButton onClick={h.column.getToggleSortingHandler()} fw={700} fz="sm">
                                {flexRender(h.column.columnDef.header, h.getContext())}
                                <span aria-hidden="true">
                                  {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ' ↕'}
                                </span>
                                <VisuallyHidden>
                                  {sorted
                                    ? `, sorted ${sorted === 'asc' ? 'ascending' : 'descending'}`
                                    : ', sort'}
                                </VisuallyHidden>
                              </UnstyledButton>
                            ) : (
                              flexRender(h.column.columnDef.header, h.getContext())
                            )}
                          </Table.Th>
                        );
                      })}
                    </Table.Tr>
                  ))}
                </Table.Thead>
                <Table.Tbody>
                  {table.getRowModel().rows.map((r) => (
                    <Table.Tr key={r.id}>
                      {r.getVisibleCells().map((c) => (
                        <Table.Td key={c.id}>{flexRender(c.column.columnDef.cell, c.getContext())}</Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {list.hasNextPage && (
              <Group justify="center">
                <Button
                  variant="default"
                  onClick={() => list.fetchNextPage()}
                  loading={list.isFetchingNextPage}
                >
                  Load more accounts
                </Button>
              </Group>
            )}
          </>
        )}
      </Stack>
    </>
  );
}
