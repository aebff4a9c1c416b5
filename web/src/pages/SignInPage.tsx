// Sign in with workspace, email and password; back to the page the user was on.
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError, call, client } from '../api/client';
import { useSession } from '../app/session';

const LAST_WORKSPACE = 'pl.lastWorkspace';

/** Only same-app paths: an open redirect through ?next= would help phishing. */
const safeNext = (next: string | null) => (next && /^\/(?!\/)/.test(next) ? next : '/my-day');

export function SignInPage() {
  const { session, notice, refresh } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));
  const [workspace, setWorkspace] = useState(() => localStorage.getItem(LAST_WORKSPACE) ?? 'demo');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (session) return <Navigate to={next} replace />;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setBanner(null);
    try {
      await call(client.POST('/api/v1/auth/sign-in', { body: { workspace, email, password } }));
      localStorage.setItem(LAST_WORKSPACE, workspace);
      await refresh();
      navigate(next, { replace: true });
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.fieldErrors());
        setBanner(err.detail);
      } else {
        setBanner(String(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420} component="main">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Title order={1} size="h2">
              Promise Ledger
            </Title>
            <Text c="dimmed" size="sm">
              Sign in to see the promises you made and when they are due.
            </Text>
            {notice && (
              <Alert color="yellow" role="status">
                {notice}
              </Alert>
            )}
            {banner && (
              <Alert color="red" role="alert" title="Could not sign in">
                {banner}
              </Alert>
            )}
            <TextInput
              label="Workspace"
              required
              value={workspace}
              onChange={(e) => setWorkspace(e.currentTarget.value)}
              error={errors.workspace}
              autoComplete="organization"
            />
            <TextInput
              label="Email"
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={errors.email}
              autoComplete="username"
            />
            <PasswordInput
              label="Password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={errors.password}
              autoComplete="current-password"
            />
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
