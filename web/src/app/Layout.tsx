// The signed-in frame: header (product, quick capture, the user), navigation, and the page.
import {
  AppShell,
  Burger,
  Center,
  Group,
  Loader,
  Menu,
  NavLink,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense } from 'react';
import { Outlet, NavLink as RouterLink, useLocation, useNavigate } from 'react-router';
import { QuickCapture } from '../components/QuickCapture';
import { can } from './can';
import { appRoutes } from './routes';
import { useSession, useSignedIn } from './session';

export function Layout() {
  const session = useSignedIn();
  const { signOut } = useSession();
  const [navOpen, nav] = useDisclosure(false);
  const location = useLocation();
  const navigate = useNavigate();
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !navOpen } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger
              opened={navOpen}
              onClick={nav.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Title order={1} size="h4" style={{ whiteSpace: 'nowrap' }}>
              Promise Ledger
            </Title>
            <Text c="dimmed" size="sm" visibleFrom="sm">
              {session.workspace.name}
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            {can(session, 'promise.create') && <QuickCapture />}
            <Menu position="bottom-end">
              <Menu.Target>
                <UnstyledButton aria-label={`Account menu for ${session.user.name}`}>
                  {/* On a phone a long name is cut short, so the header stays one line. */}
                  <Text size="sm" fw={500} truncate="end" maw={{ base: 96, sm: 240 }}>
                    {session.user.name}
                  </Text>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{session.user.role}</Menu.Label>
                <Menu.Item
                  onClick={async () => {
                    await signOut();
                    navigate('/sign-in');
                  }}
                >
                  Sign out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {appRoutes
          .filter((r) => r.nav)
          .map((r) => (
            <NavLink
              key={r.path}
              component={RouterLink}
              to={r.path}
              label={r.nav}
              active={location.pathname === r.path || location.pathname.startsWith(`${r.path}/`)}
              onClick={nav.close}
            />
          ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense
          fallback={
            <Center py="xl">
              <Loader aria-label="Loading the page" />
            </Center>
          }
        >
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}

/** A page's title and its actions. */
export function PageHeader({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <Group justify="space-between" mb="md" wrap="wrap">
      <Title order={2}>{title}</Title>
      {children && <Group gap="xs">{children}</Group>}
    </Group>
  );
}
