// Business calendars of a workspace: list, read, create, update (name, hours, holidays, default),
// and .ics holiday import. A change to a calendar's hours or holidays recomputes, in the same
// transaction, every open promise of every policy on it (recompute-sla.ts).
import { and, eq, sql } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import type { Tx } from '../db/connect.js';
import { calendars, slaPolicies } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { type Calendar, parseCalendar } from '../time/calendar.js';
import { type IcsHolidayImport, importIcsHolidays } from '../time/ics-holidays.js';
import { isUuid } from '../workspaces/workspaces.repo.js';
import { type RecomputeResult, recomputeSla } from './recompute-sla.js';
import { type CalendarRow, findCalendarRow, listCalendarRows } from './sla.repo.js';

export async function listCalendars(ctx: AppContext, { principal }: { principal: Principal }) {
  return listCalendarRows(ctx.database.db, principal.workspaceId);
}

export async function getCalendar(
  ctx: AppContext,
  { principal, calendarId }: { principal: Principal; calendarId: string },
): Promise<CalendarRow> {
  const row = isUuid(calendarId)
    ? await findCalendarRow(ctx.database.db, principal.workspaceId, calendarId)
    : undefined;
  if (!row) throw notFound(`calendar ${calendarId}`, 'calendarId');
  return row;
}

/** The calendar JSON as stored and returned: the normalised form parseCalendar gives. */
const toJson = (c: Calendar) => JSON.parse(JSON.stringify(c)) as Record<string, unknown>;

export async function createCalendar(
  ctx: AppContext,
  { principal, name, calendar }: { principal: Principal; name: string; calendar: unknown },
): Promise<CalendarRow> {
  const parsed = parseCalendar(calendar, 'calendar');
  const now = ctx.now();
  const [row] = await ctx.database.db
    .insert(calendars)
    .values({
      workspaceId: principal.workspaceId,
      id: uuidv7(),
      name,
      calendar: toJson(parsed),
      isDefault: false,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row!;
}

export interface CalendarChanges {
  name?: string | undefined;
  calendar?: unknown;
  /** true makes this the workspace's default calendar (the previous default stops being it). */
  isDefault?: true | undefined;
}

async function applyCalendarChange(
  ctx: AppContext,
  tx: Tx,
  principal: Principal,
  calendarId: string,
  changes: { name?: string | undefined; calendar?: Calendar | undefined; isDefault?: true | undefined },
  reason: string,
): Promise<{ calendar: CalendarRow; recomputed: RecomputeResult }> {
  const ws = principal.workspaceId;
  const current = isUuid(calendarId) ? await findCalendarRow(tx, ws, calendarId, 'update') : undefined;
  if (!current) throw notFound(`calendar ${calendarId}`, 'calendarId');
  const now = ctx.now();
  const hoursChanged =
    changes.calendar !== undefined &&
    JSON.stringify(toJson(changes.calendar)) !== JSON.stringify(current.calendar);
  if (changes.calendar && hoursChanged && Object.values(changes.calendar.week).every((d) => d.length === 0)) {
    const [used] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(slaPolicies)
      .where(
        and(
          eq(slaPolicies.workspaceId, ws),
          eq(slaPolicies.calendarId, calendarId),
          eq(slaPolicies.targetKind, 'business'),
        ),
      );
    if ((used?.n ?? 0) > 0) {
      throw new AppError(
        'validation_failed',
        `calendar.week: has no opening hours, but ${used!.n} SLA polic${used!.n === 1 ? 'y counts' : 'ies count'} business time on it`,
        { field: 'calendar.week' },
      );
    }
  }
  if (changes.isDefault && !current.isDefault) {
    await tx
      .update(calendars)
      .set({ isDefault: false, updatedAt: now })
      .where(and(eq(calendars.workspaceId, ws), eq(calendars.isDefault, true)));
  }
  const [row] = await tx
    .update(calendars)
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(hoursChanged ? { calendar: toJson(changes.calendar!) } : {}),
      ...(changes.isDefault ? { isDefault: true } : {}),
      version: current.version + 1,
      updatedAt: now,
    })
    .where(and(eq(calendars.workspaceId, ws), eq(calendars.id, calendarId)))
    .returning();
  const recomputed = hoursChanged
    ? await recomputeSla(tx, {
        workspaceId: ws,
        scope: { calendarId },
        actorId: principal.userId,
        now,
        reason,
      })
    : { promises: 0, events: 0 };
  return { calendar: row!, recomputed };
}

export async function updateCalendar(
  ctx: AppContext,
  { principal, calendarId, changes }: { principal: Principal; calendarId: string; changes: CalendarChanges },
): Promise<{ calendar: CalendarRow; recomputed: RecomputeResult }> {
  const calendar = changes.calendar === undefined ? undefined : parseCalendar(changes.calendar, 'calendar');
  return ctx.database.db.transaction((tx) =>
    applyCalendarChange(
      ctx,
      tx,
      principal,
      calendarId,
      { name: changes.name, calendar, isDefault: changes.isDefault },
      'calendar_updated',
    ),
  );
}

/**
 * Adds the all-day events of an iCalendar file to a calendar's holidays (or replaces them), then
 * recomputes its promises like any other edit.
 */
export async function importCalendarHolidays(
  ctx: AppContext,
  {
    principal,
    calendarId,
    ics,
    from,
    to,
    replace = false,
  }: {
    principal: Principal;
    calendarId: string;
    ics: string;
    from?: string | undefined;
    to?: string | undefined;
    replace?: boolean | undefined;
  },
): Promise<{
  calendar: CalendarRow;
  recomputed: RecomputeResult;
  import: IcsHolidayImport;
  added: string[];
}> {
  const imported = importIcsHolidays(ics, {
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  });
  return ctx.database.db.transaction(async (tx) => {
    const current = isUuid(calendarId)
      ? await findCalendarRow(tx, principal.workspaceId, calendarId, 'update')
      : undefined;
    if (!current) throw notFound(`calendar ${calendarId}`, 'calendarId');
    const before = parseCalendar(current.calendar, 'calendar');
    const holidays = replace ? imported.holidays : [...before.holidays, ...imported.holidays];
    const next = parseCalendar({ ...toJson(before), holidays }, 'calendar');
    const had = new Set(before.holidays);
    const result = await applyCalendarChange(
      ctx,
      tx,
      principal,
      calendarId,
      { calendar: next },
      'holidays_imported',
    );
    return { ...result, import: imported, added: next.holidays.filter((h) => !had.has(h)) };
  });
}
