// `promise-ledger sla batch`: business-time questions as JSON lines in, one JSON answer line out per
// question, in order. A bad line is answered with {"error": "<field>: <problem>"} and the batch
// goes on, so one typo does not cost a whole file of answers.
//
//   {"op":"add","calendar":CAL,"start":"2026-03-06T16:00:00-05:00","minutes":240,"pauses":[]}
//     → {"result":"2026-03-09T12:00:00-04:00"}
//   {"op":"between","calendar":CAL,"start":"…","end":"…","pauses":[["…","…"]]}
//     → {"minutes":420}

import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { addBusinessMinutes, businessMinutesBetween, type Pause } from './business-time.js';
import { type Calendar, parseCalendar, zodError } from './calendar.js';
import { formatInstant, parseInstant } from './zone.js';

const MAX_LINE_CHARS = 1_000_000;

const pausesSchema = z
  .array(z.tuple([z.string(), z.string()], { error: 'must be a pair of instants ["start", "end"]' }), {
    error: 'must be a list of [start, end] pairs',
  })
  .max(10_000, 'at most 10000 pauses')
  .default([]);

// Calendar, instants and minutes are checked by the time module itself so the messages match the API.
const required = () => z.any().nonoptional('missing');
const lineSchema = z.discriminatedUnion(
  'op',
  [
    z.strictObject({
      op: z.literal('add'),
      calendar: required(),
      start: required(),
      minutes: required(),
      pauses: pausesSchema,
    }),
    z.strictObject({
      op: z.literal('between'),
      calendar: required(),
      start: required(),
      end: required(),
      pauses: pausesSchema,
    }),
  ],
  { error: 'must be "add" or "between"' },
);

/** Parsed calendars by their JSON text, so a file of lines sharing a calendar compiles it once. */
export class CalendarCache {
  private readonly byText = new Map<string, Calendar>();

  get(raw: unknown): Calendar {
    const key = JSON.stringify(raw) ?? '';
    const hit = this.byText.get(key);
    if (hit) return hit;
    const calendar = parseCalendar(raw, 'calendar');
    if (this.byText.size >= 256) this.byText.clear();
    this.byText.set(key, calendar);
    return calendar;
  }
}

/** Answers one input line; throws an AppError naming the field when the line is bad. */
export function answerLine(text: string, calendars = new CalendarCache()): Record<string, unknown> {
  if (text.length > MAX_LINE_CHARS)
    throw new AppError('validation_failed', `line is longer than ${MAX_LINE_CHARS} characters`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AppError('validation_failed', `not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new AppError('validation_failed', 'must be a JSON object such as {"op": "add", …}');
  }
  const parsed = lineSchema.safeParse(json);
  if (!parsed.success) throw zodError(parsed.error);
  const line = parsed.data;
  const calendar = calendars.get(line.calendar);
  const start = parseInstant(line.start, 'start');
  const pauses: Pause[] = line.pauses.map(
    ([a, b], i) => [parseInstant(a, `pauses[${i}][0]`), parseInstant(b, `pauses[${i}][1]`)] as const,
  );
  if (line.op === 'add') {
    const result = addBusinessMinutes(calendar, start, line.minutes, pauses);
    return { result: formatInstant(result, calendar.tz) };
  }
  const end = parseInstant(line.end, 'end');
  return { minutes: businessMinutesBetween(calendar, start, end, pauses) };
}

/**
 * Reads JSON lines from `input` and writes one JSON line per non-blank input line to `output`, in
 * order. Returns how many lines were answered and how many of those were errors.
 */
export async function runSlaBatch(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<{ lines: number; errors: number }> {
  const calendars = new CalendarCache();
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lines = 0;
  let errors = 0;
  for await (const text of reader) {
    if (text.trim() === '') continue;
    lines++;
    let answer: Record<string, unknown>;
    try {
      answer = answerLine(text, calendars);
    } catch (e) {
      errors++;
      // A validation error names the field; anything else is our bug, still answered in place.
      answer = { error: e instanceof AppError ? e.message : `internal error: ${(e as Error).message}` };
    }
    if (!output.write(`${JSON.stringify(answer)}\n`)) await once(output, 'drain');
  }
  return { lines, errors };
}
