// Pieces the settings tabs share: a secret shown once with a copy button, a confirmed destructive
// action, and a section title.
import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { type ReactNode, useState } from 'react';
import { ErrorBanner } from './ErrorBanner';

/** A secret the API returns once (token, signing secret, invitation link): copy it now or never. */
export function SecretOnce({
  title,
  label,
  value,
  onDismiss,
  children,
}: {
  title: string;
  label: string;
  value: string;
  onDismiss: () => void;
  children?: ReactNode;
}) {
  return (
    <Alert
      color="yellow"
      title={title}
      role="status"
      styles={{ label: { color: 'var(--mantine-color-dark-7)' } }}
    >
      <Stack gap="xs">
        <Text size="sm">It is shown only now: copy it and keep it somewhere safe.</Text>
        <Text size="sm" fw={500}>
          {label}
        </Text>
        <Group gap="xs" wrap="nowrap" align="flex-start">
          <Code block style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap', flex: 1 }} data-secret={label}>
            {value}
          </Code>
          <CopyButton value={value}>
            {({ copied, copy }) => (
              <Button
                size="xs"
                variant={copied ? 'light' : 'filled'}
                color={copied ? 'teal' : undefined}
                onClick={copy}
              >
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
        {children}
        <Group>
          <Button size="xs" variant="default" onClick={onDismiss}>
            Done, I have copied it
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

/** A button that asks before doing something that cannot be undone (revoke, withdraw). */
export function ConfirmButton({
  label,
  title,
  message,
  confirmLabel,
  onConfirm,
  ariaLabel,
}: {
  label: string;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  ariaLabel?: string;
}) {
  const [opened, { open, close }] = useDisclosure(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <Button size="compact-sm" variant="subtle" color="red" c="red.9" onClick={open} aria-label={ariaLabel}>
        {label}
      </Button>
      <Modal opened={opened} onClose={close} title={title} centered>
        <Stack>
          <ErrorBanner error={error} />
          <Text size="sm">{message}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={busy}
              onClick={async () => {
                setBusy(true);
                setError(null);
                try {
                  await onConfirm();
                  close();
                } catch (e) {
                  setError(e);
                } finally {
                  setBusy(false);
                }
              }}
            >
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

export function SectionTitle({ children, description }: { children: ReactNode; description?: ReactNode }) {
  return (
    <div>
      <Title order={3} size="h4">
        {children}
      </Title>
      {description && (
        <Text size="sm" c="dimmed">
          {description}
        </Text>
      )}
    </div>
  );
}

/** A table wider than the screen scrolls; keyboard users reach the scroll region with Tab. */
export const focusableScroll = { viewportProps: { tabIndex: 0 } };

/** A short confirmation toast; its close button is named for screen readers. */
export const notifyDone = (message: string) =>
  notifications.show({ color: 'teal', message, closeButtonProps: { 'aria-label': 'Dismiss notification' } });
