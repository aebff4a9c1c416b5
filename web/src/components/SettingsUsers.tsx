// Users and roles: each user's role, manager and whether they are active (PATCH /users/:id), and
// invitations (the acceptance link is shown once, when created).
import {
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, call, client } from '../api/client';
import type { CreatedInvitationView, InvitationView, Role, UserView } from '../api/types';
import { formatDate } from '../app/format';
import { useUserNames, useUsers } from '../app/queries';
import { useSignedIn } from '../app/session';
import { ErrorBanner } from './ErrorBanner';
import { ConfirmButton, focusableScroll, notifyDone, SecretOnce, SectionTitle } from './SettingsShared';

const ROLE_OPTIONS: { value: Role; label: string }[] = [
  { value: 'admin', label: 'Admin' },
  { value: 'manager', label: 'Manager' },
  { value: 'member', label: 'Member' },
  { value: 'viewer', label: 'Viewer' },
];

function UserRow({ user, users, isSelf }: { user: UserView; users: UserView[]; isSelf: boolean }) {
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (changes: { role?: Role; managerId?: string | null; active?: boolean }) =>
      call<UserView>(
        client.PATCH('/api/v1/users/{userId}', { params: { path: { userId: user.id } }, body: changes }),
      ),
    onSuccess: (u) => {
      setError(null);
      qc.invalidateQueries({ queryKey: ['users'] });
      notifyDone(`${u.name} updated.`);
    },
    onError: (e) => setError(e instanceof ApiError ? e.detail : String(e)),
  });
  const managers = users
    .filter((u) => u.id !== user.id && u.active)
    .map((u) => ({ value: u.id, label: u.name }));
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={500}>
          {user.name}
        </Text>
        <Text size="xs" c="dimmed">
          {user.email}
        </Text>
        {error && (
          <Text size="xs" c="red.9" role="alert">
            {error}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Select
          aria-label={`Role of ${user.name}`}
          data={ROLE_OPTIONS}
          value={user.role}
          allowDeselect={false}
          // Demoting yourself would lock you out of this page mid-edit; another admin does it.
          disabled={isSelf || save.isPending}
          onChange={(v) => v && v !== user.role && save.mutate({ role: v as Role })}
          w={130}
          size="xs"
        />
      </Table.Td>
      <Table.Td>
        <Select
          aria-label={`Manager of ${user.name}`}
          data={managers}
          value={user.managerId}
          placeholder="No manager"
          clearable
          searchable
          disabled={save.isPending}
          onChange={(v) => v !== user.managerId && save.mutate({ managerId: v })}
          w={180}
          size="xs"
        />
      </Table.Td>
      <Table.Td>
        <Switch
          aria-label={`${user.name} is active`}
          checked={user.active}
          disabled={isSelf || save.isPending}
          onChange={(e) => save.mutate({ active: e.currentTarget.checked })}
          label={user.active ? 'Active' : 'Deactivated'}
          size="sm"
        />
      </Table.Td>
    </Table.Tr>
  );
}

function InviteForm({ onCreated }: { onCreated: (inv: CreatedInvitationView) => void }) {
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<unknown>(null);
  const invite = useMutation({
    mutationFn: () =>
      call<CreatedInvitationView>(
        client.POST('/api/v1/invitations', { body: { email: email.trim(), role } }),
      ),
    onSuccess: (inv) => {
      setErrors({});
      setBanner(null);
      setEmail('');
      qc.invalidateQueries({ queryKey: ['invitations'] });
      onCreated(inv);
    },
    onError: (e) => {
      const fields = e instanceof ApiError ? e.fieldErrors() : {};
      setErrors(fields);
      setBanner(Object.keys(fields).length > 0 ? null : e);
    },
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        invite.mutate();
      }}
      noValidate
    >
      <ErrorBanner error={banner} title="Could not invite" />
      <Group align="flex-start" gap="sm" wrap="wrap">
        <TextInput
          label="Email"
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={errors.email}
          w={{ base: '100%', sm: 280 }}
        />
        <Select
          label="Role"
          data={ROLE_OPTIONS}
          value={role}
          onChange={(v) => v && setRole(v as Role)}
          allowDeselect={false}
          error={errors.role}
          w={{ base: '100%', sm: 160 }}
        />
        <Button type="submit" loading={invite.isPending} mt={{ base: 0, sm: 25 }}>
          Invite
        </Button>
      </Group>
    </form>
  );
}

export function SettingsUsers() {
  const session = useSignedIn();
  const zone = session.workspace.timeZone;
  const users = useUsers();
  const userName = useUserNames();
  const qc = useQueryClient();
  const [created, setCreated] = useState<CreatedInvitationView | null>(null);
  const invitations = useQuery({
    queryKey: ['invitations'],
    queryFn: () => call<{ data: InvitationView[] }>(client.GET('/api/v1/invitations')).then((r) => r.data),
  });
  const link = created
    ? `${window.location.origin}/accept-invitation?token=${encodeURIComponent(created.token)}`
    : '';
  return (
    <Stack gap="lg">
      <Card withBorder>
        <Stack gap="sm">
          <SectionTitle description="Change a role, a manager (escalations go to the owner's manager), or deactivate someone. Every change is audited.">
            Users and roles
          </SectionTitle>
          <ErrorBanner error={users.error} title="Could not load users" />
          {users.isPending && <Loader size="sm" aria-label="Loading users" />}
          {users.data && (
            <Table.ScrollContainer scrollAreaProps={focusableScroll} minWidth={720}>
              <Table verticalSpacing="xs" captionSide="top">
                <Table.Caption>{users.data.length} users</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">User</Table.Th>
                    <Table.Th scope="col">Role</Table.Th>
                    <Table.Th scope="col">Manager</Table.Th>
                    <Table.Th scope="col">Status</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {users.data.map((u) => (
                    <UserRow key={u.id} user={u} users={users.data} isSelf={u.id === session.user.id} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="sm">
          <SectionTitle description="The invited person opens the link, chooses a name and a password, and is signed in with the role you chose. Links expire.">
            Invite someone
          </SectionTitle>
          <InviteForm onCreated={setCreated} />
          {created && (
            <SecretOnce
              title={`Invitation for ${created.email} (${created.role})`}
              label="Invitation link"
              value={link}
              onDismiss={() => setCreated(null)}
            >
              <Text size="sm">
                Send this link to {created.email}. It expires {formatDate(created.expiresAt, zone)}.
              </Text>
            </SecretOnce>
          )}
          <ErrorBanner error={invitations.error} title="Could not load invitations" />
          {invitations.data && invitations.data.length === 0 && (
            <Text size="sm" c="dimmed">
              No invitations yet. Invite someone above.
            </Text>
          )}
          {invitations.data && invitations.data.length > 0 && (
            <Table.ScrollContainer scrollAreaProps={focusableScroll} minWidth={640}>
              <Table verticalSpacing="xs" captionSide="top">
                <Table.Caption>Invitations</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Email</Table.Th>
                    <Table.Th scope="col">Role</Table.Th>
                    <Table.Th scope="col">Invited by</Table.Th>
                    <Table.Th scope="col">Status</Table.Th>
                    <Table.Th scope="col">Expires</Table.Th>
                    <Table.Th scope="col">
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {invitations.data.map((inv) => (
                    <Table.Tr key={inv.id}>
                      <Table.Td>{inv.email}</Table.Td>
                      <Table.Td>{inv.role}</Table.Td>
                      <Table.Td>{userName(inv.invitedBy)}</Table.Td>
                      <Table.Td>
                        <Badge
                          variant="light"
                          color={
                            inv.status === 'pending' ? 'blue' : inv.status === 'accepted' ? 'teal' : 'gray'
                          }
                          c="dark.7"
                        >
                          {inv.status}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{formatDate(inv.expiresAt, zone)}</Table.Td>
                      <Table.Td>
                        {inv.status === 'pending' && (
                          <ConfirmButton
                            label="Withdraw"
                            ariaLabel={`Withdraw the invitation for ${inv.email}`}
                            title="Withdraw invitation"
                            message={`The link sent to ${inv.email} will stop working.`}
                            confirmLabel="Withdraw"
                            onConfirm={async () => {
                              await call(
                                client.DELETE('/api/v1/invitations/{invitationId}', {
                                  params: { path: { invitationId: inv.id } },
                                }),
                              );
                              await qc.invalidateQueries({ queryKey: ['invitations'] });
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
    </Stack>
  );
}
