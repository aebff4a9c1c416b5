// The relationship temperature of an account: its history as a strip of coloured segments (one per
// reading, as wide as it lasted), the readings with their notes, and the form that records a new one.
import {
  Box,
  Button,
  Group,
  Loader,
  Paper,
  Select,
  Stack,
  Text,
  Textarea,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, call, client } from '../api/client';
import type { AccountView, Page, TemperatureEntryView } from '../api/types';
import { formatDate, formatDateTime, words } from '../app/format';
import { useUserNames } from '../app/queries';
import { useSignedIn } from '../app/session';
import { fieldText, TEMPERATURE_COLOR, TEMPERATURES, TemperatureBadge } from './AccountShared';
import { ErrorBanner } from './ErrorBanner';

export function useTemperatureHistory(accountId: string) {
  return useQuery({
    queryKey: ['account', accountId, 'temperature-history'],
    queryFn: () =>
      call<Page<TemperatureEntryView>>(
        client.GET('/api/v1/accounts/{accountId}/temperature-history', {
          params: { path: { accountId }, query: { limit: 50 } },
        }),
      ),
  });
}

/** The readings oldest first, each lasting until the next one (the latest until now). */
function segments(entries: TemperatureEntryView[], now: number) {
  const asc = [...entries].reverse();
  return asc.map((e, i) => {
    const start = new Date(e.setAt).getTime();
    const next = asc[i + 1];
    const end = next ? new Date(next.setAt).getTime() : now;
    return { entry: e, start, end, ms: Math.max(end - start, 0) };
  });
}

export function TemperatureStrip({ accountId }: { accountId: string }) {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const userName = useUserNames();
  const history = useTemperatureHistory(accountId);
  if (history.isLoading) return <Loader size="sm" aria-label="Loading temperature history" />;
  if (history.error)
    return <ErrorBanner error={history.error} title="Could not load the temperature history" />;
  const entries = history.data?.data ?? [];
  if (entries.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No temperature recorded yet. Record one after your next meaningful conversation with this customer.
      </Text>
    );
  }
  const segs = segments(entries, Date.now());
  const total = segs.reduce((a, s) => a + s.ms, 0) || 1;
  const first = segs[0];
  return (
    <Stack gap="xs">
      <Box
        style={{ display: 'flex', height: 28, borderRadius: 4, overflow: 'hidden' }}
        aria-hidden="true"
        data-testid="temperature-strip"
      >
        {segs.map((s) => (
          <Tooltip
            key={s.entry.id}
            label={`${words(s.entry.temperature)} from ${formatDate(s.entry.setAt, zone)}: ${s.entry.note}`}
            multiline
            maw={320}
          >
            <Box
              data-temperature={s.entry.temperature}
              style={{
                // Every reading stays visible, however short it lasted.
                flex: `${Math.max(s.ms / total, 0.04)} 1 0`,
                background: `var(--mantine-color-${TEMPERATURE_COLOR[s.entry.temperature] ?? 'gray'}-6)`,
                borderRight: '2px solid var(--mantine-color-body)',
              }}
            />
          </Tooltip>
        ))}
      </Box>
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {first ? formatDate(first.entry.setAt, zone) : ''}
        </Text>
        <Text size="xs" c="dimmed">
          Today
        </Text>
      </Group>
      <Stack
        gap={6}
        component="ol"
        style={{ listStyle: 'none', padding: 0, margin: 0 }}
        aria-label="Temperature readings, newest first"
      >
        {entries.slice(0, 8).map((e) => (
          <Group component="li" key={e.id} gap="xs" wrap="nowrap" align="flex-start">
            <TemperatureBadge temperature={e.temperature} />
            <Box>
              <Text size="sm">{e.note}</Text>
              <Text size="xs" c="dimmed">
                {formatDateTime(e.setAt, zone)} · {userName(e.setBy)}
              </Text>
            </Box>
          </Group>
        ))}
      </Stack>
      {entries.length > 8 && (
        <Text size="xs" c="dimmed">
          {entries.length - 8} older reading{entries.length - 8 === 1 ? '' : 's'} shown in the strip only.
        </Text>
      )}
    </Stack>
  );
}

/** Records a reading after a meaningful interaction: the temperature and a note of what happened. */
export function SetTemperatureForm({ account }: { account: AccountView }) {
  const queryClient = useQueryClient();
  const [temperature, setTemperature] = useState<string | null>(account.temperature ?? null);
  const [note, setNote] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    const local: Record<string, string> = {};
    if (!temperature) local.temperature = 'Choose the temperature';
    if (!note.trim()) local.note = 'Say what happened: the note explains the reading to the next person';
    setFields(local);
    setSaved(null);
    if (Object.keys(local).length > 0) return;
    setSaving(true);
    setError(null);
    try {
      await call(
        client.POST('/api/v1/accounts/{accountId}/temperature', {
          params: { path: { accountId: account.id } },
          body: { temperature: temperature as (typeof TEMPERATURES)[number], note: note.trim() },
        }),
      );
      setNote('');
      setSaved(`Recorded: ${words(temperature)}.`);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['account', account.id] }),
        queryClient.invalidateQueries({ queryKey: ['accounts'] }),
      ]);
    } catch (err) {
      const byField = err instanceof ApiError ? err.fieldErrors() : {};
      setFields(byField);
      if (!('temperature' in byField || 'note' in byField)) setError(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} noValidate aria-labelledby="set-temperature">
      <Stack gap="sm">
        <Title order={3} size="h4" id="set-temperature">
          Record the temperature
        </Title>
        <Text size="sm" c="dimmed">
          After a meaningful interaction: how does the relationship feel now, and why?
        </Text>
        <ErrorBanner error={error} title="The temperature was not recorded" />
        <Select
          label="Temperature"
          data={TEMPERATURES.map((t) => ({ value: t, label: words(t) }))}
          value={temperature}
          onChange={setTemperature}
          error={fieldText('temperature', fields.temperature)}
          required
          allowDeselect={false}
        />
        <Textarea
          label="Note"
          placeholder="e.g. QBR went well; the CFO asked about the export fix again"
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          error={fieldText('note', fields.note)}
          required
          autosize
          minRows={2}
          maxLength={2000}
        />
        <Group>
          <Button type="submit" loading={saving}>
            Record temperature
          </Button>
          {saved && (
            <Text size="sm" role="status">
              {saved}
            </Text>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
