// The promise list as a table: @tanstack/react-table drives columns, row selection and sorting; the
// sort itself is the API's (manual), so sorting a column re-reads the list in that order.
import { Anchor, Checkbox, Stack, Table, Text, UnstyledButton } from '@mantine/core';
import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  type RowSelectionState,
  type SortingState,
  useReactTable,
} from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link } from 'react-router';
import type { PromiseView } from '../api/types';
import { formatDateTime, relative, words } from '../app/format';
import { useUserNames } from '../app/queries';
import { useSignedIn } from '../app/session';
import { PromiseStateBadges, RiskBadge, useAccountNames, useTypeLabel } from './PromiseLabels';

/** Columns the API sorts by, and the first direction a click asks for. */
const SORTABLE: Record<string, { key: string; firstDesc: boolean }> = {
  due: { key: 'effectiveDueAt', firstDesc: false },
  created: { key: 'createdAt', firstDesc: true },
  updated: { key: 'updatedAt', firstDesc: true },
};

export const dueOf = (p: PromiseView) => p.effectiveDueAt ?? p.dueAt;

export function PromiseTable({
  promises,
  sort,
  onSort,
  selectable,
  selection,
  onSelectionChange,
}: {
  promises: PromiseView[];
  /** The API sort, e.g. "-createdAt". */
  sort: string;
  onSort: (sort: string) => void;
  selectable: boolean;
  selection: RowSelectionState;
  onSelectionChange: (s: RowSelectionState) => void;
}) {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const userName = useUserNames();
  const typeLabel = useTypeLabel();
  const accountName = useAccountNames(promises.map((p) => p.accountId));

  const columns = useMemo<ColumnDef<PromiseView>[]>(() => {
    const cols: ColumnDef<PromiseView>[] = [
      {
        id: 'promise',
        header: 'Promise',
        cell: ({ row: { original: p } }) => (
          <Stack gap={2} miw={240} maw={420}>
            <Anchor component={Link} to={`/promises/${p.id}`} lineClamp={2} fw={500} size="sm">
              {p.promiseMade}
            </Anchor>
            <Text size="xs" c="dimmed" lineClamp={1}>
              Why it matters: {p.customerReason}
            </Text>
          </Stack>
        ),
      },
      {
        id: 'account',
        header: 'Account',
        cell: ({ row: { original: p } }) => (
          <Anchor component={Link} to={`/accounts/${p.accountId}`} size="sm">
            {accountName(p.accountId)}
          </Anchor>
        ),
      },
      { id: 'owner', header: 'Owner', cell: ({ row: { original: p } }) => userName(p.ownerId) },
      { id: 'type', header: 'Type', cell: ({ row: { original: p } }) => typeLabel(p.typeKey) },
      {
        id: 'status',
        header: 'Status',
        cell: ({ row: { original: p } }) => <PromiseStateBadges promise={p} />,
      },
      {
        id: 'due',
        header: 'Due',
        enableSorting: true,
        cell: ({ row: { original: p } }) => (
          <Stack gap={0}>
            <Text size="sm">{formatDateTime(dueOf(p), zone)}</Text>
            {p.status === 'open' && dueOf(p) && (
              <Text size="xs" c={p.overdue ? 'red.9' : 'dimmed'}>
                {relative(dueOf(p))}
              </Text>
            )}
          </Stack>
        ),
      },
      { id: 'risk', header: 'Risk', cell: ({ row: { original: p } }) => <RiskBadge level={p.risk.level} /> },
      { id: 'emotion', header: 'Emotion', cell: ({ row: { original: p } }) => words(p.emotion) },
      {
        id: 'created',
        header: 'Created',
        enableSorting: true,
        cell: ({ row: { original: p } }) => formatDateTime(p.createdAt, zone),
      },
      {
        id: 'updated',
        header: 'Last change',
        enableSorting: true,
        cell: ({ row: { original: p } }) => relative(p.updatedAt),
      },
    ];
    if (selectable) {
      cols.unshift({
        id: 'select',
        header: ({ table }) => (
          <Checkbox
            aria-label="Select all promises shown"
            checked={table.getIsAllRowsSelected()}
            indeterminate={table.getIsSomeRowsSelected()}
            onChange={table.getToggleAllRowsSelectedHandler()}
          />
        ),
        cell: ({ row }) => (
          <Checkbox
            aria-label={`Select “${row.original.promiseMade}”`}
            checked={row.getIsSelected()}
            onChange={row.getToggleSelectedHandler()}
          />
        ),
      });
    }
    return cols;
  }, [selectable, zone, userName, typeLabel, accountName]);

  const desc = sort.startsWith('-');
  const sortKey = sort.replace(/^-/, '');
  const sortedColumn = Object.entries(SORTABLE).find(([, s]) => s.key === sortKey)?.[0];
  const sorting: SortingState = sortedColumn ? [{ id: sortedColumn, desc }] : [];

  const table = useReactTable({
    data: promises,
    columns,
    getRowId: (p) => p.id,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    enableSortingRemoval: false,
    enableSorting: false,
    state: { rowSelection: selection, sorting },
    enableRowSelection: selectable,
    onRowSelectionChange: (u) => onSelectionChange(typeof u === 'function' ? u(selection) : u),
  });

  const clickSort = (columnId: string) => {
    const s = SORTABLE[columnId];
    if (!s) return;
    const nextDesc = sortedColumn === columnId ? !desc : s.firstDesc;
    onSort(`${nextDesc ? '-' : ''}${s.key}`);
  };

  return (
    <Table.ScrollContainer
      minWidth={1100}
      type="native"
      tabIndex={0}
      role="region"
      aria-label="Promises (scrolls sideways)"
    >
      <Table striped highlightOnHover verticalSpacing="xs">
        <Table.Thead>
          {table.getHeaderGroups().map((hg) => (
            <Table.Tr key={hg.id}>
              {hg.headers.map((h) => {
                const sortable = h.column.id in SORTABLE;
                const current = sortedColumn === h.column.id;
                return (
                  <Table.Th
                    key={h.id}
                    w={h.column.id === 'select' ? 40 : undefined}
                    aria-sort={current ? (desc ? 'descending' : 'ascending') : sortable ? 'none' : undefined}
                  >
                    {sortable ? (
                      <UnstyledButton
                        onClick={() => clickSort(h.column.id)}
                        fw={700}
                        fz="sm"
                        style={{ whiteSpace: 'nowrap' }}
                      >
                        {flexRender(h.column.columnDef.header, h.getContext())}{' '}
                        <span aria-hidden="true">{current ? (desc ? '▼' : '▲') : '↕'}</span>
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
          {table.getRowModel().rows.map((row) => (
            <Table.Tr key={row.id} bg={row.getIsSelected() ? 'var(--mantine-color-blue-light)' : undefined}>
              {row.getVisibleCells().map((cell) => (
                <Table.Td key={cell.id} fz="sm">
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
