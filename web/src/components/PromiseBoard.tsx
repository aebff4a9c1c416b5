// The promise list as a board: one column per status, owner or type, a card per promise. It shows
// the promises loaded so far (the same filters, sort and "Load more" as the table).
import { Anchor, Badge, Card, Group, Paper, ScrollArea, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { PromiseView } from '../api/types';
import { formatDate, relative, words } from '../app/format';
import { useUserNames } from '../app/queries';
import { useSignedIn } from '../app/session';
import { PromiseStateBadges, RiskBadge, STATUSES, useAccountNames, useTypeLabel } from './PromiseLabels';
import { dueOf } from './PromiseTable';

export type BoardGrouping = 'status' | 'owner' | 'type';

interface Column {
  key: string;
  title: string;
  promises: PromiseView[];
}

export function PromiseBoard({ promises, groupBy }: { promises: PromiseView[]; groupBy: BoardGrouping }) {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const userName = useUserNames();
  const typeLabel = useTypeLabel();
  const accountName = useAccountNames(promises.map((p) => p.accountId));

  const keyOf = (p: PromiseView) =>
    groupBy === 'status' ? p.status : groupBy === 'owner' ? p.ownerId : p.typeKey;
  const titleOf = (key: string) =>
    groupBy === 'status' ? words(key) : groupBy === 'owner' ? userName(key) : typeLabel(key);

  const byKey = new Map<string, PromiseView[]>();
  // Every status gets a column, even an empty one, so the board's shape does not jump around.
  if (groupBy === 'status') for (const s of STATUSES) byKey.set(s, []);
  for (const p of promises) {
    const k = keyOf(p);
    byKey.set(k, [...(byKey.get(k) ?? []), p]);
  }
  const columns: Column[] = [...byKey.entries()].map(([key, list]) => ({
    key,
    title: titleOf(key),
    promises: list,
  }));
  if (groupBy !== 'status') columns.sort((a, b) => a.title.localeCompare(b.title));

  return (
    <ScrollArea type="auto" offsetScrollbars scrollbars="x">
      <Group align="flex-start" wrap="nowrap" gap="sm" pb="xs">
        {columns.map((col) => (
          <Paper
            key={col.key}
            withBorder
            p="xs"
            bg="gray.0"
            w={280}
            miw={280}
            component="section"
            aria-labelledby={`board-col-${col.key}`}
          >
            <Group justify="space-between" mb="xs" wrap="nowrap">
              <Title order={3} size="h5" id={`board-col-${col.key}`} lineClamp={1}>
                {col.title}
              </Title>
              <Badge variant="default" aria-label={`${col.promises.length} promises`}>
                {col.promises.length}
              </Badge>
            </Group>
            <Stack gap="xs">
              {col.promises.length === 0 && (
                <Text size="sm" c="dimmed">
                  No promises here.
                </Text>
              )}
              {col.promises.map((p) => (
                <Card key={p.id} withBorder padding="xs" radius="sm">
                  <Anchor component={Link} to={`/promises/${p.id}`} fw={500} size="sm" lineClamp={3}>
                    {p.promiseMade}
                  </Anchor>
                  <Text size="xs" c="dimmed" mt={4}>
                    {accountName(p.accountId)}
                    {groupBy !== 'owner' && ` · ${userName(p.ownerId)}`}
                    {groupBy !== 'type' && ` · ${typeLabel(p.typeKey)}`}
                  </Text>
                  <Text size="xs" mt={4} c={p.overdue ? 'red.9' : undefined}>
                    Due {formatDate(dueOf(p), zone)}
                    {p.status === 'open' && dueOf(p) ? ` (${relative(dueOf(p))})` : ''}
                  </Text>
                  <Group gap={4} mt={6}>
                    {groupBy === 'status' ? (
                      <>
                        {p.overdue && (
                          <Badge color="red" variant="filled">
                            Overdue
                          </Badge>
                        )}
                        {p.paused && (
                          <Badge color="yellow" variant="light" c="gray.9">
                            Paused
                          </Badge>
                        )}
                      </>
                    ) : (
                      <PromiseStateBadges promise={p} />
                    )}
                    {p.risk.level !== 'low' && <RiskBadge level={p.risk.level} />}
                  </Group>
                </Card>
              ))}
            </Stack>
          </Paper>
        ))}
      </Group>
    </ScrollArea>
  );
}
