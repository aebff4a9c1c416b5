import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSlaBatch } from './sla-batch.js';

const CAL = {
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

async function batch(lines: Array<string | object>) {
  const input = Readable.from([
    `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`,
  ]);
  const output = new PassThrough();
  let text = '';
  output.on('data', (d) => {
    text += d;
  });
  const counts = await runSlaBatch(input, output);
  return {
    counts,
    answers: text
      .trimEnd()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  };
}

const add = (extra: object = {}) => ({
  op: 'add',
  calendar: CAL,
  start: '2026-03-06T16:00:00-05:00',
  minutes: 240,
  pauses: [],
  ...extra,
});
const between = (extra: object = {}) => ({
  op: 'between',
  calendar: CAL,
  start: '2026-03-06T16:00:00-05:00',
  end: '2026-03-10T12:00:00-04:00',
  pauses: [],
  ...extra,
});

describe('sla batch', () => {
  it("answers the issue's examples", async () => {
    const { counts, answers } = await batch([add(), between()]);
    expect(answers).toEqual([{ result: '2026-03-09T12:00:00-04:00' }, { minutes: 60 + 480 + 180 }]);
    expect(counts).toEqual({ lines: 2, errors: 0 });
  });

  it('applies pauses, and accepts lines without a pauses list', async () => {
    const { answers } = await batch([
      add({ pauses: [['2026-03-09T09:00:00-04:00', '2026-03-09T10:00:00-04:00']] }),
      between({ pauses: undefined }),
    ]);
    expect(answers).toEqual([{ result: '2026-03-09T13:00:00-04:00' }, { minutes: 720 }]);
  });

  it('answers each bad line with an error naming the field, and goes on', async () => {
    const bad: Array<[string | object, string]> = [
      [add({ calendar: { ...CAL, tz: 'Mars/Base' } }), 'calendar.tz: unknown time zone "Mars/Base"'],
      [
        add({
          calendar: {
            ...CAL,
            week: {
              ...CAL.week,
              tue: [
                ['09:00', '12:00'],
                ['11:00', '17:00'],
              ],
            },
          },
        }),
        'calendar.week.tue[1]: intervals overlap or are out of order',
      ],
      [
        add({ calendar: { ...CAL, week: { ...CAL.week, wed: [['09:00', '25:00']] } } }),
        'calendar.week.wed[0][1]: "25:00" is not a time',
      ],
      [
        add({ calendar: { ...CAL, week: { ...CAL.week, thu: [['17:00', '09:00']] } } }),
        'calendar.week.thu[0]: ends at 09:00, not after it starts at 17:00',
      ],
      [
        add({ calendar: { ...CAL, holidays: ['2026-02-30'] } }),
        'calendar.holidays[0]: "2026-02-30" is not a date',
      ],
      [
        add({ pauses: [['2026-03-09T10:00:00-04:00', '2026-03-09T09:00:00-04:00']] }),
        'pauses[0]: ends before it starts',
      ],
      [
        add({ pauses: [['2026-03-09T10:00:00', '2026-03-09T11:00:00-04:00']] }),
        'pauses[0][0]: "2026-03-09T10:00:00" has no UTC offset',
      ],
      [
        '{"op":"add","calendar":CAL,"start":"2026-03-06T16:00:00-05:00","minutes":1e400}'.replace(
          'CAL',
          JSON.stringify(CAL),
        ),
        'minutes: must be a finite number of minutes (got Infinity)',
      ],
      [add({ minutes: 60 * 24 * 365 * 101 }), 'minutes: 53085600 minutes is more than 100 years'],
      [add({ minutes: '240' }), 'minutes: must be a number of minutes (got string)'],
      [add({ start: '2026-03-06T16:00:00' }), 'start: "2026-03-06T16:00:00" has no UTC offset'],
      [between({ end: '2200-01-01T00:00:00Z' }), 'end: is more than 100 years from start'],
      [between({ end: undefined }), 'end: missing'],
      [add({ op: 'subtract' }), 'op: must be "add" or "between"'],
      [add({ extra: true }), 'extra: is not a known field'],
      ['{"op": "add", ', 'not valid JSON'],
      ['[1, 2]', 'must be a JSON object'],
    ];
    const lines = bad.flatMap(([line]) => [line, add()]);
    const { counts, answers } = await batch(lines);
    expect(counts).toEqual({ lines: bad.length * 2, errors: bad.length });
    bad.forEach(([, message], i) => {
      expect(answers[2 * i].error).toContain(message);
      expect(answers[2 * i + 1]).toEqual({ result: '2026-03-09T12:00:00-04:00' });
    });
  });

  it('keeps order over many lines, skips blank ones, and handles CRLF', async () => {
    const lines: Array<string | object> = [];
    for (let i = 0; i < 3000; i++) {
      lines.push(
        i % 3 === 2 ? between({ end: `2026-03-0${6 + (i % 2)}T17:00:00-05:00` }) : add({ minutes: i % 500 }),
      );
      if (i % 1000 === 0) lines.push('   ');
    }
    const { counts, answers } = await batch([`${JSON.stringify(add())}\r`, ...lines]);
    expect(counts).toEqual({ lines: 3001, errors: 0 });
    expect(answers[0]).toEqual({ result: '2026-03-09T12:00:00-04:00' });
    expect(answers[1]).toEqual({ result: '2026-03-06T16:00:00-05:00' }); // 0 minutes: the start itself
    expect(answers[3]).toEqual({ minutes: 60 });
    expect(answers[2999]).toEqual({ result: '2026-03-09T16:18:00-04:00' }); // i = 2998: 498 minutes
  });

  it('runs as `promise-ledger sla batch` on stdin/stdout', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cli.ts', 'sla', 'batch'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdin.end(`${JSON.stringify(add())}\nnot json\n${JSON.stringify(between())}\n`);
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(
      stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { result: '2026-03-09T12:00:00-04:00' },
      { error: expect.stringContaining('not valid JSON') },
      { minutes: 720 },
    ]);
    expect(stderr).toContain('1 of 3 line(s) were answered with an error');
  });
});
