// Executive escalations (workflow 7): the escalation signals, open first; opening one shows what is
// politically at stake and what reassurance the customer wants, and closes it with a follow-up promise.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Drawer,
  Group,
  Loader,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { call, client } from '../api/client';
import type { ClosedEscalationView, Page, SignalView } from '../api/types';
import { can } from '../app/can';
import { formatDateTime, relative, words } from '../app/format';
import { PageHeader } from '../app/Layout';
import { useUserNames } from '../app/queries';
import { useSignedIn } from '../app/session';
import { useUrlParams } from '../app/url-params';
import { READABLE_TITLE } from '../components/AccountShared';
import { Fact } from '../components/AccountSignals';
import { ErrorBanner } from '../components/ErrorBanner';
import { EscalationCloseForm } from '../components/EscalationClose';
import { useAccountNames } from '../components/PromiseLabels';

type StatusFilter = 'open' | 'closed' | 'all';

export function EscalationsPage() {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const [params, updateParams] = useUrlParams();
  const status = (params.get('status') as StatusFilter | null) ?? 'open';
  const openId = params.get('escalation');
  const wide = useMediaQuery('(min-width: 48em)');

  const list = useInfiniteQuery({
    queryKey: ['escalations', status],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call<Page<SignalView>>(
        client.GET('/api/v1/signals', {
          params: {
            query: {
              kind: 'escalation',
              limit: 50,
              ...(status === 'all' ? {} : { status }),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const accountName = useAccountNames(rows.map((s) => s.accountId));

  const setParam = (key: string, value: string | null) =>
    updateParams({ [key]: value }, { replace: key === 'status' });

  return (
    <>
      <PageHeader title="Escalations" />
      <Stack gap="md">
        <SegmentedControl
          aria-label="Show escalations"
          value={status}
          onChange={(v) => setParam('status', v === 'open' ? null : v)}
          data={[
            { value: 'open', label: 'Open' },
            { value: 'closed', label: 'Closed' },
            { value: 'all', label: 'All' },
          ]}
          style={{ alignSelf: 'flex-start' }}
        />
        <ErrorBanner error={list.error} title="Could not load escalations" />
        {list.isLoading ? (
          <Loader aria-label="Loading escalations" />
        ) : rows.length === 0 && !list.error ? (
          <Text c="dimmed" role="status">
            {status === 'open'
              ? 'No open escalation. When a customer escalates, record it as an escalation signal (with the political risk and the reassurance they want) and it appears here.'
              : 'No escalation here.'}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table striped highlightOnHover aria-label="Escalations">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Occurred</Table.Th>
                  <Table.Th>Account</Table.Th>
                  <Table.Th>Summary</Table.Th>
                  <Table.Th>Political risk</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td>{formatDateTime(s.occurredAt, zone)}</Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/accounts/${s.accountId}`}>
                        {accountName(s.accountId)}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{s.summary ?? '—'}</Table.Td>
                    <Table.Td>{s.politicalRisk}</Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        <Badge color={s.status === 'open' ? 'red' : 'gray'} variant="dot">
                          {words(s.status)}
                        </Badge>
                        {(s.reopenCount ?? 0) > 0 && (
                          <Badge color="orange" variant="dot">
                            Reopened {s.reopenCount}×
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => setParam('escalation', s.id)}
                        aria-label={`Open escalation on ${accountName(s.accountId)} from ${formatDateTime(s.occurredAt, zone)}`}
                      >
                        Open
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {list.hasNextPage && (
          <Button
            variant="default"
            onClick={() => list.fetchNextPage()}
            loading={list.isFetchingNextPage}
            style={{ alignSelf: 'center' }}
          >
            Load more escalations
          </Button>
        )}
      </Stack>
      <Drawer
        opened={Boolean(openId)}
        onClose={() => setParam('escalation', null)}
        position="right"
        size={wide ? 'xl' : '100%'}
        title="Escalation"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        {openId && <EscalationDetail id={openId} />}
      </Drawer>
    </>
  );
}

function EscalationDetail({ id }: { id: string }) {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const userName = useUserNames();
  const [closed, setClosed] = useState<ClosedEscalationView | null>(null);
  const signal = useQuery({
    queryKey: ['escalations', 'one', id],
    queryFn: () =>
      call<SignalView>(client.GET('/api/v1/signals/{signalId}', { params: { path: { signalId: id } } })),
  });
  const accountName = useAccountNames(signal.data ? [signal.data.accountId] : []);
  if (signal.isLoading) return <Loader aria-label="Loading the escalation" />;
  if (signal.error || !signal.data) {
    return (
      <ErrorBanner error={signal.error ?? new Error('Escalation not found')} title="Could not load it" />
    );
  }
  const s = closed ?? signal.data;
  if (s.kind !== 'escalation') {
    return (
      <Alert color="orange" styles={READABLE_TITLE}>
        This signal is a {words(s.kind)}, not an escalation.
      </Alert>
    );
  }
  return (
    <Stack gap="md">
      <div>
        <Title order={3} size="h4">
          <Anchor component={Link} to={`/accounts/${s.accountId}`} inherit>
            {accountName(s.accountId)}
          </Anchor>
        </Title>
        <Text size="sm" c="dimmed">
          Escalated {formatDateTime(s.occurredAt, zone)} ({relative(s.occurredAt)}) · recorded by{' '}
          {userName(s.recordedBy)}
        </Text>
      </div>
      <Group gap="xs">
        <Badge color={s.status === 'open' ? 'red' : 'gray'} variant="dot" size="lg">
          {words(s.status)}
        </Badge>
        {s.reopenedWithin60Days && (
          <Badge color="orange" variant="dot">
            Reopened within 60 days
          </Badge>
        )}
      </Group>
      {s.summary && <Fact label="What happened">{s.summary}</Fact>}
      <Fact label="Political risk">{s.politicalRisk}</Fact>
      <Fact label="Reassurance the customer wants">{s.desiredReassurance}</Fact>
      {s.history && s.history.length > 0 && (
        <Fact label="History">
          <Stack gap={2} component="ul" style={{ paddingLeft: '1rem', margin: 0 }}>
            {s.history.map((t, n) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the history is append-only, its order is stable
              <li key={n}>
                {words(String(t.action ?? ''))} {t.at ? formatDateTime(String(t.at), zone) : ''}
                {t.by ? ` by ${userName(String(t.by))}` : ''}
                {t.resolution ? `: ${String(t.resolution)}` : ''}
                {t.reason ? `: ${String(t.reason)}` : ''}
              </li>
            ))}
          </Stack>
        </Fact>
      )}
      {closed && (
        <Alert color="green" styles={READABLE_TITLE} title="Escalation closed" role="status">
          Follow-up promise:{' '}
          <Anchor component={Link} to={`/promises/${closed.followUpPromise.id}`}>
            {closed.followUpPromise.promiseMade}
          </Anchor>{' '}
          — {userName(closed.followUpPromise.ownerId)}, due{' '}
          {formatDateTime(closed.followUpPromise.dueAt, zone)}
        </Alert>
      )}
      {!closed && s.status === 'closed' && s.followUpPromiseId && (
        <Text size="sm">
          Follow-up promise:{' '}
          <Anchor component={Link} to={`/promises/${s.followUpPromiseId}`}>
            open it
          </Anchor>
        </Text>
      )}
      {s.status === 'open' &&
        (can(session, 'signal.write') ? (
          <>
            <Title order={3} size="h4">
              Close this escalation
            </Title>
            <EscalationCloseForm escalation={s} onClosed={setClosed} />
          </>
        ) : (
          <Text size="sm" c="dimmed">
            Your role can read escalations but not close them.
          </Text>
        ))}
    </Stack>
  );
}
