// Accepting an invitation (outside the signed-in frame): the invited person chooses a name and a
// password; the invitation gives the workspace, email and role; then they are signed in.
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, call, client } from '../api/client';
import { useSession } from '../app/session';

const MIN_PASSWORD = 12;

interface Accepted {
  workspaceId: string;
  userId: string;
  email: string;
  role: string;
}

export function AcceptInvitationPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { session, refresh, signOut } = useSession();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = 'Enter your name';
    if (password.length < MIN_PASSWORD) local.password = `Must be at least ${MIN_PASSWORD} characters`;
    else if (confirm !== password) local.confirm = 'The passwords do not match';
    setErrors(local);
    setBanner(null);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      // Someone else signed in on this browser must not stay signed in as themselves.
      if (session) await signOut();
      const accepted = await call<Accepted>(
        client.POST('/api/v1/auth/accept-invitation', { body: { token, name: name.trim(), password } }),
      );
      await call(
        client.POST('/api/v1/auth/sign-in', {
          body: { workspace: accepted.workspaceId, email: accepted.email, password },
        }),
      );
      await refresh();
      navigate('/my-day', { replace: true });
    } catch (err) {
      if (err instanceof ApiError) {
        const fields = err.fieldErrors();
        setErrors(fields);
        setBanner(fields.token ?? (Object.keys(fields).length > 0 ? null : err.detail));
      } else {
        setBanner(String(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={440} component="main">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Title order={1} size="h2">
              Promise Ledger
            </Title>
            <Title order={2} size="h4">
              Accept your invitation
            </Title>
            {!token ? (
              <Alert color="red" role="alert" title="No invitation">
                This link has no invitation in it. Ask the person who invited you to send the link again.
              </Alert>
            ) : (
              <>
                <Text c="dimmed" size="sm">
                  Choose the name your team will see and a password of at least {MIN_PASSWORD} characters.
                </Text>
                {banner && (
                  <Alert color="red" role="alert" title="Could not accept the invitation">
                    {banner}
                  </Alert>
                )}
                <TextInput
                  label="Your name"
                  required
                  value={name}
                  onChange={(e) => setName(e.currentTarget.value)}
                  error={errors.name}
                  autoComplete="name"
                />
                <PasswordInput
                  label="Password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.currentTarget.value)}
                  error={errors.password}
                  description={`At least ${MIN_PASSWORD} characters`}
                  autoComplete="new-password"
                />
                <PasswordInput
                  label="Repeat the password"
                  required
                  value={confirm}
                  onChange={(e) => setConfirm(e.currentTarget.value)}
                  error={errors.confirm}
                  autoComplete="new-password"
                />
                <Button type="submit" loading={busy}>
                  Accept and sign in
                </Button>
              </>
            )}
            <Text size="sm">
              Already have an account? <Link to="/sign-in">Sign in</Link>
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
