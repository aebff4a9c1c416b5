// The daily digest's content, pure: built from loaded rows and the instant it is for. Plain text
// and HTML say the same thing; every interpolated value is escaped in the HTML.
import { escapeHtml, humanDuration } from '../reminders/messages.js';
import { formatInstant } from '../time/zone.js';
import type { MessageContent } from './contract.js';

export interface DigestPromise {
  promiseId: string;
  promiseMade: string;
  accountName: string;
  customerReason: string;
  dueAt: Date;
}

export interface DigestFacts {
  userName: string;
  zone: string;
  /** The local date the digest is for (YYYY-MM-DD). */
  date: string;
  now: Date;
  /** Open promises due within the next 48 hours (at most `LIST_MAX`), and how many there are. */
  dueSoon: DigestPromise[];
  dueSoonTotal: number;
  /** Open promises past due (at most `LIST_MAX`, oldest first), and how many there are. */
  overdue: DigestPromise[];
  overdueTotal: number;
  /** Unread inbox items (not done, not snoozed). */
  unread: number;
}

/** Items listed per section; the rest are counted. */
export const LIST_MAX = 20;
export const DUE_SOON_MS = 48 * 3_600_000;

/** One line: control characters (newlines included) become spaces; long text is cut with an ellipsis. */
export function oneLine(s: string, max: number): string {
  let flat = '';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    flat += code < 0x20 || code === 0x7f ? ' ' : ch;
  }
  flat = flat.replace(/ {2,}/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
const at = (d: Date, zone: string) => formatInstant(d, zone).replace('T', ' ');

/** Nothing due, nothing overdue, nothing unread: no digest is sent that day. */
export const digestIsEmpty = (f: DigestFacts) =>
  f.dueSoonTotal === 0 && f.overdueTotal === 0 && f.unread === 0;

export function digestMessage(f: DigestFacts): { content: MessageContent; data: Record<string, unknown> } {
  const title = `Your promises for ${f.date}: ${f.overdueTotal} overdue, ${f.dueSoonTotal} due within 48 hours, ${f.unread} unread`;
  const overdueLine = (p: DigestPromise) =>
    `${oneLine(p.promiseMade, 120)} — ${oneLine(p.accountName, 60)} (due ${at(p.dueAt, f.zone)}, ${humanDuration(f.now.getTime() - p.dueAt.getTime())} overdue)`;
  const dueLine = (p: DigestPromise) =>
    `${oneLine(p.promiseMade, 120)} — ${oneLine(p.accountName, 60)} (due ${at(p.dueAt, f.zone)}, in ${humanDuration(p.dueAt.getTime() - f.now.getTime())})`;
  const sections: { heading: string; lines: string[]; more: number }[] = [
    {
      heading: `Overdue (${f.overdueTotal})`,
      lines: f.overdue.map(overdueLine),
      more: f.overdueTotal - f.overdue.length,
    },
    {
      heading: `Due within 48 hours (${f.dueSoonTotal})`,
      lines: f.dueSoon.map(dueLine),
      more: f.dueSoonTotal - f.dueSoon.length,
    },
  ];
  const text = [
    `Hello ${oneLine(f.userName, 80)},`,
    '',
    ...sections.flatMap((s) => [
      s.heading,
      ...(s.lines.length === 0 ? ['  nothing'] : s.lines.map((l) => `  - ${l}`)),
      ...(s.more > 0 ? [`  … and ${s.more} more`] : []),
      '',
    ]),
    `Unread in your inbox: ${f.unread}`,
    '',
    `Times are in ${f.zone}.`,
  ].join('\n');
  const html = [
    `<p>Hello ${escapeHtml(oneLine(f.userName, 80))},</p>`,
    ...sections.flatMap((s) => [
      `<h3>${escapeHtml(s.heading)}</h3>`,
      s.lines.length === 0
        ? '<p>nothing</p>'
        : `<ul>${s.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
      ...(s.more > 0 ? [`<p>… and ${s.more} more</p>`] : []),
    ]),
    `<p>Unread in your inbox: ${f.unread}</p>`,
    `<p>Times are in ${escapeHtml(f.zone)}.</p>`,
  ].join('\n');
  return {
    content: { title, text, html },
    data: {
      kind: 'digest',
      date: f.date,
      overdue: f.overdueTotal,
      dueWithin48Hours: f.dueSoonTotal,
      unread: f.unread,
      overduePromiseIds: f.overdue.map((p) => p.promiseId),
      dueSoonPromiseIds: f.dueSoon.map((p) => p.promiseId),
    },
  };
}
