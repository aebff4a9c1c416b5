// Saved views: a named filter + sort of the promise list, private or shared with the workspace
// (GET/POST/PATCH/DELETE /api/v1/views). Picking one applies its query to the URL.
import { Badge, Button, Group, Modal, Radio, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, call, client, newIdempotencyKey } from '../api/client';
import type { SavedViewView } from '../api/types';
import { can } from '../app/can';
import { useSignedIn } from '../app/session';
import { ErrorBanner } from './ErrorBanner';
import { normalise, type PromiseQuery, sameQuery } from './PromiseFilters';

export function useSavedViews() {
  return useQuery({
    queryKey: ['views'],
    queryFn: () => call<{ data: SavedViewView[] }>(client.GET('/api/v1/views')).then((r) => r.data),
  });
}

type Mode = 'create' | 'edit' | 'delete' | null;

export function PromiseViews({
  query,
  activeViewId,
  onApply,
  onClear,
}: {
  query: PromiseQuery;
  activeViewId: string | null;
  onApply: (view: SavedViewView) => void;
  onClear: () => void;
}) {
  const session = useSignedIn();
  const queryClient = useQueryClient();
  const views = useSavedViews();
  const [mode, setMode] = useState<Mode>(null);
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'private' | 'shared'>('private');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [idemKey, setIdemKey] = useState('');

  const mayWrite = can(session, 'view.write_own');
  const mayShare = can(session, 'view.write_shared');
  const active = views.data?.find((v) => v.id === activeViewId) ?? null;
  // A private view is only ever its creator's; a shared one is anyone's with view.write_shared.
  const mayEditActive =
    active !== null &&
    mayWrite &&
    (active.visibility === 'shared' ? mayShare : active.createdBy === session.user.id);
  const modified = active !== null && !sameQuery(active.query, query);

  const openModal = (m: Exclude<Mode, null>) => {
    setName(m === 'edit' && active ? active.name : '');
    setVisibility(m === 'edit' && active ? active.visibility : 'private');
    setFieldErrors({});
    setError(null);
    setIdemKey(newIdempotencyKey());
    setMode(m);
  };

  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.problems.length) {
      const f = e.fieldErrors();
      setFieldErrors(f);
      // Problems with the filters themselves (query.*) have no field here: show them as a banner.
      if (Object.keys(f).some((k) => k !== 'name' && k !== 'visibility')) setError(e);
    } else {
      setError(e);
    }
  };

  const save = async () => {
    if (!name.trim()) {
      setFieldErrors({ name: 'Give the view a name' });
      return;
    }
    setSaving(true);
    setError(null);
    setFieldErrors({});
    try {
      const body = { name: name.trim(), visibility, query: normalise(query) };
      const view =
        mode === 'edit' && active
          ? await call<SavedViewView>(
              client.PATCH('/api/v1/views/{viewId}', { params: { path: { viewId: active.id } }, body }),
            )
          : await call<SavedViewView>(
              client.POST('/api/v1/views', { body, headers: { 'idempotency-key': idemKey } }),
            );
      await queryClient.invalidateQueries({ queryKey: ['views'] });
      notifications.show({ color: 'green', message: `View “${view.name}” saved.` });
      setMode(null);
      onApply(view);
    } catch (e) {
      fail(e);
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!active) return;
    setSaving(true);
    setError(null);
    try {
      await call(client.DELETE('/api/v1/views/{viewId}', { params: { path: { viewId: active.id } } }));
      await queryClient.invalidateQueries({ queryKey: ['views'] });
      notifications.show({ message: `View “${active.name}” deleted.` });
      setMode(null);
      onClear();
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  const mine = (views.data ?? []).filter((v) => v.visibility === 'private');
  const shared = (views.data ?? []).filter((v) => v.visibility === 'shared');
  const data = [
    ...(mine.length ? [{ group: 'My views', items: mine.map((v) => ({ value: v.id, label: v.name })) }] : []),
    ...(shared.length
      ? [{ group: 'Shared views', items: shared.map((v) => ({ value: v.id, label: v.name })) }]
      : []),
  ];

  return (
    <>
      <ErrorBanner error={views.error} title="Saved views could not be loaded" />
      <Group gap="xs" align="flex-end" wrap="wrap">
        <Select
          label="Saved view"
          placeholder={
            views.isLoading ? 'Loading views…' : data.length ? 'Choose a view' : 'No saved views yet'
          }
          data={data}
          value={activeViewId && active ? activeViewId : null}
          // Every pick applies the view, the active one too (after its filters were changed here).
          onOptionSubmit={(id) => {
            const v = views.data?.find((x) => x.id === id);
            if (v) onApply(v);
          }}
          onChange={(id) => {
            if (id === null) onClear();
          }}
          clearable
          searchable
          allowDeselect={false}
          w={{ base: '100%', xs: 260 }}
        />
        {active && modified && (
          <>
            <Badge variant="light" color="yellow" c="gray.9" mb={6}>
              Filters changed
            </Badge>
            <Button size="sm" variant="subtle" onClick={() => onApply(active)}>
              Reset to view
            </Button>
          </>
        )}
        {mayWrite && (
          <Button size="sm" variant="default" onClick={() => openModal('create')}>
            Save as view…
          </Button>
        )}
        {mayEditActive && (
          <>
            <Button size="sm" variant="default" onClick={() => openModal('edit')}>
              Edit view…
            </Button>
            <Button size="sm" variant="subtle" color="red" onClick={() => openModal('delete')}>
              Delete view
            </Button>
          </>
        )}
      </Group>

      <Modal
        opened={mode === 'create' || mode === 'edit'}
        onClose={() => !saving && setMode(null)}
        title={mode === 'edit' ? `Edit view “${active?.name ?? ''}”` : 'Save the current filters as a view'}
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <Stack>
            <ErrorBanner error={error} title="The view could not be saved" />
            <TextInput
              label="Name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldErrors.name}
              required
              maxLength={200}
              data-autofocus
            />
            {mayShare ? (
              <Radio.Group
                label="Who sees it"
                value={visibility}
                onChange={(v) => setVisibility(v as 'private' | 'shared')}
                error={fieldErrors.visibility}
              >
                <Stack gap={6} mt={4}>
                  <Radio value="private" label="Only me" />
                  <Radio value="shared" label="Everyone in the workspace" />
                </Stack>
              </Radio.Group>
            ) : (
              <Text size="sm" c="dimmed">
                Only you will see this view.
              </Text>
            )}
            {mode === 'edit' && (
              <Text size="sm" c="dimmed">
                The view will hold the filters and sort shown now.
              </Text>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setMode(null)} disabled={saving}>
                Cancel
              </Button>
              <Button type="submit" loading={saving}>
                Save view
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>

      <Modal opened={mode === 'delete'} onClose={() => !saving && setMode(null)} title="Delete this view?">
        <Stack>
          <ErrorBanner error={error} title="The view could not be deleted" />
          <Text size="sm">
            “{active?.name}” will be removed
            {active?.visibility === 'shared' ? ' for everyone in the workspace' : ''}. The promises are not
            touched.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setMode(null)} disabled={saving}>
              Keep it
            </Button>
            <Button color="red" onClick={remove} loading={saving}>
              Delete view
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
