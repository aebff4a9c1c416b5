// What a reminder says, pure: title, plain text and HTML (every interpolated value escaped), and the
// `data` object outbound webhook subscribers receive. Instants are shown in the workspace's zone.
import type { MessageContent, ReminderKind } from '../notifications/contract.js';
import { formatInstant } from '../time/zone.js';

/** What a promise reminder is about. */
export interface PromiseMessageFacts {
  promiseId: string;
  promiseMade: string;
  customerReason: string;
  accountId: string;
  accountName: string;
  contactName: string | null;
  ownerId: string;
  ownerName: string | null;
  /** The promise's due instant net of pauses. */
  dueAt: Date;
}

/** What an account reminder is about. */
export interface AccountMessageFacts {
  accountId: string;
  accountName: string;
  ownerId: string;
  renewalDate: string | null;
  lastActivityAt: Date | null;
  inactivityDays: number;
}

/** A failed payment, as the billing signal recorded it. */
export interface PaymentFacts {
  signalId: string;
  accountId: string;
  accountName: string;
  amountMinor: number | null;
  currency: string | null;
  reference: string | null;
  occurredAt: Date;
}

export interface Rendered {
  content: MessageContent;
  data: Record<string, unknown>;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);

/** One line (titles): control characters and newlines become spaces, long text is cut. */
const oneLine = (s: string, max = 120): string => {
  const flat = [...s]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

const when = (d: Date, tz: string) => `${formatInstant(d, tz).replace('T', ' ')} (${tz})`;

const DURATION_UNITS: [number, string][] = [
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
];
/** "3 days", "1 hour", "less than a minute". */
export function humanDuration(ms: number): string {
  const abs = Math.abs(ms);
  for (const [unit, name] of DURATION_UNITS) {
    if (abs >= unit) {
      const n = Math.floor(abs / unit);
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return 'less than a minute';
}

interface Body {
  title: string;
  /** Lines of [label, value]; the value is plain text (escaped for HTML here). */
  rows: [string, string][];
  action: string;
}

function render(b: Body): MessageContent {
  const text = [
    b.title,
    '',
    ...b.rows.map(([label, value]) => `${label}: ${value}`),
    '',
    `What to do: ${b.action}`,
  ].join('\n');
  const html = [
    `<h2>${escapeHtml(b.title)}</h2>`,
    '<table>',
    ...b.rows.map(
      ([label, value]) =>
        `<tr><th align="left" valign="top">${escapeHtml(label)}</th><td>${escapeHtml(value).replace(/\n/g, '<br>')}</td></tr>`,
    ),
    '</table>',
    `<p><strong>What to do:</strong> ${escapeHtml(b.action)}</p>`,
  ].join('\n');
  return { title: b.title, text, html };
}

const PROMISE_ACTIONS: Partial<Record<ReminderKind, string>> = {
  checkpoint_internal_check_in:
    'Check in internally: is this on track? If the date is at risk, renegotiate it with the customer now.',
  checkpoint_customer_update_required:
    'Send the customer an update before they have to chase you: where it stands and when it will be done.',
  due: 'It is due now: deliver it and mark the promise kept with proof, or renegotiate the date with the customer.',
  overdue:
    'It is overdue: escalate. Tell the customer what happened and the new date, and renegotiate or close the promise.',
};

export interface PromiseReminderContext {
  kind: ReminderKind;
  /** The instant the reminder was scheduled for. */
  reminderAt: Date;
  /** Checkpoint percent, or the overdue day (1 = first escalation). */
  detail?: { percent?: number; overdueDay?: number } | undefined;
  timeZone: string;
}

/** The message of a promise reminder (checkpoints, due, overdue). */
export function promiseMessage(p: PromiseMessageFacts, r: PromiseReminderContext): Rendered {
  const to = p.contactName ? `${p.contactName} at ${p.accountName}` : p.accountName;
  const what = oneLine(p.promiseMade, 80);
  let headline: string;
  switch (r.kind) {
    case 'checkpoint_internal_check_in':
      headline = `Check-in${r.detail?.percent ? ` (${r.detail.percent}% of the time used)` : ''}`;
      break;
    case 'checkpoint_customer_update_required':
      headline = `Customer update required${r.detail?.percent ? ` (${r.detail.percent}% of the time used)` : ''}`;
      break;
    case 'due':
      headline = 'Due now';
      break;
    case 'overdue':
      headline = `Overdue by ${humanDuration(r.reminderAt.getTime() - p.dueAt.getTime())}`;
      break;
    default:
      headline = 'Reminder';
  }
  const title = oneLine(`${headline}: ${what} — ${oneLine(to, 60)}`, 160);
  const rows: [string, string][] = [
    ['Promised', p.promiseMade],
    ['To', to],
    ['Why the customer cares', p.customerReason],
    ['Due', when(p.dueAt, r.timeZone)],
  ];
  if (p.ownerName) rows.push(['Owner', p.ownerName]);
  const content = render({ title, rows, action: PROMISE_ACTIONS[r.kind] ?? 'Review the promise.' });
  return {
    content,
    data: {
      kind: r.kind,
      subjectType: 'promise',
      promiseId: p.promiseId,
      accountId: p.accountId,
      ownerId: p.ownerId,
      reminderAt: r.reminderAt.toISOString(),
      dueAt: p.dueAt.toISOString(),
      ...(r.detail?.percent !== undefined ? { checkpointPercent: r.detail.percent } : {}),
      ...(r.detail?.overdueDay !== undefined ? { overdueDay: r.detail.overdueDay } : {}),
      promise: {
        promiseMade: p.promiseMade,
        customerReason: p.customerReason,
        account: p.accountName,
        contact: p.contactName,
      },
    },
  };
}

/** The message of an account reminder (renewal preparation, inactivity). */
export function accountMessage(
  a: AccountMessageFacts,
  r: { kind: 'renewal_prep' | 'inactivity'; reminderAt: Date; timeZone: string },
): Rendered {
  const name = oneLine(a.accountName, 80);
  let title: string;
  let rows: [string, string][];
  let action: string;
  if (r.kind === 'renewal_prep') {
    title = `Renewal coming up: ${name} renews on ${a.renewalDate}`;
    rows = [
      ['Account', a.accountName],
      ['Renewal date', a.renewalDate ?? 'unknown'],
    ];
    action =
      'Prepare the renewal: review open and broken promises, the account temperature and who signs, and plan the conversation.';
  } else {
    title = `No product activity at ${name} for ${a.inactivityDays} days`;
    rows = [
      ['Account', a.accountName],
      ['Last product activity', a.lastActivityAt ? when(a.lastActivityAt, r.timeZone) : 'none recorded'],
    ];
    action = 'Reach out: find out what is blocking them before the silence becomes a churn risk.';
  }
  return {
    content: render({ title, rows, action }),
    data: {
      kind: r.kind,
      subjectType: 'account',
      accountId: a.accountId,
      ownerId: a.ownerId,
      reminderAt: r.reminderAt.toISOString(),
      account: {
        name: a.accountName,
        renewalDate: a.renewalDate,
        lastActivityAt: a.lastActivityAt?.toISOString() ?? null,
      },
    },
  };
}

const formatAmount = (minor: number, currency: string): string => {
  try {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits;
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 10 ** (digits ?? 2));
  } catch {
    return `${minor} (minor units) ${currency}`;
  }
};

/** The message of a failed payment (a billing signal). */
export function paymentFailedMessage(p: PaymentFacts, timeZone: string): Rendered {
  const amount =
    p.amountMinor !== null && p.currency !== null ? formatAmount(p.amountMinor, p.currency) : null;
  const rows: [string, string][] = [
    ['Account', p.accountName],
    ['When', when(p.occurredAt, timeZone)],
  ];
  if (amount) rows.push(['Amount', amount]);
  if (p.reference) rows.push(['Reference', p.reference]);
  return {
    content: render({
      title: `Payment failed: ${oneLine(p.accountName, 80)}${amount ? ` (${amount})` : ''}`,
      rows,
      action:
        'Contact the customer about the failed payment before dunning does: confirm the billing details and any open promises.',
    }),
    data: {
      kind: 'payment_failed',
      subjectType: 'signal',
      signalId: p.signalId,
      accountId: p.accountId,
      occurredAt: p.occurredAt.toISOString(),
      amountMinor: p.amountMinor,
      currency: p.currency,
      reference: p.reference,
    },
  };
}
