// Health weights: how much each component counts in an account's health score (normalised so they
// sum to 100%). GET/PUT /measures/health/weights.
import { Button, Card, Group, Loader, NumberInput, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, call, client } from '../api/client';
import type { HealthComponent, HealthWeightsView } from '../api/types';
import { formatDateTime } from '../app/format';
import { useUserNames } from '../app/queries';
import { useSignedIn } from '../app/session';
import { ErrorBanner } from './ErrorBanner';
import { notifyDone, SectionTitle } from './SettingsShared';

const COMPONENTS: { key: HealthComponent; label: string }[] = [
  { key: 'recency', label: 'Product activity recency' },
  { key: 'frequency', label: 'Product activity frequency' },
  { key: 'coreUsage', label: 'Core usage' },
  { key: 'tickets', label: 'Tickets' },
  { key: 'openPromises', label: 'Open promises' },
  { key: 'overduePromises', label: 'Overdue promises' },
  { key: 'temperature', label: 'Relationship temperature' },
];

export function SettingsHealthWeights() {
  const zone = useSignedIn().workspace.timeZone;
  const userName = useUserNames();
  const qc = useQueryClient();
  const stored = useQuery({
    queryKey: ['health-weights'],
    queryFn: () => call<HealthWeightsView>(client.GET('/api/v1/measures/health/weights')),
  });
  const [weights, setWeights] = useState<Record<HealthComponent, number | string> | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<unknown>(null);
  useEffect(() => {
    if (stored.data && weights === null) setWeights({ ...stored.data.weights });
  }, [stored.data, weights]);
  const save = useMutation({
    mutationFn: (body: Record<HealthComponent, number>) =>
      call<HealthWeightsView>(client.PUT('/api/v1/measures/health/weights', { body })),
    onSuccess: (w) => {
      setErrors({});
      setBanner(null);
      setWeights({ ...w.weights });
      qc.setQueryData(['health-weights'], w);
      qc.invalidateQueries({ queryKey: ['measure', '/api/v1/measures/health'] });
      notifyDone('Health weights saved; scores use them now.');
    },
    onError: (e) => {
      const fields = e instanceof ApiError ? e.fieldErrors() : {};
      setErrors(fields);
      setBanner(Object.keys(fields).length > 0 ? null : e);
    },
  });
  const numeric = weights
    ? (Object.fromEntries(COMPONENTS.map((c) => [c.key, Number(weights[c.key]) || 0])) as Record<
        HealthComponent,
        number
      >)
    : null;
  const total = numeric ? Object.values(numeric).reduce((s, v) => s + v, 0) : 0;
  return (
    <Card withBorder>
      <Stack gap="sm">
        <SectionTitle description="Each account's 0–100 health score is the weighted mean of its component scores. Weights are relative: they are scaled to sum to 100%.">
          Health score weights
        </SectionTitle>
        <ErrorBanner error={stored.error} title="Could not load the weights" />
        {stored.isPending && <Loader size="sm" aria-label="Loading weights" />}
        {stored.data && (
          <Text size="sm" c="dimmed">
            {stored.data.isDefault
              ? 'The defaults are in use.'
              : `Set by ${userName(stored.data.updatedBy)} on ${formatDateTime(stored.data.updatedAt, zone)}.`}
          </Text>
        )}
        {weights && numeric && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              // A cleared box is not a weight of 0: ask for the number instead of saving 0 silently.
              const empty = COMPONENTS.filter((c) => String(weights[c.key]).trim() === '');
              if (empty.length > 0) {
                setErrors(Object.fromEntries(empty.map((c) => [c.key, 'Enter a number (0 leaves it out)'])));
                return;
              }
              save.mutate(numeric);
            }}
            noValidate
          >
            <ErrorBanner error={banner} title="Could not save the weights" />
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} mb="md">
              {COMPONENTS.map((c) => (
                <NumberInput
                  key={c.key}
                  label={c.label}
                  description={
                    total > 0
                      ? `${Math.round((numeric[c.key] / total) * 1000) / 10}% of the score`
                      : 'No share yet'
                  }
                  min={0}
                  step={1}
                  decimalScale={4}
                  value={weights[c.key]}
                  onChange={(v) => setWeights({ ...weights, [c.key]: v })}
                  error={errors[c.key]}
                />
              ))}
            </SimpleGrid>
            {total === 0 && (
              <Text size="sm" c="red.9" role="alert" mb="sm">
                At least one weight must be more than 0.
              </Text>
            )}
            <Group>
              <Button type="submit" loading={save.isPending} disabled={total === 0}>
                Save weights
              </Button>
              <Button variant="default" onClick={() => stored.data && setWeights({ ...stored.data.weights })}>
                Reset changes
              </Button>
            </Group>
          </form>
        )}
      </Stack>
    </Card>
  );
}
