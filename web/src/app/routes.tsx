// The signed-in pages and their place in the navigation.
import { lazy, type ReactNode } from 'react';
import { MyDayPage } from '../pages/MyDayPage';

// My day is where everyone lands: it is in the first bundle. Every other page (and the chart
// library the measures need) loads on first visit, so the first load stays small.
const AccountPage = lazy(() => import('../pages/AccountPage').then((m) => ({ default: m.AccountPage })));
const AccountsPage = lazy(() => import('../pages/AccountsPage').then((m) => ({ default: m.AccountsPage })));
const EscalationsPage = lazy(() =>
  import('../pages/EscalationsPage').then((m) => ({ default: m.EscalationsPage })),
);
const HandoffsPage = lazy(() => import('../pages/HandoffsPage').then((m) => ({ default: m.HandoffsPage })));
const MeasuresPage = lazy(() => import('../pages/MeasuresPage').then((m) => ({ default: m.MeasuresPage })));
const PromisePage = lazy(() => import('../pages/PromisePage').then((m) => ({ default: m.PromisePage })));
const PromisesPage = lazy(() => import('../pages/PromisesPage').then((m) => ({ default: m.PromisesPage })));
const RenewalPrepPage = lazy(() =>
  import('../pages/RenewalPrepPage').then((m) => ({ default: m.RenewalPrepPage })),
);
const SettingsPage = lazy(() => import('../pages/SettingsPage').then((m) => ({ default: m.SettingsPage })));

export interface AppRoute {
  path: string;
  element: ReactNode;
  /** Shown in the navigation when set. */
  nav?: string;
}

export const appRoutes: AppRoute[] = [
  { path: '/my-day', element: <MyDayPage />, nav: 'My day' },
  { path: '/promises', element: <PromisesPage />, nav: 'Promises' },
  { path: '/promises/:promiseId', element: <PromisePage /> },
  { path: '/accounts', element: <AccountsPage />, nav: 'Accounts' },
  { path: '/accounts/:accountId', element: <AccountPage /> },
  { path: '/accounts/:accountId/renewal-prep', element: <RenewalPrepPage /> },
  { path: '/handoffs', element: <HandoffsPage />, nav: 'Handoffs' },
  { path: '/escalations', element: <EscalationsPage />, nav: 'Escalations' },
  { path: '/measures', element: <MeasuresPage />, nav: 'Measures' },
  { path: '/settings', element: <SettingsPage />, nav: 'Settings' },
];
