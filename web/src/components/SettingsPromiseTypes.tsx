// Promise types: the built-in and added ones; rename, (de)activate, add a new one.
import { Badge, Button, Card, Group, Loader, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, call, client } from '../api/client';
import type { PromiseTypeView } from '../api/types';
import { usePromiseTypes } from '../app/queries';
import { ErrorBanner } from './ErrorBanner';
import { focusableScroll, notifyDone, SectionTitle } from './SettingsShared';

function TypeRow({ type }: { type: PromiseTypeView }) {
  const qc = useQueryClient();
  const [label, setLabel] = useState(type.label);
  const [error, setError] = useState<string | undefined>();
  const save = useMutation({
    mutationFn: (changes: { label?: string; active?: boolean }) =>
      call<PromiseTypeView>(
        client.PATCH('/api/v1/promise-types/{key}', { params: { path: { key: type.key } }, body: changes }),
      ),
    onSuccess: (t) => {
      setError(undefined);
      setLabel(t.label);
      qc.invalidateQueries({ queryKey: ['promise-types'] });
      notifyDone(`Promise type “${t.label}” saved.`);
    },
    onError: (e) => setError(e instanceof ApiError ? (e.fieldErrors().label ?? e.detail) : String(e)),
  });
  const dirty = label.trim() !== type.label;
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" ff="monospace">
          {type.key}
        </Text>
        {type.builtin && (
          <Badge size="xs" variant="light" color="gray" c="dark.7">
            built-in
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (dirty) save.mutate({ label: label.trim() });
          }}
        >
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <TextInput
              aria-label={`Label of ${type.key}`}
              value={label}
              onChange={(e) => setLabel(e.currentTarget.value)}
              error={error}
              size="xs"
              w={240}
            />
            {dirty && (
              <Button type="submit" size="xs" loading={save.isPending}>
                Save
              </Button>
            )}
          </Group>
        </form>
      </Table.Td>
      <Table.Td>
        <Switch
          aria-label={`${type.label} is active`}
          label={type.active ? 'Active' : 'Inactive'}
          checked={type.active}
          disabled={save.isPending}
          onChange={(e) => save.mutate({ active: e.currentTarget.checked })}
        />
      </Table.Td>
    </Table.Tr>
  );
}

export function SettingsPromiseTypes() {
  const types = usePromiseTypes();
  const qc = useQueryClient();
  const [key, setKey] = useState('');
  const [label, setLabel] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [banner, setBanner] = useState<unknown>(null);
  const create = useMutation({
    mutationFn: () =>
      call<PromiseTypeView>(
        client.POST('/api/v1/promise-types', { body: { key: key.trim(), label: label.trim() } }),
      ),
    onSuccess: (t) => {
      setKey('');
      setLabel('');
      setErrors({});
      setBanner(null);
      qc.invalidateQueries({ queryKey: ['promise-types'] });
      notifyDone(`Promise type “${t.label}” added.`);
    },
    onError: (e) => {
      const fields = e instanceof ApiError ? e.fieldErrors() : {};
      setErrors(fields);
      setBanner(Object.keys(fields).length > 0 ? null : e);
    },
  });
  return (
    <Card withBorder>
      <Stack gap="sm">
        <SectionTitle description="An inactive type stays on existing promises but cannot be chosen for new ones.">
          Promise types
        </SectionTitle>
        <ErrorBanner error={types.error} title="Could not load promise types" />
        {types.isPending && <Loader size="sm" aria-label="Loading promise types" />}
        {types.data && (
          <Table.ScrollContainer scrollAreaProps={focusableScroll} minWidth={560}>
            <Table verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Key</Table.Th>
                  <Table.Th scope="col">Label</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {types.data.map((t) => (
                  <TypeRow key={`${t.key}:${t.label}`} type={t} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
          noValidate
        >
          <ErrorBanner error={banner} title="Could not add the type" />
          <Group align="flex-start" gap="sm" wrap="wrap">
            <TextInput
              label="Key"
              description="a-z, 0-9 and _, e.g. security_review"
              required
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
              error={errors.key}
              w={{ base: '100%', sm: 240 }}
            />
            <TextInput
              label="Label"
              description="As people read it"
              required
              value={label}
              onChange={(e) => setLabel(e.currentTarget.value)}
              error={errors.label}
              w={{ base: '100%', sm: 240 }}
            />
            <Button type="submit" loading={create.isPending} mt={{ base: 0, sm: 46 }}>
              Add type
            </Button>
          </Group>
        </form>
      </Stack>
    </Card>
  );
}
