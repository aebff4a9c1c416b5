import { Alert } from '@mantine/core';
import { ApiError } from '../api/client';

/** A failed load or save as a clear banner (never a blank page). */
export function ErrorBanner({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message =
    error instanceof ApiError
      ? `${error.detail}${error.problems.length > 1 ? ` (${error.problems.map((p) => `${p.field}: ${p.message}`).join('; ')})` : ''}`
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <Alert color="red" title={title ?? 'Something went wrong'} role="alert" mb="md">
      {message}
    </Alert>
  );
}
