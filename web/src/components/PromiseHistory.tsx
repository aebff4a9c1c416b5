// A promise's ledger history, oldest first: who, what changed, when and why, each event type's
// payload in words, and whether the hash chain verifies (the history was not altered).
import { Alert, Anchor, Badge, Code, Group, List, Stack, Text, Timeline } from '@mantine/core';
import type { ReactNode } from 'react';
import type { LedgerEventView, PromiseWithHistory } from '../api/types';
import { formatDateTime, formatMoney, words } from '../app/format';
import { useUserNames } from '../app/queries';
import { riskIndicatorLabel, useTypeLabel } from './PromiseLabels';

const TITLES: Record<string, string> = {
  created: 'Promise captured',
  edited: 'Edited',
  owner_changed: 'Reassigned',
  renegotiated: 'Due date renegotiated',
  paused: 'Clock paused',
  resumed: 'Clock resumed',
  kept: 'Kept',
  broken: 'Broken',
  cancelled: 'Cancelled',
  commented: 'Comment',
  sla_recomputed: 'SLA due date recomputed',
  sla_breached: 'SLA breached',
  remedy_requested: 'Remedy requested (needs approval)',
  remedy_issued: 'Remedy issued',
  remedy_approved: 'Remedy approved',
};

const COLORS: Record<string, string> = {
  kept: 'green',
  broken: 'red',
  cancelled: 'gray',
  sla_breached: 'red',
  paused: 'yellow',
  renegotiated: 'orange',
};

const FIELD_LABELS: Record<string, string> = {
  promiseMade: 'What was promised',
  customerReason: 'Why the customer cares',
  typeKey: 'Type',
  contactId: 'Contact',
  emotion: 'Customer emotion',
  consequence: 'Business consequence',
  source: 'Source',
  riskIndicators: 'Risk indicators',
  priority: 'Priority',
};

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** "3 h 20 min", "2 days 4 h" — for paused time and SLA overruns. */
function duration(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
  const d = Math.floor(h / 24);
  return `${d} days${h % 24 ? ` ${h % 24} h` : ''}`;
}

function Line({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Text size="sm">
      <Text span fw={500} size="sm">
        {label}:
      </Text>{' '}
      {children}
    </Text>
  );
}

function Why({ reason }: { reason: unknown }) {
  const r = str(reason);
  return r ? <Line label="Why">{r}</Line> : null;
}

export function PromiseHistory({
  promise,
  zone,
  contactName,
}: {
  promise: PromiseWithHistory;
  zone: string;
  contactName: (id: string) => string;
}) {
  const userName = useUserNames();
  const typeLabel = useTypeLabel();
  const when = (iso: unknown) => formatDateTime(str(iso), zone);

  /** One edited field's value in words. */
  const value = (field: string, v: unknown): string => {
    if (v === null || v === undefined || (Array.isArray(v) && v.length === 0)) return 'none';
    if (field === 'typeKey') return typeLabel(String(v));
    if (field === 'contactId') return contactName(String(v));
    if (field === 'riskIndicators' && Array.isArray(v))
      return v.map((k) => riskIndicatorLabel(String(k))).join(', ');
    if (field === 'promiseMade' || field === 'customerReason') return `“${String(v)}”`;
    return words(String(v));
  };

  const details = (e: LedgerEventView): ReactNode => {
    const p = e.payload;
    switch (e.type) {
      case 'created': {
        const indicators = Array.isArray(p.riskIndicators) ? (p.riskIndicators as string[]) : [];
        return (
          <>
            <Line label="Promised">{str(p.promiseMade)}</Line>
            <Line label="Why the customer cares">{str(p.customerReason)}</Line>
            <Line label="Owner">{userName(str(p.ownerId))}</Line>
            <Line label="Due">{when(p.dueAt)}</Line>
            <Line label="Type">{typeLabel(str(p.typeKey) ?? '')}</Line>
            {str(p.emotion) && <Line label="Customer emotion">{words(str(p.emotion))}</Line>}
            {str(p.consequence) && <Line label="Business consequence">{words(str(p.consequence))}</Line>}
            {str(p.source) && <Line label="Source">{words(str(p.source))}</Line>}
            {indicators.length > 0 && (
              <Line label="Risk indicators">{indicators.map((k) => riskIndicatorLabel(k)).join(', ')}</Line>
            )}
          </>
        );
      }
      case 'edited': {
        const changes = (p.changes ?? {}) as Record<string, { from: unknown; to: unknown }>;
        return (
          <>
            <List size="sm" spacing={2}>
              {Object.entries(changes).map(([field, c]) => (
                <List.Item key={field}>
                  <Text span fw={500} size="sm">
                    {FIELD_LABELS[field] ?? words(field)}:
                  </Text>{' '}
                  <Text span size="sm" td="line-through" c="dimmed">
                    {value(field, c.from)}
                  </Text>{' '}
                  → {value(field, c.to)}
                </List.Item>
              ))}
            </List>
            <Why reason={p.reason} />
          </>
        );
      }
      case 'owner_changed':
        return (
          <>
            <Text size="sm">
              {userName(str(p.from))} → {userName(str(p.to))}
            </Text>
            <Why reason={p.reason} />
          </>
        );
      case 'renegotiated':
        return (
          <>
            <Text size="sm">
              Due{' '}
              <Text span size="sm" td="line-through" c="dimmed">
                {when(p.fromDueAt)}
              </Text>{' '}
              → {when(p.toDueAt)}
            </Text>
            {str(p.agreedBy) && <Line label="Agreed by">{str(p.agreedBy)}</Line>}
            <Why reason={p.reason} />
          </>
        );
      case 'paused':
        return (
          <>
            <Line label="Waiting on">{p.cause === 'us' ? 'us' : 'the customer'}</Line>
            {str(p.note) && <Line label="Note">{str(p.note)}</Line>}
          </>
        );
      case 'resumed':
        return (
          <>
            {num(p.pausedMs) !== null && <Line label="Paused for">{duration(num(p.pausedMs) ?? 0)}</Line>}
            {str(p.note) && <Line label="Note">{str(p.note)}</Line>}
          </>
        );
      case 'kept': {
        const proof = (p.proof ?? {}) as Record<string, unknown>;
        const url = str(proof.url);
        return (
          <>
            <Line label="Proof">{words(str(proof.kind))}</Line>
            {str(proof.note) && <Line label="Note">{str(proof.note)}</Line>}
            {url && (
              <Line label="Link">
                <Anchor href={url} target="_blank" rel="noreferrer" size="sm">
                  {url}
                </Anchor>
              </Line>
            )}
            <Line label="Recovery">{words(str(p.recoveryStrength))}</Line>
            <Line label="On time">{p.late === true ? 'No, kept late' : 'Yes'}</Line>
          </>
        );
      }
      case 'broken':
      case 'cancelled':
        return <Why reason={p.reason} />;
      case 'commented':
        return (
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {str(p.text)}
          </Text>
        );
      case 'sla_recomputed':
        return (
          <>
            <Text size="sm">
              Due{' '}
              <Text span size="sm" td="line-through" c="dimmed">
                {when(p.fromDueAt)}
              </Text>{' '}
              → {when(p.toDueAt)}
            </Text>
            <Why reason={p.reason} />
          </>
        );
      case 'sla_breached':
        return (
          <>
            <Line label="Deadline passed">{when(p.breachedAt)}</Line>
            {num(p.minutesOver) !== null && (
              <Line label="Over by">{duration((num(p.minutesOver) ?? 0) * 60_000)} of business time</Line>
            )}
          </>
        );
      case 'remedy_requested':
      case 'remedy_issued':
      case 'remedy_approved': {
        const currency = str(p.currency) ?? 'USD';
        return (
          <>
            <Line label="Credit">
              {formatMoney(num(p.amountMinor), currency)}
              {num(p.creditPercent) !== null ? ` (${num(p.creditPercent)}%)` : ''}
            </Line>
            {num(p.delayBusinessMinutes) !== null && (
              <Line label="Late by">
                {duration((num(p.delayBusinessMinutes) ?? 0) * 60_000)} of business time
              </Line>
            )}
            {str(p.note) && <Line label="Note">{str(p.note)}</Line>}
          </>
        );
      }
      default:
        return <Code block>{JSON.stringify(p, null, 2)}</Code>;
    }
  };

  const title = (e: LedgerEventView) =>
    e.type === 'commented' && e.payload.audience === 'customer'
      ? 'Update sent to the customer'
      : (TITLES[e.type] ?? words(e.type));

  return (
    <Stack gap="sm">
      {promise.verified ? (
        <Group gap="xs">
          <Badge color="teal.9" variant="filled" aria-describedby="history-verified-text">
            ✓ Verified
          </Badge>
          <Text size="sm" id="history-verified-text">
            The hash chain checks out: this history has not been altered.
          </Text>
        </Group>
      ) : (
        <Alert color="red" title="This history does not verify" role="alert">
          The hash chain of this promise's ledger does not check out: an event was altered, removed or
          inserted outside the application. Tell an administrator; the ledger verify command shows where.
        </Alert>
      )}
      <Timeline bulletSize={14} lineWidth={2} active={promise.history.length}>
        {promise.history.map((e) => (
          <Timeline.Item
            key={e.id}
            color={COLORS[e.type] ?? 'blue'}
            title={
              <Text fw={600} size="sm" component="span">
                {title(e)}
              </Text>
            }
          >
            <Text size="xs" c="dimmed">
              {userName(e.actorId)} · {formatDateTime(e.occurredAt, zone)} ·{' '}
              <span title={`Event hash ${e.hash}`}>event {e.seq}</span>
            </Text>
            <Stack gap={2} mt={4}>
              {details(e)}
            </Stack>
          </Timeline.Item>
        ))}
      </Timeline>
    </Stack>
  );
}
