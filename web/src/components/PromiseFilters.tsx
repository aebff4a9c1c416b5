// The promise list's filters and sort. They live in the URL query under the same names as the
// parameters of GET /api/v1/promises, so a filtered list is linkable and a saved view is exactly
// that query (src/views/saved-view.ts).
import { Button, Collapse, Group, MultiSelect, Select, SimpleGrid } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import { useState } from 'react';
import { words } from '../app/format';
import { usePromiseTypes, useUsers } from '../app/queries';
import { useSignedIn } from '../app/session';
import { EMOTIONS, RISK_INDICATORS, STATUSES, useAccountNames, useAccountOptions } from './PromiseLabels';

dayjs.extend(utc);
dayjs.extend(timezone);

export const FILTER_KEYS = [
  'owner',
  'account',
  'status',
  'type',
  'emotion',
  'riskLevel',
  'risk',
  'dueWithinDays',
  'dueFrom',
  'dueTo',
  'overdue',
  'paused',
  'sort',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
/** Filters + sort as URL strings (lists comma-separated, as the API and saved views take them). */
export type PromiseQuery = Partial<Record<FilterKey, string>>;

export const DEFAULT_SORT = 'effectiveDueAt';

export function readQuery(sp: URLSearchParams): PromiseQuery {
  const q: PromiseQuery = {};
  for (const k of FILTER_KEYS) {
    const v = sp.get(k);
    if (v) q[k] = v;
  }
  return q;
}

/** Only the keys that are set, sorted, without the default sort: for comparing a view with the URL. */
export function normalise(q: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(q).sort()) {
    const v = q[k];
    if (v === undefined || v === '') continue;
    if (k === 'sort' && v === DEFAULT_SORT) continue;
    out[k] = v;
  }
  return out;
}

export const sameQuery = (a: Record<string, string | undefined>, b: Record<string, string | undefined>) =>
  JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));

/** How many filters (not the sort) are set, for the "Filters (n)" button. */
export const activeFilterCount = (q: PromiseQuery) =>
  FILTER_KEYS.filter((k) => k !== 'sort' && k !== 'dueTo' && q[k]).length + (q.dueTo && !q.dueFrom ? 1 : 0);

const list = (v: string | undefined) => (v ? v.split(',').filter(Boolean) : []);

const SORT_OPTIONS = [
  { value: 'effectiveDueAt', label: 'Due date, soonest first' },
  { value: '-effectiveDueAt', label: 'Due date, latest first' },
  { value: '-createdAt', label: 'Newest first' },
  { value: 'createdAt', label: 'Oldest first' },
  { value: '-updatedAt', label: 'Recently changed' },
];

const DUE_OPTIONS = [
  { value: 'any', label: 'Any time' },
  { value: '2', label: 'In the next 48 hours' },
  { value: '7', label: 'In the next 7 days' },
  { value: '14', label: 'In the next 14 days' },
  { value: '30', label: 'In the next 30 days' },
  { value: 'range', label: 'Between dates…' },
];

const RISK_LEVEL_OPTIONS = [
  { value: 'high', label: 'High' },
  { value: 'medium', label: 'Medium' },
  { value: 'low', label: 'Low' },
];

const YES_NO = (yes: string, no: string) => [
  { value: 'any', label: 'Any' },
  { value: 'true', label: yes },
  { value: 'false', label: no },
];

export function PromiseFilterBar({
  query,
  onChange,
}: {
  query: PromiseQuery;
  onChange: (changes: PromiseQuery) => void;
}) {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const users = useUsers();
  const types = usePromiseTypes();
  const accounts = useAccountOptions();
  const accountName = useAccountNames(query.account ? [query.account] : []);
  const wide = useMediaQuery('(min-width: 48em)', true);
  const [open, toggle] = useDisclosure(false);
  const [customRange, setCustomRange] = useState(Boolean(query.dueFrom || query.dueTo));

  const accountData = (accounts.data ?? []).map((a) => ({ value: a.id, label: a.name }));
  if (query.account && !accountData.some((a) => a.value === query.account)) {
    accountData.unshift({ value: query.account, label: accountName(query.account) });
  }
  const userData = [
    { value: 'me', label: `Me (${session.user.name})` },
    ...(users.data ?? [])
      .filter((u) => u.id !== session.user.id)
      .map((u) => ({ value: u.id, label: u.name })),
  ];

  // The range is whole days in the workspace's zone: from the start of the first to the end of the last.
  const dayOf = (iso: string | undefined, back = 0) =>
    iso ? dayjs(iso).tz(zone).subtract(back, 'day').format('YYYY-MM-DD') : null;
  // The picker's own state: after the first click only one end is chosen, and the URL waits for both.
  const [range, setRange] = useState<[string | null, string | null]>([
    dayOf(query.dueFrom),
    dayOf(query.dueTo, 1),
  ]);
  // The URL can change under the bar (a saved view applied, back/forward): follow its range.
  const urlRange = `${query.dueFrom ?? ''}|${query.dueTo ?? ''}`;
  const [seenRange, setSeenRange] = useState(urlRange);
  if (seenRange !== urlRange) {
    setSeenRange(urlRange);
    if (query.dueFrom || query.dueTo) setRange([dayOf(query.dueFrom), dayOf(query.dueTo, 1)]);
    else if (!(range[0] && !range[1])) setRange([null, null]);
  }
  const dueValue = query.dueWithinDays ?? (customRange || query.dueFrom || query.dueTo ? 'range' : 'any');
  const count = activeFilterCount(query);

  const controls = (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm" verticalSpacing="xs">
      <Select
        label="Owner"
        placeholder="Anyone"
        data={userData}
        value={query.owner ?? null}
        onChange={(v) => onChange({ owner: v ?? undefined })}
        searchable
        clearable
      />
      <Select
        label="Account"
        placeholder="Any account"
        data={accountData}
        value={query.account ?? null}
        onChange={(v) => onChange({ account: v ?? undefined })}
        searchable
        clearable
        nothingFoundMessage="No account by that name"
      />
      <MultiSelect
        label="Status"
        placeholder={list(query.status).length ? undefined : 'Any status'}
        data={STATUSES.map((s) => ({ value: s, label: words(s) }))}
        value={list(query.status)}
        onChange={(v) => onChange({ status: v.join(',') || undefined })}
        clearable
      />
      <MultiSelect
        label="Type"
        placeholder={list(query.type).length ? undefined : 'Any type'}
        data={(types.data ?? []).map((t) => ({ value: t.key, label: t.label }))}
        value={list(query.type)}
        onChange={(v) => onChange({ type: v.join(',') || undefined })}
        searchable
        clearable
      />
      <MultiSelect
        label="Customer emotion"
        placeholder={list(query.emotion).length ? undefined : 'Any emotion'}
        data={EMOTIONS.map((e) => ({ value: e, label: words(e) }))}
        value={list(query.emotion)}
        onChange={(v) => onChange({ emotion: v.join(',') || undefined })}
        clearable
      />
      <MultiSelect
        label="Risk level"
        placeholder={list(query.riskLevel).length ? undefined : 'Any'}
        data={RISK_LEVEL_OPTIONS}
        value={list(query.riskLevel)}
        onChange={(v) => onChange({ riskLevel: v.join(',') || undefined })}
        clearable
      />
      <MultiSelect
        label="Risk indicator"
        placeholder={list(query.risk).length ? undefined : 'Any'}
        data={Object.entries(RISK_INDICATORS).map(([value, label]) => ({ value, label }))}
        value={list(query.risk)}
        onChange={(v) => onChange({ risk: v.join(',') || undefined })}
        clearable
      />
      <Select
        label="Due"
        data={DUE_OPTIONS}
        value={dueValue}
        allowDeselect={false}
        onChange={(v) => {
          setCustomRange(v === 'range');
          if (v === 'range') onChange({ dueWithinDays: undefined });
          else
            onChange({
              dueWithinDays: v && v !== 'any' ? v : undefined,
              dueFrom: undefined,
              dueTo: undefined,
            });
        }}
      />
      {dueValue === 'range' && (
        <DatePickerInput
          type="range"
          label="Due between"
          placeholder="Pick the first and last day"
          value={range}
          allowSingleDateInRange
          clearable
          onChange={([from, to]) => {
            setRange([from, to]);
            // Wait for both ends before filtering; clearing removes both.
            if (from && !to) return;
            onChange({
              dueFrom: from ? dayjs.tz(from, zone).toISOString() : undefined,
              dueTo: to ? dayjs.tz(to, zone).add(1, 'day').toISOString() : undefined,
            });
          }}
        />
      )}
      <Select
        label="Overdue"
        data={YES_NO('Overdue only', 'Not overdue')}
        value={query.overdue ?? 'any'}
        allowDeselect={false}
        onChange={(v) => onChange({ overdue: v && v !== 'any' ? v : undefined })}
      />
      <Select
        label="Paused"
        data={YES_NO('Paused only', 'Not paused')}
        value={query.paused ?? 'any'}
        allowDeselect={false}
        onChange={(v) => onChange({ paused: v && v !== 'any' ? v : undefined })}
      />
      <Select
        label="Sort by"
        data={SORT_OPTIONS}
        value={query.sort ?? DEFAULT_SORT}
        allowDeselect={false}
        onChange={(v) => onChange({ sort: v && v !== DEFAULT_SORT ? v : undefined })}
      />
    </SimpleGrid>
  );

  return (
    <div>
      <Group gap="xs" mb={wide || open ? 'xs' : 0}>
        {!wide && (
          <Button variant="default" size="xs" onClick={toggle.toggle} aria-expanded={open}>
            {open ? 'Hide filters' : `Filters${count ? ` (${count})` : ''}`}
          </Button>
        )}
        {count > 0 && (
          <Button
            variant="subtle"
            size="xs"
            onClick={() => {
              setCustomRange(false);
              setRange([null, null]);
              const cleared: PromiseQuery = {};
              for (const k of FILTER_KEYS) if (k !== 'sort') cleared[k] = undefined;
              onChange(cleared);
            }}
          >
            Clear filters
          </Button>
        )}
      </Group>
      <Collapse expanded={wide || open}>{controls}</Collapse>
    </div>
  );
}
