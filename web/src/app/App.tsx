// The app: Mantine theme, react-query, the session, and the routes. Every page uses only the public API.
import {
  Center,
  type CSSVariablesResolver,
  createTheme,
  Drawer,
  Loader,
  MantineProvider,
  Modal,
  Notification,
} from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { AcceptInvitationPage } from '../pages/AcceptInvitationPage';
import { SignInPage } from '../pages/SignInPage';
import { Layout } from './Layout';
import { appRoutes } from './routes';
import { SessionProvider, useSession } from './session';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not fix itself on retry; a network blip may.
      retry: (count, error) => count < 2 && !(error as { status?: number }).status,
      refetchOnWindowFocus: false,
    },
  },
});

// Mantine's "dimmed" grey is below the 4.5:1 contrast WCAG asks of body text; use a darker one.
const cssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-7)',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
  },
  dark: {},
});

// The default filled shade (6) gives white text a 3.5:1 contrast; shade 8 passes 4.5:1.
// Close buttons are icons: give every one a name screen readers can announce.
// A loader is a live status: the role lets its aria-label be announced (a bare span may not carry one).
// Users who ask their system for reduced motion get drawers and modals without slide and fade.
const theme = createTheme({
  primaryShade: 8,
  respectReducedMotion: true,
  components: {
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Loader: Loader.extend({ defaultProps: { role: 'status' } }),
  },
});

function RequireSession({ children }: { children: React.ReactNode }) {
  const { session } = useSession();
  const location = useLocation();
  if (session === undefined) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (session === null) {
    const next = location.pathname + location.search;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

export function App() {
  // The router is outermost so notifications and dialogs can hold router links.
  return (
    <BrowserRouter>
      <MantineProvider defaultColorScheme="light" theme={theme} cssVariablesResolver={cssVariables}>
        <Notifications position="top-right" />
        <QueryClientProvider client={queryClient}>
          <SessionProvider>
            <Routes>
              <Route path="/sign-in" element={<SignInPage />} />
              <Route path="/accept-invitation" element={<AcceptInvitationPage />} />
              <Route
                element={
                  <RequireSession>
                    <Layout />
                  </RequireSession>
                }
              >
                <Route index element={<Navigate to="/my-day" replace />} />
                {appRoutes.map((r) => (
                  <Route key={r.path} path={r.path} element={r.element} />
                ))}
                <Route path="*" element={<Navigate to="/my-day" replace />} />
              </Route>
            </Routes>
          </SessionProvider>
        </QueryClientProvider>
      </MantineProvider>
    </BrowserRouter>
  );
}
