// Business-time arithmetic over HTTP (the API twin of `promise-ledger sla batch`): add minutes to an
// instant, or measure the minutes between two, on a stored calendar or one given inline.
import type { Principal } from '../auth/policy.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  formatInstant,
  type Pause,
} from '../time/business-time.js';
import { type Calendar, parseCalendar } from '../time/calendar.js';
import { isUuid } from '../workspaces/workspaces.repo.js';
import { calendarRecord, findCalendarRow } from './sla.repo.js';

export interface PreviewInput {
  op: 'add' | 'between';
  calendarId?: string | undefined;
  calendar?: unknown;
  start: Date;
  minutes?: number | undefined;
  end?: Date | undefined;
  pauses?: [Date, Date][] | undefined;
}

export async function previewBusinessTime(
  ctx: AppContext,
  { principal, input }: { principal: Principal; input: PreviewInput },
): Promise<{ result: string; minutes: number; tz: string }> {
  let calendar: Calendar;
  if (input.calendar !== undefined) {
    calendar = parseCalendar(input.calendar, 'calendar');
  } else {
    const row =
      input.calendarId && isUuid(input.calendarId)
        ? await findCalendarRow(ctx.database.db, principal.workspaceId, input.calendarId)
        : undefined;
    if (!row) {
      throw new AppError(
        'validation_failed',
        `calendarId: no calendar ${input.calendarId} in this workspace`,
        {
          field: 'calendarId',
        },
      );
    }
    calendar = calendarRecord(row).calendar;
  }
  const pauses: Pause[] = (input.pauses ?? []).map(([a, b]) => [a, b]);
  if (input.op === 'add') {
    if (input.minutes === undefined) {
      throw new AppError('validation_failed', 'minutes: is required for op "add"', { field: 'minutes' });
    }
    const t = addBusinessMinutes(calendar, input.start, input.minutes, pauses);
    return { result: formatInstant(t, calendar.tz), minutes: input.minutes, tz: calendar.tz };
  }
  if (input.end === undefined) {
    throw new AppError('validation_failed', 'end: is required for op "between"', { field: 'end' });
  }
  const minutes = businessMinutesBetween(calendar, input.start, input.end, pauses);
  return { result: formatInstant(input.end, calendar.tz), minutes, tz: calendar.tz };
}
