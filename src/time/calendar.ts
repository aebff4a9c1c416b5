// Business calendars, pure: an IANA zone, weekly opening hours as local wall-clock intervals, and
// holidays as local dates. The JSON shape here is the one the API and the CLI accept and return.

import { z } from 'zod';
import { AppError, type FieldProblem } from '../errors.js';
import { canonicalZone, parseDate } from './zone.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A local opening interval `["HH:MM", "HH:MM"]`, start inclusive, end exclusive; "24:00" ends a day. */
export type Interval = readonly [string, string];

export interface Calendar {
  /** IANA zone, e.g. "America/New_York". */
  readonly tz: string;
  /** Opening intervals per weekday, sorted and non-overlapping; `[]` = closed all day. */
  readonly week: { readonly [day in Weekday]: readonly Interval[] };
  /** Local dates (`YYYY-MM-DD`) closed all day; a holiday closes every interval of that date. */
  readonly holidays: readonly string[];
}

const ALL_DAY: readonly Interval[] = [['00:00', '24:00']];

/** Open every minute of every day in UTC: the fallback when a workspace has configured nothing. */
export const DEFAULT_CALENDAR_24X7: Calendar = Object.freeze({
  tz: 'UTC',
  week: Object.freeze({
    mon: ALL_DAY,
    tue: ALL_DAY,
    wed: ALL_DAY,
    thu: ALL_DAY,
    fri: ALL_DAY,
    sat: ALL_DAY,
    sun: ALL_DAY,
  }),
  holidays: Object.freeze([]) as readonly string[],
});

/** A 24×7 calendar in the given zone (every minute counts; days are 23 or 25 hours on DST days). */
export const calendar24x7 = (tz: string): Calendar => ({ ...DEFAULT_CALENDAR_24X7, tz });

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes since local midnight of "HH:MM" (00:00-23:59, or "24:00" = 1440), else null. */
export function parseTimeOfDay(text: string): number | null {
  if (text === '24:00') return 1440;
  const m = TIME_RE.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

const tzSchema = z
  .string({ error: 'must be an IANA time zone name such as "America/New_York"' })
  .superRefine((tz, ctx) => {
    if (canonicalZone(tz) !== null) return;
    ctx.addIssue({
      code: 'custom',
      message: /^[+-]?\d/.test(tz)
        ? `"${tz}" is a UTC offset, not a time zone; an offset is right for one date only, so use an IANA name such as "America/New_York" (or "Etc/GMT+5" for a fixed offset)`
        : `unknown time zone "${tz}"`,
    });
  });

const intervalSchema = z.tuple([z.string(), z.string()], {
  error: 'must be a pair of times ["HH:MM", "HH:MM"]',
});

const daySchema = z
  .array(intervalSchema, {
    error: (issue) =>
      issue.input === undefined
        ? 'missing; list its opening intervals, or [] when closed all day'
        : 'must be a list of intervals ["HH:MM", "HH:MM"]',
  })
  .max(48, 'at most 48 intervals per day')
  .superRefine((intervals, ctx) => {
    let prevEnd = -1;
    intervals.forEach(([startText, endText], i) => {
      const start = parseTimeOfDay(startText);
      const end = parseTimeOfDay(endText);
      if (start === null)
        ctx.addIssue({ code: 'custom', path: [i, 0], message: `"${startText}" is not a time` });
      else if (start === 1440)
        ctx.addIssue({ code: 'custom', path: [i, 0], message: '"24:00" can only end an interval' });
      if (end === null) ctx.addIssue({ code: 'custom', path: [i, 1], message: `"${endText}" is not a time` });
      if (start === null || end === null || start === 1440) {
        prevEnd = Number.POSITIVE_INFINITY;
        return;
      }
      if (end <= start) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `ends at ${endText}, not after it starts at ${startText}; split an overnight shift at midnight, e.g. mon [["22:00","24:00"]] and tue [["00:00","06:00"]]`,
        });
        prevEnd = Number.POSITIVE_INFINITY;
        return;
      }
      // Touching intervals (12:00-13:00, 13:00-17:00) are fine; they simply meet.
      if (start < prevEnd) {
        ctx.addIssue({ code: 'custom', path: [i], message: 'intervals overlap or are out of order' });
      }
      prevEnd = Math.max(prevEnd, end);
    });
  });

const holidaySchema = z
  .string({ error: 'must be a date YYYY-MM-DD' })
  .refine((d) => parseDate(d) !== null, { error: (issue) => `"${String(issue.input)}" is not a date` });

export const calendarSchema = z
  .strictObject(
    {
      tz: tzSchema,
      week: z.strictObject(
        {
          mon: daySchema,
          tue: daySchema,
          wed: daySchema,
          thu: daySchema,
          fri: daySchema,
          sat: daySchema,
          sun: daySchema,
        },
        { error: 'must be an object with the keys mon, tue, wed, thu, fri, sat, sun' },
      ),
      holidays: z
        .array(holidaySchema, { error: 'must be a list of dates YYYY-MM-DD' })
        .max(100_000)
        .default([]),
    },
    { error: 'must be an object {"tz", "week", "holidays"}' },
  )
  .meta({
    description:
      'Business calendar: IANA zone, opening intervals per weekday as local "HH:MM" pairs (end exclusive, "24:00" ends a day, [] = closed), holidays as local dates.',
    example: {
      tz: 'America/New_York',
      week: {
        mon: [['09:00', '17:00']],
        tue: [['09:00', '17:00']],
        wed: [['09:00', '17:00']],
        thu: [['09:00', '17:00']],
        fri: [['09:00', '17:00']],
        sat: [],
        sun: [],
      },
      holidays: ['2026-12-25'],
    },
  });

/** Formats a zod path as the field names users see: `week.mon[1][0]`. */
export function fieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Turns zod issues into one AppError whose message names the first field. */
export function zodError(error: z.ZodError, prefix = ''): AppError {
  const problems: FieldProblem[] = error.issues.flatMap((issue) =>
    // A misspelt key is named itself ("holiday"), not the object that holds it.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          field: fieldPath([...issue.path, key], prefix),
          message: 'is not a known field',
        }))
      : [{ field: fieldPath(issue.path, prefix), message: issue.message }],
  );
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
  return new AppError('validation_failed', `${first.field}: ${first.message}${more}`, { problems });
}

/**
 * Validates untrusted calendar JSON and returns it normalised: canonical zone name, holidays sorted
 * and unique. Throws an AppError naming each bad field, e.g. `week.mon[1]: intervals overlap or are
 * out of order`. `prefix` names where the calendar sits in a larger document (`calendar`).
 */
export function parseCalendar(input: unknown, prefix = ''): Calendar {
  const parsed = calendarSchema.safeParse(input);
  if (!parsed.success) throw zodError(parsed.error, prefix);
  const c = parsed.data;
  // Frozen all the way down, so "validated once" stays true for the object's whole life.
  const week = Object.fromEntries(
    WEEKDAYS.map((d) => [d, Object.freeze(c.week[d].map((iv) => Object.freeze([iv[0], iv[1]] as const)))]),
  ) as Calendar['week'];
  const calendar: Calendar = Object.freeze({
    tz: canonicalZone(c.tz)!,
    week: Object.freeze(week),
    holidays: Object.freeze([...new Set(c.holidays)].sort()),
  });
  validated.add(calendar);
  return calendar;
}

// Calendars this module produced or vouched for, so the arithmetic need not validate them again.
const validated = new WeakSet<Calendar>([]);

/** Whether `calendar` came from parseCalendar (or is a built-in constant) and is unchanged since. */
export const isValidatedCalendar = (calendar: Calendar): boolean => validated.has(calendar);

/** Business minutes in a week without holidays or clock changes. */
export function weeklyMinutes(calendar: Calendar): number {
  let total = 0;
  for (const day of WEEKDAYS) {
    for (const [a, b] of calendar.week[day]) total += (parseTimeOfDay(b) ?? 0) - (parseTimeOfDay(a) ?? 0);
  }
  return total;
}
