// Complaint memory (workflow 6), pure: "I already told your team this". A complaint repeats an
// earlier one of the same account when both name the same underlying concern and the earlier one
// happened at most 45 days before. No I/O; times come in with the complaints.

/** The window of a repeat complaint: 45 days of elapsed time (45 × 24 h, zone-independent). */
export const REPEAT_WINDOW_DAYS = 45;
const DAY_MS = 86_400_000;
const WINDOW_MS = REPEAT_WINDOW_DAYS * DAY_MS;

/**
 * The concern key people and integrations type ("Reporting exports", "reporting-exports ")
 * reduced to one spelling: lowercase ASCII letters and digits joined by single underscores, at most
 * 63 characters, accents dropped. Empty when nothing usable remains.
 */
export function normaliseConcernKey(raw: string): string {
  return raw
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 63)
    .replace(/_+$/, '');
}

export interface ComplaintFact {
  id: string;
  concernKey: string;
  occurredAt: Date;
}

export type RepeatVerdict = { repeat: true; repeatOfId: string } | { repeat: false; repeatOfId: null };

/** Whether `earlier` falls in the 45 days up to `at` (both ends included). */
export function withinRepeatWindow(earlier: Date, at: Date): boolean {
  const gap = at.getTime() - earlier.getTime();
  return gap >= 0 && gap <= WINDOW_MS;
}

/**
 * Matches a new complaint against the account's other complaints: a repeat when one on the same
 * concern happened in the 45 days up to it. The one it repeats is the most recent such complaint
 * (ties broken by the larger id, i.e. the later-recorded UUIDv7), so the customer's latest
 * "I told you" points at the last time they said it.
 */
export function findRepeat(
  complaint: { id?: string; concernKey: string; occurredAt: Date },
  others: readonly ComplaintFact[],
): RepeatVerdict {
  let best: ComplaintFact | undefined;
  for (const c of others) {
    if (c.id === complaint.id || c.concernKey !== complaint.concernKey) continue;
    if (!withinRepeatWindow(c.occurredAt, complaint.occurredAt)) continue;
    if (
      !best ||
      c.occurredAt.getTime() > best.occurredAt.getTime() ||
      (c.occurredAt.getTime() === best.occurredAt.getTime() && c.id > best.id)
    ) {
      best = c;
    }
  }
  return best ? { repeat: true, repeatOfId: best.id } : { repeat: false, repeatOfId: null };
}

/** The earliest instant a complaint that `at` could repeat may have happened (for the query). */
export function repeatWindowStart(at: Date): Date {
  return new Date(at.getTime() - WINDOW_MS);
}
