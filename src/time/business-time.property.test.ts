// Property tests: business-time arithmetic against a brute-force oracle, and its laws, over many
// IANA zones with clock changes (historic rules included) and random calendars.
//
// The oracle is an independent definition. It walks real time minute by minute, reads each
// minute's local wall clock with Intl.DateTimeFormat (ICU directly, not Temporal and not our week
// arithmetic), and counts the minute when the wall clock's high-water mark (the latest reading so
// far) falls inside an opening interval of that date's weekday, the date is not a holiday, and the
// minute is not paused. The high-water mark is what "the interval covers the instants from the
// first moment the clock reads its start until the first moment it reads its end" means minute by
// minute: a repeated hour counts for whatever interval the clock had reached, and a skipped time
// is simply never read.

import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, businessMinutesBetween, isBusinessTime, type Pause } from './business-time.js';
import { type Calendar, type Interval, parseCalendar, WEEKDAYS } from './calendar.js';

const MIN = 60_000;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Oracle

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading at `ms`, encoded as minutes since 1970-01-01T00:00 of a clock reading. */
function wallReading(tz: string, ms: number): number {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formats.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) / MIN;
}

const hm = (t: string) => (t === '24:00' ? 1440 : Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5)));
const JS_DAY_TO_KEY = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

function openAtReading(cal: Calendar, reading: number): boolean {
  const date = new Date(reading * MIN);
  if (cal.holidays.includes(date.toISOString().slice(0, 10))) return false;
  const minute = reading - Math.floor(reading / 1440) * 1440;
  return cal.week[JS_DAY_TO_KEY[date.getUTCDay()]!].some(([a, b]) => hm(a) <= minute && minute < hm(b));
}

/** Business flags of the minutes [from, to) (minute-aligned instants), pauses included. */
function oracleMinutes(cal: Calendar, from: number, to: number, pauses: Array<[number, number]>) {
  const flags: boolean[] = [];
  // Backward clock jumps after 1970 are at most a few hours; a day of lead-in sets the mark.
  let mark = Number.NEGATIVE_INFINITY;
  for (let t = from - DAY; t < to; t += MIN) {
    mark = Math.max(mark, wallReading(cal.tz, t));
    if (t >= from) flags.push(openAtReading(cal, mark) && !pauses.some(([a, b]) => a <= t && t < b));
  }
  return flags;
}

function oracleBetween(cal: Calendar, s: number, e: number, pauses: Array<[number, number]>): number {
  return oracleMinutes(cal, s, e, pauses).filter(Boolean).length;
}

// ---------------------------------------------------------------------------------------------
// Zones and dates: each zone with years in which it changed clocks (historic rules included).

const ZONES: Array<{ tz: string; from: string; to: string }> = [
  { tz: 'America/New_York', from: '2015-01-01', to: '2028-01-01' },
  { tz: 'America/Chicago', from: '2015-01-01', to: '2028-01-01' },
  { tz: 'America/Los_Angeles', from: '2015-01-01', to: '2028-01-01' },
  { tz: 'America/Sao_Paulo', from: '2015-01-01', to: '2019-03-01' }, // DST until 2019, at midnight
  { tz: 'America/Santiago', from: '2015-01-01', to: '2028-01-01' },
  { tz: 'America/Havana', from: '2015-01-01', to: '2028-01-01' }, // midnight transitions
  { tz: 'America/St_Johns', from: '2008-01-01', to: '2028-01-01' }, // -03:30, 00:01 transitions until 2011
  { tz: 'America/Nuuk', from: '2015-01-01', to: '2028-01-01' },
  { tz: 'America/Asuncion', from: '2015-01-01', to: '2025-01-01' },
  { tz: 'America/Mexico_City', from: '2015-01-01', to: '2023-01-01' }, // DST abolished 2022
  { tz: 'Europe/London', from: '2015-01-01', to: '2028-01-01' },
  { tz: 'Europe/Paris', from: '2015-01-01', to: '2028-01-01' },
  { tz: 'Europe/Berlin', from: '2015-01-01', to: '2028-01-01' },
  { tz: 'Europe/Dublin', from: '2015-01-01', to: '2028-01-01' }, // "negative DST" in tzdata
  { tz: 'Europe/Moscow', from: '2010-01-01', to: '2015-01-01' }, // DST until 2011, then 2014 change
  { tz: 'Atlantic/Azores', from: '2015-01-01', to: '2028-01-01' }, // falls back to a repeated midnight
  { tz: 'Australia/Sydney', from: '2015-01-01', to: '2028-01-01' },
  { tz: 'Australia/Adelaide', from: '2015-01-01', to: '2028-01-01' },
  { tz: 'Australia/Lord_Howe', from: '2015-01-01', to: '2028-01-01' }, // 30-minute shift
  { tz: 'Pacific/Auckland', from: '2015-01-01', to: '2028-01-01' },
  { tz: 'Pacific/Chatham', from: '2015-01-01', to: '2028-01-01' }, // +12:45/+13:45
  { tz: 'Pacific/Apia', from: '2011-09-01', to: '2021-05-01' }, // skipped 2011-12-30; DST until 2021
  { tz: 'Asia/Tehran', from: '2015-01-01', to: '2023-01-01' },
  { tz: 'Asia/Jerusalem', from: '2015-01-01', to: '2028-01-01' },
  { tz: 'Asia/Beirut', from: '2015-01-01', to: '2028-01-01' }, // midnight transitions
  { tz: 'Africa/Cairo', from: '2014-01-01', to: '2028-01-01' },
  { tz: 'Africa/Casablanca', from: '2015-01-01', to: '2028-01-01' }, // Ramadan suspensions
  { tz: 'Antarctica/Troll', from: '2015-01-01', to: '2028-01-01' }, // two-hour shift
  { tz: 'Asia/Kolkata', from: '2015-01-01', to: '2028-01-01' }, // no DST, +05:30
  { tz: 'UTC', from: '2015-01-01', to: '2028-01-01' },
];

interface ZoneDates {
  tz: string;
  from: number;
  to: number;
  transitions: number[];
}

const ZONE_DATES: ZoneDates[] = ZONES.map(({ tz, from, to }) => {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  const transitions: number[] = [];
  let z = Temporal.Instant.fromEpochMilliseconds(a).toZonedDateTimeISO(tz);
  for (;;) {
    const n = z.getTimeZoneTransition('next');
    if (!n || n.epochMilliseconds >= b) break;
    transitions.push(n.epochMilliseconds);
    z = n;
  }
  return { tz, from: a, to: b, transitions };
});

it('the zone list has at least 20 zones that changed clocks in the years tested, Apia skipping a day', () => {
  expect(ZONE_DATES.filter((z) => z.transitions.length > 0).length).toBeGreaterThanOrEqual(20);
  const apia = ZONE_DATES.find((z) => z.tz === 'Pacific/Apia')!;
  expect(apia.transitions).toContain(Date.parse('2011-12-30T10:00:00Z'));
});

/** A minute-aligned instant: near a clock change of the zone most of the time, else anywhere. */
const instantIn = (z: ZoneDates) =>
  fc.oneof(
    {
      weight: z.transitions.length ? 3 : 0,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...(z.transitions.length ? z.transitions : [z.from])),
          fc.integer({ min: -7200, max: 2880 }),
        )
        .map(([t, m]) => Math.floor(t / MIN) * MIN + m * MIN),
    },
    { weight: 1, arbitrary: fc.integer({ min: z.from / MIN, max: z.to / MIN }).map((m) => m * MIN) },
  );

// ---------------------------------------------------------------------------------------------
// Calendars

const fmtHm = (m: number) =>
  m === 1440 ? '24:00' : `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** Sorted distinct minute points, paired up into intervals. */
const randomDay = fc
  .uniqueArray(
    fc.integer({ min: 0, max: 96 }).map((q) => q * 15),
    { maxLength: 6 },
  )
  .map((pts) => {
    const sorted = [...pts].sort((a, b) => a - b);
    const out: Interval[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) out.push([fmtHm(sorted[i]!), fmtHm(sorted[i + 1]!)]);
    return out;
  });

const office: Interval[] = [['09:00', '17:00']];
const lunch: Interval[] = [
  ['08:30', '12:00'],
  ['13:00', '17:30'],
];
const allDay: Interval[] = [['00:00', '24:00']];
// Intervals that straddle the hours where clocks change (00:00-04:00 local).
const nightOwl: Interval[] = [
  ['00:30', '01:30'],
  ['02:15', '03:45'],
  ['23:00', '24:00'],
];

type Week = Record<(typeof WEEKDAYS)[number], Interval[]>;
const weekOf = (days: Interval[][]): Week =>
  Object.fromEntries(WEEKDAYS.map((d, i) => [d, days[i] ?? []])) as Week;

const weekArb: fc.Arbitrary<Week> = fc.oneof(
  fc.constant(weekOf([allDay, allDay, allDay, allDay, allDay, allDay, allDay])),
  fc.constant(weekOf([office, office, office, office, office, [], []])),
  fc.constant(weekOf([lunch, lunch, lunch, lunch, lunch, [['10:00', '14:00']], []])),
  // Overnight shifts: 22:00-24:00 meets 00:00-06:00 the next day, including Sunday into Monday.
  fc.constant(
    weekOf(
      Array.from({ length: 7 }, () => [
        ['00:00', '06:00'],
        ['22:00', '24:00'],
      ]),
    ),
  ),
  fc.constant(weekOf(Array.from({ length: 7 }, () => nightOwl))),
  fc.array(randomDay, { minLength: 7, maxLength: 7 }).map(weekOf),
  // Random days that often run through midnight into the next day.
  fc.array(fc.tuple(randomDay, fc.boolean()), { minLength: 7, maxLength: 7 }).map((days) =>
    weekOf(
      days.map(([d, overnight], i) => {
        if (!overnight) return d;
        const prevOvernight = days[(i + 6) % 7]![1];
        const kept = d.filter(([a, b]) => hm(a) >= 360 && hm(b) <= 1200);
        return [...(prevOvernight ? [['00:00', '05:00'] as Interval] : []), ...kept, ['21:00', '24:00']];
      }),
    ),
  ),
);

const dateText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A calendar in zone z, with holidays near `around`. */
const calendarNear = (z: ZoneDates, around: number) =>
  fc
    .tuple(weekArb, fc.uniqueArray(fc.integer({ min: -2, max: 12 }), { maxLength: 3 }))
    .map(([week, offsets]) =>
      parseCalendar({ tz: z.tz, week, holidays: offsets.map((o) => dateText(around + o * DAY)) }),
    );

const pausesNear = (s: number) =>
  fc.array(
    fc
      .tuple(fc.integer({ min: -1440, max: 10 * 1440 }), fc.integer({ min: 0, max: 2 * 1440 }))
      .map(([a, len]): [number, number] => [s + a * MIN, s + (a + len) * MIN]),
    { maxLength: 2 },
  );

const asPauses = (ps: Array<[number, number]>): Pause[] =>
  ps.map(([a, b]) => [new Date(a), new Date(b)] as const);

const weeklyMinutes = (cal: Calendar) =>
  WEEKDAYS.reduce((sum, d) => sum + cal.week[d].reduce((s, [a, b]) => s + hm(b) - hm(a), 0), 0);

/** A zone, a start in it, a calendar with holidays near the start, and pauses near the start. */
const scenario = fc
  .constantFrom(...ZONE_DATES)
  .chain((z) => instantIn(z).map((s) => ({ z, s })))
  .chain(({ z, s }) =>
    fc.record({
      z: fc.constant(z),
      s: fc.constant(s),
      cal: calendarNear(z, s),
      pauses: pausesNear(s),
    }),
  );

// ~30 s for the file on two cores; raise locally with FC_RUNS to hunt harder.
const RUNS = Number(process.env.FC_RUNS ?? 0);
const runs = (n: number) => ({ numRuns: RUNS || n });
// A long hunt (FC_RUNS) must not be cut short by the suite's per-test timeout.
const TIMEOUT = RUNS ? 3_600_000 : undefined;

// ---------------------------------------------------------------------------------------------

describe('business time against the minute-by-minute oracle', () => {
  it(
    'businessMinutesBetween equals the oracle count (spans up to 10 days)',
    () => {
      fc.assert(
        fc.property(scenario, fc.integer({ min: 0, max: 10 * 1440 }), ({ cal, s, pauses }, span) => {
          const e = s + span * MIN;
          expect(businessMinutesBetween(cal, new Date(s), new Date(e), asPauses(pauses))).toBe(
            oracleBetween(cal, s, e, pauses),
          );
        }),
        runs(150),
      );
    },
    TIMEOUT,
  );

  it(
    'addBusinessMinutes equals the oracle deadline, closing times included',
    () => {
      fc.assert(
        fc.property(
          scenario,
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.boolean(),
          (sc, frac, atClose) => {
            const { cal, s, pauses } = sc;
            fc.pre(weeklyMinutes(cal) > 0);
            // One oracle walk over 12 days gives both the duration and where it must end.
            const flags = oracleMinutes(cal, s, s + 12 * DAY, pauses);
            const total = flags.filter(Boolean).length;
            fc.pre(total > 0);
            // Half the time the duration ends exactly where business time stops (closing, holiday, pause).
            const closes: number[] = [];
            let count = 0;
            flags.forEach((open, i) => {
              if (open) count++;
              if (open && !flags[i + 1]) closes.push(count);
            });
            const d =
              atClose && closes.length
                ? closes[Math.min(closes.length - 1, Math.floor(frac * closes.length))]!
                : Math.floor(frac * total);
            let expected = s;
            for (let i = 0, c = 0; d > 0 && i < flags.length; i++) {
              if (flags[i] && ++c === d) {
                expected = s + (i + 1) * MIN;
                break;
              }
            }
            const got = addBusinessMinutes(cal, new Date(s), d, asPauses(pauses));
            expect(got.toISOString()).toBe(new Date(expected).toISOString());
          },
        ),
        runs(120),
      );
    },
    TIMEOUT,
  );

  it(
    'a deadline after the start never lies strictly outside business time',
    () => {
      fc.assert(
        fc.property(scenario, fc.integer({ min: 1, max: 2000 }), ({ cal, s, pauses }, d) => {
          fc.pre(weeklyMinutes(cal) > 0);
          const t = addBusinessMinutes(cal, new Date(s), d, asPauses(pauses)).getTime();
          expect(t).toBeGreaterThan(s);
          // The minute that ends at the deadline is open and unpaused, by the oracle's reading.
          expect(oracleMinutes(cal, t - MIN, t, pauses)).toEqual([true]);
          expect(isBusinessTime(cal, new Date(t - 1))).toBe(true);
        }),
        runs(100),
      );
    },
    TIMEOUT,
  );
});

/** Any millisecond (not minute-aligned) and a duration in whole milliseconds, as minutes. */
const msScenario = scenario.chain((sc) =>
  fc.record({
    sc: fc.constant(sc),
    s: fc.integer({ min: -DAY, max: DAY }).map((jitter) => sc.s + jitter),
    a: fc.integer({ min: 0, max: 20 * DAY }),
    b: fc.integer({ min: 0, max: 20 * DAY }),
  }),
);
const min = (ms: number) => ms / MIN;

describe('laws of business time (any millisecond, fractional minutes)', () => {
  it(
    'between(s, add(s, d)) = d, and add(s, d) is the earliest such instant',
    () => {
      fc.assert(
        fc.property(msScenario, ({ sc: { cal, pauses }, s, a }) => {
          fc.pre(weeklyMinutes(cal) > 0);
          const t = addBusinessMinutes(cal, new Date(s), min(a), asPauses(pauses));
          expect(businessMinutesBetween(cal, new Date(s), t, asPauses(pauses))).toBe(min(a));
          // …and t is the earliest such instant: one millisecond less is not enough.
          if (a > 0)
            expect(
              businessMinutesBetween(cal, new Date(s), new Date(t.getTime() - 1), asPauses(pauses)),
            ).toBeLessThan(min(a));
        }),
        runs(300),
      );
    },
    TIMEOUT,
  );

  it(
    'add(add(s, a), b) = add(s, a + b)',
    () => {
      fc.assert(
        fc.property(msScenario, ({ sc: { cal, pauses }, s, a, b }) => {
          fc.pre(weeklyMinutes(cal) > 0);
          const p = asPauses(pauses);
          const twoSteps = addBusinessMinutes(
            cal,
            addBusinessMinutes(cal, new Date(s), min(a), p),
            min(b),
            p,
          );
          expect(twoSteps.getTime()).toBe(addBusinessMinutes(cal, new Date(s), min(a + b), p).getTime());
        }),
        runs(300),
      );
    },
    TIMEOUT,
  );

  it(
    'add is monotone in start and duration; between is monotone in end; reversing negates',
    () => {
      fc.assert(
        fc.property(
          msScenario,
          fc.integer({ min: 0, max: 3 * DAY }),
          ({ sc: { cal, pauses }, s, a, b }, later) => {
            fc.pre(weeklyMinutes(cal) > 0);
            const p = asPauses(pauses);
            const [d1, d2] = a <= b ? [a, b] : [b, a];
            const add = (start: number, d: number) =>
              addBusinessMinutes(cal, new Date(start), min(d), p).getTime();
            expect(add(s, d1)).toBeLessThanOrEqual(add(s, d2));
            expect(add(s, d1)).toBeLessThanOrEqual(add(s + later, d1));
            const between = (x: number, y: number) =>
              businessMinutesBetween(cal, new Date(x), new Date(y), p);
            expect(between(s, s + d1)).toBeLessThanOrEqual(between(s, s + d2));
            expect(between(s + d2, s)).toBe(-between(s, s + d2) || 0);
          },
        ),
        runs(200),
      );
    },
    TIMEOUT,
  );

  it(
    'week skipping agrees with walking: long ranges equal the sum of short pieces',
    () => {
      fc.assert(
        fc.property(
          scenario,
          fc.integer({ min: 0, max: 2 * 365 * 1440 }),
          fc.integer({ min: 1, max: 4 * 1440 }),
          ({ cal, s, pauses }, spanMin, pieceMin) => {
            const p = asPauses(pauses);
            const e = s + spanMin * MIN;
            // Pieces shorter than a week are never skipped arithmetically, only walked.
            const piece = Math.min(pieceMin, 5 * 1440) * MIN;
            let sum = 0;
            for (let x = s; x < e; x += piece)
              sum += businessMinutesBetween(cal, new Date(x), new Date(Math.min(e, x + piece)), p);
            const whole = businessMinutesBetween(cal, new Date(s), new Date(e), p);
            expect(whole).toBe(sum);
            const weekly = weeklyMinutes(cal);
            if (weekly > 0 && whole > 0) {
              // The same total as one add lands at the same place as the walked pieces' end-state law.
              const t = addBusinessMinutes(cal, new Date(s), whole, p).getTime();
              expect(t).toBeLessThanOrEqual(e);
              expect(businessMinutesBetween(cal, new Date(s), new Date(t), p)).toBe(whole);
            }
          },
        ),
        runs(80),
      );
    },
    TIMEOUT,
  );
});
