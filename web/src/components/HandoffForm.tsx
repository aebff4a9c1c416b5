// Start a sales-to-onboarding handoff: the account, who hands over and who receives, and what the
// customer believes we will do — at least one item, each with why they care and when it is due.
import { ActionIcon, Button, Fieldset, Group, Select, Stack, Text, Textarea } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, call, client, newIdempotencyKey } from '../api/client';
import type { HandoffView } from '../api/types';
import { words } from '../app/format';
import { useUsers } from '../app/queries';
import { useSignedIn } from '../app/session';
import { AccountSelect, fieldText, READABLE_PLACEHOLDER } from './AccountShared';
import { DueField, useDueReader } from './due-field';
import { ErrorBanner } from './ErrorBanner';

const EMOTIONS = [
  'confused',
  'blocked',
  'skeptical',
  'urgent',
  'embarrassed',
  'disappointed',
  'excited',
  'politically_exposed',
] as const;

interface ItemState {
  key: number;
  believesWeWill: string;
  customerReason: string;
  due: string;
  emotion: string | null;
}

let nextItemKey = 1;
const emptyItem = (): ItemState => ({
  key: nextItemKey++,
  believesWeWill: '',
  customerReason: '',
  due: '',
  emotion: null,
});

const TOP_FIELDS = ['accountId', 'fromUserId', 'toUserId', 'note', 'items'];

export function HandoffForm({ onCreated }: { onCreated: (h: HandoffView) => void }) {
  const session = useSignedIn();
  const users = useUsers();
  const queryClient = useQueryClient();
  const readDue = useDueReader();
  const [accountId, setAccountId] = useState<string | null>(null);
  const [fromUserId, setFromUserId] = useState<string | null>(session.user.id);
  const [toUserId, setToUserId] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [items, setItems] = useState<ItemState[]>([emptyItem()]);
  // One key per opening of the form: a double-click creates one handoff.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  const userOptions = (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }));
  const setItem = (key: number, patch: Partial<ItemState>) =>
    setItems((list) => list.map((i) => (i.key === key ? { ...i, ...patch } : i)));
  const err = (field: string) => fieldText(field.split('.').pop() as string, fields[field]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    // Checked here first so the user sees every gap at once; the API checks the same again.
    const local: Record<string, string> = {};
    if (!accountId) local.accountId = 'Choose the customer’s account';
    if (!toUserId) local.toUserId = 'Choose who receives the handoff (onboarding)';
    const filled = items.filter((i) => i.believesWeWill.trim() || i.customerReason.trim() || i.due.trim());
    if (filled.length === 0) local.items = 'Add at least one “Customer believes we will…” item';
    const body: Record<string, unknown>[] = [];
    filled.forEach((i) => {
      const n = items.indexOf(i);
      if (!i.believesWeWill.trim())
        local[`items.${n}.believesWeWill`] = 'Say what the customer believes we will do';
      if (!i.customerReason.trim()) local[`items.${n}.customerReason`] = 'Say why the customer cares';
      const due = readDue(i.due);
      if (due.kind !== 'ok') {
        local[`items.${n}.dueAt`] =
          due.kind === 'invalid' ? `Could not read the date: ${due.message}` : 'Give a due date';
      }
      body.push({
        believesWeWill: i.believesWeWill.trim(),
        customerReason: i.customerReason.trim(),
        dueAt: due.kind === 'ok' ? due.at.toISOString() : undefined,
        ...(i.emotion ? { emotion: i.emotion } : {}),
      });
    });
    setFields(local);
    if (Object.keys(local).length > 0) return;
    // Server item indexes refer to the filled items only: map them back to the rows on screen.
    const rowOf = filled.map((i) => items.indexOf(i));
    setSaving(true);
    setError(null);
    try {
      const created = await call<HandoffView>(
        client.POST('/api/v1/handoffs', {
          headers: { 'idempotency-key': idempotencyKey },
          body: {
            accountId: accountId as string,
            ...(fromUserId ? { fromUserId } : {}),
            toUserId: toUserId as string,
            ...(note.trim() ? { note: note.trim() } : {}),
            items: body as never,
          },
        }),
      );
      await queryClient.invalidateQueries({ queryKey: ['handoffs'] });
      onCreated(created);
    } catch (e2) {
      // The refusal is stored under the key: the corrected form is a new request.
      if (e2 instanceof ApiError && e2.status >= 400 && e2.status < 500)
        setIdempotencyKey(newIdempotencyKey());
      const byField: Record<string, string> = {};
      for (const [f, m] of Object.entries(e2 instanceof ApiError ? e2.fieldErrors() : {})) {
        const match = /^items\.(\d+)\.(.+)$/.exec(f);
        byField[match ? `items.${rowOf[Number(match[1])] ?? match[1]}.${match[2]}` : f] = m;
      }
      setFields(byField);
      const shown = Object.keys(byField).some((f) => TOP_FIELDS.includes(f) || f.startsWith('items.'));
      if (!shown) setError(e2);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Start a handoff" style={READABLE_PLACEHOLDER}>
      <Stack gap="sm">
        <ErrorBanner error={users.error} title="Could not load the team" />
        <ErrorBanner error={error} title="The handoff was not saved" />
        <AccountSelect value={accountId} onChange={setAccountId} error={err('accountId')} required />
        <Group grow align="flex-start" wrap="wrap">
          <Select
            label="From (sales)"
            data={userOptions}
            value={fromUserId}
            onChange={setFromUserId}
            searchable
            error={err('fromUserId')}
            miw={200}
          />
          <Select
            label="To (onboarding)"
            description="Owns every promise the handoff becomes"
            data={userOptions}
            value={toUserId}
            onChange={setToUserId}
            searchable
            required
            error={err('toUserId')}
            miw={200}
          />
        </Group>
        <Textarea
          label="Note"
          placeholder="Context for the receiving team (optional)"
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          autosize
          minRows={2}
          error={err('note')}
        />
        {fields.items && (
          <Text c="red.9" size="sm" role="alert">
            {fieldText('items', fields.items)}
          </Text>
        )}
        {items.map((item, n) => (
          <Fieldset key={item.key} legend={`Item ${n + 1}: Customer believes we will…`}>
            <Stack gap="xs">
              <Textarea
                label="Customer believes we will…"
                placeholder="e.g. import their 2025 tickets before go-live"
                value={item.believesWeWill}
                onChange={(e) => setItem(item.key, { believesWeWill: e.currentTarget.value })}
                error={err(`items.${n}.believesWeWill`)}
                required
                autosize
                minRows={1}
              />
              <Textarea
                label="Why the customer cares"
                placeholder="e.g. Their support lead reports on year-over-year volume in January"
                value={item.customerReason}
                onChange={(e) => setItem(item.key, { customerReason: e.currentTarget.value })}
                error={err(`items.${n}.customerReason`)}
                required
                autosize
                minRows={1}
              />
              <DueField
                label="Due"
                value={item.due}
                onChange={(v) => setItem(item.key, { due: v })}
                error={err(`items.${n}.dueAt`)}
                hint="When the customer expects it"
                required
              />
              <Group justify="space-between" align="flex-end">
                <Select
                  label="Customer emotion"
                  placeholder="Not recorded"
                  data={EMOTIONS.map((x) => ({ value: x, label: words(x) }))}
                  value={item.emotion}
                  onChange={(v) => setItem(item.key, { emotion: v })}
                  clearable
                  w={220}
                />
                {items.length > 1 && (
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={`Remove item ${n + 1}`}
                    onClick={() => setItems((list) => list.filter((i) => i.key !== item.key))}
                  >
                    ✕
                  </ActionIcon>
                )}
              </Group>
            </Stack>
          </Fieldset>
        ))}
        <Group justify="space-between">
          <Button variant="default" onClick={() => setItems((list) => [...list, emptyItem()])}>
            Add item
          </Button>
          <Button type="submit" loading={saving}>
            Save handoff
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
