// The actions on an open promise — keep (with proof), post an update, renegotiate, pause/resume, break,
// cancel — each a modal form. Shown only to users who may change the promise, and only while it is open.
import { Button, Group, Menu, Modal, Radio, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ApiError, call, client, newIdempotencyKey } from '../api/client';
import type { PromiseView } from '../api/types';
import { canWritePromise } from '../app/can';
import { formatDateTime, words } from '../app/format';
import { useSignedIn } from '../app/session';
import { DueField, useDueReader } from './due-field';
import { ErrorBanner } from './ErrorBanner';

export const PROOF_KINDS = [
  'email_sent',
  'loom_recorded',
  'configuration_updated',
  'meeting_held',
  'credit_issued',
  'roadmap_note_shared',
  'training_completed',
  'other',
] as const;

type Action = 'keep' | 'update' | 'renegotiate' | 'pause' | 'resume' | 'break' | 'cancel';

const TITLES: Record<Action, string> = {
  keep: 'Keep promise',
  update: 'Post an update',
  renegotiate: 'Renegotiate due date',
  pause: 'Pause the clock',
  resume: 'Resume the clock',
  break: 'Mark promise broken',
  cancel: 'Cancel promise',
};

const DONE: Record<Action, string> = {
  keep: 'Promise kept, with proof.',
  update: 'Update posted.',
  renegotiate: 'Due date renegotiated.',
  pause: 'Clock paused.',
  resume: 'Clock resumed.',
  break: 'Promise marked broken.',
  cancel: 'Promise cancelled.',
};

/** An API field message ("is required", "must not be empty") as a sentence by the field. */
export function fieldMessage(field: string, message: string | undefined): string | undefined {
  if (!message) return undefined;
  // Use-case errors repeat the field name ("dueAt: is required: …"); the field's label says it already.
  const m = message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
  // A choice left empty comes back as an invalid option of the list the form offers.
  if (m === 'is required' || /^invalid option/i.test(m)) return 'This field is required';
  return m.charAt(0).toUpperCase() + m.slice(1);
}

export function PromiseActions({
  promise,
  onChanged,
  size = 'sm',
}: {
  promise: PromiseView;
  onChanged: () => void;
  size?: 'xs' | 'sm';
}) {
  const session = useSignedIn();
  const [action, setAction] = useState<Action | null>(null);
  // A fresh key per opening: a double-click on save sends the same request twice, recorded once.
  const [openingKey, setOpeningKey] = useState(0);
  const phone = useMediaQuery('(max-width: 36em)');
  if (promise.status !== 'open' || !canWritePromise(session, promise)) return null;

  const open = (a: Action) => {
    setOpeningKey((k) => k + 1);
    setAction(a);
  };
  return (
    <>
      <Group gap={6} wrap="wrap" role="group" aria-label={`Actions for: ${promise.promiseMade}`}>
        <Button size={size} onClick={() => open('keep')}>
          Keep
        </Button>
        <Button size={size} variant="default" onClick={() => open('update')}>
          Post update
        </Button>
        <Button size={size} variant="default" onClick={() => open('renegotiate')}>
          Renegotiate
        </Button>
        {promise.paused ? (
          <Button size={size} variant="default" onClick={() => open('resume')}>
            Resume
          </Button>
        ) : (
          <Button size={size} variant="default" onClick={() => open('pause')}>
            Pause
          </Button>
        )}
        <Menu position="bottom-end">
          <Menu.Target>
            <Button size={size} variant="subtle">
              More…
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item onClick={() => open('break')}>Mark broken</Menu.Item>
            <Menu.Item onClick={() => open('cancel')}>Cancel promise</Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Group>
      <Modal
        opened={action !== null}
        onClose={() => setAction(null)}
        title={action ? TITLES[action] : ''}
        closeButtonProps={{ 'aria-label': 'Close' }}
        size="lg"
        fullScreen={phone === true}
      >
        {action && (
          <ActionForm
            key={openingKey}
            action={action}
            promise={promise}
            onDone={() => {
              setAction(null);
              onChanged();
            }}
            onCancel={() => setAction(null)}
          />
        )}
      </Modal>
    </>
  );
}

interface FormState {
  proofKind: string | null;
  proofNote: string;
  proofUrl: string;
  recoveryStrength: string;
  text: string;
  audience: string;
  due: string;
  agreedBy: string;
  reason: string;
  note: string;
}

const EMPTY: FormState = {
  proofKind: null,
  proofNote: '',
  proofUrl: '',
  recoveryStrength: '',
  text: '',
  audience: 'customer',
  due: '',
  agreedBy: '',
  reason: '',
  note: '',
};

/** Leaves out what the user left blank, so the API names what is missing. */
const given = (v: string) => (v.trim() === '' ? undefined : v);

function ActionForm({
  action,
  promise,
  onDone,
  onCancel,
}: {
  action: Action;
  promise: PromiseView;
  onDone: () => void;
  onCancel: () => void;
}) {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const queryClient = useQueryClient();
  const readDue = useDueReader();
  const [form, setForm] = useState<FormState>(EMPTY);
  const [key, setKey] = useState(newIdempotencyKey);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  // Editing a field clears its message: it described the value that was there before.
  const set =
    <K extends keyof FormState>(k: K) =>
    (v: FormState[K]) => {
      setForm((f) => ({ ...f, [k]: v }));
      const apiFields = API_FIELDS[k];
      setFields((fs) =>
        Object.fromEntries(Object.entries(fs).filter(([f]) => !apiFields.includes(f) && f !== 'proof')),
      );
    };
  const err = (field: string) => fieldMessage(field, fields[field]);

  const send = (): Promise<unknown> => {
    const params = { path: { promiseId: promise.id } };
    const headers = { 'idempotency-key': key };
    switch (action) {
      case 'keep':
        return call(
          client.POST('/api/v1/promises/{promiseId}/keep', {
            params,
            headers,
            body: {
              proof: {
                kind: form.proofKind ?? undefined,
                note: given(form.proofNote),
                url: given(form.proofUrl),
              },
              recoveryStrength: given(form.recoveryStrength),
            } as never,
          }),
        );
      case 'update':
        return call(
          client.POST('/api/v1/promises/{promiseId}/comments', {
            params,
            headers,
            body: { text: given(form.text), audience: form.audience } as never,
          }),
        );
      case 'renegotiate': {
        const due = readDue(form.due);
        return call(
          client.POST('/api/v1/promises/{promiseId}/renegotiate', {
            params,
            headers,
            body: {
              dueAt: due.kind === 'ok' ? due.at.toISOString() : undefined,
              agreedBy: given(form.agreedBy),
              reason: given(form.reason),
            } as never,
          }),
        );
      }
      case 'pause':
        return call(
          client.POST('/api/v1/promises/{promiseId}/pause', {
            params,
            headers,
            // Only a customer-caused delay pauses the clock.
            body: { cause: 'customer', note: given(form.note) } as never,
          }),
        );
      case 'resume':
        return call(
          client.POST('/api/v1/promises/{promiseId}/resume', {
            params,
            headers,
            body: { note: given(form.note) },
          }),
        );
      case 'break':
        return call(
          client.POST('/api/v1/promises/{promiseId}/break', {
            params,
            headers,
            body: { reason: given(form.reason) } as never,
          }),
        );
      case 'cancel':
        return call(
          client.POST('/api/v1/promises/{promiseId}/cancel', {
            params,
            headers,
            body: { reason: given(form.reason) } as never,
          }),
        );
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    if (action === 'renegotiate') {
      const due = readDue(form.due);
      if (due.kind !== 'ok') {
        setFields({
          dueAt: due.kind === 'empty' ? 'give the new due date' : `could not read: ${due.message}`,
        });
        return;
      }
    }
    setSaving(true);
    setError(null);
    setFields({});
    try {
      await send();
      notifications.show({
        closeButtonProps: { 'aria-label': 'Close notification' },
        color: 'green',
        title: TITLES[action],
        message: DONE[action],
      });
      await queryClient.invalidateQueries({ queryKey: ['promises'] });
      await queryClient.invalidateQueries({ queryKey: ['promise', promise.id] });
      onDone();
    } catch (e) {
      // The API stored this refusal under the key; a corrected form is a new request with a new key.
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) setKey(newIdempotencyKey());
      const byField = e instanceof ApiError ? e.fieldErrors() : {};
      setFields(byField);
      const shown = Object.keys(byField).some((f) => KNOWN_FIELDS[action].includes(f));
      if (!shown) setError(e);
    } finally {
      setSaving(false);
    }
  };

  let body: ReactNode;
  switch (action) {
    case 'keep':
      body = (
        <>
          <Select
            label="Proof of completion"
            description="What shows the promise was kept"
            data={PROOF_KINDS.map((k) => ({ value: k, label: words(k) }))}
            value={form.proofKind}
            onChange={set('proofKind')}
            error={err('proof.kind') ?? err('proof')}
            required
            data-autofocus
          />
          <Textarea
            label="Proof note"
            description="What was done, in a sentence the customer would recognise"
            value={form.proofNote}
            onChange={(e) => set('proofNote')(e.currentTarget.value)}
            error={err('proof.note')}
            autosize
            minRows={2}
          />
          <TextInput
            label="Proof link (optional)"
            description="A URL to the email, recording or ticket; a note or a link is needed"
            type="url"
            value={form.proofUrl}
            onChange={(e) => set('proofUrl')(e.currentTarget.value)}
            error={err('proof.url')}
          />
          <Radio.Group
            label="Did keeping it restore the customer's confidence?"
            value={form.recoveryStrength}
            onChange={set('recoveryStrength')}
            error={err('recoveryStrength')}
            required
          >
            <Stack gap="xs" mt="xs">
              <Radio value="confidence_restored" label="Yes: confidence restored" />
              <Radio value="task_closed" label="Task closed only" />
            </Stack>
          </Radio.Group>
        </>
      );
      break;
    case 'update':
      body = (
        <>
          <Textarea
            label="Update"
            value={form.text}
            onChange={(e) => set('text')(e.currentTarget.value)}
            error={err('text')}
            autosize
            minRows={3}
            required
            data-autofocus
          />
          <Radio.Group
            label="Who is it for?"
            value={form.audience}
            onChange={set('audience')}
            error={err('audience')}
          >
            <Stack gap="xs" mt="xs">
              <Radio value="customer" label="Sent to the customer (counts as a proactive update)" />
              <Radio value="internal" label="Internal note for the team" />
            </Stack>
          </Radio.Group>
        </>
      );
      break;
    case 'renegotiate':
      body = (
        <>
          <Text size="sm">
            Currently due {formatDateTime(promise.effectiveDueAt ?? promise.dueAt, zone)}. A renegotiation is
            agreed with the customer and counted ({promise.renegotiationCount} so far).
          </Text>
          <DueField
            label="New due date"
            hint='e.g. "next Friday", "in 5 business days", or pick a date'
            value={form.due}
            onChange={set('due')}
            error={err('dueAt')}
            required
          />
          <TextInput
            label="Agreed by"
            description="Who at the customer agreed to the new date"
            value={form.agreedBy}
            onChange={(e) => set('agreedBy')(e.currentTarget.value)}
            error={err('agreedBy')}
            required
          />
          <Textarea
            label="Reason (optional)"
            value={form.reason}
            onChange={(e) => set('reason')(e.currentTarget.value)}
            error={err('reason')}
            autosize
            minRows={2}
          />
        </>
      );
      break;
    case 'pause':
      body = (
        <>
          <Text size="sm">
            Pausing stops the clock while the customer holds things up. A delay on our side does not pause it:
            renegotiate the due date with the customer instead.
          </Text>
          <Textarea
            label="Reason"
            description="What the clock is waiting for"
            value={form.note}
            onChange={(e) => set('note')(e.currentTarget.value)}
            error={err('note')}
            autosize
            minRows={2}
            required
          />
        </>
      );
      break;
    case 'resume':
      body = (
        <>
          <Text size="sm">The due date moves back by the time the clock was paused.</Text>
          <Textarea
            label="Note (optional)"
            value={form.note}
            onChange={(e) => set('note')(e.currentTarget.value)}
            error={err('note')}
            autosize
            minRows={2}
            data-autofocus
          />
        </>
      );
      break;
    case 'break':
    case 'cancel':
      body = (
        <>
          <Text size="sm">
            {action === 'break'
              ? 'The promise closes as broken: it counts against the fulfilment rate.'
              : 'The promise closes as cancelled: it is left out of fulfilment rates.'}
          </Text>
          <Textarea
            label="Reason"
            value={form.reason}
            onChange={(e) => set('reason')(e.currentTarget.value)}
            error={err('reason')}
            autosize
            minRows={2}
            required
            data-autofocus
          />
        </>
      );
      break;
  }

  return (
    <form onSubmit={submit} noValidate style={ERROR_CONTRAST}>
      <Stack gap="sm">
        <Text size="sm" fw={500}>
          {promise.promiseMade}
        </Text>
        <ErrorBanner error={error} title={`Could not ${TITLES[action].toLowerCase()}`} />
        {body}
        <Group justify="flex-end" mt="sm">
          <Button variant="default" onClick={onCancel} disabled={saving}>
            Close
          </Button>
          <Button
            type="submit"
            loading={saving}
            color={action === 'break' || action === 'cancel' ? 'red.9' : undefined}
          >
            {SUBMIT[action]}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Which API fields each form value is sent as. */
const API_FIELDS: Record<keyof FormState, string[]> = {
  proofKind: ['proof.kind'],
  proofNote: ['proof.note'],
  proofUrl: ['proof.url', 'proof.note'],
  recoveryStrength: ['recoveryStrength'],
  text: ['text'],
  audience: ['audience'],
  due: ['dueAt'],
  agreedBy: ['agreedBy'],
  reason: ['reason'],
  note: ['note'],
};

/** Mantine's error red (red.6) is below 4.5:1 on white; field messages use a darker red. */
export const ERROR_CONTRAST = {
  '--mantine-color-error': 'var(--mantine-color-red-9)',
} as React.CSSProperties;

const SUBMIT: Record<Action, string> = {
  keep: 'Mark kept',
  update: 'Post update',
  renegotiate: 'Save new due date',
  pause: 'Pause',
  resume: 'Resume',
  break: 'Mark broken',
  cancel: 'Cancel promise',
};

const KNOWN_FIELDS: Record<Action, string[]> = {
  keep: ['proof', 'proof.kind', 'proof.note', 'proof.url', 'recoveryStrength'],
  update: ['text', 'audience'],
  renegotiate: ['dueAt', 'agreedBy', 'reason'],
  pause: ['note'],
  resume: ['note'],
  break: ['reason'],
  cancel: ['reason'],
};
