// What the customer did or felt, for the pre-conversation brief: recent signals as a timeline, the
// complaints with their underlying concerns, and the last NPS and CSAT answers.
import { Badge, Group, Loader, Stack, Text, Timeline } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { call, client } from '../api/client';
import type { Page, SignalView } from '../api/types';
import { formatDate, formatDateTime, formatMoney, words } from '../app/format';
import { useSignedIn } from '../app/session';
import { ErrorBanner } from './ErrorBanner';

type Kind = SignalView['kind'];

export function useAccountSignals(accountId: string, kind?: Kind, limit = 20) {
  return useQuery({
    queryKey: ['account', accountId, 'signals', kind ?? 'all', limit],
    queryFn: () =>
      call<Page<SignalView>>(
        client.GET('/api/v1/accounts/{accountId}/signals', {
          params: { path: { accountId }, query: { limit, ...(kind ? { kind } : {}) } },
        }),
      ),
  });
}

const KIND_LABEL: Record<Kind, string> = {
  complaint: 'Complaint',
  escalation: 'Escalation',
  customer_chased: 'Customer chased us',
  nps: 'NPS',
  csat: 'CSAT',
  product_activity: 'Product activity',
  billing: 'Billing',
  renewal_outcome: 'Renewal outcome',
};

const KIND_COLOR: Record<Kind, string> = {
  complaint: 'orange',
  escalation: 'red',
  customer_chased: 'yellow',
  nps: 'blue',
  csat: 'cyan',
  product_activity: 'gray',
  billing: 'grape',
  renewal_outcome: 'teal',
};

export const signalKindLabel = (k: Kind) => KIND_LABEL[k] ?? words(k);

/** One line saying what the signal was, in the product's words. */
export function describeSignal(s: SignalView): string {
  switch (s.kind) {
    case 'complaint':
      return `${s.concern ?? s.concernKey ?? 'Complaint'}${s.repeat ? ' (repeat: “I already told your team this”)' : ''}`;
    case 'escalation':
      return s.summary || `Political risk: ${s.politicalRisk ?? '—'}`;
    case 'customer_chased':
      return `The customer chased us${s.channel ? ` by ${words(s.channel)}` : ''}${s.note ? `: ${s.note}` : ''}`;
    case 'nps':
      return `Scored ${s.score ?? '—'} of 10 (${words(s.category)})${s.comment ? `: “${s.comment}”` : ''}`;
    case 'csat':
      return `Scored ${s.score ?? '—'} of 5${s.comment ? `: “${s.comment}”` : ''}`;
    case 'product_activity':
      return `${words(s.activity ?? 'activity')}${s.count ? ` × ${s.count}` : ''}`;
    case 'billing':
      return `${words(s.event)}${s.amountMinor != null && s.currency ? ` (${formatMoney(s.amountMinor, s.currency)})` : ''}`;
    case 'renewal_outcome':
      return `${words(s.outcome)}${s.currency && s.arrAfterMinor != null ? `: ARR ${formatMoney(s.arrAfterMinor, s.currency)}` : ''}`;
  }
}

export function SignalKindBadge({ kind }: { kind: Kind }) {
  return (
    <Badge color={KIND_COLOR[kind] ?? 'gray'} variant="dot">
      {signalKindLabel(kind)}
    </Badge>
  );
}

export function SignalTimeline({ accountId }: { accountId: string }) {
  const zone = useSignedIn().workspace.timeZone;
  const signals = useAccountSignals(accountId, undefined, 15);
  if (signals.isLoading) return <Loader size="sm" aria-label="Loading signals" />;
  if (signals.error) return <ErrorBanner error={signals.error} title="Could not load the signals" />;
  const data = signals.data?.data ?? [];
  if (data.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No signals recorded for this account yet: complaints, escalations, surveys and activity appear here as
        they are recorded or arrive from integrations.
      </Text>
    );
  }
  return (
    <Timeline bulletSize={14} lineWidth={2}>
      {data.map((s) => (
        <Timeline.Item
          key={s.id}
          color={KIND_COLOR[s.kind]}
          title={
            <Group gap="xs">
              <SignalKindBadge kind={s.kind} />
              {s.kind === 'escalation' && s.status && (
                <Badge color={s.status === 'open' ? 'red' : 'gray'} variant="dot">
                  {words(s.status)}
                </Badge>
              )}
            </Group>
          }
        >
          <Text size="sm">{describeSignal(s)}</Text>
          <Text size="xs" c="dimmed">
            {formatDateTime(s.occurredAt, zone)}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

export function ComplaintList({ accountId }: { accountId: string }) {
  const zone = useSignedIn().workspace.timeZone;
  const complaints = useAccountSignals(accountId, 'complaint', 10);
  if (complaints.isLoading) return <Loader size="sm" aria-label="Loading complaints" />;
  if (complaints.error) return <ErrorBanner error={complaints.error} title="Could not load complaints" />;
  const data = complaints.data?.data ?? [];
  if (data.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No complaints recorded.
      </Text>
    );
  }
  return (
    <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {data.map((c) => (
        <li key={c.id}>
          <Text size="sm" fw={500}>
            {c.concern ?? c.concernKey}
          </Text>
          {c.summary && (
            <Text size="sm" c="dimmed">
              Raised as: {c.summary}
            </Text>
          )}
          <Group gap="xs" mt={2}>
            <Text size="xs" c="dimmed">
              {formatDate(c.occurredAt, zone)}
            </Text>
            {c.repeat && (
              <Badge color="red" variant="dot" size="sm">
                Repeat within 45 days
              </Badge>
            )}
            <Badge
              color={
                c.confidenceRestored === 'yes' ? 'green' : c.confidenceRestored === 'no' ? 'red' : 'gray'
              }
              variant="dot"
              size="sm"
            >
              Confidence restored: {words(c.confidenceRestored ?? 'unknown')}
            </Badge>
          </Group>
        </li>
      ))}
    </Stack>
  );
}

/** The last NPS and CSAT answers. */
export function LastSurveys({ accountId }: { accountId: string }) {
  const zone = useSignedIn().workspace.timeZone;
  const nps = useAccountSignals(accountId, 'nps', 1);
  const csat = useAccountSignals(accountId, 'csat', 1);
  const lastNps = nps.data?.data[0];
  const lastCsat = csat.data?.data[0];
  return (
    <>
      <ErrorBanner error={nps.error ?? csat.error} title="Could not load survey answers" />
      <Fact label="Last NPS">
        {nps.isLoading
          ? '…'
          : lastNps
            ? `${lastNps.score} (${words(lastNps.category)}), ${formatDate(lastNps.occurredAt, zone)}`
            : 'No answer yet'}
      </Fact>
      <Fact label="Last CSAT">
        {csat.isLoading
          ? '…'
          : lastCsat
            ? `${lastCsat.score} of 5, ${formatDate(lastCsat.occurredAt, zone)}`
            : 'No answer yet'}
      </Fact>
    </>
  );
}

/** A labelled value of the brief. */
export function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}
