// Renewal preparation (workflow 8): the "You asked, we did" report of one account — every promise
// kept in a period of local dates, with what the customer asked (the promise made and why they
// cared), what we did and the proof (the keep event), and when. Read-only; JSON or PDF.
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { Temporal } from 'temporal-polyfill';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { contacts, promiseEvents, promises, promiseTypes, users, workspaces } from '../db/schema.js';
import { invalid } from '../errors.js';
import { renderPdf } from '../measures/pdf.js';
import { epochDayInZone, startOfDay } from '../measures/period.js';
import { formatDate, formatInstant, parseDate } from '../time/zone.js';
import { requireAccount } from './read-accounts.js';

export interface RenewalPrepItem {
  promiseId: string;
  typeKey: string;
  typeLabel: string;
  /** What the customer asked: the promise as made, and why they cared. */
  promiseMade: string;
  customerReason: string;
  contactId: string | null;
  contactName: string | null;
  ownerId: string;
  ownerName: string;
  askedAt: string;
  dueAt: string;
  /** What we did: the keep event — when, by whom, and its proof. */
  keptAt: string;
  keptLate: boolean;
  keptById: string;
  keptByName: string;
  proof: { kind: string; note: string | null; url: string | null };
  recoveryStrength: string | null;
}

export interface RenewalPrepReport {
  account: {
    id: string;
    name: string;
    ownerId: string;
    renewalDate: string | null;
    lifecycleStage: string;
    temperature: string | null;
  };
  workspace: { name: string };
  zone: string;
  /** Local dates, both inclusive. */
  from: string;
  to: string;
  asOf: string;
  summary: { kept: number; keptOnTime: number; keptLate: number; confidenceRestored: number };
  items: RenewalPrepItem[];
}

/**
 * The period as local dates: both given, or defaults — `to` today, `from` one year before `to` —
 * so an empty query reads "the last 12 months".
 */
export function renewalPrepPeriod(
  q: { from?: string | undefined; to?: string | undefined },
  now: Date,
  zone: string,
): { from: string; to: string } {
  const day = (field: 'from' | 'to', s: string) => {
    const n = parseDate(s);
    if (n === null) throw invalid(field, `${s} is not a real date (YYYY-MM-DD, in the workspace zone)`);
    return n;
  };
  const to = q.to === undefined ? epochDayInZone(now, zone) : day('to', q.to);
  const from =
    q.from === undefined
      ? (parseDate(Temporal.PlainDate.from(formatDate(to)).subtract({ years: 1 }).toString()) as number)
      : day('from', q.from);
  if (from > to) throw invalid('to', `must not be before from (${formatDate(from)})`);
  return { from: formatDate(from), to: formatDate(to) };
}

export async function renewalPrep(
  ctx: AppContext,
  {
    principal,
    accountId,
    from: fromIn,
    to: toIn,
  }: { principal: Principal; accountId: string; from?: string | undefined; to?: string | undefined },
): Promise<RenewalPrepReport> {
  const db = ctx.database.db;
  const ws = principal.workspaceId;
  const account = await requireAccount(db, principal, accountId);
  const [workspace] = await db
    .select({ name: workspaces.name, zone: workspaces.timeZone })
    .from(workspaces)
    .where(eq(workspaces.id, ws));
  const zone = workspace?.zone ?? 'UTC';
  const now = ctx.now();
  const { from, to } = renewalPrepPeriod({ from: fromIn, to: toIn }, now, zone);
  const start = startOfDay(parseDate(from) as number, zone);
  const end = startOfDay((parseDate(to) as number) + 1, zone);

  const owner = alias(users, 'owner');
  const keeper = alias(users, 'keeper');
  const rows = await db
    .select({
      p: promises,
      typeLabel: promiseTypes.label,
      contactName: contacts.name,
      ownerName: owner.name,
      keptAt: promiseEvents.occurredAt,
      keptById: promiseEvents.actorId,
      keptByName: keeper.name,
      payload: promiseEvents.payload,
    })
    .from(promises)
    .innerJoin(
      promiseEvents,
      and(
        eq(promiseEvents.workspaceId, promises.workspaceId),
        eq(promiseEvents.promiseId, promises.id),
        eq(promiseEvents.type, 'kept'),
      ),
    )
    .leftJoin(
      promiseTypes,
      and(eq(promiseTypes.workspaceId, promises.workspaceId), eq(promiseTypes.key, promises.typeKey)),
    )
    .leftJoin(
      contacts,
      and(eq(contacts.workspaceId, promises.workspaceId), eq(contacts.id, promises.contactId)),
    )
    .leftJoin(owner, and(eq(owner.workspaceId, promises.workspaceId), eq(owner.id, promises.ownerId)))
    .leftJoin(keeper, and(eq(keeper.workspaceId, promises.workspaceId), eq(keeper.id, promiseEvents.actorId)))
    .where(
      and(
        eq(promises.workspaceId, ws),
        eq(promises.accountId, account.id),
        eq(promises.status, 'kept'),
        gte(promiseEvents.occurredAt, start),
        lt(promiseEvents.occurredAt, end),
      ),
    )
    .orderBy(asc(promiseEvents.occurredAt), asc(sql`${promises.id}`));

  const items: RenewalPrepItem[] = rows.map((r) => {
    // The keep event is the record of what was done; the projection mirrors it.
    const payload = (r.payload ?? {}) as {
      proof?: { kind?: string; note?: string | null; url?: string | null };
      recoveryStrength?: string | null;
      late?: boolean;
    };
    return {
      promiseId: r.p.id,
      typeKey: r.p.typeKey,
      typeLabel: r.typeLabel ?? r.p.typeKey,
      promiseMade: r.p.promiseMade,
      customerReason: r.p.customerReason,
      contactId: r.p.contactId,
      contactName: r.contactName,
      ownerId: r.p.ownerId,
      ownerName: r.ownerName ?? 'Unknown user',
      askedAt: r.p.createdAt.toISOString(),
      dueAt: r.p.dueAt.toISOString(),
      keptAt: r.keptAt.toISOString(),
      keptLate: payload.late ?? r.p.keptLate ?? false,
      keptById: r.keptById,
      keptByName: r.keptByName ?? 'Unknown user',
      proof: {
        kind: payload.proof?.kind ?? r.p.proofKind ?? 'other',
        note: payload.proof?.note ?? r.p.proofNote,
        url: payload.proof?.url ?? r.p.proofUrl,
      },
      recoveryStrength: payload.recoveryStrength ?? r.p.recoveryStrength,
    };
  });

  return {
    account: {
      id: account.id,
      name: account.name,
      ownerId: account.ownerId,
      renewalDate: account.renewalDate,
      lifecycleStage: account.lifecycleStage,
      temperature: account.temperature,
    },
    workspace: { name: workspace?.name ?? '' },
    zone,
    from,
    to,
    asOf: now.toISOString(),
    summary: {
      kept: items.length,
      keptOnTime: items.filter((i) => !i.keptLate).length,
      keptLate: items.filter((i) => i.keptLate).length,
      confidenceRestored: items.filter((i) => i.recoveryStrength === 'confidence_restored').length,
    },
    items,
  };
}

const words = (v: string) => v.charAt(0).toUpperCase() + v.slice(1).replaceAll('_', ' ');
/** A local date and time in the zone, to the minute: "2026-09-10 11:00". */
const localMinute = (iso: string, zone: string) =>
  formatInstant(new Date(iso), zone).slice(0, 16).replace('T', ' ');

export function renewalPrepPdf(r: RenewalPrepReport, opts: { compress?: boolean } = {}): Promise<Buffer> {
  const s = r.summary;
  return renderPdf({
    title: `You asked, we did: ${r.account.name}`,
    subtitle: [
      `Workspace: ${r.workspace.name}`,
      `Promises kept from ${r.from} to ${r.to} (time zone ${r.zone})`,
      ...(r.account.renewalDate ? [`Renewal date: ${r.account.renewalDate}`] : []),
      s.kept === 0
        ? 'No promise to this customer was kept in this period.'
        : `${s.kept} promise${s.kept === 1 ? '' : 's'} kept, ${s.keptOnTime} on time` +
          (s.confidenceRestored > 0 ? `, ${s.confidenceRestored} restoring the customer's confidence.` : '.'),
    ],
    tables:
      r.items.length === 0
        ? []
        : [
            {
              heading: 'You asked, we did',
              columns: [
                { label: 'You asked', width: 3 },
                { label: 'Why it mattered', width: 2.4 },
                { label: 'What we did', width: 3 },
                { label: 'When', width: 1.6 },
                { label: 'Proof', width: 1.8 },
              ],
              rows: r.items.map((i) => [
                `${i.promiseMade}${i.contactName ? `\n(${i.contactName}, ${localMinute(i.askedAt, r.zone).slice(0, 10)})` : `\n(asked ${localMinute(i.askedAt, r.zone).slice(0, 10)})`}`,
                i.customerReason,
                `${i.proof.note ?? words(i.proof.kind)}\n(${i.keptByName})`,
                `${localMinute(i.keptAt, r.zone)}\n${i.keptLate ? 'after the due date' : 'on time'}`,
                [words(i.proof.kind), i.proof.url].filter(Boolean).join('\n'),
              ]),
            },
          ],
    notes: {
      heading: 'About this report',
      paragraphs: [
        'Each line is a promise made to this customer and closed as kept in the period, with the proof recorded when it was kept. Every change to a promise is kept in a tamper-evident ledger.',
      ],
    },
    generatedAt: new Date(r.asOf),
    generatedAtText: `Generated at ${formatInstant(new Date(r.asOf), r.zone)} (${r.zone}) by Promise Ledger.`,
    ...(opts.compress === undefined ? {} : { compress: opts.compress }),
  });
}
