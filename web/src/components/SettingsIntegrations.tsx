// Inbound integrations (help desk, billing, product usage, surveys): create one (its signing secret
// and endpoint are shown once), list them, read each one's delivery log, revoke.
import {
  Badge,
  Button,
  Card,
  Code,
  Group,
  Loader,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { ApiError, call, client } from '../api/client';
import type { IntegrationDeliveryView, IntegrationKind, IntegrationView, Page } from '../api/types';
import { formatDateTime, words } from '../app/format';
import { useSignedIn } from '../app/session';
import { ErrorBanner } from './ErrorBanner';
import { LOG_PAGE_SIZE, PagedLog, usePagedLog } from './PagedLog';
import { ConfirmButton, focusableScroll, SecretOnce, SectionTitle } from './SettingsShared';

const KINDS: { value: IntegrationKind; label: string }[] = [
  { value: 'helpdesk', label: 'Help desk (tickets → complaints)' },
  { value: 'billing', label: 'Billing (payments, renewals)' },
  { value: 'product_usage', label: 'Product usage (activity)' },
  { value: 'survey', label: 'Survey (NPS, CSAT)' },
];

const STATUS_COLOR: Record<string, string> = {
  processed: 'teal',
  duplicate: 'gray',
  rejected: 'orange',
  failed: 'red',
};

function IntegrationLog({ integration, zone }: { integration: IntegrationView; zone: string }) {
  const log = usePagedLog(['integration-deliveries', integration.id], (cursor) =>
    call<Page<IntegrationDeliveryView>>(
      client.GET('/api/v1/integrations/{integrationId}/deliveries', {
        params: {
          path: { integrationId: integration.id },
          query: { limit: LOG_PAGE_SIZE, ...(cursor ? { cursor } : {}) },
        },
      }),
    ),
  );
  return (
    <PagedLog
      log={log}
      caption={`Events received from ${integration.name}, newest first`}
      columns={[{ label: 'Received' }, { label: 'Event' }, { label: 'Status' }, { label: 'Answer' }]}
      minWidth={640}
      empty={
        <Text size="sm" c="dimmed">
          No signed event has arrived yet. Point the sender at {integration.endpoint}.
        </Text>
      }
      row={(d) => (
        <Table.Tr key={d.id}>
          <Table.Td>{formatDateTime(d.receivedAt, zone)}</Table.Td>
          <Table.Td>
            {d.eventType ?? '—'}
            <Text size="xs" c="dimmed">
              {d.eventId}
            </Text>
          </Table.Td>
          <Table.Td>
            <Badge size="sm" variant="light" color={STATUS_COLOR[d.status] ?? 'gray'} c="dark.7">
              {d.status}
            </Badge>
          </Table.Td>
          <Table.Td>
            {d.httpStatus ? `HTTP ${d.httpStatus}` : '—'}
            {d.error && (
              <Text size="xs" c="red.9">
                {d.error}
              </Text>
            )}
          </Table.Td>
        </Table.Tr>
      )}
    />
  );
}

export function SettingsIntegrations() {
  const zone = useSignedIn().workspace.timeZone;
  const qc = useQueryClient();
  const [kind, setKind] = useState<IntegrationKind>('helpdesk');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<unknown>(null);
  const [created, setCreated] = useState<(IntegrationView & { secret: string }) | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['integrations'],
    queryFn: () => call<{ data: IntegrationView[] }>(client.GET('/api/v1/integrations')).then((r) => r.data),
  });
  const create = useMutation({
    mutationFn: () =>
      call<IntegrationView & { secret: string }>(
        client.POST('/api/v1/integrations', { body: { kind, name: name.trim() } }),
      ),
    onSuccess: (i) => {
      setCreated(i);
      setName('');
      setErrors({});
      setBanner(null);
      qc.invalidateQueries({ queryKey: ['integrations'] });
    },
    onError: (e) => {
      const fields = e instanceof ApiError ? e.fieldErrors() : {};
      setErrors(fields);
      setBanner(Object.keys(fields).length > 0 ? null : e);
    },
  });
  return (
    <Stack gap="lg">
      <Card withBorder>
        <Stack gap="sm">
          <SectionTitle description="Other systems push signed events (Standard Webhooks) that become signals on the matching account.">
            Inbound integrations
          </SectionTitle>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              create.mutate();
            }}
            noValidate
          >
            <ErrorBanner error={banner} title="Could not create the integration" />
            <Group align="flex-start" gap="sm" wrap="wrap">
              <Select
                label="Kind"
                data={KINDS}
                value={kind}
                onChange={(v) => v && setKind(v as IntegrationKind)}
                allowDeselect={false}
                error={errors.kind}
                w={{ base: '100%', sm: 300 }}
              />
              <TextInput
                label="Name"
                placeholder="e.g. Zendesk EU"
                required
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                error={errors.name}
                w={{ base: '100%', sm: 260 }}
              />
              <Button type="submit" loading={create.isPending} mt={{ base: 0, sm: 25 }}>
                Add integration
              </Button>
            </Group>
          </form>
          {created && (
            <SecretOnce
              title={`Integration “${created.name}” created`}
              label="Integration signing secret"
              value={created.secret}
              onDismiss={() => setCreated(null)}
            >
              <Text size="sm">
                The sender signs each event with this secret and posts it to{' '}
                <Code>
                  {window.location.origin}
                  {created.endpoint}
                </Code>
                . Events: {created.eventTypes.join(', ')}.
              </Text>
            </SecretOnce>
          )}
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="sm">
          <SectionTitle>Integrations</SectionTitle>
          <ErrorBanner error={list.error} title="Could not load integrations" />
          {list.isPending && <Loader size="sm" aria-label="Loading integrations" />}
          {list.data && list.data.length === 0 && (
            <Text size="sm" c="dimmed">
              No integrations yet. Add one above to bring tickets, payments, usage or survey answers in.
            </Text>
          )}
          {list.data && list.data.length > 0 && (
            <Table.ScrollContainer scrollAreaProps={focusableScroll} minWidth={760}>
              <Table verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Name</Table.Th>
                    <Table.Th scope="col">Kind</Table.Th>
                    <Table.Th scope="col">Endpoint</Table.Th>
                    <Table.Th scope="col">Status</Table.Th>
                    <Table.Th scope="col">
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.data.map((i) => (
                    <Fragment key={i.id}>
                      <Table.Tr>
                        <Table.Td>
                          {i.name}
                          <Text size="xs" c="dimmed">
                            created {formatDateTime(i.createdAt, zone)}
                          </Text>
                        </Table.Td>
                        <Table.Td>{words(i.kind)}</Table.Td>
                        <Table.Td>
                          <Code>{i.endpoint}</Code>
                        </Table.Td>
                        <Table.Td>
                          <Badge
                            variant="light"
                            color={
                              i.status === 'active' ? 'teal' : i.status === 'suspended' ? 'orange' : 'gray'
                            }
                            c="dark.7"
                          >
                            {i.status}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          <Group gap={4} wrap="nowrap">
                            <Button
                              size="compact-sm"
                              variant="subtle"
                              aria-expanded={open === i.id}
                              aria-label={`Deliveries of ${i.name}`}
                              onClick={() => setOpen((o) => (o === i.id ? null : i.id))}
                            >
                              Deliveries
                            </Button>
                            {i.status !== 'revoked' && (
                              <ConfirmButton
                                label="Revoke"
                                ariaLabel={`Revoke integration ${i.name}`}
                                title="Revoke integration"
                                message={`${i.endpoint} will answer 404 from now on.`}
                                confirmLabel="Revoke integration"
                                onConfirm={async () => {
                                  await call(
                                    client.DELETE('/api/v1/integrations/{integrationId}', {
                                      params: { path: { integrationId: i.id } },
                                    }),
                                  );
                                  await qc.invalidateQueries({ queryKey: ['integrations'] });
                                }}
                              />
                            )}
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                      {open === i.id && (
                        <Table.Tr>
                          <Table.Td colSpan={5}>
                            <IntegrationLog integration={i} zone={zone} />
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
