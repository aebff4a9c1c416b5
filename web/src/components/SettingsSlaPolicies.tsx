// SLA policies in matching order (first active match wins; the fallback applies when none does):
// what each matches, its calendar, budget, checkpoints and escalation; added and edited in a modal
// form, deleted after a confirmation (the API refuses to delete a policy a promise uses).
import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Modal,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { ApiError, call, client, newIdempotencyKey } from '../api/client';
import type { CalendarView, SlaPolicyView } from '../api/types';
import { words } from '../app/format';
import { usePromiseTypes, useUserNames, useUsers } from '../app/queries';
import { ErrorBanner } from './ErrorBanner';
import { ConfirmButton, focusableScroll, notifyDone, SectionTitle } from './SettingsShared';

// The API's enums (src/accounts/account.ts TIERS, src/promises/promise.ts PRIORITIES, src/sla/policy.ts).
const TIERS = ['strategic', 'enterprise', 'mid_market', 'smb'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const CHECKPOINT_ACTIONS = ['internal_check_in', 'customer_update_required'];
const option = (v: string) => ({ value: v, label: words(v) });

/** What an edit recomputed (src/sla/recompute-sla.ts RecomputeResult). */
interface Recomputed {
  promises: number;
  events: number;
}

type Unit = 'minutes' | 'hours' | 'days';
type Kind = 'business' | 'calendar';

/**
 * Minutes in one "day" of budget. In calendar time a day is 24 hours; in business time it is the
 * calendar's average open day (Mon–Fri 9–17 → 8 h), which is what "2 business days" means to people.
 */
function dayMinutes(kind: Kind, calendar: CalendarView | undefined): number {
  if (kind === 'calendar' || !calendar) return 1440;
  const openDays = Object.values(calendar.calendar.week).filter((iv) => iv.length > 0).length;
  return openDays > 0 && calendar.weeklyMinutes > 0 ? Math.round(calendar.weeklyMinutes / openDays) : 1440;
}

const hm = (m: number) => {
  const h = Math.floor(m / 60);
  const min = m % 60;
  return [h ? `${h} h` : '', min ? `${min} min` : ''].filter(Boolean).join(' ') || '0 min';
};
const plural = (n: number, one: string) => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;

/** The budget in the largest whole unit: "2 business days (16 h)", "4 business hours", "90 calendar minutes". */
export function budgetText(target: SlaPolicyView['target'], calendar: CalendarView | undefined): string {
  const day = dayMinutes(target.kind, calendar);
  const m = target.minutes;
  const prefix = target.kind === 'business' ? 'business' : 'calendar';
  if (m % day === 0) {
    const n = m / day;
    const d = plural(n, `${prefix} day`);
    return target.kind === 'business' && day !== 1440 ? `${d} (${hm(m)})` : d;
  }
  if (m % 60 === 0) return plural(m / 60, `${prefix} hour`);
  return `${hm(m)} of ${prefix} time`;
}

/** The largest unit the stored minutes divide into, for the form. */
function toAmount(minutes: number, day: number): { amount: number; unit: Unit } {
  if (minutes % day === 0) return { amount: minutes / day, unit: 'days' };
  if (minutes % 60 === 0) return { amount: minutes / 60, unit: 'hours' };
  return { amount: minutes, unit: 'minutes' };
}

function matchText(p: SlaPolicyView, typeLabel: (key: string) => string): string[] {
  return [
    p.match.typeKeys.length ? `Types: ${p.match.typeKeys.map(typeLabel).join(', ')}` : '',
    p.match.tiers.length ? `Tiers: ${p.match.tiers.map(words).join(', ')}` : '',
    p.match.priorities.length ? `Priorities: ${p.match.priorities.map(words).join(', ')}` : '',
  ].filter(Boolean);
}

function useCalendars() {
  return useQuery({
    queryKey: ['calendars'],
    queryFn: () => call<{ data: CalendarView[] }>(client.GET('/api/v1/calendars')).then((r) => r.data),
  });
}

interface Draft {
  name: string;
  position: number | string;
  active: boolean;
  fallback: boolean;
  typeKeys: string[];
  tiers: string[];
  priorities: string[];
  calendarId: string | null;
  kind: Kind;
  amount: number | string;
  unit: Unit;
  checkpoints: { percent: number | string; action: string }[];
  /** Service credits by lateness, in hours of the policy's time (business hours for a business budget). */
  /** `fromMinutes`: the stored lateness, sent back as it is until the hours are edited. */
  remedies: { fromHours: number | string; fromMinutes: number | null; creditPercent: number | string }[];
  escalateTo: 'owner_manager' | 'user';
  escalationUserId: string | null;
}

function draftOf(p: SlaPolicyView | null, calendars: CalendarView[], nextPosition: number): Draft {
  const defaultCalendar = calendars.find((c) => c.isDefault) ?? calendars[0];
  if (!p)
    return {
      name: '',
      position: nextPosition,
      active: true,
      fallback: false,
      typeKeys: [],
      tiers: [],
      priorities: [],
      calendarId: defaultCalendar?.id ?? null,
      kind: 'business',
      amount: 1,
      unit: 'days',
      // The API's own defaults, shown so they can be changed before saving.
      checkpoints: [
        { percent: 50, action: 'internal_check_in' },
        { percent: 80, action: 'customer_update_required' },
      ],
      remedies: [],
      escalateTo: 'owner_manager',
      escalationUserId: null,
    };
  const calendar = calendars.find((c) => c.id === p.calendarId) ?? defaultCalendar;
  const { amount, unit } = toAmount(p.target.minutes, dayMinutes(p.target.kind, calendar));
  return {
    name: p.name,
    position: p.position,
    active: p.active,
    fallback: p.fallback,
    typeKeys: p.match.typeKeys,
    tiers: p.match.tiers,
    priorities: p.match.priorities,
    calendarId: p.calendarId ?? defaultCalendar?.id ?? null,
    kind: p.target.kind,
    amount,
    unit,
    checkpoints: p.checkpoints.map((c) => ({ ...c })),
    remedies: p.remedySchedule.map((r) => ({
      fromHours: r.fromBusinessMinutesLate / 60,
      fromMinutes: r.fromBusinessMinutesLate,
      creditPercent: r.creditPercent,
    })),
    escalateTo: p.escalation.to,
    escalationUserId: p.escalation.to === 'user' ? p.escalation.userId : null,
  };
}

/**
 * An ordered list of steps edited in place (checkpoints, remedy steps): each row's fields, a remove
 * button, the list's own error, and an add button up to `max`. A step's position is its identity.
 */
function StepList<T>({
  items,
  empty,
  error,
  addLabel,
  max,
  removeLabel,
  onRemove,
  onAdd,
  row,
}: {
  items: T[];
  empty: string;
  error: string | undefined;
  addLabel: string;
  max: number;
  removeLabel: (i: number) => string;
  onRemove: (i: number) => void;
  onAdd: () => void;
  row: (item: T, i: number) => ReactNode;
}) {
  return (
    <Stack gap="xs">
      {items.length === 0 && (
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      )}
      {items.map((item, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: steps are edited in place; position is identity
        <Group key={i} gap="xs" align="flex-start" wrap="nowrap">
          {row(item, i)}
          <ActionIcon
            variant="subtle"
            color="red"
            c="red.9"
            mt={28}
            aria-label={removeLabel(i)}
            onClick={() => onRemove(i)}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      {error && (
        <Text size="xs" c="red.9" role="alert">
          {error}
        </Text>
      )}
      <Group>
        <Button size="compact-sm" variant="subtle" disabled={items.length >= max} onClick={onAdd}>
          {addLabel}
        </Button>
      </Group>
    </Stack>
  );
}

function PolicyForm({
  policy,
  calendars,
  nextPosition,
  onClose,
}: {
  policy: SlaPolicyView | null;
  calendars: CalendarView[];
  nextPosition: number;
  onClose: () => void;
}) {
  const qc = useQueryClient();
  const types = usePromiseTypes();
  const users = useUsers();
  const [draft, setDraft] = useState<Draft>(() => draftOf(policy, calendars, nextPosition));
  // One key per opening of the form: a double submit creates one policy.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<unknown>(null);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const calendar = calendars.find((c) => c.id === draft.calendarId);
  const day = dayMinutes(draft.kind, calendar);
  const unitMinutes = draft.unit === 'days' ? day : draft.unit === 'hours' ? 60 : 1;
  const minutes = Math.round(Number(draft.amount) * unitMinutes);

  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: draft.name.trim(),
        position: Number(draft.position),
        active: draft.active,
        fallback: draft.fallback,
        match: { typeKeys: draft.typeKeys, tiers: draft.tiers, priorities: draft.priorities },
        ...(draft.calendarId ? { calendarId: draft.calendarId } : {}),
        target: { kind: draft.kind, minutes },
        checkpoints: draft.checkpoints.map((c) => ({ percent: Number(c.percent), action: c.action })),
        remedySchedule: draft.remedies.map((r) => ({
          fromBusinessMinutesLate: r.fromMinutes ?? Math.round(Number(r.fromHours) * 60),
          creditPercent: Number(r.creditPercent),
        })),
        escalation:
          draft.escalateTo === 'user'
            ? { to: 'user' as const, userId: draft.escalationUserId ?? '' }
            : { to: 'owner_manager' as const },
      };
      // The API validates the enums; the typed client only knows them as strings here.
      const sent = body as never;
      return policy
        ? call<SlaPolicyView & { recomputed: Recomputed }>(
            client.PATCH('/api/v1/sla-policies/{policyId}', {
              params: { path: { policyId: policy.id } },
              body: sent,
            }),
          )
        : call<SlaPolicyView>(
            client.POST('/api/v1/sla-policies', {
              body: sent,
              headers: { 'idempotency-key': idempotencyKey },
            }),
          );
    },
    onSuccess: (p) => {
      qc.invalidateQueries({ queryKey: ['sla-policies'] });
      // A change of budget, calendar or checkpoints moves the due dates of the policy's open promises.
      const moved = 'recomputed' in p ? (p as { recomputed: Recomputed }).recomputed.events : 0;
      notifyDone(
        policy
          ? `${p.name} saved${moved ? `; ${plural(moved, 'open promise')} rescheduled` : ''}.`
          : `${p.name} added.`,
      );
      onClose();
    },
    onError: (e) => {
      const fields = e instanceof ApiError ? e.fieldErrors() : {};
      setErrors(fields);
      // Problems the form has no field for stay visible in the banner.
      setBanner(Object.keys(fields).length > 0 ? null : e);
    },
  });

  const err = (...keys: string[]) => keys.map((k) => errors[k]).find(Boolean);
  const targetError = err('target.minutes', 'target', 'target.kind');
  const checkpointsError = err('checkpoints');
  const remediesError = err('remedySchedule');
  const setRemedy = (i: number, change: Partial<Draft['remedies'][number]>) =>
    set(
      'remedies',
      draft.remedies.map((x, j) => (j === i ? { ...x, ...change } : x)),
    );

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
      noValidate
    >
      <Stack gap="md">
        <ErrorBanner error={banner} title="Could not save the policy" />
        {Object.keys(errors).length > 0 && (
          <Text size="sm" c="red.9" role="alert">
            Some fields need attention: see the messages below.
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Name"
            required
            value={draft.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            error={err('name')}
            data-autofocus
          />
          <NumberInput
            label="Position"
            description="Lower positions are checked first"
            min={0}
            max={1_000_000}
            allowDecimal={false}
            value={draft.position}
            onChange={(v) => set('position', v)}
            error={err('position')}
          />
        </SimpleGrid>
        <Group gap="lg">
          <Switch
            label="Active"
            checked={draft.active}
            onChange={(e) => set('active', e.currentTarget.checked)}
            error={err('active')}
          />
          <Switch
            label="Fallback (applies when no policy matches)"
            checked={draft.fallback}
            onChange={(e) => set('fallback', e.currentTarget.checked)}
            error={err('fallback')}
          />
        </Group>

        <Title order={3} size="h5">
          Applies to
        </Title>
        <Text size="xs" c="dimmed" mt={-12}>
          Leave a list empty to match any value.
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <MultiSelect
            label="Promise types"
            placeholder="Any type"
            data={(types.data ?? []).map((t) => ({ value: t.key, label: t.label }))}
            value={draft.typeKeys}
            onChange={(v) => set('typeKeys', v)}
            error={err('match.typeKeys', 'match')}
            searchable
            clearable
          />
          <MultiSelect
            label="Account tiers"
            placeholder="Any tier"
            data={TIERS.map(option)}
            value={draft.tiers}
            onChange={(v) => set('tiers', v)}
            error={err('match.tiers')}
            clearable
          />
          <MultiSelect
            label="Priorities"
            placeholder="Any priority"
            data={PRIORITIES.map(option)}
            value={draft.priorities}
            onChange={(v) => set('priorities', v)}
            error={err('match.priorities')}
            clearable
          />
        </SimpleGrid>

        <Title order={3} size="h5">
          Budget
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="Calendar"
            data={calendars.map((c) => ({
              value: c.id,
              label: `${c.name}${c.isDefault ? ' (default)' : ''}`,
            }))}
            value={draft.calendarId}
            onChange={(v) => set('calendarId', v)}
            allowDeselect={false}
            error={err('calendarId')}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="sla-kind-label">
              Counted in
            </Text>
            <SegmentedControl
              aria-labelledby="sla-kind-label"
              data={[
                { value: 'business', label: 'Business time' },
                { value: 'calendar', label: 'Calendar time (24×7)' },
              ]}
              value={draft.kind}
              onChange={(v) => set('kind', v as Kind)}
            />
          </Stack>
        </SimpleGrid>
        <Group gap="sm" align="flex-start" wrap="wrap">
          <NumberInput
            label="Budget"
            required
            min={0}
            allowNegative={false}
            decimalScale={2}
            value={draft.amount}
            onChange={(v) => set('amount', v)}
            error={targetError}
            w={{ base: '100%', xs: 160 }}
          />
          <Select
            label="Unit"
            data={[
              { value: 'minutes', label: 'minutes' },
              { value: 'hours', label: 'hours' },
              { value: 'days', label: draft.kind === 'business' ? 'business days' : 'days' },
            ]}
            value={draft.unit}
            onChange={(v) => v && set('unit', v as Unit)}
            allowDeselect={false}
            w={{ base: '100%', xs: 170 }}
          />
          <Text size="sm" c="dimmed" pt={{ base: 0, xs: 30 }} aria-live="polite">
            {Number.isFinite(minutes) && minutes > 0
              ? `= ${budgetText({ kind: draft.kind, minutes }, calendar)}`
              : ''}
            {draft.unit === 'days' && draft.kind === 'business' && day !== 1440 && (
              <> · a business day on this calendar is {hm(day)}</>
            )}
          </Text>
        </Group>

        <Title order={3} size="h5">
          Checkpoints
        </Title>
        <Text size="xs" c="dimmed" mt={-12}>
          At each percent of the budget used, the promise's owner is asked to act.
        </Text>
        <StepList
          items={draft.checkpoints}
          empty="No checkpoints: nobody is reminded before the budget runs out."
          error={checkpointsError}
          addLabel="Add checkpoint"
          max={10}
          removeLabel={(i) => `Remove checkpoint ${i + 1}`}
          onRemove={(i) =>
            set(
              'checkpoints',
              draft.checkpoints.filter((_, j) => j !== i),
            )
          }
          onAdd={() => {
            const last = draft.checkpoints[draft.checkpoints.length - 1];
            const next = Math.min(99, (Number(last?.percent) || 40) + 10);
            set('checkpoints', [...draft.checkpoints, { percent: next, action: 'internal_check_in' }]);
          }}
          row={(c, i) => (
            <>
              <NumberInput
                label={`Checkpoint ${i + 1} percent`}
                min={1}
                max={99}
                suffix="%"
                allowNegative={false}
                value={c.percent}
                onChange={(v) =>
                  set(
                    'checkpoints',
                    draft.checkpoints.map((x, j) => (j === i ? { ...x, percent: v } : x)),
                  )
                }
                error={err(`checkpoints.${i}.percent`, `checkpoints.${i}`)}
                w={{ base: 110, xs: 160 }}
              />
              <Select
                label={`Checkpoint ${i + 1} action`}
                data={CHECKPOINT_ACTIONS.map(option)}
                value={c.action}
                onChange={(v) =>
                  v &&
                  set(
                    'checkpoints',
                    draft.checkpoints.map((x, j) => (j === i ? { ...x, action: v } : x)),
                  )
                }
                allowDeselect={false}
                error={err(`checkpoints.${i}.action`)}
                style={{ flex: 1 }}
              />
            </>
          )}
        />

        <Title order={3} size="h5">
          Remedy schedule
        </Title>
        <Text size="xs" c="dimmed" mt={-12}>
          The service credit owed when a promise is kept this late or later (hours of the policy's time).
        </Text>
        <StepList
          items={draft.remedies}
          empty="No remedy: a breach owes no service credit."
          error={remediesError}
          addLabel="Add remedy step"
          max={20}
          removeLabel={(i) => `Remove remedy ${i + 1}`}
          onRemove={(i) =>
            set(
              'remedies',
              draft.remedies.filter((_, j) => j !== i),
            )
          }
          onAdd={() => {
            const last = draft.remedies[draft.remedies.length - 1];
            set('remedies', [
              ...draft.remedies,
              last
                ? {
                    fromHours: (Number(last.fromHours) || 0) * 2 || 4,
                    fromMinutes: null,
                    creditPercent: last.creditPercent,
                  }
                : { fromHours: 4, fromMinutes: null, creditPercent: 5 },
            ]);
          }}
          row={(r, i) => (
            <>
              <NumberInput
                label={`Remedy ${i + 1} from hours late`}
                min={0}
                decimalScale={2}
                suffix=" h"
                allowNegative={false}
                value={r.fromHours}
                onChange={(v) => setRemedy(i, { fromHours: v, fromMinutes: null })}
                error={err(`remedySchedule.${i}.fromBusinessMinutesLate`, `remedySchedule.${i}`)}
                style={{ flex: 1 }}
              />
              <NumberInput
                label={`Remedy ${i + 1} credit`}
                max={100}
                decimalScale={2}
                suffix="%"
                allowNegative={false}
                value={r.creditPercent}
                onChange={(v) => setRemedy(i, { creditPercent: v })}
                error={err(`remedySchedule.${i}.creditPercent`)}
                w={{ base: 110, xs: 160 }}
              />
            </>
          )}
        />

        <Title order={3} size="h5">
          Escalation
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="Escalate to"
            data={[
              { value: 'owner_manager', label: "The owner's manager" },
              { value: 'user', label: 'A named person' },
            ]}
            value={draft.escalateTo}
            onChange={(v) => v && set('escalateTo', v as Draft['escalateTo'])}
            allowDeselect={false}
            error={err('escalation.to', 'escalation')}
          />
          {draft.escalateTo === 'user' && (
            <Select
              label="Person"
              required
              searchable
              data={(users.data ?? []).map((u) => ({ value: u.id, label: u.name }))}
              value={draft.escalationUserId}
              onChange={(v) => set('escalationUserId', v)}
              error={err('escalation.userId')}
            />
          )}
        </SimpleGrid>

        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {policy ? 'Save policy' : 'Add policy'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function SettingsSlaPolicies() {
  const qc = useQueryClient();
  const userName = useUserNames();
  const types = usePromiseTypes();
  const calendars = useCalendars();
  const policies = useQuery({
    queryKey: ['sla-policies'],
    queryFn: () => call<{ data: SlaPolicyView[] }>(client.GET('/api/v1/sla-policies')).then((r) => r.data),
  });
  // undefined: closed; null: a new policy; a policy: editing it. `opening` remounts the form per opening.
  const [editing, setEditing] = useState<SlaPolicyView | null | undefined>(undefined);
  const [opening, setOpening] = useState(0);
  const phone = useMediaQuery('(max-width: 36em)');
  const open = (p: SlaPolicyView | null) => {
    setOpening((n) => n + 1);
    setEditing(p);
  };

  const calendarList = calendars.data ?? [];
  const calendarOf = (id: string | null) =>
    calendarList.find((c) => c.id === id) ?? calendarList.find((c) => c.isDefault);
  const typeLabel = (key: string) => types.data?.find((t) => t.key === key)?.label ?? words(key);
  const list = policies.data ?? [];
  const nextPosition = list.length ? Math.max(...list.map((p) => p.position)) + 1 : 0;

  const remove = (p: SlaPolicyView) =>
    call(client.DELETE('/api/v1/sla-policies/{policyId}', { params: { path: { policyId: p.id } } })).then(
      () => {
        qc.invalidateQueries({ queryKey: ['sla-policies'] });
        notifyDone(`${p.name} deleted.`);
      },
    );

  return (
    <Card withBorder>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="wrap">
          <SectionTitle description="The first active policy that matches a promise sets its due date and checkpoints; the fallback applies when none does.">
            SLA policies
          </SectionTitle>
          <Button onClick={() => open(null)} disabled={!calendars.data}>
            Add a policy
          </Button>
        </Group>
        <ErrorBanner error={policies.error} title="Could not load SLA policies" />
        <ErrorBanner error={calendars.error} title="Could not load calendars" />
        {(policies.isPending || calendars.isPending) && (
          <Loader size="sm" aria-label="Loading SLA policies" />
        )}
        {policies.data && list.length === 0 && (
          <Text size="sm" c="dimmed">
            No SLA policies yet: promises are due when their owner says. Add a policy to give promises a due
            date and checkpoints from their type, account tier or priority.
          </Text>
        )}
        {policies.data && list.length > 0 && (
          <Table.ScrollContainer scrollAreaProps={focusableScroll} minWidth={1000}>
            <Table verticalSpacing="xs" fz="sm" aria-label="SLA policies">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Position</Table.Th>
                  <Table.Th scope="col">Policy</Table.Th>
                  <Table.Th scope="col">Applies to</Table.Th>
                  <Table.Th scope="col">Calendar</Table.Th>
                  <Table.Th scope="col">Budget</Table.Th>
                  <Table.Th scope="col">Checkpoints</Table.Th>
                  <Table.Th scope="col">Escalates to</Table.Th>
                  <Table.Th scope="col">Remedies</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((p) => {
                  const matches = matchText(p, typeLabel);
                  return (
                    <Table.Tr key={p.id} data-policy={p.name}>
                      <Table.Td>{p.position}</Table.Td>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {p.name}
                        </Text>
                        <Group gap={4}>
                          {!p.active && (
                            <Badge size="xs" color="gray" variant="light" c="dark.7">
                              inactive
                            </Badge>
                          )}
                          {p.fallback && (
                            <Badge size="xs" variant="light" c="dark.7">
                              fallback
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        {matches.length === 0
                          ? 'Every promise'
                          : matches.map((m) => (
                              <Text key={m} size="sm">
                                {m}
                              </Text>
                            ))}
                      </Table.Td>
                      <Table.Td>{calendarOf(p.calendarId)?.name ?? 'Unknown calendar'}</Table.Td>
                      <Table.Td>{budgetText(p.target, calendarOf(p.calendarId))}</Table.Td>
                      <Table.Td>
                        {p.checkpoints.length === 0
                          ? 'None'
                          : p.checkpoints.map((c) => (
                              <Text key={c.percent} size="sm">
                                {c.percent}%: {words(c.action).toLowerCase()}
                              </Text>
                            ))}
                      </Table.Td>
                      <Table.Td>
                        {p.escalation.to === 'owner_manager'
                          ? "Owner's manager"
                          : userName(p.escalation.userId)}
                      </Table.Td>
                      <Table.Td>
                        {p.remedySchedule.length === 0
                          ? 'None'
                          : p.remedySchedule
                              .map((r) => `${r.creditPercent}% from ${hm(r.fromBusinessMinutesLate)} late`)
                              .join('; ')}
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} wrap="nowrap">
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            onClick={() => open(p)}
                            aria-label={`Edit ${p.name}`}
                          >
                            Edit
                          </Button>
                          <ConfirmButton
                            label="Delete"
                            ariaLabel={`Delete ${p.name}`}
                            title={`Delete ${p.name}?`}
                            message="A policy that promises already use cannot be deleted; deactivate it instead. New promises will no longer match it."
                            confirmLabel="Delete policy"
                            onConfirm={() => remove(p)}
                          />
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
      <Modal
        opened={editing !== undefined}
        onClose={() => setEditing(undefined)}
        title={editing ? `Edit ${editing.name}` : 'Add an SLA policy'}
        size="xl"
        // The form is long: on a phone it takes the whole screen.
        fullScreen={phone}
      >
        {editing !== undefined && calendars.data && (
          <PolicyForm
            key={opening}
            policy={editing}
            calendars={calendars.data}
            nextPosition={nextPosition}
            onClose={() => setEditing(undefined)}
          />
        )}
      </Modal>
    </Card>
  );
}
