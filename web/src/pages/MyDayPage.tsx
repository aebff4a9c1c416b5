// My day: the signed-in user's open promises — overdue (oldest first), due within 48 hours, due in the
// next 7 days, later this month, paused — with one-click actions, and the reminders in their inbox.
import {
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Loader,
  Menu,
  Paper,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { call, client } from '../api/client';
import type { AccountView, InboxItemView, Page, PromiseView, RiskLevel } from '../api/types';
import { can } from '../app/can';
import { formatDateTime, overdueDays, relative, words } from '../app/format';
import { PageHeader } from '../app/Layout';
import { useSignedIn } from '../app/session';
import { wallClock, zonedInstant } from '../components/due-input';
import { ErrorBanner } from '../components/ErrorBanner';
import { PromiseActions } from '../components/PromiseActions';

const DAY_MS = 86_400_000;
const LIMIT = 50;

type SectionKey = 'overdue' | 'soon' | 'week' | 'later' | 'paused';

interface Section {
  key: SectionKey;
  title: string;
  empty: string;
  /** GET /promises query parameters, computed when fetched (the windows move with the clock). */
  query: (now: Date, zone: string) => Record<string, string | number>;
}

/** The end of the local day `days` after today in `zone` (the "next 7 days" include all of the 7th). */
function endOfDayAfter(now: Date, zone: string, days: number): Date {
  const w = wallClock(new Date(now.getTime() + days * DAY_MS), zone);
  return new Date(
    zonedInstant({ year: w.year, month: w.month, day: w.day, hour: 23, minute: 59 }, zone).getTime() + 60_000,
  );
}

const SECTIONS: Section[] = [
  {
    key: 'overdue',
    title: 'Overdue',
    empty: 'Nothing overdue. Keep it that way: check what is due within 48 hours.',
    query: () => ({ overdue: 'true' }),
  },
  {
    key: 'soon',
    title: 'Due within 48 hours',
    empty: 'Nothing due in the next 48 hours.',
    query: () => ({ dueWithinDays: 2 }),
  },
  {
    key: 'week',
    title: 'Due in the next 7 days',
    empty: 'Nothing else due this week.',
    query: (now, zone) => ({
      dueFrom: new Date(now.getTime() + 2 * DAY_MS).toISOString(),
      dueTo: endOfDayAfter(now, zone, 7).toISOString(),
    }),
  },
  {
    key: 'later',
    title: 'Later this month',
    empty: 'Nothing else due in the next 30 days.',
    query: (now, zone) => ({
      dueFrom: endOfDayAfter(now, zone, 7).toISOString(),
      dueTo: endOfDayAfter(now, zone, 30).toISOString(),
    }),
  },
  {
    key: 'paused',
    title: 'Paused',
    empty: 'No paused promises: the clock is running on all of them.',
    query: () => ({ paused: 'true' }),
  },
];

export function MyDayPage() {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const queryClient = useQueryClient();
  const results = useQueries({
    queries: SECTIONS.map((s) => ({
      queryKey: ['promises', 'my-day', s.key],
      queryFn: () =>
        call<Page<PromiseView>>(
          client.GET('/api/v1/promises', {
            params: {
              query: {
                owner: 'me',
                status: 'open',
                sort: 'effectiveDueAt',
                limit: LIMIT,
                count: 'true',
                ...s.query(new Date(), zone),
              },
            },
          }),
        ),
    })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['promises'] });

  // Account names for every promise shown, one cached read per account.
  const accountIds = [
    ...new Set(results.flatMap((r) => (r.data?.data ?? []).map((p) => p.accountId))),
  ].sort();
  const accountQueries = useQueries({
    queries: accountIds.map((id) => ({
      queryKey: ['account', id],
      queryFn: () =>
        call<AccountView>(
          client.GET('/api/v1/accounts/{accountId}', { params: { path: { accountId: id } } }),
        ),
      staleTime: 60_000,
    })),
  });
  const accountName = new Map(accountQueries.flatMap((q) => (q.data ? [[q.data.id, q.data.name]] : [])));

  const counts = results.map((r) => r.data?.total ?? r.data?.data.length ?? 0);
  const [overdueN = 0, soonN = 0, weekN = 0] = counts;
  return (
    <>
      <PageHeader title="My day">
        <Text size="sm" c="dimmed">
          {results.every((r) => r.data)
            ? `${overdueN} overdue · ${soonN} due within 48 hours · ${weekN} more in the next 7 days`
            : 'Loading your promises…'}
        </Text>
      </PageHeader>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="xl">
            {SECTIONS.map((s, i) => {
              const r = results[i];
              if (!r) return null;
              // Paused and "later" sections only appear when they hold something.
              if ((s.key === 'paused' || s.key === 'later') && r.data && r.data.data.length === 0)
                return null;
              return (
                <section key={s.key} aria-labelledby={`my-day-${s.key}`}>
                  <Group gap="xs" mb="xs">
                    <Title order={3} id={`my-day-${s.key}`} size="h4">
                      {s.title}
                    </Title>
                    {r.data && (
                      <Badge
                        variant="filled"
                        color={s.key === 'overdue' && counts[i] ? 'red.9' : 'gray.2'}
                        autoContrast
                        aria-label={`${counts[i]} promises`}
                      >
                        {counts[i]}
                      </Badge>
                    )}
                  </Group>
                  <ErrorBanner error={r.error} title={`Could not load “${s.title}”`} />
                  {r.isPending && <Loader size="sm" aria-label={`Loading ${s.title}`} />}
                  {r.data && r.data.data.length === 0 && (
                    <Text size="sm" c="dimmed">
                      {s.empty}
                    </Text>
                  )}
                  <Stack gap="sm">
                    {r.data?.data.map((p) => (
                      <PromiseCard
                        key={p.id}
                        promise={p}
                        accountName={accountName.get(p.accountId)}
                        zone={zone}
                        onChanged={refresh}
                      />
                    ))}
                  </Stack>
                  {r.data && (r.data.total ?? 0) > r.data.data.length && (
                    <Anchor component={Link} to="/promises" size="sm" mt="xs" display="inline-block">
                      {`Showing ${r.data.data.length} of ${r.data.total}: see all on Promises`}
                    </Anchor>
                  )}
                </section>
              );
            })}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Reminders />
        </Grid.Col>
      </Grid>
    </>
  );
}

const RISK_COLOR: Record<RiskLevel, string> = { high: 'red.9', medium: 'yellow.4', low: 'gray.2' };

function PromiseCard({
  promise: p,
  accountName,
  zone,
  onChanged,
}: {
  promise: PromiseView;
  accountName: string | undefined;
  zone: string;
  onChanged: () => void;
}) {
  const due = p.effectiveDueAt ?? p.dueAt;
  const titleId = `promise-${p.id}`;
  return (
    <Card withBorder padding="sm" component="article" aria-labelledby={titleId} data-promise-id={p.id}>
      <Stack gap={6}>
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
          <Anchor component={Link} to={`/promises/${p.id}`} fw={600} id={titleId} style={{ minWidth: 0 }}>
            {p.promiseMade}
          </Anchor>
          <Badge color={RISK_COLOR[p.risk.level]} variant="filled" autoContrast style={{ flexShrink: 0 }}>
            {`${words(p.risk.level)} risk`}
          </Badge>
        </Group>
        <Text size="sm">
          {accountName ? (
            <Anchor component={Link} to={`/accounts/${p.accountId}`} size="sm">
              {accountName}
            </Anchor>
          ) : (
            'Loading account…'
          )}
          {p.emotion ? ` · customer ${words(p.emotion).toLowerCase()}` : ''}
          {p.renegotiationCount > 0 ? ` · renegotiated ${p.renegotiationCount}×` : ''}
        </Text>
        <Text size="sm">
          <Text span fw={500}>
            Why they care:{' '}
          </Text>
          {p.customerReason}
        </Text>
        <Text size="sm">
          {p.paused ? (
            <>
              Paused {relative(p.pausedAt)} (
              {p.pauseCause === 'customer' ? 'waiting for the customer' : 'waiting on us'}
              ); was due {formatDateTime(p.dueAt, zone)}
            </>
          ) : p.overdue ? (
            <>
              <Text span fw={700} c="red.9">
                Overdue {overdueDays(due)} {overdueDays(due) === 1 ? 'day' : 'days'}
              </Text>{' '}
              — was due {formatDateTime(due, zone)}
            </>
          ) : (
            <>
              Due {relative(due)} — {formatDateTime(due, zone)}
            </>
          )}
        </Text>
        <PromiseActions promise={p} onChanged={onChanged} size="xs" />
      </Stack>
    </Card>
  );
}

const SNOOZES: { label: string; until: (now: Date, zone: string) => Date }[] = [
  { label: 'For 1 hour', until: (now) => new Date(now.getTime() + 3_600_000) },
  { label: 'For 4 hours', until: (now) => new Date(now.getTime() + 4 * 3_600_000) },
  {
    label: 'Until tomorrow 09:00',
    until: (now, zone) => {
      const w = wallClock(new Date(now.getTime() + DAY_MS), zone);
      return zonedInstant({ year: w.year, month: w.month, day: w.day, hour: 9, minute: 0 }, zone);
    },
  },
  {
    label: 'For a week',
    until: (now) => new Date(now.getTime() + 7 * DAY_MS),
  },
];

/** The user's inbox: checkpoint, due and overdue reminders, renewal and account notices. */
function Reminders() {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const queryClient = useQueryClient();
  const inbox = useQuery({
    queryKey: ['inbox'],
    queryFn: () =>
      call<Page<InboxItemView>>(client.GET('/api/v1/me/inbox', { params: { query: { limit: 30 } } })),
  });
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const manage = can(session, 'notifications.manage_own');

  const act = async (item: InboxItemView, what: 'read' | 'done' | 'snooze', until?: Date) => {
    setBusy(item.id);
    setError(null);
    try {
      const params = { path: { itemId: item.id } };
      if (what === 'read') await call(client.POST('/api/v1/me/inbox/{itemId}/read', { params }));
      if (what === 'done') await call(client.POST('/api/v1/me/inbox/{itemId}/done', { params }));
      if (what === 'snooze' && until) {
        await call(
          client.POST('/api/v1/me/inbox/{itemId}/snooze', { params, body: { until: until.toISOString() } }),
        );
        notifications.show({
          closeButtonProps: { 'aria-label': 'Close notification' },
          title: 'Reminder snoozed',
          message: `Back ${formatDateTime(until.toISOString(), zone)}`,
        });
      }
      await queryClient.invalidateQueries({ queryKey: ['inbox'] });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="my-day-reminders">
      <Title order={3} id="my-day-reminders" size="h4" mb="xs">
        Reminders
      </Title>
      <ErrorBanner error={inbox.error} title="Could not load your reminders" />
      <ErrorBanner error={error} title="Could not update the reminder" />
      {inbox.isPending && <Loader size="sm" aria-label="Loading reminders" />}
      {inbox.data && inbox.data.data.length === 0 && (
        <Text size="sm" c="dimmed">
          No reminders. Check-ins at 50% and customer updates at 80% of a promise’s timeline appear here.
        </Text>
      )}
      <Stack gap="sm">
        {inbox.data?.data.map((item) => (
          <Paper key={item.id} withBorder p="sm" component="article" aria-label={item.title}>
            <Stack gap={4}>
              <Group gap="xs" wrap="nowrap" justify="space-between" align="flex-start">
                <Text size="sm" fw={item.read ? 400 : 700}>
                  {item.subject.type === 'promise' ? (
                    <Anchor component={Link} to={`/promises/${item.subject.id}`} inherit>
                      {item.title}
                    </Anchor>
                  ) : item.subject.type === 'account' ? (
                    <Anchor component={Link} to={`/accounts/${item.subject.id}`} inherit>
                      {item.title}
                    </Anchor>
                  ) : (
                    item.title
                  )}
                </Text>
                {!item.read && (
                  <Badge size="sm" color="blue.9" variant="filled" style={{ flexShrink: 0 }}>
                    New
                  </Badge>
                )}
              </Group>
              <Text size="xs" c="dimmed">
                {words(item.kind)} · {relative(item.createdAt)}
              </Text>
              {item.text && (
                <Text size="sm" lineClamp={3} style={{ whiteSpace: 'pre-line' }}>
                  {item.text}
                </Text>
              )}
              {manage && (
                <Group gap={6} mt={4}>
                  {!item.read && (
                    <Button
                      size="compact-xs"
                      variant="default"
                      disabled={busy === item.id}
                      onClick={() => act(item, 'read')}
                    >
                      Mark read
                    </Button>
                  )}
                  <Button
                    size="compact-xs"
                    variant="default"
                    disabled={busy === item.id}
                    onClick={() => act(item, 'done')}
                  >
                    Done
                  </Button>
                  <Menu position="bottom-start">
                    <Menu.Target>
                      <Button size="compact-xs" variant="default" disabled={busy === item.id}>
                        Snooze
                      </Button>
                    </Menu.Target>
                    <Menu.Dropdown>
                      {SNOOZES.map((s) => (
                        <Menu.Item
                          key={s.label}
                          onClick={() => act(item, 'snooze', s.until(new Date(), zone))}
                        >
                          {s.label}
                        </Menu.Item>
                      ))}
                    </Menu.Dropdown>
                  </Menu>
                </Group>
              )}
            </Stack>
          </Paper>
        ))}
      </Stack>
    </section>
  );
}
