import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { businessMinutesBetween } from './business-time.js';
import {
  type Calendar,
  calendar24x7,
  calendarSchema,
  DEFAULT_CALENDAR_24X7,
  parseCalendar,
  parseTimeOfDay,
  weeklyMinutes,
} from './calendar.js';
import { importIcsHolidays } from './ics-holidays.js';
import { civilFromDays, daysFromCivil, isoWeekday, parseDate } from './zone.js';

const ISSUE_CAL = {
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
};

function problemsOf(input: unknown) {
  try {
    parseCalendar(input);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).problems;
  }
  throw new Error('expected the calendar to be refused');
}

describe('calendar JSON', () => {
  it("accepts the issue's shape and returns it unchanged apart from normalisation", () => {
    const cal = parseCalendar(ISSUE_CAL);
    expect(JSON.parse(JSON.stringify(cal))).toEqual(ISSUE_CAL);
    expect(weeklyMinutes(cal)).toBe(5 * 480);
  });

  it('normalises the zone name and the holiday list', () => {
    const cal = parseCalendar({
      ...ISSUE_CAL,
      tz: 'america/new_york',
      holidays: ['2026-12-25', '2026-01-01', '2026-12-25'],
    });
    expect(cal.tz).toBe('America/New_York');
    expect(cal.holidays).toEqual(['2026-01-01', '2026-12-25']);
  });

  it('defaults a missing holiday list to none', () => {
    expect(parseCalendar({ tz: 'UTC', week: ISSUE_CAL.week }).holidays).toEqual([]);
  });

  it('accepts lunch breaks, touching intervals, split shifts and 24:00', () => {
    const week = {
      ...ISSUE_CAL.week,
      mon: [
        ['08:00', '12:00'],
        ['13:00', '17:00'],
      ],
      tue: [
        ['06:00', '10:00'],
        ['10:00', '14:00'],
        ['18:00', '24:00'],
      ],
      wed: [['00:00', '24:00']],
    };
    const cal = parseCalendar({ ...ISSUE_CAL, week });
    expect(weeklyMinutes(cal)).toBe(480 + 840 + 1440 + 2 * 480);
  });

  it('returns a frozen calendar, so it cannot drift from what was validated', () => {
    const cal = parseCalendar(ISSUE_CAL);
    expect(Object.isFrozen(cal) && Object.isFrozen(cal.week) && Object.isFrozen(cal.week.mon[0])).toBe(true);
  });

  it('reports every problem at once, each naming its field', () => {
    const problems = problemsOf({
      tz: 'Mars/Base',
      week: {
        ...ISSUE_CAL.week,
        mon: [
          ['09:00', '17:00'],
          ['08:00', '10:00'],
        ],
        tue: [['09:00', '25:00']],
      },
      holidays: ['2026-12-25', '2026-02-30', 20261225],
    });
    expect(problems).toEqual([
      { field: 'tz', message: 'unknown time zone "Mars/Base"' },
      { field: 'week.mon[1]', message: 'intervals overlap or are out of order' },
      { field: 'week.tue[0][1]', message: '"25:00" is not a time' },
      { field: 'holidays[1]', message: '"2026-02-30" is not a date' },
      { field: 'holidays[2]', message: 'must be a date YYYY-MM-DD' },
    ]);
  });

  it.each([
    [
      { ...ISSUE_CAL, week: { ...ISSUE_CAL.week, mon: [['09:00']] } },
      'week.mon[0]',
      'must be a pair of times',
    ],
    [{ ...ISSUE_CAL, week: { ...ISSUE_CAL.week, mon: 'closed' } }, 'week.mon', 'must be a list of intervals'],
    [{ ...ISSUE_CAL, week: { ...ISSUE_CAL.week, fun: [] } }, 'week.fun', 'is not a known field'],
    [{ ...ISSUE_CAL, tz: 42 }, 'tz', 'must be an IANA time zone name'],
    [{ ...ISSUE_CAL, tz: '+05:30' }, 'tz', 'is a UTC offset, not a time zone'],
    [
      { ...ISSUE_CAL, week: { ...ISSUE_CAL.week, mon: [['9:00', '17:00']] } },
      'week.mon[0][0]',
      '"9:00" is not a time',
    ],
    [
      { ...ISSUE_CAL, week: { ...ISSUE_CAL.week, mon: [['09:00', '17:60']] } },
      'week.mon[0][1]',
      '"17:60" is not a time',
    ],
    [{ ...ISSUE_CAL, holidays: ['25/12/2026'] }, 'holidays[0]', '"25/12/2026" is not a date'],
    [[], '(root)', 'must be an object'],
  ])('refuses %j at %s', (input, field, message) => {
    const p = problemsOf(input);
    expect(p[0]!.field).toBe(field);
    expect(p[0]!.message).toContain(message);
  });

  it('prefixes field names when the calendar sits inside a larger document', () => {
    expect(() => parseCalendar({ ...ISSUE_CAL, tz: 'Nowhere/Land' }, 'calendar')).toThrow(
      'calendar.tz: unknown time zone "Nowhere/Land"',
    );
  });

  it('exposes the zod schema for other boundaries (HTTP) to reuse', () => {
    expect(calendarSchema.safeParse(ISSUE_CAL).success).toBe(true);
    expect(calendarSchema.safeParse({ ...ISSUE_CAL, tz: 'Mars/Base' }).success).toBe(false);
  });
});

describe('the default 24×7 calendar', () => {
  it('is open every minute of every day in UTC', () => {
    const cal: Calendar = DEFAULT_CALENDAR_24X7;
    expect(cal.tz).toBe('UTC');
    expect(weeklyMinutes(cal)).toBe(7 * 1440);
    expect(Object.isFrozen(cal)).toBe(true);
    expect(parseCalendar(cal)).toEqual(cal);
  });

  it('can be had in any zone', () => {
    expect(calendar24x7('Europe/Paris').tz).toBe('Europe/Paris');
    expect(
      businessMinutesBetween(
        calendar24x7('Europe/Paris'),
        new Date('2026-03-28T23:00:00Z'),
        new Date('2026-03-29T22:00:00Z'),
      ),
    ).toBe(23 * 60);
  });
});

describe('time and date helpers', () => {
  it('parses HH:MM from 00:00 to 24:00 only', () => {
    expect(parseTimeOfDay('00:00')).toBe(0);
    expect(parseTimeOfDay('23:59')).toBe(1439);
    expect(parseTimeOfDay('24:00')).toBe(1440);
    for (const bad of ['24:01', '25:00', '9:00', '09:60', '0900', ' 09:00', ''])
      expect(parseTimeOfDay(bad)).toBeNull();
  });

  it('converts dates both ways for every day of four centuries, leap days included', () => {
    for (let n = daysFromCivil(1900, 1, 1); n < daysFromCivil(2300, 1, 1); n += 1) {
      const { year, month, day } = civilFromDays(n);
      if (daysFromCivil(year, month, day) !== n) throw new Error(`round trip failed at ${n}`);
    }
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(isoWeekday(daysFromCivil(2026, 3, 9))).toBe(1); // a Monday
    expect(parseDate('2024-02-29')).not.toBeNull();
    expect(parseDate('2026-02-29')).toBeNull();
    expect(parseDate('2100-02-29')).toBeNull();
    expect(parseDate('2000-02-29')).not.toBeNull();
  });
});

const ics = (...events: string[][]) =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Promise Ledger//test//EN',
    ...events.flat(),
    'END:VCALENDAR',
  ].join('\r\n');
const vevent = (...lines: string[]) => [
  'BEGIN:VEVENT',
  `UID:${lines.join('|').length}@test`,
  ...lines,
  'END:VEVENT',
];

describe('iCalendar holiday import', () => {
  it('reads all-day events, multi-day ones up to (not including) DTEND', () => {
    const r = importIcsHolidays(
      ics(
        vevent('DTSTART;VALUE=DATE:20261225', 'SUMMARY:Christmas Day'),
        vevent('DTSTART;VALUE=DATE:20261228', 'DTEND;VALUE=DATE:20261231', 'SUMMARY:Winter\\, break'),
        vevent('DTSTART;VALUE=DATE:20260601', 'DURATION:P2D', 'SUMMARY:Two days'),
      ),
    );
    expect(r.holidays).toEqual([
      '2026-06-01',
      '2026-06-02',
      '2026-12-25',
      '2026-12-28',
      '2026-12-29',
      '2026-12-30',
    ]);
    expect(r.skipped).toEqual([]);
  });

  it('unfolds long lines and reads several calendars in one file', () => {
    const folded = [
      'BEGIN:VEVENT',
      'UID:x',
      'DTSTART;VALUE=DATE:2026',
      ' 0704',
      'SUMMARY:Independence',
      ' Day',
      'END:VEVENT',
    ];
    const r = importIcsHolidays(
      `${ics(folded)}\r\n${ics(vevent('DTSTART;VALUE=DATE:20260101', 'SUMMARY:New Year'))}`,
    );
    expect(r.holidays).toEqual(['2026-01-01', '2026-07-04']);
  });

  it('skips timed, cancelled and unexpanded recurring events, saying why', () => {
    const r = importIcsHolidays(
      ics(
        vevent('DTSTART:20260704T090000Z', 'DTEND:20260704T170000Z', 'SUMMARY:Picnic'),
        vevent('DTSTART;VALUE=DATE:20260501', 'STATUS:CANCELLED', 'SUMMARY:May Day'),
        vevent('DTSTART;VALUE=DATE:20260101', 'RRULE:FREQ=YEARLY', 'SUMMARY:New Year'),
      ),
    );
    expect(r.holidays).toEqual([]);
    expect(r.skipped.map((s) => [s.summary, s.reason.split(/[,;]/)[0]])).toEqual([
      ['Picnic', 'is a timed event'],
      ['May Day', 'is cancelled'],
      ['New Year', 'is recurring'],
    ]);
  });

  it('expands recurring events within a given range and keeps only dates in it', () => {
    const r = importIcsHolidays(
      ics(
        vevent('DTSTART;VALUE=DATE:20200101', 'RRULE:FREQ=YEARLY', 'SUMMARY:New Year'),
        vevent('DTSTART;VALUE=DATE:20250704', 'SUMMARY:Too early'),
      ),
      { from: '2026-01-01', to: '2028-12-31' },
    );
    expect(r.holidays).toEqual(['2026-01-01', '2027-01-01', '2028-01-01']);
  });

  it('gives holidays a calendar accepts', () => {
    const { holidays } = importIcsHolidays(ics(vevent('DTSTART;VALUE=DATE:20261225', 'SUMMARY:Christmas')));
    const cal = parseCalendar({ ...ISSUE_CAL, holidays });
    expect(
      businessMinutesBetween(
        cal,
        new Date('2026-12-25T00:00:00-05:00'),
        new Date('2026-12-26T00:00:00-05:00'),
      ),
    ).toBe(0);
  });

  it.each([
    ['hello', 'ics: is not a valid iCalendar file'],
    ['', 'ics: is empty'],
    ['BEGIN:VEVENT\r\nEND:VEVENT', 'ics: starts with VEVENT, not VCALENDAR'],
  ])('refuses %j', (text, message) => {
    expect(() => importIcsHolidays(text)).toThrow(message);
  });

  it('refuses a bad range', () => {
    expect(() => importIcsHolidays(ics(), { from: '2026-13-01' })).toThrow(
      'from: "2026-13-01" is not a date',
    );
    expect(() => importIcsHolidays(ics(), { from: '2026-02-01', to: '2026-01-01' })).toThrow(
      'to: is before from',
    );
  });
});
