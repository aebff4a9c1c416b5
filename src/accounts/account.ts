// Account rules, pure: the vocabularies, what a valid currency and contract period are, and the
// renewal window of the account list (calendar dates in the workspace's zone).
import { AppError } from '../errors.js';
import { daysFromCivil, formatDate, parseDate } from '../time/zone.js';

export const TIERS = ['strategic', 'enterprise', 'mid_market', 'smb'] as const;
export const LIFECYCLE_STAGES = ['land', 'adopt', 'expand', 'renew'] as const;
export const TEMPERATURES = ['warm', 'neutral', 'strained', 'fragile'] as const;

export type Tier = (typeof TIERS)[number];
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
export type Temperature = (typeof TEMPERATURES)[number];

// ISO 4217 codes in circulation, as the runtime's ICU data knows them (USD, EUR, JPY …); the
// test-only and precious-metal codes (XXX, XTS, XAU) are not among them.
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));
export const isCurrency = (code: string): boolean => CURRENCIES.has(code);

/** A `YYYY-MM-DD` calendar date that exists (not 2026-02-30), between years 0001 and 9999. */
export function isCalendarDate(s: string): boolean {
  const n = parseDate(s);
  return n !== null && n >= daysFromCivil(1, 1, 1) && n <= daysFromCivil(9999, 12, 31);
}

/** A contract renews on or after it starts (`YYYY-MM-DD` strings compare as dates). */
export function checkContractPeriod(contractStart: string | null, renewalDate: string | null): void {
  if (contractStart !== null && renewalDate !== null && renewalDate < contractStart) {
    throw new AppError(
      'validation_failed',
      `renewalDate: ${renewalDate} is before the contract start ${contractStart}`,
      { field: 'renewalDate' },
    );
  }
}

export interface RenewalWindow {
  renewingWithinDays?: number | undefined;
  renewalFrom?: string | undefined;
  renewalTo?: string | undefined;
}

/**
 * The inclusive date range of renewal dates a list asks for. `renewingWithinDays: 30` is today
 * (in the workspace's zone) through today + 30; the explicit bounds narrow it further.
 */
export function renewalRange(w: RenewalWindow, today: string): { from?: string; to?: string } {
  let from = w.renewalFrom;
  let to = w.renewalTo;
  if (w.renewingWithinDays !== undefined) {
    const start = parseDate(today)!;
    const end = formatDate(start + w.renewingWithinDays);
    if (from === undefined || from < today) from = today;
    if (to === undefined || to > end) to = end;
  }
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

/** A user's search text as a LIKE pattern matching it anywhere, with `%`, `_` and `\` literal. */
export const containsPattern = (q: string): string => `%${q.replace(/[\\%_]/g, '\\$&')}%`;
