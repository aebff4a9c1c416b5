// The measure dashboards: fulfilment, overdue age, the customer-signal trends, NPS, cohort retention
// and account health, each a MeasureCard (chart, table toggle, CSV) over its /measures endpoint.
import { BarChart, CompositeChart, LineChart } from '@mantine/charts';
import { Anchor, Button, Group, Progress, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { Fragment, useState } from 'react';
import { Link } from 'react-router';
import type { HealthResultView, MeasureCell, MeasureResultView } from '../api/types';
import { useUserNames } from '../app/queries';
import {
  columnLabel,
  focusableScroll,
  MeasureCard,
  type MeasureFilters,
  measureQuery,
  pct,
} from './MeasureCard';

const num = (v: MeasureCell | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const rateOrNull = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 100);
const percentFormatter = (v: number) => `${v.toLocaleString(undefined, { maximumFractionDigits: 1 })}%`;

/**
 * Rows of a by-period answer as chart points: per period without a dimension; summed over the range
 * per dimension label with one (so "by type" compares the types).
 */
function chartPoints(
  result: MeasureResultView,
  counts: string[],
  rate: (sums: Record<string, number>) => number | null,
  rateKey: string,
): Record<string, string | number | null>[] {
  const groups = new Map<string, Record<string, number>>();
  for (const row of result.rows) {
    const key = result.by ? String(row.label ?? '(none)') : String(row.period);
    const sums = groups.get(key) ?? Object.fromEntries(counts.map((c) => [c, 0]));
    for (const c of counts) sums[c] = (sums[c] ?? 0) + num(row[c]);
    groups.set(key, sums);
  }
  return [...groups.entries()].map(([x, sums]) => ({ x, ...sums, [rateKey]: rate(sums) }));
}

function byNote(filters: MeasureFilters, dims: readonly string[], summed = true): string | undefined {
  if (!filters.by) return undefined;
  if (!dims.includes(filters.by))
    return `Not split by ${columnLabel('label', filters.by).toLowerCase()}: whole workspace.`;
  return summed ? 'Each bar sums the whole range for one value.' : undefined;
}

const FULFILMENT_DIMS = ['type', 'owner', 'team', 'tier', 'source'] as const;

export function FulfilmentCard({ filters, zone }: { filters: MeasureFilters; zone: string }) {
  return (
    <MeasureCard
      title="Fulfilment"
      path="/api/v1/measures/fulfilment"
      query={measureQuery(filters, { dimensions: FULFILMENT_DIMS })}
      zone={zone}
      note={byNote(filters, FULFILMENT_DIMS)}
    >
      {(r) => {
        const data = chartPoints(
          r,
          ['keptOnTime', 'keptLate', 'broken', 'openPastDue'],
          (s) =>
            rateOrNull(
              s.keptOnTime ?? 0,
              (s.keptOnTime ?? 0) + (s.keptLate ?? 0) + (s.broken ?? 0) + (s.openPastDue ?? 0),
            ),
          'percent',
        );
        return (
          <CompositeChart
            h={300}
            data={data}
            dataKey="x"
            withLegend
            legendProps={{ verticalAlign: 'bottom' }}
            withRightYAxis
            rightYAxisProps={{ domain: [0, 100], tickFormatter: (v: number) => `${v}%` }}
            rightYAxisLabel="Fulfilment rate"
            yAxisLabel="Promises"
            barProps={{ stackId: 'outcome' }}
            connectNulls={false}
            maxBarWidth={48}
            series={[
              { name: 'keptOnTime', label: 'Kept on time', color: 'teal.7', type: 'bar' },
              { name: 'keptLate', label: 'Kept late', color: 'yellow.6', type: 'bar' },
              { name: 'broken', label: 'Broken', color: 'red.7', type: 'bar' },
              { name: 'openPastDue', label: 'Open past due', color: 'orange.5', type: 'bar' },
              {
                name: 'percent',
                label: 'Fulfilment rate (%)',
                color: 'indigo.8',
                type: 'line',
                yAxisId: 'right',
              },
            ]}
          />
        );
      }}
    </MeasureCard>
  );
}

const BUCKETS: [string, string][] = [
  ['under1d', '< 1 d'],
  ['d1to3', '1–3 d'],
  ['d3to7', '3–7 d'],
  ['d7to14', '7–14 d'],
  ['d14to30', '14–30 d'],
  ['d30to90', '30–90 d'],
  ['d90plus', '90+ d'],
];
const OVERDUE_DIMS = ['type', 'owner'] as const;
const SERIES_COLORS = [
  'indigo.7',
  'teal.7',
  'orange.6',
  'grape.7',
  'cyan.8',
  'red.7',
  'lime.8',
  'pink.7',
  'blue.9',
  'yellow.7',
];

export function OverdueAgeCard({ filters, zone }: { filters: MeasureFilters; zone: string }) {
  return (
    <MeasureCard
      title="Overdue age now"
      path="/api/v1/measures/overdue-age"
      query={measureQuery(filters, { dimensions: OVERDUE_DIMS, periods: false })}
      zone={zone}
      note={
        filters.by && !(OVERDUE_DIMS as readonly string[]).includes(filters.by)
          ? 'Open promises past due today (split by type or owner only).'
          : 'Open promises past due today; pauses excluded from their age.'
      }
    >
      {(r) => {
        const rows = r.rows.filter((row) => num(row.count) > 0);
        const series = r.by
          ? rows.map((row, i) => ({
              name: `s${i}`,
              label: String(row.label ?? '(none)'),
              color: SERIES_COLORS[i % SERIES_COLORS.length] as string,
            }))
          : [{ name: 's0', label: 'Overdue promises', color: 'orange.7' }];
        const data = BUCKETS.map(([key, label]) => {
          const point: Record<string, string | number> = { bucket: label };
          (r.by ? rows : r.rows.slice(0, 1)).forEach((row, i) => {
            point[`s${i}`] = num(row[key]);
          });
          return point;
        });
        const whole = r.by ? undefined : r.rows[0];
        return (
          <Stack gap="xs">
            {whole && (
              <Group gap="lg">
                <Stat label="Overdue" value={String(num(whole.count))} />
                <Stat label="Median" value={days(whole.medianDays)} />
                <Stat label="P90" value={days(whole.p90Days)} />
                <Stat label="Max" value={days(whole.maxDays)} />
              </Group>
            )}
            <BarChart
              h={240}
              data={data}
              dataKey="bucket"
              type={r.by ? 'stacked' : 'default'}
              withLegend={Boolean(r.by)}
              series={series}
              yAxisLabel="Promises"
            />
          </Stack>
        );
      }}
    </MeasureCard>
  );
}

const days = (v: MeasureCell | undefined) =>
  typeof v === 'number' ? `${v.toLocaleString(undefined, { maximumFractionDigits: 1 })} days` : 'No data';

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
    </div>
  );
}

/** A rate measure over time: one line, or one line per dimension value. */
export function RateTrendCard({
  title,
  path,
  dimensions,
  filters,
  zone,
}: {
  title: string;
  path: string;
  dimensions: readonly string[];
  filters: MeasureFilters;
  zone: string;
}) {
  return (
    <MeasureCard
      title={title}
      path={path}
      query={measureQuery(filters, { dimensions })}
      zone={zone}
      note={byNote(filters, dimensions, false)}
    >
      {(r) => {
        const labels = r.by ? [...new Set(r.rows.map((row) => String(row.label ?? '(none)')))] : ['all'];
        const points = new Map<string, Record<string, string | number | null>>();
        for (const row of r.rows) {
          const period = String(row.period);
          const point = points.get(period) ?? { period };
          const key = `s${labels.indexOf(r.by ? String(row.label ?? '(none)') : 'all')}`;
          point[key] = typeof row.percent === 'number' ? row.percent : null;
          points.set(period, point);
        }
        return (
          <LineChart
            h={220}
            data={[...points.values()]}
            dataKey="period"
            connectNulls={false}
            withLegend={Boolean(r.by)}
            yAxisProps={{ domain: [0, 100] }}
            valueFormatter={percentFormatter}
            series={labels.map((label, i) => ({
              name: `s${i}`,
              label: r.by ? label : title,
              color: SERIES_COLORS[i % SERIES_COLORS.length] as string,
            }))}
          />
        );
      }}
    </MeasureCard>
  );
}

const SURVEY_DIMS = ['tier', 'segment', 'owner', 'team'] as const;

export function NpsCard({ filters, zone }: { filters: MeasureFilters; zone: string }) {
  return (
    <MeasureCard
      title="NPS"
      path="/api/v1/measures/nps"
      query={measureQuery(filters, { dimensions: SURVEY_DIMS })}
      zone={zone}
      note={byNote(filters, SURVEY_DIMS)}
    >
      {(r) => {
        const npsOf = (s: Record<string, number>) =>
          (s.respondents ?? 0) === 0
            ? null
            : Math.round((((s.promoters ?? 0) - (s.detractors ?? 0)) / (s.respondents ?? 1)) * 10_000) / 100;
        const data = chartPoints(r, ['respondents', 'promoters', 'passives', 'detractors'], npsOf, 'nps');
        const total = { respondents: 0, promoters: 0, passives: 0, detractors: 0 };
        for (const row of r.rows) {
          total.respondents += num(row.respondents);
          total.promoters += num(row.promoters);
          total.passives += num(row.passives);
          total.detractors += num(row.detractors);
        }
        const score = npsOf(total);
        return (
          <Stack gap="xs">
            <Group gap="lg">
              <Stat label="NPS over the range" value={score === null ? 'No data' : score.toLocaleString()} />
              <Stat label="Promoters (9–10)" value={String(total.promoters)} />
              <Stat label="Passives (7–8)" value={String(total.passives)} />
              <Stat label="Detractors (0–6)" value={String(total.detractors)} />
            </Group>
            <CompositeChart
              h={260}
              data={data}
              dataKey="x"
              withLegend
              legendProps={{ verticalAlign: 'bottom' }}
              withRightYAxis
              rightYAxisProps={{ domain: [-100, 100] }}
              rightYAxisLabel="NPS"
              yAxisLabel="Responses"
              barProps={{ stackId: 'nps' }}
              connectNulls={false}
              maxBarWidth={48}
              series={[
                { name: 'promoters', label: 'Promoters', color: 'teal.7', type: 'bar' },
                { name: 'passives', label: 'Passives', color: 'gray.5', type: 'bar' },
                { name: 'detractors', label: 'Detractors', color: 'red.7', type: 'bar' },
                { name: 'nps', label: 'NPS', color: 'indigo.8', type: 'line', yAxisId: 'right' },
              ]}
            />
          </Stack>
        );
      }}
    </MeasureCard>
  );
}

const ACCOUNT_DIMS = ['tier', 'owner', 'team'] as const;

/** Light-to-strong green behind dark text: readable (contrast) at every value. */
const heat = (percent: number) => `rgba(47, 158, 68, ${(0.08 + (percent / 100) * 0.55).toFixed(2)})`;

export function CohortRetentionCard({ filters, zone }: { filters: MeasureFilters; zone: string }) {
  return (
    <MeasureCard
      title="Cohort retention"
      path="/api/v1/measures/cohort-retention"
      query={measureQuery(filters, { dimensions: ACCOUNT_DIMS })}
      zone={zone}
      note="Share of each start cohort still a customer at each month end since."
    >
      {(r) => {
        const cohorts = new Map<string, { size: number; cells: Map<number, MeasureCell> }>();
        let maxIndex = 0;
        for (const row of r.rows) {
          const key = r.by ? `${row.period} · ${row.label ?? '(none)'}` : String(row.period);
          const cohort = cohorts.get(key) ?? { size: num(row.size), cells: new Map() };
          const k = num(row.monthIndex);
          maxIndex = Math.max(maxIndex, k);
          cohort.cells.set(k, row.percent ?? null);
          cohorts.set(key, cohort);
        }
        const indices = Array.from({ length: maxIndex + 1 }, (_, i) => i);
        return (
          <Table.ScrollContainer scrollAreaProps={focusableScroll} minWidth={160 + indices.length * 64}>
            <Table withTableBorder withColumnBorders fz="xs" captionSide="top">
              <Table.Caption>
                Retained share of each cohort (%), by months since the cohort's period
              </Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Cohort</Table.Th>
                  <Table.Th scope="col">Size</Table.Th>
                  {indices.map((i) => (
                    <Table.Th key={i} scope="col">
                      M{i}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {[...cohorts.entries()].map(([key, c]) => (
                  <Table.Tr key={key}>
                    <Table.Th scope="row">{key}</Table.Th>
                    <Table.Td>{c.size}</Table.Td>
                    {c.size === 0 ? (
                      <Table.Td colSpan={indices.length}>
                        <Text size="xs" c="dimmed">
                          No account started in this period.
                        </Text>
                      </Table.Td>
                    ) : (
                      indices.map((i) => {
                        const v = c.cells.get(i);
                        return (
                          <Table.Td
                            key={i}
                            style={{
                              background: typeof v === 'number' ? heat(v) : undefined,
                              color: '#1a1b1e',
                            }}
                          >
                            {c.cells.has(i) ? (typeof v === 'number' ? `${Math.round(v)}%` : 'No data') : ''}
                          </Table.Td>
                        );
                      })
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        );
      }}
    </MeasureCard>
  );
}

/** Account health now, lowest first, each with its explained breakdown one click away. */
export function HealthCard({ zone }: { zone: string }) {
  const userName = useUserNames();
  const [open, setOpen] = useState<string | null>(null);
  return (
    <MeasureCard<HealthResultView>
      title="Account health"
      path="/api/v1/measures/health"
      query={{ limit: '50' }}
      zone={zone}
      note="Lowest score first (the accounts that need attention); 0–100, weighted and explained."
    >
      {(r) => (
        <Table.ScrollContainer scrollAreaProps={focusableScroll} minWidth={640}>
          <Table fz="sm" verticalSpacing="xs" captionSide="top">
            <Table.Caption>
              {r.accounts.length} of {r.total} accounts
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Account</Table.Th>
                <Table.Th scope="col">Tier</Table.Th>
                <Table.Th scope="col">Owner</Table.Th>
                <Table.Th scope="col">Score</Table.Th>
                <Table.Th scope="col">Breakdown</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {r.accounts.map((a) => (
                <Fragment key={a.accountId}>
                  <Table.Tr>
                    <Table.Td>
                      <Anchor component={Link} to={`/accounts/${a.accountId}`}>
                        {a.accountName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{a.tier.replaceAll('_', ' ')}</Table.Td>
                    <Table.Td>{userName(a.ownerId)}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Progress
                          value={a.score}
                          w={80}
                          color={a.score < 40 ? 'red.7' : a.score < 70 ? 'yellow.6' : 'teal.7'}
                          aria-label={`Health score of ${a.accountName}`}
                        />
                        <Text size="sm" fw={600}>
                          {a.score.toLocaleString(undefined, { maximumFractionDigits: 1 })}
                        </Text>
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        aria-expanded={open === a.accountId}
                        onClick={() => setOpen((o) => (o === a.accountId ? null : a.accountId))}
                        aria-label={`${open === a.accountId ? 'Hide' : 'Show'} breakdown of ${a.accountName}`}
                      >
                        {open === a.accountId ? 'Hide' : 'Show'}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                  {open === a.accountId && (
                    <Table.Tr>
                      <Table.Td colSpan={5}>
                        <Table fz="xs" withTableBorder>
                          <Table.Thead>
                            <Table.Tr>
                              <Table.Th scope="col">Component</Table.Th>
                              <Table.Th scope="col">Value</Table.Th>
                              <Table.Th scope="col">Score</Table.Th>
                              <Table.Th scope="col">Weight</Table.Th>
                              <Table.Th scope="col">Points</Table.Th>
                            </Table.Tr>
                          </Table.Thead>
                          <Table.Tbody>
                            {a.breakdown.map((part) => (
                              <Table.Tr key={part.component}>
                                <Table.Td>
                                  <Text size="xs" fw={500}>
                                    {part.label}
                                  </Text>
                                  <Text size="xs" c="dimmed">
                                    {r.rules[part.component]?.rule}
                                  </Text>
                                </Table.Td>
                                <Table.Td>{part.raw === null ? '—' : String(part.raw)}</Table.Td>
                                <Table.Td>{part.score.toLocaleString()}</Table.Td>
                                <Table.Td>{pct(Math.round(part.weight * 1000) / 10)}</Table.Td>
                                <Table.Td>{part.contribution.toLocaleString()}</Table.Td>
                              </Table.Tr>
                            ))}
                          </Table.Tbody>
                        </Table>
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Fragment>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </MeasureCard>
  );
}

/** Every dashboard card, laid out for 1280 px and stacked on a phone. */
export function MeasureDashboards({ filters, zone }: { filters: MeasureFilters; zone: string }) {
  return (
    <Stack gap="md">
      <FulfilmentCard filters={filters} zone={zone} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <OverdueAgeCard filters={filters} zone={zone} />
        <NpsCard filters={filters} zone={zone} />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <RateTrendCard
          title="Repeat complaint rate"
          path="/api/v1/measures/repeat-complaint-rate"
          dimensions={ACCOUNT_DIMS}
          filters={filters}
          zone={zone}
        />
        <RateTrendCard
          title="Proactive update rate"
          path="/api/v1/measures/proactive-update-rate"
          dimensions={['tier', 'owner', 'team', 'type']}
          filters={filters}
          zone={zone}
        />
        <RateTrendCard
          title="Renewal-save rate"
          path="/api/v1/measures/renewal-save-rate"
          dimensions={ACCOUNT_DIMS}
          filters={filters}
          zone={zone}
        />
      </SimpleGrid>
      <CohortRetentionCard filters={filters} zone={zone} />
      <HealthCard zone={zone} />
    </Stack>
  );
}
