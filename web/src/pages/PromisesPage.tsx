// Promises: every promise matching the filters in the URL, as a table (sortable, selectable for bulk
// reassign) or a board grouped by status, owner or type; saved views store the filters + sort.
import { Button, Center, Group, Loader, Paper, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import type { RowSelectionState } from '@tanstack/react-table';
import { useEffect, useState } from 'react';
import { ApiError, call, client } from '../api/client';
import type { Page, PromiseView } from '../api/types';
import { can } from '../app/can';
import { PageHeader } from '../app/Layout';
import { useSignedIn } from '../app/session';
import { useUrlParams } from '../app/url-params';
import { ErrorBanner } from '../components/ErrorBanner';
import { type BoardGrouping, PromiseBoard } from '../components/PromiseBoard';
import { PromiseBulkReassign } from '../components/PromiseBulkReassign';
import {
  activeFilterCount,
  DEFAULT_SORT,
  FILTER_KEYS,
  PromiseFilterBar,
  type PromiseQuery,
  readQuery,
} from '../components/PromiseFilters';
import { PromiseTable } from '../components/PromiseTable';
import { PromiseViews } from '../components/PromiseViews';

const PAGE_SIZE = 50;
const AUTO_CONTINUE = 10;
const GROUPINGS: { value: BoardGrouping; label: string }[] = [
  { value: 'status', label: 'Status' },
  { value: 'owner', label: 'Owner' },
  { value: 'type', label: 'Type' },
];

export function PromisesPage() {
  const session = useSignedIn();
  const queryClient = useQueryClient();
  const [params, updateParams, setParams] = useUrlParams();
  const query = readQuery(params);
  const mode = params.get('mode') === 'board' ? 'board' : 'table';
  const groupBy = (GROUPINGS.find((g) => g.value === params.get('group'))?.value ??
    'status') as BoardGrouping;
  const viewId = params.get('view');
  const [selection, setSelection] = useState<RowSelectionState>({});
  // Reassigning needs write rights on each promise; a viewer has none, so no selection at all.
  const mayReassign = can(session, 'promise.write_own') || can(session, 'promise.write_any');

  /** Changes URL keys (undefined removes one), keeping the rest; a new filter clears the selection. */
  const update = (changes: Record<string, string | undefined>) => {
    updateParams(changes, { replace: false });
  };
  const updateFilters = (changes: PromiseQuery) => {
    setSelection({});
    update(changes);
  };

  const apiQuery = { ...query, sort: query.sort ?? DEFAULT_SORT };
  const list = useInfiniteQuery({
    queryKey: ['promises', 'list', apiQuery],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      const read = (extra: { cursor?: string; count?: 'true' }) =>
        call<Page<PromiseView>>(
          client.GET('/api/v1/promises', {
            params: {
              query: {
                ...apiQuery,
                dueWithinDays: apiQuery.dueWithinDays ? Number(apiQuery.dueWithinDays) : undefined,
                overdue: apiQuery.overdue as 'true' | 'false' | undefined,
                paused: apiQuery.paused as 'true' | 'false' | undefined,
                limit: PAGE_SIZE,
                ...extra,
              },
            },
          }),
        );
      // The total is counted once, on the first page.
      if (pageParam) return read({ cursor: pageParam });
      try {
        return await read({ count: 'true' });
      } catch (err) {
        // A risk-level count is refused past a size (each promise is assessed): list without it.
        if (err instanceof ApiError && err.status === 400 && err.fieldErrors().count) return read({});
        throw err;
      }
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const promises = list.data?.pages.flatMap((p) => p.data) ?? [];
  // A risk-level filter is worked out per promise: a page can come back short (even empty) with a
  // cursor, after the server read its per-request share of rows. Keep reading for a while without
  // a click; after AUTO_CONTINUE short pages in a row, "Load more" takes over.
  const pages = list.data?.pages ?? [];
  let shortRun = 0;
  for (let i = pages.length - 1; i >= 0 && pages[i]!.data.length < PAGE_SIZE; i--) shortRun++;
  const keepReading =
    list.hasNextPage && !list.isFetching && shortRun > 0 && shortRun < AUTO_CONTINUE && !list.isError;
  useEffect(() => {
    if (keepReading) void list.fetchNextPage();
  }, [keepReading, list.fetchNextPage]);
  const total = list.data?.pages[0]?.total;
  const selected = promises.filter((p) => selection[p.id]);

  const afterReassign = () => {
    setSelection({});
    void queryClient.invalidateQueries({ queryKey: ['promises'] });
  };

  return (
    <>
      <PageHeader title="Promises">
        <SegmentedControl
          aria-label="Show as"
          value={mode}
          onChange={(v) => update({ mode: v === 'board' ? 'board' : undefined })}
          data={[
            { value: 'table', label: 'Table' },
            { value: 'board', label: 'Board' },
          ]}
        />
      </PageHeader>

      <Stack gap="sm">
        <PromiseViews
          query={query}
          activeViewId={viewId}
          onApply={(v) => {
            setSelection({});
            const next = new URLSearchParams();
            for (const [k, val] of Object.entries(v.query)) {
              if ((FILTER_KEYS as readonly string[]).includes(k) && val) next.set(k, val);
            }
            next.set('view', v.id);
            if (mode === 'board') {
              next.set('mode', 'board');
              next.set('group', groupBy);
            }
            setParams(next);
          }}
          onClear={() => update({ view: undefined })}
        />
        <PromiseFilterBar query={query} onChange={updateFilters} />

        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text size="sm" c="dimmed" role="status">
            {list.isLoading
              ? 'Loading promises…'
              : total !== undefined
                ? `${promises.length} of ${total} promise${total === 1 ? '' : 's'} shown`
                : `${promises.length} shown`}
          </Text>
          <Group gap="xs">
            {mode === 'board' && (
              <Select
                label="Group by"
                data={GROUPINGS}
                value={groupBy}
                onChange={(v) => update({ group: v && v !== 'status' ? v : undefined })}
                allowDeselect={false}
                size="xs"
                w={140}
              />
            )}
            {mode === 'table' && mayReassign && selected.length > 0 && (
              <>
                <Text size="sm">{selected.length} selected</Text>
                <Button size="xs" variant="subtle" onClick={() => setSelection({})}>
                  Clear selection
                </Button>
                <PromiseBulkReassign selected={selected} onDone={afterReassign} />
              </>
            )}
          </Group>
        </Group>

        <ErrorBanner error={list.error} title="The promises could not be loaded" />

        {list.isLoading ? (
          <Center py="xl">
            <Loader aria-label="Loading promises" />
          </Center>
        ) : promises.length === 0 && !list.error ? (
          <Paper withBorder p="lg">
            <Text fw={500}>No promises match.</Text>
            <Text size="sm" c="dimmed">
              {activeFilterCount(query) > 0
                ? 'Try fewer filters, or clear them to see every promise.'
                : 'Capture the first promise with “Capture promise” at the top of the page.'}
            </Text>
          </Paper>
        ) : mode === 'board' ? (
          <PromiseBoard promises={promises} groupBy={groupBy} />
        ) : (
          <PromiseTable
            promises={promises}
            sort={query.sort ?? DEFAULT_SORT}
            onSort={(s) => updateFilters({ sort: s === DEFAULT_SORT ? undefined : s })}
            selectable={mayReassign}
            selection={selection}
            onSelectionChange={setSelection}
          />
        )}

        {list.hasNextPage && (
          <Center>
            <Button variant="default" onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
              Load more
            </Button>
          </Center>
        )}
      </Stack>
    </>
  );
}
