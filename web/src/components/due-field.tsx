// A due date typed in words ("next Friday", "in 10 business days") or picked from a calendar, read in
// the workspace's zone, with the interpretation shown under the field before anything is saved.
import { Group, Stack, Text, TextInput } from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { call, client } from '../api/client';
import type { CalendarView } from '../api/types';
import { useSignedIn } from '../app/session';
import { type DueResult, describeDue, interpretDue, pickerValue } from './due-input';

/** The workspace's default business calendar (for "N business days"); null when it cannot be read. */
export function useDefaultCalendar() {
  return useQuery({
    queryKey: ['calendars'],
    queryFn: () => call<{ data: CalendarView[] }>(client.GET('/api/v1/calendars')).then((r) => r.data),
    staleTime: 5 * 60_000,
    select: (cals) => (cals.find((c) => c.isDefault) ?? cals[0] ?? null)?.calendar ?? null,
  });
}

/** Reads the due text now, in the workspace's zone. */
export function useDueReader(): (text: string) => DueResult {
  const session = useSignedIn();
  const { data: calendar } = useDefaultCalendar();
  return (text) => interpretDue(text, { now: new Date(), timeZone: session.workspace.timeZone, calendar });
}

export function DueField({
  label,
  value,
  onChange,
  error,
  hint,
  required,
  disabled,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint: string;
  required?: boolean;
  disabled?: boolean;
}) {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const read = useDueReader();
  const result = read(value);
  const readingId = useId();
  const localError = result.kind === 'invalid' ? `Due date ${result.message}` : undefined;
  return (
    <Stack gap={4}>
      <Group align="flex-start" gap="xs" wrap="wrap">
        <TextInput
          style={{ flex: '1 1 14rem' }}
          label={label}
          description={hint}
          placeholder="e.g. next Friday, tomorrow 5pm, in 10 business days"
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
          error={error ?? localError}
          required={required}
          disabled={disabled}
          aria-describedby={readingId}
          autoComplete="off"
        />
        <DateTimePicker
          style={{ flex: '0 1 13rem' }}
          label="Or pick a date"
          description={`Time in ${zone}`}
          placeholder="Pick date and time"
          // Mantine's placeholder grey is below 4.5:1 on white.
          styles={{ placeholder: { color: 'var(--mantine-color-gray-7)' } }}
          value={result.kind === 'ok' ? pickerValue(result.at, zone) : null}
          onChange={(v) => onChange(v ? v.slice(0, 16) : '')}
          valueFormat="DD MMM YYYY HH:mm"
          defaultTimeValue="17:00"
          disabled={disabled}
          clearable
        />
      </Group>
      <Text id={readingId} size="sm" c={result.kind === 'ok' ? undefined : 'dimmed'} aria-live="polite">
        {result.kind === 'ok'
          ? `Due ${describeDue(result.at, zone)}${result.note ? ` (${result.note})` : ''}${
              result.at.getTime() < Date.now() ? ' — this is in the past' : ''
            }`
          : result.kind === 'empty'
            ? required
              ? 'Type or pick a due date.'
              : 'No due date typed: the promise type’s SLA policy will set it.'
            : ''}
      </Text>
    </Stack>
  );
}
