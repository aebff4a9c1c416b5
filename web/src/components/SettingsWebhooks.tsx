// Outbound webhooks: subscribe a URL to event types (the signing secret is shown once), list them,
// read each one's delivery log and replay a delivery, revoke.
import {
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { ApiError, call, client } from '../api/client';
import type { Page, WebhookDeliveryView, WebhookView } from '../api/types';
import { formatDateTime } from '../app/format';
import { useSignedIn } from '../app/session';
import { ErrorBanner } from './ErrorBanner';
import { LOG_PAGE_SIZE, PagedLog, usePagedLog } from './PagedLog';
import { ConfirmButton, focusableScroll, notifyDone, SecretOnce, SectionTitle } from './SettingsShared';

/** The events the workspace sends (src/notifications/contract.ts reminder kinds, and the reviews). */
const EVENT_TYPES = [
  'reminder.checkpoint_internal_check_in',
  'reminder.checkpoint_customer_update_required',
  'reminder.due',
  'reminder.overdue',
  'reminder.renewal_prep',
  'reminder.inactivity',
  'reminder.payment_failed',
  'reminder.digest',
  'review.weekly',
  'review.monthly',
];

const STATUS_COLOR: Record<string, string> = {
  delivered: 'teal',
  pending: 'blue',
  failed: 'red',
  dropped: 'gray',
};

function DeliveryLog({ webhook, zone }: { webhook: WebhookView; zone: string }) {
  const qc = useQueryClient();
  const log = usePagedLog(['webhook-deliveries', webhook.id], (cursor) =>
    call<Page<WebhookDeliveryView>>(
      client.GET('/api/v1/webhooks/{webhookId}/deliveries', {
        params: {
          path: { webhookId: webhook.id },
          query: { limit: LOG_PAGE_SIZE, ...(cursor ? { cursor } : {}) },
        },
      }),
    ),
  );
  const replay = useMutation({
    mutationFn: (deliveryId: string) =>
      call(
        client.POST('/api/v1/webhooks/{webhookId}/deliveries/{deliveryId}/replay', {
          params: { path: { webhookId: webhook.id, deliveryId } },
        }),
      ),
    onSuccess: () => {
      notifyDone('Replay queued: the worker sends it again now.');
      qc.invalidateQueries({ queryKey: ['webhook-deliveries', webhook.id] });
    },
  });
  return (
    <Stack gap="xs">
      <ErrorBanner error={replay.error} title="Could not replay" />
      <PagedLog
        log={log}
        caption={`Deliveries to ${webhook.url}, newest first`}
        columns={[
          { label: 'Event' },
          { label: 'Created' },
          { label: 'Status' },
          { label: 'Attempts' },
          { label: 'Last attempt' },
          { label: 'Actions', hidden: true },
        ]}
        minWidth={720}
        empty={
          <Text size="sm" c="dimmed">
            Nothing has been sent to this URL yet.
          </Text>
        }
        row={(d) => {
          const last = d.log[d.log.length - 1];
          return (
            <Table.Tr key={d.id}>
              <Table.Td>{d.eventType}</Table.Td>
              <Table.Td>{formatDateTime(d.createdAt, zone)}</Table.Td>
              <Table.Td>
                <Badge size="sm" variant="light" color={STATUS_COLOR[d.status] ?? 'gray'} c="dark.7">
                  {d.status}
                </Badge>
                {d.nextAttemptAt && <Text size="xs">next {formatDateTime(d.nextAttemptAt, zone)}</Text>}
              </Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
              <Table.Td>
                {last
                  ? `${last.outcome}${last.httpStatus ? ` · HTTP ${last.httpStatus}` : ''} · ${last.durationMs} ms`
                  : '—'}
                {(last?.error ?? d.lastError) && (
                  <Text size="xs" c="red.9">
                    {last?.error ?? d.lastError}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {webhook.status === 'active' && d.status !== 'pending' && (
                  <Button
                    size="compact-xs"
                    variant="default"
                    loading={replay.isPending && replay.variables === d.id}
                    onClick={() => replay.mutate(d.id)}
                    aria-label={`Replay ${d.eventType} delivery of ${formatDateTime(d.createdAt, zone)}`}
                  >
                    Replay
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          );
        }}
      />
    </Stack>
  );
}

export function SettingsWebhooks() {
  const zone = useSignedIn().workspace.timeZone;
  const qc = useQueryClient();
  const [url, setUrl] = useState('');
  const [eventTypes, setEventTypes] = useState<string[]>([]);
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<unknown>(null);
  const [created, setCreated] = useState<(WebhookView & { secret: string }) | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['webhooks'],
    queryFn: () => call<{ data: WebhookView[] }>(client.GET('/api/v1/webhooks')).then((r) => r.data),
  });
  const create = useMutation({
    mutationFn: () =>
      call<WebhookView & { secret: string }>(
        client.POST('/api/v1/webhooks', {
          body: {
            url: url.trim(),
            eventTypes,
            ...(description.trim() ? { description: description.trim() } : {}),
          },
        }),
      ),
    onSuccess: (w) => {
      setCreated(w);
      setUrl('');
      setEventTypes([]);
      setDescription('');
      setErrors({});
      setBanner(null);
      qc.invalidateQueries({ queryKey: ['webhooks'] });
    },
    onError: (e) => {
      const fields = e instanceof ApiError ? e.fieldErrors() : {};
      // Problems on one event type arrive as eventTypes.2; show them on the field.
      for (const [k, v] of Object.entries(fields)) if (k.startsWith('eventTypes.')) fields.eventTypes ??= v;
      setErrors(fields);
      setBanner(Object.keys(fields).length > 0 ? null : e);
    },
  });
  return (
    <Stack gap="lg">
      <Card withBorder>
        <Stack gap="sm">
          <SectionTitle description="Each event is POSTed, signed with Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature), and retried with backoff for about a day.">
            Outbound webhooks
          </SectionTitle>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              create.mutate();
            }}
            noValidate
          >
            <ErrorBanner error={banner} title="Could not create the webhook" />
            <Stack gap="sm">
              <Group align="flex-start" gap="sm" wrap="wrap">
                <TextInput
                  label="URL"
                  placeholder="https://example.com/hooks/promise-ledger"
                  required
                  value={url}
                  onChange={(e) => setUrl(e.currentTarget.value)}
                  error={errors.url}
                  w={{ base: '100%', sm: 380 }}
                />
                <TextInput
                  label="Description"
                  value={description}
                  onChange={(e) => setDescription(e.currentTarget.value)}
                  error={errors.description}
                  w={{ base: '100%', sm: 280 }}
                />
              </Group>
              <TagsInput
                label="Event types"
                description="Leave empty to receive every event"
                data={EVENT_TYPES}
                value={eventTypes}
                onChange={setEventTypes}
                error={errors.eventTypes}
                clearable
                maw={680}
              />
              <Group>
                <Button type="submit" loading={create.isPending}>
                  Add webhook
                </Button>
              </Group>
            </Stack>
          </form>
          {created && (
            <SecretOnce
              title={`Webhook for ${created.url} created`}
              label="Webhook signing secret"
              value={created.secret}
              onDismiss={() => setCreated(null)}
            >
              <Text size="sm">Use it to check the webhook-signature header of every request.</Text>
            </SecretOnce>
          )}
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="sm">
          <SectionTitle>Subscriptions</SectionTitle>
          <ErrorBanner error={list.error} title="Could not load webhooks" />
          {list.isPending && <Loader size="sm" aria-label="Loading webhooks" />}
          {list.data && list.data.length === 0 && (
            <Text size="sm" c="dimmed">
              No webhooks yet. Add a URL above to push reminders and reviews to another system.
            </Text>
          )}
          {list.data && list.data.length > 0 && (
            <Table.ScrollContainer scrollAreaProps={focusableScroll} minWidth={720}>
              <Table verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">URL</Table.Th>
                    <Table.Th scope="col">Events</Table.Th>
                    <Table.Th scope="col">Created</Table.Th>
                    <Table.Th scope="col">Status</Table.Th>
                    <Table.Th scope="col">
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.data.map((w) => (
                    <Fragment key={w.id}>
                      <Table.Tr>
                        <Table.Td style={{ wordBreak: 'break-all' }}>
                          {w.url}
                          {w.description && (
                            <Text size="xs" c="dimmed">
                              {w.description}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          {w.eventTypes.length === 0 ? 'All events' : w.eventTypes.join(', ')}
                        </Table.Td>
                        <Table.Td>{formatDateTime(w.createdAt, zone)}</Table.Td>
                        <Table.Td>
                          <Badge variant="light" color={w.status === 'active' ? 'teal' : 'gray'} c="dark.7">
                            {w.status}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          <Group gap={4} wrap="nowrap">
                            <Button
                              size="compact-sm"
                              variant="subtle"
                              aria-expanded={open === w.id}
                              aria-label={`Deliveries of ${w.url}`}
                              onClick={() => setOpen((o) => (o === w.id ? null : w.id))}
                            >
                              Deliveries
                            </Button>
                            {w.status === 'active' && (
                              <ConfirmButton
                                label="Revoke"
                                ariaLabel={`Revoke webhook ${w.url}`}
                                title="Revoke webhook"
                                message={`Nothing more will be sent to ${w.url}; pending deliveries are dropped.`}
                                confirmLabel="Revoke webhook"
                                onConfirm={async () => {
                                  await call(
                                    client.DELETE('/api/v1/webhooks/{webhookId}', {
                                      params: { path: { webhookId: w.id } },
                                    }),
                                  );
                                  await qc.invalidateQueries({ queryKey: ['webhooks'] });
                                }}
                              />
                            )}
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                      {open === w.id && (
                        <Table.Tr>
                          <Table.Td colSpan={5}>
                            <DeliveryLog webhook={w} zone={zone} />
                          </Table.Td>
                        </Table.Tr>
                      )}
                    </Fragment>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      </Card>
    </Stack>
  );
}
