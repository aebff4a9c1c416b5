// My sessions: where I am signed in, and revoking any of them (a lost laptop, a shared computer).
// Revoking this browser's own session signs me out here.
import { Badge, Card, Loader, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { call, client } from '../api/client';
import type { SessionListItem } from '../api/types';
import { formatDateTime, relative } from '../app/format';
import { useSession, useSignedIn } from '../app/session';
import { ErrorBanner } from './ErrorBanner';
import { ConfirmButton, focusableScroll, SectionTitle } from './SettingsShared';

/** "Chrome on Linux" from a user agent, or the raw string when nothing is recognised. */
function describeAgent(ua: string | null): string {
  if (!ua) return 'Unknown browser';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : null;
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Mac OS X/.test(ua)
      ? 'macOS'
      : /Android/.test(ua)
        ? 'Android'
        : /iPhone|iPad/.test(ua)
          ? 'iOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : null;
  return browser ? `${browser}${os ? ` on ${os}` : ''}` : ua.slice(0, 60);
}

export function SettingsSessions() {
  const session = useSignedIn();
  const { refresh } = useSession();
  const zone = session.workspace.timeZone;
  const qc = useQueryClient();
  const sessions = useQuery({
    queryKey: ['sessions'],
    queryFn: () => call<{ data: SessionListItem[] }>(client.GET('/api/v1/auth/sessions')).then((r) => r.data),
  });
  return (
    <Card withBorder>
      <Stack gap="sm">
        <SectionTitle description="Where you are signed in. Revoke any session you do not recognise; it is refused at once.">
          My sessions
        </SectionTitle>
        <ErrorBanner error={sessions.error} title="Could not load your sessions" />
        {sessions.isPending && <Loader size="sm" aria-label="Loading sessions" />}
        {sessions.data && sessions.data.length === 0 && (
          <Text size="sm" c="dimmed">
            No active browser sessions (you are using an API token).
          </Text>
        )}
        {sessions.data && sessions.data.length > 0 && (
          <Table.ScrollContainer scrollAreaProps={focusableScroll} minWidth={640}>
            <Table verticalSpacing="xs" captionSide="top">
              <Table.Caption>Active sessions</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Browser</Table.Th>
                  <Table.Th scope="col">Address</Table.Th>
                  <Table.Th scope="col">Signed in</Table.Th>
                  <Table.Th scope="col">Last active</Table.Th>
                  <Table.Th scope="col">Ends</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sessions.data.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td title={s.userAgent ?? undefined}>
                      {describeAgent(s.userAgent)}{' '}
                      {s.current && (
                        <Badge color="teal" variant="light" c="dark.7">
                          This browser
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{s.ip ?? '—'}</Table.Td>
                    <Table.Td>{formatDateTime(s.createdAt, zone)}</Table.Td>
                    <Table.Td title={formatDateTime(s.lastSeenAt, zone)}>{relative(s.lastSeenAt)}</Table.Td>
                    <Table.Td>{formatDateTime(s.expiresAt, zone)}</Table.Td>
                    <Table.Td>
                      <ConfirmButton
                        label="Revoke"
                        ariaLabel={`Revoke the session ${describeAgent(s.userAgent)} from ${s.ip ?? 'an unknown address'}${s.current ? ' (this browser)' : ''}`}
                        title="Revoke session"
                        message={
                          s.current
                            ? 'This is the browser you are using: you will be signed out here.'
                            : 'That browser will be signed out at its next request.'
                        }
                        confirmLabel="Revoke session"
                        onConfirm={async () => {
                          await call(
                            client.DELETE('/api/v1/auth/sessions/{sessionId}', {
                              params: { path: { sessionId: s.id } },
                            }),
                          );
                          if (s.current) await refresh();
                          else await qc.invalidateQueries({ queryKey: ['sessions'] });
                        }}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}
