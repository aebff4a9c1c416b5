// Sales-to-onboarding handoffs (workflow 5): drafts listing what the customer believes we will do,
// and completing one, which turns every item into a promise owned by the receiver.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Modal,
  SegmentedControl,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, call, client, newIdempotencyKey } from '../api/client';
import type { CompletedHandoffView, HandoffView, Page } from '../api/types';
import { can } from '../app/can';
import { formatDate, formatDateTime, words } from '../app/format';
import { PageHeader } from '../app/Layout';
import { useUserNames } from '../app/queries';
import { useSignedIn } from '../app/session';
import { READABLE_TITLE } from '../components/AccountShared';
import { ErrorBanner } from '../components/ErrorBanner';
import { HandoffForm } from '../components/HandoffForm';
import { useAccountNames } from '../components/PromiseLabels';

type StatusFilter = 'draft' | 'completed' | 'all';

export function HandoffsPage() {
  const session = useSignedIn();
  const mayWrite = can(session, 'handoff.write');
  const [status, setStatus] = useState<StatusFilter>('draft');
  const [creating, setCreating] = useState(0);
  const [justCreated, setJustCreated] = useState<string | null>(null);

  const list = useInfiniteQuery({
    queryKey: ['handoffs', status],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      call<Page<HandoffView>>(
        client.GET('/api/v1/handoffs', {
          params: {
            query: {
              limit: 50,
              ...(status === 'all' ? {} : { status }),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const handoffs = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const accountName = useAccountNames(handoffs.map((h) => h.accountId));

  return (
    <>
      <PageHeader title="Handoffs">
        {mayWrite && <Button onClick={() => setCreating((n) => n + 1)}>Start a handoff</Button>}
      </PageHeader>
      <Modal
        opened={creating > 0}
        onClose={() => setCreating(0)}
        title="Start a sales-to-onboarding handoff"
        size="xl"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        {creating > 0 && (
          <HandoffForm
            key={creating}
            onCreated={(h) => {
              setCreating(0);
              setJustCreated(h.id);
              if (status === 'completed') setStatus('draft');
            }}
          />
        )}
      </Modal>
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          Sales writes down what the customer believes we will do; completing the handoff makes each item a
          promise owned by the receiving team, so nothing said in the sale is forgotten.
        </Text>
        <SegmentedControl
          aria-label="Show handoffs"
          value={status}
          onChange={(v) => setStatus(v as StatusFilter)}
          data={[
            { value: 'draft', label: 'Drafts' },
            { value: 'completed', label: 'Completed' },
            { value: 'all', label: 'All' },
          ]}
          w={{ base: '100%', sm: 'auto' }}
          style={{ alignSelf: 'flex-start' }}
        />
        <ErrorBanner error={list.error} title="Could not load handoffs" />
        {list.isLoading ? (
          <Loader aria-label="Loading handoffs" />
        ) : handoffs.length === 0 && !list.error ? (
          <Text c="dimmed" role="status">
            {status === 'draft'
              ? mayWrite
                ? 'No handoff is waiting. Start one when a deal closes, listing what the customer believes we will do.'
                : 'No handoff is waiting.'
              : 'No handoff here yet.'}
          </Text>
        ) : (
          handoffs.map((h) => (
            <HandoffCard
              key={h.id}
              handoff={h}
              accountName={accountName(h.accountId)}
              highlight={h.id === justCreated}
            />
          ))
        )}
        {list.hasNextPage && (
          <Button
            variant="default"
            onClick={() => list.fetchNextPage()}
            loading={list.isFetchingNextPage}
            style={{ alignSelf: 'center' }}
          >
            Load more handoffs
          </Button>
        )}
      </Stack>
    </>
  );
}

function HandoffCard({
  handoff: h,
  accountName,
  highlight,
}: {
  handoff: HandoffView;
  accountName: string;
  highlight: boolean;
}) {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const userName = useUserNames();
  const queryClient = useQueryClient();
  const [completing, setCompleting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<CompletedHandoffView | null>(null);
  const [key] = useState(newIdempotencyKey);

  const complete = async () => {
    if (completing) return;
    setCompleting(true);
    setError(null);
    try {
      const result = await call<CompletedHandoffView>(
        client.POST('/api/v1/handoffs/{handoffId}/complete', {
          params: { path: { handoffId: h.id } },
          headers: { 'idempotency-key': key },
        }),
      );
      setDone(result);
      await queryClient.invalidateQueries({ queryKey: ['promises'] });
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.status === 409)
        await queryClient.invalidateQueries({ queryKey: ['handoffs'] });
    } finally {
      setCompleting(false);
    }
  };

  const shown = done ?? h;
  const titleId = `handoff-${h.id}`;
  return (
    <Card
      withBorder
      component="article"
      aria-labelledby={titleId}
      style={highlight ? { borderColor: 'var(--mantine-color-blue-6)' } : undefined}
    >
      <Group justify="space-between" align="flex-start" wrap="wrap" mb="xs">
        <div>
          <Title order={3} size="h4" id={titleId}>
            <Anchor component={Link} to={`/accounts/${h.accountId}`} inherit>
              {accountName}
            </Anchor>
          </Title>
          <Text size="sm" c="dimmed">
            {userName(h.fromUserId)} → {userName(h.toUserId)} · started {formatDate(h.createdAt, zone)}
            {shown.completedAt ? ` · completed ${formatDate(shown.completedAt, zone)}` : ''}
          </Text>
        </div>
        <Group gap="xs">
          <Badge color={shown.status === 'completed' ? 'green' : 'blue'} variant="dot">
            {words(shown.status)}
          </Badge>
          {shown.status === 'draft' && can(session, 'handoff.write') && (
            <Button size="xs" onClick={complete} loading={completing}>
              Complete handoff
            </Button>
          )}
        </Group>
      </Group>
      {h.note && (
        <Text size="sm" mb="xs">
          {h.note}
        </Text>
      )}
      <ErrorBanner error={error} title="The handoff was not completed" />
      {done && (
        <Alert
          color="green"
          styles={READABLE_TITLE}
          title={`Handoff completed: ${done.promises.length} promise${done.promises.length === 1 ? '' : 's'} created`}
          mb="sm"
          role="status"
        >
          <Stack gap={4} component="ul" style={{ paddingLeft: '1rem', margin: 0 }}>
            {done.promises.map((p) => (
              <li key={p.id}>
                <Anchor component={Link} to={`/promises/${p.id}`} size="sm">
                  {p.promiseMade}
                </Anchor>
                <Text span size="xs" c="dimmed">
                  {' '}
                  — {userName(p.ownerId)}, due {formatDateTime(p.dueAt, zone)}
                </Text>
              </li>
            ))}
          </Stack>
        </Alert>
      )}
      <Text size="sm" fw={600}>
        Customer believes we will…
      </Text>
      <Stack gap={6} component="ol" style={{ paddingLeft: '1.25rem', margin: 0 }}>
        {shown.items.map((i) => (
          <li key={i.id}>
            <Text size="sm">
              {i.promiseId ? (
                <Anchor component={Link} to={`/promises/${i.promiseId}`}>
                  {i.believesWeWill}
                </Anchor>
              ) : (
                i.believesWeWill
              )}
            </Text>
            <Text size="xs" c="dimmed">
              Why: {i.customerReason} · due {formatDateTime(i.dueAt, zone)}
              {i.emotion ? ` · ${words(i.emotion)}` : ''}
            </Text>
          </li>
        ))}
      </Stack>
    </Card>
  );
}
