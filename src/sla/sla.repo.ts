// SQL for calendars and SLA policies, and the per-request "SLA setup" of a workspace: every calendar
// (parsed once per version and reused, so the business-time week cache stays warm) and every policy.
import { and, eq, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Queryable } from '../db/connect.js';
import { calendars, slaPolicies } from '../db/schema.js';
import { type Calendar, calendar24x7, DEFAULT_CALENDAR_24X7, parseCalendar } from '../time/calendar.js';
import { canonicalZone } from '../time/zone.js';
import type { CheckpointAction, SlaPolicy } from './policy.js';

export type CalendarRow = typeof calendars.$inferSelect;
export type PolicyRow = typeof slaPolicies.$inferSelect;

export interface CalendarRecord {
  id: string;
  name: string;
  isDefault: boolean;
  version: number;
  calendar: Calendar;
  createdAt: Date;
  updatedAt: Date;
}

export interface SlaSetup {
  workspaceId: string;
  calendars: Map<string, CalendarRecord>;
  /** The workspace's default calendar (a 24×7 UTC stand-in if the row is missing). */
  defaultCalendar: CalendarRecord;
  policies: SlaPolicy[];
  policyById: Map<string, SlaPolicy>;
}

// Parsed calendars by workspace, id and version: parsing validates, and the business-time code caches
// compiled weeks per calendar object, so one object per calendar version is what makes it fast.
const parsed = new Map<string, Calendar>();
const PARSED_LIMIT = 2000;

export function calendarRecord(row: CalendarRow): CalendarRecord {
  const key = `${row.workspaceId}/${row.id}/${row.version}/${JSON.stringify(row.calendar)}`;
  let calendar = parsed.get(key);
  if (!calendar) {
    try {
      calendar = parseCalendar(row.calendar, 'calendar');
    } catch {
      // Only a row written around the API could fail (e.g. a zone this runtime does not know):
      // count every minute rather than fail every promise read.
      calendar = calendar24x7('UTC');
    }
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    parsed.set(key, calendar);
  }
  return {
    id: row.id,
    name: row.name,
    isDefault: row.isDefault,
    version: row.version,
    calendar,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function policyFromRow(r: PolicyRow): SlaPolicy {
  return {
    id: r.id,
    name: r.name,
    position: r.position,
    isFallback: r.isFallback,
    active: r.active,
    match: { typeKeys: r.matchTypeKeys, tiers: r.matchTiers, priorities: r.matchPriorities },
    calendarId: r.calendarId,
    target: { kind: r.targetKind, minutes: r.targetMinutes },
    checkpoints: r.checkpoints.map((c) => ({ percent: c.percent, action: c.action as CheckpointAction })),
    escalation:
      r.escalateTo === 'user' && r.escalationUserId
        ? { to: 'user', userId: r.escalationUserId }
        : { to: 'owner_manager' },
    remedySchedule: r.remedySchedule.map((s) => ({
      fromBusinessMinutesLate: s.fromBusinessMinutesLate,
      creditPercent: s.creditPercent,
    })),
    approvalLimitMinor: r.approvalLimitMinor,
    version: r.version,
    createdAt: r.createdAt,
  };
}

export async function listCalendarRows(q: Queryable, workspaceId: string): Promise<CalendarRow[]> {
  return q
    .select()
    .from(calendars)
    .where(eq(calendars.workspaceId, workspaceId))
    .orderBy(sql`${calendars.isDefault} desc`, calendars.name, calendars.id);
}

export async function findCalendarRow(
  q: Queryable,
  workspaceId: string,
  id: string,
  lock?: 'update' | 'share',
): Promise<CalendarRow | undefined> {
  const query = q
    .select()
    .from(calendars)
    .where(and(eq(calendars.workspaceId, workspaceId), eq(calendars.id, id)));
  const [row] = lock ? await query.for(lock) : await query;
  return row;
}

export async function listPolicyRows(q: Queryable, workspaceId: string): Promise<PolicyRow[]> {
  return q
    .select()
    .from(slaPolicies)
    .where(eq(slaPolicies.workspaceId, workspaceId))
    .orderBy(slaPolicies.position, slaPolicies.createdAt, slaPolicies.id);
}

export async function findPolicyRow(
  q: Queryable,
  workspaceId: string,
  id: string,
  lock?: 'update' | 'share',
): Promise<PolicyRow | undefined> {
  const query = q
    .select()
    .from(slaPolicies)
    .where(and(eq(slaPolicies.workspaceId, workspaceId), eq(slaPolicies.id, id)));
  const [row] = lock ? await query.for(lock) : await query;
  return row;
}

const ALWAYS_OPEN = {
  mon: [['00:00', '24:00']],
  tue: [['00:00', '24:00']],
  wed: [['00:00', '24:00']],
  thu: [['00:00', '24:00']],
  fri: [['00:00', '24:00']],
  sat: [['00:00', '24:00']],
  sun: [['00:00', '24:00']],
};

/** Inserts a workspace's default calendar: open 24×7 in its zone (UTC when the zone is unknown). */
export async function insertDefaultCalendar(
  q: Queryable,
  workspaceId: string,
  timeZone: string,
  now: Date,
): Promise<CalendarRow | undefined> {
  const [row] = await q
    .insert(calendars)
    .values({
      workspaceId,
      id: uuidv7(),
      name: 'Always open (24×7)',
      calendar: { tz: canonicalZone(timeZone) ?? 'UTC', week: ALWAYS_OPEN, holidays: [] },
      isDefault: true,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  return row;
}

// Only for a workspace whose default calendar row is missing (created around createWorkspace).
const STAND_IN_DEFAULT: CalendarRecord = {
  id: '00000000-0000-0000-0000-000000000000',
  name: 'Always open (24×7)',
  isDefault: true,
  version: 1,
  calendar: DEFAULT_CALENDAR_24X7,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

/** Every calendar and policy of a workspace: two queries, once per request. */
export async function loadSlaSetup(q: Queryable, workspaceId: string): Promise<SlaSetup> {
  const [calRows, policyRows] = await Promise.all([
    listCalendarRows(q, workspaceId),
    listPolicyRows(q, workspaceId),
  ]);
  const records = calRows.map(calendarRecord);
  const byId = new Map(records.map((c) => [c.id, c]));
  const defaultCalendar = records.find((c) => c.isDefault) ?? STAND_IN_DEFAULT;
  const policies = policyRows.map(policyFromRow);
  return {
    workspaceId,
    calendars: byId,
    defaultCalendar,
    policies,
    policyById: new Map(policies.map((p) => [p.id, p])),
  };
}
