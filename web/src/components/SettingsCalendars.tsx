// Business calendars (SLA policies have their own tab): weekly opening hours per weekday,
// holidays, and an .ics holiday import. Saving hours or holidays recomputes the open promises of the
// policies on that calendar (the API records it in their ledgers).
import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Checkbox,
  FileInput,
  Group,
  Loader,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { DateInput, TimeInput } from '@mantine/dates';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, call, client } from '../api/client';
import type { CalendarShape, CalendarView, Weekday } from '../api/types';
import { ErrorBanner } from './ErrorBanner';
import { notifyDone, SectionTitle } from './SettingsShared';

/** What a change of hours or holidays recomputed (src/sla/recompute-sla.ts RecomputeResult). */
interface Recomputed {
  promises: number;
  events: number;
}

const WEEKDAYS: { key: Weekday; label: string }[] = [
  { key: 'mon', label: 'Monday' },
  { key: 'tue', label: 'Tuesday' },
  { key: 'wed', label: 'Wednesday' },
  { key: 'thu', label: 'Thursday' },
  { key: 'fri', label: 'Friday' },
  { key: 'sat', label: 'Saturday' },
  { key: 'sun', label: 'Sunday' },
];

/** `<input type="time">` cannot hold "24:00"; an end of 00:00 can only mean midnight, so they map. */
const toInput = (t: string) => (t === '24:00' ? '00:00' : t);
const fromEnd = (t: string) => (t === '00:00' ? '24:00' : t);

function CalendarEditor({ calendar }: { calendar: CalendarView }) {
  const qc = useQueryClient();
  const [draft, setDraft] = useState<CalendarShape>(calendar.calendar);
  const [newHoliday, setNewHoliday] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<unknown>(null);
  const [file, setFile] = useState<File | null>(null);
  const [replace, setReplace] = useState(false);
  useEffect(() => {
    setDraft(calendar.calendar);
    setErrors({});
    setBanner(null);
  }, [calendar]);

  const onError = (e: unknown) => {
    const fields = e instanceof ApiError ? e.fieldErrors() : {};
    setErrors(fields);
    // Hours problems are named per weekday below; the banner keeps the whole answer in view too.
    setBanner(e);
  };
  const save = useMutation({
    mutationFn: () =>
      call<CalendarView & { recomputed: Recomputed }>(
        client.PATCH('/api/v1/calendars/{calendarId}', {
          params: { path: { calendarId: calendar.id } },
          body: { calendar: draft },
        }),
      ),
    onSuccess: (c) => {
      setErrors({});
      setBanner(null);
      qc.invalidateQueries({ queryKey: ['calendars'] });
      notifyDone(
        `${c.name} saved; ${c.recomputed.events} open promise${c.recomputed.events === 1 ? '' : 's'} rescheduled.`,
      );
    },
    onError,
  });
  const importIcs = useMutation({
    mutationFn: async () => {
      if (!file) throw new Error('Choose an .ics file first.');
      const ics = await file.text();
      return call<CalendarView & { added: number; skipped: unknown[]; recomputed: Recomputed }>(
        client.POST('/api/v1/calendars/{calendarId}/holidays/import', {
          params: { path: { calendarId: calendar.id } },
          body: { ics, replace },
        }),
      );
    },
    onSuccess: (c) => {
      setFile(null);
      setErrors({});
      setBanner(null);
      qc.invalidateQueries({ queryKey: ['calendars'] });
      notifyDone(
        `${c.added} holiday${c.added === 1 ? '' : 's'} added${c.skipped.length ? `, ${c.skipped.length} event(s) skipped` : ''}; ${c.recomputed.events} open promise(s) rescheduled.`,
      );
    },
    onError,
  });

  const setDay = (day: Weekday, intervals: [string, string][]) =>
    setDraft((d) => ({ ...d, week: { ...d.week, [day]: intervals } }));

  return (
    <Stack gap="md">
      <ErrorBanner error={banner} title="Could not save the calendar" />
      <div>
        <Title order={4} size="h5" mb={4}>
          Weekly hours ({draft.tz})
        </Title>
        <Text size="xs" c="dimmed" mb="xs">
          Local opening hours; an end of 00:00 means midnight. A day without hours is closed.
        </Text>
        <Stack gap="xs">
          {WEEKDAYS.map(({ key, label }) => {
            const intervals = draft.week[key] ?? [];
            const dayError = Object.entries(errors).find(([f]) => f.startsWith(`calendar.week.${key}`))?.[1];
            return (
              <Group key={key} gap="xs" align="flex-start" wrap="wrap">
                <Text size="sm" w={100} pt={6} fw={500}>
                  {label}
                </Text>
                <Stack gap={6}>
                  {intervals.length === 0 && (
                    <Text size="sm" pt={6} c="dimmed">
                      Closed
                    </Text>
                  )}
                  {intervals.map(([start, end], i) => (
                    // Intervals are edited in place; their position is their identity.
                    // biome-ignore lint/suspicious/noArrayIndexKey: see above
                    <Group key={i} gap={6} wrap="nowrap">
                      <TimeInput
                        aria-label={`${label} opening ${i + 1} from`}
                        value={toInput(start)}
                        onChange={(e) =>
                          setDay(
                            key,
                            intervals.map((iv, j) => (j === i ? [e.currentTarget.value, iv[1]] : iv)),
                          )
                        }
                        size="xs"
                        w={110}
                      />
                      <Text size="sm">to</Text>
                      <TimeInput
                        aria-label={`${label} opening ${i + 1} until`}
                        value={toInput(end)}
                        onChange={(e) =>
                          setDay(
                            key,
                            intervals.map((iv, j) =>
                              j === i ? [iv[0], fromEnd(e.currentTarget.value)] : iv,
                            ),
                          )
                        }
                        size="xs"
                        w={110}
                      />
                      {end === '24:00' && (
                        <Text size="xs" c="dimmed">
                          midnight
                        </Text>
                      )}
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        c="red.9"
                        aria-label={`Remove ${label} opening ${i + 1}`}
                        onClick={() =>
                          setDay(
                            key,
                            intervals.filter((_, j) => j !== i),
                          )
                        }
                      >
                        ×
                      </ActionIcon>
                    </Group>
                  ))}
                  {dayError && (
                    <Text size="xs" c="red.9" role="alert">
                      {dayError}
                    </Text>
                  )}
                </Stack>
                <Button
                  size="compact-xs"
                  variant="subtle"
                  mt={4}
                  aria-label={`Add hours on ${label}`}
                  onClick={() => {
                    const last = intervals[intervals.length - 1];
                    setDay(key, [
                      ...intervals,
                      last ? [last[1] === '24:00' ? '23:00' : last[1], '24:00'] : ['09:00', '17:00'],
                    ]);
                  }}
                >
                  Add hours
                </Button>
              </Group>
            );
          })}
        </Stack>
      </div>
      <div>
        <Title order={4} size="h5" mb={4}>
          Holidays
        </Title>
        {draft.holidays.length === 0 ? (
          <Text size="sm" c="dimmed" mb="xs">
            No holidays. Add dates below or import an .ics file.
          </Text>
        ) : (
          <Group gap={6} mb="xs">
            {draft.holidays.map((h) => (
              <Badge
                key={h}
                variant="light"
                color="gray"
                rightSection={
                  <ActionIcon
                    size="xs"
                    variant="transparent"
                    color="dark"
                    aria-label={`Remove holiday ${h}`}
                    onClick={() => setDraft((d) => ({ ...d, holidays: d.holidays.filter((x) => x !== h) }))}
                  >
                    ×
                  </ActionIcon>
                }
                c="dark.7"
              >
                {h}
              </Badge>
            ))}
          </Group>
        )}
        {errors['calendar.holidays'] && (
          <Text size="xs" c="red.9" role="alert">
            {errors['calendar.holidays']}
          </Text>
        )}
        <Group gap="xs" align="flex-end">
          <DateInput
            label="Add a holiday"
            value={newHoliday}
            onChange={setNewHoliday}
            valueFormat="YYYY-MM-DD"
            clearable
            w={180}
          />
          <Button
            variant="default"
            disabled={!newHoliday}
            onClick={() => {
              if (!newHoliday) return;
              const day = newHoliday.slice(0, 10);
              setDraft((d) => ({ ...d, holidays: [...new Set([...d.holidays, day])].sort() }));
              setNewHoliday(null);
            }}
          >
            Add
          </Button>
        </Group>
      </div>
      <Group>
        <Button onClick={() => save.mutate()} loading={save.isPending}>
          Save hours and holidays
        </Button>
        <Button variant="default" onClick={() => setDraft(calendar.calendar)}>
          Discard changes
        </Button>
      </Group>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          importIcs.mutate();
        }}
      >
        <Title order={4} size="h5" mb={4}>
          Import holidays from iCalendar
        </Title>
        <Group gap="sm" align="flex-end" wrap="wrap">
          <FileInput
            label=".ics file"
            description="All-day events become holidays"
            accept=".ics,text/calendar"
            value={file}
            onChange={setFile}
            clearable
            error={errors.ics}
            w={{ base: '100%', sm: 280 }}
          />
          <Checkbox
            label="Replace the current holidays"
            checked={replace}
            onChange={(e) => setReplace(e.currentTarget.checked)}
            mb={8}
          />
          <Button type="submit" variant="default" loading={importIcs.isPending} disabled={!file}>
            Import
          </Button>
        </Group>
      </form>
    </Stack>
  );
}

export function SettingsCalendars() {
  const calendars = useQuery({
    queryKey: ['calendars'],
    queryFn: () => call<{ data: CalendarView[] }>(client.GET('/api/v1/calendars')).then((r) => r.data),
  });
  const [selected, setSelected] = useState<string | null>(null);
  const current = calendars.data?.find((c) => c.id === selected) ?? calendars.data?.[0];
  return (
    <Stack gap="lg">
      <Card withBorder>
        <Stack gap="sm">
          <SectionTitle description="Business time is counted on a calendar: its zone, weekly hours and holidays.">
            Calendars
          </SectionTitle>
          <ErrorBanner error={calendars.error} title="Could not load calendars" />
          {calendars.isPending && <Loader size="sm" aria-label="Loading calendars" />}
          {calendars.data && calendars.data.length === 0 && (
            <Text size="sm" c="dimmed">
              No calendars: SLAs count every minute (24×7, UTC). Add one with the API or the CLI.
            </Text>
          )}
          {calendars.data && current && (
            <>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <Select
                  label="Calendar"
                  data={calendars.data.map((c) => ({
                    value: c.id,
                    label: `${c.name}${c.isDefault ? ' (default)' : ''}`,
                  }))}
                  value={current.id}
                  onChange={(v) => v && setSelected(v)}
                  allowDeselect={false}
                />
                <Text size="sm" pt={{ base: 0, sm: 28 }}>
                  {Math.round((current.weeklyMinutes / 60) * 10) / 10} business hours a week ·{' '}
                  {current.calendar.holidays.length} holidays
                </Text>
              </SimpleGrid>
              <CalendarEditor calendar={current} />
            </>
          )}
        </Stack>
      </Card>
    </Stack>
  );
}
