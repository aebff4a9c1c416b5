// Settings, one tab per area; a tab shows only when the user's role may manage it (the API refuses
// anyway). The open tab is in the URL (?tab=) so a link can point at it.
import { Tabs, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { can } from '../app/can';
import { PageHeader } from '../app/Layout';
import { useSignedIn } from '../app/session';
import { SettingsCalendars } from '../components/SettingsCalendars';
import { SettingsHealthWeights } from '../components/SettingsHealthWeights';
import { SettingsIntegrations } from '../components/SettingsIntegrations';
import { SettingsPromiseTypes } from '../components/SettingsPromiseTypes';
import { SettingsSessions } from '../components/SettingsSessions';
import { SettingsSlaPolicies } from '../components/SettingsSlaPolicies';
import { SettingsTokens } from '../components/SettingsTokens';
import { SettingsUsers } from '../components/SettingsUsers';
import { SettingsWebhooks } from '../components/SettingsWebhooks';

interface SettingsTab {
  value: string;
  label: string;
  action: string;
  panel: () => ReactNode;
}

const TABS: SettingsTab[] = [
  { value: 'users', label: 'Users and roles', action: 'users.manage', panel: () => <SettingsUsers /> },
  { value: 'tokens', label: 'API tokens', action: 'tokens.manage_own', panel: () => <SettingsTokens /> },
  {
    value: 'sessions',
    label: 'Sessions',
    action: 'sessions.manage_own',
    panel: () => <SettingsSessions />,
  },
  { value: 'webhooks', label: 'Webhooks', action: 'webhooks.manage', panel: () => <SettingsWebhooks /> },
  {
    value: 'types',
    label: 'Promise types',
    action: 'settings.manage',
    panel: () => <SettingsPromiseTypes />,
  },
  {
    value: 'sla-policies',
    label: 'SLA policies',
    action: 'settings.manage',
    panel: () => <SettingsSlaPolicies />,
  },
  {
    value: 'sla',
    label: 'Business calendars',
    action: 'settings.manage',
    panel: () => <SettingsCalendars />,
  },
  {
    value: 'integrations',
    label: 'Integrations',
    action: 'integrations.manage',
    panel: () => <SettingsIntegrations />,
  },
  {
    value: 'health',
    label: 'Health weights',
    action: 'settings.manage',
    panel: () => <SettingsHealthWeights />,
  },
];

export function SettingsPage() {
  const session = useSignedIn();
  const [params, setParams] = useSearchParams();
  const tabs = TABS.filter((t) => can(session, t.action));
  const requested = params.get('tab');
  const active = tabs.find((t) => t.value === requested)?.value ?? tabs[0]?.value ?? null;
  return (
    <>
      <PageHeader title="Settings" />
      {tabs.length === 0 ? (
        <Text c="dimmed">There is nothing your role can change here.</Text>
      ) : (
        <Tabs
          value={active}
          onChange={(v) => v && setParams({ tab: v }, { replace: true })}
          keepMounted={false}
          variant="outline"
        >
          <Tabs.List mb="md" style={{ flexWrap: 'wrap' }}>
            {tabs.map((t) => (
              <Tabs.Tab key={t.value} value={t.value}>
                {t.label}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {tabs.map((t) => (
            <Tabs.Panel key={t.value} value={t.value}>
              {t.panel()}
            </Tabs.Panel>
          ))}
        </Tabs>
      )}
    </>
  );
}
