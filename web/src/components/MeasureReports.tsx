// The impact report (two 90-day windows side by side, with the change) and the daily, weekly and
// monthly reviews, each as tables, with the PDF/CSV downloads the API offers.
import {
  Anchor,
  Badge,
  Card,
  Center,
  Group,
  Loader,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { call, client } from '../api/client';
import type { ImpactFigureView, ImpactReportView, ReviewView } from '../api/types';
import { formatDateTime } from '../app/format';
import { ErrorBanner } from './ErrorBanner';
import { focusableScroll, MeasureTable } from './MeasureCard';

/** Today's date in the workspace zone, YYYY-MM-DD (en-CA formats dates that way). */
export const todayIn = (zone: string) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());

const daysBefore = (date: string, n: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
};

function figureValue(f: ImpactFigureView, v: number | null): string {
  if (v === null) return 'No data';
  const n = v.toLocaleString(undefined, { maximumFractionDigits: 2 });
  return f.unit === 'percent' ? `${n}%` : `${n} / month`;
}

function ChangeCell({ f }: { f: ImpactFigureView }) {
  if (f.changePercent === null) return <Text size="sm">—</Text>;
  const sign = f.changePercent > 0 ? '+' : '';
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm">
        {sign}
        {f.changePercent.toLocaleString(undefined, { maximumFractionDigits: 2 })}%
      </Text>
      {f.improved !== null && (
        <Badge size="sm" variant="light" color={f.improved ? 'teal' : 'red'} c="dark.7">
          {f.improved ? 'better' : 'worse'}
        </Badge>
      )}
    </Group>
  );
}

export function ImpactReport({ zone }: { zone: string }) {
  // Default pivot: 90 days ago, so both windows are complete.
  const [pivot, setPivot] = useState<string>(() => daysBefore(todayIn(zone), 90));
  const { data, error, isPending } = useQuery({
    queryKey: ['impact', pivot],
    queryFn: () =>
      call<ImpactReportView>(client.GET('/api/v1/reports/impact', { params: { query: { pivot } } })),
  });
  const href = (format: 'csv' | 'pdf') => `/api/v1/reports/impact?pivot=${pivot}&format=${format}`;
  return (
    <Card withBorder component="section" aria-labelledby="impact-title">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end" wrap="wrap">
          <div>
            <Title order={3} size="h4" id="impact-title">
              Impact report
            </Title>
            <Text size="sm" c="dimmed">
              The 90 days before a date beside the 90 days from it.
            </Text>
          </div>
          <Group gap="sm" align="flex-end">
            <DateInput
              label="Pivot date"
              value={pivot}
              onChange={(v) => v && setPivot(v.slice(0, 10))}
              maxDate={todayIn(zone)}
              valueFormat="D MMM YYYY"
              w={160}
            />
            <Anchor href={href('pdf')} download size="sm">
              Download PDF
            </Anchor>
            <Anchor href={href('csv')} download size="sm">
              Download CSV
            </Anchor>
          </Group>
        </Group>
        {isPending && (
          <Center h={100}>
            <Loader size="sm" aria-label="Loading the impact report" />
          </Center>
        )}
        <ErrorBanner error={error} title="Could not load the impact report" />
        {data && (
          <>
            {data.noData && <Text c="dimmed">No data in either window yet.</Text>}
            <Table.ScrollContainer scrollAreaProps={focusableScroll} minWidth={620}>
              <Table withTableBorder striped fz="sm" captionSide="top">
                <Table.Caption>
                  Before: {data.windows.before.from} to {data.windows.before.to} · After:{' '}
                  {data.windows.after.from} to {data.windows.after.to}
                  {data.windows.after.clipped ? ` (${data.windows.after.days} days so far)` : ''}
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Measure</Table.Th>
                    <Table.Th scope="col">Before</Table.Th>
                    <Table.Th scope="col">After</Table.Th>
                    <Table.Th scope="col">Change</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.figures.map((f) => (
                    <Table.Tr key={f.measure}>
                      <Table.Th scope="row" fw={f.headline ? 700 : 400}>
                        {f.label}
                        <Text size="xs" c="dimmed" fw={400}>
                          {f.better === 'lower' ? 'Lower is better' : 'Higher is better'}
                        </Text>
                      </Table.Th>
                      <Table.Td>
                        {figureValue(f, f.before)}
                        <Text size="xs" c="dimmed">
                          {f.beforeNumerator} / {f.beforeDenominator}
                          {f.unit === 'per_month' ? ' days' : ''}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {figureValue(f, f.after)}
                        <Text size="xs" c="dimmed">
                          {f.afterNumerator} / {f.afterDenominator}
                          {f.unit === 'per_month' ? ' days' : ''}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <ChangeCell f={f} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
      </Stack>
    </Card>
  );
}

type ReviewKind = 'daily' | 'weekly' | 'monthly';
const REVIEW_PATHS = {
  daily: '/api/v1/reports/reviews/daily',
  weekly: '/api/v1/reports/reviews/weekly',
  monthly: '/api/v1/reports/reviews/monthly',
} as const;

export function Reviews({ zone }: { zone: string }) {
  const [kind, setKind] = useState<ReviewKind>('weekly');
  // A day in the week or month to review; empty: the last complete one (the API's default).
  const [date, setDate] = useState<string | null>(null);
  const dated = kind !== 'daily' && date !== null;
  const { data, error, isPending } = useQuery({
    queryKey: ['review', kind, dated ? date : null],
    queryFn: () =>
      call<ReviewView>(
        kind === 'daily'
          ? client.GET(REVIEW_PATHS.daily)
          : client.GET(REVIEW_PATHS[kind], { params: { query: dated ? { date } : {} } }),
      ),
  });
  const csvHref = (section: string) =>
    `${REVIEW_PATHS[kind]}?${new URLSearchParams({ format: 'csv', section, ...(dated ? { date } : {}) })}`;
  return (
    <Card withBorder component="section" aria-labelledby="reviews-title">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end" wrap="wrap">
          <div>
            <Title order={3} size="h4" id="reviews-title">
              Reviews
            </Title>
            <Text size="sm" c="dimmed">
              Daily: due within 48 hours. Weekly: last week's fulfilment by type and delay patterns. Monthly:
              last month's fulfilment beside satisfaction.
            </Text>
          </div>
          <Group gap="sm" align="flex-end">
            {kind !== 'daily' && (
              <DateInput
                label={kind === 'weekly' ? 'Week of' : 'Month of'}
                placeholder={kind === 'weekly' ? 'Last week' : 'Last month'}
                value={date}
                onChange={(v) => setDate(v ? v.slice(0, 10) : null)}
                maxDate={todayIn(zone)}
                valueFormat="D MMM YYYY"
                clearable
                w={170}
              />
            )}
            <SegmentedControl
              aria-label="Review"
              value={kind}
              onChange={(v) => setKind(v as ReviewKind)}
              data={[
                { value: 'daily', label: 'Daily' },
                { value: 'weekly', label: 'Weekly' },
                { value: 'monthly', label: 'Monthly' },
              ]}
            />
          </Group>
        </Group>
        {isPending && (
          <Center h={100}>
            <Loader size="sm" aria-label="Loading the review" />
          </Center>
        )}
        <ErrorBanner error={error} title="Could not load the review" />
        {data && (
          <Stack gap="md">
            <Text size="sm">
              {data.review === 'daily' ? 'Today' : `Period ${data.period}`}: {data.from} to {data.to} · as of{' '}
              {formatDateTime(data.asOf, zone)}
            </Text>
            {data.noData && <Text c="dimmed">Nothing to review for this period.</Text>}
            {Object.entries(data.sections).map(([name, section]) => (
              <div key={name}>
                <Group justify="space-between" mb={4}>
                  <Title order={4} size="h5">
                    {section.title}
                  </Title>
                  <Anchor
                    href={csvHref(name)}
                    download
                    size="sm"
                    aria-label={`Download ${section.title} as CSV`}
                  >
                    CSV
                  </Anchor>
                </Group>
                <Text size="xs" c="dimmed" mb={4}>
                  {section.definition}
                </Text>
                <MeasureTable result={section} zone={zone} caption={section.title} />
              </div>
            ))}
          </Stack>
        )}
      </Stack>
    </Card>
  );
}
