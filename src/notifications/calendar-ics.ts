// The iCalendar (RFC 5545) document of a user's calendar feed, pure: built with ical-generator
// from loaded rows. Times are UTC (no VTIMEZONE needed; clients show them in their own zone).
import ical, { ICalCalendarMethod } from 'ical-generator';
import { type PromisePlanInput, promiseMilestones } from '../reminders/plan.js';
import { oneLine } from './digest-message.js';

export interface FeedPromise extends PromisePlanInput {
  id: string;
  promiseMade: string;
  customerReason: string;
  accountName: string;
  contactName: string | null;
  updatedAt: Date;
}

export interface FeedFacts {
  userName: string;
  workspaceName: string;
  /** Base URL of the server, without a trailing slash (links to each promise). */
  baseUrl: string;
  now: Date;
  promises: FeedPromise[];
}

/** How often clients are asked to refresh (REFRESH-INTERVAL / X-PUBLISHED-TTL). */
export const FEED_TTL_SECONDS = 15 * 60;
/** Checkpoints are short events: a reminder slot, not a block of work. */
const CHECKPOINT_MINUTES = 15;
const DUE_MINUTES = 30;
const DOMAIN = 'promise-ledger';

const CHECKPOINT_LABEL: Record<string, string> = {
  checkpoint_internal_check_in: 'Internal check-in',
  checkpoint_customer_update_required: 'Customer update required',
};

export const dueUid = (promiseId: string) => `${promiseId}-due@${DOMAIN}`;
export const checkpointUid = (promiseId: string, percent: number) =>
  `${promiseId}-checkpoint-${percent}@${DOMAIN}`;

/**
 * One VEVENT per open promise at its due instant (`effectiveDueAt`: due date plus paused time, or
 * the SLA deadline), and one per checkpoint still ahead. A paused promise is still open but has no
 * known due instant until resumed: it is listed at its original `dueAt`, SUMMARY "Paused: …", with
 * no checkpoints. UIDs are stable, so a moved due date (or a resume) updates the event in the
 * subscriber's calendar instead of adding one; SEQUENCE follows the promise's last change.
 */
export function buildCalendarFeed(f: FeedFacts): string {
  const cal = ical({
    name: `Promises — ${oneLine(f.userName, 80)} (${oneLine(f.workspaceName, 80)})`,
    description: 'Due dates and checkpoints of your open promises in Promise Ledger.',
    prodId: { company: 'Promise Ledger', product: 'promise-ledger', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    ttl: FEED_TTL_SECONDS,
  });
  for (const p of f.promises) {
    if (p.status !== 'open') continue;
    const paused = p.pausedAt !== null || p.effectiveDueAt === null;
    const at = paused ? p.dueAt : (p.effectiveDueAt as Date);
    const to = p.contactName ? `${p.contactName} at ${p.accountName}` : p.accountName;
    const url = `${f.baseUrl}/api/v1/promises/${p.id}`;
    const description = [
      `Promised: ${p.promiseMade}`,
      `To: ${to}`,
      `Why the customer cares: ${p.customerReason}`,
      paused
        ? `Paused${p.pausedAt ? ` since ${p.pausedAt.toISOString()}` : ''}: originally due ${at.toISOString()}; the due date moves by the time paused when it resumes`
        : `Due: ${at.toISOString()}`,
    ].join('\n');
    const sequence = Math.max(0, Math.floor(p.updatedAt.getTime() / 1000) - 1_700_000_000);
    cal.createEvent({
      id: dueUid(p.id),
      sequence,
      stamp: f.now,
      lastModified: p.updatedAt,
      start: at,
      end: new Date(at.getTime() + DUE_MINUTES * 60_000),
      summary: `${paused ? 'Paused' : 'Due'}: ${oneLine(p.promiseMade, 120)} — ${oneLine(p.accountName, 60)}`,
      description,
      url,
    });
    // promiseMilestones gives none for a paused promise: its checkpoints are not yet known.
    for (const m of promiseMilestones(p)) {
      const label = CHECKPOINT_LABEL[m.kind];
      if (!label || m.at.getTime() <= f.now.getTime()) continue;
      const percent = m.detail?.percent ?? 0;
      cal.createEvent({
        id: checkpointUid(p.id, percent),
        sequence,
        stamp: f.now,
        lastModified: p.updatedAt,
        start: m.at,
        end: new Date(m.at.getTime() + CHECKPOINT_MINUTES * 60_000),
        summary: `${label} (${percent}%): ${oneLine(p.promiseMade, 100)} — ${oneLine(p.accountName, 60)}`,
        description,
        url,
      });
    }
  }
  return cal.toString();
}
