// What the weekly and monthly review emails say, pure: a title, plain text and HTML saying the same
// thing (every interpolated value escaped in the HTML), and the `data` kept with the delivery.
import type { MessageContent } from '../notifications/contract.js';
import { oneLine } from '../notifications/digest-message.js';
import { escapeHtml } from '../reminders/messages.js';
import type { MeasureRow } from './measure.js';
import type { ReviewKind } from './report-rules.js';
import type { Review } from './reviews.js';

export interface DigestSection {
  heading: string;
  lines: string[];
  /** Shown when there are no lines. */
  empty: string;
  /** Lines left out (only the first LINES_MAX are listed). */
  more: number;
}

export interface ReviewDigestFacts {
  kind: ReviewKind;
  workspaceName: string;
  zone: string;
  /** The reviewed period: its key and local dates (last day inclusive). */
  periodKey: string;
  firstDay: string;
  lastDay: string;
  /** One-line figures under the title. */
  headline: string[];
  sections: DigestSection[];
  /** Where the full review is (API path). */
  link: string;
}

/** Lines listed per section. */
export const LINES_MAX = 15;

/** A section from items: the first LINES_MAX rendered, the rest counted. */
export function section<T>(
  heading: string,
  items: readonly T[],
  line: (t: T) => string,
  empty: string,
): DigestSection {
  return {
    heading,
    lines: items.slice(0, LINES_MAX).map((t) => oneLine(line(t), 200)),
    empty,
    more: Math.max(0, items.length - LINES_MAX),
  };
}

/** `80%` or `no data`. */
export const pct = (p: number | null | undefined): string =>
  p === null || p === undefined ? 'no data' : `${p}%`;

export function reviewDigestMessage(f: ReviewDigestFacts): {
  content: MessageContent;
  data: Record<string, unknown>;
} {
  const name = f.kind === 'weekly' ? 'Weekly' : 'Monthly';
  const ws = oneLine(f.workspaceName, 80);
  const title = `${name} promise review, ${f.periodKey} — ${ws}`;
  const span = `${f.periodKey}: ${f.firstDay} to ${f.lastDay} (${f.zone})`;
  const text = [
    `${name} promise review for ${ws}`,
    span,
    '',
    ...f.headline,
    '',
    ...f.sections.flatMap((s) => [
      s.heading,
      ...(s.lines.length === 0 ? [`  ${s.empty}`] : s.lines.map((l) => `  - ${l}`)),
      ...(s.more > 0 ? [`  … and ${s.more} more`] : []),
      '',
    ]),
    `The full review, with CSV export: ${f.link}`,
  ].join('\n');
  const html = [
    `<h2>${escapeHtml(`${name} promise review for ${ws}`)}</h2>`,
    `<p>${escapeHtml(span)}</p>`,
    `<p>${f.headline.map(escapeHtml).join('<br>')}</p>`,
    ...f.sections.flatMap((s) => [
      `<h3>${escapeHtml(s.heading)}</h3>`,
      s.lines.length === 0
        ? `<p>${escapeHtml(s.empty)}</p>`
        : `<ul>${s.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
      ...(s.more > 0 ? [`<p>… and ${s.more} more</p>`] : []),
    ]),
    `<p>The full review, with CSV export: <code>${escapeHtml(f.link)}</code></p>`,
  ].join('\n');
  return {
    content: { title, text, html },
    data: { kind: `review.${f.kind}`, period: f.periodKey, from: f.firstDay, to: f.lastDay, zone: f.zone },
  };
}

const num = (v: unknown) => Number(v ?? 0);
const pctOf = (v: unknown) => pct(v === null || v === undefined ? null : Number(v));

/** The facts of a weekly or monthly review email, from the review (see src/measures/reviews.ts). */
export function reviewDigestFacts(
  review: Review,
  o: { kind: ReviewKind; workspaceName: string; link: string },
): ReviewDigestFacts {
  const s = review.sections;
  const rows = (name: string) => s[name]?.rows ?? [];
  const common = {
    kind: o.kind,
    workspaceName: o.workspaceName,
    zone: review.zone,
    periodKey: review.period,
    firstDay: review.from,
    lastDay: review.to,
    link: o.link,
  };
  const rate = (r: MeasureRow) =>
    `${pctOf(r.percent)} (${num(r.numerator)} of ${num(r.denominator)} kept on time)`;
  if (o.kind === 'weekly') {
    const byType = rows('fulfilment').filter((r) => num(r.denominator) > 0 || num(r.paused) > 0);
    const totals = byType.reduce<{ k: number; d: number }>(
      (t, r) => ({ k: t.k + num(r.numerator), d: t.d + num(r.denominator) }),
      { k: 0, d: 0 },
    );
    const week = totals.d === 0 ? 'no data' : `${Math.round((totals.k / totals.d) * 10_000) / 100}%`;
    return {
      ...common,
      headline: [`Fulfilment this week: ${week} (${totals.k} of ${totals.d} due kept on time)`],
      sections: [
        section(
          'Fulfilment by promise type',
          byType,
          (r) => `${String(r.label)}: ${rate(r)}`,
          'nothing was due',
        ),
        section(
          'Recurring delay patterns (misses per week, oldest first)',
          rows('patterns'),
          (r) =>
            `${r.dimension === 'owner' ? 'Owner' : 'Type'} ${String(r.label)}: ${[
              r.misses3WeeksBefore,
              r.misses2WeeksBefore,
              r.missesWeekBefore,
              r.missesThisWeek,
            ]
              .map(num)
              .join(
                ', ',
              )} (${[r.recurring ? 'recurring' : '', r.growing ? 'growing' : ''].filter(Boolean).join(', ')})`,
          'none',
        ),
        section(
          'Open workload per owner (now)',
          rows('workload').filter((r) => num(r.open) > 0),
          (r) =>
            `${String(r.ownerName)}: ${num(r.open)} open, ${num(r.overdue)} overdue, ${num(r.dueWithin48h)} due within 48 hours`,
          'no open promises',
        ),
      ],
    };
  }
  const sat = rows('satisfaction')[0] ?? {};
  const f = rows('fulfilment')[0] ?? {};
  return {
    ...common,
    headline: [
      `Fulfilment: ${rate(f)}`,
      `CSAT: ${pctOf(sat.csatPercent)} (${num(sat.csatSatisfied)} of ${num(sat.csatResponses)} responses 4–5)`,
      `NPS: ${sat.nps === null || sat.nps === undefined ? 'no data' : String(sat.nps)} (${num(sat.npsRespondents)} respondents)`,
    ],
    sections: [
      section(
        'Workload per owner',
        rows('workload').filter((r) => num(r.due) > 0 || num(r.openNow) > 0),
        (r) =>
          `${String(r.ownerName)}: due ${num(r.due)}, kept ${num(r.kept)} (${num(r.keptLate)} late), broken ${num(r.broken)}, open past due ${num(r.openPastDue)}; open now ${num(r.openNow)}`,
        'nothing due, nothing open',
      ),
    ],
  };
}
