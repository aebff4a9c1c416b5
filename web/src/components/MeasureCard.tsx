// The frame every measure on the dashboards shares: the measure's answer loaded from the API, its
// chart, the same rows as a table one click away, and the CSV of exactly what is shown.
import { Anchor, Button, Card, Center, Group, Loader, Popover, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useId, useState } from 'react';
import { call, client } from '../api/client';
import type { MeasureCell, MeasureResultView } from '../api/types';
import { formatDateTime } from '../app/format';
import { ErrorBanner } from './ErrorBanner';

/** A table wider than the screen scrolls; keyboard users reach the scroll region with Tab. */
export const focusableScroll = { viewportProps: { tabIndex: 0 } };

export type Granularity = 'day' | 'week' | 'month' | 'quarter';

/** The dashboard's period picker and dimension, applied to every measure that supports them. */
export interface MeasureFilters {
  from: string | null;
  to: string | null;
  period: Granularity;
  by: string | null;
}

export const DIMENSION_LABELS: Record<string, string> = {
  type: 'Promise type',
  owner: 'Owner',
  team: 'Team (manager)',
  tier: 'Tier',
  segment: 'Segment',
  source: 'Source',
};

/** The query a measure is asked with: the range only when both ends are chosen, `by` only where offered. */
export function measureQuery(
  f: MeasureFilters,
  opts: { dimensions?: readonly string[]; periods?: boolean } = {},
): Record<string, string> {
  const q: Record<string, string> = {};
  if (opts.periods !== false) {
    if (f.from && f.to) {
      q.from = f.from;
      q.to = f.to;
    }
    q.period = f.period;
  }
  if (f.by && opts.dimensions?.includes(f.by)) q.by = f.by;
  return q;
}

export const csvHref = (path: string, query: Record<string, string>) =>
  `${path}?${new URLSearchParams({ ...query, format: 'csv' }).toString()}`;

/** One measure's JSON answer (measure paths share the query shape, so the path is cast once here). */
export function useMeasure<T extends MeasureResultView = MeasureResultView>(
  path: string,
  query: Record<string, string>,
) {
  return useQuery({
    queryKey: ['measure', path, query],
    queryFn: () =>
      call<T>(client.GET(path as '/api/v1/measures/fulfilment', { params: { query: query as never } })),
    staleTime: 30_000,
  });
}

const COLUMN_LABELS: Record<string, string> = {
  period: 'Period',
  keptOnTime: 'Kept on time',
  keptLate: 'Kept late',
  broken: 'Broken',
  openPastDue: 'Open past due',
  paused: 'Paused',
  cancelled: 'Cancelled',
  openNotDue: 'Open, not yet due',
  numerator: 'Numerator',
  denominator: 'Denominator',
  percent: 'Rate (%)',
  count: 'Overdue promises',
  medianDays: 'Median (days)',
  p90Days: 'P90 (days)',
  maxDays: 'Max (days)',
  under1d: 'Under 1 day',
  d1to3: '1–3 days',
  d3to7: '3–7 days',
  d7to14: '7–14 days',
  d14to30: '14–30 days',
  d30to90: '30–90 days',
  d90plus: '90 days or more',
  nps: 'NPS',
  promoterPercent: 'Promoters (%)',
  detractorPercent: 'Detractors (%)',
  monthIndex: 'Months since start',
  size: 'Cohort size',
  asOf: 'As of',
  accountName: 'Account',
  score: 'Score',
};

/** Columns holding ids (their readable label is another column) are left out of the on-screen table. */
const HIDDEN_COLUMNS = new Set(['periodStart', 'dimension', 'accountId', 'ownerId']);

export function columnLabel(column: string, by?: string): string {
  if (column === 'label') return by ? (DIMENSION_LABELS[by] ?? 'Dimension') : 'Dimension';
  const known = COLUMN_LABELS[column];
  if (known) return known;
  const spaced = column.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

const RATE_LIKE = /percent|nps|rate|days|score|ltv|nrr/i;

/** A cell as read: numbers in the user's locale, a missing rate as "No data" (never NaN). */
export function formatCell(column: string, value: MeasureCell | undefined, zone: string): string {
  if (value === null || value === undefined || value === '') return RATE_LIKE.test(column) ? 'No data' : '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value.toLocaleString(undefined, { maximumFractionDigits: 2 }) : 'No data';
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDateTime(value, zone);
  return value;
}

export const pct = (v: MeasureCell | undefined) =>
  typeof v === 'number' && Number.isFinite(v)
    ? `${v.toLocaleString(undefined, { maximumFractionDigits: 2 })}%`
    : 'No data';

/** The rows of a measure answer as a table, in the API's column order. */
export function MeasureTable({
  result,
  zone,
  caption,
}: {
  result: Pick<MeasureResultView, 'columns' | 'rows' | 'by'>;
  zone: string;
  caption: string;
}) {
  const columns = result.columns.filter((c) => !HIDDEN_COLUMNS.has(c));
  return (
    <Table.ScrollContainer scrollAreaProps={focusableScroll} minWidth={Math.max(400, columns.length * 110)}>
      <Table striped withTableBorder fz="sm" captionSide="top">
        <Table.Caption>{caption}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            {columns.map((c) => (
              <Table.Th key={c} scope="col">
                {columnLabel(c, result.by)}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {result.rows.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={columns.length}>No rows for this range.</Table.Td>
            </Table.Tr>
          )}
          {result.rows.map((row, i) => (
            // Rows have no id of their own; the position is stable for one answer.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <Table.Tr key={i}>
              {columns.map((c) => (
                <Table.Td key={c}>{formatCell(c, row[c], zone)}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/**
 * A dashboard card for one measure: its title, a "Show table" toggle, the CSV download, and the
 * chart (given the answer) or "No data" when the range holds nothing to measure.
 */
export function MeasureCard<T extends MeasureResultView = MeasureResultView>({
  title,
  path,
  query,
  zone,
  note,
  children,
}: {
  title: string;
  path: string;
  query: Record<string, string>;
  zone: string;
  /** A line under the title (e.g. what the dimension does to this measure). */
  note?: string;
  children: (result: T) => ReactNode;
}) {
  const headingId = useId();
  const [showTable, setShowTable] = useState(false);
  const { data, error, isPending } = useMeasure<T>(path, query);
  return (
    <Card withBorder padding="md" component="section" aria-labelledby={headingId}>
      <Group justify="space-between" align="flex-start" mb="xs" wrap="wrap" gap="xs">
        <div>
          <Title order={3} size="h4" id={headingId}>
            {title}
          </Title>
          {note && (
            <Text size="xs" c="dimmed">
              {note}
            </Text>
          )}
        </div>
        <Group gap="xs">
          {data && (
            <Popover width={360} withArrow shadow="md">
              <Popover.Target>
                <Button size="xs" variant="subtle" aria-label={`Definition of ${title}`}>
                  Definition
                </Button>
              </Popover.Target>
              <Popover.Dropdown>
                <Text size="sm">{data.definition}</Text>
              </Popover.Dropdown>
            </Popover>
          )}
          <Button
            size="xs"
            variant="default"
            onClick={() => setShowTable((v) => !v)}
            aria-pressed={showTable}
            disabled={!data}
          >
            {showTable ? 'Show chart' : 'Show table'}
          </Button>
          <Anchor href={csvHref(path, query)} download size="sm" aria-label={`Download ${title} as CSV`}>
            CSV
          </Anchor>
        </Group>
      </Group>
      {isPending && (
        <Center h={120}>
          <Loader size="sm" aria-label={`Loading ${title}`} />
        </Center>
      )}
      <ErrorBanner error={error} title={`Could not load ${title.toLowerCase()}`} />
      {data &&
        (showTable ? (
          <MeasureTable result={data} zone={zone} caption={`${title}: the numbers behind the chart`} />
        ) : data.noData ? (
          <Center h={120}>
            <Text c="dimmed">No data for this range.</Text>
          </Center>
        ) : (
          children(data)
        ))}
    </Card>
  );
}
