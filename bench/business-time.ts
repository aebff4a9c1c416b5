// Business-time throughput: our addBusinessMinutes / businessMinutesBetween against published npm
// business-hours libraries (moment-business-time, dayjs-business-time) on the same inputs, for
// spans of 1 hour, 10 days and 1 year, with every disagreement counted and classified.
//
//   npx tsx bench/business-time.ts            (BT_BENCH_SECONDS=1 per measurement by default)
//
// Inputs: a New York office calendar (Mon-Fri 09:00-17:00, US federal holidays 2026-2028) and
// random minute-aligned starts in 2026 (seeded, so every run sees the same ones). `add` adds 60
// business minutes, 10 business days (4800 min) or one business year (124 800 min); `between`
// measures start → start + 1 hour / 10 days / 365 days. Both libraries work in the process's local
// zone, so this script sets TZ=America/New_York before loading them.

import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';

process.env.TZ = 'America/New_York';

const { default: moment } = await import('moment');
// A plugin without type declarations: it patches moment's prototype when loaded.
createRequire(import.meta.url)('moment-business-time');
const { default: dayjs } = await import('dayjs');
const { default: dayjsBusinessTime } = await import('dayjs-business-time');
const { addBusinessMinutes, businessMinutesBetween } = await import('../src/time/business-time.js');
const { parseCalendar } = await import('../src/time/calendar.js');
const { formatInstant } = await import('../src/time/zone.js');

const HOLIDAYS = [
  ...['2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07'],
  ...['2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25', '2027-01-01', '2027-01-18', '2027-02-15'],
  ...['2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06', '2027-10-11', '2027-11-11', '2027-11-25'],
  ...['2027-12-24', '2027-12-31', '2028-01-17', '2028-02-21', '2028-05-29', '2028-06-19', '2028-07-04'],
  ...['2028-09-04', '2028-10-09', '2028-11-10', '2028-11-23', '2028-12-25'],
];
const TZ = 'America/New_York';
const OFFICE = [['09:00', '17:00']] as const;
const CALENDAR_JSON = {
  tz: TZ,
  week: { mon: OFFICE, tue: OFFICE, wed: OFFICE, thu: OFFICE, fri: OFFICE, sat: [], sun: [] },
  holidays: HOLIDAYS,
};
const calendar = parseCalendar(CALENDAR_JSON);

moment.updateLocale('en', {
  workinghours: {
    0: null,
    1: ['09:00:00', '17:00:00'],
    2: ['09:00:00', '17:00:00'],
    3: ['09:00:00', '17:00:00'],
    4: ['09:00:00', '17:00:00'],
    5: ['09:00:00', '17:00:00'],
    6: null,
  },
  holidays: HOLIDAYS,
} as moment.LocaleSpecification);
dayjs.extend(dayjsBusinessTime);
const officeDay = [{ start: '09:00:00', end: '17:00:00' }];
dayjs.setBusinessTime({
  sunday: null,
  monday: officeDay,
  tuesday: officeDay,
  wednesday: officeDay,
  thursday: officeDay,
  friday: officeDay,
  saturday: null,
});
dayjs.setHolidays(HOLIDAYS);

// The plugins' methods, typed here because their declarations augment modules loosely.
type MomentBT = moment.Moment & {
  addWorkingTime(n: number, unit: string): moment.Moment;
  workingDiff(other: moment.Moment, unit: string, precise?: boolean): number;
};
type DayjsBT = ReturnType<typeof dayjs> & {
  addBusinessMinutes(n: number): ReturnType<typeof dayjs>;
  businessMinutesDiff(other: ReturnType<typeof dayjs>): number;
};
const m = (d: Date) => moment(d) as MomentBT;
const dj = (d: Date) => dayjs(d) as DayjsBT;

type Op = 'add' | 'between';
interface Impl {
  name: string;
  add: (start: Date, minutes: number) => number;
  between: (start: Date, end: Date) => number;
}

const IMPLS: Impl[] = [
  {
    name: 'ours',
    add: (s, d) => addBusinessMinutes(calendar, s, d).getTime(),
    between: (s, e) => businessMinutesBetween(calendar, s, e),
  },
  {
    // A fresh calendar object per call: validation, compilation and an empty week cache every time.
    name: 'ours (cold)',
    add: (s, d) => addBusinessMinutes(parseCalendar(CALENDAR_JSON), s, d).getTime(),
    between: (s, e) => businessMinutesBetween(parseCalendar(CALENDAR_JSON), s, e),
  },
  {
    name: 'moment-business-time',
    add: (s, d) => m(s).addWorkingTime(d, 'minutes').valueOf(),
    between: (s, e) => m(e).workingDiff(m(s), 'minutes', true),
  },
  {
    name: 'dayjs-business-time',
    add: (s, d) => dj(s).addBusinessMinutes(d).valueOf(),
    between: (s, e) => dj(s).businessMinutesDiff(dj(e)),
  },
];

const SPANS = [
  { span: '1 hour', addMinutes: 60, betweenMs: 3_600_000 },
  { span: '10 days', addMinutes: 10 * 480, betweenMs: 10 * 86_400_000 },
  { span: '1 year', addMinutes: 260 * 480, betweenMs: 365 * 86_400_000 },
];

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INPUTS = 300;
const random = mulberry32(20260306);
const from = Date.parse('2026-01-01T05:00:00Z');
const to = Date.parse('2027-01-01T05:00:00Z');
const starts = Array.from(
  { length: INPUTS },
  () => new Date(Math.floor((from + random() * (to - from)) / 60_000) * 60_000),
);

const SECONDS = Number(process.env.BT_BENCH_SECONDS ?? 1);

/** Calls fn over the inputs, round-robin, for about SECONDS; returns ops/s. */
function measure(fn: (i: number) => number): number {
  let ops = 0;
  let sink = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < SECONDS * 1000) {
    for (let i = 0; i < INPUTS && (i % 16 !== 0 || performance.now() - t0 < SECONDS * 1000); i++) {
      sink += fn(i);
      ops++;
    }
    elapsed = performance.now() - t0;
  }
  if (Number.isNaN(sink)) process.stderr.write('');
  return ops / (elapsed / 1000);
}

interface Row {
  op: Op;
  span: string;
  impl: string;
  opsPerSec: number;
  /** Our ops/s divided by this implementation's (warm "ours" row). */
  oursTimes: number | null;
  /** Inputs on which this implementation's answer differs from ours. */
  disagreements: number | null;
}

function sameAnswer(op: Op, a: number, b: number) {
  return op === 'add' ? a === b : Math.abs(a - b) < 1e-9;
}

function throughput(): Row[] {
  const rows: Row[] = [];
  for (const { span, addMinutes, betweenMs } of SPANS) {
    for (const op of ['add', 'between'] as Op[]) {
      const ends = starts.map((s) => new Date(s.getTime() + betweenMs));
      const call = (impl: Impl, i: number) =>
        op === 'add' ? impl.add(starts[i]!, addMinutes) : impl.between(starts[i]!, ends[i]!);
      const oursAnswers = starts.map((_, i) => call(IMPLS[0]!, i));
      let oursOps = 0;
      for (const impl of IMPLS) {
        const opsPerSec = measure((i) => call(impl, i));
        if (impl.name === 'ours') oursOps = opsPerSec;
        const disagreements =
          impl.name === 'ours'
            ? null
            : starts.filter((_, i) => !sameAnswer(op, call(impl, i), oursAnswers[i]!)).length;
        rows.push({
          op,
          span,
          impl: impl.name,
          opsPerSec: Math.round(opsPerSec),
          oursTimes: impl.name === 'ours' ? null : Number((oursOps / opsPerSec).toFixed(1)),
          disagreements,
        });
        process.stderr.write(`  ${op} ${span} ${impl.name}: ${Math.round(opsPerSec)} ops/s\n`);
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Disagreement hunt: calendars both libraries can express, starts near DST changes half the time,
// whole minutes and then with seconds. Every differing answer is classified by its cause.

const HUNT_CALENDARS: Record<string, Array<[string, string]>> = {
  'lunch break 09-12, 13-17 daily': [
    ['09:00', '12:00'],
    ['13:00', '17:00'],
  ],
  '24 h daily (00:00-24:00)': [['00:00', '24:00']],
  'early hours 01:00-05:00 daily (DST hours)': [['01:00', '05:00']],
};

function configureLibraries(intervals: Array<[string, string]>, holidays: string[]) {
  const hours = intervals.flatMap(([a, b]) => [`${a}:00`, `${b}:00`]);
  moment.updateLocale('en', {
    workinghours: { 0: hours, 1: hours, 2: hours, 3: hours, 4: hours, 5: hours, 6: hours },
    holidays,
  } as moment.LocaleSpecification);
  const segments = intervals.map(([a, b]) => ({ start: `${a}:00`, end: `${b}:00` }));
  dayjs.setBusinessTime({
    sunday: segments,
    monday: segments,
    tuesday: segments,
    wednesday: segments,
    thursday: segments,
    friday: segments,
    saturday: segments,
  });
  dayjs.setHolidays(holidays);
}

const offsetOf = (ms: number) => formatInstant(new Date(ms), TZ).slice(-6);

// A referee for disputed answers, independent of both sides: count minute by minute, reading the
// wall clock with Intl. (Plain wall-clock membership is exact for these calendars: none has an
// interval edge inside New York's repeated 01:00-02:00 hour.)
const wallFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: TZ,
  hourCycle: 'h23',
  hour: 'numeric',
  minute: 'numeric',
});
function refereeOpen(intervals: Array<[string, string]>, ms: number): boolean {
  const p = Object.fromEntries(wallFormat.formatToParts(ms).map((x) => [x.type, x.value]));
  const minute = Number(p.hour) * 60 + Number(p.minute);
  const hm = (t: string) => (t === '24:00' ? 1440 : Number(t.slice(0, 2)) * 60 + Number(t.slice(3)));
  return intervals.some(([a, b]) => hm(a) <= minute && minute < hm(b));
}
function referee(op: Op, intervals: Array<[string, string]>, s: number, d: number, e: number): number {
  let count = 0;
  if (op === 'between') {
    for (let t = s; t < e; t += 60_000) if (refereeOpen(intervals, t)) count++;
    return count;
  }
  for (let t = s; ; t += 60_000) if (refereeOpen(intervals, t) && ++count === d) return t + 60_000;
}

interface Dispute {
  op: Op;
  intervals: Array<[string, string]>;
  s: number;
  d: number;
  e: number;
  ours: number;
  theirs: number;
  /** Both sides again on the same inputs cut to the whole minute. */
  onWholeMinutes: () => [number, number];
}

function cause(x: Dispute): string {
  const { op, s, e, ours, theirs } = x;
  if (s % 60_000 !== 0) {
    const [o, t] = x.onWholeMinutes();
    return sameAnswer(op, o, t)
      ? 'seconds (library works in whole minutes)'
      : 'differs with seconds, and also without them';
  }
  const crossesDst = offsetOf(s) !== offsetOf(op === 'add' ? Math.max(ours, theirs) : e);
  const truth = referee(op, x.intervals, s, x.d, e);
  if (sameAnswer(op, truth, ours)) return crossesDst ? 'library wrong across a DST change' : 'library wrong';
  if (sameAnswer(op, truth, theirs)) return 'OURS WRONG (the referee agrees with the library)';
  return 'neither matches the referee';
}

interface HuntResult {
  calendar: string;
  inputs: string;
  library: string;
  op: Op;
  checked: number;
  disagreements: number;
  causes: Record<string, number>;
  examples: string[];
}

function hunt(): HuntResult[] {
  const out: HuntResult[] = [];
  const rnd = mulberry32(42);
  const dstDays = [Date.parse('2026-03-08T07:00:00Z'), Date.parse('2026-11-01T06:00:00Z')];
  for (const [name, intervals] of Object.entries(HUNT_CALENDARS)) {
    const cal = parseCalendar({
      tz: TZ,
      week: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, intervals])),
      holidays: [],
    });
    configureLibraries(intervals, []);
    for (const withSeconds of [false, true]) {
      const cases = Array.from({ length: 300 }, (_, i) => {
        const base = rnd() < 0.5 ? dstDays[i % 2]! : from + rnd() * (to - from);
        const minute = Math.floor((base + (rnd() - 0.7) * 3 * 86_400_000) / 60_000) * 60_000;
        const s = minute + (withSeconds ? 1000 + Math.floor(rnd() * 58) * 1000 : 0);
        return { s, d: 1 + Math.floor(rnd() * 1500), e: s + Math.floor(rnd() * 4 * 1440) * 60_000 };
      });
      const libs = [
        {
          library: 'moment-business-time',
          add: (s: number, d: number) => m(new Date(s)).addWorkingTime(d, 'minutes').valueOf(),
          between: (s: number, e: number) => m(new Date(e)).workingDiff(m(new Date(s)), 'minutes', true),
        },
        {
          library: 'dayjs-business-time',
          add: (s: number, d: number) => dj(new Date(s)).addBusinessMinutes(d).valueOf(),
          between: (s: number, e: number) => dj(new Date(s)).businessMinutesDiff(dj(new Date(e))),
        },
      ];
      for (const lib of libs) {
        for (const op of ['add', 'between'] as Op[]) {
          const r: HuntResult = {
            calendar: name,
            inputs: withSeconds ? 'starts with seconds' : 'whole minutes',
            library: lib.library,
            op,
            checked: cases.length,
            disagreements: 0,
            causes: {},
            examples: [],
          };
          const ask = (s: number, d: number, e: number): [number, number] => {
            const ours =
              op === 'add'
                ? addBusinessMinutes(cal, new Date(s), d).getTime()
                : businessMinutesBetween(cal, new Date(s), new Date(e));
            let theirs: number;
            try {
              theirs = op === 'add' ? lib.add(s, d) : lib.between(s, e);
            } catch {
              theirs = Number.NaN;
            }
            return [ours, theirs];
          };
          for (const { s, d, e } of cases) {
            const [ours, theirs] = ask(s, d, e);
            if (sameAnswer(op, ours, theirs)) continue;
            const floor = (v: number) => Math.floor(v / 60_000) * 60_000;
            const why = Number.isNaN(theirs)
              ? 'library threw'
              : cause({
                  op,
                  intervals,
                  s,
                  d,
                  e,
                  ours,
                  theirs,
                  onWholeMinutes: () => ask(floor(s), d, floor(e)),
                });
            r.disagreements++;
            r.causes[why] = (r.causes[why] ?? 0) + 1;
            if (r.examples.filter((x) => x.endsWith(`(${why})`)).length < 2) {
              const show = (v: number) => (op === 'add' ? local(new Date(v)) : String(Number(v.toFixed(4))));
              r.examples.push(
                op === 'add'
                  ? `${local(new Date(s))} + ${d} min: ours ${show(ours)}, ${lib.library} ${show(theirs)} (${why})`
                  : `${local(new Date(s))} → ${local(new Date(e))}: ours ${show(ours)}, ${lib.library} ${show(theirs)} (${why})`,
              );
            }
          }
          out.push(r);
        }
      }
    }
  }
  return out;
}

const local = (d: Date) => formatInstant(d, TZ);

export function table(rows: Row[]): string {
  const head = ['op', 'span', 'implementation', 'ops/s', 'ours ÷ it', 'disagree'];
  const body = rows.map((r) => [
    r.op,
    r.span,
    r.impl,
    r.opsPerSec.toLocaleString('en-US'),
    r.oursTimes === null ? '' : `${r.oursTimes}×`,
    r.disagreements === null ? '' : `${r.disagreements}/${INPUTS}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function huntTable(results: HuntResult[]): string {
  const lines = results.map(
    (r) =>
      `${r.calendar} | ${r.inputs} | ${r.library} ${r.op}: ${r.disagreements}/${r.checked} differ` +
      (r.disagreements
        ? ` — ${Object.entries(r.causes)
            .map(([k, v]) => `${v} ${k}`)
            .join('; ')}`
        : ''),
  );
  const examples = results.flatMap((r) => r.examples.map((e) => `    ${r.op}: ${e}`));
  return [...lines, '', 'examples:', ...examples].join('\n');
}

export function runBusinessTimeBench() {
  const startedAt = new Date().toISOString();
  const rows = throughput();
  const disagreements = hunt();
  return {
    benchmark: 'business-time',
    startedAt,
    environment: { node: process.version, cpus: os.availableParallelism(), tz: process.env.TZ },
    throughput: {
      calendar: 'America/New_York, Mon-Fri 09:00-17:00, US federal holidays 2026-2028',
      inputs: INPUTS,
      secondsPerMeasurement: SECONDS,
      notes:
        '"ours" reuses one calendar object (its week cache warm, as a server reusing a loaded calendar); ' +
        '"ours (cold)" validates and compiles a fresh calendar for every call.',
      rows,
    },
    disagreements,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = runBusinessTimeBench();
  process.stdout.write(`${table(result.throughput.rows)}\n\n${huntTable(result.disagreements)}\n\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
