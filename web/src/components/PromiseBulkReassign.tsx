// Bulk reassign: hands the selected promises to another owner, one POST /promises/:id/reassign per
// promise (each is its own ledger event with the reason), with progress and the refused ones listed.
import { Alert, Button, Group, List, Modal, Progress, Select, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { ApiError, call, client } from '../api/client';
import type { PromiseView } from '../api/types';
import { useUsers } from '../app/queries';

interface Refusal {
  promise: PromiseView;
  message: string;
}

export function PromiseBulkReassign({
  selected,
  onDone,
}: {
  selected: PromiseView[];
  /** Called after a run (the list re-reads; the selection is cleared). */
  onDone: () => void;
}) {
  const users = useUsers();
  const [opened, setOpened] = useState(false);
  const [ownerId, setOwnerId] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<{ ownerId?: string; reason?: string }>({});
  const [running, setRunning] = useState(false);
  const [done, setDone] = useState(0);
  const [result, setResult] = useState<{ reassigned: number; refused: Refusal[] } | null>(null);
  // The run works on the selection as it was when it started, even as the list re-reads.
  const [batch, setBatch] = useState<PromiseView[]>([]);

  const open = () => {
    setOwnerId(null);
    setReason('');
    setErrors({});
    setDone(0);
    setResult(null);
    setBatch(selected);
    setOpened(true);
  };
  const close = () => {
    if (running) return;
    setOpened(false);
    if (result) onDone();
  };

  const run = async () => {
    const problems: typeof errors = {};
    if (!ownerId) problems.ownerId = 'Choose who will own these promises';
    if (!reason.trim()) problems.reason = 'Say why they change hands; it is recorded in each history';
    setErrors(problems);
    if (problems.ownerId || problems.reason || !ownerId) return;
    setRunning(true);
    let reassigned = 0;
    const refused: Refusal[] = [];
    // One at a time: each is its own transaction, and the progress bar tells the truth.
    for (const [i, p] of batch.entries()) {
      try {
        await call(
          client.POST('/api/v1/promises/{promiseId}/reassign', {
            params: { path: { promiseId: p.id } },
            body: { ownerId, reason: reason.trim() },
          }),
        );
        reassigned += 1;
      } catch (e) {
        const message =
          e instanceof ApiError
            ? e.status === 403
              ? 'You may not change this promise (only its owner, a manager or an admin may).'
              : e.detail
            : String(e);
        refused.push({ promise: p, message });
      }
      setDone(i + 1);
    }
    setResult({ reassigned, refused });
    setRunning(false);
  };

  const owners = (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }));
  const total = batch.length;

  return (
    <>
      <Button size="xs" onClick={open} disabled={selected.length === 0}>
        Reassign {selected.length} selected…
      </Button>
      <Modal opened={opened} onClose={close} title={`Reassign ${total} promise${total === 1 ? '' : 's'}`}>
        <Stack>
          {!result && (
            <>
              <Select
                label="New owner"
                placeholder="Choose a person"
                data={owners}
                value={ownerId}
                onChange={setOwnerId}
                searchable
                required
                error={errors.ownerId}
                disabled={running}
                comboboxProps={{ withinPortal: true }}
              />
              <Textarea
                label="Reason"
                description="Recorded in each promise's history."
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                required
                autosize
                minRows={2}
                maxLength={1000}
                error={errors.reason}
                disabled={running}
              />
            </>
          )}
          {(running || result) && (
            <div>
              <Text size="sm" mb={4} id="bulk-reassign-progress">
                {done} of {total} done
              </Text>
              <Progress value={total ? (done / total) * 100 : 0} aria-labelledby="bulk-reassign-progress" />
            </div>
          )}
          {result && (
            <Alert
              color={result.refused.length ? 'yellow' : 'green'}
              title="Reassignment finished"
              role="status"
            >
              <Text size="sm">
                {result.reassigned} reassigned
                {result.refused.length ? `, ${result.refused.length} refused:` : '.'}
              </Text>
              {result.refused.length > 0 && (
                <List size="sm" mt="xs" spacing={4}>
                  {result.refused.map((r) => (
                    <List.Item key={r.promise.id}>
                      <Text span fw={500} size="sm">
                        {r.promise.promiseMade}
                      </Text>{' '}
                      — {r.message}
                    </List.Item>
                  ))}
                </List>
              )}
            </Alert>
          )}
          <Group justify="flex-end">
            {result ? (
              <Button onClick={close}>Done</Button>
            ) : (
              <>
                <Button variant="default" onClick={close} disabled={running}>
                  Cancel
                </Button>
                <Button onClick={run} loading={running}>
                  Reassign
                </Button>
              </>
            )}
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
