// A delivery log (outbound webhook deliveries, inbound integration events): newest first, 50 at a
// time, with older pages on demand, so an admin can trace a failure back past the last 50.
import { Button, Loader, Stack, Table, VisuallyHidden } from '@mantine/core';
import { type InfiniteData, type QueryKey, useInfiniteQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { Page } from '../api/types';
import { ErrorBanner } from './ErrorBanner';
import { focusableScroll } from './SettingsShared';

export const LOG_PAGE_SIZE = 50;

/** The log's pages; `fetchPage` reads one page of `LOG_PAGE_SIZE` from the cursor (none: the newest). */
export function usePagedLog<T>(
  queryKey: QueryKey,
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
) {
  return useInfiniteQuery<Page<T>, Error, InfiniteData<Page<T>>, QueryKey, string | undefined>({
    queryKey,
    initialPageParam: undefined,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export interface LogColumn {
  label: string;
  /** A column whose header is read by screen readers only (e.g. the row's actions). */
  hidden?: boolean;
}

export function PagedLog<T extends { id: string }>({
  log,
  caption,
  columns,
  minWidth,
  empty,
  row,
}: {
  log: ReturnType<typeof usePagedLog<T>>;
  caption: string;
  columns: LogColumn[];
  minWidth: number;
  empty: ReactNode;
  row: (item: T) => ReactNode;
}) {
  if (log.isPending) return <Loader size="sm" aria-label="Loading deliveries" />;
  // A failed older page keeps the pages already shown; only a failed first page replaces the table.
  if (!log.data) return <ErrorBanner error={log.error} title="Could not load the delivery log" />;
  const items = log.data.pages.flatMap((p) => p.data);
  if (items.length === 0) return empty;
  return (
    <Stack gap="xs">
      <Table.ScrollContainer scrollAreaProps={focusableScroll} minWidth={minWidth}>
        <Table fz="xs" withTableBorder captionSide="top">
          <Table.Caption>{caption}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th scope="col" key={c.label}>
                  {c.hidden ? <VisuallyHidden>{c.label}</VisuallyHidden> : c.label}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>{items.map((d) => row(d))}</Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {log.hasNextPage && (
        <Button
          variant="default"
          size="xs"
          onClick={() => log.fetchNextPage()}
          loading={log.isFetchingNextPage}
          style={{ alignSelf: 'flex-start' }}
        >
          Show older deliveries
        </Button>
      )}
      {log.isFetchNextPageError && <ErrorBanner error={log.error} title="Could not load older deliveries" />}
      {log.isRefetchError && <ErrorBanner error={log.error} title="Could not refresh the delivery log" />}
    </Stack>
  );
}
