// Sending one claimed delivery on its channel: email over SMTP (nodemailer), a Slack-compatible
// incoming webhook, or a signed outbound webhook. Targets are read at send time by the worker
// (the user's address, their Slack URL, the subscription); here they are given. Every sender
// resolves to a verdict (success / retry / drop) with a reason, and never throws. Each takes the
// worker's AbortSignal: a send abandoned at its deadline closes its connection.
import nodemailer, { type Transporter } from 'nodemailer';
import type { DeliveryRow } from './outbox.js';
import type { Verdict } from './rules.js';
import { safePost } from './safe-fetch.js';
import { webhookBody, webhookHeaders } from './signing.js';

export interface SendResult {
  verdict: Verdict;
  httpStatus: number | null;
  error: string | null;
}

/** How to reach the outside world; tests and the bench pass their own. */
export interface Transports {
  /** smtp:// URL (config SMTP_URL). Without it (and without `mailer`) email deliveries retry. */
  smtpUrl?: string | undefined;
  /** The From header (config PL_MAIL_FROM). */
  mailFrom?: string;
  /** A nodemailer transporter to use instead of one built from smtpUrl. */
  mailer?: Transporter;
  /** Per-phase SMTP timeout (connection, greeting, socket idle). Default 10 s. */
  smtpTimeoutMs?: number;
  /** Per-hop HTTP deadline. Default 10 s. */
  httpTimeoutMs?: number;
}

export const DEFAULT_MAIL_FROM = 'Promise Ledger <no-reply@localhost>';
const SMTP_TIMEOUT_MS = 10_000;

// A deliberately plain check: one @, no spaces or header-breaking characters, a dotted domain.
// What it lets through, the SMTP server judges (a 5xx to RCPT TO drops the delivery).
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/;

export function isDeliverableEmail(address: string): boolean {
  return address.length <= 254 && EMAIL.test(address);
}

/** One transporter per SMTP URL, not pooled: a hung connection holds up only its own message. */
export function mailerFor(t: Transports): Transporter | undefined {
  if (t.mailer) return t.mailer;
  if (!t.smtpUrl) return undefined;
  const timeout = t.smtpTimeoutMs ?? SMTP_TIMEOUT_MS;
  return nodemailer.createTransport({
    url: t.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    dnsTimeout: timeout,
  } as Parameters<typeof nodemailer.createTransport>[0]);
}

export async function sendEmail(
  d: DeliveryRow,
  to: { email: string; name: string },
  mailer: Transporter | undefined,
  from: string,
  signal?: AbortSignal,
): Promise<SendResult> {
  if (!isDeliverableEmail(to.email)) {
    return {
      verdict: 'drop',
      httpStatus: null,
      error: `invalid email address: ${JSON.stringify(to.email).slice(0, 300)}`,
    };
  }
  if (!mailer) return { verdict: 'retry', httpStatus: null, error: 'SMTP_URL is not configured' };
  try {
    await mailer.sendMail({
      from,
      to: { name: to.name, address: to.email },
      subject: d.content.title,
      text: d.content.text,
      html: d.content.html,
      // The same Message-ID on every attempt: a mail system that got it twice can tell.
      messageId: `<${d.id}@promise-ledger>`,
      headers: { 'X-Promise-Ledger-Delivery': d.id, 'X-Promise-Ledger-Event': d.eventType },
      // nodemailer's SMTP transport closes this message's connection when it aborts.
      signal,
    });
    return { verdict: 'success', httpStatus: null, error: null };
  } catch (err) {
    const e = err as Error & { code?: string; command?: string; responseCode?: number; response?: string };
    const why = `SMTP ${e.code ?? 'error'}${e.responseCode ? ` ${e.responseCode}` : ''}: ${e.response ?? e.message}`;
    // The server refusing this recipient for good (550 no such user, 553 bad address): retrying
    // cannot help. Every other refusal (greeting, MAIL FROM, 4xx, timeouts) may pass later.
    if (e.command === 'RCPT TO' && (e.responseCode ?? 0) >= 500) {
      return { verdict: 'drop', httpStatus: null, error: `recipient refused: ${why}` };
    }
    return { verdict: 'retry', httpStatus: null, error: why };
  }
}

function fromPost(r: Awaited<ReturnType<typeof safePost>>): SendResult {
  return { verdict: r.verdict, httpStatus: r.status, error: r.error };
}

export async function sendSlack(
  d: DeliveryRow,
  url: string | null,
  allowPrivate: boolean,
  t: Transports,
  signal?: AbortSignal,
): Promise<SendResult> {
  if (!url)
    return {
      verdict: 'drop',
      httpStatus: null,
      error: 'the user has no Slack webhook URL in their notification preferences',
    };
  const text = `*${d.content.title}*\n${d.content.text}`;
  const body = JSON.stringify({
    text,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } }],
  });
  return fromPost(
    await safePost(
      url,
      body,
      { 'content-type': 'application/json', 'user-agent': 'PromiseLedger/1' },
      {
        allowPrivate,
        signal,
        ...(t.httpTimeoutMs ? { timeoutMs: t.httpTimeoutMs } : {}),
      },
    ),
  );
}

export async function sendWebhook(
  d: DeliveryRow,
  sub: { url: string; secret: string },
  allowPrivate: boolean,
  now: Date,
  t: Transports,
  signal?: AbortSignal,
): Promise<SendResult> {
  const body = webhookBody(d);
  return fromPost(
    await safePost(sub.url, body, webhookHeaders(sub.secret, d.id, body, now), {
      allowPrivate,
      signal,
      ...(t.httpTimeoutMs ? { timeoutMs: t.httpTimeoutMs } : {}),
    }),
  );
}
