import { AppError } from '../errors.js';

/** The acting user until sign-in exists: the `X-User-Id` header, required on every write. */
export function actorFrom(headers: Record<string, string | string[] | undefined>): string {
  const v = headers['x-user-id'];
  if (typeof v !== 'string' || v.trim() === '') {
    throw new AppError(
      'unauthenticated',
      'X-User-Id header is required: the id of the user making the change',
      {
        field: 'X-User-Id',
      },
    );
  }
  return v.trim();
}
