// Renewal preparation (workflow 8): "You asked, we did" — every promise to this customer kept in the
// chosen period, with what they asked and why, what we did, when, and the proof. Printable (the
// navigation and controls are hidden in print) and downloadable as a PDF from the API.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { DatePickerInput, type DatesRangeValue } from '@mantine/dates';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { call, client } from '../api/client';
import type { RenewalPrepReport } from '../api/types';
import { formatDate, formatDateTime, words } from '../app/format';
import { PageHeader } from '../app/Layout';
import { useSignedIn } from '../app/session';
import { todayIn, useAccount } from '../components/AccountShared';
import { Fact } from '../components/AccountSignals';
import { ErrorBanner } from '../components/ErrorBanner';

/** The same calendar date a year earlier (29 February becomes 28). */
function yearBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y - 1, m, 0)).getUTCDate();
  return `${y - 1}-${String(m).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

export function RenewalPrepPage() {
  const { accountId = '' } = useParams();
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const account = useAccount(accountId);
  const today = todayIn(zone);
  // Default: the last 12 months, in the workspace's calendar.
  const [range, setRange] = useState<DatesRangeValue<string>>([yearBefore(today), today]);
  const [from, to] = range;
  const complete = Boolean(from && to);

  const report = useQuery({
    queryKey: ['account', accountId, 'renewal-prep', from, to],
    enabled: complete,
    queryFn: () =>
      call<RenewalPrepReport>(
        client.GET('/api/v1/accounts/{accountId}/renewal-prep', {
          params: { path: { accountId }, query: { from: from as string, to: to as string } },
        }),
      ),
  });
  const pdfHref = `/api/v1/accounts/${accountId}/renewal-prep?${new URLSearchParams({
    from: from ?? '',
    to: to ?? '',
    format: 'pdf',
  })}`;

  const name = account.data?.name ?? report.data?.account.name;
  const r = report.data;
  return (
    <>
      <PageHeader title={name ? `You asked, we did: ${name}` : 'You asked, we did'}>
        <Group gap="xs" className="pl-no-print">
          <Button variant="default" onClick={() => window.print()} disabled={!r}>
            Print
          </Button>
          <Button component="a" href={pdfHref} download disabled={!complete}>
            Download PDF
          </Button>
        </Group>
      </PageHeader>
      <Stack gap="md">
        <Group className="pl-no-print" align="flex-end" gap="md" wrap="wrap">
          <Anchor component={Link} to={`/accounts/${accountId}`}>
            Back to the account brief
          </Anchor>
          <DatePickerInput
            type="range"
            label="Period"
            description={`Promises kept between these dates (${zone})`}
            value={range}
            onChange={setRange}
            maxDate={today}
            valueFormat="D MMM YYYY"
            allowSingleDateInRange
            w={{ base: '100%', sm: 320 }}
            error={complete ? undefined : 'Pick the last day of the period'}
          />
        </Group>

        <ErrorBanner error={account.error} title="Could not load the account" />
        <ErrorBanner error={report.error} title="Could not load the report" />

        {report.isLoading && <Loader aria-label="Loading the report" />}
        {r && (
          <>
            <Card withBorder>
              <SimpleGrid cols={{ base: 2, sm: 4 }}>
                <Fact label="Period">
                  {formatDate(`${r.from}T12:00:00Z`, 'UTC')} – {formatDate(`${r.to}T12:00:00Z`, 'UTC')}
                </Fact>
                <Fact label="Promises kept">{r.summary.kept}</Fact>
                <Fact label="On time">
                  {r.summary.keptOnTime} of {r.summary.kept}
                </Fact>
                <Fact label="Renewal">{r.account.renewalDate ?? '—'}</Fact>
              </SimpleGrid>
            </Card>
            {r.items.length === 0 ? (
              <Alert color="gray" title="No promise kept in this period">
                Choose a longer period, or keep the open promises to this customer with proof: each one then
                appears here.
              </Alert>
            ) : (
              <Stack gap="sm" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                {r.items.map((i) => (
                  <Card withBorder component="li" key={i.promiseId} style={{ breakInside: 'avoid' }}>
                    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
                      <div>
                        <Title order={3} size="h5" mb={4}>
                          You asked
                        </Title>
                        <Text>
                          <Anchor component={Link} to={`/promises/${i.promiseId}`}>
                            {i.promiseMade}
                          </Anchor>
                        </Text>
                        <Text size="sm" mt={4}>
                          <Text span fw={600}>
                            Why it mattered:{' '}
                          </Text>
                          {i.customerReason}
                        </Text>
                        <Text size="xs" c="dimmed" mt={4}>
                          {i.contactName ? `${i.contactName}, ` : ''}
                          {formatDate(i.askedAt, zone)} · {i.typeLabel}
                        </Text>
                      </div>
                      <div>
                        <Title order={3} size="h5" mb={4}>
                          We did
                        </Title>
                        <Text>{i.proof.note ?? words(i.proof.kind)}</Text>
                        <Group gap="xs" mt={4}>
                          <Badge variant="dot">{words(i.proof.kind)}</Badge>
                          <Badge color={i.keptLate ? 'orange' : 'green'} variant="dot">
                            {i.keptLate ? 'Kept after the due date' : 'Kept on time'}
                          </Badge>
                          {i.recoveryStrength === 'confidence_restored' && (
                            <Badge color="teal" variant="dot">
                              Confidence restored
                            </Badge>
                          )}
                        </Group>
                        {i.proof.url && (
                          <Text size="sm" mt={4}>
                            Proof:{' '}
                            <Anchor href={i.proof.url} target="_blank" rel="noreferrer">
                              {i.proof.url}
                            </Anchor>
                          </Text>
                        )}
                        <Text size="xs" c="dimmed" mt={4}>
                          {formatDateTime(i.keptAt, zone)} · {i.keptByName}
                        </Text>
                      </div>
                    </SimpleGrid>
                  </Card>
                ))}
              </Stack>
            )}
          </>
        )}
      </Stack>
    </>
  );
}
