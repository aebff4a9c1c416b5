// The pre-conversation brief of an account (workflow 4): temperature and its history, open and
// overdue promises, recent emotions, complaints with their underlying concerns, last NPS/CSAT,
// renewal and ARR, lifecycle stage, and recent signals — with a warning before a commercial ask
// when nobody has checked the temperature recently.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { call, client } from '../api/client';
import type { Page, PromiseView } from '../api/types';
import { can } from '../app/can';
import { formatDate, formatDateTime, formatMoney, overdueDays, relative, words } from '../app/format';
import { PageHeader } from '../app/Layout';
import { useUserNames } from '../app/queries';
import { useSignedIn } from '../app/session';
import {
  daysBetween,
  READABLE_TITLE,
  TemperatureBadge,
  todayIn,
  useAccount,
} from '../components/AccountShared';
import { ComplaintList, Fact, LastSurveys, SignalTimeline } from '../components/AccountSignals';
import { SetTemperatureForm, TemperatureStrip } from '../components/AccountTemperature';
import { ErrorBanner } from '../components/ErrorBanner';

/** A reading older than this is stale before a commercial conversation. */
const STALE_TEMPERATURE_DAYS = 30;
/** How close a renewal must be for a stale temperature to matter. */
const RENEWAL_WARNING_DAYS = 60;

function usePromises(accountId: string, query: Record<string, string | number>) {
  return useQuery({
    queryKey: ['promises', 'account', accountId, query],
    queryFn: () =>
      call<Page<PromiseView>>(
        client.GET('/api/v1/promises', { params: { query: { account: accountId, ...query } as never } }),
      ),
  });
}

export function AccountPage() {
  const { accountId = '' } = useParams();
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const userName = useUserNames();
  const account = useAccount(accountId);
  const open = usePromises(accountId, { status: 'open', sort: 'effectiveDueAt', limit: 50 });
  const recent = usePromises(accountId, { sort: '-createdAt', limit: 30 });

  if (account.isLoading) {
    return (
      <>
        <PageHeader title="Account" />
        <Loader aria-label="Loading the account" />
      </>
    );
  }
  if (account.error || !account.data) {
    return (
      <>
        <PageHeader title="Account" />
        <ErrorBanner
          error={account.error ?? new Error('Account not found')}
          title="Could not load the account"
        />
        <Anchor component={Link} to="/accounts">
          Back to accounts
        </Anchor>
      </>
    );
  }
  const a = account.data;
  const today = todayIn(zone);
  const renewalIn = a.renewalDate ? daysBetween(today, a.renewalDate) : null;
  const tempAgeDays = a.temperatureUpdatedAt
    ? Math.floor((Date.now() - new Date(a.temperatureUpdatedAt).getTime()) / 86_400_000)
    : null;
  const staleTemperature = tempAgeDays === null || tempAgeDays > STALE_TEMPERATURE_DAYS;
  const renewalSoon = renewalIn !== null && renewalIn >= 0 && renewalIn <= RENEWAL_WARNING_DAYS;
  const canSetTemperature =
    can(session, 'account.write_any') || (a.ownerId === session.user.id && can(session, 'account.write_own'));

  const openPromises = open.data?.data ?? [];
  const overdue = openPromises.filter((p) => p.overdue);
  // Recent emotions: what customers felt when they asked, newest first (one line per emotion).
  const emotions = new Map<string, { count: number; last: string }>();
  for (const p of recent.data?.data ?? []) {
    if (!p.emotion) continue;
    const e = emotions.get(p.emotion);
    if (e) e.count += 1;
    else emotions.set(p.emotion, { count: 1, last: p.createdAt });
  }

  return (
    <>
      <PageHeader title={a.name}>
        <Button component={Link} to={`/accounts/${a.id}/renewal-prep`} variant="light">
          Renewal prep: You asked, we did
        </Button>
      </PageHeader>
      <Stack gap="md">
        {staleTemperature && renewalSoon && (
          <Alert
            color="orange"
            styles={READABLE_TITLE}
            title="Check the temperature before the renewal conversation"
            role="alert"
          >
            The renewal is on {a.renewalDate} ({renewalIn === 0 ? 'today' : `in ${renewalIn} days`}) and the
            relationship temperature was{' '}
            {tempAgeDays === null
              ? 'never recorded'
              : `last recorded ${tempAgeDays} days ago (${formatDate(a.temperatureUpdatedAt, zone)})`}
            . Talk to the customer and record how it feels before any commercial ask.
          </Alert>
        )}

        <Card withBorder>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="md">
            <Fact label="Temperature">
              <Group gap={6}>
                <TemperatureBadge temperature={a.temperature} />
                <Text size="xs" c="dimmed">
                  {a.temperatureUpdatedAt ? `set ${relative(a.temperatureUpdatedAt)}` : 'never set'}
                </Text>
              </Group>
            </Fact>
            <Fact label="Renewal">
              {a.renewalDate ?? '—'}
              {renewalIn !== null && (
                <Text size="xs" c="dimmed" span>
                  {' '}
                  ({renewalIn >= 0 ? `in ${renewalIn} days` : `${-renewalIn} days ago`})
                </Text>
              )}
            </Fact>
            <Fact label="ARR">{formatMoney(a.arrMinor, a.currency)}</Fact>
            <Fact label="Lifecycle stage">{words(a.lifecycleStage)}</Fact>
            <Fact label="Tier">{words(a.tier)}</Fact>
            <Fact label="Owner">{userName(a.ownerId)}</Fact>
            <Fact label="Promises">
              {a.promises ? `${a.promises.open} open, ${a.promises.overdue} overdue` : '—'}
            </Fact>
            <LastSurveys accountId={a.id} />
            <Fact label="Last product activity">
              {a.lastActivityAt ? formatDate(a.lastActivityAt, zone) : 'None recorded'}
            </Fact>
          </SimpleGrid>
        </Card>

        <Grid gap="md">
          <Grid.Col span={{ base: 12, md: 7 }}>
            <Stack gap="md">
              <Card withBorder>
                <Title order={3} size="h4" mb="sm">
                  Temperature history
                </Title>
                <TemperatureStrip accountId={a.id} />
              </Card>
              {canSetTemperature && <SetTemperatureForm account={a} />}

              <Card withBorder>
                <Title order={3} size="h4" mb="sm">
                  Open promises ({openPromises.length}
                  {open.data?.nextCursor ? '+' : ''}), {overdue.length} overdue
                </Title>
                <ErrorBanner error={open.error} title="Could not load the promises" />
                {open.isLoading ? (
                  <Loader size="sm" aria-label="Loading promises" />
                ) : openPromises.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    No open promises to this customer. Capture one when you commit to something.
                  </Text>
                ) : (
                  <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                    {[...overdue, ...openPromises.filter((p) => !p.overdue)].map((p) => (
                      <li key={p.id}>
                        <Group gap="xs" wrap="nowrap" align="flex-start">
                          {p.overdue ? (
                            <Badge color="red" variant="dot" style={{ flexShrink: 0 }}>
                              {overdueDays(p.effectiveDueAt ?? p.dueAt)} d overdue
                            </Badge>
                          ) : (
                            <Badge color="blue" variant="dot" style={{ flexShrink: 0 }}>
                              Open
                            </Badge>
                          )}
                          <div>
                            <Anchor component={Link} to={`/promises/${p.id}`} size="sm">
                              {p.promiseMade}
                            </Anchor>
                            <Text size="xs" c="dimmed">
                              Due {formatDateTime(p.effectiveDueAt ?? p.dueAt, zone)} · {userName(p.ownerId)}
                              {p.emotion ? ` · ${words(p.emotion)}` : ''}
                            </Text>
                          </div>
                        </Group>
                      </li>
                    ))}
                  </Stack>
                )}
              </Card>

              <Card withBorder>
                <Title order={3} size="h4" mb="sm">
                  Complaints and underlying concerns
                </Title>
                <ComplaintList accountId={a.id} />
              </Card>
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5 }}>
            <Stack gap="md">
              <Card withBorder>
                <Title order={3} size="h4" mb="sm">
                  Recent emotions
                </Title>
                <ErrorBanner error={recent.error} title="Could not load recent promises" />
                {recent.isLoading ? (
                  <Loader size="sm" aria-label="Loading emotions" />
                ) : emotions.size === 0 ? (
                  <Text size="sm" c="dimmed">
                    No emotion recorded on this customer’s recent promises.
                  </Text>
                ) : (
                  <Group gap="xs">
                    {[...emotions].map(([emotion, e]) => (
                      <Badge key={emotion} variant="dot" color="grape">
                        {words(emotion)}
                        {e.count > 1 ? ` × ${e.count}` : ''} · {formatDate(e.last, zone)}
                      </Badge>
                    ))}
                  </Group>
                )}
              </Card>
              <Card withBorder>
                <Title order={3} size="h4" mb="sm">
                  Recent signals
                </Title>
                <SignalTimeline accountId={a.id} />
              </Card>
            </Stack>
          </Grid.Col>
        </Grid>
      </Stack>
    </>
  );
}
