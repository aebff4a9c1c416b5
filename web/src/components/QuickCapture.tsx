// Quick capture: the header's "Capture promise" button (and the `c` key) open a form with what every
// promise needs — what was promised, why the customer cares, owner, due, account — in under a minute.
import {
  Anchor,
  Box,
  Button,
  Group,
  Kbd,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
} from '@mantine/core';
import { useDebouncedValue, useHotkeys, useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, call, client, newIdempotencyKey } from '../api/client';
import type { AccountView, Page, PromiseView } from '../api/types';
import { words } from '../app/format';
import { usePromiseTypes, useUsers } from '../app/queries';
import { useSignedIn } from '../app/session';
import { DueField, useDueReader } from './due-field';
import { ErrorBanner } from './ErrorBanner';
import { ERROR_CONTRAST, fieldMessage } from './PromiseActions';

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
const CONSEQUENCES = [
  'renewal_risk',
  'executive_escalation',
  'adoption_delay',
  'internal_credibility_loss',
  'compliance_concern',
  'expansion_blocker',
] as const;

const FIELDS = [
  'promiseMade',
  'customerReason',
  'ownerId',
  'dueAt',
  'accountId',
  'typeKey',
  'emotion',
  'consequence',
];

export function QuickCapture() {
  const [opened, setOpened] = useState(false);
  // Each opening is one capture: a fresh form and a fresh Idempotency-Key.
  const [opening, setOpening] = useState(0);
  const phone = useMediaQuery('(max-width: 36em)');
  const open = () => {
    // Not over another open dialog (an action form, say): the shortcut is for the page.
    if (opened || document.querySelector('[role="dialog"]')) return;
    setOpening((n) => n + 1);
    setOpened(true);
  };
  // `c` anywhere but in a field (useHotkeys ignores inputs, textareas and selects).
  useHotkeys([['c', open]]);
  return (
    <>
      {/* On a phone the header has room for "Capture" only; the accessible name stays the same. */}
      <Button
        size="xs"
        onClick={open}
        aria-keyshortcuts="c"
        aria-label="Capture promise"
        style={{ flexShrink: 0 }}
      >
        <Box component="span" visibleFrom="sm">
          Capture promise
        </Box>
        <Box component="span" hiddenFrom="sm">
          Capture
        </Box>
      </Button>
      <Modal
        opened={opened}
        onClose={() => setOpened(false)}
        title="Capture a promise"
        closeButtonProps={{ 'aria-label': 'Close' }}
        size="xl"
        fullScreen={phone === true}
      >
        {opened && <CaptureForm key={opening} onDone={() => setOpened(false)} />}
      </Modal>
    </>
  );
}

interface CaptureState {
  promiseMade: string;
  customerReason: string;
  ownerId: string | null;
  due: string;
  accountId: string | null;
  typeKey: string | null;
  emotion: string | null;
  consequence: string | null;
}

function CaptureForm({ onDone }: { onDone: () => void }) {
  const session = useSignedIn();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const users = useUsers();
  const types = usePromiseTypes();
  const readDue = useDueReader();
  const activeTypes = (types.data ?? []).filter((t) => t.active);
  const defaultType =
    activeTypes.find((t) => t.key === 'product_follow_up')?.key ?? activeTypes[0]?.key ?? null;

  const [form, setForm] = useState<CaptureState>({
    promiseMade: '',
    customerReason: '',
    ownerId: session.user.id,
    due: '',
    accountId: null,
    typeKey: null,
    emotion: null,
    consequence: null,
  });
  const typeKey = form.typeKey ?? defaultType;
  const [key, setKey] = useState(newIdempotencyKey);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  // Editing a field clears its message: it described the value that was there before.
  const set =
    <K extends keyof CaptureState>(k: K) =>
    (v: CaptureState[K]) => {
      setForm((f) => ({ ...f, [k]: v }));
      const apiField = k === 'due' ? 'dueAt' : k;
      setFields((fs) => Object.fromEntries(Object.entries(fs).filter(([f]) => f !== apiField)));
    };
  const err = (field: string) => fieldMessage(field, fields[field]);

  // Accounts are searched on the server by name; the chosen one stays in the list while searching.
  const [accountSearch, setAccountSearch] = useState('');
  const [chosenAccount, setChosenAccount] = useState<{ value: string; label: string } | null>(null);
  const [q] = useDebouncedValue(accountSearch.trim(), 250);
  const accounts = useQuery({
    queryKey: ['accounts', 'search', q],
    queryFn: () =>
      call<Page<AccountView>>(
        client.GET('/api/v1/accounts', { params: { query: { ...(q ? { q } : {}), limit: 20 } } }),
      ),
    staleTime: 30_000,
  });
  const accountOptions = (accounts.data?.data ?? []).map((a) => ({ value: a.id, label: a.name }));
  if (chosenAccount && !accountOptions.some((o) => o.value === chosenAccount.value)) {
    accountOptions.unshift(chosenAccount);
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    const due = readDue(form.due);
    if (due.kind === 'invalid') {
      setFields({ dueAt: `could not read the due date: ${due.message}` });
      return;
    }
    setSaving(true);
    setError(null);
    setFields({});
    // Blank fields are left out, so the API names each missing one by its field.
    const body: Record<string, unknown> = {
      promiseMade: form.promiseMade.trim() || undefined,
      customerReason: form.customerReason.trim() || undefined,
      ownerId: form.ownerId ?? undefined,
      accountId: form.accountId ?? undefined,
      typeKey: typeKey ?? undefined,
      dueAt: due.kind === 'ok' ? due.at.toISOString() : undefined,
      emotion: form.emotion ?? undefined,
      consequence: form.consequence ?? undefined,
    };
    try {
      const created = await call<PromiseView>(
        client.POST('/api/v1/promises', { headers: { 'idempotency-key': key }, body: body as never }),
      );
      const href = `/promises/${created.id}`;
      notifications.show({
        closeButtonProps: { 'aria-label': 'Close notification' },
        color: 'green',
        title: 'Promise captured',
        message: (
          <Anchor
            href={href}
            onClick={(ev) => {
              // The notification lives outside the router: navigate without reloading the app.
              ev.preventDefault();
              navigate(href);
            }}
          >
            Open “{created.promiseMade}”
          </Anchor>
        ),
        autoClose: 8000,
      });
      await queryClient.invalidateQueries({ queryKey: ['promises'] });
      onDone();
    } catch (e) {
      // The API stored this refusal under the key; the corrected form is a new request.
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) setKey(newIdempotencyKey());
      const byField = e instanceof ApiError ? e.fieldErrors() : {};
      setFields(byField);
      if (!Object.keys(byField).some((f) => FIELDS.includes(f))) setError(e);
    } finally {
      setSaving(false);
    }
  };

  const loadError = users.error ?? types.error ?? accounts.error;
  return (
    <form onSubmit={submit} noValidate aria-label="Capture a promise" style={ERROR_CONTRAST}>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Press <Kbd>c</Kbd> anywhere outside a field to open this form.
        </Text>
        <ErrorBanner error={loadError} title="Could not load the form's choices" />
        <ErrorBanner error={error} title="The promise was not saved" />
        <Textarea
          label="Promise made"
          description="What exactly we committed to"
          placeholder="e.g. Email Maya the SSO rollout plan with dates per team"
          value={form.promiseMade}
          onChange={(e) => set('promiseMade')(e.currentTarget.value)}
          error={err('promiseMade')}
          required
          autosize
          minRows={2}
          data-autofocus
        />
        <Textarea
          label="Why the customer cares"
          description="In their terms: what happens for them if we keep it, or do not"
          value={form.customerReason}
          onChange={(e) => set('customerReason')(e.currentTarget.value)}
          error={err('customerReason')}
          required
          autosize
          minRows={2}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <Select
            label="Account"
            placeholder="Search accounts by name"
            searchable
            data={accountOptions}
            value={form.accountId}
            onChange={(v, option) => {
              set('accountId')(v);
              setChosenAccount(v ? { value: v, label: option.label } : null);
            }}
            searchValue={accountSearch}
            onSearchChange={setAccountSearch}
            // The server already filtered by name.
            filter={({ options }) => options}
            nothingFoundMessage={accounts.isFetching ? 'Searching…' : 'No account matches'}
            error={err('accountId')}
            required
          />
          <Select
            label="Owner"
            description="Exactly one person answers for it"
            searchable
            data={(users.data ?? [])
              .filter((u) => u.active && u.role !== 'viewer')
              .map((u) => ({ value: u.id, label: u.id === session.user.id ? `${u.name} (me)` : u.name }))}
            value={form.ownerId}
            onChange={set('ownerId')}
            error={err('ownerId')}
            required
            allowDeselect={false}
          />
        </SimpleGrid>
        <DueField
          label="Due"
          hint='"Friday", "next Friday", "tomorrow 5pm", "in 3 days", "in 10 business days" or a date. Leave empty and the promise type’s SLA policy sets it.'
          value={form.due}
          onChange={set('due')}
          error={err('dueAt')}
        />
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <Select
            label="Type"
            data={activeTypes.map((t) => ({ value: t.key, label: t.label }))}
            value={typeKey}
            onChange={set('typeKey')}
            error={err('typeKey')}
            allowDeselect={false}
          />
          <Select
            label="Customer emotion"
            placeholder="Not recorded"
            data={EMOTIONS.map((v) => ({ value: v, label: words(v) }))}
            value={form.emotion}
            onChange={set('emotion')}
            error={err('emotion')}
            clearable
          />
          <Select
            label="Business consequence"
            placeholder="Not recorded"
            data={CONSEQUENCES.map((v) => ({ value: v, label: words(v) }))}
            value={form.consequence}
            onChange={set('consequence')}
            error={err('consequence')}
            clearable
          />
        </SimpleGrid>
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onDone} disabled={saving}>
            Close
          </Button>
          <Button type="submit" loading={saving}>
            Save promise
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
