// One promise: what was promised and why the customer cares, its details, a timeline bar, its risk
// with reasons, the proof when kept, and the full verified ledger history; changes via PromiseActions.
import {
  Anchor,
  Badge,
  Center,
  DataList,
  Grid,
  Group,
  List,
  Loader,
  Paper,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, call, client } from '../api/client';
import type { Page, PromiseWithHistory } from '../api/types';
import { formatDateTime, relative, words } from '../app/format';
import { PageHeader } from '../app/Layout';
import { useUserNames } from '../app/queries';
import { useSignedIn } from '../app/session';
import { ErrorBanner } from '../components/ErrorBanner';
import { PromiseActions } from '../components/PromiseActions';
import { PromiseHistory } from '../components/PromiseHistory';
import {
  PromiseStateBadges,
  RiskBadge,
  riskIndicatorLabel,
  useAccountNames,
  useTypeLabel,
} from '../components/PromiseLabels';
import { PromiseTimeline } from '../components/PromiseTimeline';

/** A contact as src/contacts/contacts.presenter.ts writes it (only what this page reads). */
interface PromiseContact {
  id: string;
  name: string;
  email: string | null;
  title: string | null;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Title order={3} size="h4" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <DataList.Item>
      <DataList.ItemLabel>{label}</DataList.ItemLabel>
      <DataList.ItemValue>{children}</DataList.ItemValue>
    </DataList.Item>
  );
}

const minutes = (m: number) =>
  m < 60 ? `${m} min` : m < 60 * 24 ? `${Math.round(m / 6) / 10} h` : `${Math.round(m / 144) / 10} days`;

export function PromisePage() {
  const { promiseId = '' } = useParams();
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const queryClient = useQueryClient();
  const userName = useUserNames();
  const typeLabel = useTypeLabel();

  const promise = useQuery({
    queryKey: ['promise', promiseId],
    queryFn: () =>
      call<PromiseWithHistory>(
        client.GET('/api/v1/promises/{promiseId}', { params: { path: { promiseId } } }),
      ),
  });
  const p = promise.data;
  const accountName = useAccountNames(p ? [p.accountId] : []);
  const contacts = useQuery({
    queryKey: ['contacts', p?.accountId],
    enabled: Boolean(p?.accountId),
    queryFn: () =>
      call<Page<PromiseContact>>(
        client.GET('/api/v1/accounts/{accountId}/contacts', {
          params: { path: { accountId: p?.accountId ?? '' }, query: { limit: 500 } },
        }),
      ).then((r) => r.data),
    staleTime: 60_000,
  });
  const contactName = (id: string) => contacts.data?.find((c) => c.id === id)?.name ?? 'a contact';

  if (promise.isLoading) {
    return (
      <>
        <PageHeader title="Promise" />
        <Center py="xl">
          <Loader aria-label="Loading the promise" />
        </Center>
      </>
    );
  }
  if (!p) {
    const notFound =
      promise.error instanceof ApiError && (promise.error.status === 404 || promise.error.status === 400);
    return (
      <>
        <PageHeader title="Promise" />
        {notFound ? (
          <Paper withBorder p="lg">
            <Text fw={500}>This promise does not exist in this workspace.</Text>
            <Anchor component={Link} to="/promises" size="sm">
              Back to all promises
            </Anchor>
          </Paper>
        ) : (
          <ErrorBanner error={promise.error} title="The promise could not be loaded" />
        )}
      </>
    );
  }

  const refetch = () => {
    void queryClient.invalidateQueries({ queryKey: ['promise', promiseId] });
    void queryClient.invalidateQueries({ queryKey: ['promises'] });
  };
  const due = p.effectiveDueAt ?? p.dueAt;
  const contact = p.contactId ? contacts.data?.find((c) => c.id === p.contactId) : undefined;

  return (
    <>
      {/* PromiseActions shows itself only to who may change this promise, and only while it is open. */}
      <PageHeader title="Promise">
        <PromiseActions promise={p} onChanged={refetch} />
      </PageHeader>
      <ErrorBanner error={promise.error} title="The latest changes could not be loaded" />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="md">
            <Paper withBorder p="md">
              <Group gap="xs" mb="xs">
                <PromiseStateBadges promise={p} />
                <RiskBadge level={p.risk.level} />
                {p.renegotiationCount > 0 && (
                  <Badge variant="light" color="orange" c="gray.9">
                    Renegotiated {p.renegotiationCount}×
                  </Badge>
                )}
              </Group>
              <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                What we promised
              </Text>
              <Text size="lg" fw={500} mb="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {p.promiseMade}
              </Text>
              <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                Why the customer cares
              </Text>
              <Text style={{ whiteSpace: 'pre-wrap' }}>{p.customerReason}</Text>
            </Paper>

            <Section title="Timeline">
              <PromiseTimeline promise={p} zone={zone} />
            </Section>

            {p.status === 'kept' && p.proof && (
              <Section title="Proof it was kept">
                <DataList>
                  <Item label="Proof">{words(p.proof.kind)}</Item>
                  {p.proof.note && <Item label="Note">{p.proof.note}</Item>}
                  {p.proof.url && (
                    <Item label="Link">
                      <Anchor href={p.proof.url} target="_blank" rel="noreferrer">
                        {p.proof.url}
                      </Anchor>
                    </Item>
                  )}
                  <Item label="Kept">
                    {formatDateTime(p.closedAt, zone)} {p.keptLate ? '(late)' : '(on time)'}
                  </Item>
                  <Item label="Recovery">{words(p.recoveryStrength)}</Item>
                </DataList>
              </Section>
            )}
            {(p.status === 'broken' || p.status === 'cancelled') && (
              <Section title={p.status === 'broken' ? 'Why it was broken' : 'Why it was cancelled'}>
                <Text size="sm">{p.closeReason ?? '—'}</Text>
                <Text size="xs" c="dimmed" mt={4}>
                  {formatDateTime(p.closedAt, zone)}
                </Text>
              </Section>
            )}

            <Section title="History">
              <PromiseHistory promise={p} zone={zone} contactName={contactName} />
            </Section>
          </Stack>
        </Grid.Col>

        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="md">
            <Section title="Details">
              <DataList labelWidth={130}>
                <Item label="Status">{words(p.status)}</Item>
                <Item label="Owner">{userName(p.ownerId)}</Item>
                <Item label="Account">
                  <Anchor component={Link} to={`/accounts/${p.accountId}`}>
                    {accountName(p.accountId)}
                  </Anchor>
                </Item>
                {p.contactId && (
                  <Item label="Contact">
                    {contact ? `${contact.name}${contact.title ? `, ${contact.title}` : ''}` : '—'}
                  </Item>
                )}
                <Item label="Due">
                  {due ? (
                    <>
                      {formatDateTime(due, zone)}
                      {p.status === 'open' && (
                        <Text span size="sm" c={p.overdue ? 'red.9' : 'dimmed'}>
                          {' '}
                          ({p.overdue ? 'overdue, ' : ''}
                          {relative(due)})
                        </Text>
                      )}
                    </>
                  ) : p.paused ? (
                    'Clock paused'
                  ) : (
                    '—'
                  )}
                </Item>
                {p.paused && (
                  <Item label="Paused">
                    since {formatDateTime(p.pausedAt, zone)}, waiting on{' '}
                    {p.pauseCause === 'us' ? 'us' : 'the customer'}
                  </Item>
                )}
                <Item label="Type">{typeLabel(p.typeKey)}</Item>
                <Item label="Customer emotion">{words(p.emotion)}</Item>
                <Item label="Consequence">{words(p.consequence)}</Item>
                <Item label="Source">{words(p.source)}</Item>
                {p.priority && <Item label="Priority">{words(p.priority)}</Item>}
                <Item label="Created">
                  {formatDateTime(p.createdAt, zone)} by {userName(p.createdBy)}
                </Item>
              </DataList>
            </Section>

            <Section title="Risk">
              <Group gap="xs" mb="xs">
                <RiskBadge level={p.risk.level} />
              </Group>
              {p.risk.reasons.length === 0 ? (
                <Text size="sm" c="dimmed">
                  No risk indicators are set, and there is not yet enough history of this type to measure the
                  buffer.
                </Text>
              ) : (
                <List size="sm" spacing={4}>
                  {p.risk.reasons.map((r) => (
                    <List.Item key={r.indicator}>
                      <Text span size="sm" fw={500}>
                        {words(r.level)}:
                      </Text>{' '}
                      {r.detail}
                    </List.Item>
                  ))}
                </List>
              )}
              {p.risk.buffer && p.risk.buffer.bufferPercent !== null && (
                <Text size="xs" c="dimmed" mt="xs">
                  Buffer {p.risk.buffer.bufferPercent}%: promised {minutes(p.risk.buffer.promisedMinutes)} of
                  business time; 80% of {p.risk.buffer.sampleSize} kept promises of this type took up to{' '}
                  {minutes(p.risk.buffer.p80Minutes)}.
                </Text>
              )}
              {p.risk.unscored.length > 0 && (
                <Text size="xs" c="dimmed" mt="xs">
                  Not scored: {p.risk.unscored.map(riskIndicatorLabel).join(', ')}
                </Text>
              )}
            </Section>

            {p.sla && (
              <Section title="SLA">
                <DataList labelWidth={130}>
                  <Item label="State">{words(p.sla.state)}</Item>
                  <Item label="Deadline">{formatDateTime(p.sla.dueAt, zone)}</Item>
                  <Item label="Budget">{minutes(p.sla.budgetMinutes)} of business time</Item>
                  <Item label="Used">{minutes(p.sla.minutesUsed)}</Item>
                  {p.sla.minutesOver > 0 ? (
                    <Item label="Over by">
                      <Text span size="sm" c="red.9">
                        {minutes(p.sla.minutesOver)}
                      </Text>
                    </Item>
                  ) : (
                    <Item label="Remaining">{minutes(p.sla.minutesRemaining)}</Item>
                  )}
                  {p.sla.breachRecordedAt && (
                    <Item label="Breached">{formatDateTime(p.sla.breachRecordedAt, zone)}</Item>
                  )}
                </DataList>
              </Section>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}
