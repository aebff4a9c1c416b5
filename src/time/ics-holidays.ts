// Holiday import from iCalendar (.ics) files, pure: all-day VEVENTs become local holiday dates.
// Parsing is ical.js's (RFC 5545, line folding, escaping, RRULE expansion); this file only maps
// events to dates.

import ICAL from 'ical.js';
import { invalid } from '../errors.js';
import { daysFromCivil, formatDate, parseDate } from './zone.js';

export interface IcsHolidayImport {
  /** Local dates `YYYY-MM-DD`, sorted and unique. */
  holidays: string[];
  /** Events that were not turned into holidays, and why. */
  skipped: Array<{ summary: string; reason: string }>;
}

export interface IcsImportOptions {
  /** Only dates in [from, to] (inclusive, `YYYY-MM-DD`); required to expand recurring events. */
  from?: string;
  to?: string;
}

const MAX_EVENT_DAYS = 366;
const MAX_OCCURRENCES = 1000;

type IcalTime = InstanceType<typeof ICAL.Time>;

const dayOf = (t: IcalTime) => daysFromCivil(t.year, t.month, t.day);

function rangeDay(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const d = parseDate(text);
  if (d === null) throw invalid(field, `"${text}" is not a date`);
  return d;
}

/**
 * Reads the all-day events (`DTSTART;VALUE=DATE`) of an iCalendar file as holidays. A multi-day
 * event covers DTSTART up to, not including, DTEND (RFC 5545). Timed events are skipped (a holiday
 * closes whole dates), as are cancelled ones, and recurring ones unless a range is given to expand
 * them in. Throws an AppError on `ics` when the text is not iCalendar.
 */
export function importIcsHolidays(ics: string, options: IcsImportOptions = {}): IcsHolidayImport {
  const from = rangeDay(options.from, 'from');
  const to = rangeDay(options.to, 'to');
  if (from !== undefined && to !== undefined && to < from) throw invalid('to', 'is before from');
  let parsed: unknown;
  try {
    parsed = ICAL.parse(ics);
  } catch (e) {
    throw invalid('ics', `is not a valid iCalendar file (${(e as Error).message})`);
  }
  // One component parses to ['vcalendar', …]; several concatenated ones to a list of those.
  const roots =
    (Array.isArray(parsed) && typeof parsed[0] === 'string' ? [parsed] : (parsed as unknown[])) ?? [];
  if (!Array.isArray(roots) || roots.length === 0) {
    throw invalid('ics', 'is empty; expected BEGIN:VCALENDAR … END:VCALENDAR');
  }
  const calendars = roots.map((jcal) => new ICAL.Component(jcal as unknown[]));
  for (const root of calendars) {
    if (root.name !== 'vcalendar')
      throw invalid('ics', `starts with ${root.name.toUpperCase()}, not VCALENDAR`);
  }

  const days = new Set<number>();
  const skipped: IcsHolidayImport['skipped'] = [];
  const inRange = (d: number) => (from === undefined || d >= from) && (to === undefined || d <= to);
  const addSpan = (first: number, lengthDays: number) => {
    for (let d = first; d < first + Math.max(1, lengthDays); d++) if (inRange(d)) days.add(d);
  };

  for (const component of calendars.flatMap((root) => root.getAllSubcomponents('vevent'))) {
    const event = new ICAL.Event(component);
    const summary = event.summary ?? '(no summary)';
    const skip = (reason: string) => skipped.push({ summary, reason });
    const start = component.getFirstPropertyValue('dtstart') ? event.startDate : null;
    if (!start) {
      skip('has no DTSTART');
      continue;
    }
    if (String(component.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED') {
      skip('is cancelled');
      continue;
    }
    if (!start.isDate) {
      skip('is a timed event, not an all-day one (DTSTART;VALUE=DATE); a holiday closes whole dates');
      continue;
    }
    // ical.js derives the end from DTEND or DURATION, and a lone DATE start lasts one day.
    const length = dayOf(event.endDate) - dayOf(start);
    if (length > MAX_EVENT_DAYS) {
      skip(`lasts ${length} days; more than a year is not a holiday`);
      continue;
    }
    if (!event.isRecurring()) {
      addSpan(dayOf(start), length);
      continue;
    }
    if (to === undefined) {
      skip('is recurring; give a date range (to) to expand it');
      continue;
    }
    const occurrences = event.iterator();
    let count = 0;
    for (let next = occurrences.next(); next; next = occurrences.next()) {
      const d = dayOf(next);
      if (d > to) break;
      addSpan(d, length);
      if (++count >= MAX_OCCURRENCES) {
        skip(
          `recurs more than ${MAX_OCCURRENCES} times in the range; only the first ${MAX_OCCURRENCES} were used`,
        );
        break;
      }
    }
  }
  return { holidays: [...days].sort((a, b) => a - b).map(formatDate), skipped };
}
