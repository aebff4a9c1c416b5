// A promise's timeline as a bar: created, the check-in points (the SLA's, else 50% and 80% of the
// way from created to due), due, the pauses, and now (or when it closed). Drawn as SVG with text
// labels, with the same points listed as text below it for screen readers and small screens.
import { Box, Group, Stack, Text } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import type { LedgerEventView, PromiseWithHistory } from '../api/types';
import { formatDateTime, relative, words } from '../app/format';

interface Marker {
  key: string;
  label: string;
  /** Longer text for the list. */
  description: string;
  at: number;
  color: string;
}

interface Span {
  start: number;
  end: number;
}

/** Pauses from the history: a `paused` event opens one; resume or closing ends it. */
export function pausesOf(
  history: LedgerEventView[],
  now: number,
): (Span & { open: boolean; cause: string })[] {
  const spans: (Span & { open: boolean; cause: string })[] = [];
  let start: number | null = null;
  let cause = '';
  for (const e of history) {
    const at = Date.parse(e.occurredAt);
    if (e.type === 'paused') {
      start = at;
      cause = typeof e.payload.cause === 'string' ? e.payload.cause : '';
    } else if (start !== null && ['resumed', 'kept', 'broken', 'cancelled'].includes(e.type)) {
      spans.push({ start, end: at, open: false, cause });
      start = null;
    }
  }
  if (start !== null) spans.push({ start, end: now, open: true, cause });
  return spans;
}

const CHECKPOINT_ACTION: Record<string, string> = {
  internal_check_in: 'internal check-in',
  customer_update_required: 'customer update required',
};

const LABEL_FONT = 12;
const ROW_HEIGHT = 16;
const BAR_TOP = 8;
const BAR_HEIGHT = 14;

export function PromiseTimeline({ promise: p, zone }: { promise: PromiseWithHistory; zone: string }) {
  const { ref, width } = useElementSize();
  const now = Date.now();
  const created = Date.parse(p.createdAt);
  const pauses = pausesOf(p.history, now);
  const openPauseMs = p.pausedAt ? now - Date.parse(p.pausedAt) : 0;
  // While paused the API has no effective due date: it moves on by the time the pause lasts.
  const due =
    p.effectiveDueAt !== null
      ? Date.parse(p.effectiveDueAt)
      : p.sla?.dueAt
        ? Date.parse(p.sla.dueAt)
        : p.dueAt
          ? Date.parse(p.dueAt) + p.pausedMs + openPauseMs
          : null;
  const closed = p.closedAt ? Date.parse(p.closedAt) : null;
  const end = closed ?? now;

  const markers: Marker[] = [
    { key: 'created', label: 'Created', description: 'Created', at: created, color: 'gray.7' },
  ];
  const slaPoints = (p.sla?.checkpoints ?? []).filter((c) => c.at);
  if (slaPoints.length) {
    for (const c of slaPoints) {
      markers.push({
        key: `cp-${c.percent}`,
        label: `${c.percent}%`,
        description: `${c.percent}% SLA checkpoint (${CHECKPOINT_ACTION[c.action] ?? words(c.action).toLowerCase()})${c.reached ? ', reached' : ''}`,
        at: Date.parse(c.at as string),
        color: 'violet.8',
      });
    }
  } else if (due !== null && due > created) {
    for (const [pct, what] of [
      [50, 'internal check-in'],
      [80, 'customer update due'],
    ] as const) {
      markers.push({
        key: `cp-${pct}`,
        label: `${pct}%`,
        description: `${pct}% of the time from created to due (${what})`,
        at: created + ((due - created) * pct) / 100,
        color: 'violet.8',
      });
    }
  }
  if (due !== null) {
    markers.push({
      key: 'due',
      label: 'Due',
      description: p.renegotiationCount ? `Due (renegotiated ${p.renegotiationCount}×)` : 'Due',
      at: due,
      color: 'red.9',
    });
  }
  for (const [i, s] of pauses.entries()) {
    markers.push({
      key: `pause-${i}`,
      label: 'Paused',
      description: `Paused${s.cause ? ` (waiting on ${s.cause === 'us' ? 'us' : 'the customer'})` : ''}${s.open ? ', still paused' : ` until ${formatDateTime(new Date(s.end).toISOString(), zone)}`}`,
      at: s.start,
      color: 'yellow.9',
    });
  }
  markers.push(
    closed !== null
      ? { key: 'closed', label: words(p.status), description: words(p.status), at: closed, color: 'green.9' }
      : { key: 'now', label: 'Now', description: 'Now', at: now, color: 'blue.9' },
  );
  markers.sort((a, b) => a.at - b.at);

  const min = Math.min(created, ...markers.map((m) => m.at));
  const max = Math.max(end, due ?? end, ...markers.map((m) => m.at));
  const span = Math.max(1, max - min);
  // Inset so labels at the ends stay inside the drawing.
  const inset = 24;
  const usable = Math.max(1, width - inset * 2);
  const x = (t: number) => inset + ((t - min) / span) * usable;

  // Labels go on the first row below the bar where they do not collide with an earlier one.
  const rowsEnd: number[] = [];
  const placed = markers.map((m) => {
    const w = m.label.length * LABEL_FONT * 0.6 + 8;
    const cx = Math.min(Math.max(x(m.at), w / 2), Math.max(w / 2, width - w / 2));
    let row = rowsEnd.findIndex((e) => e <= cx - w / 2);
    if (row === -1) {
      row = rowsEnd.length;
      rowsEnd.push(0);
    }
    rowsEnd[row] = cx + w / 2;
    return { ...m, cx, row };
  });
  const height = BAR_TOP + BAR_HEIGHT + 10 + Math.max(1, rowsEnd.length) * ROW_HEIGHT + 4;
  const cssColor = (c: string) => {
    const [name, shade] = c.split('.');
    return `var(--mantine-color-${name}-${shade ?? 6})`;
  };

  const dueText = due !== null ? formatDateTime(new Date(due).toISOString(), zone) : 'no due date';
  const usedPct =
    due !== null && due > created
      ? Math.round(((Math.min(end, now) - created - p.pausedMs - openPauseMs) / (due - created)) * 100)
      : null;
  const summary = `Created ${formatDateTime(p.createdAt, zone)}, due ${dueText}${
    closed !== null ? `, ${p.status} ${formatDateTime(p.closedAt, zone)}` : ''
  }${usedPct !== null && closed === null ? `; ${usedPct}% of the time used` : ''}.`;

  return (
    <Stack gap="xs">
      <Box ref={ref} w="100%">
        {width > 0 && (
          <svg width={width} height={height} role="img" aria-labelledby="promise-timeline-title">
            <title id="promise-timeline-title">Timeline. {summary}</title>
            <rect
              x={inset}
              y={BAR_TOP}
              width={usable}
              height={BAR_HEIGHT}
              rx={4}
              fill="var(--mantine-color-gray-2)"
            />
            {/* Elapsed time: up to now, or to when it closed. */}
            <rect
              x={x(created)}
              y={BAR_TOP}
              width={Math.max(0, x(Math.min(end, due ?? end)) - x(created))}
              height={BAR_HEIGHT}
              rx={4}
              fill={closed !== null ? 'var(--mantine-color-green-3)' : 'var(--mantine-color-blue-3)'}
            />
            {due !== null && end > due && (
              <rect
                x={x(due)}
                y={BAR_TOP}
                width={x(end) - x(due)}
                height={BAR_HEIGHT}
                fill="var(--mantine-color-red-4)"
              />
            )}
            {pauses.map((s) => (
              <rect
                key={s.start}
                x={x(s.start)}
                y={BAR_TOP}
                width={Math.max(2, x(s.end) - x(s.start))}
                height={BAR_HEIGHT}
                fill="var(--mantine-color-yellow-4)"
                stroke="var(--mantine-color-yellow-9)"
              />
            ))}
            {placed.map((m) => (
              <g key={m.key}>
                <line
                  x1={x(m.at)}
                  x2={x(m.at)}
                  y1={BAR_TOP - 4}
                  y2={BAR_TOP + BAR_HEIGHT + 6 + m.row * ROW_HEIGHT}
                  stroke={cssColor(m.color)}
                  strokeWidth={2}
                />
                <text
                  x={m.cx}
                  y={BAR_TOP + BAR_HEIGHT + 8 + (m.row + 1) * ROW_HEIGHT - 4}
                  textAnchor="middle"
                  fontSize={LABEL_FONT}
                  fill={cssColor(m.color)}
                  fontWeight={600}
                >
                  {m.label}
                </text>
              </g>
            ))}
          </svg>
        )}
      </Box>
      <Text size="sm">{summary}</Text>
      <Box component="ul" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Timeline points">
        {markers.map((m) => (
          <Box component="li" key={m.key} mb={4}>
            <Group gap="xs" wrap="wrap" align="center">
              <Box w={10} h={10} style={{ borderRadius: 2, flex: 'none', background: cssColor(m.color) }} />
              <Text size="sm" fw={500} w={{ base: 'auto', sm: 230 }}>
                {formatDateTime(new Date(m.at).toISOString(), zone)}
              </Text>
              <Text size="sm">
                {m.description}
                {m.key === 'due' && closed === null ? ` (${relative(new Date(m.at).toISOString())})` : ''}
              </Text>
            </Group>
          </Box>
        ))}
      </Box>
    </Stack>
  );
}
