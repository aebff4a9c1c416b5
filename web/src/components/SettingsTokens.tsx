// My API tokens: create (read or write; the token is shown once), see when each was last used,
// revoke. Every role may manage its own tokens.
import {
  Badge,
  Button,
  Card,
  Group,
  Loader,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, call, client } from '../api/client';
import type { ApiTokenView, CreatedApiTokenView } from '../api/types';
import { formatDateTime, relative } from '../app/format';
import { useSignedIn } from '../app/session';
import { ErrorBanner } from './ErrorBanner';
import { ConfirmButton, focusableScroll, SecretOnce, SectionTitle } from './SettingsShared';

export function SettingsTokens() {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'read' | 'write'>('read');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<unknown>(null);
  const [created, setCreated] = useState<CreatedApiTokenView | null>(null);
  const tokens = useQuery({
    queryKey: ['api-tokens'],
    queryFn: () => call<{ data: ApiTokenView[] }>(client.GET('/api/v1/auth/tokens')).then((r) => r.data),
  });
  const create = useMutation({
    mutationFn: () =>
      call<CreatedApiTokenView>(client.POST('/api/v1/auth/tokens', { body: { name: name.trim(), scope } })),
    onSuccess: (t) => {
      setCreated(t);
      setName('');
      setErrors({});
      setBanner(null);
      qc.invalidateQueries({ queryKey: ['api-tokens'] });
    },
    onError: (e) => {
      const fields = e instanceof ApiError ? e.fieldErrors() : {};
      setErrors(fields);
      setBanner(Object.keys(fields).length > 0 ? null : e);
    },
  });
  // A read-only token session cannot mint a write token (the API refuses it too).
  const canWrite = !(session.via === 'token' && session.scope === 'read') && session.user.role !== 'viewer';
  return (
    <Card withBorder>
      <Stack gap="sm">
        <SectionTitle description="Tokens let scripts and BI tools use the API as you (Authorization: Bearer …). A read token can only read.">
          My API tokens
        </SectionTitle>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
          noValidate
        >
          <ErrorBanner error={banner} title="Could not create the token" />
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label="Token name"
              description="What it is for, e.g. Metabase"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.name}
              w={{ base: '100%', sm: 280 }}
            />
            <Stack gap={4}>
              <Text size="sm" fw={500} id="token-scope-label">
                Scope
              </Text>
              <SegmentedControl
                aria-labelledby="token-scope-label"
                value={scope}
                onChange={(v) => setScope(v as 'read' | 'write')}
                data={[
                  { value: 'read', label: 'Read' },
                  { value: 'write', label: 'Read and write', disabled: !canWrite },
                ]}
              />
            </Stack>
            <Button type="submit" loading={create.isPending}>
              Create token
            </Button>
          </Group>
          {errors.scope && (
            <Text size="sm" c="red.9" role="alert" mt={4}>
              {errors.scope}
            </Text>
          )}
        </form>
        {created && (
          <SecretOnce
            title={`Token “${created.name}” created (${created.scope})`}
            label="API token"
            value={created.token}
            onDismiss={() => setCreated(null)}
          />
        )}
        <ErrorBanner error={tokens.error} title="Could not load your tokens" />
        {tokens.isPending && <Loader size="sm" aria-label="Loading tokens" />}
        {tokens.data && tokens.data.length === 0 && (
          <Text size="sm" c="dimmed">
            You have no API tokens. Create one above to use the API from another tool.
          </Text>
        )}
        {tokens.data && tokens.data.length > 0 && (
          <Table.ScrollContainer scrollAreaProps={focusableScroll} minWidth={640}>
            <Table verticalSpacing="xs" captionSide="top">
              <Table.Caption>Your tokens</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Scope</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                  <Table.Th scope="col">Last used</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tokens.data.map((t) => (
                  <Table.Tr key={t.id}>
                    <Table.Td>{t.name}</Table.Td>
                    <Table.Td>{t.scope === 'write' ? 'Read and write' : 'Read'}</Table.Td>
                    <Table.Td>{formatDateTime(t.createdAt, zone)}</Table.Td>
                    <Table.Td title={t.lastUsedAt ? formatDateTime(t.lastUsedAt, zone) : undefined}>
                      {t.lastUsedAt ? relative(t.lastUsedAt) : 'Never'}
                    </Table.Td>
                    <Table.Td>
                      {t.revokedAt ? (
                        <Badge color="gray" variant="light" c="dark.7">
                          Revoked
                        </Badge>
                      ) : (
                        <Badge color="teal" variant="light" c="dark.7">
                          Active
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {!t.revokedAt && (
                        <ConfirmButton
                          label="Revoke"
                          ariaLabel={`Revoke token ${t.name}`}
                          title="Revoke token"
                          message={`Anything using “${t.name}” will be refused from now on.`}
                          confirmLabel="Revoke token"
                          onConfirm={async () => {
                            await call(
                              client.DELETE('/api/v1/auth/tokens/{tokenId}', {
                                params: { path: { tokenId: t.id } },
                              }),
                            );
                            await qc.invalidateQueries({ queryKey: ['api-tokens'] });
                          }}
                        />
                      )}
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
