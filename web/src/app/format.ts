// Dates and amounts as the user reads them: in the workspace's zone, in the browser's language.

export function formatDateTime(iso: string | null | undefined, zone: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

export function formatDate(iso: string | null | undefined, zone: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  }).format(new Date(iso));
}

/** "in 3 days", "2 hours ago". */
export function relative(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '';
  const ms = new Date(iso).getTime() - now.getTime();
  const abs = Math.abs(ms);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  if (abs < 3_600_000) return rtf.format(Math.round(ms / 60_000), 'minute');
  if (abs < 86_400_000) return rtf.format(Math.round(ms / 3_600_000), 'hour');
  return rtf.format(Math.round(ms / 86_400_000), 'day');
}

/** Whole days a promise has been overdue. */
export const overdueDays = (dueIso: string | null, now: Date = new Date()) =>
  dueIso ? Math.max(0, Math.floor((now.getTime() - new Date(dueIso).getTime()) / 86_400_000)) : 0;

export function formatMoney(minor: number | null | undefined, currency: string): string {
  if (minor === null || minor === undefined) return '—';
  return new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 0 }).format(
    minor / 100,
  );
}

/** snake_case enum values as words: "politically_exposed" → "Politically exposed". */
export const words = (v: string | null | undefined) =>
  v ? v.charAt(0).toUpperCase() + v.slice(1).replaceAll('_', ' ') : '—';
