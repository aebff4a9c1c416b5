// The quick-capture due field: natural language, dates and business days to one instant in the
// workspace's zone (web/src/components/due-input.ts, pure).
import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  type BusinessCalendar,
  describeDue,
  interpretDue,
  pickerValue,
  zonedInstant,
} from '../web/src/components/due-input.js';

const LONDON = 'Europe/London';
// Wednesday 2 December 2026, 10:00 in London (UTC+0 in winter).
const wednesday = new Date('2026-12-02T10:00:00Z');
const at = (input: string, now = wednesday, zone = LONDON, calendar: BusinessCalendar | null = null) => {
  const r = interpretDue(input, { now, timeZone: zone, calendar });
  if (r.kind !== 'ok') throw new Error(`${input}: ${r.kind === 'invalid' ? r.message : 'empty'}`);
  return r.at.toISOString();
};

const officeWeek: BusinessCalendar['week'] = {
  mon: [['09:00', '17:30']],
  tue: [['09:00', '17:30']],
  wed: [['09:00', '17:30']],
  thu: [['09:00', '17:30']],
  fri: [['09:00', '16:00']],
  sat: [],
  sun: [],
};

describe('interpretDue', () => {
  it('is empty for blank input (the SLA policy then sets the due date)', () => {
    expect(interpretDue('  ', { now: wednesday, timeZone: LONDON }).kind).toBe('empty');
  });

  it('reads weekday names as the coming day, at 17:00 in the workspace zone', () => {
    expect(at('Friday')).toBe('2026-12-04T17:00:00.000Z');
    expect(at('next Friday')).toBe('2026-12-11T17:00:00.000Z');
    // Summer time: 17:00 in London is 16:00 UTC.
    expect(at('Friday', new Date('2026-07-01T10:00:00Z'))).toBe('2026-07-03T16:00:00.000Z');
  });

  it('keeps a time the user gave, in the workspace zone', () => {
    expect(at('tomorrow 5pm')).toBe('2026-12-03T17:00:00.000Z');
    expect(at('tomorrow 5pm', wednesday, 'America/New_York')).toBe('2026-12-03T22:00:00.000Z');
    expect(at('in 3 hours')).toBe('2026-12-02T13:00:00.000Z');
  });

  it('reads "in N days" as the end of that day', () => {
    expect(at('in 3 days')).toBe('2026-12-05T17:00:00.000Z');
  });

  it('reads ISO dates and the picker value as wall-clock time in the zone', () => {
    expect(at('2026-12-18')).toBe('2026-12-18T17:00:00.000Z');
    expect(at('2026-06-18 09:30', wednesday, 'Europe/Paris')).toBe('2026-06-18T07:30:00.000Z');
    const r = interpretDue('2026-02-30', { now: wednesday, timeZone: LONDON });
    expect(r.kind).toBe('invalid');
  });

  it('says it could not read nonsense', () => {
    const r = interpretDue('whenever suits', { now: wednesday, timeZone: LONDON });
    expect(r).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/could not read/) });
  });

  it('counts business days skipping weekends when the calendar is open every day', () => {
    const always: BusinessCalendar = {
      tz: LONDON,
      week: {
        mon: [['00:00', '24:00']],
        tue: [['00:00', '24:00']],
        wed: [['00:00', '24:00']],
        thu: [['00:00', '24:00']],
        fri: [['00:00', '24:00']],
        sat: [['00:00', '24:00']],
        sun: [['00:00', '24:00']],
      },
      holidays: [],
    };
    // Wed 2 Dec + 10 business days = Wed 16 Dec.
    expect(at('in 10 business days', wednesday, LONDON, always)).toBe('2026-12-16T17:00:00.000Z');
    const r = interpretDue('in 10 business days', { now: wednesday, timeZone: LONDON, calendar: always });
    expect(r.kind === 'ok' && r.note).toMatch(/skipping Saturdays and Sundays/);
    expect(at('3 working days')).toBe('2026-12-07T17:00:00.000Z');
  });

  it('counts business days on the workspace calendar, with its holidays, due at closing time', () => {
    const calendar: BusinessCalendar = { tz: LONDON, week: officeWeek, holidays: ['2026-12-03'] };
    // Thu 3 Dec is a holiday: Fri 4 (closes 16:00), Mon 7, Tue 8.
    expect(at('in 1 business day', wednesday, LONDON, calendar)).toBe('2026-12-04T16:00:00.000Z');
    expect(at('in 3 business days', wednesday, LONDON, calendar)).toBe('2026-12-08T17:30:00.000Z');
    const r = addBusinessDays(2, { now: wednesday, timeZone: LONDON, calendar });
    expect('note' in r && r.note).toMatch(/business calendar/);
  });

  it('gives up on a calendar with no working day', () => {
    const closed: BusinessCalendar = {
      tz: LONDON,
      week: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
      holidays: [],
    };
    expect(
      interpretDue('in 2 business days', { now: wednesday, timeZone: LONDON, calendar: closed }).kind,
    ).toBe('invalid');
  });
});

describe('zone helpers', () => {
  it('finds the instant of a wall-clock time across clock changes', () => {
    expect(zonedInstant({ year: 2026, month: 3, day: 29, hour: 12, minute: 0 }, LONDON).toISOString()).toBe(
      '2026-03-29T11:00:00.000Z',
    );
    // 01:30 happens twice on 25 Oct 2026 in London: the first one (BST) is taken.
    expect(zonedInstant({ year: 2026, month: 10, day: 25, hour: 1, minute: 30 }, LONDON).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('describes and round-trips the interpreted date', () => {
    const due = new Date('2026-12-04T17:00:00Z');
    expect(describeDue(due, LONDON)).toBe('Fri 4 Dec 2026, 17:00 Europe/London');
    expect(pickerValue(due, 'Asia/Tokyo')).toBe('2026-12-05 02:00:00');
  });
});
