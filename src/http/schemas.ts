// Shared zod building blocks for every boundary (HTTP, CLI).
import { z } from 'zod';

/** Text users type: trimmed non-empty, bounded, and storable (no NUL, no lone surrogates). */
export const text = (max = 2000) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters')
    .refine((s) => s.isWellFormed(), 'must be well-formed Unicode');

export const uuid = () => z.uuid({ message: 'must be a UUID' });

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

const EARLIEST_INSTANT = Date.parse('0001-01-01T00:00:00Z');
const LATEST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/** An ISO 8601 instant with an explicit offset (or Z); naive local times are refused. */
export const instant = () =>
  z
    .string()
    .regex(
      /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/,
      'must be an ISO 8601 date-time with an offset, e.g. 2026-12-04T17:00:00Z',
    )
    .refine((s) => {
      const y = Number(s.slice(0, 4));
      const m = Number(s.slice(5, 7));
      const d = Number(s.slice(8, 10));
      const h = Number(s.slice(11, 13));
      const min = Number(s.slice(14, 16));
      return (
        m >= 1 &&
        m <= 12 &&
        d >= 1 &&
        d <= daysIn(y, m) &&
        h <= 23 &&
        min <= 59 &&
        !Number.isNaN(Date.parse(s))
      );
    }, 'is not a real date-time')
    // The database stores years 0001-9999 (UTC): an offset must not push an instant outside them.
    .refine((s) => {
      const t = Date.parse(s);
      return Number.isNaN(t) || (t >= EARLIEST_INSTANT && t <= LATEST_INSTANT);
    }, 'must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z')
    .transform((s) => new Date(s));

/**
 * A comma-separated query parameter, each item checked by `item`. A repeated parameter
 * (`?status=open&status=kept`) is the same as one with commas.
 */
export const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .union([z.string(), z.array(z.string()).max(50)])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((x) => x.trim())
        .filter((x) => x !== ''),
    )
    .pipe(z.array(item).min(1, 'give at least one value').max(50));
