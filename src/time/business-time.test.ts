// Table tests: the issue's worked example, one group per time bug peers' users keep filing, and
// every "Bad input" case of the issue.

import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  formatInstant,
  isBusinessTime,
  type Pause,
  parseInstant,
} from './business-time.js';
import {
  type Calendar,
  calendar24x7,
  DEFAULT_CALENDAR_24X7,
  type Interval,
  parseCalendar,
} from './calendar.js';

const NINE_TO_FIVE: Interval[] = [['09:00', '17:00']];

function weekdays(tz: string, hours: Interval[], extra: Partial<Record<'sat' | 'sun', Interval[]>> = {}) {
  return parseCalendar({
    tz,
    week: {
      mon: hours,
      tue: hours,
      wed: hours,
      thu: hours,
      fri: hours,
      sat: extra.sat ?? [],
      sun: extra.sun ?? [],
    },
    holidays: ['2026-12-25'],
  });
}

const NY = weekdays('America/New_York', NINE_TO_FIVE);
const at = (iso: string) => parseInstant(iso, 'instant');
const add = (cal: Calendar, start: string, minutes: number, pauses: Pause[] = []) =>
  formatInstant(addBusinessMinutes(cal, at(start), minutes, pauses), cal.tz);
const between = (cal: Calendar, start: string, end: string, pauses: Pause[] = []) =>
  businessMinutesBetween(cal, at(start), at(end), pauses);
const pause = (a: string, b: string): Pause => [at(a), at(b)];

/** The AppError message thrown by `fn` (fails when nothing, or something else, is thrown). */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('validation_failed');
    return (e as AppError).message;
  }
  throw new Error('expected a validation error');
}

describe('the issue example', () => {
  it('adds 4 business hours from Friday 16:00 EST to Monday 12:00 EDT', () => {
    expect(add(NY, '2026-03-06T16:00:00-05:00', 240)).toBe('2026-03-09T12:00:00-04:00');
    expect(between(NY, '2026-03-06T16:00:00-05:00', '2026-03-09T12:00:00-04:00')).toBe(240);
  });

  it('counts a whole year with its holiday: 260 weekdays × 8 h', () => {
    expect(between(NY, '2026-01-01T00:00:00-05:00', '2027-01-01T00:00:00-05:00')).toBe(260 * 480);
  });
});

describe("peer bug: today's UTC offset used for another date", () => {
  it('opens at 09:00 local in winter and in summer', () => {
    expect(add(NY, '2026-01-05T08:00:00-05:00', 60)).toBe('2026-01-05T10:00:00-05:00');
    expect(add(NY, '2026-07-06T08:00:00-04:00', 60)).toBe('2026-07-06T10:00:00-04:00');
    // 12:00Z-14:00Z on a July Monday is 08:00-10:00 EDT: one business hour, not two.
    expect(between(NY, '2026-07-06T12:00:00Z', '2026-07-06T14:00:00Z')).toBe(60);
    expect(between(NY, '2026-01-05T12:00:00Z', '2026-01-05T14:00:00Z')).toBe(0 + 0 + 0);
  });

  it("formats each instant with its own date's offset", () => {
    expect(formatInstant(at('2026-01-15T12:00:00Z'), 'America/New_York')).toBe('2026-01-15T07:00:00-05:00');
    expect(formatInstant(at('2026-07-15T12:00:00Z'), 'America/New_York')).toBe('2026-07-15T08:00:00-04:00');
    expect(formatInstant(at('2017-01-15T12:00:00Z'), 'America/Sao_Paulo')).toBe('2017-01-15T10:00:00-02:00');
    expect(formatInstant(at('2026-01-15T12:00:00Z'), 'America/Sao_Paulo')).toBe('2026-01-15T09:00:00-03:00');
  });

  it("does not depend on the machine's own zone", () => {
    const before = process.env.TZ;
    const results = ['UTC', 'Asia/Tokyo', 'America/Los_Angeles'].map((tz) => {
      process.env.TZ = tz;
      return [
        add(NY, '2026-03-06T16:00:00-05:00', 240),
        between(NY, '2026-03-06T00:00Z', '2026-03-20T00:00Z'),
      ];
    });
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
  });

  it('refuses a UTC offset where a time zone is needed', () => {
    expect(errorOf(() => weekdays('-05:00', NINE_TO_FIVE))).toMatch(
      /^tz: "-05:00" is a UTC offset, not a time zone/,
    );
  });
});

describe("peer bug: naive date-times read in the viewer's zone", () => {
  it.each(['2026-03-09T09:00:00', '2026-03-09T09:00', '2026-03-09 09:00:00', '2026-03-09'])(
    'refuses %s, which has no offset',
    (text) => {
      expect(errorOf(() => parseInstant(text, 'start'))).toMatch(/^start: ".*" has no UTC offset/);
    },
  );

  it.each([
    ['2026-03-09T13:00:00Z', '2026-03-09T13:00:00.000Z'],
    ['2026-03-09T09:00:00-04:00', '2026-03-09T13:00:00.000Z'],
    ['2026-03-09T18:30:00+05:30', '2026-03-09T13:00:00.000Z'],
    ['2026-03-09T09:00:00-04:00[America/New_York]', '2026-03-09T13:00:00.000Z'],
    ['2026-03-09T13:00:00.250Z', '2026-03-09T13:00:00.250Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseInstant(text, 'start').toISOString()).toBe(iso);
  });

  it('refuses garbage and impossible instants, naming the field', () => {
    expect(errorOf(() => parseInstant('2026-02-30T09:00:00Z', 'end'))).toMatch(
      /^end: "2026-02-30T09:00:00Z" is not/,
    );
    expect(errorOf(() => parseInstant('yesterday 9am Z', 'end'))).toMatch(/^end: /);
    expect(errorOf(() => parseInstant(42, 'end'))).toMatch(/^end: must be an ISO 8601/);
  });
});

describe('peer bug: a "24/7" calendar closed for a minute at midnight', () => {
  const UTC247 = DEFAULT_CALENDAR_24X7;
  it('counts every minute around midnight and across the week boundary', () => {
    expect(between(UTC247, '2026-03-09T23:59:00Z', '2026-03-10T00:01:00Z')).toBe(2);
    expect(between(UTC247, '2026-03-08T23:59:30Z', '2026-03-09T00:00:30Z')).toBe(1); // Sunday → Monday
    expect(add(UTC247, '2026-03-09T23:59:30Z', 1)).toBe('2026-03-10T00:00:30+00:00');
    expect(isBusinessTime(UTC247, at('2026-03-10T00:00:00Z'))).toBe(true);
    expect(between(UTC247, '2026-03-02T00:00:00Z', '2026-03-09T00:00:00Z')).toBe(7 * 1440);
    expect(between(UTC247, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toBe(365 * 1440);
  });

  it('has 23- and 25-hour days where the clock changes', () => {
    const ny = calendar24x7('America/New_York');
    expect(between(ny, '2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00')).toBe(23 * 60);
    expect(between(ny, '2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00')).toBe(25 * 60);
    // São Paulo sprang forward at midnight (00:00 → 01:00): the day has no 00:00, and no gap.
    const sp = calendar24x7('America/Sao_Paulo');
    expect(between(sp, '2018-11-03T23:30:00-03:00', '2018-11-04T01:30:00-02:00')).toBe(60);
  });
});

describe('peer bug: overnight shifts rejected', () => {
  const night: Interval[] = [
    ['00:00', '06:00'],
    ['22:00', '24:00'],
  ];
  const NIGHTS = weekdays('Europe/Berlin', night, { sat: night, sun: night });

  it('runs a 22:00-06:00 shift through midnight as one span', () => {
    expect(add(NIGHTS, '2026-03-02T23:00:00+01:00', 120)).toBe('2026-03-03T01:00:00+01:00');
    expect(between(NIGHTS, '2026-03-02T22:00:00+01:00', '2026-03-03T06:00:00+01:00')).toBe(480);
    // Sunday night into Monday morning, across the week boundary.
    expect(between(NIGHTS, '2026-03-08T21:00:00+01:00', '2026-03-09T07:00:00+01:00')).toBe(480);
  });

  it('ends a deadline that lands on the shift end at 06:00, not at the next opening', () => {
    expect(add(NIGHTS, '2026-03-02T22:00:00+01:00', 480)).toBe('2026-03-03T06:00:00+01:00');
  });

  it('counts the repeated hour of a fall-back night in full', () => {
    // Berlin falls back 03:00 → 02:00 on 2026-10-25: the 22:00-06:00 shift is 9 real hours.
    expect(between(NIGHTS, '2026-10-24T22:00:00+02:00', '2026-10-25T06:00:00+01:00')).toBe(540);
  });

  it('explains how to write an overnight shift when given one as 22:00-06:00', () => {
    expect(errorOf(() => weekdays('Europe/Berlin', [['22:00', '06:00']]))).toMatch(
      /^week\.mon\[0\]: ends at 06:00, not after it starts at 22:00; split an overnight shift at midnight/,
    );
  });
});

describe('peer bug: paused time lost', () => {
  const mon = (t: string) => `2026-03-02T${t}:00-05:00`;

  it('extends the deadline by the paused business time', () => {
    expect(add(NY, mon('09:00'), 240, [pause(mon('10:00'), mon('12:00'))])).toBe('2026-03-02T15:00:00-05:00');
    expect(between(NY, mon('09:00'), mon('17:00'), [pause(mon('10:00'), mon('12:00'))])).toBe(360);
  });

  it('ignores pauses in closed time, counts overlapping pauses once', () => {
    expect(
      between(NY, mon('09:00'), mon('17:00'), [
        pause('2026-03-07T10:00:00-05:00', '2026-03-08T10:00:00-05:00'),
      ]),
    ).toBe(480);
    const overlapping = [pause(mon('10:00'), mon('12:00')), pause(mon('11:00'), mon('13:00'))];
    expect(between(NY, mon('09:00'), mon('17:00'), overlapping)).toBe(300);
    expect(add(NY, mon('09:00'), 300, overlapping)).toBe('2026-03-02T17:00:00-05:00');
  });

  it('handles a pause that straddles the start, touches it, or is empty', () => {
    expect(add(NY, mon('09:00'), 60, [pause(mon('08:00'), mon('10:00'))])).toBe('2026-03-02T11:00:00-05:00');
    expect(add(NY, mon('09:00'), 60, [pause(mon('08:00'), mon('09:00'))])).toBe('2026-03-02T10:00:00-05:00');
    expect(add(NY, mon('09:00'), 60, [pause(mon('09:30'), mon('09:30'))])).toBe('2026-03-02T10:00:00-05:00');
  });

  it('ends at the pause start when the business time runs out exactly there', () => {
    expect(add(NY, mon('09:00'), 60, [pause(mon('10:00'), mon('11:00'))])).toBe('2026-03-02T10:00:00-05:00');
  });

  it('keeps paused time across a pause spanning a weekend and a clock change', () => {
    const p = [pause('2026-03-06T15:00:00-05:00', '2026-03-09T10:00:00-04:00')];
    expect(add(NY, '2026-03-06T14:00:00-05:00', 120, p)).toBe('2026-03-09T11:00:00-04:00');
    expect(between(NY, '2026-03-06T14:00:00-05:00', '2026-03-09T11:00:00-04:00', p)).toBe(120);
  });
});

describe('peer bug: deadlines on wall-clock time across DST', () => {
  const ny247 = calendar24x7('America/New_York');

  it('adds 24 business hours of a 24×7 calendar as 24 real hours', () => {
    expect(add(ny247, '2026-03-07T12:00:00-05:00', 1440)).toBe('2026-03-08T13:00:00-04:00');
    expect(add(ny247, '2026-10-31T12:00:00-04:00', 1440)).toBe('2026-11-01T11:00:00-05:00');
  });

  it('keeps office hours on the wall clock after the change', () => {
    expect(add(NY, '2026-03-06T16:00:00-05:00', 61)).toBe('2026-03-09T09:01:00-04:00');
    expect(add(NY, '2026-10-30T16:00:00-04:00', 61)).toBe('2026-11-02T09:01:00-05:00');
  });

  it('opens an interval that starts in the spring-forward gap at the first instant after it', () => {
    const cal = weekdays('America/New_York', [], { sun: [['02:30', '04:00']] });
    expect(between(cal, '2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00')).toBe(60);
    expect(add(cal, '2026-03-08T00:00:00-05:00', 1)).toBe('2026-03-08T03:01:00-04:00');
  });

  it('counts a repeated hour inside an interval as the time that really passes', () => {
    const rep = weekdays('America/New_York', [], { sun: [['01:00', '02:00']] });
    expect(between(rep, '2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00')).toBe(120);
    // Opens at the first 01:30 (EDT) and closes at 05:00 EST: 4½ real hours.
    const late = weekdays('America/New_York', [], { sun: [['01:30', '05:00']] });
    expect(between(late, '2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00')).toBe(270);
    // An hour after opening at 01:30 EDT the wall clock reads 01:30 again (EST).
    expect(add(late, '2026-11-01T00:00:00-04:00', 60)).toBe('2026-11-01T01:30:00-05:00');
  });

  it("follows Lord Howe's 30-minute change and Apia's skipped day", () => {
    const lh = calendar24x7('Australia/Lord_Howe');
    expect(between(lh, '2026-04-05T00:00:00+11:00', '2026-04-06T00:00:00+10:30')).toBe(24 * 60 + 30);
    const apia = calendar24x7('Pacific/Apia');
    // 2011-12-30 did not happen in Samoa: Thursday the 29th was followed by Saturday the 31st.
    expect(between(apia, '2011-12-29T00:00:00-10:00', '2011-12-31T00:00:00+14:00')).toBe(1440);
    const apiaOffice = weekdays('Pacific/Apia', NINE_TO_FIVE);
    expect(add(apiaOffice, '2011-12-29T16:00:00-10:00', 120)).toBe('2012-01-02T10:00:00+14:00');
  });
});

describe('instants keep their seconds, minutes may be fractional', () => {
  it('carries seconds and milliseconds through', () => {
    expect(add(NY, '2026-03-02T09:00:30.250-05:00', 1)).toBe('2026-03-02T09:01:30.250-05:00');
    expect(add(NY, '2026-03-02T16:59:30-05:00', 1)).toBe('2026-03-03T09:00:30-05:00');
    expect(between(NY, '2026-03-02T09:00:00-05:00', '2026-03-02T09:00:30-05:00')).toBe(0.5);
  });

  it('adds fractional minutes to the millisecond', () => {
    expect(add(NY, '2026-03-02T09:00:00-05:00', 0.5)).toBe('2026-03-02T09:00:30-05:00');
    expect(add(NY, '2026-03-02T09:00:00-05:00', 0.1)).toBe('2026-03-02T09:00:06-05:00');
    expect(add(NY, '2026-03-02T09:00:00-05:00', 1 / 3)).toBe('2026-03-02T09:00:20-05:00');
  });

  it('returns the start unchanged for 0, even in closed time, and negates reversed ranges', () => {
    const start = at('2026-03-07T03:17:42.123Z');
    expect(addBusinessMinutes(NY, start, 0).getTime()).toBe(start.getTime());
    expect(between(NY, '2026-03-09T12:00:00-04:00', '2026-03-06T16:00:00-05:00')).toBe(-240);
    expect(Object.is(between(NY, '2026-03-07T12:00:00Z', '2026-03-07T10:00:00Z'), 0)).toBe(true);
  });
});

describe('bad input: a clear error naming the field', () => {
  const base = {
    tz: 'America/New_York',
    week: { mon: NINE_TO_FIVE, tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
    holidays: [],
  };
  const cal = (patch: Record<string, unknown>) => () => parseCalendar({ ...base, ...patch });
  const week = (mon: unknown) => cal({ week: { ...base.week, mon } });

  it.each([
    ['unknown time zone', cal({ tz: 'Mars/Base' }), 'tz: unknown time zone "Mars/Base"'],
    [
      'overlapping intervals',
      week([
        ['09:00', '12:00'],
        ['11:00', '17:00'],
      ]),
      'week.mon[1]: intervals overlap or are out of order',
    ],
    [
      'unordered intervals',
      week([
        ['13:00', '17:00'],
        ['09:00', '12:00'],
      ]),
      'week.mon[1]: intervals overlap or are out of order',
    ],
    ['25:00', week([['09:00', '25:00']]), 'week.mon[0][1]: "25:00" is not a time'],
    ['9am', week([['9am', '17:00']]), 'week.mon[0][0]: "9am" is not a time'],
    ['24:00 as a start', week([['24:00', '24:00']]), 'week.mon[0][0]: "24:00" can only end an interval'],
    [
      'an end before a start',
      week([['17:00', '09:00']]),
      'week.mon[0]: ends at 09:00, not after it starts at 17:00',
    ],
    [
      'an empty interval',
      week([['09:00', '09:00']]),
      'week.mon[0]: ends at 09:00, not after it starts at 09:00',
    ],
    [
      'a holiday that is not a date',
      cal({ holidays: ['2026-12-25', '2026-02-30'] }),
      'holidays[1]: "2026-02-30" is not a date',
    ],
    [
      'a missing weekday',
      cal({ week: { mon: [] } }),
      'week.tue: missing; list its opening intervals, or [] when closed all day',
    ],
    ['a misspelt key', cal({ holiday: [] }), 'holiday: is not a known field'],
  ])('%s', (_name, fn, message) => {
    expect(errorOf(fn)).toContain(message);
  });

  const s = at('2026-03-02T09:00:00-05:00');
  it.each([
    [
      'a pause that ends before it starts',
      () => addBusinessMinutes(NY, s, 60, [pause('2026-03-02T12:00:00Z', '2026-03-02T11:00:00Z')]),
      'pauses[0]: ends before it starts',
    ],
    [
      'a pause that is not two instants',
      () => addBusinessMinutes(NY, s, 60, [[s] as unknown as Pause]),
      'pauses[0]: must be a pair',
    ],
    [
      'NaN minutes',
      () => addBusinessMinutes(NY, s, Number.NaN),
      'minutes: must be a finite number of minutes (got NaN)',
    ],
    [
      'infinite minutes',
      () => addBusinessMinutes(NY, s, Number.POSITIVE_INFINITY),
      'minutes: must be a finite number of minutes (got Infinity)',
    ],
    ['more than 100 years', () => addBusinessMinutes(NY, s, 60 * 24 * 366 * 100), 'is more than 100 years'],
    ['negative minutes', () => addBusinessMinutes(NY, s, -5), 'minutes: must not be negative'],
    [
      'an invalid Date',
      () => addBusinessMinutes(NY, new Date(Number.NaN), 5),
      'start: must be a valid instant',
    ],
    [
      'a range over 100 years',
      () => businessMinutesBetween(NY, s, at('2200-01-01T00:00:00Z')),
      'end: is more than 100 years from start',
    ],
    [
      'a calendar with no hours',
      () => addBusinessMinutes(weekdays('UTC', []), s, 1),
      'calendar: has no opening hours',
    ],
    [
      'an invalid calendar literal passed straight in',
      () => addBusinessMinutes({ ...NY, week: { ...NY.week, mon: [['09:00', '25:00']] } }, s, 1),
      'calendar.week.mon[0][1]: "25:00" is not a time',
    ],
  ])('%s', (_name, fn, message) => {
    expect(errorOf(fn)).toContain(message);
  });

  it('accepts exactly 100 years and a closed calendar for between', () => {
    expect(() => addBusinessMinutes(NY, s, 100 * 365.25 * 1440)).not.toThrow();
    expect(businessMinutesBetween(weekdays('UTC', []), s, at('2027-03-02T09:00:00Z'))).toBe(0);
  });
});
