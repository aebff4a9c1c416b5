// Closing an executive escalation (workflow 7) requires the follow-up promise to the customer: what we
// promise, why they care, who owns it and when it is due. The form has no way to close without them.
import { Button, Fieldset, Select, Stack, Text, Textarea } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, call, client, newIdempotencyKey } from '../api/client';
import type { ClosedEscalationView, SignalView } from '../api/types';
import { useUsers } from '../app/queries';
import { useSignedIn } from '../app/session';
import { fieldText, READABLE_PLACEHOLDER, useAccount } from './AccountShared';
import { DueField, useDueReader } from './due-field';
import { ErrorBanner } from './ErrorBanner';

const FOLLOW_UP_FIELDS = ['promiseMade', 'customerReason', 'ownerId', 'dueAt'];

export function EscalationCloseForm({
  escalation,
  onClosed,
}: {
  escalation: SignalView;
  onClosed: (closed: ClosedEscalationView) => void;
}) {
  const session = useSignedIn();
  const users = useUsers();
  const account = useAccount(escalation.accountId);
  const readDue = useDueReader();
  const queryClient = useQueryClient();
  const [promiseMade, setPromiseMade] = useState('');
  const [customerReason, setCustomerReason] = useState(escalation.desiredReassurance ?? '');
  const [ownerId, setOwnerId] = useState<string | null>(null);
  const [due, setDue] = useState('');
  const [resolution, setResolution] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);
  // The account owner is the natural owner of the follow-up until someone picks another; until the
  // account has answered, the owner is not known yet and the form waits rather than guess.
  const owner = ownerId ?? account.data?.ownerId ?? session.user.id;
  const ownerKnown = ownerId !== null || !account.isPending;

  const userOptions = (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }));
  const err = (f: string) => fieldText(f, fields[f]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    const local: Record<string, string> = {};
    if (!promiseMade.trim()) local.promiseMade = 'Say what we promise the customer next';
    if (!customerReason.trim()) local.customerReason = 'Say why the customer cares';
    const dueAt = readDue(due);
    if (dueAt.kind !== 'ok') {
      local.dueAt =
        dueAt.kind === 'invalid' ? `Could not read the date: ${dueAt.message}` : 'Give a due date';
    }
    setFields(local);
    if (Object.keys(local).length > 0) return;
    setSaving(true);
    setError(null);
    try {
      const closed = await call<ClosedEscalationView>(
        client.POST('/api/v1/signals/{signalId}/close', {
          params: { path: { signalId: escalation.id } },
          headers: { 'idempotency-key': key },
          body: {
            followUpPromise: {
              promiseMade: promiseMade.trim(),
              customerReason: customerReason.trim(),
              ownerId: owner,
              dueAt: dueAt.kind === 'ok' ? dueAt.at.toISOString() : undefined,
              source: 'escalation',
            } as never,
            ...(resolution.trim() ? { resolution: resolution.trim() } : {}),
          },
        }),
      );
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['escalations'] }),
        queryClient.invalidateQueries({ queryKey: ['promises'] }),
      ]);
      onClosed(closed);
    } catch (e2) {
      if (e2 instanceof ApiError && e2.status >= 400 && e2.status < 500) setKey(newIdempotencyKey());
      const byField: Record<string, string> = {};
      for (const [f, m] of Object.entries(e2 instanceof ApiError ? e2.fieldErrors() : {})) {
        byField[f.replace(/^followUpPromise\./, '')] = m;
      }
      setFields(byField);
      const shown = Object.keys(byField).some((f) => FOLLOW_UP_FIELDS.includes(f) || f === 'resolution');
      if (!shown) setError(e2);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Close the escalation" style={READABLE_PLACEHOLDER}>
      <Stack gap="sm">
        <ErrorBanner error={error} title="The escalation was not closed" />
        <ErrorBanner error={users.error} title="Could not load the team" />
        <Fieldset legend="Follow-up promise to the customer (required)">
          <Stack gap="xs">
            <Text size="sm" c="dimmed">
              An escalation closes only with a concrete next commitment, so the customer is never left with a
              closed ticket and no promise.
            </Text>
            <Textarea
              label="Promise made"
              placeholder="e.g. Our VP of Support will call Dana on Friday with the root cause"
              value={promiseMade}
              onChange={(e) => setPromiseMade(e.currentTarget.value)}
              error={err('promiseMade')}
              required
              autosize
              minRows={2}
            />
            <Textarea
              label="Why the customer cares"
              value={customerReason}
              onChange={(e) => setCustomerReason(e.currentTarget.value)}
              error={err('customerReason')}
              required
              autosize
              minRows={1}
            />
            <Select
              label="Owner"
              data={userOptions}
              value={owner}
              onChange={setOwnerId}
              searchable
              required
              allowDeselect={false}
              error={err('ownerId')}
            />
            <DueField
              label="Due"
              value={due}
              onChange={setDue}
              error={err('dueAt')}
              hint="When we will have done it"
              required
            />
          </Stack>
        </Fieldset>
        <Textarea
          label="Resolution"
          placeholder="What was resolved on the call (optional)"
          value={resolution}
          onChange={(e) => setResolution(e.currentTarget.value)}
          error={err('resolution')}
          autosize
          minRows={1}
        />
        <Button type="submit" loading={saving || !ownerKnown} color="red" style={{ alignSelf: 'flex-start' }}>
          Close escalation with this promise
        </Button>
      </Stack>
    </form>
  );
}
