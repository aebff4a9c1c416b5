// Measures: the dashboards (fulfilment, overdue age, trends, NPS, cohorts, health) over a chosen
// range, period and dimension; the impact report; the reviews. Filters live in the URL so a view
// can be shared.
import { Group, Select, Tabs } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { PageHeader } from '../app/Layout';
import { useSignedIn } from '../app/session';
import { useUrlParams } from '../app/url-params';
import { DIMENSION_LABELS, type Granularity, type MeasureFilters } from '../components/MeasureCard';
import { MeasureDashboards } from '../components/MeasureDashboards';
import { ImpactReport, Reviews } from '../components/MeasureReports';

const PERIODS: { value: Granularity; label: string }[] = [
  { value: 'day', label: 'Day (last 30 days)' },
  { value: 'week', label: 'Week (last 13 weeks)' },
  { value: 'month', label: 'Month (last 12 months)' },
  { value: 'quarter', label: 'Quarter (last 4 quarters)' },
];

const isGranularity = (v: string | null): v is Granularity =>
  v === 'day' || v === 'week' || v === 'month' || v === 'quarter';

export function MeasuresPage() {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const [params, updateParams] = useUrlParams();
  const period = params.get('period');
  const filters: MeasureFilters = {
    from: params.get('from'),
    to: params.get('to'),
    period: isGranularity(period) ? period : 'month',
    by: params.get('by'),
  };
  const view = params.get('view') ?? 'dashboards';

  const update = (changes: Record<string, string | null>) => updateParams(changes);

  return (
    <>
      <PageHeader title="Measures" />
      <Tabs
        value={view}
        onChange={(v) => update({ view: v === 'dashboards' ? null : v })}
        keepMounted={false}
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="dashboards">Dashboards</Tabs.Tab>
          <Tabs.Tab value="impact">Impact report</Tabs.Tab>
          <Tabs.Tab value="reviews">Reviews</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="dashboards">
          <Group mb="md" align="flex-end" gap="sm" wrap="wrap">
            <DatePickerInput
              type="range"
              label="Date range"
              description={`Local dates in ${zone}; empty: the default for the period`}
              value={[filters.from, filters.to]}
              onChange={([from, to]) => {
                // Both ends or neither: the API refuses half a range.
                if (from && to) update({ from: from.slice(0, 10), to: to.slice(0, 10) });
                else if (!from && !to) update({ from: null, to: null });
              }}
              clearable
              allowSingleDateInRange
              valueFormat="D MMM YYYY"
              w={{ base: '100%', sm: 280 }}
            />
            <Select
              label="Period"
              description="Each point of the charts"
              data={PERIODS}
              value={filters.period}
              onChange={(v) => update({ period: v && v !== 'month' ? v : null })}
              allowDeselect={false}
              w={{ base: '100%', sm: 220 }}
            />
            <Select
              label="Split by"
              description="Where the measure offers it"
              data={Object.entries(DIMENSION_LABELS).map(([value, label]) => ({ value, label }))}
              value={filters.by}
              onChange={(v) => update({ by: v })}
              placeholder="Whole workspace"
              clearable
              w={{ base: '100%', sm: 200 }}
            />
          </Group>
          <MeasureDashboards filters={filters} zone={zone} />
        </Tabs.Panel>
        <Tabs.Panel value="impact">
          <ImpactReport zone={zone} />
        </Tabs.Panel>
        <Tabs.Panel value="reviews">
          <Reviews zone={zone} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
